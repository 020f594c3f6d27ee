#pragma once

#include "mirror/Config.h"
#include "ops/Snapshot.h"

#include <QHash>
#include <QSet>

namespace md {

// Follows a state folder for a front end that stays open (the window): each scan costs one
// stat per mirror file and reads only the states whose files changed since the last scan (or
// that were never read), so a run by cron or the command line shows within a scan without
// re-reading 10,000 state files. Not thread-safe: one thread at a time (the window's one disk
// worker).
class StateScanner {
public:
    explicit StateScanner(QString stateDir);

    struct Scan {
        std::optional<Config> config;  // nullopt: the config could not be used (error says why)
        std::optional<Error> error;
        bool configChanged = false;    // the mirrors or settings differ from the last scan's
        // Every mirror of the config, in its order, when the config changed (or a full scan);
        // otherwise only the mirrors whose state changed (those in withStatus).
        QList<MirrorView> mirrors;
        QSet<QString> withStatus;      // the names whose status was (re-)read by this scan
    };

    // Reads the config when it changed (or `forceConfig`), then the changed states. `full`
    // re-reads every state (View ▸ Reload).
    Scan scan(const QString &configPath, bool full = false);

private:
    struct Signature {
        qint64 mtimeNs = -1;
        qint64 size = -1;
        quint64 inode = 0;
        bool operator==(const Signature &) const = default;
    };
    static Signature signatureOf(const QString &path);

    QString m_stateDir;
    Signature m_configSignature;
    std::optional<Config> m_config;
    QHash<QString, MirrorView> m_views;                          // name -> last view
    QHash<QString, std::pair<Signature, Signature>> m_signatures; // name -> (status, check) files
};

} // namespace md
