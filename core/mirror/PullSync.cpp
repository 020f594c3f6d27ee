#include "mirror/PullSync.h"

#include "git/Connection.h"
#include "git/GitCliPush.h"
#include "git/RemoteLister.h"
#include "git/V2Lister.h"
#include "mirror/CacheMaintenance.h"
#include "mirror/RefWriter.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace md {

namespace {

QList<RefTip> mirroredTips(const QList<RefTip> &refs)
{
    QList<RefTip> result;
    for (const RefTip &tip : refs) {
        if (tip.name.startsWith(QLatin1String("refs/heads/")) || tip.name.startsWith(QLatin1String("refs/tags/")))
            result.append(tip);
    }
    return result;
}

PullPlanInput planInput(const git::RemoteListing &listing, const SyncOptions &options)
{
    PullPlanInput input;
    input.relayCache = options.relayCache;
    input.source = listing.refs;
    input.sourceHeadTarget = listing.headTarget;
    input.allowMassChange = options.allowMassChange;
    input.allowEmptySource = options.allowEmptySource;
    input.dryRun = options.dryRun;
    input.massChangeGuard = options.massChangeGuard;
    return input;
}

// Phase "download": only what the cache lacks, for the refs the plan could move.
Status downloadMissing(git::Connection &connection, git_repository *repository, const MirrorJob &job,
                       const QList<RefTip> &source, bool *downloaded)
{
    const git::AncestryReader before(repository);
    const RefFilter filter(job.mirror);
    QList<QByteArray> refspecs;
    for (const RefTip &tip : source) {
        if (filter.classify(tip.name) == RefFilter::Verdict::Mirrored && !before.contains(tip.oid))
            refspecs.append(tip.name.toUtf8() + ':' + tip.name.toUtf8());
    }
    *downloaded = !refspecs.isEmpty();
    if (refspecs.isEmpty())
        return {};
    if (git::canFetchWithGit(job.source)) {
        // A push mirror's local source: a new cache starts from links to its packs, and git's
        // upload-pack moves the rest reusing the source's deltas (libgit2's local transport would
        // repack every object). Objects only; the refs are written below.
        QStringList refs;
        if (seedFromLocalPacks(job.cachePath, job.source.url) > 0) {
            const git::AncestryReader seeded(repository);
            for (const RefTip &tip : source) {
                if (filter.classify(tip.name) == RefFilter::Verdict::Mirrored && !seeded.contains(tip.oid))
                    refs.append(tip.name);
            }
        } else {
            for (const QByteArray &spec : refspecs)
                refs.append(QString::fromUtf8(spec.left(spec.indexOf(':'))));
        }
        if (refs.isEmpty())
            return {};
        auto fetched = git::fetchWithGit(job.cachePath, job.source.url, job.source.displayUrl, job.limits, refs);
        if (!fetched)
            return fetched.error();
        return {};
    }
    return connection.download(refspecs);
}

// Diverged branches left alone: a diverged default branch fails the run (GitLab's behaviour with
// overwrite off); the others are warnings.
std::optional<Error> divergedFailure(const RefPlan &plan, const QString &headTarget, QStringList &warnings)
{
    std::optional<Error> diverged;
    for (const PlannedRef &planned : plan.refs) {
        if (planned.action != RefAction::SkipDiverged)
            continue;
        if (planned.ref == headTarget)
            diverged = Error{ErrorCategory::Diverged, QStringLiteral("the default branch %1 has diverged from the mirror "
                                                                     "(mirror_overwrites_diverged_branches is off)").arg(planned.ref.mid(11)), {}, 0, 0};
        else
            warnings.append(QStringLiteral("%1 has diverged upstream and was not updated").arg(planned.ref.mid(11)));
    }
    return diverged;
}

// A dry run without a cache: every mirrored ref would be created. Nothing is written to disk.
SyncResult planWithoutCache(const MirrorJob &job, const SyncOptions &options, SyncResult result)
{
    auto listing = git::listRemote(job.source, job.limits);
    if (!listing) {
        result.error = listing.error();
        return result;
    }
    result.plan = planPull(job.mirror, planInput(*listing, options), [](const QString &, const QString &) { return std::optional<bool>(); });
    result.warnings = result.plan.warnings;
    result.error = result.plan.failure;
    return result;
}

struct NoOp {
    RefPlan plan;
    QList<RefTip> cacheRefs;
    QString headTarget;
};

// The plan over a protocol-v2 listing of HEAD, branches and tags, when it changes nothing (no
// ref, no HEAD, no guard, nothing diverged); nullopt otherwise, or when v2 is not available or
// failed (the libgit2 path then lists again and says what is wrong).
std::optional<NoOp> tryNoOpOverV2(git_repository *repository, const MirrorJob &job, const SyncOptions &options)
{
    auto cacheRefs = git::listLocalRefs(repository);
    if (!cacheRefs || cacheRefs->isEmpty())
        return std::nullopt; // a new cache: the full fetch follows anyway
    auto listing = git::listRefsV2(job.source, job.limits, git::mirroredRefPrefixes());
    if (!listing)
        return std::nullopt;
    PullPlanInput input = planInput(*listing, options);
    input.cache = mirroredTips(*cacheRefs);
    input.cacheHeadTarget = git::headTargetOf(repository);
    const git::AncestryReader cache(repository);
    RefPlan plan = planPull(job.mirror, input, [&cache](const QString &a, const QString &d) { return cache.isAncestor(a, d); });
    const bool changes = plan.failure || plan.changesAnything() || !plan.headFrom.isEmpty() || plan.count(RefAction::SkipDiverged) > 0;
    if (changes)
        return std::nullopt;
    return NoOp{std::move(plan), *cacheRefs, listing->headTarget};
}

// Phase "maintain": retention, packed refs, repacking, and what the mirror cannot carry.
void maintainAfterRun(git_repository *repository, const MirrorJob &job, const SyncOptions &options,
                      const QList<RefTip> &cacheRefs, bool downloaded, const QString &headTarget, SyncResult &result)
{
    retainAttic(repository, cacheRefs, result.atticAdded, options.atticRetentionDays, result.atticExpired);
    if (result.plan.changesAnything() || !result.atticExpired.isEmpty())
        packLooseRefs(repository, job.cachePath, result.warnings);
    if (downloaded)
        maintain(job.cachePath, job.limits, result.warnings);
    if (usesLfs(repository, headTarget))
        result.warnings.append(QStringLiteral("LFS objects are not mirrored (the default branch uses Git LFS)"));
}


// The sync into an existing or new cache; *wroteRefs is set once refs are being written.
SyncResult syncIntoCache(const MirrorJob &job, const SyncOptions &options, const QElapsedTimer &timer, bool *wroteRefs)
{
    SyncResult result;
    auto finish = [&](std::optional<Error> error) {
        result.error = std::move(error);
        result.outcome = result.error ? RunOutcome::Failed : RunOutcome::Ok;
        result.durationMs = timer.elapsed();
        return result;
    };
    auto prepared = prepareCache(job.cachePath, job.mirror.name);
    if (!prepared)
        return finish(prepared.error());
    git::RepositoryPtr repository = std::move(prepared).value();

    // A no-op first, over protocol v2 where the source speaks it: when HEAD, branches and tags
    // already match the cache, no libgit2 connection is opened and nothing is downloaded.
    if (auto noOp = tryNoOpOverV2(repository.get(), job, options)) {
        result.plan = std::move(noOp->plan);
        result.warnings += result.plan.warnings;
        if (!options.dryRun) {
            for (const PlannedRef &p : result.plan.refs)
                result.refs.append(RefResult{p.ref, p.action, p.oldOid, p.newOid,
                                             p.action == RefAction::Rejected ? RefOutcome::Rejected : RefOutcome::Ok, p.reason});
            maintainAfterRun(repository.get(), job, options, noOp->cacheRefs, false, noOp->headTarget, result);
        }
        return finish(std::nullopt);
    }

    // Phase "connect and list": one connection lists and downloads.
    git::Connection connection(job.source, job.limits);
    connection.setProgressSink(options.onProgress);
    if (const QString warning = connection.proxyWarning(); !warning.isEmpty())
        result.warnings.append(warning);
    if (auto connected = connection.connectForFetch(repository.get()); !connected)
        return finish(connected.error());
    auto listing = connection.list();
    if (!listing)
        return finish(listing.error());
    PullPlanInput input = planInput(*listing, options);
    auto cacheRefs = git::listLocalRefs(repository.get());
    if (!cacheRefs)
        return finish(cacheRefs.error());
    input.cache = mirroredTips(*cacheRefs);
    if (!input.cache.isEmpty()) // a new cache's HEAD is libgit2's default, not a branch that changes
        input.cacheHeadTarget = git::headTargetOf(repository.get());

    bool downloaded = false; // a dry run downloads too (objects only), to tell fast-forwards from forces
    if (auto status = downloadMissing(connection, repository.get(), job, input.source, &downloaded); !status)
        return finish(status.error());
    connection.disconnect();

    // Phase "plan": pure, over the cache's objects.
    const git::AncestryReader cache(repository.get());
    result.plan = planPull(job.mirror, input, [&cache](const QString &a, const QString &d) { return cache.isAncestor(a, d); });
    result.warnings += result.plan.warnings;
    if (result.plan.failure)
        return finish(result.plan.failure);
    const std::optional<Error> diverged = divergedFailure(result.plan, input.sourceHeadTarget, result.warnings);
    if (options.dryRun)
        return finish(diverged);

    // Phase "apply": attic first, compare-and-swap, deletes before creates.
    *wroteRefs = true;
    AppliedRefs applied = applyRefPlan(repository.get(), result.plan.refs, QStringLiteral("cache"), options.startedAt,
                                       atticRunId(options.startedAt));
    result.refs = std::move(applied.refs);
    result.atticAdded = std::move(applied.atticAdded);
    // Phase "follow HEAD": the cache's HEAD follows the source's default branch.
    if (const QString warning = followSourceHead(repository.get(), input.sourceHeadTarget); !warning.isEmpty())
        result.warnings.append(warning);
    else if (!result.plan.headFrom.isEmpty())
        result.warnings.append(QStringLiteral("the default branch changed upstream: %1 → %2").arg(result.plan.headFrom.mid(11), result.plan.headTo.mid(11)));
    maintainAfterRun(repository.get(), job, options, *cacheRefs, downloaded, input.sourceHeadTarget, result);
    if (applied.anyFailed)
        return finish(Error{ErrorCategory::Rejected, QStringLiteral("some refs could not be written to the cache"), {}, 0, 0});
    return finish(diverged);
}

} // namespace

SyncResult runPullSync(const MirrorJob &job, const SyncOptions &givenOptions)
{
    SyncOptions options = givenOptions;
    options.relayCache = job.mirror.shape != Shape::Pull; // a relay cache follows its source exactly
    QElapsedTimer timer;
    timer.start();
    if (options.dryRun && !QFileInfo::exists(job.cachePath)) {
        SyncResult result = planWithoutCache(job, options, SyncResult{});
        result.outcome = result.error ? RunOutcome::Failed : RunOutcome::Ok;
        result.durationMs = timer.elapsed();
        return result;
    }
    // What was there before: a cache this run creates is removed again when the run fails
    // before writing a ref (every libgit2 object of the run is closed by then).
    const auto before = inspectCache(job.cachePath, job.mirror.name);
    bool wroteRefs = false;
    SyncResult result = syncIntoCache(job, options, timer, &wroteRefs);
    if (result.error && !wroteRefs && before && !options.dryRun)
        discardNewCache(job.cachePath, *before);
    return result;
}

} // namespace md
