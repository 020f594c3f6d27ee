#include "git/RemoteLister.h"
#include "FakeGitServer.h"
#include "git/GitLibrary.h"
#include "mirror/Checker.h"
#include "mirror/PullSync.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QSemaphore>
#include <QCryptographicHash>

using namespace md;
using md::fixtures::FakeGitServer;

namespace {

QString runGit(const QStringList &args, const QString &cwd = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    process.setProcessEnvironment(env);
    if (!cwd.isEmpty())
        process.setWorkingDirectory(cwd);
    process.start(QStringLiteral("git"), QStringList{QStringLiteral("-c"), QStringLiteral("user.name=T"), QStringLiteral("-c"),
                                                     QStringLiteral("user.email=t@example.org"), QStringLiteral("-c"),
                                                     QStringLiteral("init.defaultBranch=main")} + args);
    process.waitForFinished(30000);
    if (process.exitCode() != 0)
        qWarning("git %s failed: %s", qPrintable(args.join(QLatin1Char(' '))), process.readAllStandardError().constData());
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

// A server that accepts and never answers, on its own thread.
class SilentServer : public QThread {
public:
    quint16 port = 0;
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        port = server.serverPort();
        QList<QTcpSocket *> keep;
        QObject::connect(&server, &QTcpServer::newConnection, [&] { keep.append(server.nextPendingConnection()); });
        m_ready.release();
        exec();
    }
    void waitReady() { m_ready.acquire(); }

private:
    QSemaphore m_ready;
};

// Answers every HTTP request with a redirect to `location` (another host) and counts requests.
class RedirectServer : public QThread {
public:
    QString location;
    QHostAddress address{QHostAddress::LocalHost};
    quint16 port = 0;
    std::atomic<int> requests{0};
    void run() override
    {
        QTcpServer server;
        server.listen(address, 0);
        port = server.serverPort();
        QObject::connect(&server, &QTcpServer::newConnection, [&] {
            QTcpSocket *socket = server.nextPendingConnection();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                socket->readAll();
                ++requests;
                socket->write(QStringLiteral("HTTP/1.1 302 Found\r\nLocation: %1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                  .arg(location).toLatin1());
                socket->disconnectFromHost();
            });
        });
        m_ready.release();
        exec();
    }
    void waitReady() { m_ready.acquire(); }

private:
    QSemaphore m_ready;
};

Config configFor(const QString &source, const QString &cacheRoot)
{
    Config config;
    config.settings.cacheRoot = cacheRoot;
    Mirror m;
    m.name = QStringLiteral("m");
    m.source.url = source;
    config.mirrors.append(m);
    return config;
}

CheckRecord check(const Config &config)
{
    auto job = makeMirrorJob(config, config.mirrors.first());
    if (!job)
        qFatal("makeMirrorJob: %s", qPrintable(job.error().message));
    return runCheck(*job);
}

} // namespace

