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

    // The same mirror shown the same way (the status is not compared).
    bool sameDisplay(const MirrorView &other) const
    {
        return mirror == other.mirror && sourceDisplay == other.sourceDisplay && targetDisplay == other.targetDisplay
            && cachePath == other.cachePath && intervalMinutes == other.intervalMinutes;
    }
};

struct Snapshot {
    std::optional<Config> config; // nullopt: the config could not be used (error says why)
    std::optional<Error> error;
    QList<MirrorView> mirrors;
    // SHA-1 of the config file's bytes this snapshot was read from (empty: no file, or unreadable):
    // reloadSnapshot() parses nothing when the file still has them.
    QByteArray configDigest = {};
};

// Reads the config and every mirror's status (O(mirrors), no network, no git). The state files are
// read on several threads (about 30 ms per 1,000 mirrors on one core of this machine).
Snapshot loadSnapshot(const QString &configPath, const QString &stateDir);

// A reload after the config file changed on disk (or may have: a watcher also fires for the save's
// temporary and lock files). When the file has the bytes `previous` was read from, `previous` comes
// back as it is (*unchanged set) after one read of the file. Otherwise the config is parsed, and a
// mirror `previous` shows under the same name keeps the status `previous` has for it, no state file
// read (a config edit does not move state; a front end keeps its own newer statuses anyway): only
// mirrors new to it (added, renamed) have their state read. A one-field edit of 10,000 mirrors costs
// one config parse and no state read. Without a config in `previous`, this is loadSnapshot().
Snapshot reloadSnapshot(const QString &configPath, const QString &stateDir, const Snapshot &previous, bool *unchanged = nullptr);

// The statuses alone, for mirrors already shown (a state change without a config change): every
// state file read again, on several threads.
QList<MirrorView> refreshStatuses(const Config &config, const QString &stateDir);

// What differs between two snapshots, by mirror name, for a model that changes rows in place
// instead of resetting them all: O(mirrors), no disk. A rename is a removal and an addition.
struct SnapshotDiff {
    QList<int> removed;             // indices into before.mirrors, ascending
    QList<int> added;               // indices into after.mirrors, ascending
    QList<QPair<int, int>> changed; // (before, after) indices of one name shown differently (sameDisplay)
    bool configChanged = false;     // anything at all differs in the config (settings, credentials, order…)

    bool rowsChanged() const { return !removed.isEmpty() || !added.isEmpty() || !changed.isEmpty(); }
};
SnapshotDiff diffSnapshots(const Snapshot &before, const Snapshot &after);

// The pieces, for a reader that keeps its own views (StateScanner): a mirror's display values
// (no status), and the statuses of `views` read on several threads.
MirrorView viewOf(const Config &config, const Mirror &mirror);
void readStatuses(const QList<MirrorView *> &views, const QString &stateDir);

} // namespace md
