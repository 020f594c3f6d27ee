#include "git/TimeoutStream.h"

#include <QDateTime>

#include <git2.h>
#include <git2/sys/stream.h>

#include <cstddef>
#include <cstring>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <netdb.h>
#ifdef Q_OS_LINUX
#include <linux/tcp.h> // TCP_INFO's tcpi_bytes_received
#endif
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#endif

#if LIBGIT2_VER_MAJOR != 1 || LIBGIT2_VER_MINOR != 5
#error "TimeoutStream mirrors libgit2 1.5's socket stream layout; check it against this libgit2 version"
#endif

namespace md::git {

struct StreamLimitsScope::State {
    StreamLimits limits;
    mutable std::mutex mutex;
    std::vector<int> sockets;
    State *previous;
    std::atomic<bool> listing{false};
    std::atomic<qint64> listingBytes{0}; // read through the stream during the listing
    QString cut;                         // why the listing was cut (under the mutex)
};

namespace {

thread_local StreamLimitsScope::State *t_scope = nullptr;

constexpr int kPollSliceMs = 200; // how often a blocked call looks at the cancel flag

// Must start exactly like libgit2 1.5's git_socket_stream: the SSH transport reads `s` from it.
struct TimeoutSocket {
    git_stream parent;
    char *host;
    char *port;
    int s;
    // ours from here on
    StreamLimitsScope::State *scope;
};

int remainingMs(const StreamLimits &limits, int wanted)
{
    if (limits.deadlineMs <= 0)
        return wanted;
    const qint64 left = limits.deadlineMs - QDateTime::currentMSecsSinceEpoch();
    return static_cast<int>(std::max<qint64>(0, std::min<qint64>(wanted, left)));
}

StreamLimits currentLimits(const TimeoutSocket *socket)
{
    return socket->scope ? socket->scope->limits : StreamLimits{};
}

QString endpoint(const TimeoutSocket *socket)
{
    return QStringLiteral("%1:%2").arg(QString::fromUtf8(socket->host), QString::fromUtf8(socket->port));
}

QString sizeText(qint64 bytes)
{
    constexpr qint64 kMB = 1024 * 1024;
    if (bytes >= kMB)
        return QStringLiteral("%1 MB").arg(bytes / kMB);
    if (bytes >= 1024)
        return QStringLiteral("%1 KB").arg(bytes / 1024);
    return QStringLiteral("%1 bytes").arg(bytes);
}

QString listingTooLarge(qint64 limit)
{
    return QStringLiteral("the ref advertisement passed %1; stopped reading it (a server that advertises refs without "
                          "end, or far more than any repository has)").arg(sizeText(limit));
}

// Counts what the listing read through the stream; false (error set, listing cut) past the limit.
bool countListingBytes(TimeoutSocket *socket, const StreamLimits &limits, ssize_t n)
{
    StreamLimitsScope::State *scope = socket->scope;
    if (!scope || !limits.streamEnforces || limits.maxListingBytes <= 0 || !scope->listing.load())
        return true;
    if (scope->listingBytes.fetch_add(n) + n <= limits.maxListingBytes)
        return true;
    const QString why = listingTooLarge(limits.maxListingBytes);
    {
        std::lock_guard<std::mutex> lock(scope->mutex);
        if (scope->cut.isEmpty())
            scope->cut = why;
    }
    git_error_set_str(GIT_ERROR_NET, why.toUtf8().constData());
    return false;
}

// Waits for `events` on the socket for at most `timeoutMs`, watching the cancel flag and the run
// deadline. Returns 1 when ready, 0 on timeout, -1 on cancel or error (message set).
int waitFor(TimeoutSocket *socket, short events, int timeoutMs, const char *what)
{
    StreamLimits limits = currentLimits(socket);
    if (!limits.streamEnforces) {
        limits.deadlineMs = 0;
        timeoutMs = std::numeric_limits<int>::max();
    }
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (;;) {
        if (limits.cancel && limits.cancel->load()) {
            git_error_set_str(GIT_ERROR_NET, "cancelled");
            return -1;
        }
        const int elapsed = static_cast<int>(QDateTime::currentMSecsSinceEpoch() - start);
        const int left = remainingMs(limits, timeoutMs - elapsed);
        if (left <= 0)
            return 0;
        pollfd pfd{socket->s, events, 0};
        const int rc = ::poll(&pfd, 1, std::min(left, kPollSliceMs));
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR) {
            git_error_set_str(GIT_ERROR_OS, (QStringLiteral("%1 %2 failed: %3").arg(QString::fromLatin1(what), endpoint(socket),
                                                                                   QString::fromLocal8Bit(std::strerror(errno)))).toUtf8().constData());
            return -1;
        }
    }
}

void setTimeoutError(TimeoutSocket *socket, const QString &what, int timeoutMs)
{
    const StreamLimits limits = currentLimits(socket);
    const bool deadline = limits.deadlineMs > 0 && QDateTime::currentMSecsSinceEpoch() >= limits.deadlineMs;
    const QString text = deadline ? QStringLiteral("%1 %2 timed out: the run reached its time limit").arg(what, endpoint(socket))
                                  : QStringLiteral("%1 %2 timed out after %3 s").arg(what, endpoint(socket)).arg(timeoutMs / 1000.0);
    git_error_set_str(GIT_ERROR_NET, text.toUtf8().constData());
}

void forget(TimeoutSocket *socket)
{
    if (!socket->scope || socket->s < 0)
        return;
    std::lock_guard<std::mutex> lock(socket->scope->mutex);
    auto &list = socket->scope->sockets;
    list.erase(std::remove(list.begin(), list.end(), socket->s), list.end());
}

int socketConnect(git_stream *stream)
{
    auto *socket = reinterpret_cast<TimeoutSocket *>(stream);
    const StreamLimits limits = currentLimits(socket);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *info = nullptr;
    if (const int rc = ::getaddrinfo(socket->host, socket->port, &hints, &info); rc != 0) {
        git_error_set_str(GIT_ERROR_NET, (QStringLiteral("cannot resolve %1: %2").arg(endpoint(socket), QString::fromLocal8Bit(gai_strerror(rc)))).toUtf8().constData());
        return -1;
    }
    int result = -1;
    QString lastProblem = QStringLiteral("no address");
    for (addrinfo *p = info; p; p = p->ai_next) {
        const int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0)
            continue;
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        socket->s = fd;
        if (socket->scope) {
            std::lock_guard<std::mutex> lock(socket->scope->mutex);
            socket->scope->sockets.push_back(fd);
        }
        if (::connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
            result = 0;
            break;
        }
        if (errno == EINPROGRESS) {
            const int ready = waitFor(socket, POLLOUT, limits.connectTimeoutMs, "connecting to");
            if (ready < 0) {
                freeaddrinfo(info);
                return -1;
            }
            if (ready == 0) {
                setTimeoutError(socket, QStringLiteral("connecting to"), limits.connectTimeoutMs);
                freeaddrinfo(info);
                return -1; // libgit2 1.5 has no GIT_ETIMEOUT: the message says "timed out"
            }
            int error = 0;
            socklen_t length = sizeof(error);
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error == 0) {
                result = 0;
                break;
            }
            lastProblem = QString::fromLocal8Bit(std::strerror(error));
        } else {
            lastProblem = QString::fromLocal8Bit(std::strerror(errno));
        }
        forget(socket);
        ::close(fd);
        socket->s = -1;
    }
    freeaddrinfo(info);
    if (result != 0) {
        git_error_set_str(GIT_ERROR_NET, (QStringLiteral("cannot connect to %1: %2").arg(endpoint(socket), lastProblem)).toUtf8().constData());
        return -1;
    }
    // libssh2 expects a blocking socket; our own reads and writes poll first anyway.
    ::fcntl(socket->s, F_SETFL, ::fcntl(socket->s, F_GETFL) & ~O_NONBLOCK);
    return 0;
}

