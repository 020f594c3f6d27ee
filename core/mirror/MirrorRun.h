#pragma once

#include "mirror/Checker.h"
#include "mirror/PullSync.h"
#include "mirror/Settings.h"
#include "mirror/StateStore.h"

#include <atomic>

namespace md {

// One "update" of one mirror as every front end runs it (the command line, the window, later the
// service): under the mirror's cache lock, the sync, then the run recorded in the state folder
// (status fields and run history in one atomic write). Runs on the calling (pool) thread; the
// job's secrets were read before, on the thread that owns the event loop.
struct UpdateRequest {
    bool dryRun = false;
    bool allowMassChange = false;
    bool allowEmptySource = false;
    int timeoutSeconds = 0;  // 0: the settings' run_timeout
    int lockWaitSeconds = 0; // 0: skip a mirror another process is updating
    const std::atomic<bool> *cancel = nullptr;
    std::function<void(const git::RemoteCallbacks::Progress &)> onProgress = {}; // on the job thread
};

struct UpdateOutcome {
    SkipReason skipReason = SkipReason::None;
    QString skipped;         // why it did not run, in words ("running (pid …)", "interrupted"), else empty
    QDateTime startedAt;
    SyncResult result;       // for a dry run or refused plan, refs hold the plan itself
    std::optional<StatusRecord> status; // as recorded (not for a dry run or a skip)
    QStringList problems;    // state-file errors, for the caller to report
};

UpdateOutcome runUpdate(const MirrorJob &job, const UpdateRequest &request, const Settings &settings, StateStore state);

// The sync itself, dispatched on the mirror's shape (pull = connect + download + apply); the
// caller holds the cache lock.
SyncResult runSync(const MirrorJob &job, const SyncOptions &options);

// Records a run that ended before a sync could start (a setup error: unreadable credential,
// unsupported shape) or after it, updating the status fields and appending the run.
// `interrupted` runs do not count as failures for the backoff.
Result<StatusRecord> recordUpdate(StateStore state, const QString &mirror, const QDateTime &startedAt,
                                  const std::optional<Error> &error, const SyncResult &result, bool interrupted);

// "interrupted by SIGINT" / "interrupted by SIGTERM" / "cancelled" (no signal: the window's cancel).
QString interruptionText();
// One "check" of one mirror, recorded as the status's last check (the other status fields kept).
struct CheckOutcome {
    CheckRecord record;
    StatusRecord status;     // the mirror's status with this check in it
    QString problem;         // a state-file error, for the caller to report
};

CheckOutcome recordCheck(StateStore state, const QString &mirror, const CheckRecord &record);

} // namespace md
