#pragma once

#include "mirror/PullSync.h"
#include "mirror/RefWriter.h"

namespace md {

// One sync of a relay or push mirror (DESIGN section 3), on the calling thread, the cache lock
// held by the caller. Two halves over the same phases:
// 1. the cache follows the source exactly (runPullSync with relay-cache rules: the filtered set
//    plus tags, always overwritten, always pruned, every old tip in the attic); a push mirror's
//    source is a local repository, read and never written;
// 2. the target: listed, planned with the push rules (planPush), every forced or deleted target
//    tip kept in the cache's attic (fetched by name when the cache lacks it), then pushed in
//    batches under a lease (pushToTarget).
// A dry run plans both halves and writes nothing (the cache half may download objects). The
// result's refs carry their side (cache, target); the target half's plan is result.plan.
SyncResult runRelaySync(const MirrorJob &job, const SyncOptions &options);

// Restores a target-side attic entry: pushes the kept tip back into `targetRef` on the target
// (a branch or tag), under a lease; a different tip there is kept in the attic first. The caller
// holds the cache lock. `alreadyThere` when the target already has it.
Result<RestoreResult> restoreTargetEntry(const MirrorJob &job, const AtticEntry &entry, const QString &targetRef);

// The cache half's would-be refs after its plan: for a dry run, what the push half plans from.
QList<RefTip> refsAfterPlan(const RefPlan &plan);

} // namespace md
