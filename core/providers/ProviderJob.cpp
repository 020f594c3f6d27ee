#include "providers/ProviderJob.h"

#include "util/Log.h"
#include "util/Scrub.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace md::providers::detail {

namespace {

// A listing stops past this many pages (10,000 × 100 repositories), whatever the server says.
constexpr int kMaxPages = 10000;
const QString kMask = QStringLiteral("*****");

// Masks `secret` wherever it appears in `text`.
QString masked(QString text, const QList<QString> &secrets)
{
    for (const QString &secret : secrets)
        text.replace(secret, kMask);
    return text;
}

// The token as a server could echo it: raw, and as the basic-auth pair.
QList<QString> secretForms(const Session &session)
{
    const QByteArray &token = session.token();
    if (token.size() < 4) // too short to find without mangling the message; nothing to hide anyway
        return {};
    QList<QString> forms{QString::fromUtf8(token)};
    if (!session.access().username.isEmpty())
        forms << QString::fromLatin1((session.access().username.toUtf8() + ':' + token).toBase64());
    forms << QString::fromLatin1(token.toBase64());
    return forms;
}

} // namespace

QByteArray segment(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

QByteArray segments(const QString &path)
{
    QByteArrayList parts;
    for (const QString &part : path.split(QLatin1Char('/')))
        parts << segment(part);
    return parts.join('/');
}

QString withoutCredentials(const QString &url)
{
    QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.scheme().isEmpty() || parsed.userInfo().isEmpty())
        return url; // SCP-style "git@host:path" and the like are kept as given
    const bool ssh = parsed.scheme() == QLatin1String("ssh");
    if (ssh && parsed.password().isEmpty())
        return url; // an SSH login name is no credential
    parsed.setPassword(QString());
    if (!ssh)
        parsed.setUserName(QString());
    return parsed.toString(QUrl::FullyEncoded);
}

QString serverMessage(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body.left(64 * 1024));
    if (!document.isObject())
        return {};
    const QJsonObject object = document.object();
    QString text;
    const QJsonValue message = object.value(QStringLiteral("message"));
    if (message.isString()) {
        text = message.toString();
    } else if (message.isObject()) {
        // GitLab: {"message": {"path": ["has already been taken"], …}}
        QStringList parts;
        const QJsonObject fields = message.toObject();
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            QStringList reasons;
            for (const QJsonValue &reason : it.value().toArray())
                reasons << reason.toString();
            parts << QStringLiteral("%1 %2").arg(it.key(), reasons.join(QStringLiteral(", ")));
        }
        text = parts.join(QStringLiteral("; "));
    } else if (const QJsonArray errors = object.value(QStringLiteral("errors")).toArray(); !errors.isEmpty()) {
        text = errors.first().toObject().value(QStringLiteral("message")).toString(); // Bitbucket Server
    } else if (const QJsonValue error = object.value(QStringLiteral("error")); error.isObject()) {
        text = error.toObject().value(QStringLiteral("message")).toString(); // Bitbucket Cloud
    } else if (error.isString()) {
        text = error.toString();
    }
    return text.isEmpty() ? QString() : quoteInput(text, 200);
}

Error statusError(const Session &session, const HttpResponse &response, const QString &what)
{
    const QString host = session.host();
    const QString said = serverMessage(response.body);
    const QString saying = said.isEmpty() ? QString() : QStringLiteral(": %1").arg(said);
    switch (response.status) {
    case 401:
        return httpError(ErrorCategory::Auth,
                         session.token().isEmpty()
                             ? QStringLiteral("%1 asks for a token (HTTP 401) for %2").arg(host, what)
                             : QStringLiteral("%1 refused the token (HTTP 401) for %2; check the credential").arg(host, what),
                         401);
    case 403:
        return httpError(ErrorCategory::NotFound,
                         QStringLiteral("%1 forbids %2 (HTTP 403): the token cannot see it%3").arg(host, what, saying), 403);
    case 404:
        return httpError(ErrorCategory::NotFound, QStringLiteral("%1 has no %2 (HTTP 404), or the token cannot see it").arg(host, what), 404);
    default:
        return httpError(ErrorCategory::Network,
                         QStringLiteral("%1 answered HTTP %2 to %3%4").arg(host).arg(response.status).arg(what, saying), response.status);
    }
}

