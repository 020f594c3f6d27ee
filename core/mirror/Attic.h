#pragma once

#include "mirror/RefPlan.h"

#include <QDateTime>
#include <QJsonObject>

namespace md {

// The attic (DESIGN section 3, "Nothing lost"): before a ref is forced or deleted its old tip is
// kept in the cache under refs/mirrordesk/attic/<YYYYMMDDTHHMMSSZ>-<run>/<cache|target>/<ref>,
// with an index entry in the mirror's state saying why. The refs are the truth (a crash between
// the ref and its index entry leaves an entry without a reason); the index adds the reason.
inline constexpr char kAtticPrefix[] = "refs/mirrordesk/attic/";
inline constexpr int kAtticKeepPerRef = 5; // retention never removes the last five entries of a ref

struct AtticEntry {
    QString id;     // "<stamp>-<run>/<side>/<ref>": the attic ref without kAtticPrefix
    QString ref;    // the ref whose old tip this is
    QString oid;
    QDateTime when;
    QString why;    // "rewritten upstream", "gone upstream", "tag_moved", … (empty: no index entry)
    QString side;   // cache | target
    QString run;

    QString atticRef() const { return QLatin1String(kAtticPrefix) + id; }
    bool operator==(const AtticEntry &) const = default;
};

// The attic ref for a ref's old tip.
QString atticRefName(const QDateTime &startedAt, const QString &run, const QString &side, const QString &ref);
// An entry from an attic ref's name (nullopt when the name is not one).
std::optional<AtticEntry> parseAtticRef(const QString &refName, const QString &oid);

// The attic as it is: every attic ref of the cache, with the index's reason where it has one,
// newest first.
QList<AtticEntry> listAttic(const QList<RefTip> &cacheRefs, const QList<AtticEntry> &index);

// The entries retention removes: older than `days` (relative to now), except the newest
// kAtticKeepPerRef of each ref. Pure.
QList<AtticEntry> expiredAttic(const QList<AtticEntry> &entries, int days, const QDateTime &now);

QJsonObject atticEntryToJson(const AtticEntry &entry);
std::optional<AtticEntry> atticEntryFromJson(const QJsonObject &object);

} // namespace md
