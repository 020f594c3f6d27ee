#pragma once

#include "git/RemoteCallbacks.h"
#include "git/TimeoutStream.h"
#include "git/RefTip.h"

namespace md::git {

struct RemoteListing {
    QList<RefTip> refs;   // every advertised ref (HEAD and peeled lines included)
    QString headTarget;   // HEAD's symref target when advertised
};

// Connects to a remote and lists its refs without fetching objects (one round trip with
// libgit2 1.5's protocol v0). Cross-host redirects are refused. Runs on the calling thread under
// the given limits; every libgit2 object is freed before it returns.
Result<RemoteListing> listRemote(const RemoteAccess &access, const StreamLimits &limits);

// Lists the refs of a local repository (the cache) without network. A missing repository gives
// an empty list.
Result<QList<RefTip>> listLocalRefs(const QString &repositoryPath);
// The same over a repository the caller has open.
Result<QList<RefTip>> listLocalRefs(git_repository *repository);

// Whether `ancestor` is an ancestor of `descendant` in the repository at `path` (nullopt when
// either object is missing there).
class AncestryReader {
public:
    explicit AncestryReader(const QString &repositoryPath);
    // Over a repository the caller has open and keeps open while this reader lives.
    explicit AncestryReader(git_repository *borrowed);
    ~AncestryReader();
    AncestryReader(const AncestryReader &) = delete;
    AncestryReader &operator=(const AncestryReader &) = delete;

    std::optional<bool> isAncestor(const QString &ancestor, const QString &descendant) const;
    bool contains(const QString &oid) const;

private:
    git_repository *m_repository = nullptr;
    bool m_owned = true;
};

} // namespace md::git