class TestCheck : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_source, m_work, m_cacheRoot;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(git::GitLibrary::initialize(git::GitOptions{}).ok());
        m_source = m_dir.filePath(QStringLiteral("src.git"));
        m_work = m_dir.filePath(QStringLiteral("work"));
        m_cacheRoot = m_dir.filePath(QStringLiteral("caches"));
        runGit({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"), m_source});
        runGit({QStringLiteral("clone"), QStringLiteral("-q"), m_source, m_work});
        runGit({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"), QStringLiteral("-m"), QStringLiteral("one")}, m_work);
        runGit({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"), QStringLiteral("-m"), QStringLiteral("two")}, m_work);
        runGit({QStringLiteral("tag"), QStringLiteral("v1")}, m_work);
        runGit({QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("origin"), QStringLiteral("main"), QStringLiteral("v1"), QStringLiteral("main:refs/heads/dev")}, m_work);
    }

    void missingCacheIsBehind()
    {
        const CheckRecord r = check(configFor(m_source, m_cacheRoot));
        QCOMPARE(checkStateName(r.state), QStringLiteral("behind"));
        QVERIFY(r.checkedAt.isValid());
        QVERIFY(r.sourceFingerprint != r.targetFingerprint);
    }

    void mirroredCacheIsInSync()
    {
        runGit({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--mirror"), m_source, m_cacheRoot + QStringLiteral("/m.git")});
        const CheckRecord r = check(configFor(m_source, m_cacheRoot));
        QCOMPARE(checkStateName(r.state), QStringLiteral("in_sync"));
        QCOMPARE(r.sourceFingerprint, r.targetFingerprint);
        QCOMPARE(r.targetHead, QStringLiteral("refs/heads/main"));
        // The fingerprint is SHA-256 over the sorted "ref oid" lines of the mirrored set.
        const QString main = runGit({QStringLiteral("rev-parse"), QStringLiteral("main")}, m_work);
        const QString tag = runGit({QStringLiteral("rev-parse"), QStringLiteral("v1")}, m_work);
        const QByteArray lines = QStringLiteral("refs/heads/dev %1\nrefs/heads/main %1\nrefs/tags/v1 %2\n").arg(main, tag).toUtf8();
        QCOMPARE(r.sourceFingerprint, QString::fromLatin1(QCryptographicHash::hash(lines, QCryptographicHash::Sha256).toHex()));
    }

    void newUpstreamCommitIsBehind()
    {
        runGit({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"), QStringLiteral("-m"), QStringLiteral("three")}, m_work);
        runGit({QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("origin"), QStringLiteral("main")}, m_work);
        QCOMPARE(checkStateName(check(configFor(m_source, m_cacheRoot)).state), QStringLiteral("behind"));
    }

    void filteredDifferenceIsInSync()
    {
        Config config = configFor(m_source, m_cacheRoot);
        config.mirrors[0].mirrorBranchRegex = QStringLiteral("^dev$");
        QCOMPARE(checkStateName(check(config).state), QStringLiteral("in_sync"));
    }

    void provableRewindIsDiverged()
    {
        // dev upstream goes back to "one": that commit is in the cache and does not descend from
        // the cached dev ("two").
        runGit({QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("--force"), QStringLiteral("origin"), QStringLiteral("main~2:refs/heads/dev")}, m_work);
        Config config = configFor(m_source, m_cacheRoot);
        config.mirrors[0].mirrorBranchRegex = QStringLiteral("^dev$");
        const CheckRecord r = check(config);
        QCOMPARE(checkStateName(r.state), QStringLiteral("diverged"));
        QVERIFY(r.error.contains(QLatin1String("refs/heads/dev")));
    }

    void emptySourceIsEmpty()
    {
        const QString empty = m_dir.filePath(QStringLiteral("empty.git"));
        runGit({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"), empty});
        QCOMPARE(checkStateName(check(configFor(empty, m_dir.filePath(QStringLiteral("other")))).state), QStringLiteral("empty"));
    }

    void missingSourceIsUnreachable()
    {
        const CheckRecord r = check(configFor(m_dir.filePath(QStringLiteral("nope.git")), m_cacheRoot));
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QVERIFY(r.errorCategory != ErrorCategory::None);
        QVERIFY(!r.error.isEmpty());
    }

    void silentServerTimesOutAtTheDeadline()
    {
        SilentServer server;
        server.start();
        server.waitReady();
        Config config = configFor(QStringLiteral("git://127.0.0.1:%1/x.git").arg(server.port), m_cacheRoot);
        config.settings.stallTimeoutSeconds = 1;
        QElapsedTimer timer;
        timer.start();
        const CheckRecord r = check(config);
        const qint64 elapsed = timer.elapsed();
        server.quit();
        server.wait();
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QCOMPARE(r.errorCategory, ErrorCategory::Timeout);
        QVERIFY2(elapsed >= 900 && elapsed < 10000, qPrintable(QString::number(elapsed)));
    }

    void watchdogCutsATransferTheStreamDoesNotTime()
    {
        // As over SSH, where libssh2 reads the socket itself: only the watchdog can end the wait.
        SilentServer server;
        server.start();
        server.waitReady();
        Config config = configFor(QStringLiteral("git://127.0.0.1:%1/x.git").arg(server.port), m_cacheRoot);
        config.settings.stallTimeoutSeconds = 1;
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(job.ok());
        job->limits.streamEnforces = false;
        QElapsedTimer timer;
        timer.start();
        // libgit2's listing, as an SSH check uses it (a git:// check now asks over protocol v2 first).
        const auto listed = git::listRemote(job->source, job->limits);
        const qint64 elapsed = timer.elapsed();
        server.quit();
        server.wait();
        QVERIFY(!listed);
        QCOMPARE(listed.error().category, ErrorCategory::Timeout);
        QVERIFY2(listed.error().message.contains(QLatin1String("no progress for 1 s")), qPrintable(listed.error().message));
        QVERIFY2(elapsed >= 900 && elapsed < 10000, qPrintable(QString::number(elapsed)));
    }

    // Item 7 of issue 8: a check is bounded far tighter than a transfer.
    void checkLimitsDefaultToThirtySeconds()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const git::StreamLimits byDefault = checkLimits(git::StreamLimits{});
        QCOMPARE(kDefaultCheckTimeoutSeconds, 30);
        QCOMPARE(byDefault.stallTimeoutMs, 30000);
        QVERIFY(byDefault.deadlineMs >= now + 30000 && byDefault.deadlineMs < now + 35000);
        const git::StreamLimits given = checkLimits(git::StreamLimits{}, 2);
        QCOMPARE(given.stallTimeoutMs, 2000);
        QVERIFY(given.deadlineMs >= now + 2000 && given.deadlineMs < now + 7000);
        git::StreamLimits shortStall;
        shortStall.stallTimeoutMs = 1000; // the settings' stall_timeout, when shorter, still applies
        QCOMPARE(checkLimits(shortStall).stallTimeoutMs, 1000);
    }

    // A server advertising refs without end is cut at the listing limit (injectable: 1 MB here,
    // 64 MB by default) instead of growing the listing to gigabytes.
    void endlessAdvertisementIsCutAtTheLimit_data()
    {
        QTest::addColumn<bool>("streamEnforces");
        QTest::newRow("counted by the stream") << true;
        QTest::newRow("counted by the watchdog (as over SSH)") << false;
    }
    void endlessAdvertisementIsCutAtTheLimit()
    {
        QFETCH(bool, streamEnforces);
        FakeGitServer server;
        QVERIFY2(server.startEndless(), qPrintable(server.errorString()));
        const QString url = server.url(QStringLiteral("x.git"));
        Config config = configFor(url, m_cacheRoot);
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(job.ok());
        QCOMPARE(job->limits.maxListingBytes, qint64(64) * 1024 * 1024);
        QCOMPARE(job->limits.maxListedRefs, qsizetype(1000000));
        job->limits.maxListingBytes = 1024 * 1024;
        job->limits.streamEnforces = streamEnforces;
        QElapsedTimer timer;
        timer.start();
        const CheckRecord r = runCheck(*job);
        const qint64 elapsed = timer.elapsed();
        const qint64 sent = server.bytesSent();
        server.stop();
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QCOMPARE(r.errorCategory, ErrorCategory::Network);
        QVERIFY2(r.error.contains(QLatin1String("the ref advertisement passed 1 MB")), qPrintable(r.error));
        QVERIFY2(r.error.contains(url), qPrintable(r.error));
        QVERIFY2(elapsed < 10000, qPrintable(QString::number(elapsed)));
        // Reading stopped: the server only got as far as the socket buffers let it.
        QVERIFY2(sent > 1024 * 1024 && sent < 16 * 1024 * 1024, qPrintable(QString::number(sent)));
    }

    void tooManyRefsAreRefused()
    {
        QList<FakeGitServer::Ref> refs;
        for (int i = 0; i < 3000; ++i)
            refs.append({QByteArray(40, 'a'), "refs/heads/b" + QByteArray::number(i)});
        FakeGitServer server;
        QVERIFY2(server.startFinite(refs), qPrintable(server.errorString()));
        Config config = configFor(server.url(QStringLiteral("x.git")), m_cacheRoot);
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(job.ok());
        job->limits.maxListedRefs = 1000;
        const CheckRecord r = runCheck(*job);
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QCOMPARE(r.errorCategory, ErrorCategory::Network);
        QVERIFY2(r.error.contains(QLatin1String("advertises 3001 refs, more than the limit of 1000")), qPrintable(r.error));
        // Under the limit the same listing is read.
        job->limits.maxListedRefs = 5000;
        const CheckRecord listed = runCheck(*job);
        QVERIFY2(listed.state != CheckState::Unreachable, qPrintable(listed.error));
    }

    // A malformed name a server advertises counts for nothing: the fingerprint is that of the
    // valid refs alone.
    void malformedAdvertisedRefsAreLeftOut()
    {
        const QList<FakeGitServer::Ref> good = {{QByteArray(40, 'a'), "refs/heads/main"}, {QByteArray(40, 'b'), "refs/tags/v1"}};
        QList<FakeGitServer::Ref> withBad = good;
        for (const char *name : {"refs/heads/../../etc", "refs/heads/a..b", "refs/heads/x.lock", "refs/heads/c\x01"})
            withBad.append({QByteArray(40, 'c'), name});
        FakeGitServer clean, dirty;
        QVERIFY(clean.startFinite(good));
        QVERIFY(dirty.startFinite(withBad));
        const CheckRecord a = check(configFor(clean.url(QStringLiteral("x.git")), m_cacheRoot));
        const CheckRecord b = check(configFor(dirty.url(QStringLiteral("x.git")), m_cacheRoot));
        QVERIFY2(a.state != CheckState::Unreachable, qPrintable(a.error));
        QVERIFY2(b.state != CheckState::Unreachable, qPrintable(b.error));
        QCOMPARE(b.sourceFingerprint, a.sourceFingerprint);
        const QByteArray lines = QByteArray("refs/heads/main ") + QByteArray(40, 'a') + "\nrefs/tags/v1 " + QByteArray(40, 'b') + "\n";
        QCOMPARE(b.sourceFingerprint, QString::fromLatin1(QCryptographicHash::hash(lines, QCryptographicHash::Sha256).toHex()));
    }

    void crossHostRedirectIsRefused()
    {
        RedirectServer other;
        other.location = QStringLiteral("http://127.0.0.9/nowhere");
        other.address = QHostAddress(QStringLiteral("127.0.0.2")); // another host, still on loopback
        other.start();
        other.waitReady();
        RedirectServer first;
        first.location = QStringLiteral("http://127.0.0.2:%1/x.git/info/refs?service=git-upload-pack").arg(other.port);
        first.start();
        first.waitReady();
        qputenv("MIRRORDESK_TEST_REDIRECT_PW", "redirect-secret");
        Config config = configFor(QStringLiteral("http://127.0.0.1:%1/x.git").arg(first.port), m_cacheRoot);
        config.credentials.append(Credential{QStringLiteral("c"), CredentialKind::Password, QStringLiteral("u"),
                                             SecretSource{SecretSource::Kind::Env, QStringLiteral("MIRRORDESK_TEST_REDIRECT_PW")}});
        config.mirrors[0].source.credential = QStringLiteral("c");
        const CheckRecord r = check(config);
        // The update path (which downloads) refuses the redirect as well.
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(job.ok());
        job->cachePath = m_dir.filePath(QStringLiteral("redirect-cache.git"));
        const SyncResult synced = runPullSync(*job, SyncOptions{false, false, true, QDateTime::currentDateTimeUtc()});
        QVERIFY(synced.error);
        first.quit();
        first.wait();
        other.quit();
        other.wait();
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QVERIFY(first.requests.load() >= 1);
        QCOMPARE(other.requests.load(), 0); // nothing, and so no secret, reached the other host
    }

    void unresolvableHostIsNetwork()
    {
        const CheckRecord r = check(configFor(QStringLiteral("https://nonexistent.invalid/x.git"), m_cacheRoot));
        QCOMPARE(checkStateName(r.state), QStringLiteral("unreachable"));
        QCOMPARE(r.errorCategory, ErrorCategory::Network);
    }

    void unreadableSecretIsRefusedBeforeConnecting()
    {
        Config config = configFor(QStringLiteral("https://h.invalid/x.git"), m_cacheRoot);
        config.credentials.append(Credential{QStringLiteral("tok"), CredentialKind::Token, QString(),
                                             SecretSource{SecretSource::Kind::Env, QStringLiteral("MIRRORDESK_TEST_UNSET_VAR")}});
        config.mirrors[0].source.credential = QStringLiteral("tok");
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(!job.ok());
        QVERIFY(job.error().message.contains(QLatin1String("MIRRORDESK_TEST_UNSET_VAR is not set")));
    }
};

QTEST_GUILESS_MAIN(TestCheck)
#include "TestCheck.moc"
