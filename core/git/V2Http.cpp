// Smart HTTP(S) for the protocol-v2 lister: GET info/refs with `Git-Protocol: version=2`, then,
// when the server answered with a v2 capability advertisement that offers ls-refs, one POST of
// the ls-refs command to git-upload-pack.
//
// QNetworkAccessManager needs an event loop. listRefsV2() runs on a QThreadPool worker, which has
// none of its own, so each exchange here runs a local QEventLoop on that worker thread for the
// duration of one request. Nothing else is queued to a pool thread, so the nested loop delivers
// only this call's own network events. (On the main thread, where a nested loop would re-enter
// the UI, listRefsV2() runs the whole call on a helper thread instead.)

#include "git/V2Transport.h"

#include "util/Scrub.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

namespace md::git::v2 {

namespace {

constexpr qint64 kReadBuffer = 256 * 1024;     // what Qt buffers of a reply before we read it
constexpr qint64 kMaxErrorBody = 64 * 1024;    // a non-200 body is read (to keep the connection) up to this
const QByteArray kUserAgent = QByteArrayLiteral("git/2.0 (mirrordesk/" MIRRORDESK_VERSION ")");

// What one request got back.
struct Response {
    int status = 0;              // 0: no HTTP response (see error)
    QByteArray contentType;      // media type, lowered, without parameters
    QByteArray location;
    QByteArray wwwAuthenticate;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorText;
    QString sslErrors;
    QString limitReason;         // a limit stopped it (timeout, deadline, cancel)
    bool tooLarge = false;       // maxListingBytes passed
    bool stoppedBySink = false;  // the body's reader had what it needed (or gave up)
};

// Reads a 200 response's body as it arrives; false: stop reading (abort the reply).
using BodySink = std::function<bool(const QByteArray &chunk)>;

qint64 headerBytes(const QNetworkReply &reply)
{
    qint64 bytes = 17; // "HTTP/1.1 200 OK\r\n"
    for (const auto &pair : reply.rawHeaderPairs())
        bytes += pair.first.size() + pair.second.size() + 4;
    return bytes + 2;
}

// One request, run to its end (or to a limit) in a local event loop on this thread.
Response exchange(QNetworkAccessManager &manager, const QNetworkRequest &request, const QByteArray *postBody,
                  CallLimits &limits, const BodySink &sink)
{
    Response response;
    QEventLoop loop;
    limits.startConnecting();
    std::unique_ptr<QNetworkReply> reply(postBody ? manager.post(request, *postBody) : manager.get(request));
    reply->setReadBufferSize(kReadBuffer);
    bool sent = false;
    bool headersSeen = false;
    qint64 discarded = 0;
    auto stop = [&reply] {
        if (reply->isRunning())
            reply->abort();
    };
    auto headers = [&] {
        if (headersSeen || !reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
            return;
        headersSeen = true;
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.contentType = reply->rawHeader("Content-Type").split(';').first().trimmed().toLower();
        response.location = reply->rawHeader("Location");
        response.wwwAuthenticate = reply->rawHeader("WWW-Authenticate");
        if (!limits.received(headerBytes(*reply))) {
            response.tooLarge = true;
            stop();
        }
    };
    auto drain = [&] {
        headers();
        if (response.tooLarge || response.stoppedBySink || !response.limitReason.isEmpty())
            return;
        const QByteArray chunk = reply->readAll();
        if (chunk.isEmpty())
            return;
        if (!limits.received(chunk.size())) {
            response.tooLarge = true;
            stop();
            return;
        }
        if (response.status == 200) {
            if (!sink(chunk)) {
                response.stoppedBySink = true;
                stop();
            }
        } else if ((discarded += chunk.size()) > kMaxErrorBody) {
            stop(); // the status says enough; the connection is not worth the bytes
        }
    };
    QObject::connect(reply.get(), &QNetworkReply::requestSent, &loop, [&] {
        sent = true;
        limits.activity();
    });
    QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, headers);
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, drain);
    QObject::connect(reply.get(), &QNetworkReply::uploadProgress, &loop, [&limits] { limits.activity(); });
    QObject::connect(reply.get(), &QNetworkReply::sslErrors, &loop, [&response](const QList<QSslError> &errors) {
        // Never ignored: the handshake fails; this only keeps the reason for the message.
        QStringList texts;
        for (const QSslError &error : errors)
            texts << error.errorString();
        response.sslErrors = texts.join(QStringLiteral("; "));
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer ticker;
    ticker.setInterval(kTickMs);
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        if (const QString why = limits.expired(!sent); !why.isEmpty() && response.limitReason.isEmpty()) {
            response.limitReason = why;
            stop();
        }
    });
    ticker.start();
    if (!reply->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    ticker.stop();
    drain();
    if (!response.tooLarge && !response.stoppedBySink && response.limitReason.isEmpty()) {
        response.error = reply->error();
        response.errorText = reply->errorString();
    }
    return response;
}

// The base URL as git forms it: the user's path (".git" or not) without trailing slashes.
QUrl serviceUrl(const QUrl &repository, const QString &suffix, const QString &query = {})
{
    QUrl url = repository;
    QString path = url.path(QUrl::FullyEncoded);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + suffix, QUrl::StrictMode);
    url.setQuery(query.isEmpty() ? QString() : query);
    url.setFragment(QString());
    return url;
}

Result<QNetworkProxy> proxyFor(const RemoteAccess &access, const QUrl &url)
{
    if (access.proxy.isEmpty()) {
        // The environment (https_proxy, http_proxy, no_proxy), as Qt's system proxy factory reads
        // it on Linux; unlike libgit2 1.5 it covers http:// too.
        const QList<QNetworkProxy> proxies = QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(url));
        return proxies.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : proxies.first();
    }
    const QString text = access.proxy.contains(QLatin1String("://")) ? access.proxy : QStringLiteral("http://") + access.proxy;
    const QUrl proxyUrl(text, QUrl::StrictMode);
    if (!proxyUrl.isValid() || proxyUrl.host().isEmpty())
        return Error::config(QStringLiteral("proxy"), QStringLiteral("the proxy %1 is not a valid URL").arg(scrubProxy(access.proxy)));
    if (proxyUrl.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0)
        return unsupported(access.displayUrl, QStringLiteral("the proxy %1 is not an http:// proxy").arg(scrubProxy(access.proxy)));
    QNetworkProxy proxy(QNetworkProxy::HttpProxy, proxyUrl.host(), static_cast<quint16>(proxyUrl.port(80)),
                        proxyUrl.userName(QUrl::FullyDecoded), proxyUrl.password(QUrl::FullyDecoded));
    return proxy;
}

