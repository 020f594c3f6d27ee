// git:// for the protocol-v2 lister: one TCP connection to the daemon, the request
// `git-upload-pack /path\0host=HOST[:PORT]\0\0version=2\0`, the capability advertisement to its
// flush, the ls-refs command, its answer to the flush, a closing flush.
//
// Each wait (host lookup and connect, write, read) runs a local QEventLoop on the calling worker
// thread (listRefsV2() never runs one on the main thread), with a kTickMs timer that looks at the
// cancel flag, the deadline and the connect and stall clocks. QAbstractSocket's blocking
// waitForConnected() is not used: it gives up a connect at its own timeout, so it cannot be cut
// into slices, and it resolves the host name without any bound. git:// never goes through a
// proxy (as with libgit2 and git itself).

#include "git/V2Transport.h"

#include <QEventLoop>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace md::git::v2 {

namespace {

constexpr quint16 kDefaultPort = 9418;
constexpr qint64 kReadChunk = 64 * 1024;

class GitLister {
public:
    GitLister(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes)
        : m_access(access)
        , m_limits(limits)
        , m_prefixes(prefixes)
    {
        m_socket.setProxy(QNetworkProxy::NoProxy);
        m_socket.setReadBufferSize(4 * kReadChunk);
    }

    Result<RemoteListing> run();

private:
    // Runs a local event loop until done() holds; else the limit that passed, or why the socket
    // ended (`what`: "cannot connect", or the phase the server closed the connection in).
    std::optional<Error> waitUntil(const std::function<bool()> &done, bool connecting, const QString &what);
    std::optional<Error> connect(const QString &host, quint16 port);
    std::optional<Error> write(const QByteArray &bytes);
    // Reads what arrived, waiting for at least one byte.
    std::optional<Error> read(QByteArray &chunk, const QString &phase);

    const RemoteAccess &m_access;
    CallLimits &m_limits;
    const QStringList &m_prefixes;
    QTcpSocket m_socket;
};

std::optional<Error> GitLister::waitUntil(const std::function<bool()> &done, bool connecting, const QString &what)
{
    QString limit;
    if (!done()) {
        limit = m_limits.expired(connecting);
        if (limit.isEmpty()) {
            QEventLoop loop;
            QTimer ticker;
            ticker.setInterval(kTickMs);
            QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
                limit = m_limits.expired(connecting);
                if (!limit.isEmpty())
                    loop.quit();
            });
            auto check = [&] {
                if (done() || m_socket.state() == QAbstractSocket::UnconnectedState)
                    loop.quit();
            };
            QObject::connect(&m_socket, &QTcpSocket::connected, &loop, check);
            QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, check);
            QObject::connect(&m_socket, &QTcpSocket::bytesWritten, &loop, check);
            QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
            QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
            ticker.start();
            loop.exec(QEventLoop::ExcludeUserInputEvents);
        }
    }
    if (done())
        return std::nullopt;
    if (!limit.isEmpty())
        return m_limits.timeoutOrCancel(limit, m_access.displayUrl);
    if (connecting)
        return failure(ErrorCategory::Network, QStringLiteral("cannot connect to %1: %2").arg(m_access.displayUrl, m_socket.errorString()));
    return failure(ErrorCategory::Network, QStringLiteral("%1: the server closed the connection during the %2").arg(m_access.displayUrl, what));
}

std::optional<Error> GitLister::connect(const QString &host, quint16 port)
{
    m_limits.startConnecting();
    m_socket.connectToHost(host, port);
    if (auto failed = waitUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, true, {}))
        return failed;
    m_limits.activity();
    return std::nullopt;
}

std::optional<Error> GitLister::write(const QByteArray &bytes)
{
    if (m_socket.write(bytes) != bytes.size())
        return failure(ErrorCategory::Network, QStringLiteral("%1: cannot send the request: %2").arg(m_access.displayUrl, m_socket.errorString()));
    if (auto failed = waitUntil([this] { return m_socket.bytesToWrite() == 0; }, false, QStringLiteral("request")))
        return failed;
    m_limits.activity();
    return std::nullopt;
}

std::optional<Error> GitLister::read(QByteArray &chunk, const QString &phase)
{
    if (auto failed = waitUntil([this] { return m_socket.bytesAvailable() > 0; }, false, phase))
        return failed;
    chunk = m_socket.read(kReadChunk);
    if (!m_limits.received(chunk.size()))
        return m_limits.tooLarge(m_access.displayUrl);
    return std::nullopt;
}

Result<RemoteListing> GitLister::run()
{
    const QUrl url(m_access.url, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || url.path().isEmpty())
        return failure(ErrorCategory::Config, QStringLiteral("%1 is not a valid git:// URL").arg(m_access.displayUrl));
    const QByteArray path = url.path(QUrl::FullyDecoded).toUtf8();
    if (path.contains('\0'))
        return failure(ErrorCategory::Config, QStringLiteral("%1 is not a valid git:// URL").arg(m_access.displayUrl));
    const quint16 port = static_cast<quint16>(url.port(kDefaultPort));
    // host= as git sends it: the host as written, with the port only when the URL names one.
    QByteArray hostField = url.host(QUrl::FullyEncoded).toUtf8();
    if (hostField.contains(':'))
        hostField = '[' + hostField + ']';
    if (url.port() > 0)
        hostField += ':' + QByteArray::number(url.port());

    if (auto refused = connect(url.host(), port))
        return *refused;
    QByteArray request = "git-upload-pack " + path + '\0' + "host=" + hostField + '\0' + '\0' + "version=2" + '\0';
    if (auto failed = write(pktLine(request)))
        return *failed;

    PktReader reader;
    AdvertisementParser advertisement(false);
    Step step = Step::NeedMore;
    QByteArray chunk;
    while (step == Step::NeedMore) {
        if (auto failed = read(chunk, QStringLiteral("capability advertisement")))
            return *failed;
        reader.feed(chunk);
        step = advertisement.feed(reader);
    }
    if (step == Step::Failed)
        return parseFailure(m_access.displayUrl, QStringLiteral("capability advertisement"), advertisement.error(),
                            advertisement.serverError(), false, false);
    QByteArray format;
    if (auto refused = checkAdvertisement(m_access.displayUrl, advertisement, reader, &format))
        return *refused;

    if (auto failed = write(lsRefsRequest(m_prefixes, !format.isEmpty())))
        return *failed;
    LsRefsParser refs(m_prefixes, m_limits.limits().maxListedRefs);
    step = Step::NeedMore;
    while (step == Step::NeedMore) {
        if (auto failed = read(chunk, QStringLiteral("ref listing")))
            return *failed;
        reader.feed(chunk);
        step = refs.feed(reader);
    }
    if (step == Step::Failed)
        return parseFailure(m_access.displayUrl, QStringLiteral("ref listing"), refs.error(), refs.serverError(),
                            refs.invalidRefName(), refs.cut());
    // The session ends with a flush of ours; the listing does not wait for the server to go.
    m_socket.write(flushPkt());
    m_socket.disconnectFromHost(); // sends what is queued, then closes
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        m_socket.waitForDisconnected(m_limits.sliceMs());
    return refs.takeListing();
}

} // namespace

Result<RemoteListing> listOverGit(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes)
{
    return GitLister(access, limits, prefixes).run();
}

} // namespace md::git::v2
