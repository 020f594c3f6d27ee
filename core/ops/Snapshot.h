#pragma once

#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <optional>

namespace md {

// What a front end shows of the mirrors, read from disk in one go (on a worker thread, never the
// window's): the config, and per mirror its values as displayed — scrubbed URLs computed once, the
// effective interval and cache path — and its recorded status.
struct MirrorView {
    Mirror mirror;
    QString sourceDisplay; // scrubbed
    QString targetDisplay; // scrubbed; empty for a pull mirror
    QString cachePath;
    int intervalMinutes = 5;
    StatusRecord status;
    QString statusProblem; // the state file could not be read (status is then a failure)
};

struct Snapshot {
    std::optional<Config> config; // nullopt: the config could not be used (error says why)
    std::optional<Error> error;
    QList<MirrorView> mirrors;
};

// Reads the config and every mirror's status (O(mirrors), no network, no git).
Snapshot loadSnapshot(const QString &configPath, const QString &stateDir);
// The statuses alone, for mirrors already shown (a state change without a config change).
QList<MirrorView> refreshStatuses(const Config &config, const QString &stateDir);

} // namespace md
