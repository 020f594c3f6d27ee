// git:// for the protocol-v2 lister: one TCP connection to the daemon, the request
// `git-upload-pack /path\0host=HOST[:PORT]\0\0version=2\0`, the capability advertisement to its
// flush, the ls-refs command, its answer to the flush, a closing flush.
//
// QTcpSocket's blocking waitFor* calls on the calling (worker) thread, each at most kTickMs long,
// so that the cancel flag, the deadline and the connect and stall clocks are looked at between
// them. git:// never goes through a proxy (as with libgit2 and git itself).

#include "git/V2Transport.h"

#include <QNetworkProxy>
#include <QTcpSocket>
#include <QUrl>

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
    }

    Result<RemoteListing> run();

private:
    std::optional<Error> connect(const QString &host, quint16 port);
    std::optional<Error> write(const QByteArray &bytes);
    // Reads what arrived (waiting at most one tick); nullopt and a chunk (maybe empty), or the
    // error that ended the connection.
    std::optional<Error> read(QByteArray &chunk, const QString &phase);
    Error socketError(const QString &what) const;

    const RemoteAccess &m_access;
    CallLimits &m_limits;
    const QStringList &m_prefixes;
    QTcpSocket m_socket;
};

Error GitLister::socketError(const QString &what) const
{
    return failure(ErrorCategory::Network, QStringLiteral("%1: %2: %3").arg(m_access.displayUrl, what, m_socket.errorString()));
}

std::optional<Error> GitLister::connect(const QString &host, quint16 port)
{
    m_socket.setProxy(QNetworkProxy::NoProxy);
    m_limits.startConnecting();
    m_socket.connectToHost(host, port);
    while (m_socket.state() != QAbstractSocket::ConnectedState) {
        if (const QString why = m_limits.expired(true); !why.isEmpty())
            return m_limits.timeoutOrCancel(why, m_access.displayUrl);
        if (m_socket.waitForConnected(m_limits.sliceMs()))
            break;
        if (m_socket.error() != QAbstractSocket::SocketTimeoutError && m_socket.state() == QAbstractSocket::UnconnectedState)
            return socketError(QStringLiteral("cannot connect"));
    }
    m_limits.activity();
    return std::nullopt;
}

std::optional<Error> GitLister::write(const QByteArray &bytes)
{
    if (m_socket.write(bytes) != bytes.size())
        return socketError(QStringLiteral("cannot send the request"));
    while (m_socket.bytesToWrite() > 0) {
        if (const QString why = m_limits.expired(false); !why.isEmpty())
            return m_limits.timeoutOrCancel(why, m_access.displayUrl);
        if (!m_socket.waitForBytesWritten(m_limits.sliceMs()) && m_socket.error() != QAbstractSocket::SocketTimeoutError)
            return socketError(QStringLiteral("cannot send the request"));
    }
    m_limits.activity();
    return std::nullopt;
}

std::optional<Error> GitLister::read(QByteArray &chunk, const QString &phase)
{
    chunk.clear();
    if (m_socket.bytesAvailable() == 0) {
        if (const QString why = m_limits.expired(false); !why.isEmpty())
            return m_limits.timeoutOrCancel(why, m_access.displayUrl);
        if (!m_socket.waitForReadyRead(m_limits.sliceMs())) {
            if (m_socket.error() == QAbstractSocket::SocketTimeoutError && m_socket.state() == QAbstractSocket::ConnectedState)
                return std::nullopt; // nothing yet
            if (m_socket.bytesAvailable() == 0)
                return failure(ErrorCategory::Network,
                               QStringLiteral("%1: the server closed the connection during the %2").arg(m_access.displayUrl, phase));
        }
    }
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
    if (!advertisement.isV2())
        return unsupported(m_access.displayUrl, QStringLiteral("the server answered with a protocol v0 advertisement"));
    if (reader.pending() > 0)
        return parseFailure(m_access.displayUrl, QStringLiteral("capability advertisement"),
                            QStringLiteral("data after its flush"), {}, false, false);
    if (!advertisement.hasLsRefs())
        return unsupported(m_access.displayUrl, QStringLiteral("the server does not offer ls-refs"));
    const QByteArray format = advertisement.objectFormat();
    if (!format.isEmpty() && format != "sha1")
        return unsupported(m_access.displayUrl, QStringLiteral("the repository uses another object format than sha1"));

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
    m_socket.waitForBytesWritten(m_limits.sliceMs());
    m_socket.disconnectFromHost();
    return refs.takeListing();
}

} // namespace

Result<RemoteListing> listOverGit(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes)
{
    return GitLister(access, limits, prefixes).run();
}

} // namespace md::git::v2
