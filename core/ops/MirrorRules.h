#pragma once

#include "mirror/Mirror.h"
#include "mirror/Settings.h"

#include <QList>

namespace md {

// The rules one mirror's options add up to (DESIGN section 3: pull rules, push rules, safety),
// with every default applied, as data: a front end puts each into words (the window's mirror
// editor shows them as the user changes the options). One entry per aspect, in this order:
// how refs flow, which branches, which tags, what a diverged ref does, what a deleted ref does,
// the schedule, manual updates, the attic, the mass-change guard.
enum class MirrorRuleKind {
    // Flow (by shape).
    PullIntoCache,       // fetched from the source into the cache; the cache is the mirror
    RelayThroughCache,   // fetched into the cache (which follows the source exactly), pushed to the target
    PushFromLocal,       // the local repository is read (never written), pushed to the target
    // Branches.
    AllBranches,
    ProtectedBranchesOnly, // `items`: the patterns
    BranchesMatchingRegex, // `text`: the regex (unanchored, on the short name)
    // Tags (mirror_tags).
    AllTags,
    ReachableTags,
    NoTags,
    // A diverged ref.
    DivergedForced,        // pull: a branch rewritten upstream is forced, its old tip kept in the attic
    DivergedSkipped,       // pull: reported and skipped; a diverged default branch fails the run
    TargetDivergedSkipped, // relay/push, keep_divergent_refs: skipped and named, the run fails, the rest updated
    TargetOverwritten,     // relay/push: a differing target ref is updated, its old tip kept in the attic
    // A ref deleted at the source (pull) or found only on the target (relay/push).
    GoneRemoved,           // pull, prune all: moved to the attic, then removed
    GoneRemovedIfMerged,   // pull, prune merged: removed (attic first) when merged into the default branch
    GoneKept,              // pull, prune none
    TargetOnlyRemoved,     // relay/push, prune all: deleted on the target, its tip kept in the attic
    TargetOnlyRemovedIfMerged,
    TargetOnlyKept,        // relay/push, prune none
    TargetNothingDeleted,  // relay/push, keep_divergent_refs: nothing is ever deleted on the target
    // Schedule.
    Scheduled,             // `number`: minutes; `isDefault`: the settings' default interval
    NotScheduled,          // disabled: only a manual update runs it
    ManualInterval,        // `number`: least seconds between two manual updates (0: no limit)
    // Safety.
    AtticRetention,        // `number`: days (the last 5 entries per ref are always kept)
    MassChangeGuard,       // a run deleting or forcing more than max(10, 20 %) of the refs asks first
    NoMassChangeGuard,
};

struct MirrorRule {
    MirrorRuleKind kind = MirrorRuleKind::PullIntoCache;
    int number = 0;
    QString text = {};
    QStringList items = {};
    bool isDefault = false; // the value comes from a default, not from the mirror's own option
};

QList<MirrorRule> describeRules(const Mirror &mirror, const Settings &settings);

} // namespace md