ssize_t socketRead(git_stream *stream, void *data, size_t length)
{
    auto *socket = reinterpret_cast<TimeoutSocket *>(stream);
    const StreamLimits limits = currentLimits(socket);
    const int ready = waitFor(socket, POLLIN, limits.stallTimeoutMs, "reading from");
    if (ready < 0)
        return -1;
    if (ready == 0) {
        setTimeoutError(socket, QStringLiteral("waiting for data from"), limits.stallTimeoutMs);
        return -1; // libgit2 1.5 has no GIT_ETIMEOUT: the message says "timed out"
    }
    ssize_t n;
    do {
        n = ::recv(socket->s, data, length, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        git_error_set_str(GIT_ERROR_NET, (QStringLiteral("error reading from %1: %2").arg(endpoint(socket), QString::fromLocal8Bit(std::strerror(errno)))).toUtf8().constData());
        return -1;
    }
    if (n > 0 && !countListingBytes(socket, limits, n))
        return -1;
    return n;
}

ssize_t socketWrite(git_stream *stream, const char *data, size_t length, int)
{
    auto *socket = reinterpret_cast<TimeoutSocket *>(stream);
    const StreamLimits limits = currentLimits(socket);
    size_t written = 0;
    while (written < length) {
        const int ready = waitFor(socket, POLLOUT, limits.stallTimeoutMs, "writing to");
        if (ready < 0)
            return -1;
        if (ready == 0) {
            setTimeoutError(socket, QStringLiteral("sending to"), limits.stallTimeoutMs);
            return -1; // libgit2 1.5 has no GIT_ETIMEOUT: the message says "timed out"
        }
        const ssize_t n = ::send(socket->s, data + written, length - written, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            git_error_set_str(GIT_ERROR_NET, (QStringLiteral("error sending to %1: %2").arg(endpoint(socket), QString::fromLocal8Bit(std::strerror(errno)))).toUtf8().constData());
            return -1;
        }
        written += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(written);
}

int socketClose(git_stream *stream)
{
    auto *socket = reinterpret_cast<TimeoutSocket *>(stream);
    if (socket->s >= 0) {
        forget(socket);
        ::close(socket->s);
        socket->s = -1;
    }
    return 0;
}

void socketFree(git_stream *stream)
{
    auto *socket = reinterpret_cast<TimeoutSocket *>(stream);
    socketClose(stream);
    std::free(socket->host);
    std::free(socket->port);
    delete socket;
}

int socketInit(git_stream **out, const char *host, const char *port)
{
    auto *socket = new TimeoutSocket{};
    socket->parent.version = GIT_STREAM_VERSION;
    socket->parent.connect = socketConnect;
    socket->parent.read = socketRead;
    socket->parent.write = socketWrite;
    socket->parent.close = socketClose;
    socket->parent.free = socketFree;
    socket->host = ::strdup(host);
    socket->port = ::strdup(port);
    socket->s = -1;
    socket->scope = t_scope;
    *out = &socket->parent;
    return 0;
}

} // namespace

StreamLimitsScope::StreamLimitsScope(const StreamLimits &limits)
    : m_state(new State{limits, {}, {}, t_scope, {false}, {0}, {}})
{
    t_scope = m_state;
}

StreamLimitsScope::~StreamLimitsScope()
{
    if (t_scope == m_state)
        t_scope = m_state->previous; // scopes nest: restore the outer one
    delete m_state;
}

void StreamLimitsScope::shutdownSockets()
{
    std::lock_guard<std::mutex> lock(m_state->mutex);
    for (int fd : m_state->sockets)
        ::shutdown(fd, SHUT_RDWR);
}

void StreamLimitsScope::setListing(bool listing)
{
    m_state->listing.store(listing);
}

QString StreamLimitsScope::listingCut() const
{
    std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->cut;
}

void StreamLimitsScope::cutListing(const QString &why)
{
    std::lock_guard<std::mutex> lock(m_state->mutex);
    if (m_state->cut.isEmpty())
        m_state->cut = why;
    for (int fd : m_state->sockets)
        ::shutdown(fd, SHUT_RDWR);
}

qint64 StreamLimitsScope::kernelBytesReceived() const
{
#ifdef Q_OS_LINUX
    std::lock_guard<std::mutex> lock(m_state->mutex);
    qint64 total = 0;
    for (int fd : m_state->sockets) {
        tcp_info info{};
        socklen_t length = sizeof(info);
        if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) < 0
            || length < offsetof(tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received))
            return -1; // a kernel too old to count
        total += static_cast<qint64>(info.tcpi_bytes_received);
    }
    return total;