QByteArray linkNext(const QByteArray &link)
{
    // Link: <https://…?page=2>; rel="next", <https://…?page=5>; rel="last"
    qsizetype pos = 0;
    while (pos < link.size()) {
        const qsizetype open = link.indexOf('<', pos);
        if (open < 0)
            break;
        const qsizetype close = link.indexOf('>', open + 1);
        if (close < 0)
            break;
        const QByteArray target = link.mid(open + 1, close - open - 1).trimmed();
        qsizetype end = link.indexOf('<', close + 1);
        if (end < 0)
            end = link.size();
        for (const QByteArray &param : link.mid(close + 1, end - close - 1).split(';')) {
            const QByteArray trimmed = param.trimmed();
            if (!trimmed.toLower().startsWith("rel"))
                continue;
            const qsizetype equals = trimmed.indexOf('=');
            if (equals < 0)
                continue;
            QByteArray rels = trimmed.mid(equals + 1).trimmed();
            if (rels.endsWith(','))
                rels.chop(1);
            if (rels.startsWith('"') && rels.endsWith('"') && rels.size() >= 2)
                rels = rels.mid(1, rels.size() - 2);
            for (const QByteArray &rel : rels.split(' ')) {
                if (rel.trimmed().toLower() == "next")
                    return target;
            }
        }
        pos = end;
    }
    return {};
}

QByteArray headerNext(const HttpResponse &response)
{
    if (const QByteArray next = linkNext(response.header("Link")); !next.isEmpty())
        return next;
    // GitLab without Link (keyset off, some proxies strip it): X-Next-Page, empty on the last.
    const QByteArray page = response.header("X-Next-Page").trimmed();
    bool ok = false;
    if (page.isEmpty() || page.toLongLong(&ok) <= 0 || !ok)
        return {};
    QUrl url = response.url;
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("page"));
    query.addQueryItem(QStringLiteral("page"), QString::fromLatin1(page));
    url.setQuery(query);
    return url.toEncoded();
}

// ---- Dialect defaults -------------------------------------------------------------------------------

QString Dialect::badOwner(const QString &owner) const
{
    if (owner.contains(QLatin1Char('/')))
        return QStringLiteral("%1 is not a valid %2 name (it holds a \"/\")").arg(quoted(owner), ownerNoun());
    return {};
}

std::optional<QUrl> Dialect::fallbackUrl(const Session &, const QString &, const QUrl &) const
{
    return std::nullopt;
}

// ---- Job --------------------------------------------------------------------------------------------

Job::Job(Session &session, QObject *context, QString what)
    : QObject(context)
    , m_session(session)
    , m_what(std::move(what))
    , m_context(context)
{
}

Job::~Job()
{
    if (m_exchange)
        m_exchange->abort();
}

void Job::begin()
{
    QMetaObject::invokeMethod(this, [this] {
        if (m_ended)
            return;
        if (const auto &problem = m_session.setupError()) {
            fail(*problem);
            return;
        }
        start();
    }, Qt::QueuedConnection);
}

void Job::cancel()
{
    if (m_ended)
        return;
    if (m_exchange)
        m_exchange->abort();
    m_exchange = nullptr;
    fail(Error{ErrorCategory::Interrupted, QStringLiteral("cancelled: %1").arg(m_what), {}, 0, 0});
}

void Job::waiting(const QDateTime &, const QString &)
{
}

bool Job::end()
{
    if (m_ended)
        return false;
    m_ended = true;
    if (m_exchange)
        m_exchange->abort();
    m_exchange = nullptr;
    deleteLater();
    return true;
}

void Job::post(std::function<void()> call)
{
    if (!m_context)
        return;
    QMetaObject::invokeMethod(m_context.data(), std::move(call), Qt::QueuedConnection);
}

void Job::fail(Error error)
{
    if (m_ended)
        return;
    // Belt and braces: no message says the token, even if a server echoed it back.
    const QList<QString> secrets = secretForms(m_session);
    error.message = scrubText(masked(error.message, secrets));
    error.field = masked(error.field, secrets);
    if (!error.detail.isEmpty() && !secrets.isEmpty()) {
        const QString json = QString::fromUtf8(QJsonDocument(error.detail).toJson(QJsonDocument::Compact));
        const QString clean = masked(json, secrets);
        if (clean != json)
            error.detail = QJsonDocument::fromJson(clean.toUtf8()).object();
    }
    qCInfo(lcProviders).noquote() << error.message;
    deliverError(std::move(error));
}

void Job::send(HttpRequest request, std::function<void(HttpResponse)> then)
{
    if (m_ended)
        return;
    auto *exchange = new Exchange(
        m_session, std::move(request), m_counters,
        [this](const QDateTime &until, const QString &message) { waiting(until, message); },
        [this, then = std::move(then)](Result<HttpResponse> result) {
            m_exchange = nullptr;
            if (m_ended)
                return;
            if (!result) {
                fail(result.error());
                return;
            }
            then(std::move(result).value());
        },
        this);
    m_exchange = exchange;
    exchange->start();
}

