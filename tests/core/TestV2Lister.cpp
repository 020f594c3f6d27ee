// The protocol-v2 ls-refs lister (core/git/V2Lister.h) against real servers — git daemon, git
// http-backend behind lighttpd (HTTP, HTTPS with a test CA, basic auth), tinyproxy — compared
// with libgit2's v0 listRemote(), and against scripted servers for what no real server sends
// (v0 answers, malformed pkt-lines, redirects, silence).

#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "HttpProxyServer.h"
#include "ServerProcess.h"
#include "SilentServer.h"
#include "V2TestServers.h"
#include "V2ListerTestUtil.h"

#include "git/GitLibrary.h"
#include "git/RemoteLister.h"
#include "git/V2Lister.h"
#include "git/V2Protocol.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using namespace md::v2test;
using namespace Qt::StringLiterals;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;
using md::fixtures::HttpProxyServer;
using md::fixtures::SilentServer;

class TestV2Lister : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_srv;
    GitDaemonServer m_daemon;
    HttpGitServer m_http;
    QString m_main;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(git::GitLibrary::initialize(git::GitOptions{}).ok());
        m_srv = m_dir.filePath(u"srv"_s);
        QVERIFY_THROWS_NO_EXCEPTION(m_main = buildGitHubShapedRepository(m_srv + u"/big.git"_s, m_dir.filePath(u"work"_s)));
        QVERIFY2(m_daemon.start(m_srv), qPrintable(m_daemon.errorString()));
        QVERIFY2(m_http.start(m_srv), qPrintable(m_http.errorString()));
    }

    // The v2 listing of heads and tags is libgit2's v0 listing restricted to them, for a fraction
    // of the bytes.
    void gitDaemonListsHeadsAndTagsLikeLibgit2() { compareWithLibgit2(accessFor(m_daemon.url(u"big.git"_s)), v0BytesGit(m_daemon.port(), "/big.git")); }
    void httpListsHeadsAndTagsLikeLibgit2() { compareWithLibgit2(accessFor(m_http.url(u"big.git"_s)), v0BytesHttp(m_http.port(), "/git/big.git")); }

    void everyRefWithoutPrefixes()
    {
        for (const QString &url : {m_daemon.url(u"big.git"_s), m_http.url(u"big.git"_s)}) {
            const git::RemoteAccess access = accessFor(url);
            const Outcome v2 = onWorker(access, limits(), {});
            QVERIFY2(v2.result.ok(), qPrintable(messageOf(v2.result)));
            auto v0 = git::listRemote(access, limits());
            QVERIFY2(v0.ok(), qPrintable(messageOf(v0)));
            QCOMPARE(tips(v2.result->refs), tips(v0->refs));
            QVERIFY(tips(v2.result->refs).contains(u"refs/pull/7/merge"_s));
            QCOMPARE(v2.result->headTarget, u"refs/heads/main"_s);
        }
    }

    void onTheMainThreadHttpRunsOnAHelperThread()
    {
        auto listing = git::listRefsV2(accessFor(m_http.url(u"big.git"_s)), limits(), git::mirroredRefPrefixes());
        QVERIFY2(listing.ok(), qPrintable(messageOf(listing)));
        QCOMPARE(listing->headTarget, u"refs/heads/main"_s);
        QVERIFY(git::lastV2BytesReceived() > 0);
    }

    void urlRulesAndRequestShape()
    {
        ScriptedHttpServer server([](const ScriptedHttpServer::Request &request, int) {
            if (request.method == "GET")
                return ScriptedHttpServer::response(200, "application/x-git-upload-pack-advertisement", v2Advertisement(true));
            // A server may ignore ref-prefix: what was not asked for is dropped unjudged.
            return ScriptedHttpServer::response(200, "application/x-git-upload-pack-result",
                                                listingOf({mainLine(), pullLine(), mainLine().left(40) + " refs/pull/\xff..\x01"}));
        });
        QVERIFY(server.startListening());
        const Outcome v2 = onWorker(accessFor(server.url(u"team/x.git/"_s)), limits(), git::mirroredRefPrefixes());
        QVERIFY2(v2.result.ok(), qPrintable(messageOf(v2.result)));
        QCOMPARE(v2.result->refs.size(), 1);
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[0].target, "/team/x.git/info/refs?service=git-upload-pack"_ba);
        QCOMPARE(requests[0].headers.value("git-protocol"), "version=2"_ba);
        QVERIFY(!requests[0].headers.contains("authorization"));
        QCOMPARE(requests[1].method, "POST"_ba);
        QCOMPARE(requests[1].target, "/team/x.git/git-upload-pack"_ba);
        QCOMPARE(requests[1].headers.value("content-type"), "application/x-git-upload-pack-request"_ba);
        QCOMPARE(requests[1].headers.value("accept"), "application/x-git-upload-pack-result"_ba);
        QCOMPARE(requests[1].headers.value("git-protocol"), "version=2"_ba);
        QCOMPARE(requests[1].body, git::v2::lsRefsRequest(git::mirroredRefPrefixes(), true));
        for (const QByteArray &line : {"command=ls-refs\n"_ba, "symrefs\n"_ba, "peel\n"_ba, "ref-prefix HEAD\n"_ba, "ref-prefix refs/heads/\n"_ba, "ref-prefix refs/tags/\n"_ba})
            QVERIFY2(requests[1].body.contains(git::v2::pktLine(line)), line.constData());
    }

    void gitRequestShape()
    {
        ScriptedGitServer server(v2Advertisement(false), listingOf({mainLine()}));
        QVERIFY(server.startListening());
        const Outcome v2 = onWorker(accessFor(server.url(u"team/x.git"_s)), limits(), git::mirroredRefPrefixes());
        QVERIFY2(v2.result.ok(), qPrintable(messageOf(v2.result)));
        const QByteArray request = "git-upload-pack /team/x.git\0host=127.0.0.1:"_ba + QByteArray::number(server.port()) + "\0\0version=2\0"_ba;
        QVERIFY(server.received().startsWith(git::v2::pktLine(request)));
        QVERIFY(server.received().contains(git::v2::lsRefsRequest(git::mirroredRefPrefixes(), true)));
        QVERIFY(server.received().endsWith("0000"));
        QCOMPARE(v2.bytes, qint64(v2Advertisement(false).size() + listingOf({mainLine()}).size()));
    }

    void httpsWithTheConfiguredCaFile()
    {
        HttpGitServer https;
        QVERIFY2(https.start(m_srv, HttpGitServer::Options{true, {}, {}, false}), qPrintable(https.errorString()));
        const git::RemoteAccess access = accessFor(https.url(u"big.git"_s));
        QVERIFY(git::GitLibrary::initialize(git::GitOptions{https.caFile()}).ok());
        compareWithLibgit2(access, 0);
        // Through a proxy (HTTP CONNECT), with the same CA.
        HttpProxyServer proxy;
        QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
        git::RemoteAccess proxied = access;
        proxied.proxy = proxy.url();
        const Outcome tunnelled = onWorker(proxied, limits(), git::mirroredRefPrefixes());
        QVERIFY2(tunnelled.result.ok(), qPrintable(messageOf(tunnelled.result)));
        QTRY_VERIFY_WITH_TIMEOUT(proxy.requests().join(u'\n').contains(u"CONNECT localhost:%1"_s.arg(https.port())), 5000);
        // Without the test CA the certificate is refused, never ignored.
        QVERIFY(git::setV2CaFile(QString()).ok());
        const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY(!refused.result.ok());
        QCOMPARE(errorCategoryName(refused.result.error().category), u"tls"_s);
        QVERIFY(!git::isV2Unsupported(refused.result.error()));
        QVERIFY(git::setV2CaFile(https.caFile()).ok());
        QVERIFY(!git::setV2CaFile(m_dir.filePath(u"nothing.pem"_s)).ok());
    }

    void basicAuth()
    {
        HttpGitServer server;
        QVERIFY2(server.start(m_srv, HttpGitServer::Options{false, u"alice"_s, u"s3cret"_s, false}), qPrintable(server.errorString()));
        const QString url = server.url(u"big.git"_s);
        const Outcome right = onWorker(accessFor(url, u"alice"_s, "s3cret"), limits(), git::mirroredRefPrefixes());
        QVERIFY2(right.result.ok(), qPrintable(messageOf(right.result)));
        QCOMPARE(right.result->headTarget, u"refs/heads/main"_s);
        for (const git::RemoteAccess &access : {accessFor(url, u"alice"_s, "wrong"), accessFor(url)}) {
            const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
            QVERIFY(!refused.result.ok());
            QCOMPARE(errorCategoryName(refused.result.error().category), u"auth"_s);
            QVERIFY(!refused.result.error().message.contains(u"wrong"_s));
        }
    }

    // The secret goes only to access.hostPort: asked by another host:port, it is not sent.
    void credentialIsSentOnlyToItsOwnHost()
    {
        ScriptedHttpServer server([](const ScriptedHttpServer::Request &, int) {
            return ScriptedHttpServer::response(401, "text/plain", "no", {{"WWW-Authenticate", "Basic realm=\"git\""}});
        });
        QVERIFY(server.startListening());
        git::RemoteAccess access = accessFor(server.url(u"x.git"_s), u"alice"_s, "s3cret");
        access.hostPort = u"elsewhere.example:443"_s;
        const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY(!refused.result.ok());
        QCOMPARE(errorCategoryName(refused.result.error().category), u"auth"_s);
        QVERIFY(refused.result.error().message.contains(u"another host"_s));
        for (const auto &request : server.requests())
            QVERIFY(!request.headers.contains("authorization"));
    }

    // A 401 is answered (on the endpoint's own host), then a redirect to another host:port is
    // refused: nothing, and so no secret, reaches the other one.
    void redirectToAnotherHostIsRefused()
    {
        ScriptedHttpServer other([](const ScriptedHttpServer::Request &, int) {
            return ScriptedHttpServer::response(200, "text/plain", "other");
        });
        QVERIFY(other.startListening());
        const QByteArray location = other.url(u"x.git/info/refs?service=git-upload-pack"_s).toLatin1();
        ScriptedHttpServer first([location](const ScriptedHttpServer::Request &request, int) {
            if (!request.headers.contains("authorization"))
                return ScriptedHttpServer::response(401, "text/plain", "who?", {{"WWW-Authenticate", "Basic realm=\"git\""}});
            return ScriptedHttpServer::response(302, "text/plain", "moved", {{"Location", location}});
        });
        QVERIFY(first.startListening());
        const git::RemoteAccess access = accessFor(first.url(u"x.git"_s), u"alice"_s, "s3cret");
        const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY(!refused.result.ok());
        QVERIFY(!git::isV2Unsupported(refused.result.error()));
        QCOMPARE(errorCategoryName(refused.result.error().category), u"network"_s);
        QVERIFY2(refused.result.error().message.contains(u"127.0.0.1:%1"_s.arg(other.port())), qPrintable(messageOf(refused.result)));
        QVERIFY(!refused.result.error().message.contains(u"s3cret"_s));
        const auto requests = first.requests();
        QCOMPARE(requests.size(), 2);
        QVERIFY(!requests[0].headers.contains("authorization"));
        QCOMPARE(requests[1].headers.value("authorization"), "Basic " + "alice:s3cret"_ba.toBase64());
        QCOMPARE(other.requests().size(), 0);
    }

    // The category of a refused redirect is libgit2's for the same (a redirect to another address,
    // 127.0.0.2, which libgit2 1.5.1 also refuses; it follows one to another port of the same
    // address even with GIT_REMOTE_REDIRECT_NONE).
    void refusedRedirectHasLibgit2sCategory()
    {
        ScriptedHttpServer first([](const ScriptedHttpServer::Request &, int) {
            return ScriptedHttpServer::response(302, "text/plain", "moved",
                                                {{"Location", "http://127.0.0.2:9/x.git/info/refs?service=git-upload-pack"}});
        });
        QVERIFY(first.startListening());
        const git::RemoteAccess access = accessFor(first.url(u"x.git"_s), u"alice"_s, "s3cret");
        const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY(!refused.result.ok());
        QVERIFY2(refused.result.error().message.contains(u"to 127.0.0.2:9;"_s), qPrintable(messageOf(refused.result)));
        QCOMPARE(first.requests().size(), 1); // not followed, not even on the same host
        auto v0 = git::listRemote(access, limits());
        QVERIFY(!v0.ok());
        QCOMPARE(errorCategoryName(refused.result.error().category), errorCategoryName(v0.error().category));
    }

    void silentServersTimeOut_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::newRow("git") << u"git"_s;
        QTest::newRow("http") << u"http"_s;
        QTest::newRow("https") << u"https"_s; // the handshake never ends: the connect clock
    }

    void silentServersTimeOut()
    {
        QFETCH(QString, scheme);
        SilentServer silent;
        QVERIFY(silent.start());
        git::StreamLimits tight = limits();
        tight.connectTimeoutMs = 1000;
        tight.stallTimeoutMs = 1000;
        const Outcome timedOut = onWorker(accessFor(u"%1://%2/x.git"_s.arg(scheme, silent.address())), tight, git::mirroredRefPrefixes());
        QVERIFY(!timedOut.result.ok());
        QCOMPARE(errorCategoryName(timedOut.result.error().category), u"timeout"_s);
        QVERIFY2(timedOut.ms >= 900 && timedOut.ms < 3000, qPrintable(QString::number(timedOut.ms)));
        QVERIFY(silent.connectionCount() >= 1);
    }

    // A connect the server's full accept queue delays (the client's SYN is dropped and sent
    // again a second later) is waited for, up to the connect timeout, in slices that still look
    // at the limits; past the timeout it is category timeout.
    void slowConnectsAreWaitedForUpToTheTimeout_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<bool>("release");
        QTest::newRow("git, released") << u"git"_s << true;
        QTest::newRow("git, never") << u"git"_s << false;
        QTest::newRow("http, never") << u"http"_s << false;
    }

    void slowConnectsAreWaitedForUpToTheTimeout()
    {
        QFETCH(QString, scheme);
        QFETCH(bool, release);
        QTcpServer server; // not accepting until released: this thread runs no event loop meanwhile
        server.setListenBacklogSize(1);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        std::vector<std::unique_ptr<QTcpSocket>> fillers;
        for (int i = 0; i < 8; ++i) {
            auto filler = std::make_unique<QTcpSocket>();
            filler->connectToHost(QHostAddress::LocalHost, server.serverPort());
            const bool queued = filler->waitForConnected(300);
            if (!queued)
                break; // the queue is full: this one's SYN was dropped
            fillers.push_back(std::move(filler));
        }
        QVERIFY(fillers.size() >= 1 && fillers.size() < 8);
        git::StreamLimits slow = limits();
        slow.connectTimeoutMs = release ? 8000 : 1200;
        std::optional<Outcome> outcome;
        std::unique_ptr<QThread> worker(QThread::create([&] {
            outcome.emplace(onWorker(accessFor(u"%1://127.0.0.1:%2/x.git"_s.arg(scheme).arg(server.serverPort())), slow,
                                     git::mirroredRefPrefixes()));
        }));
        worker->start();
        if (release) {
            QThread::msleep(300);
            // (waitForNewConnection() waits for a connection beyond those already pending.)
            for (int i = 0; i < int(fillers.size()); ++i) {
                QVERIFY(server.hasPendingConnections() || server.waitForNewConnection(2000));
                delete server.nextPendingConnection();
            }
            // The lister's connection, once its SYN is sent again: answer it as a v2 server.
            const bool arrived = server.hasPendingConnections() || server.waitForNewConnection(5000);
            if (!arrived) {
                worker->wait();
                QFAIL(qPrintable(u"no connection; the lister said after %1 ms: %2"_s.arg(outcome->ms).arg(messageOf(outcome->result))));
            }
            std::unique_ptr<QTcpSocket> client(server.nextPendingConnection());
            QVERIFY(client->waitForReadyRead(3000));
            client->readAll();
            client->write(v2Advertisement(false));
            QByteArray command;
            while (!command.endsWith("0000") && client->waitForReadyRead(3000))
                command += client->readAll();
            client->write(listingOf({mainLine()}));
            client->waitForBytesWritten(3000);
            worker->wait();
            client->waitForDisconnected(1000);
            QVERIFY2(outcome->result.ok(), qPrintable(messageOf(outcome->result)));
            QVERIFY2(outcome->ms >= 900, qPrintable(QString::number(outcome->ms))); // the SYN sent again, 1 s later
            return;
        }
        worker->wait();
        QVERIFY(!outcome->result.ok());
        QCOMPARE(errorCategoryName(outcome->result.error().category), u"timeout"_s);
        QVERIFY2(outcome->result.error().message.contains(u"connecting to"_s), qPrintable(messageOf(outcome->result)));
        QVERIFY2(outcome->ms >= 1100 && outcome->ms < 3000, qPrintable(QString::number(outcome->ms)));
    }

    void deadlineAndCancel()
    {
        SilentServer silent;
        QVERIFY(silent.start());
        const git::RemoteAccess access = accessFor(u"http://%1/x.git"_s.arg(silent.address()));
        git::StreamLimits deadline = limits();
        deadline.deadlineMs = QDateTime::currentMSecsSinceEpoch() + 800;
        const Outcome late = onWorker(access, deadline, git::mirroredRefPrefixes());
        QVERIFY(!late.result.ok());
        QCOMPARE(errorCategoryName(late.result.error().category), u"timeout"_s);
        QVERIFY(late.result.error().message.contains(u"time limit"_s));
        QVERIFY2(late.ms < 2000, qPrintable(QString::number(late.ms)));

        for (const QString &url : {access.url, u"git://%1/x.git"_s.arg(silent.address())}) {
            std::atomic<bool> cancel{false};
            git::StreamLimits cancellable = limits();
            cancellable.cancel = &cancel;
            std::unique_ptr<QThread> canceller(QThread::create([&cancel] {
                QThread::msleep(300);
                cancel.store(true);
            }));
            canceller->start();
            const Outcome cancelled = onWorker(accessFor(url), cancellable, git::mirroredRefPrefixes());
            canceller->wait();
            QVERIFY(!cancelled.result.ok());
            QVERIFY2(cancelled.result.error().detail.value(u"cancelled"_s).toBool(), qPrintable(messageOf(cancelled.result)));
            QVERIFY2(cancelled.ms < 1500, qPrintable(QString::number(cancelled.ms)));
        }
    }

    void v0ServersAndOtherTransportsFallBack()
    {
        ScriptedGitServer v0Git(v0Advertisement(false), {});
        QVERIFY(v0Git.startListening());
        ScriptedHttpServer v0Http([](const ScriptedHttpServer::Request &, int) {
            return ScriptedHttpServer::response(200, "application/x-git-upload-pack-advertisement", v0Advertisement(true));
        });
        QVERIFY(v0Http.startListening());
        ScriptedHttpServer dumb([](const ScriptedHttpServer::Request &, int) {
            return ScriptedHttpServer::response(200, "text/plain", "1111111111111111111111111111111111111111\trefs/heads/main\n");
        });
        QVERIFY(dumb.startListening());
        ScriptedGitServer noLsRefs(git::v2::pktLine("version 2\n") + git::v2::pktLine("fetch\n") + "0000", {});
        QVERIFY(noLsRefs.startListening());
        SilentServer silent;
        QVERIFY(silent.start());
        const QStringList urls{v0Git.url(u"x.git"_s), v0Http.url(u"x.git"_s), dumb.url(u"x.git"_s), noLsRefs.url(u"x.git"_s),
                               u"ssh://git@%1/x.git"_s.arg(silent.address()), u"git@127.0.0.1:x.git"_s,
                               m_srv + u"/big.git"_s, u"file://%1/big.git"_s.arg(m_srv)};
        for (const QString &url : urls) {
            const Outcome fallback = onWorker(accessFor(url), limits(), git::mirroredRefPrefixes());
            QVERIFY2(!fallback.result.ok() && git::isV2Unsupported(fallback.result.error()), qPrintable(url));
        }
        QCOMPARE(silent.connectionCount(), 0); // ssh:// is not even tried
        // libgit2 lists the v0 server the lister left to it.
        QVERIFY(git::listRemote(accessFor(v0Http.url(u"x.git"_s)), limits()).ok());
    }

    void malformedListingsAreErrors_data() { malformedListingRows(); }
    void malformedListingsAreErrors()
    {
        QFETCH(QByteArray, advertisement);
        QFETCH(QByteArray, listing);
        QFETCH(QString, category);
        QFETCH(QString, words);
        QFETCH(bool, invalidName);
        for (bool http : {false, true}) {
            ScriptedGitServer git(advertisement, listing, true);
            ScriptedHttpServer web([&](const ScriptedHttpServer::Request &request, int) {
                return request.method == "GET" ? ScriptedHttpServer::response(200, "application/x-git-upload-pack-advertisement", advertisement)
                                               : ScriptedHttpServer::response(200, "application/x-git-upload-pack-result", listing);
            });
            QVERIFY(http ? web.startListening() : git.startListening());
            const QString url = http ? web.url(u"x.git"_s) : git.url(u"x.git"_s);
            const Outcome bad = onWorker(accessFor(url), limits(), git::mirroredRefPrefixes());
            QVERIFY2(!bad.result.ok(), qPrintable(url));
            const Error &error = bad.result.error();
            QVERIFY2(!git::isV2Unsupported(error), qPrintable(error.message));
            QCOMPARE(errorCategoryName(error.category), category);
            QVERIFY2(error.message.contains(words), qPrintable(error.message));
            QCOMPARE(error.detail.value(u"invalid_ref_name"_s).toBool(), invalidName);
        }
    }

    void limitsCutTheListing()
    {
        for (const QString &url : {m_daemon.url(u"big.git"_s), m_http.url(u"big.git"_s)}) {
            git::StreamLimits fewRefs = limits();
            fewRefs.maxListedRefs = 1000;
            const Outcome many = onWorker(accessFor(url), fewRefs, {});
            QVERIFY(!many.result.ok());
            QCOMPARE(errorCategoryName(many.result.error().category), u"network"_s);
            QVERIFY2(many.result.error().message.contains(u"limit of 1000 refs"_s), qPrintable(messageOf(many.result)));
            // The heads and tags alone are within it.
            QVERIFY(onWorker(accessFor(url), fewRefs, git::mirroredRefPrefixes()).result.ok());

            git::StreamLimits fewBytes = limits();
            fewBytes.maxListingBytes = 64 * 1024;
            const Outcome large = onWorker(accessFor(url), fewBytes, {});
            QVERIFY(!large.result.ok());
            QVERIFY2(large.result.error().message.contains(u"passed 65536 bytes"_s), qPrintable(messageOf(large.result)));
            QVERIFY(large.bytes < 64 * 1024 + 300 * 1024); // stopped near the limit, not at the end
        }
    }

    void missingRepositoriesAreNotFound()
    {
        for (const QString &url : {m_daemon.url(u"nope.git"_s), m_http.url(u"nope.git"_s)}) {
            const Outcome missing = onWorker(accessFor(url), limits(), git::mirroredRefPrefixes());
            QVERIFY(!missing.result.ok());
            QCOMPARE(errorCategoryName(missing.result.error().category), u"not_found"_s);
        }
    }

    void proxies()
    {
        HttpProxyServer proxy;
        QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
        git::RemoteAccess access = accessFor(m_http.url(u"big.git"_s));
        access.proxy = proxy.url();
        const Outcome proxied = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY2(proxied.result.ok(), qPrintable(messageOf(proxied.result)));
        QTRY_VERIFY_WITH_TIMEOUT(proxy.requests().join(u'\n').contains(u"/git/big.git/git-upload-pack"_s), 5000);
        // With no proxy configured, the environment's (which libgit2 1.5 would ignore for http://).
        const int before = int(proxy.requests().size());
        access.proxy.clear();
        qputenv("http_proxy", proxy.url().toLatin1());
        const Outcome fromEnvironment = onWorker(access, limits(), git::mirroredRefPrefixes());
        qunsetenv("http_proxy");
        QVERIFY2(fromEnvironment.result.ok(), qPrintable(messageOf(fromEnvironment.result)));
        QTRY_VERIFY_WITH_TIMEOUT(proxy.requests().size() >= before + 2, 5000);
        // A proxy that is not there is a network error naming it, never a direct connection.
        access.proxy = u"http://127.0.0.1:%1"_s.arg(fixtures::pickFreePort());
        const Outcome refused = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY(!refused.result.ok());
        QCOMPARE(errorCategoryName(refused.result.error().category), u"network"_s);
        QVERIFY2(refused.result.error().message.contains(u"proxy"_s), qPrintable(messageOf(refused.result)));
    }

