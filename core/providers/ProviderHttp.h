#pragma once

// The machinery every provider shares (internal to core/providers): the session (base URL, auth
// header, TLS and proxy settings, one QNetworkAccessManager) and the exchange, which carries one
// logical request to its end — same-origin redirects followed, 5xx answers retried with backoff,
// rate limits waited out, no-progress timeouts, a cap on the body — on the caller's event loop.

#include "providers/Provider.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkRequest;

namespace md::providers::detail {

// "api.github.com", or "127.0.0.1:8080" when the port is not the scheme's default.
QString hostLabel(const QUrl &url);
// RFC 6454 origins: scheme, host and port (default ports filled in) are the same.
bool sameOrigin(const QUrl &a, const QUrl &b);
// `text` quoted for a message: scrubbed, control characters escaped, cut (util/Scrub.h).
QString quoted(const QString &text);

// An error with detail {"http_status": N} when status is not 0.
Error httpError(ErrorCategory category, const QString &message, int status);

struct HttpResponse {
    int status = 0;
    QByteArray body = {};
    QList<QPair<QByteArray, QByteArray>> headers = {};
    QUrl url = {}; // the URL that answered (after same-origin redirects)

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    bool hasHeader(const QByteArray &name) const;
};

struct HttpRequest {
    QByteArray method = QByteArrayLiteral("GET"); // GET or POST
    QUrl url = {};
    QByteArray body = {};        // POST: sent as application/json
    QByteArray ifNoneMatch = {}; // a stored ETag: a conditional GET
    QString what = {};           // for messages: "page 2 of the repositories of \"acme\""
};

// What an operation counts (ListStats takes them over).
struct Counters {
    int requests = 0;
    int serverRetries = 0;
    int rateLimitWaits = 0;
};

class Session {
public:
    explicit Session(ProviderAccess access);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // Set up once: the base URL, the token, the CA file and the proxy checked. An error here is
    // what every operation answers.
    const std::optional<Error> &setupError() const { return m_setupError; }

    const ProviderAccess &access() const { return m_access; }
    const QUrl &base() const { return m_base; }
    QString host() const { return hostLabel(m_base); }
    QString title() const; // "GitHub", "GitLab", "Bitbucket Cloud", "Bitbucket Server"

    // base + an already percent-encoded path (starting with "/") and query (without "?").
    QUrl url(const QByteArray &encodedPath, const QByteArray &encodedQuery = {}) const;
    // A request to `url` (which must be on the base's origin) with the provider's headers.
    QNetworkRequest request(const HttpRequest &request) const;
    QNetworkAccessManager &manager() { return *m_manager; }
    const QByteArray &token() const { return m_access.token; }

private:
    std::optional<Error> setUp();

    ProviderAccess m_access;
    QUrl m_base;
    QByteArray m_authorization; // the Authorization header's value; empty: anonymous
    QSslConfiguration m_ssl;
    std::unique_ptr<QNetworkAccessManager> m_manager;
    std::optional<Error> m_setupError;
};

// One logical request carried to its end. The answer is given to `done` for 2xx, 304 and any 4xx
// that is not a rate limit; everything else (network, TLS, timeout, 5xx past the retries, a rate
// limit reset too far away, a refused redirect, an oversized body) is an error. `waiting` is told
// when a rate-limit wait starts (until, message) and ends (an invalid until). abort() stops it
// silently. The exchange deletes itself (deleteLater) once it has called `done`.
class Exchange : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(Result<HttpResponse>)>;
    using Waiting = std::function<void(const QDateTime &until, const QString &message)>;

    Exchange(Session &session, HttpRequest request, Counters &counters, Waiting waiting, Done done, QObject *parent);
    ~Exchange() override;

    void start();
    void abort();

private:
    void send();
    void onFinished();
    void onIdle();
    void touch(); // progress: the no-progress clock starts over
    void stopReply();
    void retryAfter(int delayMs);
    void finish(Result<HttpResponse> result);
    // A rate-limit answer: the time it resets, or nullopt when `response` is not one.
    std::optional<QDateTime> rateLimitReset(const HttpResponse &response) const;
    QString what() const;

    Session &m_session;
    HttpRequest m_request;
    Counters &m_counters;
    Waiting m_waiting;
    Done m_done;
    QUrl m_url; // where the next attempt goes (a same-origin redirect moves it)
    QNetworkReply *m_reply = nullptr;
    QByteArray m_body;
    QString m_sslErrors;
    QTimer m_idle;  // no progress for timeoutMs
    QTimer m_delay; // backoff and rate-limit waits
    int m_serverRetries = 0;
    int m_rateLimitWaits = 0;
    int m_redirects = 0;
    bool m_waitingForRateLimit = false;
    bool m_timedOut = false;
    bool m_tooLarge = false;
    bool m_finished = false;
};

} // namespace md::providers::detail
