#pragma once

#include "git/Connection.h"

namespace md::git {

// Pushing with the `git` binary, as GitLab's Gitaly does: libgit2 1.5 recomputes every delta when
// it packs (an initial push of 100,000 commits took 16× `git push --mirror`), git reuses them.
// The plan, the lease and the results stay MirrorDesk's:
// - each ref goes as `src:dst` with `--force-with-lease=dst:<planned old tip>` (empty: must not
//   exist), so git forces it only while the target still has the planned tip (its own push
//   connection's advertisement) and refuses it as "stale info" otherwise — never a `+` refspec,
//   which would defeat the lease;
// - the secret reaches git only through a credential helper that reads a private pipe on fd 3
//   (platform::SecretPipe): never argv, the environment or disk; the user's and the system's git
//   config are ignored (no credential helper of theirs ever sees or stores it), GIT_* variables
//   are dropped, prompts are off, redirects refused;
// - SSH targets stay with libgit2, which holds the pinned host keys (canPushWithGit is false).
// Per-ref results come from `--porcelain`, the host's words from the "remote:" lines.

// Whether pushes to this side go through the git binary: a `git` on PATH, a git://, http(s)://
// or local target, a platform with secret pipes, and MIRRORDESK_PUSH_TRANSPORT not "libgit2".
bool canPushWithGit(const RemoteAccess &access);

// The ca_file setting for the git binary's HTTPS (-c http.sslCAInfo); empty: the system's.
void setGitCliCaFile(const QString &path);

struct LeasedRefspec {
    QString source;       // a ref of the pushing repository; empty: delete `ref`
    QString ref;          // on the target
    QString expectedOld;  // the lease; empty: `ref` must not exist there
};

// Pushes from the repository at `gitDir`; the run's limits apply (stall, deadline, cancel: the
// process is killed). Fails as a whole only when git reported no ref at all.
Result<Connection::PushReport> pushWithGit(const QString &gitDir, const RemoteAccess &access, const StreamLimits &limits,
                                           const QList<LeasedRefspec> &refspecs);

// Downloads the objects of `refs` (full names, no destination: no ref, no FETCH_HEAD written)
// from a local repository `source` into the repository at `gitDir` with the git binary, whose
// upload-pack reuses the source's deltas (libgit2 1.5's local transport repacks every object).
// Reads the source only. Returns an empty string, or the error.
Result<QString> fetchWithGit(const QString &gitDir, const QString &source, const QString &displayUrl, const StreamLimits &limits,
                             const QStringList &refs);
// Whether fetchWithGit serves this source: a local path, a git binary, and
// MIRRORDESK_PUSH_TRANSPORT not "libgit2".
bool canFetchWithGit(const RemoteAccess &access);

// The porcelain output and stderr of a finished `git push` as a report (exposed for tests).
Result<Connection::PushReport> parseGitPush(const QByteArray &out, const QByteArray &err, const QString &displayUrl);

} // namespace md::git
