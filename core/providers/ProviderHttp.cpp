#include "providers/ProviderHttp.h"

#include "util/Log.h"
#include "util/Scrub.h"

#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkRequest>
#include <QSslCertificate>

#include <algorithm>
#include <limits>

namespace md::providers::detail {

namespace {

constexpr int kMaxRedirects = 5;
// Rate-limit answers in a row for one request before it gives up (each wait is at least a second,
// so this bounds a server that keeps saying "later" without ever hammering it).
constexpr int kMaxRateLimitWaits = 10;
// A 429 (or a 403 with X-RateLimit-Remaining: 0) that says nothing of when: GitHub's advice is to
// wait at least a minute.
constexpr int kDefaultRateLimitWaitSeconds = 60;
constexpr int kMinRateLimitWaitMs = 1000;
constexpr int kMaxBackoffMs = 60 * 1000;
const QByteArray kUserAgent = QByteArrayLiteral("mirrordesk/" MIRRORDESK_VERSION);

bool hasControlCharacters(const QByteArray &bytes)
{
    return std::any_of(bytes.begin(), bytes.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

QString when(const QDateTime &moment)
{
    const QDateTime utc = moment.toUTC();
    if (utc.date() == QDateTime::currentDateTimeUtc().date())
        return utc.toString(QStringLiteral("HH:mm:ss 'UTC'"));
    return utc.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QString seconds(qint64 ms)
{
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 s").arg(static_cast<double>(ms) / 1000.0, 0, 'f', 1);
}

QString sizeText(qint64 bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MB").arg(static_cast<double>(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    if (bytes >= 1024)
        return QStringLiteral("%1 KB").arg(bytes / 1024);
    return QStringLiteral("%1 bytes").arg(bytes);
}

// BBS: the user may type the REST root instead of the server's.
QString withoutRestSuffix(QString path)
{
    for (const QString &suffix : {QStringLiteral("/rest/api/1.0"), QStringLiteral("/rest/api/latest")}) {
        if (path.endsWith(suffix, Qt::CaseInsensitive)) {
            path.chop(suffix.size());
            break;
        }
    }
    return path;
}

} // namespace

QString hostLabel(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    const int port = url.port(defaultPort);
    QString host = url.host(QUrl::FullyEncoded);
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return port == defaultPort ? host : QStringLiteral("%1:%2").arg(host).arg(port);
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const QString scheme = a.scheme().toLower();
    if (scheme != b.scheme().toLower())
        return false;
    const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
    return a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && a.port(defaultPort) == b.port(defaultPort);
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + quoteInput(text, 100) + QLatin1Char('"');
}

Error httpError(ErrorCategory category, const QString &message, int status)
{
    Error error{category, message, {}, 0, 0};
    if (status != 0)
        error.detail.insert(QStringLiteral("http_status"), status);
    return error;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &pair : headers) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return pair.second;
    }
    return {};
}

bool HttpResponse::hasHeader(const QByteArray &name) const
{
    return std::any_of(headers.begin(), headers.end(),
                       [&name](const auto &pair) { return pair.first.compare(name, Qt::CaseInsensitive) == 0; });
}

// ---- Session ---------------------------------------------------------------------------------------

Session::Session(ProviderAccess access)
    : m_access(std::move(access))
{
    m_setupError = setUp();
}

Session::~Session() = default;

QString Session::title() const
{
    switch (m_access.provider) {
    case Provider::GitHub:
        return QStringLiteral("GitHub");
    case Provider::GitLab:
        return QStringLiteral("GitLab");
    case Provider::BitbucketCloud:
        return QStringLiteral("Bitbucket Cloud");
    case Provider::BitbucketServer:
        return QStringLiteral("Bitbucket Server");
    }
    return {};
}

std::optional<Error> Session::setUp()
{
    QString text = m_access.apiUrl.trimmed();
    if (text.isEmpty())
        text = defaultApiUrl(m_access.provider);
    if (text.isEmpty())
        return Error::config(QStringLiteral("api_url"), QStringLiteral("%1 has no public API: give the server's URL").arg(title()));
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return Error::config(QStringLiteral("api_url"), QStringLiteral("the API URL %1 is not an http(s) URL").arg(quoted(text)));
    if (!url.userInfo().isEmpty())
        return Error::config(QStringLiteral("api_url"),
                             QStringLiteral("the API URL %1 holds credentials: give the token through the credential instead")
                                 .arg(quoted(text)));
    if (url.hasQuery() || url.hasFragment())
        return Error::config(QStringLiteral("api_url"), QStringLiteral("the API URL %1 has a query or fragment").arg(quoted(text)));
    QString path = url.path(QUrl::FullyEncoded);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    if (m_access.provider == Provider::BitbucketServer)
        path = withoutRestSuffix(path);
    m_base = url;
    m_base.setPath(path, QUrl::StrictMode);

    if (hasControlCharacters(m_access.token))
        return Error::config(QStringLiteral("token"), QStringLiteral("the token holds control characters (a line break?)"));
    const QByteArray user = m_access.username.toUtf8();
    if (hasControlCharacters(user) || user.contains(':'))
        return Error::config(QStringLiteral("username"), QStringLiteral("the user name %1 holds a ':' or control characters")
                                                             .arg(quoted(m_access.username)));
    if (!m_access.token.isEmpty()) {
        const bool basic = !user.isEmpty() && (m_access.provider == Provider::BitbucketCloud
                                               || m_access.provider == Provider::BitbucketServer);
        m_authorization = basic ? "Basic " + (user + ':' + m_access.token).toBase64() : "Bearer " + m_access.token;
    }

    m_ssl = QSslConfiguration::defaultConfiguration();
    if (!m_access.caFile.isEmpty()) {
        if (!QFileInfo(m_access.caFile).isFile())
            return Error::config(QStringLiteral("ca_file"), QStringLiteral("the CA file %1 does not exist").arg(quoted(m_access.caFile)));
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(m_access.caFile, QSsl::Pem);
        if (certificates.isEmpty())
            return Error::config(QStringLiteral("ca_file"),
                                 QStringLiteral("no PEM certificate could be read from the CA file %1").arg(quoted(m_access.caFile)));
        m_ssl.addCaCertificates(certificates);
    }

    QNetworkProxy proxy(QNetworkProxy::NoProxy);
    if (m_access.proxy.isEmpty()) {
        const QList<QNetworkProxy> proxies = QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(m_base));
        if (!proxies.isEmpty())
            proxy = proxies.first();
    } else {
        const QString proxyText = m_access.proxy.contains(QLatin1String("://")) ? m_access.proxy
                                                                                : QStringLiteral("http://") + m_access.proxy;
        const QUrl proxyUrl(proxyText, QUrl::StrictMode);
        if (!proxyUrl.isValid() || proxyUrl.host().isEmpty() || proxyUrl.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0)
            return Error::config(QStringLiteral("proxy"), QStringLiteral("the proxy %1 is not an http:// proxy").arg(scrubProxy(m_access.proxy)));
        proxy = QNetworkProxy(QNetworkProxy::HttpProxy, proxyUrl.host(), static_cast<quint16>(proxyUrl.port(80)),
                              proxyUrl.userName(QUrl::FullyDecoded), proxyUrl.password(QUrl::FullyDecoded));
    }

