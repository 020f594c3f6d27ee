#include "security/HostKeyDetect.h"

#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtEndian>

#include <libssh2.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace md {

namespace {

// The types asked for one by one, in this order. RSA is asked for only when libssh2 offers an
// RSA-SHA2 signature (libssh2 1.11+): libssh2 1.10 verifies RSA host keys with SHA-1 signatures
// only ("ssh-rsa"), which OpenSSH 8.8 and later refuse to make.
const char *const kTypes[] = {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
                              "rsa-sha2-256"};

Error detectError(ErrorCategory category, const QString &message)
{
    return Error{category, message, {}, 0, 0};
}

class Fd {
public:
    explicit Fd(int fd = -1) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

bool cancelled(const std::atomic<bool> *cancel)
{
    return cancel && cancel->load();
}

// Waits for `events` on fd until the deadline, a slice at a time so a cancel is seen. 1: ready,
// 0: deadline passed, -1: cancelled or poll failed.
int waitFor(int fd, short events, const QDeadlineTimer &deadline, const std::atomic<bool> *cancel)
{
    while (true) {
        if (cancelled(cancel))
            return -1;
        const qint64 left = deadline.remainingTime();
        if (left == 0)
            return 0;
        pollfd p{fd, events, 0};
        const int slice = static_cast<int>(left < 0 || left > 200 ? 200 : left);
        const int rc = ::poll(&p, 1, slice);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

// The host to connect to: "[::1]" without its brackets.
QString connectHost(const QString &hostPort, int *port)
{
    const qsizetype colon = hostPort.lastIndexOf(QLatin1Char(':'));
    *port = hostPort.mid(colon + 1).toInt();
    QString host = hostPort.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host;
}

// A connected TCP socket to host:port, non-blocking connect bounded by the deadline.
Result<int> connectTo(const QString &hostPort, const QDeadlineTimer &deadline, const std::atomic<bool> *cancel)
{
    int port = 0;
    const QString host = connectHost(hostPort, &port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo *found = nullptr;
    const int resolved = ::getaddrinfo(host.toUtf8().constData(), QByteArray::number(port).constData(), &hints, &found);
    if (resolved != 0 || !found)
        return detectError(ErrorCategory::Network, QStringLiteral("cannot resolve %1: %2").arg(host, QString::fromLocal8Bit(::gai_strerror(resolved))));
    QString lastProblem = QStringLiteral("no address");
    ErrorCategory lastCategory = ErrorCategory::Network;
    for (addrinfo *a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            lastProblem = QString::fromLocal8Bit(std::strerror(errno));
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            const int ready = waitFor(fd, POLLOUT, deadline, cancel);
            if (ready <= 0) {
                ::close(fd);
                ::freeaddrinfo(found);
                if (cancelled(cancel))
                    return detectError(ErrorCategory::Interrupted, QStringLiteral("cancelled"));
                return detectError(ErrorCategory::Timeout, QStringLiteral("connecting to %1 timed out").arg(hostPort));
            }
            int soError = 0;
            socklen_t length = sizeof soError;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length);
            rc = soError == 0 ? 0 : -1;
            errno = soError;
        }
        if (rc == 0) {
            ::freeaddrinfo(found);
            return fd;
        }
        lastProblem = QString::fromLocal8Bit(std::strerror(errno));
        lastCategory = ErrorCategory::Network;
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return detectError(lastCategory, QStringLiteral("cannot connect to %1: %2").arg(hostPort, lastProblem));
}

QString sessionError(LIBSSH2_SESSION *session)
{
    char *message = nullptr;
    int length = 0;
    libssh2_session_last_error(session, &message, &length, 0);
    return message ? printable(QString::fromUtf8(message, length), 200) : QStringLiteral("unknown libssh2 error");
}

struct Attempt {
    enum Outcome { Key, NotOffered, Failed } outcome = Failed;
    HostKey key;
    Error error;
};

// One connection asking for `type` only: the key the server offered, NotOffered when the key
// exchange found no common host-key type, or why it failed.
Attempt tryType(const QString &hostPort, const char *type, const QDeadlineTimer &deadline, const std::atomic<bool> *cancel)
{
    Attempt attempt;
    auto socket = connectTo(hostPort, deadline, cancel);
    if (!socket) {
        attempt.error = socket.error();
        return attempt;
    }
    const Fd fd(*socket);
    LIBSSH2_SESSION *session = libssh2_session_init();
    if (!session) {
        attempt.error = detectError(ErrorCategory::Io, QStringLiteral("libssh2 cannot start a session"));
        return attempt;
    }
    struct SessionFree {
        LIBSSH2_SESSION *s;
        ~SessionFree() { libssh2_session_free(s); }
    } sessionFree{session};
    if (libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, type) != 0) {
        attempt.outcome = Attempt::NotOffered; // this libssh2 does not know the type
        return attempt;
    }
    libssh2_session_set_blocking(session, 0);
    int rc;
    while ((rc = libssh2_session_handshake(session, fd.get())) == LIBSSH2_ERROR_EAGAIN) {
        const int directions = libssh2_session_block_directions(session);
        short events = 0;
        if (directions & LIBSSH2_SESSION_BLOCK_INBOUND)
            events |= POLLIN;
        if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
            events |= POLLOUT;
        const int ready = waitFor(fd.get(), events ? events : short(POLLIN), deadline, cancel);
        if (ready < 0) {
            attempt.error = cancelled(cancel) ? detectError(ErrorCategory::Interrupted, QStringLiteral("cancelled"))
                                              : detectError(ErrorCategory::Network, QStringLiteral("lost the connection to %1").arg(hostPort));
            return attempt;
        }
        if (ready == 0) {
            attempt.error = detectError(ErrorCategory::Timeout, QStringLiteral("the SSH key exchange with %1 timed out").arg(hostPort));
            return attempt;
        }
    }
    if (rc == LIBSSH2_ERROR_KEX_FAILURE) {
        attempt.outcome = Attempt::NotOffered;
        return attempt;
    }
    if (rc != 0) {
        attempt.error = detectError(ErrorCategory::Network, QStringLiteral("SSH key exchange with %1 failed: %2").arg(hostPort, sessionError(session)));
        return attempt;
    }
    size_t length = 0;
    int keyType = 0;
    const char *blob = libssh2_session_hostkey(session, &length, &keyType);
    if (!blob || length < 4) {
        attempt.error = detectError(ErrorCategory::HostKey, QStringLiteral("%1 sent no host key").arg(hostPort));
        return attempt;
    }
    attempt.key.blob = QByteArray(blob, static_cast<qsizetype>(length));
    const quint32 nameLength = qFromBigEndian<quint32>(attempt.key.blob.constData());
    attempt.key.type = QString::fromLatin1(attempt.key.blob.mid(4, static_cast<qsizetype>(nameLength)));
    // Say goodbye politely (best effort: a non-blocking disconnect may not go out; no matter).
    libssh2_session_disconnect(session, "mirrordesk hostkeys detect");
    // The blob must parse as a line would (its type matches its body), so it can be pinned as shown.
    if (const auto parsed = HostKey::parseLine(attempt.key.toLine()); !parsed) {
        attempt.error = detectError(ErrorCategory::HostKey, QStringLiteral("%1 sent a malformed host key: %2").arg(hostPort, parsed.error().message));
        return attempt;
    }
    attempt.outcome = Attempt::Key;
    return attempt;
}

void initLibssh2()
{
    static std::once_flag once;
    std::call_once(once, [] { libssh2_init(0); }); // never exited: libgit2 shares it
}

// The host-key types this libssh2 can negotiate at all (its own list).
QStringList supportedTypes()
{
    QStringList types;
    LIBSSH2_SESSION *session = libssh2_session_init();
    if (!session)
        return types;
    const char **algorithms = nullptr;
    const int count = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &algorithms);
    for (int i = 0; i < count; ++i)
        types.append(QString::fromLatin1(algorithms[i]));
    if (algorithms)
        libssh2_free(session, algorithms);
    libssh2_session_free(session);
    return types;
}

} // namespace

Result<QString> detectHostPort(const QString &location)
{
    const QString text = location.trimmed();
    if (text.isEmpty())
        return Error::usage(QStringLiteral("expected an ssh:// URL, an SCP-style address or host[:port]"));
    // "host", "host:port", "[host]:port": no slash, no "@". "host:70000" is a bad port, not the
    // SCP-style path "70000".
    if (!text.contains(QLatin1Char('/')) && !text.contains(QLatin1Char('@'))) {
        auto hostPort = normalizeHostPort(text);
        if (hostPort)
            return hostPort;
        static const QRegularExpression portLike(QStringLiteral("^[^:]*(?::\\d*)?$|^\\[.*\\](?::\\d*)?$"));
        if (portLike.match(text).hasMatch())
            return Error::usage(hostPort.error().message);
    }
    const auto url = GitUrl::parse(text);
    if (!url)
        return Error::usage(url.error().message);
    if (!url->isSsh())
        return Error::usage(QStringLiteral("%1 is no SSH location (only SSH servers have host keys; give an ssh:// URL, "
                                           "an SCP-style address or host[:port])")
                                .arg(quoteInput(url->scrubbed())));
    return normalizeHostPort(url->hostPort());
}

Result<DetectReport> detectHostKeys(const QString &location, int timeoutMs, const std::atomic<bool> *cancel)
{
    auto hostPort = detectHostPort(location);
    if (!hostPort)
        return hostPort.error();
    initLibssh2();
    DetectReport report;
    report.hostPort = *hostPort;
    const QStringList supported = supportedTypes();
    const bool rsaSha2 = supported.contains(QLatin1String("rsa-sha2-256")) || supported.contains(QLatin1String("rsa-sha2-512"));
    const QDeadlineTimer deadline(timeoutMs > 0 ? timeoutMs : 30000);
    QStringList notOffered;
    for (const char *type : kTypes) {
        const QString name = QString::fromLatin1(type);
        if (!supported.contains(name))
            continue; // e.g. RSA-SHA2 before libssh2 1.11: said in the notes below
        const Attempt attempt = tryType(*hostPort, type, deadline, cancel);
        if (attempt.outcome == Attempt::Failed) {
            // The first connection failing is the host being unreachable; a later one failing
            // (the server went away mid-way) still ends the detect: a partial list would be
            // pinned as if complete.
            Error error = attempt.error;
            if (!report.keys.isEmpty())
                error.message += QStringLiteral(" (after detecting %1 key(s); nothing is complete)").arg(report.keys.size());
            return error;
        }
        if (attempt.outcome == Attempt::NotOffered) {
            notOffered.append(name);
            continue;
        }
        const bool seen = std::any_of(report.keys.cbegin(), report.keys.cend(), [&](const HostKey &k) { return k.blob == attempt.key.blob; });
        if (!seen)
            report.keys.append(attempt.key);
    }
    if (!notOffered.isEmpty())
        report.notes.append(QStringLiteral("the server offered no key of type %1").arg(notOffered.join(QStringLiteral(", "))));
    if (!rsaSha2)
        report.notes.append(QStringLiteral("RSA host keys are not detected: this libssh2 (%1) cannot negotiate them (it verifies RSA "
                                           "host keys with SHA-1 signatures only, which current OpenSSH servers refuse); the server "
                                           "may have one, which MirrorDesk cannot use either")
                                .arg(QString::fromLatin1(libssh2_version(0))));
    if (report.keys.isEmpty()) {
        Error error = detectError(ErrorCategory::HostKey, QStringLiteral("%1 offered no host key of a type libssh2 can negotiate (%2)")
                                                              .arg(report.hostPort, notOffered.join(QStringLiteral(", "))));
        error.detail = QJsonObject{{QStringLiteral("host"), report.hostPort},
                                   {QStringLiteral("notes"), QJsonArray::fromStringList(report.notes)}};
        return error;
    }
    return report;
}

} // namespace md
