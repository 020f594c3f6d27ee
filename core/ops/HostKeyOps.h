#pragma once

#include "mirror/MirrorStore.h"
#include "security/HostKey.h"

namespace md {

// SSH host keys pinned per host:port (DESIGN sections 3 and 5), for every front end.
class HostKeyOps {
public:
    explicit HostKeyOps(QString configPath);

    // Pins `lines` (OpenSSH public-key lines, strictly parsed, duplicates dropped) for `host`
    // (host, host:port or [host]:port), replacing what was pinned for it. Returns the host as
    // stored and the pinned keys.
    struct Pinned {
        QString hostPort;
        QList<HostKey> keys;
    };
    Result<Pinned> pin(const QString &host, const QStringList &lines);

    struct HostEntry {
        QString hostPort;
        QList<HostKey> keys;
    };
    // Every pinned host, or only `host` (an error when nothing is pinned for it).
    Result<QList<HostEntry>> list(const std::optional<QString> &host = std::nullopt) const;

private:
    MirrorStore m_store;
};

} // namespace md