    m_manager = std::make_unique<QNetworkAccessManager>();
    m_manager->setProxy(proxy);
    m_manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // followed here, same origin only
    m_manager->setStrictTransportSecurityEnabled(false);
    m_manager->setAutoDeleteReplies(false);
    return std::nullopt;
}

QUrl Session::url(const QByteArray &encodedPath, const QByteArray &encodedQuery) const
{
    QUrl url = m_base;
    url.setPath(m_base.path(QUrl::FullyEncoded) + QString::fromLatin1(encodedPath), QUrl::StrictMode);
    if (!encodedQuery.isEmpty())
        url.setQuery(QString::fromLatin1(encodedQuery), QUrl::StrictMode);
    return url;
}

QNetworkRequest Session::request(const HttpRequest &request) const
{
    QNetworkRequest r(request.url);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    r.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    r.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    r.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    r.setTransferTimeout(0); // the exchange's own no-progress clock decides
    r.setSslConfiguration(m_ssl);
    r.setRawHeader("User-Agent", kUserAgent);
    if (m_access.provider == Provider::GitHub) {
        r.setRawHeader("Accept", "application/vnd.github+json");
        r.setRawHeader("X-GitHub-Api-Version", "2022-11-28");
    } else {
        r.setRawHeader("Accept", "application/json");
    }
    // The token goes to the base URL's own origin and nowhere else.
    if (!m_authorization.isEmpty() && sameOrigin(request.url, m_base))
        r.setRawHeader("Authorization", m_authorization);
    if (!request.ifNoneMatch.isEmpty())
        r.setRawHeader("If-None-Match", request.ifNoneMatch);
    if (request.method == "POST")
        r.setRawHeader("Content-Type", "application/json");
    return r;
}

// ---- Exchange --------------------------------------------------------------------------------------

Exchange::Exchange(Session &session, HttpRequest request, Counters &counters, Waiting waiting, Done done, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_request(std::move(request))
    , m_counters(counters)
    , m_waiting(std::move(waiting))
    , m_done(std::move(done))
    , m_url(m_request.url)
{
    m_idle.setSingleShot(true);
    m_delay.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, &Exchange::onIdle);
    connect(&m_delay, &QTimer::timeout, this, [this] {
        if (m_waitingForRateLimit) {
            m_waitingForRateLimit = false;
            if (m_waiting)
                m_waiting(QDateTime(), QStringLiteral("the rate limit on %1 has reset; resuming %2").arg(m_session.host(), what()));
        }
        send();
    });
}

Exchange::~Exchange()
{
    stopReply();
}

QString Exchange::what() const
{
    return m_request.what;
}

void Exchange::start()
{
    send();
}

void Exchange::abort()
{
    m_finished = true;
    m_done = nullptr;
    m_waiting = nullptr;
    m_idle.stop();
    m_delay.stop();
    stopReply();
    deleteLater();
}

void Exchange::stopReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

void Exchange::send()
{
    const QString host = m_session.host();
    if (!sameOrigin(m_url, m_session.base())) {
        finish(Error{ErrorCategory::Network,
                     QStringLiteral("%1 named %2 for %3, which is not on %4; refused, so the token is not sent there")
                         .arg(host, quoted(hostLabel(m_url)), what(), host),
                     {}, 0, 0});
        return;
    }
    m_body.clear();
    m_sslErrors.clear();
    m_timedOut = false;
    m_tooLarge = false;
    ++m_counters.requests;
    HttpRequest attempt = m_request;
    attempt.url = m_url;
    const QNetworkRequest request = m_session.request(attempt);
    qCDebug(lcProviders).noquote() << QString::fromLatin1(m_request.method) << scrubText(m_url.toString());
    m_reply = m_request.method == "POST" ? m_session.manager().post(request, m_request.body) : m_session.manager().get(request);
    const qint64 maxBytes = m_session.access().maxPageBytes;
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this, maxBytes] {
        touch();
        bool ok = false;
        const qint64 length = m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
        if (ok && maxBytes > 0 && length > maxBytes) {
            m_tooLarge = true;
            onFinished();
        }
    });
    connect(m_reply, &QNetworkReply::readyRead, this, [this, maxBytes] {
        touch();
        const QByteArray chunk = m_reply->readAll();
        if (maxBytes > 0 && m_body.size() + chunk.size() > maxBytes) {
            m_tooLarge = true;
            onFinished();
            return;
        }
        m_body += chunk;
    });
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this] { touch(); });
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this] { touch(); });
    connect(m_reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: the handshake fails; this keeps the reason for the message.
        QStringList texts;
        for (const QSslError &error : errors)
            texts << error.errorString();
        m_sslErrors = texts.join(QStringLiteral("; "));
    });
    connect(m_reply, &QNetworkReply::finished, this, &Exchange::onFinished);
    m_idle.setInterval(std::max(1, m_session.access().timeoutMs));
    touch();
}

