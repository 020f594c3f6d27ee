#pragma once

#include "mirror/Mirror.h"
#include "mirror/OrgMirror.h"
#include "mirror/Settings.h"
#include "security/Credential.h"

#include <QList>
#include <QMap>

namespace md {

// The whole configuration document (mirrors.json): settings, shared credentials, host-key pins
// per host:port, and the mirrors. A value type; MirrorStore reads and writes it.
struct Config {
    // 2 added `orgs` and a mirror's `org`/`org_repository`. A version-1 file is read as it is and
    // written as version 2 on its first edit (MirrorStore keeps the old file beside it and says so).
    static constexpr int kSchemaVersion = 2;

    Settings settings;
    QList<Credential> credentials;
    QMap<QString, QStringList> hostKeys; // "host:port" → OpenSSH public-key lines
    QList<Mirror> mirrors;
    QList<OrgMirror> orgs;
    int readSchemaVersion = kSchemaVersion; // the version of the file it was read from (not written)

    // Exact name first, then ignoring case (names are unique ignoring case). -1 when absent.
    int indexOfMirror(const QString &name) const;
    int indexOfCredential(const QString &name) const;
    int indexOfOrg(const QString &name) const;
    const OrgMirror *org(const QString &name) const;
    const Mirror *mirror(const QString &name) const;
    const Credential *credential(const QString &name) const;

    // settings.cache_root, or the default under the app's data folder.
    QString cacheRoot() const;
    QString cachePathOf(const Mirror &mirror) const { return mirror.effectiveCachePath(cacheRoot()); }

    // Every check that spans more than one entry: unique names ignoring case, credentials that
    // exist and fit the endpoint, distinct cache paths, valid host-key pins.
    Status validate() const;
    // validate() for an edit of `before`, a config that passed validate(): the mirrors unchanged
    // from it skip their own checks (the cross checks run in full). The same result, cheaper.
    Status validateEdit(const Config &before) const;

    // The content, not where it was read from.
    bool operator==(const Config &other) const
    {
        return settings == other.settings && credentials == other.credentials && hostKeys == other.hostKeys &&
               mirrors == other.mirrors && orgs == other.orgs;
    }
};

// True when one path is the other or lies inside it (compared ignoring case, as the strictest
// file system would).
bool pathsOverlap(const QString &a, const QString &b);

// For each path from `firstChecked` on, the smallest index of an earlier path it overlaps (is, lies
// inside or contains), or -1, in O(n log n). The paths are clean (QDir::cleanPath).
QList<qsizetype> firstOverlaps(const QStringList &cleanPaths, qsizetype firstChecked,
                               Qt::CaseSensitivity cs = Qt::CaseInsensitive);

QByteArray configToJson(const Config &config);
// Parses and validates; the error names the field ("mirrors[2].interval_minutes").
Result<Config> configFromJson(const QByteArray &data);

} // namespace md
