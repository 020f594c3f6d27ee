#pragma once

#include "git/RefTip.h"
#include "mirror/Mirror.h"
#include "mirror/RunTypes.h"

#include <QList>

#include <functional>
#include <optional>

namespace md {


struct PlannedRef {
    QString ref;
    RefAction action = RefAction::UpToDate;
    QString oldOid; // the tip being replaced or deleted (kept in the attic when forced or deleted)
    QString newOid;
    QString reason;
    bool operator==(const PlannedRef &) const = default;
};

// Ancestry answers: true/false when known from local objects, nullopt when an oid is unknown.
using AncestryOracle = std::function<std::optional<bool>(const QString &ancestor, const QString &descendant)>;

struct PullPlanInput {
    QList<RefTip> source;      // as advertised by the source (HEAD and peeled lines may be included)
    QList<RefTip> cache;       // the cache's refs (refs/heads/*, refs/tags/*)
    QString sourceHeadTarget;  // the source's HEAD symref target, e.g. "refs/heads/main" (may be empty)
    QString cacheHeadTarget;   // the cache's HEAD symref target (empty: none yet)
    bool relayCache = false;   // a relay cache: always overwrite, always prune
    bool dryRun = false;       // warnings say what would happen ("would be kept in the attic")
    bool allowMassChange = false;
    bool allowEmptySource = false; // an empty source is followed (deleting every ref) instead of refused
    bool massChangeGuard = true;
};

struct RefPlan {
    QList<PlannedRef> refs;
    QStringList warnings;
    std::optional<Error> failure; // a guard: nothing may be written
    // The default branch changing: the cache's HEAD moves from `headFrom` to `headTo` (both
    // empty when HEAD stays; headFrom empty for a new cache).
    QString headFrom;
    QString headTo;

    int count(RefAction action) const;
    // Refs that change (create, fast_forward, force, delete).
    bool changesAnything() const;
};

// The pull rules of DESIGN section 3 as a pure function: the same inputs give the same plan.
RefPlan planPull(const Mirror &mirror, const PullPlanInput &input, const AncestryOracle &isAncestor);

// The push rules of DESIGN section 3 (GitLab's push mirrors, as Gitaly applies them) as a pure
// function: the cache's mirrored refs (what the source has, after the relay fetch) against the
// target's. A target ref that differs is fast-forwarded when its tip is an ancestor of the new
// one, else forced (old tip to the attic) — or, with keep_divergent_refs, `skip_diverged`. Target-
// only branches and tags go per `prune` (merged: when their tip is an ancestor of the source's
// default branch), never with keep_divergent_refs. Refs outside the filter are `filtered` on both
// sides; host-internal ones `rejected`. The guards apply as for pull.
struct PushPlanInput {
    QList<RefTip> source;      // the cache's refs (HEAD, peeled lines and host-internal refs may be included)
    QList<RefTip> target;      // as advertised by the target
    QString sourceHeadTarget;  // the source's default branch, e.g. "refs/heads/main"
    QString targetHeadTarget;  // the target's HEAD symref target when advertised
    bool dryRun = false;
    bool allowMassChange = false;
    bool allowEmptySource = false;
    bool massChangeGuard = true;
};
RefPlan planPush(const Mirror &mirror, const PushPlanInput &input, const AncestryOracle &isAncestor);

// The empty-source guard's refusal (category guard, detail {"guard": "empty_source"}).
Error emptySourceGuard(int cachedRefs);
// The mass-change guard's limit: max(10 refs, 20 % of the mirrored refs).
int massChangeLimit(int mirroredRefs);

} // namespace md