class HttpLister {
public:
    HttpLister(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes)
        : m_access(access)
        , m_limits(limits)
        , m_prefixes(prefixes)
    {
    }

    Result<RemoteListing> run();

private:
    QNetworkRequest request(const QUrl &url, bool post) const;
    // Runs one request, answering a 401 with the credential (once per call). Non-200 answers,
    // limits and network failures come back as errors.
    Result<Response> send(const QUrl &url, const QByteArray *postBody, const BodySink &sink, const QString &phase);
    std::optional<Error> answerChallenge(const Response &response, const QUrl &url);
    Error statusError(const Response &response, const QString &phase) const;
    QString via() const;

    const RemoteAccess &m_access;
    CallLimits &m_limits;
    const QStringList &m_prefixes;
    std::unique_ptr<QNetworkAccessManager> m_manager;
    QSslConfiguration m_ssl;
    QByteArray m_authorization; // "Basic …" once the server asked for it; then on every request
    bool m_proxied = false;
};

QString HttpLister::via() const
{
    return m_proxied && !m_access.proxy.isEmpty() ? QStringLiteral(" (through the proxy %1)").arg(scrubProxy(m_access.proxy))
                                                  : QString();
}

QNetworkRequest HttpLister::request(const QUrl &url, bool post) const
{
    QNetworkRequest request(url);
    // HTTP/1.1 only: its requestSent() marks the end of connecting (TCP, proxy, TLS), which the
    // connect and stall clocks rely on.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setSslConfiguration(m_ssl);
    request.setRawHeader("User-Agent", kUserAgent);
    request.setRawHeader("Git-Protocol", "version=2");
    request.setRawHeader("Pragma", "no-cache");
    if (post) {
        request.setRawHeader("Content-Type", "application/x-git-upload-pack-request");
        request.setRawHeader("Accept", "application/x-git-upload-pack-result");
    } else {
        request.setRawHeader("Accept", "*/*");
    }
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    return request;
}

