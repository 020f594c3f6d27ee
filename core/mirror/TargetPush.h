#pragma once

#include "git/GitPtr.h"
#include "mirror/Attic.h"
#include "mirror/Checker.h"
#include "mirror/RefPlan.h"
#include "mirror/StatusRecord.h"

namespace md {

// The target half of a relay or push mirror (DESIGN section 3, push rules), on the calling thread
// over the cache the caller has open and locked.

// One ref to push: `source` is the cache ref whose tip goes to `ref` on the target (empty: delete
// `ref`); `expectedOld` is the tip the plan saw there (empty: the ref must not exist). The lease:
// each batch compares it with its own push connection's advertisement, and a ref that moved is
// refused, never overwritten.
struct PushItem {
    QString ref;
    QString source;
    QString expectedOld;
    QString newOid;
    RefAction action = RefAction::Create;
    QString reason;
};

struct TargetPushOutcome {
    QList<RefResult> refs;      // one per item (side target), in the order decided
    QStringList hostText;       // the host's own words, per batch that said something
    std::optional<Error> error; // the push as a whole failed (connection, auth, pack refused)
    int connections = 0;        // push connections opened (batches, splits)
};

// Pushes the items in batches: on an empty target the default branch `firstAlone` goes alone
// first (forges make the first branch pushed the default), then deletes, then the rest, at most
// kPushBatch refs per push. A batch the target refuses whole (a pre-receive hook: GitLab's
// protected branches) is split and retried until the refusing refs are isolated.
inline constexpr int kPushBatch = 1000;
TargetPushOutcome pushToTarget(git_repository *cache, const MirrorJob &job, const QList<PushItem> &items, const QString &firstAlone);

// Keeps the target's old tip of every forced or deleted ref in the cache's attic (side target),
// fetching by name from the target what the cache lacks. Refs whose tip could not be kept are
// returned as refused results (they must not be pushed); the others' entries go to `atticAdded`.
QList<RefResult> keepTargetTips(git_repository *cache, const MirrorJob &job, const QList<PlannedRef> &plan,
                                const QDateTime &startedAt, const QString &run, QList<AtticEntry> &atticAdded);

// What a refusing host's words mean: protected (a protected branch) or rejected, with a hint for
// the forge messages MirrorDesk knows (protected branch, push size limit, secret scanning, LFS
// objects missing); empty hint for others.
struct HostRefusal {
    ErrorCategory category = ErrorCategory::Rejected;
    QString hint;
};
HostRefusal classifyHostRefusal(const QString &text);

// The run's error after a push: refused refs (protected / rejected, with the host's words and a
// hint) and refs left diverged (keep_divergent_refs: "some refs have diverged: …"); nullopt when
// every ref landed.
std::optional<Error> targetPushError(const QList<RefResult> &refs, const QStringList &hostText);

} // namespace md
