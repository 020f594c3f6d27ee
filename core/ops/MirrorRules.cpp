#include "ops/MirrorRules.h"

namespace md {

QList<MirrorRule> describeRules(const Mirror &mirror, const Settings &settings)
{
    using K = MirrorRuleKind;
    QList<MirrorRule> rules;
    const bool pull = mirror.shape == Shape::Pull;
    switch (mirror.shape) {
    case Shape::Pull: rules.append({K::PullIntoCache}); break;
    case Shape::Relay: rules.append({K::RelayThroughCache}); break;
    case Shape::Push: rules.append({K::PushFromLocal}); break;
    }

    // The filter as RefFilter applies it: only_protected_branches wins (a regex with it is refused).
    if (mirror.onlyProtectedBranches)
        rules.append({K::ProtectedBranchesOnly, 0, {}, mirror.protectedBranches});
    else if (!mirror.mirrorBranchRegex.isEmpty())
        rules.append({K::BranchesMatchingRegex, 0, mirror.mirrorBranchRegex});
    else
        rules.append({K::AllBranches});

    switch (mirror.mirrorTags) {
    case TagPolicy::All: rules.append({K::AllTags}); break;
    case TagPolicy::Reachable: rules.append({K::ReachableTags}); break;
    case TagPolicy::None: rules.append({K::NoTags}); break;
    }

    if (pull)
        rules.append({mirror.mirrorOverwritesDivergedBranches ? K::DivergedForced : K::DivergedSkipped});
    else
        rules.append({mirror.keepDivergentRefs ? K::TargetDivergedSkipped : K::TargetOverwritten});

    MirrorRule gone;
    gone.isDefault = !mirror.prune.has_value();
    const PrunePolicy prune = mirror.effectivePrune();
    if (!pull && mirror.keepDivergentRefs) {
        gone.kind = K::TargetNothingDeleted;
    } else {
        switch (prune) {
        case PrunePolicy::All: gone.kind = pull ? K::GoneRemoved : K::TargetOnlyRemoved; break;
        case PrunePolicy::Merged: gone.kind = pull ? K::GoneRemovedIfMerged : K::TargetOnlyRemovedIfMerged; break;
        case PrunePolicy::None: gone.kind = pull ? K::GoneKept : K::TargetOnlyKept; break;
        }
    }
    rules.append(gone);

    if (mirror.enabled) {
        rules.append({K::Scheduled, mirror.effectiveIntervalMinutes(settings.defaultIntervalMinutes), {}, {},
                      !mirror.intervalMinutes.has_value()});
    } else {
        rules.append({K::NotScheduled});
    }
    rules.append({K::ManualInterval, mirror.minUpdateIntervalSeconds});
    rules.append({K::AtticRetention, settings.atticRetentionDays});
    rules.append({settings.massChangeGuard ? K::MassChangeGuard : K::NoMassChangeGuard});
    return rules;
}

} // namespace md