private:
    void compareWithLibgit2(const git::RemoteAccess &access, qint64 v0Bytes)
    {
        const Outcome v2 = onWorker(access, limits(), git::mirroredRefPrefixes());
        QVERIFY2(v2.result.ok(), qPrintable(messageOf(v2.result)));
        auto v0 = git::listRemote(access, limits());
        QVERIFY2(v0.ok(), qPrintable(messageOf(v0)));
        const QStringList prefixes = git::mirroredRefPrefixes();
        QCOMPARE(tips(v2.result->refs, prefixes), tips(v0->refs, prefixes));
        QCOMPARE(tips(v2.result->refs, prefixes).size(), 1 + kBranches + 2 * kTags);
        QCOMPARE(v2.result->headTarget, u"refs/heads/main"_s);
        QCOMPARE(v0->headTarget, u"refs/heads/main"_s);
        QCOMPARE(tips(v2.result->refs).value(u"HEAD"_s), Tip(m_main, QString()));
        QVERIFY(!tips(v2.result->refs, {u"refs/pull/"_s, u"refs/remotes/"_s}).size());
        QVERIFY(!tips(v2.result->refs).value(u"refs/tags/a00"_s).second.isEmpty()); // annotated: peeled
        if (v0Bytes > 0) {
            qInfo("%s: v2 ls-refs of heads and tags %lld bytes, v0 advertisement %lld bytes (%.1f%%)", qPrintable(access.displayUrl),
                  v2.bytes, v0Bytes, 100.0 * double(v2.bytes) / double(v0Bytes));
            QVERIFY2(v2.bytes * 10 < v0Bytes, qPrintable(u"%1 vs %2"_s.arg(v2.bytes).arg(v0Bytes)));
        }
        QVERIFY(v2.bytes > 0);
    }
};

QTEST_GUILESS_MAIN(TestV2Lister)
#include "TestV2Lister.moc"
