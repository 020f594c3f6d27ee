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
    bool relayCache = false;   // a relay cache: always overwrite, always prune
    bool allowMassChange = false;
    bool massChangeGuard = true;
};

struct RefPlan {
    QList<PlannedRef> refs;
    QStringList warnings;
    std::optional<Error> failure; // a guard: nothing may be written

    int count(RefAction action) const;
    // Refs that change (create, fast_forward, force, delete).
    bool changesAnything() const;
};

// The pull rules of DESIGN section 3 as a pure function: the same inputs give the same plan.
RefPlan planPull(const Mirror &mirror, const PullPlanInput &input, const AncestryOracle &isAncestor);

// The mass-change guard's limit: max(10 refs, 20 % of the mirrored refs).
int massChangeLimit(int mirroredRefs);

} // namespace md
