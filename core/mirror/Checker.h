#pragma once

#include "git/RemoteLister.h"
#include "mirror/Config.h"
#include "mirror/RefFilter.h"
#include "mirror/StatusRecord.h"

namespace md {

// Everything one Check needs, resolved on the main thread (secrets included) before it runs on a
// pool thread. Value type: no libgit2 object crosses threads.
struct CheckJob {
    Mirror mirror;
    QString cachePath;
    git::RemoteAccess source;
    std::optional<git::RemoteAccess> target;
    git::StreamLimits limits;
};

// Builds the access to one side of a mirror: credentials stripped from the URL, the secret read
// from its env:/file: source, the host's pinned keys, the proxy.
Result<git::RemoteAccess> resolveAccess(const Config &config, const Endpoint &endpoint);

// Builds a CheckJob for a mirror (errors: a credential that cannot be read, a bad URL).
Result<CheckJob> makeCheckJob(const Config &config, const Mirror &mirror);

// SHA-256 over the sorted "refname oid" lines of the mirrored ref set (no HEAD, no peeled lines).
QString refFingerprint(const QList<RefTip> &refs, const RefFilter &filter);

// Lists both sides without fetching objects and says in_sync / behind / diverged (only when
// provable from the cache's objects) / unreachable (with the error category) / empty.
// Runs on the calling thread.
CheckRecord runCheck(const CheckJob &job);

} // namespace md
