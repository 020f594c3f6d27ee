#pragma once

#include "git/GitPtr.h"
#include "git/RefTip.h"
#include "git/RemoteCallbacks.h"
#include "git/TimeoutStream.h"

#include <QList>

#include <memory>

namespace md::git {

struct RemoteListing {
    QList<RefTip> refs;   // every advertised ref (HEAD and peeled lines folded in: RefTip::peeled)
    QString headTarget;   // HEAD's symref target when advertised
};

// One connection to one side, as every sync phase and the lister use it (DESIGN section 2): the
// remote, the callbacks (credentials for this host only, pinned SSH host keys, cancel, progress),
// the stream limits and the watchdog that enforces them, the proxy and the redirect policy
// (GIT_REMOTE_REDIRECT_NONE), and the mapping of failures to error values (a callback's own
// reason, a watchdog's timeout, libgit2's last error). Lives on one thread; owns everything.
class Connection {
public:
    Connection(RemoteAccess access, const StreamLimits &limits);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // Transfer samples (at most ten a second) on this thread.
    void setProgressSink(std::function<void(const RemoteCallbacks::Progress &)> sink);

    // Connects for fetching, over `repository` (nullptr: a detached remote, for listing only).
    Status connectForFetch(git_repository *repository);
    // The refs the remote advertised on connect.
    Result<RemoteListing> list();
    // Downloads the objects of these refspecs ("src:dst"); writes no ref.
    Status download(const QList<QByteArray> &refspecs);
    void disconnect();

    // Connects for pushing from `repository`; list() then gives the receive-pack advertisement,
    // which is the lease of the next push(): libgit2 sends each ref's advertised tip as its old
    // value, and the server refuses a ref that moved since.
    Status connectForPush(git_repository *repository);
    struct PushReport {
        QList<RemoteCallbacks::PushStatus> refs; // as the server reported them
        QString hostText;                       // the host's own words (sideband), scrubbed
    };
    // Pushes these refspecs ("+src:dst", ":dst") over the push connection. Fails only when the
    // push as a whole failed (connection, pack refused); per-ref refusals are in the report.
    Result<PushReport> push(const QList<QByteArray> &refspecs);

    const RemoteAccess &access() const { return m_access; }
    // The warning to show when the configured proxy cannot be used for this URL, else empty.
    QString proxyWarning() const;

private:
    Error failure(int code, const QString &what) const;
    Status connectFor(git_repository *repository, int direction);

    RemoteAccess m_access;
    StreamLimits m_limits;
    StreamLimitsScope m_scope;
    RemoteCallbacks m_callbacks;
    Watchdog m_watchdog;
    QByteArray m_proxyUrl;
    RemotePtr m_remote;
};

} // namespace md::git
