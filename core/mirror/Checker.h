#pragma once

#include "git/RemoteLister.h"
#include "mirror/Config.h"
#include "mirror/RefFilter.h"
#include "mirror/StatusRecord.h"

#include <QHash>

namespace md {

// Everything one check or update of a mirror needs, resolved on the event-loop thread (secrets
// included) before it runs on a pool thread. Value type: no libgit2 object crosses threads.
struct MirrorJob {
    Mirror mirror;
    QString cachePath;
    git::RemoteAccess source;
    std::optional<git::RemoteAccess> target;
    git::StreamLimits limits;
};

// Secrets read during one batch's preparation, by credential name: each credential is read once
// per batch, however many mirrors use it.
using SecretCache = QHash<QString, Result<QByteArray>>;

// Builds the access to one side of a mirror: credentials stripped from the URL, the secret read
// from its env:/file: source (through `secrets` when given), the host-key rule over the host's
// pins, the proxy.
Result<git::RemoteAccess> resolveAccess(const Config &config, const Endpoint &endpoint, SecretCache *secrets = nullptr);

// Builds a MirrorJob for a mirror (errors: a credential that cannot be read, a bad URL).
Result<MirrorJob> makeMirrorJob(const Config &config, const Mirror &mirror, SecretCache *secrets = nullptr);

// SHA-256 over the sorted "refname oid" lines of the mirrored ref set (no HEAD, no peeled lines).
QString refFingerprint(const QList<RefTip> &refs, const RefFilter &filter);

// A check moves no objects, so it is bounded far tighter than a transfer: its stall timeout and
// its whole-check deadline (from now) are `timeoutSeconds` (check --timeout), by default
// kDefaultCheckTimeoutSeconds; the settings' stall_timeout still applies when it is shorter.
constexpr int kDefaultCheckTimeoutSeconds = 30;
git::StreamLimits checkLimits(git::StreamLimits limits, int timeoutSeconds = 0);

// Lists both sides without fetching objects and says in_sync / behind / diverged (only when
// provable from the cache's objects) / unreachable (with the error category) / empty.
// Runs on the calling thread.
CheckRecord runCheck(const MirrorJob &job);

} // namespace md
