#pragma once

#include "util/Result.h"

#include <QString>

#include <QtGlobal>

#include <atomic>
#include <functional>
#include <memory>

namespace md::git {

// libgit2 1.5.1 has no connect or read timeout. MirrorDesk registers its own GIT_STREAM_STANDARD
// socket stream: non-blocking connect and poll-bounded reads and writes against the limits of the
// job running on this thread. HTTPS goes through it too (libgit2's TLS stream wraps it). The
// stream's layout starts like libgit2's own socket stream, so the SSH transport (which takes the
// socket straight from it) still works; SSH reads bypass the stream, which is why the job's
// watchdog shuts the socket down at the deadline (see shutdownThreadSockets()).
struct StreamLimits {
    int connectTimeoutMs = 30000;
    int stallTimeoutMs = 600000;
    qint64 deadlineMs = 0; // QDateTime::currentMSecsSinceEpoch() at which the run ends; 0: none
    const std::atomic<bool> *cancel = nullptr;
    bool streamEnforces = true; // false: only the watchdog enforces (how SSH behaves; for tests)
    // A server's ref advertisement is cut at these limits instead of growing without end: the
    // bytes received while connecting (the listing phase; counted by the stream, and over SSH,
    // which bypasses it, by the watchdog from the kernel's count on Linux), and the refs listed.
    qint64 maxListingBytes = 64 * 1024 * 1024;
    qsizetype maxListedRefs = 1000000;
};

// Applies limits to every stream this thread opens while it lives.
class StreamLimitsScope {
public:
    explicit StreamLimitsScope(const StreamLimits &limits);
    ~StreamLimitsScope();
    StreamLimitsScope(const StreamLimitsScope &) = delete;
    StreamLimitsScope &operator=(const StreamLimitsScope &) = delete;

    // Shuts down every socket opened under this scope (callable from another thread, e.g. a
    // watchdog at the deadline): blocked reads and writes return at once.
    void shutdownSockets();

    // The listing phase (connecting: the server sends its ref advertisement). While it lasts the
    // bytes received count against StreamLimits::maxListingBytes.
    void setListing(bool listing);
    bool listing() const;
    // Why the listing was cut ("the ref advertisement passed 64 MB; …"), or empty.
    QString listingCut() const;
    // Cuts the listing: records why and shuts the sockets down (callable from another thread).
    void cutListing(const QString &why);
    // Bytes the kernel received on this scope's sockets (Linux; -1 elsewhere): what the
    // watchdog counts for a transport that reads the socket itself (SSH).
    qint64 kernelBytesReceived() const;

    struct State; // internal to TimeoutStream.cpp

private:
    State *m_state;
};

// Enforces the stall timeout and the run deadline on a running transfer from outside it: every
// 100 ms it compares the clock with the deadline and with the callbacks' last progress, and at
// the limit shuts the scope's sockets down, so even a read libssh2 blocks in (SSH, which bypasses
// the stream) returns.
class Watchdog {
public:
    Watchdog(StreamLimitsScope &scope, const StreamLimits &limits, std::function<qint64()> lastProgressMs);
    ~Watchdog();
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

    // Why it fired ("stalled for 600 s", "run deadline reached"), or empty.
    QString firedReason() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Registers the stream with libgit2 (once, before any worker starts).
Status registerTimeoutStream();

} // namespace md::git