void Exchange::touch()
{
    if (m_session.access().timeoutMs > 0) // 0 or less: no clock
        m_idle.start();
}

void Exchange::onIdle()
{
    if (!m_reply)
        return;
    m_timedOut = true;
    onFinished();
}

void Exchange::onFinished()
{
    if (!m_reply)
        return;
    m_idle.stop();
    QNetworkReply *reply = m_reply;
    const QString host = m_session.host();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorText = reply->errorString();
    HttpResponse response;
    response.status = status;
    response.url = m_url;
    if (!m_timedOut && !m_tooLarge) {
        const QByteArray rest = reply->readAll();
        const qint64 maxBytes = m_session.access().maxPageBytes;
        if (maxBytes > 0 && m_body.size() + rest.size() > maxBytes)
            m_tooLarge = true;
        else
            m_body += rest;
    }
    for (const auto &pair : reply->rawHeaderPairs())
        response.headers.append({pair.first, pair.second});
    response.body = std::move(m_body);
    m_body.clear();
    stopReply(); // aborts what still runs (a timeout, an oversized body)

    if (m_timedOut) {
        finish(Error{ErrorCategory::Timeout,
                     QStringLiteral("%1 made no progress for %2 (%3)").arg(host, seconds(m_session.access().timeoutMs), what()), {}, 0, 0});
        return;
    }
    if (m_tooLarge) {
        Error tooLarge = httpError(ErrorCategory::Network,
                                   QStringLiteral("%1 answered more than %2 for %3; refused").arg(host, sizeText(m_session.access().maxPageBytes), what()),
                                   status);
        tooLarge.detail.insert(QStringLiteral("max_bytes"), static_cast<double>(m_session.access().maxPageBytes));
        finish(std::move(tooLarge));
        return;
    }
    // A transport failure (the NetworkError values below 200), with or without a status line.
    if (status == 0 || (error != QNetworkReply::NoError && static_cast<int>(error) < 200)) {
        switch (error) {
        case QNetworkReply::SslHandshakeFailedError:
            finish(Error{ErrorCategory::Tls,
                         QStringLiteral("TLS with %1 failed (%2): %3").arg(host, what(), scrubText(m_sslErrors.isEmpty() ? errorText : m_sslErrors)),
                         {}, 0, 0});
            return;
        case QNetworkReply::TimeoutError:
            finish(Error{ErrorCategory::Timeout, QStringLiteral("%1 timed out (%2): %3").arg(host, what(), scrubText(errorText)), {}, 0, 0});
            return;
        case QNetworkReply::ProxyAuthenticationRequiredError:
            finish(Error{ErrorCategory::Auth, QStringLiteral("the proxy %1 asks for authentication (%2)").arg(scrubProxy(m_session.access().proxy), what()),
                         {}, 0, 0});
            return;
        default:
            finish(Error{ErrorCategory::Network, QStringLiteral("cannot reach %1 (%2): %3").arg(host, what(), scrubText(errorText)), {}, 0, 0});
            return;
        }
    }

    // Redirects: followed on the same origin (GET only), refused elsewhere.
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        const QUrl target = m_url.resolved(QUrl::fromEncoded(response.header("Location")));
        const QString targetHost = target.host().isEmpty() ? QStringLiteral("nowhere") : quoted(hostLabel(target));
        if (!target.isValid() || !sameOrigin(target, m_session.base())) {
            Error refused = httpError(ErrorCategory::Network,
                                      QStringLiteral("%1 redirected %2 to another host (%3); not followed, so the token is not sent there")
                                          .arg(host, what(), targetHost),
                                      status);
            refused.detail.insert(QStringLiteral("redirect_host"), target.host().isEmpty() ? QString() : printable(hostLabel(target), 100));
            finish(std::move(refused));
            return;
        }
        if (m_request.method != "GET") {
            finish(httpError(ErrorCategory::Network, QStringLiteral("%1 redirected the %2 request (%3); not followed")
                                                         .arg(host, QString::fromLatin1(m_request.method), what()),
                             status));
            return;
        }
        if (++m_redirects > kMaxRedirects) {
            finish(httpError(ErrorCategory::Network, QStringLiteral("%1 redirected %2 more than %3 times").arg(host, what()).arg(kMaxRedirects), status));
            return;
        }
        qCInfo(lcProviders).noquote() << QStringLiteral("following a redirect on %1 to %2").arg(host, scrubText(target.toString()));
        m_url = target;
        send();
        return;
    }

    if (const std::optional<QDateTime> reset = rateLimitReset(response)) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const qint64 maxWaitMs = static_cast<qint64>(std::max(0, m_session.access().maxRateLimitWaitSeconds)) * 1000;
        if (now.msecsTo(*reset) > maxWaitMs) {
            Error tooLate = httpError(ErrorCategory::Network,
                                      QStringLiteral("%1's rate limit on %2 is used up until %3, more than %4 s from now (%5); try again after that")
                                          .arg(m_session.title(), host, reset->toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")))
                                          .arg(m_session.access().maxRateLimitWaitSeconds)
                                          .arg(what()),
                                      status);
            tooLate.detail.insert(QStringLiteral("rate_limit_reset"), reset->toUTC().toString(Qt::ISODate));
            finish(std::move(tooLate));
            return;
        }
        if (++m_rateLimitWaits > kMaxRateLimitWaits) {
            finish(httpError(ErrorCategory::Network,
                             QStringLiteral("%1 kept answering with its rate limit (%2 times in a row) for %3")
                                 .arg(host)
                                 .arg(kMaxRateLimitWaits)
                                 .arg(what()),
                             status));
            return;
        }
        ++m_counters.rateLimitWaits;
        const qint64 waitMs = std::max<qint64>(kMinRateLimitWaitMs, now.msecsTo(*reset));
        const QDateTime until = now.addMSecs(waitMs);
        const QString message = QStringLiteral("waiting for %1's rate limit on %2 until %3 (%4)").arg(m_session.title(), host, when(until), what());
        qCInfo(lcProviders).noquote() << message;
        m_waitingForRateLimit = true;
        if (m_waiting)
            m_waiting(until, message);
        m_delay.start(static_cast<int>(std::min<qint64>(waitMs, std::numeric_limits<int>::max())));
        return;
    }

    if (status >= 500) {
        if (m_serverRetries < m_session.access().maxServerRetries) {
            const qint64 doubled = static_cast<qint64>(std::max(0, m_session.access().backoffBaseMs)) << std::min(m_serverRetries, 16);
            const int delay = static_cast<int>(std::min<qint64>(kMaxBackoffMs, doubled));
            ++m_serverRetries;
            ++m_counters.serverRetries;
            qCInfo(lcProviders).noquote() << QStringLiteral("%1 answered HTTP %2 to %3; retry %4 in %5 ms")
                                                 .arg(host)
                                                 .arg(status)
                                                 .arg(what())
                                                 .arg(m_serverRetries)
                                                 .arg(delay);
            m_delay.start(delay);
            return;
        }
        finish(httpError(ErrorCategory::Network,
                         QStringLiteral("%1 answered HTTP %2 to %3%4")
                             .arg(host)
                             .arg(status)
                             .arg(what(), m_serverRetries > 0 ? QStringLiteral(" (after %1 retries)").arg(m_serverRetries) : QString()),
                         status));
        return;
    }
    finish(std::move(response));
}

