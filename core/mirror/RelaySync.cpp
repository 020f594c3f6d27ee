#include "mirror/RelaySync.h"

#include "git/RemoteLister.h"
#include "git/V2Lister.h"
#include "mirror/CacheMaintenance.h"
#include "mirror/RefWriter.h"
#include "mirror/TargetPush.h"

#include <QElapsedTimer>
#include <QHash>
#include <QFileInfo>

namespace md {

QList<RefTip> refsAfterPlan(const RefPlan &plan)
{
    QList<RefTip> refs;
    for (const PlannedRef &p : plan.refs) {
        switch (p.action) {
        case RefAction::Create:
        case RefAction::FastForward:
        case RefAction::Force:
        case RefAction::UpToDate:
            if (!p.newOid.isEmpty())
                refs.append(RefTip{p.ref, p.newOid, QString()});
            break;
        case RefAction::SkipDiverged: // a relay cache never skips; kept as it is
            if (!p.oldOid.isEmpty())
                refs.append(RefTip{p.ref, p.oldOid, QString()});
            break;
        case RefAction::Delete:
        case RefAction::Filtered:
        case RefAction::Rejected:
            break;
        }
    }
    return refs;
}

namespace {

QList<RefResult> planAsResults(const RefPlan &plan, const QString &side, bool applied)
{
    QList<RefResult> refs;
    for (const PlannedRef &p : plan.refs) {
        RefOutcome outcome = applied ? RefOutcome::Ok : RefOutcome::Skipped;
        if (p.action == RefAction::Rejected)
            outcome = RefOutcome::Rejected;
        else if (p.action == RefAction::SkipDiverged)
            outcome = RefOutcome::Skipped;
        refs.append(RefResult{p.ref, p.action, p.oldOid, p.newOid, outcome, p.reason, side});
    }
    return refs;
}

SyncResult fail(SyncResult result, Error error, const QElapsedTimer &timer)
{
    result.error = std::move(error);
    result.outcome = RunOutcome::Failed;
    result.durationMs = timer.elapsed();
    return result;
}

// The cache half's result with its refs marked as such.
SyncResult cacheHalf(const MirrorJob &job, const SyncOptions &options)
{
    SyncResult cache = runPullSync(job, options);
    if (cache.refs.isEmpty() && !cache.plan.refs.isEmpty())
        cache.refs = planAsResults(cache.plan, QStringLiteral("cache"), false);
    for (RefResult &ref : cache.refs)
        ref.side = QStringLiteral("cache");
    return cache;
}

} // namespace

SyncResult runRelaySync(const MirrorJob &job, const SyncOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    if (!job.target)
        return fail(SyncResult{}, Error{ErrorCategory::Config, QStringLiteral("a %1 mirror needs a target").arg(shapeName(job.mirror.shape)), {}, 0, 0}, timer);

    // Half 1: the cache follows the source.
    SyncResult result = cacheHalf(job, options);
    const RefPlan cachePlan = result.plan;
    if (result.error) {
        result.outcome = RunOutcome::Failed;
        result.durationMs = timer.elapsed();
        return result;
    }

    // Half 2: the target. Its plan is over what the cache holds now (a dry run: would hold).
    QList<RefTip> cacheRefs;
    git::RepositoryPtr repository;
    if (QFileInfo::exists(job.cachePath)) {
        // Checked, cleaned and marked by the cache half a moment ago, under the same lock.
        auto opened = git::openCache(job.cachePath);
        if (!opened)
            return fail(std::move(result), opened.error(), timer);
        repository = std::move(opened).value();
    }
    if (options.dryRun || !repository) {
        cacheRefs = refsAfterPlan(cachePlan);
    } else {
        auto listed = git::listLocalRefs(repository.get());
        if (!listed)
            return fail(std::move(result), listed.error(), timer);
        cacheRefs = *listed;
    }
    auto target = git::listMirroredRefs(*job.target, job.limits);
    if (!target)
        return fail(std::move(result), target.error(), timer);

    PushPlanInput input;
    input.source = cacheRefs;
    input.target = target->refs;
    // The source's default branch: the cache's HEAD follows it (a dry run: would follow it).
    input.sourceHeadTarget = options.dryRun && !cachePlan.headTo.isEmpty() ? cachePlan.headTo
                                                                          : (repository ? git::headTargetOf(repository.get()) : cachePlan.headTo);
    input.targetHeadTarget = target->headTarget;
    input.dryRun = options.dryRun;
    input.allowMassChange = options.allowMassChange;
    input.allowEmptySource = options.allowEmptySource;
    input.massChangeGuard = options.massChangeGuard;
    std::optional<git::AncestryReader> reader;
    if (repository)
        reader.emplace(repository.get());
    RefPlan plan = planPush(job.mirror, input, [&reader](const QString &a, const QString &d) {
        return reader ? reader->isAncestor(a, d) : std::optional<bool>();
    });
    // A target tip the cache half just replaced was rewritten upstream, not changed on the target.
    QHash<QString, QString> rewritten;
    for (const PlannedRef &p : cachePlan.refs) {
        if (p.action == RefAction::Force)
            rewritten.insert(p.ref, p.oldOid);
    }
    for (PlannedRef &p : plan.refs) {
        if ((p.action == RefAction::Force || p.action == RefAction::SkipDiverged) && rewritten.value(p.ref) == p.oldOid && !p.oldOid.isEmpty())
            p.reason = p.action == RefAction::Force ? QStringLiteral("rewritten upstream")
                                                    : QStringLiteral("rewritten upstream (keep_divergent_refs: the target keeps its tip)");
    }
    reader.reset();
    result.plan = plan;
    result.warnings += plan.warnings;
    if (plan.failure) {
        result.refs += planAsResults(plan, QStringLiteral("target"), false);
        return fail(std::move(result), *plan.failure, timer);
    }
    if (options.dryRun || !repository) {
        result.refs += planAsResults(plan, QStringLiteral("target"), false);
        result.error = targetPushError(result.refs, {});
        if (result.error && result.error->category != ErrorCategory::Diverged)
            result.error.reset(); // a plan refuses nothing yet
        result.outcome = result.error ? RunOutcome::Failed : RunOutcome::Ok;
        result.durationMs = timer.elapsed();
        return result;
    }

    // Nothing lost: every target tip forced or deleted is kept in the cache's attic first.
    const QString run = atticRunId(options.startedAt);
    const QList<RefResult> notKept = keepTargetTips(repository.get(), job, plan.refs, options.startedAt, run, result.atticAdded);
    QSet<QString> refused;
    for (const RefResult &ref : notKept)
        refused.insert(ref.ref);

    QList<PushItem> items;
    bool targetEmpty = true;
    for (const RefTip &tip : target->refs)
        targetEmpty = targetEmpty && !(tip.name.startsWith(QLatin1String("refs/heads/")));
    for (const PlannedRef &p : plan.refs) {
        const bool moves = p.action == RefAction::Create || p.action == RefAction::FastForward || p.action == RefAction::Force
            || p.action == RefAction::Delete;
        if (!moves) {
            RefResult line{p.ref, p.action, p.oldOid, p.newOid, RefOutcome::Ok, p.reason, QStringLiteral("target")};
            if (p.action == RefAction::Rejected)
                line.result = RefOutcome::Rejected;
            else if (p.action == RefAction::SkipDiverged)
                line.result = RefOutcome::Skipped;
            result.refs.append(line);
            continue;
        }
        if (refused.contains(p.ref))
            continue;
        items.append(PushItem{p.ref, p.action == RefAction::Delete ? QString() : p.ref, p.oldOid, p.newOid, p.action, p.reason});
    }
    result.refs += notKept;
    const TargetPushOutcome pushed = pushToTarget(repository.get(), job, items, targetEmpty ? input.sourceHeadTarget : QString());
    result.refs += pushed.refs;
    repository.reset();
    result.durationMs = timer.elapsed();
    if (pushed.error) {
        result.error = *pushed.error;
        if (!pushed.hostText.isEmpty())
            result.error->message += QStringLiteral("; the host said: %1").arg(pushed.hostText.last().split(QLatin1Char('\n'), Qt::SkipEmptyParts).join(QStringLiteral(" / ")).left(2000));
    } else {
        result.error = targetPushError(result.refs, pushed.hostText);
    }
    result.outcome = result.error ? RunOutcome::Failed : RunOutcome::Ok;
    return result;
}

Result<RestoreResult> restoreTargetEntry(const MirrorJob &job, const AtticEntry &entry, const QString &targetRef)
{
    if (!job.target)
        return Error{ErrorCategory::Config, QStringLiteral("%1 has no target").arg(job.mirror.name), {}, 0, 0};
    if (!targetRef.startsWith(QLatin1String("refs/heads/")) && !targetRef.startsWith(QLatin1String("refs/tags/")))
        return Error::usage(QStringLiteral("a target entry is restored into a branch or tag (refs/heads/… or refs/tags/…), not %1").arg(targetRef));
    auto prepared = prepareCache(job.cachePath, job.mirror.name, CacheOpen::Existing);
    if (!prepared)
        return prepared.error();
    git_repository *repository = prepared->get();
    auto target = git::listMirroredRefs(*job.target, job.limits);
    if (!target)
        return target.error();
    QString current;
    for (const RefTip &tip : target->refs) {
        if (tip.name == targetRef)
            current = tip.oid;
    }
    if (current == entry.oid)
        return RestoreResult{true, {}};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    RestoreResult restored;
    if (!current.isEmpty()) {
        const PlannedRef replaced{targetRef, RefAction::Force, current, entry.oid, QStringLiteral("replaced by attic restore of %1").arg(entry.id)};
        const QList<RefResult> notKept = keepTargetTips(repository, job, {replaced}, now, atticRunId(now, QStringLiteral("restore")), restored.atticAdded);
        if (!notKept.isEmpty())
            return Error{ErrorCategory::Rejected, QStringLiteral("cannot restore %1 on the target: %2").arg(targetRef, notKept.first().message), {}, 0, 0};
    }
    const PushItem item{targetRef, entry.atticRef(), current, entry.oid, current.isEmpty() ? RefAction::Create : RefAction::Force,
                        QStringLiteral("restored from the attic")};
    const TargetPushOutcome pushed = pushToTarget(repository, job, {item}, QString());
    const RefResult result = pushed.refs.value(0);
    if (pushed.error || result.result != RefOutcome::Ok) {
        Error error = pushed.error.value_or(Error{ErrorCategory::Rejected, QString(), {}, 0, 0});
        error.message = QStringLiteral("cannot restore %1 on the target: %2").arg(targetRef, pushed.error ? pushed.error->message : result.message);
        if (!pushed.hostText.isEmpty())
            error.message += QStringLiteral("; the host said: %1").arg(pushed.hostText.join(QLatin1Char('\n')).split(QLatin1Char('\n'), Qt::SkipEmptyParts).join(QStringLiteral(" / ")).left(2000));
        return error;
    }
    return restored;
}

} // namespace md
