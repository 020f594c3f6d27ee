// update, plan and check through the real binary against a git daemon and HTTP basic auth.
#include "CliRunner.h"
#include "CuttingRelay.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "HttpProxyServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QElapsedTimer>
#include <QDir>
#include <QLockFile>
#include <QTcpServer>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace clitest;
using md::fixtures::CuttingRelay;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;
using md::fixtures::HttpProxyServer;

class TestCliUpdate : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;

    QString cacheOf(const CliEnv &env, const QString &name) const { return env.defaultCacheRoot() + u'/' + name + u".git"_s; }

    static QString refOf(const QString &repo, const QString &ref) { return GitRepoBuilder::refOrEmpty(repo, ref); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_srv.filePath(u"src.git"_s)));
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, m_srv.filePath(u"src.git"_s), {u"main"_s, u"main:refs/heads/dev"_s}));
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    void updateMirrorsAndRecordsStatus()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"-q"_s}), 0);
        // check before the first update: behind (exit 3).
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 3);
        const CliResult plan = env.run({u"plan"_s});
        CLI_EXPECT_EXIT(plan, 0);
        QVERIFY(plan.stdoutText().contains(u"create"_s));
        QVERIFY(!QFileInfo::exists(cacheOf(env, u"m"_s))); // a plan changes nothing
        const CliResult update = env.run({u"update"_s});
        CLI_EXPECT_EXIT(update, 0);
        QCOMPARE(update.stdoutText(), QString()); // success prints nothing unless asked
        QCOMPARE(refOf(cacheOf(env, u"m"_s), u"refs/heads/dev"_s), refOf(m_srv.filePath(u"src.git"_s), u"refs/heads/dev"_s));
        {
            // The "behind" check predates the update: shown as stale with its time, not as current.
            const CliResult afterUpdate = env.run({u"status"_s, u"--json"_s});
            CLI_EXPECT_EXIT(afterUpdate, 0);
            const QJsonObject m = afterUpdate.json().value(u"mirrors"_s).toArray().first().toObject();
            QCOMPARE(m.value(u"state"_s).toString(), QString());
            QCOMPARE(m.value(u"last_check"_s).toObject().value(u"state"_s).toString(), u"behind"_s);
            QCOMPARE(m.value(u"last_check"_s).toObject().value(u"current"_s).toBool(true), false);
            const auto time = [](const QJsonValue &v) { return QDateTime::fromString(v.toString(), Qt::ISODateWithMs); };
            QVERIFY(time(m.value(u"last_check"_s).toObject().value(u"checked_at"_s)) < time(m.value(u"last_successful_update_at"_s)));
            const CliResult table = env.run({u"status"_s});
            QVERIFY2(table.stdoutText().contains(u"behind (stale: checked before the last update)"_s), qPrintable(table.describe()));
        }
        QJsonObject checked;
        const CliResult checkRun = env.run({u"check"_s, u"--json"_s});
        CLI_EXPECT_EXIT(checkRun, 0);
        CLI_JSON(checkRun, checked);
        const QJsonObject checkedMirror = checked.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(checked.value(u"format_version"_s).toInt(), 1);
        QCOMPARE(checkedMirror.value(u"state"_s).toString(), u"in_sync"_s);
        QCOMPARE(checkedMirror.value(u"update_status"_s).toString(), u"finished"_s); // the status fields too
        QVERIFY(checkedMirror.value(u"last_successful_update_at"_s).toString().endsWith(u'Z'));
        QCOMPARE(checkedMirror.value(u"source_fingerprint"_s).toString().size(), 64);
        QVERIFY(checkedMirror.value(u"refs"_s).isArray());
        QJsonObject status;
        const CliResult statusRun = env.run({u"status"_s, u"--json"_s});
        CLI_JSON(statusRun, status);
        const QJsonObject mirror = status.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"update_status"_s).toString(), u"finished"_s);
        QVERIFY(mirror.value(u"last_successful_update_at"_s).toString().endsWith(u'Z'));
        QVERIFY(mirror.value(u"refs"_s).toArray().isEmpty()); // small by default: no history read
        QVERIFY(!mirror.contains(u"history"_s));
        QJsonObject detailed;
        const CliResult refsRun = env.run({u"status"_s, u"--json"_s, u"--refs"_s});
        CLI_JSON(refsRun, detailed);
        const QJsonObject withRefs = detailed.value(u"mirrors"_s).toArray().first().toObject();
        QVERIFY2(!withRefs.value(u"refs"_s).toArray().isEmpty(), qPrintable(refsRun.describe()));
        QVERIFY(withRefs.value(u"ref_counts"_s).toObject().value(u"create"_s).toInt() >= 1);
        const CliResult historyRun = env.run({u"status"_s, u"--json"_s, u"--history"_s});
        CLI_EXPECT_EXIT(historyRun, 0);
        QCOMPARE(historyRun.json().value(u"mirrors"_s).toArray().first().toObject().value(u"history"_s).toArray().size(), 1);
        CLI_EXPECT_EXIT(env.run({u"status"_s, u"--refs"_s}), 2); // detail goes with --json
        // --due right after a run: not due, skipped, exit 0.
        QJsonObject due;
        const CliResult dueRun = env.run({u"update"_s, u"--due"_s, u"--json"_s});
        CLI_EXPECT_EXIT(dueRun, 0);
        CLI_JSON(dueRun, due);
        QCOMPARE(due.value(u"mirrors"_s).toArray().first().toObject().value(u"outcome"_s).toString(), u"skipped"_s);
        QVERIFY(due.value(u"mirrors"_s).toArray().first().toObject().value(u"reason"_s).toString().startsWith(u"not due until"_s));
    }

    void lockedMirrorIsSkippedAsRunning()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"-q"_s}), 0);
        QDir().mkpath(env.defaultCacheRoot());
        QLockFile lock(cacheOf(env, u"m"_s) + u".lock"_s);
        QVERIFY(lock.tryLock(0));
        QJsonObject document;
        const CliResult skipped = env.run({u"update"_s, u"--json"_s});
        CLI_EXPECT_EXIT(skipped, 0);
        CLI_JSON(skipped, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"skipped"_s);
        QVERIFY(mirror.value(u"reason"_s).toString().startsWith(u"running"_s));
        QVERIFY(refOf(cacheOf(env, u"m"_s), u"refs/heads/main"_s).isEmpty());
        // Asked for by name, the skip is said (exit 0 all the same); from cron (no name, -q) nothing.
        const CliResult named = env.run({u"update"_s, u"m"_s});
        CLI_EXPECT_EXIT(named, 0);
        QVERIFY2(named.stderrText().startsWith(u"m: skipped: running"_s), qPrintable(named.describe()));
        const CliResult quiet = env.run({u"-q"_s, u"update"_s, u"m"_s});
        CLI_EXPECT_EXIT(quiet, 0);
        QVERIFY2(quiet.stderrText().isEmpty() && quiet.stdoutText().isEmpty(), qPrintable(quiet.describe()));
        // --lock-wait waits for the other process.
        auto waiting = env.start({u"update"_s, u"--lock-wait"_s, u"20"_s});
        QTest::qWait(700);
        lock.unlock();
        QVERIFY(waiting->waitForFinished(30000));
        QCOMPARE(waiting->exitCode(), 0);
        QVERIFY(!refOf(cacheOf(env, u"m"_s), u"refs/heads/main"_s).isEmpty());
    }

    void divergedBranchLeftAloneNeedsAttention()
    {
        // Its own source: a default branch and a feature branch that gets rewritten upstream.
        const QString src = m_srv.filePath(u"div.git"_s);
        const QString work = m_srv.filePath(u"divwork"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(src));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"a.txt"_s, u"2"_s, u"two"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, src, {u"main"_s, u"main:refs/heads/feature"_s}));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"d"_s, u"--source"_s, m_daemon.url(u"div.git"_s),
                                 u"--no-mirror-overwrites-diverged-branches"_s, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        const QString cachedFeature = refOf(cacheOf(env, u"d"_s), u"refs/heads/feature"_s);
        // feature is rewritten upstream; main moves on (a fast-forward).
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"-b"_s, u"rewritten"_s, u"HEAD~1"_s}, work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"b.txt"_s, u"x"_s, u"rewrite"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, src, {u"+rewritten:refs/heads/feature"_s}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"a.txt"_s, u"3"_s, u"three"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, src, {u"main"_s}));

        const CliResult quiet = env.run({u"-q"_s, u"update"_s});
        CLI_EXPECT_EXIT(quiet, 1); // skip_diverged needs attention
        // A failure report is a diagnostic: stderr.
        QVERIFY2(quiet.stderrText().contains(u"skip_diverged"_s) && quiet.stderrText().contains(u"refs/heads/feature"_s),
                 qPrintable(quiet.describe()));
        QCOMPARE(quiet.stdoutText(), QString());
        QCOMPARE(refOf(cacheOf(env, u"d"_s), u"refs/heads/feature"_s), cachedFeature); // left alone
        QCOMPARE(refOf(cacheOf(env, u"d"_s), u"refs/heads/main"_s), refOf(src, u"refs/heads/main"_s)); // the rest moved

        QJsonObject document;
        const CliResult json = env.run({u"update"_s, u"--json"_s});
        CLI_EXPECT_EXIT(json, 1);
        CLI_JSON(json, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"ok"_s); // the run itself finished
        QCOMPARE(document.value(u"summary"_s).toObject().value(u"diverged_refs"_s).toInt(), 1);
        bool found = false;
        for (const QJsonValue &ref : mirror.value(u"refs"_s).toArray()) {
            if (ref.toObject().value(u"ref"_s).toString() == u"refs/heads/feature"_s) {
                found = true;
                QCOMPARE(ref.toObject().value(u"action"_s).toString(), u"skip_diverged"_s);
                QCOMPARE(ref.toObject().value(u"result"_s).toString(), u"skipped"_s);
            }
        }
        QVERIFY(found);
    }

    void wrongPasswordFailsWithAuthAndLeavesTheCache()
    {
        HttpGitServer http;
        QVERIFY2(http.start(m_srv.path(), {false, u"alice"_s, u"right-pw"_s, false}), qPrintable(http.errorString()));
        CliEnv env;
        const QMap<QString, QString> wrong{{u"MD_TEST_PW"_s, u"wrong-pw"_s}};
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"web"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"alice"_s,
                                 u"--secret-env"_s, u"MD_TEST_PW"_s}, {}, wrong), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"web"_s, u"--source"_s, http.url(u"src.git"_s), u"--source-credential"_s, u"web"_s, u"-q"_s}), 0);
        const CliResult failed = env.run({u"update"_s, u"--json"_s}, {}, wrong);
        CLI_EXPECT_EXIT(failed, 1);
        QJsonObject document;
        CLI_JSON(failed, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"auth"_s);
        QVERIFY(!failed.stdoutText().contains(u"wrong-pw"_s) && !failed.stderrText().contains(u"wrong-pw"_s));
        QVERIFY(refOf(cacheOf(env, u"web"_s), u"refs/heads/main"_s).isEmpty());
        CLI_EXPECT_EXIT(env.run({u"status"_s}), 1);
        const CliResult right = env.run({u"update"_s}, {}, {{u"MD_TEST_PW"_s, u"right-pw"_s}});
        CLI_EXPECT_EXIT(right, 0);
        QCOMPARE(refOf(cacheOf(env, u"web"_s), u"refs/heads/main"_s), refOf(m_srv.filePath(u"src.git"_s), u"refs/heads/main"_s));
        QCOMPARE(env.filesContaining("right-pw"), QStringList{});
    }

    void httpsThroughAProxy()
    {
        // libgit2 1.5 sends only https through a proxy (an HTTP CONNECT tunnel); plain http:// and
        // git:// ignore it, and MirrorDesk says so in a warning.
        HttpGitServer https;
        QVERIFY2(https.start(m_srv.path(), {true, QString(), QString(), false}), qPrintable(https.errorString()));
        HttpProxyServer proxy;
        QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
        const QString expected = refOf(m_srv.filePath(u"src.git"_s), u"refs/heads/main"_s);
        const QString tunnel = u"CONNECT localhost:%1 "_s.arg(https.port());
        auto tunnels = [&] {
            const QStringList requests = proxy.requests();
            return std::count_if(requests.cbegin(), requests.cend(), [&](const QString &line) { return line.startsWith(tunnel); });
        };
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"own"_s, u"--source"_s, https.url(u"src.git"_s), u"--source-proxy"_s, proxy.url(), u"-q"_s}), 0);
        QJsonObject config = env.config();
        QJsonObject settings = config.value(u"settings"_s).toObject();
        settings.insert(u"ca_file"_s, https.caFile());
        config.insert(u"settings"_s, settings);
        QVERIFY(env.writeConfig(config));

        // 1. The mirror's own proxy.
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"own"_s}), 0);
        QCOMPARE(refOf(cacheOf(env, u"own"_s), u"refs/heads/main"_s), expected);
        QVERIFY2(tunnels() >= 1, qPrintable(proxy.log()));
        CLI_EXPECT_EXIT(env.run({u"check"_s, u"own"_s}), 0);
        const auto afterOwn = tunnels();
        QVERIFY2(afterOwn >= 2, qPrintable(proxy.log()));

        // 2. The settings' proxy, for a mirror without one.
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"set"_s, u"--source"_s, https.url(u"src.git"_s), u"-q"_s}), 0);
        config = env.config();
        settings = config.value(u"settings"_s).toObject();
        settings.insert(u"proxy"_s, proxy.url());
        config.insert(u"settings"_s, settings);
        QVERIFY(env.writeConfig(config));
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"set"_s}), 0);
        QCOMPARE(refOf(cacheOf(env, u"set"_s), u"refs/heads/main"_s), expected);
        const auto afterSettings = tunnels();
        QVERIFY2(afterSettings > afterOwn, qPrintable(proxy.log()));

        // 3. No proxy configured: GIT_PROXY_AUTO honours https_proxy from the environment.
        settings.remove(u"proxy"_s);
        config.insert(u"settings"_s, settings);
        QVERIFY(env.writeConfig(config));
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"auto"_s, u"--source"_s, https.url(u"src.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"auto"_s}, {}, {{u"https_proxy"_s, proxy.url()}, {u"no_proxy"_s, QString()}, {u"NO_PROXY"_s, QString()}}), 0);
        QCOMPARE(refOf(cacheOf(env, u"auto"_s), u"refs/heads/main"_s), expected);
        QVERIFY2(tunnels() > afterSettings, qPrintable(proxy.log()));

        // 4. A proxy configured for a git:// source: reached directly, with a warning.
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"plain"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"--source-proxy"_s, proxy.url(), u"-q"_s}), 0);
        QJsonObject plain;
        const CliResult plainRun = env.run({u"update"_s, u"plain"_s, u"--json"_s});
        CLI_EXPECT_EXIT(plainRun, 0);
        CLI_JSON(plainRun, plain);
        const QJsonArray warnings = plain.value(u"mirrors"_s).toArray().first().toObject().value(u"warnings"_s).toArray();
        QVERIFY2(!warnings.isEmpty() && warnings.first().toString().contains(u"proxy"_s),
                 qPrintable(QString::fromUtf8(QJsonDocument(warnings).toJson())));

        // 5. A proxy that is down: the run fails plainly and the cache is unchanged.
        const QString before = refOf(cacheOf(env, u"own"_s), u"refs/heads/main"_s);
        proxy.stop();
        QJsonObject document;
        const CliResult down = env.run({u"update"_s, u"own"_s, u"--json"_s});
        CLI_EXPECT_EXIT(down, 1);
        CLI_JSON(down, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"network"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"proxy"_s), qPrintable(mirror.value(u"last_error"_s).toString()));
        QCOMPARE(refOf(cacheOf(env, u"own"_s), u"refs/heads/main"_s), before);
    }

    void sigtermInterruptsASilentServerRunWith143_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("said");
        QTest::newRow("SIGTERM") << int(SIGTERM) << 143 << u"interrupted by SIGTERM"_s;
        QTest::newRow("SIGINT") << int(SIGINT) << 130 << u"interrupted by SIGINT"_s;
    }

    void sigtermInterruptsASilentServerRunWith143()
    {
        QFETCH(int, signal);
        QFETCH(int, exitCode);
        QFETCH(QString, said);
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"s"_s, u"--source"_s, u"git://127.0.0.1:%1/x.git"_s.arg(silent.serverPort()), u"-q"_s}), 0);
        auto process = env.start({u"update"_s});
        QVERIFY(silent.waitForNewConnection(20000)); // the run is under way, waiting on the server
        ::kill(static_cast<pid_t>(process->processId()), signal);
        QVERIFY(process->waitForFinished(10000));
        QCOMPARE(process->exitCode(), exitCode);
        const QString err = QString::fromUtf8(process->readAllStandardError());
        QVERIFY2(err.contains(said) && !err.contains(u"timed out"_s) && !err.contains(u"timeout"_s), qPrintable(err));
        // Recorded as interrupted: its own outcome and category, not a failure, no backoff.
        const CliResult status = env.run({u"status"_s, u"--json"_s, u"--refs"_s, u"--history"_s});
        CLI_EXPECT_EXIT(status, 0);
        const QJsonObject mirror = status.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"update_status"_s).toString(), u"interrupted"_s);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"interrupted"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"interrupted"_s);
        QCOMPARE(mirror.value(u"last_error"_s).toString(), said);
        QCOMPARE(mirror.value(u"consecutive_failures"_s).toInt(), 0);
        const QJsonArray history = mirror.value(u"history"_s).toArray();
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.first().toObject().value(u"outcome"_s).toString(), u"interrupted"_s);
        QCOMPARE(status.json().value(u"summary"_s).toObject().value(u"interrupted"_s).toInt(), 1);
    }

    // A repository whose fetch lasts long enough to be interrupted: a 48 MB incompressible blob.
    QString bigRepo()
    {
        const QString big = m_srv.filePath(u"big.git"_s);
        if (QFileInfo::exists(big))
            return big;
        const QString work = m_srv.filePath(u"bigwork"_s);
        [&] {
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(big));
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
            QFile blob(work + u"/blob.bin"_s);
            QVERIFY(blob.open(QIODevice::WriteOnly));
            QFile random(u"/dev/urandom"_s);
            QVERIFY(random.open(QIODevice::ReadOnly));
            for (int i = 0; i < 48; ++i)
                blob.write(random.read(1 << 20));
            blob.close();
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"add"_s, u"blob.bin"_s}, work));
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"commit"_s, u"-q"_s, u"-m"_s, u"big"_s}, work));
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, big, {u"main"_s}));
        }();
        return big;
    }

    // Waits until the download into the cache has begun (a temporary pack appears).
    static bool downloadBegan(const QString &cache)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000 && QDir(cache + u"/objects/pack"_s).entryList(QDir::Files).isEmpty())
            QTest::qWait(5);
        return !QDir(cache + u"/objects/pack"_s).entryList(QDir::Files).isEmpty();
    }

    void serverDyingMidTransferFailsCleanly()
    {
        // git daemon behind a relay that drops the connection after 8 MB of the 48 MB pack.
        const QString big = bigRepo();
        CuttingRelay relay;
        QVERIFY2(relay.start(m_daemon.port(), 8 << 20), qPrintable(relay.errorString()));
        CliEnv env;
        const QString url = u"git://127.0.0.1:%1/big.git"_s.arg(relay.port());
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"d"_s, u"--source"_s, url, u"-q"_s}), 0);
        const CliResult cut = env.run({u"update"_s, u"--json"_s}, {}, {}, 120000);
        CLI_EXPECT_EXIT(cut, 1);
        QCOMPARE(relay.cuts(), 1);
        QJsonObject document;
        CLI_JSON(cut, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QVERIFY2(mirror.value(u"error_category"_s).toString() == u"network"_s, qPrintable(mirror.value(u"last_error"_s).toString()));
        // Nothing half-written: the cache this failed first run created is removed again.
        QVERIFY(!QFileInfo::exists(cacheOf(env, u"d"_s)));
        // The server is whole again: the next update completes.
        QVERIFY(relay.start(m_daemon.port(), 0));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"d"_s, u"--source"_s, u"git://127.0.0.1:%1/big.git"_s.arg(relay.port()), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}, {}, {}, 120000), 0);
        QCOMPARE(refOf(cacheOf(env, u"d"_s), u"refs/heads/main"_s), refOf(big, u"refs/heads/main"_s));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--strict"_s, u"--no-dangling"_s}, cacheOf(env, u"d"_s));
        QVERIFY2(fsck.ok(), qPrintable(fsck.describe()));
    }

    void sigkillDuringALargeFetchLeavesARepairableCache()
    {
        const QString big = bigRepo();
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"big"_s, u"--source"_s, m_daemon.url(u"big.git"_s), u"-q"_s}), 0);
        auto process = env.start({u"update"_s});
        QVERIFY(process->waitForStarted());
        const QString pack = cacheOf(env, u"big"_s) + u"/objects/pack"_s;
        QVERIFY2(downloadBegan(cacheOf(env, u"big"_s)), "the download never began");
        process->kill(); // SIGKILL, as soon as the download has begun
        QVERIFY(process->waitForFinished(5000));
        QCOMPARE(process->exitStatus(), QProcess::CrashExit); // killed in flight, not finished
        QVERIFY(refOf(cacheOf(env, u"big"_s), u"refs/heads/main"_s).isEmpty());
        // The next run cleans the debris under the lock and completes the mirror.
        const CliResult again = env.run({u"update"_s}, {}, {}, 120000);
        CLI_EXPECT_EXIT(again, 0);
        QCOMPARE(refOf(cacheOf(env, u"big"_s), u"refs/heads/main"_s), refOf(big, u"refs/heads/main"_s));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--strict"_s, u"--no-dangling"_s}, cacheOf(env, u"big"_s));
        QVERIFY2(fsck.ok(), qPrintable(fsck.describe()));
        QVERIFY(QDir(pack).entryList({u"pack_git2_*"_s, u"*.lock"_s}, QDir::Files).isEmpty());
    }

    // Item 7 of issue 8: check takes --timeout like update; a silent server fails the check in
    // bounded time with error_category timeout, exit 1.
    void checkTimeoutEndsASilentServersCheck()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"s"_s, u"--source"_s, u"git://127.0.0.1:%1/x.git"_s.arg(silent.serverPort()), u"-q"_s}), 0);
        QElapsedTimer timer;
        timer.start();
        const CliResult result = env.run({u"check"_s, u"--timeout"_s, u"2"_s, u"--json"_s});
        const qint64 elapsed = timer.elapsed();
        CLI_EXPECT_EXIT(result, 1);
        QVERIFY2(elapsed >= 1500 && elapsed < 10000, qPrintable(QString::number(elapsed)));
        QJsonObject document;
        CLI_JSON(result, document);
        const QJsonObject mirror = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"state"_s).toString(), u"unreachable"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"timeout"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"timed out"_s), qPrintable(result.describe()));
        // Recorded as the mirror's last check.
        const QJsonObject status = env.run({u"status"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(status.value(u"state"_s).toString(), u"unreachable"_s);
        const QJsonObject recorded = QJsonDocument::fromJson(CliEnv::readFile(env.checkFile(u"s"_s)).value_or(QByteArray())).object();
        QCOMPARE(recorded.value(u"last_check"_s).toObject().value(u"error_category"_s).toString(), u"timeout"_s);
    }

    void checkTimeoutMustBeAPositiveWholeNumber_data()
    {
        QTest::addColumn<QString>("value");
        for (const char *value : {"0", "-1", "abc", "2s", "1.5", "", " 3", "0x10", "99999999999", "604801"})
            QTest::newRow(value) << QString::fromLatin1(value);
    }
    void checkTimeoutMustBeAPositiveWholeNumber()
    {
        QFETCH(QString, value);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"-q"_s}), 0);
        const CliResult result = env.run({u"check"_s, u"--timeout"_s, value});
        CLI_EXPECT_EXIT(result, 2);
        CLI_EXPECT_STDERR(result, u"--timeout: \""_s + value + u"\" is not a number of seconds"_s);
        QCOMPARE(result.stdoutText(), QString());
        QVERIFY(!QFileInfo::exists(env.stateFile(u"m"_s))); // nothing was checked
    }

    // Item 4 of issue 8: a proxy from the environment, without a scheme, never reaches an error,
    // the state files or the output (libgit2 quotes a proxy URL it cannot parse).
    void environmentProxyIsScrubbed_data()
    {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QString>("url");
        QTest::newRow("https_proxy user:password") << u"https_proxy"_s << u"u:Pr0xyS3cret@127.0.0.1:3128"_s << u"https://localhost:9/x.git"_s;
        QTest::newRow("https_proxy token only") << u"https_proxy"_s << u"Pr0xyS3cret@127.0.0.1:3128"_s << u"https://localhost:9/x.git"_s;
        QTest::newRow("HTTPS_PROXY") << u"HTTPS_PROXY"_s << u"u:Pr0xyS3cret@127.0.0.1:3128"_s << u"https://localhost:9/x.git"_s;
        QTest::newRow("http_proxy") << u"http_proxy"_s << u"u:Pr0xyS3cret@127.0.0.1:3128"_s << u"http://localhost:9/x.git"_s;
    }
    void environmentProxyIsScrubbed()
    {
        QFETCH(QString, variable);
        QFETCH(QString, proxy);
        QFETCH(QString, url);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"p"_s, u"--source"_s, url, u"-q"_s}), 0);
        const QMap<QString, QString> extra{{variable, proxy}};
        const QString log = env.path(u"run.log"_s);
        const CliResult update = env.run({u"--log-file"_s, log, u"update"_s, u"--json"_s}, {}, extra);
        CLI_EXPECT_EXIT(update, 1);
        const CliResult check = env.run({u"check"_s}, {}, extra);
        CLI_EXPECT_EXIT(check, 1);
        const CliResult status = env.run({u"status"_s, u"--json"_s});
        for (const CliResult *r : {&update, &check, &status}) {
            QVERIFY2(!r->stdoutText().contains(u"Pr0xyS3cret"_s), qPrintable(r->describe()));
            QVERIFY2(!r->stderrText().contains(u"Pr0xyS3cret"_s), qPrintable(r->describe()));
        }
        QCOMPARE(env.filesContaining("Pr0xyS3cret"), QStringList());
        // The error still says what went wrong, with the proxy shown masked.
        const QString error = update.json().value(u"mirrors"_s).toArray().first().toObject().value(u"last_error"_s).toString();
        QVERIFY2(error.contains(u"*****@127.0.0.1:3128"_s), qPrintable(error));
    }

    void timeoutFailsTheRunAtTheDeadline()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"s"_s, u"--source"_s, u"git://127.0.0.1:%1/x.git"_s.arg(silent.serverPort()), u"-q"_s}), 0);
        QElapsedTimer timer;
        timer.start();
        const CliResult result = env.run({u"update"_s, u"--timeout"_s, u"2"_s, u"--json"_s});
        CLI_EXPECT_EXIT(result, 1);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
        QJsonObject document;
        CLI_JSON(result, document);
        QCOMPARE(document.value(u"mirrors"_s).toArray().first().toObject().value(u"error_category"_s).toString(), u"timeout"_s);
    }
};

QTEST_GUILESS_MAIN(TestCliUpdate)
#include "TestCliUpdate.moc"