std::optional<Error> HttpLister::answerChallenge(const Response &response, const QUrl &url)
{
    const QString display = m_access.displayUrl;
    // As RemoteCallbacks: one answer; a 401 to a request that carried it is a refusal.
    if (!m_authorization.isEmpty())
        return failure(ErrorCategory::Auth, QStringLiteral("authentication failed for %1").arg(display));
    const QByteArray challenge = response.wwwAuthenticate.toLower();
    if (!challenge.isEmpty() && !challenge.contains("basic"))
        return unsupported(display, QStringLiteral("the server asks for %1 authentication, which only libgit2 speaks here")
                                        .arg(printable(QString::fromLatin1(response.wwwAuthenticate.split(' ').first()), 40)));
    // A secret is only ever sent to the host it belongs to.
    const QString asked = m_access.hostPortOf ? m_access.hostPortOf(url.toString(QUrl::RemoveQuery)) : QString();
    if (!m_access.hostPortOf || asked.isEmpty() || asked != m_access.hostPort)
        return failure(ErrorCategory::Auth, QStringLiteral("%1 asked for credentials on behalf of another host (%2); not sent")
                                                .arg(display, asked.isEmpty() ? QStringLiteral("unknown") : asked));
    const ResolvedCredential &credential = m_access.credential;
    if (!credential.present)
        return failure(ErrorCategory::Auth, QStringLiteral("%1 asks for authentication, but this side has no credential").arg(display));
    if (credential.kind != CredentialKind::Password && credential.kind != CredentialKind::Token)
        return failure(ErrorCategory::Auth,
                       QStringLiteral("%1 does not accept a %2 credential").arg(display, credentialKindName(credential.kind)));
    // A token without a user name: forges accept any non-empty one for token auth.
    const QByteArray user = credential.username.isEmpty() ? QByteArrayLiteral("x-access-token") : credential.username.toUtf8();
    m_authorization = "Basic " + (user + ':' + credential.secret).toBase64();
    return std::nullopt;
}

Error HttpLister::statusError(const Response &response, const QString &phase) const
{
    const QString display = m_access.displayUrl;
    if (response.tooLarge)
        return m_limits.tooLarge(display);
    if (!response.limitReason.isEmpty())
        return m_limits.timeoutOrCancel(response.limitReason, display);
    if (response.status == 0) {
        switch (response.error) {
        case QNetworkReply::SslHandshakeFailedError:
            return failure(ErrorCategory::Tls, QStringLiteral("%1: TLS failed%2: %3")
                                                   .arg(display, via(), response.sslErrors.isEmpty() ? response.errorText : response.sslErrors));
        case QNetworkReply::ProxyAuthenticationRequiredError:
            return failure(ErrorCategory::Auth, QStringLiteral("%1: the proxy %2 refused the request: authentication required")
                                                    .arg(display, scrubProxy(m_access.proxy)));
        case QNetworkReply::TimeoutError:
            return failure(ErrorCategory::Timeout, QStringLiteral("%1 timed out%2: %3").arg(display, via(), response.errorText));
        default:
            return failure(ErrorCategory::Network, QStringLiteral("cannot connect to %1%2: %3").arg(display, via(), response.errorText));
        }
    }
    if (response.status >= 300 && response.status < 400) {
        const QUrl location = QUrl(QString::fromLatin1(response.location));
        const QString where = location.host().isEmpty() ? QStringLiteral("another path on the same host")
                                                        : printable(location.port() > 0 ? QStringLiteral("%1:%2").arg(location.host()).arg(location.port())
                                                                                      : location.host(), 100);
        return failure(ErrorCategory::Network,
                       QStringLiteral("%1 redirected the %2 (HTTP %3) to %4; redirects are refused, so no credential follows them")
                           .arg(display, phase)
                           .arg(response.status)
                           .arg(where));
    }
    if (response.status == 401)
        return failure(ErrorCategory::Auth, QStringLiteral("authentication failed for %1").arg(display));
    if (response.status == 404)
        return failure(ErrorCategory::NotFound, QStringLiteral("%1: no repository there (HTTP 404)").arg(display));
    if (response.status == 407)
        return failure(ErrorCategory::Auth, QStringLiteral("%1: the proxy asks for authentication (HTTP 407)%2").arg(display, via()));
    return failure(ErrorCategory::Network, QStringLiteral("%1: unexpected HTTP status %2 for the %3%4").arg(display).arg(response.status).arg(phase, via()));
}

Result<Response> HttpLister::send(const QUrl &url, const QByteArray *postBody, const BodySink &sink, const QString &phase)
{
    for (;;) {
        Response response = exchange(*m_manager, request(url, postBody != nullptr), postBody, m_limits, sink);
        if (response.status == 401 && response.limitReason.isEmpty() && !response.tooLarge) {
            if (auto refused = answerChallenge(response, url))
                return *refused;
            continue;
        }
        if (response.status != 200 || response.tooLarge || !response.limitReason.isEmpty())
            return statusError(response, phase);
        return response;
    }
}