void Job::fetchPages(Pages pages)
{
    m_pages = std::move(pages);
    m_pageNumber = 0;
    fetchPage(m_pages->first);
}

void Job::fetchPage(const QUrl &url)
{
    const QString key = url.toString(QUrl::FullyEncoded);
    if (m_pagesRead.contains(key)) {
        fail(Error{ErrorCategory::Network,
                   QStringLiteral("%1 named page %2 of %3 again as the next page; stopped")
                       .arg(m_session.host())
                       .arg(m_pageNumber)
                       .arg(m_pages->what),
                   {}, 0, 0});
        return;
    }
    if (++m_pageNumber > kMaxPages) {
        fail(Error{ErrorCategory::Network, QStringLiteral("%1 has more than %2 pages; stopped").arg(m_pages->what).arg(kMaxPages), {}, 0, 0});
        return;
    }
    HttpRequest request;
    request.url = url;
    request.what = QStringLiteral("page %1 of %2").arg(m_pageNumber).arg(m_pages->what);
    if (m_pages->cache) {
        const auto it = m_pages->cache->pages.constFind(key);
        if (it != m_pages->cache->pages.constEnd() && !it->etag.isEmpty())
            request.ifNoneMatch = it->etag;
    }
    send(std::move(request), [this, url](HttpResponse response) { onPage(url, response); });
}

void Job::onPage(const QUrl &url, const HttpResponse &response)
{
    const QString key = url.toString(QUrl::FullyEncoded);
    PageCache *cache = m_pages->cache;
    Page page;
    page.number = m_pageNumber;
    page.url = response.url.isValid() ? response.url : url;
    if (response.status == 304) {
        if (!cache || !cache->pages.contains(key)) {
            fail(httpError(ErrorCategory::Network,
                           QStringLiteral("%1 answered 304 Not Modified to page %2 of %3, which was not a conditional request")
                               .arg(m_session.host())
                               .arg(m_pageNumber)
                               .arg(m_pages->what),
                           304));
            return;
        }
        const PageCache::Page &stored = *cache->pages.constFind(key);
        page.body = stored.body;
        page.notModified = true;
        // A 304 may name the pages afresh (a repository added after a full last page); else the
        // stored answer's next page stands.
        page.headerNext = response.hasHeader("Link") || response.hasHeader("X-Next-Page") ? headerNext(response) : stored.next;
    } else if (response.status >= 200 && response.status < 300) {
        page.body = response.body;
        page.headerNext = headerNext(response);
    } else {
        const StatusVerdict verdict = m_pages->onStatus
            ? m_pages->onStatus(response, m_pageNumber)
            : StatusVerdict::failWith(statusError(m_session, response, QStringLiteral("page %1 of %2").arg(m_pageNumber).arg(m_pages->what)));
        switch (verdict.kind) {
        case StatusVerdict::Kind::Fail:
            fail(verdict.error);
            return;
        case StatusVerdict::Kind::Stop:
            if (m_pages->done)
                m_pages->done();
            return;
        case StatusVerdict::Kind::Restart:
            m_pageNumber = 0;
            fetchPage(verdict.restart);
            return;
        }
        return;
    }

    Result<QByteArray> next = m_pages->read(page);
    if (!next) {
        fail(next.error());
        return;
    }
    m_pagesRead.insert(key);
    if (cache) {
        if (page.notModified) {
            cache->pages[key].next = next.value();
        } else if (const QByteArray etag = response.header("ETag"); !etag.isEmpty()) {
            cache->pages.insert(key, PageCache::Page{etag, page.body, next.value()});
        } else {
            cache->pages.remove(key);
        }
    }
    if (m_pages->progress)
        m_pages->progress(page);
    if (next->isEmpty()) {
        if (m_pages->done)
            m_pages->done();
        return;
    }
    const QUrl nextUrl = page.url.resolved(QUrl::fromEncoded(next.value()));
    if (!nextUrl.isValid() || !sameOrigin(nextUrl, m_session.base())) {
        fail(Error{ErrorCategory::Network,
                   QStringLiteral("page %1 of %2 names its next page on another host (%3); not followed, so the token is not sent there")
                       .arg(m_pageNumber)
                       .arg(m_pages->what, nextUrl.host().isEmpty() ? QStringLiteral("none") : quoted(hostLabel(nextUrl))),
                   {}, 0, 0});
        return;
    }
    fetchPage(nextUrl);
}

} // namespace md::providers::detail