std::optional<QDateTime> Exchange::rateLimitReset(const HttpResponse &response) const
{
    if (response.status != 403 && response.status != 429)
        return std::nullopt;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Retry-After: delta-seconds or an HTTP-date (GitHub's secondary limits, GitLab, Bitbucket).
    if (const QByteArray retryAfter = response.header("Retry-After").trimmed(); !retryAfter.isEmpty()) {
        bool ok = false;
        const qint64 delta = retryAfter.toLongLong(&ok);
        if (ok && delta >= 0)
            return now.addSecs(delta);
        const QDateTime date = QDateTime::fromString(QString::fromLatin1(retryAfter), Qt::RFC2822Date);
        if (date.isValid())
            return date.toUTC();
    }
    // GitHub's X-RateLimit-*, GitLab's RateLimit-* (reset: seconds since the epoch).
    QByteArray remaining = response.header("X-RateLimit-Remaining").trimmed();
    QByteArray reset = response.header("X-RateLimit-Reset").trimmed();
    if (remaining.isEmpty()) {
        remaining = response.header("RateLimit-Remaining").trimmed();
        reset = response.header("RateLimit-Reset").trimmed();
    }
    if (remaining == "0") {
        bool ok = false;
        const qint64 epoch = reset.toLongLong(&ok);
        if (ok && epoch > 0)
            return QDateTime::fromSecsSinceEpoch(epoch, Qt::UTC);
        return now.addSecs(kDefaultRateLimitWaitSeconds);
    }
    if (response.status == 429)
        return now.addSecs(kDefaultRateLimitWaitSeconds);
    return std::nullopt; // a 403 that is no rate limit: the caller's "forbidden"
}

void Exchange::finish(Result<HttpResponse> result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_idle.stop();
    m_delay.stop();
    Done done = std::move(m_done);
    m_done = nullptr;
    m_waiting = nullptr;
    deleteLater();
    if (done)
        done(std::move(result));
}

} // namespace md::providers::detail
