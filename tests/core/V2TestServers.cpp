#include "V2TestServers.h"

#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace md::v2test {

namespace {

// Lengths of the complete pkt-lines at the start of `data` (flush etc. as 0), until one is
// incomplete.
QList<int> pktLengths(const QByteArray &data)
{
    QList<int> lengths;
    qsizetype at = 0;
    while (at + 4 <= data.size()) {
        bool ok = false;
        const int length = data.mid(at, 4).toInt(&ok, 16);
        if (!ok)
            break;
        const int size = length < 4 ? 4 : length;
        if (at + size > data.size())
            break;
        lengths.append(length);
        at += size;
    }
    return lengths;
}

} // namespace

QByteArray ScriptedHttpServer::response(int status, const QByteArray &contentType, const QByteArray &body,
                                        const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    for (const auto &header : headers)
        out += header.first + ": " + header.second + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    return out + body;
}

QList<ScriptedHttpServer::Request> ScriptedHttpServer::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

void ScriptedHttpServer::serve(QTcpServer &server)
{
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, this] {
        while (QTcpSocket *client = server.nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            QObject::connect(client, &QTcpSocket::readyRead, client, [this, client, buffer] {
                *buffer += client->readAll();
                for (;;) {
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    Request request;
                    const QList<QByteArray> lines = buffer->left(end).split('\n');
                    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
                    request.method = first.value(0);
                    request.target = first.value(1);
                    for (qsizetype i = 1; i < lines.size(); ++i) {
                        const qsizetype colon = lines.at(i).indexOf(':');
                        if (colon > 0)
                            request.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
                    }
                    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
                    if (buffer->size() < end + 4 + length)
                        return;
                    request.body = buffer->mid(end + 4, length);
                    buffer->remove(0, end + 4 + length);
                    int index = 0;
                    {
                        QMutexLocker lock(&m_mutex);
                        index = static_cast<int>(m_requests.size());
                        m_requests.append(request);
                    }
                    const QByteArray answer = m_respond(request, index);
                    if (answer.isEmpty())
                        continue; // silent
                    client->write(answer);
                    if (answer.left(answer.indexOf("\r\n\r\n")).toLower().contains("connection: close")) {
                        client->disconnectFromHost();
                        return;
                    }
                }
            });
        }
    });
}

QByteArray ScriptedGitServer::received() const
{
    QMutexLocker lock(&m_mutex);
    return m_received;
}

void ScriptedGitServer::serve(QTcpServer &server)
{
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, this] {
        while (QTcpSocket *client = server.nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            auto stage = std::make_shared<int>(0); // 0: request, 1: command, 2: done
            QObject::connect(client, &QTcpSocket::readyRead, client, [this, client, buffer, stage] {
                const QByteArray data = client->readAll();
                {
                    QMutexLocker lock(&m_mutex);
                    m_received += data;
                }
                *buffer += data;
                const QList<int> lengths = pktLengths(*buffer);
                if (*stage == 0 && !lengths.isEmpty()) {
                    *stage = 1;
                    buffer->remove(0, lengths.first());
                    client->write(m_advertisement);
                    return;
                }
                if (*stage == 1 && lengths.contains(0)) {
                    *stage = 2;
                    client->write(m_listing);
                    if (m_close)
                        client->disconnectFromHost();
                }
            });
        }
    });
}

} // namespace md::v2test
