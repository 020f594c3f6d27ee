#pragma once

#include "git/GitPtr.h"
#include "mirror/Attic.h"
#include "mirror/RefPlan.h"
#include "mirror/StatusRecord.h"

namespace md {

// The "apply the plan" phase of a sync (DESIGN section 3, crash safety), shared by pull, attic
// restore and, later, the target side: for every ref forced or deleted its old tip goes to the
// attic first, then a compare-and-swap update (git_reference_create_matching with the expected
// old oid) or delete; deletes before creates. The caller holds the cache lock.
struct AppliedRefs {
    QList<RefResult> refs;           // one per planned ref, in the order applied
    QList<AtticEntry> atticAdded;    // old tips kept (for the attic index)
    bool anyFailed = false;          // some ref could not be written (its result says why)
};

// The run id that names a run's attic entries (base 36 of the start's milliseconds).
QString atticRunId(const QDateTime &startedAt, const QString &prefix = {});

// Keeps `oid` as the old tip of `ref` in the attic (side cache or target): the attic ref only.
Result<AtticEntry> keepTipInAttic(git_repository *repository, const QString &ref, const git_oid &oid, const QString &why,
                                  const QString &side, const QDateTime &startedAt, const QString &run);

AppliedRefs applyRefPlan(git_repository *repository, const QList<PlannedRef> &plan, const QString &side,
                         const QDateTime &startedAt, const QString &run);

// Points the repository's HEAD at `headTarget` when that ref exists and HEAD is elsewhere (a
// no-op rewrites nothing). Returns a warning, or an empty string.
QString followSourceHead(git_repository *repository, const QString &headTarget);

// Whether attic restore may write `ref`: a valid full ref name under refs/, outside refs/mirrordesk/.
bool isRestorableRefName(const QString &ref);

// Restores an attic entry's tip into `targetRef` of the cache at `cachePath` (the caller holds
// the cache lock): a ref there with another tip is kept in the attic first, then replaced with a
// compare-and-swap. `alreadyThere` when the ref already points at the entry's oid.
struct RestoreResult {
    bool alreadyThere = false;
    QList<AtticEntry> atticAdded;
};
Result<RestoreResult> restoreAtticEntry(const QString &cachePath, const QString &owner, const AtticEntry &entry, const QString &targetRef);

} // namespace md
