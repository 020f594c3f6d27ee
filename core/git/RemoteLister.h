#pragma once

#include "git/Connection.h"

namespace md::git {

// Connects to a remote and lists its refs without fetching objects (one round trip with
// libgit2 1.5's protocol v0). Cross-host redirects are refused. Runs on the calling thread under
// the given limits; every libgit2 object is freed before it returns.
Result<RemoteListing> listRemote(const RemoteAccess &access, const StreamLimits &limits);

// Opens a bare repository (the cache) for reading; a missing path gives a null pointer, not an error.
Result<RepositoryPtr> openCache(const QString &repositoryPath);
// The refs a mirror moves (HEAD, refs/heads/*, refs/tags/*): over protocol v2 where the server
// speaks it (git://, http(s)://: the thousands of refs/pull/* a forge keeps are never sent), else
// libgit2's full v0 listing. A v2 answer naming a ref git refuses falls back too, so such a name
// is refused ref by ref as the v0 path does. `usedV2` tells which answered.
Result<RemoteListing> listMirroredRefs(const RemoteAccess &access, const StreamLimits &limits, bool *usedV2 = nullptr);
// Lists the refs of a local repository (the cache) without network. A missing repository gives
// an empty list.
Result<QList<RefTip>> listLocalRefs(const QString &repositoryPath);
// The same over a repository the caller has open.
Result<QList<RefTip>> listLocalRefs(git_repository *repository);

// The target of a repository's symbolic HEAD ("refs/heads/main"), or empty (detached, missing,
// not a repository).
QString headTargetOf(git_repository *repository);
QString headTargetOf(const QString &repositoryPath);
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
    RepositoryPtr m_owned;                  // set when this reader opened the repository
    git_repository *m_repository = nullptr; // m_owned's, or the borrowed one
};

} // namespace md::git
