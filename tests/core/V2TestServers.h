#pragma once

// Scripted servers for the protocol-v2 lister's tests (TestV2Lister): they answer with whatever
// bytes a test gives, so malformed answers, v0 advertisements, redirects and 401s can be made
// where no real server would send them. Each runs a QTcpServer on 127.0.0.1 and a free port in
// its own thread (LoopbackThread) and records what clients sent.

#include "LoopbackThread.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>

#include <functional>

namespace md::v2test {

// HTTP/1.1: parses each request (headers, Content-Length body) and answers with what `respond`
// returns (a whole raw response; empty: stay silent). Keeps connections alive unless the
// response says "Connection: close".
class ScriptedHttpServer : public fixtures::LoopbackThread {
public:
    struct Request {
        QByteArray method;
        QByteArray target; // path and query as sent
        QMap<QByteArray, QByteArray> headers; // names lowered
        QByteArray body;
    };
    using Responder = std::function<QByteArray(const Request &request, int index)>;

    explicit ScriptedHttpServer(Responder respond) : m_respond(std::move(respond)) {}
    ~ScriptedHttpServer() override { stopAndWait(); }

    QList<Request> requests() const;
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1/%2").arg(port()).arg(path); }

    // A response with a Content-Length.
    static QByteArray response(int status, const QByteArray &contentType, const QByteArray &body,
                               const QList<QPair<QByteArray, QByteArray>> &headers = {});

protected:
    void serve(QTcpServer &server) override;

private:
    Responder m_respond;
    mutable QMutex m_mutex;
    QList<Request> m_requests;
};

// git://: answers the first pkt-line of a connection (the request) with `advertisement`, and
// the pkt-lines that follow, up to a flush (the command), with `listing`. Records what arrived.
class ScriptedGitServer : public fixtures::LoopbackThread {
public:
    ScriptedGitServer(QByteArray advertisement, QByteArray listing, bool closeAfterListing = false)
        : m_advertisement(std::move(advertisement))
        , m_listing(std::move(listing))
        , m_close(closeAfterListing)
    {
    }
    ~ScriptedGitServer() override { stopAndWait(); }

    // Everything clients sent, connection after connection.
    QByteArray received() const;
    QString url(const QString &path) const { return QStringLiteral("git://127.0.0.1:%1/%2").arg(port()).arg(path); }

protected:
    void serve(QTcpServer &server) override;

private:
    QByteArray m_advertisement;
    QByteArray m_listing;
    bool m_close;
    mutable QMutex m_mutex;
    QByteArray m_received;
};

} // namespace md::v2test
