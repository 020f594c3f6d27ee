#pragma once

#include "mirror/Attic.h"
#include "mirror/Checker.h"
#include "mirror/RefPlan.h"
#include "git/GitPtr.h"
#include "mirror/CacheMaintenance.h"

namespace md {

struct SyncOptions {
    bool dryRun = false;
    bool allowMassChange = false;
    bool massChangeGuard = true;
    QDateTime startedAt; // names the run's attic entries
    int atticRetentionDays = 90;
    std::function<void(const git::RemoteCallbacks::Progress &)> onProgress = {}; // transfer samples, ≤ 10/s
    bool allowEmptySource = false; // follow a source emptied on purpose (every ref kept in the attic)
    bool relayCache = false;       // set by the sync itself from the shape
};

struct SyncResult {
    RunOutcome outcome = RunOutcome::Ok;
    std::optional<Error> error;
    RefPlan plan;
    QList<RefResult> refs;
    QStringList warnings;
    qint64 durationMs = 0;
    QList<AtticEntry> atticAdded;  // old tips this run kept in the attic (for the index)
    QStringList atticExpired;      // attic entries retention removed (their ids)
};

// One sync of a pull-shape cache (DESIGN section 3, pull rules), on the calling thread, the
// cache lock already held by the caller. One connection lists, plans and downloads; a no-op
// downloads nothing. Refs are written by MirrorDesk after the download: the old tip of a forced
// or deleted ref goes to the attic first, then a compare-and-swap update; deletes before creates.
// The cache's HEAD follows the source's default branch. A dry run writes no ref: it downloads
// the missing objects into an existing cache (so it can tell a fast-forward from a force) and
// touches nothing when there is no cache yet.
// For a relay or push mirror this is the cache's half (relay-cache rules: always overwrite,
// always prune, every old tip in the attic).
SyncResult runPullSync(const MirrorJob &job, const SyncOptions &options);


} // namespace md
