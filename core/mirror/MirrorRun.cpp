#include "mirror/MirrorRun.h"
#include "mirror/RelaySync.h"

#include "mirror/CacheLock.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"

#include <csignal>

namespace md {

QString interruptionText()
{
    switch (platform::interruptSignal()) {
    case SIGINT: return QStringLiteral("interrupted by SIGINT");
    case SIGTERM: return QStringLiteral("interrupted by SIGTERM");
    default: return QStringLiteral("cancelled");
    }
}

Result<StatusRecord> recordUpdate(StateStore state, const QString &mirror, const QDateTime &startedAt,
                                  const std::optional<Error> &error, const SyncResult &result, bool interrupted)
{
    const QDateTime finishedAt = QDateTime::currentDateTimeUtc();
    // A run stopped by a signal or a cancel is told apart from a failure: its own outcome and
    // category, no backoff, not counted (whatever error the stopped transfer reported).
    const bool stopped = error && interrupted;
    const ErrorCategory category = !error ? ErrorCategory::None : (stopped ? ErrorCategory::Interrupted : error->category);
    const QString scrubbed = !error ? QString() : (stopped ? interruptionText() : GitUrl::scrubText(error->message));
    RunRecord run;
    run.startedAt = startedAt;
    run.durationMs = result.durationMs;
    run.outcome = !error ? RunOutcome::Ok : (stopped ? RunOutcome::Interrupted : RunOutcome::Failed);
    run.errorCategory = category;
    run.error = scrubbed;
    run.warnings = result.warnings;
    run = compactRun(std::move(run), result.refs);
    return state.changeStatus(mirror, [&](StatusRecord &status) {
        status.lastUpdateStartedAt = startedAt;
        status.lastUpdateAt = finishedAt;
        status.warnings = run.warnings;
        if (stopped) {
            status.updateStatus = UpdateStatus::Interrupted;
            status.lastError = scrubbed;
            status.errorCategory = category;
            status.errorDetail = {};
        } else if (error) {
            status.updateStatus = UpdateStatus::Failed;
            status.lastError = scrubbed;
            status.errorCategory = category;
            status.errorDetail = error->detail;
            ++status.consecutiveFailures;
        } else {
            status.updateStatus = UpdateStatus::Finished;
            status.lastSuccessfulUpdateAt = finishedAt;
            status.lastError.clear();
            status.errorCategory = ErrorCategory::None;
            status.errorDetail = {};
            status.consecutiveFailures = 0;
        }
    }, run, result.atticAdded, result.atticExpired);
}

UpdateOutcome runUpdate(const MirrorJob &job, const UpdateRequest &request, const Settings &settings, StateStore state)
{
    UpdateOutcome outcome;
    const bool interrupted = request.cancel && request.cancel->load();
    // Recorded under the lock, so two processes never interleave a mirror's state writes. A run
    // whose result cannot be recorded is a failure the caller reports (exit 1), never silence.
    auto record = [&]() -> UpdateOutcome & {
        auto recorded = recordUpdate(state, job.mirror.name, outcome.startedAt, outcome.result.error, outcome.result,
                                     request.cancel && request.cancel->load());
        if (recorded)
            outcome.status = *recorded;
        else
            outcome.problems.append(recorded.error().message);
        return outcome;
    };
    CacheLock lock(job.cachePath);
    if (!lock.tryLock(request.lockWaitSeconds * 1000)) {
        if (lock.failure()) {
            // Not "skipped: running": a mirror that can never take its lock would never sync.
            outcome.startedAt = QDateTime::currentDateTimeUtc();
            outcome.result.outcome = RunOutcome::Failed;
            outcome.result.error = *lock.failure();
            return request.dryRun ? outcome : record();
        }
        outcome.skipReason = SkipReason::Running;
        outcome.skipped = QStringLiteral("running (%1)").arg(lock.holder());
        return outcome;
    }
    if (interrupted) {
        outcome.skipReason = SkipReason::Interrupted;
        outcome.skipped = QStringLiteral("interrupted");
        return outcome;
    }
    outcome.startedAt = QDateTime::currentDateTimeUtc();
    MirrorJob limited = job;
    const int runTimeout = request.timeoutSeconds > 0 ? request.timeoutSeconds : settings.runTimeoutSeconds;
    limited.limits.deadlineMs = QDateTime::currentMSecsSinceEpoch() + qint64(runTimeout) * 1000;
    limited.limits.cancel = request.cancel;
    SyncOptions sync;
    sync.dryRun = request.dryRun;
    sync.allowMassChange = request.allowMassChange;
    sync.allowEmptySource = request.allowEmptySource;
    sync.massChangeGuard = settings.massChangeGuard;
    sync.startedAt = outcome.startedAt;
    sync.atticRetentionDays = settings.atticRetentionDays;
    sync.onProgress = request.onProgress;
    outcome.result = runSync(limited, sync);
    if (outcome.result.error && request.cancel && request.cancel->load()) {
        // What the stopped transfer said ("timed out: cancelled") is not why it stopped.
        outcome.result.outcome = RunOutcome::Interrupted;
        outcome.result.error = Error{ErrorCategory::Interrupted, interruptionText(), {}, 0, 0};
    }
    if (!outcome.result.plan.refs.isEmpty() && outcome.result.refs.isEmpty()) {
        // Dry run or refused plan: report the plan itself.
        for (const PlannedRef &p : outcome.result.plan.refs)
            outcome.result.refs.append(RefResult{p.ref, p.action, p.oldOid, p.newOid,
                                                 p.action == RefAction::Rejected ? RefOutcome::Rejected : RefOutcome::Skipped, p.reason});
    }
    if (request.dryRun)
        return outcome;
    return record();
}

SyncResult runSync(const MirrorJob &job, const SyncOptions &options)
{
    switch (job.mirror.shape) {
    case Shape::Pull:
        return runPullSync(job, options);
    case Shape::Relay:
    case Shape::Push:
        return runRelaySync(job, options);
    }
    return runPullSync(job, options);
}

CheckOutcome recordCheck(StateStore state, const QString &mirror, const CheckRecord &record)
{
    CheckOutcome outcome;
    outcome.record = record;
    if (auto saved = state.saveCheck(mirror, record); !saved)
        outcome.problem = saved.error().message;
    if (auto status = state.status(mirror, StateStore::WithoutCheck))
        outcome.status = *status;
    outcome.status.lastCheck = record;
    return outcome;
}

} // namespace md
