// update, plan and check through the real binary against a git daemon and HTTP basic auth.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"

#include <QJsonArray>
#include <QElapsedTimer>
#include <QDir>
#include <QLockFile>
#include <QTcpServer>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace clitest;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;

class TestCliUpdate : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;

    QString cacheOf(const CliEnv &env, const QString &name) const { return env.defaultCacheRoot() + u'/' + name + u".git"_s; }

    QString refOf(const QString &repo, const QString &ref) const
    {
        const auto result = GitRepoBuilder::tryRun({u"rev-parse"_s, u"--verify"_s, u"-q"_s, ref}, repo);
        return result.ok() ? result.stdoutText().trimmed() : QString();
    }

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
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 0);
        QJsonObject status;
        const CliResult statusRun = env.run({u"status"_s, u"--json"_s});
        CLI_JSON(statusRun, status);
        const QJsonObject mirror = status.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"update_status"_s).toString(), u"finished"_s);
        QVERIFY(mirror.value(u"last_successful_update_at"_s).toString().endsWith(u'Z'));
        QVERIFY(!mirror.value(u"refs"_s).toArray().isEmpty());
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
        // --lock-wait waits for the other process.
        auto waiting = env.start({u"update"_s, u"--lock-wait"_s, u"20"_s});
        QTest::qWait(700);
        lock.unlock();
        QVERIFY(waiting->waitForFinished(30000));
        QCOMPARE(waiting->exitCode(), 0);
        QVERIFY(!refOf(cacheOf(env, u"m"_s), u"refs/heads/main"_s).isEmpty());
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

    void sigtermInterruptsASilentServerRunWith143()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"s"_s, u"--source"_s, u"git://127.0.0.1:%1/x.git"_s.arg(silent.serverPort()), u"-q"_s}), 0);
        auto process = env.start({u"update"_s});
        QTest::qWait(1000);
        ::kill(static_cast<pid_t>(process->processId()), SIGTERM);
        QVERIFY(process->waitForFinished(10000));
        QCOMPARE(process->exitCode(), 143);
    }

    void sigkillDuringALargeFetchLeavesARepairableCache()
    {
        // A 48 MB incompressible blob makes the fetch last long enough to be killed in flight.
        const QString big = m_srv.filePath(u"big.git"_s);
        const QString work = m_srv.filePath(u"bigwork"_s);
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

        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"big"_s, u"--source"_s, m_daemon.url(u"big.git"_s), u"-q"_s}), 0);
        auto process = env.start({u"update"_s});
        QVERIFY(process->waitForStarted());
        const QString pack = cacheOf(env, u"big"_s) + u"/objects/pack"_s;
        QElapsedTimer timer;
        timer.start();
        // Kill as soon as the download has begun (a temporary pack appears), or after 3 s.
        while (timer.elapsed() < 3000 && QDir(pack).entryList(QDir::Files).isEmpty())
            QTest::qWait(5);
        process->kill(); // SIGKILL
        QVERIFY(process->waitForFinished(5000));
        // The next run cleans the debris under the lock and completes the mirror.
        const CliResult again = env.run({u"update"_s}, {}, {}, 120000);
        CLI_EXPECT_EXIT(again, 0);
        QCOMPARE(refOf(cacheOf(env, u"big"_s), u"refs/heads/main"_s), refOf(big, u"refs/heads/main"_s));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--strict"_s, u"--no-dangling"_s}, cacheOf(env, u"big"_s));
        QVERIFY2(fsck.ok(), qPrintable(fsck.describe()));
        QVERIFY(QDir(pack).entryList({u"pack_git2_*"_s, u"*.lock"_s}, QDir::Files).isEmpty());
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
