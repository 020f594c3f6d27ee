#include "mirror/RefPlan.h"

#include "mirror/RefFilter.h"
#include "util/EnumNames.h"

#include <QMap>
#include <QSet>

#include <algorithm>

namespace md {

namespace {


bool isTag(const QString &ref) { return ref.startsWith(QLatin1String("refs/tags/")); }

QString shortName(const QString &ref)
{
    if (ref.startsWith(QLatin1String("refs/heads/")))
        return ref.mid(11);
    if (ref.startsWith(QLatin1String("refs/tags/")))
        return ref.mid(10);
    return ref;
}

QString commitOf(const RefTip &tip) { return tip.peeled.isEmpty() ? tip.oid : tip.peeled; }

} // namespace


int RefPlan::count(RefAction action) const
{
    return static_cast<int>(std::count_if(refs.begin(), refs.end(), [action](const PlannedRef &r) { return r.action == action; }));
}

bool RefPlan::changesAnything() const
{
    return std::any_of(refs.begin(), refs.end(), [](const PlannedRef &r) {
        return r.action == RefAction::Create || r.action == RefAction::FastForward || r.action == RefAction::Force
            || r.action == RefAction::Delete;
    });
}

int massChangeLimit(int mirroredRefs)
{
    return std::max(10, mirroredRefs / 5);
}

namespace {

using RefMap = QMap<QString, RefTip>; // sorted by name: plans are stable

// The advertised refs the filter mirrors; the others are planned as filtered or rejected.
RefMap classifySource(const RefFilter &filter, const QList<RefTip> &advertised, RefPlan &plan)
{
    RefMap source;
    for (const RefTip &tip : advertised) {
        QString reason;
        switch (filter.classify(tip.name, &reason)) {
        case RefFilter::Verdict::Mirrored:
            source.insert(tip.name, tip);
            break;
        case RefFilter::Verdict::Filtered:
            plan.refs.append({tip.name, RefAction::Filtered, QString(), tip.oid, reason});
            break;
        case RefFilter::Verdict::Rejected:
            if (!tip.name.endsWith(QLatin1String("^{}")))
                plan.refs.append({tip.name, RefAction::Rejected, QString(), tip.oid, reason});
            break;
        }
    }
    return source;
}

// mirror_tags=reachable: a tag is mirrored when its commit is reachable from a mirrored branch.
void dropUnreachableTags(RefMap &source, RefMap &cache, const AncestryOracle &isAncestor, RefPlan &plan)
{
    QStringList branchTips;
    for (const RefTip &tip : source) {
        if (!isTag(tip.name))
            branchTips.append(tip.oid);
    }
    for (auto it = source.begin(); it != source.end();) {
        const bool reachable = !isTag(it->name) || std::any_of(branchTips.begin(), branchTips.end(), [&](const QString &tip) {
            return commitOf(*it) == tip || isAncestor(commitOf(*it), tip).value_or(false);
        });
        if (reachable) {
            ++it;
            continue;
        }
        plan.refs.append({it->name, RefAction::Filtered, QString(), it->oid,
                          QStringLiteral("not reachable from a mirrored branch (mirror_tags=reachable)")});
        cache.remove(it->name); // never deleted from the cache for being unreachable
        it = source.erase(it);
    }
}

// A ref the source advertises: create, up to date, fast-forward, force or skip.
// "kept in the attic", or for a plan shown before anything runs, "would be kept in the attic".
QString keptText(bool dryRun)
{
    return dryRun ? QStringLiteral("would be kept in the attic") : QStringLiteral("kept in the attic");
}

void planAdvertised(const RefTip &tip, const RefMap &cache, bool overwrite, const PullPlanInput &input, const AncestryOracle &isAncestor,
                    RefPlan &plan)
{
    const auto cached = cache.constFind(tip.name);
    if (cached == cache.constEnd()) {
        plan.refs.append({tip.name, RefAction::Create, QString(), tip.oid, QString()});
        return;
    }
    if (cached->oid == tip.oid) {
        plan.refs.append({tip.name, RefAction::UpToDate, tip.oid, tip.oid, QString()});
        return;
    }
    if (isTag(tip.name)) {
        // Attic reasons are plain words in one style: "tag moved upstream", "rewritten upstream", "gone upstream".
        plan.refs.append({tip.name, RefAction::Force, cached->oid, tip.oid, QStringLiteral("tag moved upstream")});
        plan.warnings.append(QStringLiteral("tag %1 was moved upstream; the old tag %2").arg(shortName(tip.name), keptText(input.dryRun)));
        return;
    }
    if (isAncestor(cached->oid, tip.oid).value_or(false)) {
        plan.refs.append({tip.name, RefAction::FastForward, cached->oid, tip.oid, QString()});
        return;
    }
    if (overwrite) {
        plan.refs.append({tip.name, RefAction::Force, cached->oid, tip.oid, QStringLiteral("rewritten upstream")});
        if (!input.relayCache)
            plan.warnings.append(QStringLiteral("%1 was rewritten upstream; old tip %2").arg(shortName(tip.name), keptText(input.dryRun)));
        return;
    }
    // Reported and skipped; the sync fails the run when this is the default branch.
    plan.refs.append({tip.name, RefAction::SkipDiverged, cached->oid, tip.oid,
                      QStringLiteral("diverged upstream (mirror_overwrites_diverged_branches is off)")});
}

// A ref the cache has and the source no longer advertises: deleted or kept per `prune`.
void planGone(const RefTip &tip, PrunePolicy prune, const QString &defaultTip, const AncestryOracle &isAncestor, RefPlan &plan)
{
    bool remove = false;
    QString reason = QStringLiteral("gone upstream");
    switch (prune) {
    case PrunePolicy::All:
        remove = true;
        break;
    case PrunePolicy::Merged:
        remove = !defaultTip.isEmpty() && isAncestor(commitOf(tip), defaultTip).value_or(false);
        if (!remove)
            reason = QStringLiteral("gone upstream; kept (not merged into the default branch)");
        break;
    case PrunePolicy::None:
        reason = QStringLiteral("gone upstream; kept (prune=none)");
        break;
    }
    plan.refs.append({tip.name, remove ? RefAction::Delete : RefAction::UpToDate, tip.oid, remove ? QString() : tip.oid, reason});
}

} // namespace

Error emptySourceGuard(int cachedRefs)
{
    Error error{ErrorCategory::Guard,
                QStringLiteral("the source advertises no branches or tags while the mirror has %1; refusing to mirror that "
                               "as \"delete everything\" (the empty-source guard)").arg(cachedRefs),
                {}, 0, 0};
    error.detail.insert(QStringLiteral("guard"), QStringLiteral("empty_source"));
    return error;
}

namespace {

struct GuardOptions {
    bool allowEmptySource = false;
    bool massChangeGuard = true;
    bool allowMassChange = false;
};

// The guards: an empty source never means "delete everything"; a mass change needs consent.
void applyGuards(const RefMap &source, const RefMap &other, const GuardOptions &options, RefPlan &plan)
{
    if (source.isEmpty() && !other.isEmpty()) {
        if (options.allowEmptySource)
            return; // asked for: an intentional wipe, every old tip kept in the attic
        plan.failure = emptySourceGuard(static_cast<int>(other.size()));
    }
    const int destructive = plan.count(RefAction::Delete) + plan.count(RefAction::Force);
    const int mirrored = static_cast<int>(std::max(source.size(), other.size()));
    if (!plan.failure && options.massChangeGuard && !options.allowMassChange && destructive > massChangeLimit(mirrored)) {
        plan.failure = Error{ErrorCategory::Guard,
                             QStringLiteral("this run would delete or force %1 of %2 refs (more than %3); run with "
                                            "--allow-mass-change if that is intended")
                                 .arg(destructive).arg(mirrored).arg(massChangeLimit(mirrored)),
                             {}, 0, 0};
        // The structured detail lets a front end ask for consent in its own words.
        plan.failure->detail.insert(QStringLiteral("guard"), QStringLiteral("mass_change"));
        plan.failure->detail.insert(QStringLiteral("destructive"), destructive);
        plan.failure->detail.insert(QStringLiteral("mirrored"), mirrored);
        plan.failure->detail.insert(QStringLiteral("limit"), massChangeLimit(mirrored));
    }
}

void sortPlan(RefPlan &plan)
{
    std::stable_sort(plan.refs.begin(), plan.refs.end(), [](const PlannedRef &a, const PlannedRef &b) { return a.ref < b.ref; });
}

// Push rules: a ref both sides have that differs.
void planPushDiffering(const RefTip &tip, const RefTip &target, bool keepDivergent, const AncestryOracle &isAncestor, RefPlan &plan)
{
    if (isTag(tip.name)) {
        if (keepDivergent)
            plan.refs.append({tip.name, RefAction::SkipDiverged, target.oid, tip.oid,
                              QStringLiteral("the tag differs on the target (keep_divergent_refs)")});
        else
            plan.refs.append({tip.name, RefAction::Force, target.oid, tip.oid, QStringLiteral("tag differs on the target")});
        return;
    }
    const std::optional<bool> forward = isAncestor(target.oid, tip.oid);
    if (forward.value_or(false)) {
        plan.refs.append({tip.name, RefAction::FastForward, target.oid, tip.oid, QString()});
        return;
    }
    const QString why = forward.has_value() ? QStringLiteral("diverged on the target")
                                            : QStringLiteral("diverged on the target (its tip is not in the cache)");
    if (keepDivergent)
        plan.refs.append({tip.name, RefAction::SkipDiverged, target.oid, tip.oid, why + QStringLiteral(" (keep_divergent_refs)")});
    else
        plan.refs.append({tip.name, RefAction::Force, target.oid, tip.oid, why});
}

// Push rules: a branch or tag only the target has.
void planTargetOnly(const RefTip &tip, const Mirror &mirror, PrunePolicy prune, const QString &defaultTip, const AncestryOracle &isAncestor,
                    RefPlan &plan)
{
    if (mirror.keepDivergentRefs) {
        plan.refs.append({tip.name, RefAction::UpToDate, tip.oid, tip.oid, QStringLiteral("only on the target; kept (keep_divergent_refs)")});
        return;
    }
    bool remove = false;
    QString reason = QStringLiteral("only on the target (prune=all)");
    switch (prune) {
    case PrunePolicy::All:
        remove = true;
        break;
    case PrunePolicy::Merged:
        remove = !defaultTip.isEmpty() && (commitOf(tip) == defaultTip || isAncestor(commitOf(tip), defaultTip).value_or(false));
        reason = remove ? QStringLiteral("only on the target; merged into the default branch")
                        : QStringLiteral("only on the target; kept (not merged into the default branch)");
        break;
    case PrunePolicy::None:
        reason = QStringLiteral("only on the target; kept (prune=none)");
        break;
    }
    plan.refs.append({tip.name, remove ? RefAction::Delete : RefAction::UpToDate, tip.oid, remove ? QString() : tip.oid, reason});
}

} // namespace

RefPlan planPush(const Mirror &mirror, const PushPlanInput &input, const AncestryOracle &isAncestor)
{
    const RefFilter filter(mirror);
    RefPlan plan;
    QList<RefTip> advertised;
    for (const RefTip &tip : input.source) {
        if (!tip.name.startsWith(QLatin1String("refs/mirrordesk/"))) // the attic is the cache's own
            advertised.append(tip);
    }
    RefMap source = classifySource(filter, advertised, plan);
    RefMap target;
    for (const RefTip &tip : input.target) {
        QString reason;
        const RefFilter::Verdict verdict = filter.classify(tip.name, &reason);
        if (verdict == RefFilter::Verdict::Mirrored)
            target.insert(tip.name, tip);
        else if (verdict == RefFilter::Verdict::Filtered && !source.contains(tip.name)
                 && std::none_of(plan.refs.begin(), plan.refs.end(), [&](const PlannedRef &p) { return p.ref == tip.name; }))
            plan.refs.append({tip.name, RefAction::Filtered, tip.oid, tip.oid, reason + QStringLiteral("; not touched on the target")});
        // The target's host-internal refs (refs/merge-requests/*, …) are the host's own: not planned.
    }
    if (mirror.mirrorTags == TagPolicy::Reachable)
        dropUnreachableTags(source, target, isAncestor, plan);
    for (const RefTip &tip : source) {
        const auto there = target.constFind(tip.name);
        if (there == target.constEnd())
            plan.refs.append({tip.name, RefAction::Create, QString(), tip.oid, QString()});
        else if (there->oid == tip.oid)
            plan.refs.append({tip.name, RefAction::UpToDate, tip.oid, tip.oid, QString()});
        else
            planPushDiffering(tip, *there, mirror.keepDivergentRefs, isAncestor, plan);
    }
    const QString defaultTip = source.contains(input.sourceHeadTarget) ? commitOf(source.value(input.sourceHeadTarget)) : QString();
    // A source emptied on purpose (--allow-empty-source) is followed: every target-only ref goes.
    const PrunePolicy prune = source.isEmpty() && input.allowEmptySource ? PrunePolicy::All : mirror.effectivePrune();
    for (const RefTip &tip : target) {
        if (!source.contains(tip.name))
            planTargetOnly(tip, mirror, prune, defaultTip, isAncestor, plan);
    }
    // The empty-source guard stops "delete everything"; a plan that deletes nothing (prune merged or
    // none without a default branch, keep_divergent_refs) needs no consent.
    const RefMap guardedTarget = plan.count(RefAction::Delete) > 0 ? target : RefMap();
    applyGuards(source, source.isEmpty() ? guardedTarget : target,
                GuardOptions{input.allowEmptySource, input.massChangeGuard, input.allowMassChange}, plan);
    if (!input.sourceHeadTarget.isEmpty() && !input.targetHeadTarget.isEmpty() && input.sourceHeadTarget != input.targetHeadTarget
        && source.contains(input.sourceHeadTarget))
        plan.warnings.append(QStringLiteral("the target's default branch is %1, the source's %2 (a push cannot change it: "
                                            "set it on the target host)").arg(shortName(input.targetHeadTarget), shortName(input.sourceHeadTarget)));
    sortPlan(plan);
    return plan;
}

RefPlan planPull(const Mirror &mirror, const PullPlanInput &input, const AncestryOracle &isAncestor)
{
    const RefFilter filter(mirror);
    const bool overwrite = input.relayCache || mirror.mirrorOverwritesDivergedBranches;
    const PrunePolicy prune = input.relayCache ? PrunePolicy::All : mirror.effectivePrune();
    RefPlan plan;
    RefMap source = classifySource(filter, input.source, plan);
    RefMap cache;
    for (const RefTip &tip : input.cache) {
        if (filter.classify(tip.name) == RefFilter::Verdict::Mirrored)
            cache.insert(tip.name, tip);
    }
    if (mirror.mirrorTags == TagPolicy::Reachable)
        dropUnreachableTags(source, cache, isAncestor, plan);
    for (const RefTip &tip : source)
        planAdvertised(tip, cache, overwrite, input, isAncestor, plan);
    const QString defaultTip = source.value(input.sourceHeadTarget).oid;
    for (const RefTip &tip : cache) {
        if (!source.contains(tip.name))
            planGone(tip, prune, defaultTip, isAncestor, plan);
    }
    applyGuards(source, cache, GuardOptions{input.allowEmptySource, input.massChangeGuard, input.allowMassChange}, plan);
    // The cache's HEAD follows the source's default branch when that branch is mirrored.
    if (!input.sourceHeadTarget.isEmpty() && input.sourceHeadTarget != input.cacheHeadTarget && source.contains(input.sourceHeadTarget)) {
        plan.headFrom = input.cacheHeadTarget;
        plan.headTo = input.sourceHeadTarget;
    }
    sortPlan(plan);
    return plan;
}

} // namespace md