#else
    return -1;
#endif
}

bool StreamLimitsScope::listing() const
{
    return m_state->listing.load();
}

struct Watchdog::Private {
    StreamLimitsScope &scope;
    StreamLimits limits;
    std::function<qint64()> lastProgressMs;
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
    QString reason;
    std::thread thread;
};

Watchdog::Watchdog(StreamLimitsScope &scope, const StreamLimits &limits, std::function<qint64()> lastProgressMs)
    : d(new Private{scope, limits, std::move(lastProgressMs), {}, {}, false, {}, {}})
{
    d->thread = std::thread([p = d.get()] {
        std::unique_lock<std::mutex> lock(p->mutex);
        while (!p->stop) {
            p->wake.wait_for(lock, std::chrono::milliseconds(100));
            if (p->stop)
                break;
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (p->limits.cancel && p->limits.cancel->load())
                p->reason = QStringLiteral("cancelled");
            else if (p->limits.deadlineMs > 0 && now >= p->limits.deadlineMs)
                p->reason = QStringLiteral("the run reached its time limit");
            else if (p->limits.stallTimeoutMs > 0 && now - p->lastProgressMs() >= p->limits.stallTimeoutMs)
                p->reason = QStringLiteral("no progress for %1 s").arg(p->limits.stallTimeoutMs / 1000.0);
            if (!p->reason.isEmpty()) {
                p->scope.shutdownSockets();
                break;
            }
            // SSH reads the socket itself, past the stream's count: the kernel's count bounds its
            // listing (for the others the stream cuts first, at the same limit).
            if (p->limits.maxListingBytes > 0 && p->scope.listing() && p->scope.listingCut().isEmpty()
                && p->scope.kernelBytesReceived() > p->limits.maxListingBytes)
                p->scope.cutListing(listingTooLarge(p->limits.maxListingBytes));
        }
    });
}

Watchdog::~Watchdog()
{
    {
        std::lock_guard<std::mutex> lock(d->mutex);
        d->stop = true;
    }
    d->wake.notify_all();
    d->thread.join();
}

QString Watchdog::firedReason() const
{
    std::lock_guard<std::mutex> lock(d->mutex);
    return d->reason;
}

Status registerTimeoutStream()
{
    static git_stream_registration registration{GIT_STREAM_VERSION, socketInit, nullptr};
    if (git_stream_register(GIT_STREAM_STANDARD, &registration) < 0)
        return Error{ErrorCategory::Network, QStringLiteral("cannot register the timeout socket stream"), {}, 0, 0};
    return {};
}

} // namespace md::git