Result<RemoteListing> HttpLister::run()
{
    const QUrl repository(m_access.url, QUrl::StrictMode);
    if (!repository.isValid() || repository.host().isEmpty())
        return failure(ErrorCategory::Config, QStringLiteral("%1 is not a valid URL").arg(m_access.displayUrl));
    if (!repository.userInfo().isEmpty()) // credentials travel only in the Authorization header
        return failure(ErrorCategory::Config, QStringLiteral("%1 still holds credentials in its URL").arg(m_access.displayUrl));
    const QUrl infoRefs = serviceUrl(repository, QStringLiteral("/info/refs"), QStringLiteral("service=git-upload-pack"));
    const QUrl uploadPack = serviceUrl(repository, QStringLiteral("/git-upload-pack"));

    auto proxy = proxyFor(m_access, infoRefs);
    if (!proxy)
        return proxy.error();
    m_proxied = proxy->type() != QNetworkProxy::NoProxy;
    m_ssl = QSslConfiguration::defaultConfiguration();
    if (const QList<QSslCertificate> extra = extraCaCertificates(); !extra.isEmpty())
        m_ssl.addCaCertificates(extra);
    m_manager = std::make_unique<QNetworkAccessManager>();
    m_manager->setProxy(*proxy);
    m_manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_manager->setStrictTransportSecurityEnabled(false);

    // 1. The capability advertisement. A v0 one is cut at its first line: the caller falls back.
    PktReader reader;
    AdvertisementParser advertisement(true);
    Step step = Step::NeedMore;
    auto advertised = send(infoRefs, nullptr, [&](const QByteArray &chunk) {
        reader.feed(chunk);
        step = advertisement.feed(reader);
        if (step == Step::Done && !advertisement.isV2())
            return false;
        return step != Step::Failed;
    }, QStringLiteral("ref advertisement"));
    if (!advertised)
        return advertised.error();
    if (advertised->contentType != "application/x-git-upload-pack-advertisement")
        return unsupported(m_access.displayUrl, QStringLiteral("not a smart HTTP server (content type %1)")
                                                    .arg(printable(QString::fromLatin1(advertised->contentType), 80)));
    if (step == Step::Failed)
        return parseFailure(m_access.displayUrl, QStringLiteral("capability advertisement"), advertisement.error(),
                            advertisement.serverError(), false, false);
    if (step == Step::Done && !advertisement.isV2())
        return unsupported(m_access.displayUrl, QStringLiteral("the server answered with a protocol v0 advertisement"));
    if (step != Step::Done)
        return parseFailure(m_access.displayUrl, QStringLiteral("capability advertisement"),
                            QStringLiteral("it ended before its flush"), {}, false, false);
    QByteArray format;
    if (auto refused = checkAdvertisement(m_access.displayUrl, advertisement, reader, &format))
        return *refused;

    // 2. ls-refs.
    PktReader listing;
    LsRefsParser refs(m_prefixes, m_limits.limits().maxListedRefs);
    step = Step::NeedMore;
    const QByteArray body = lsRefsRequest(m_prefixes, !format.isEmpty());
    auto listed = send(uploadPack, &body, [&](const QByteArray &chunk) {
        listing.feed(chunk);
        step = refs.feed(listing);
        return step != Step::Failed;
    }, QStringLiteral("ls-refs request"));
    if (!listed)
        return listed.error();
    if (listed->contentType != "application/x-git-upload-pack-result")
        return failure(ErrorCategory::Network, QStringLiteral("%1: the ls-refs answer has the content type %2")
                                                   .arg(m_access.displayUrl, printable(QString::fromLatin1(listed->contentType), 80)));
    if (step == Step::Failed)
        return parseFailure(m_access.displayUrl, QStringLiteral("ref listing"), refs.error(), refs.serverError(),
                            refs.invalidRefName(), refs.cut());
    if (step != Step::Done)
        return parseFailure(m_access.displayUrl, QStringLiteral("ref listing"), QStringLiteral("it ended before its flush"), {},
                            false, false);
    return refs.takeListing();
}

} // namespace

Result<RemoteListing> listOverHttp(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes)
{
    return HttpLister(access, limits, prefixes).run();
}

} // namespace md::git::v2
