// Pull mirrors at the shape of a real GitHub repository: thousands of refs/pull/* beside the
// branches and tags. Output stays short, state stays small, the default branch and an emptied
// source are seen by check and plan, and an intentional wipe can be followed on purpose.
#include "CliRunner.h"
#include "CuttingRelay.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace clitest;
using md::fixtures::CuttingRelay;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;

namespace {

// `git update-ref --stdin` in repo with these lines (thousands of refs in one call).
bool updateRefs(const QString &repo, const QStringList &lines)
{
    QProcess git;
    git.setProcessEnvironment(GitRepoBuilder::environment());
    git.setWorkingDirectory(repo);
    git.start(u"git"_s, GitRepoBuilder::baseOptions() + QStringList{u"update-ref"_s, u"--stdin"_s});
    if (!git.waitForStarted())
        return false;
    git.write(lines.join(u'\n').toUtf8() + '\n');
    git.closeWriteChannel();
    return git.waitForFinished(60000) && git.exitStatus() == QProcess::NormalExit && git.exitCode() == 0;
}

qint64 stateSize(const QString &stateDir)
{
    qint64 total = 0;
    QDirIterator it(stateDir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        total += QFileInfo(it.next()).size();
    return total;
}

} // namespace

class TestCliRealShape : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;
    QString m_main;
    QString m_dev;

    static constexpr int kPulls = 3000; // pairs: refs/pull/N/head and refs/pull/N/merge
    static constexpr int kBranches = 30;

    QString cacheOf(const CliEnv &env, const QString &name) const { return env.defaultCacheRoot() + u'/' + name + u".git"_s; }

    // A bare repository of the shape: kBranches branches, two tags, kPulls pull pairs, a
    // refs/remotes ref, HEAD → main.
    QString makeSource(const QString &name)
    {
        const QString repo = m_srv.filePath(name);
        GitRepoBuilder::initBare(repo);
        GitRepoBuilder::push(m_work, repo, {u"main"_s, u"dev"_s});
        QStringList lines;
        for (int i = 0; i < kBranches; ++i)
            lines.append(u"create refs/heads/b%1 %2"_s.arg(i).arg(i % 2 ? m_main : m_dev));
        lines.append(u"create refs/tags/v1 %1"_s.arg(m_main));
        lines.append(u"create refs/tags/v2 %1"_s.arg(m_dev));
        for (int i = 1; i <= kPulls; ++i) {
            lines.append(u"create refs/pull/%1/head %2"_s.arg(i).arg(m_dev));
            lines.append(u"create refs/pull/%1/merge %2"_s.arg(i).arg(m_main));
        }
        lines.append(u"create refs/remotes/origin/stale %1"_s.arg(m_main));
        if (!updateRefs(repo, lines))
            throw std::runtime_error("update-ref --stdin failed");
        return repo;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"-b"_s, u"dev"_s}, m_work));
        QVERIFY_THROWS_NO_EXCEPTION(m_dev = GitRepoBuilder::commit(m_work, u"b.txt"_s, u"2"_s, u"two"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, m_work));
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    void pullRefsAreCountedNotListed()
    {
        QVERIFY_THROWS_NO_EXCEPTION(makeSource(u"gh.git"_s));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"gh"_s, u"--source"_s, m_daemon.url(u"gh.git"_s), u"-q"_s}), 0);
        // The plan names what moves and sums up the host-internal refs in one line.
        const CliResult plan = env.run({u"plan"_s});
        CLI_EXPECT_EXIT(plan, 0);
        const QString text = plan.stdoutText();
        QVERIFY2(text.contains(u"6,000 refs/pull/* and 1 refs/remotes/* left out: host-internal"_s), qPrintable(text));
        QVERIFY2(!text.contains(u"refs/pull/1/"_s), qPrintable(text));
        QVERIFY2(text.count(u'\n') < kBranches + 10, qPrintable(text));

        // The first update prints nothing; JSON counts the left-out refs instead of listing them.
        const CliResult first = env.run({u"update"_s, u"--json"_s});
        CLI_EXPECT_EXIT(first, 0);
        const QJsonObject mirror = first.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"left_out"_s).toObject().value(u"refs/pull/*"_s).toInt(), 2 * kPulls);
        QCOMPARE(mirror.value(u"ref_counts"_s).toObject().value(u"create"_s).toInt(), kBranches + 4);
        QVERIFY(mirror.value(u"refs"_s).toArray().size() < kBranches + 10);
        QVERIFY(first.out.size() < 64 * 1024);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"gh"_s), u"refs/pull/1/head"_s), QString()); // never mirrored

        // A hundred no-op runs and fifty small ones leave the state small, and status smaller.
        for (int i = 0; i < 100; ++i)
            CLI_EXPECT_EXIT(env.run({u"-q"_s, u"update"_s}), 0);
        const QString src = m_srv.filePath(u"gh.git"_s);
        for (int i = 0; i < 50; ++i) {
            QVERIFY(updateRefs(src, {u"update refs/heads/b0 %1"_s.arg(i % 2 ? m_main : m_dev)}));
            CLI_EXPECT_EXIT(env.run({u"-q"_s, u"update"_s}), 0);
        }
        const qint64 size = stateSize(env.stateDir());
        QVERIFY2(size < 200 * 1024, qPrintable(QString::number(size)));
        const CliResult status = env.run({u"status"_s, u"--json"_s});
        CLI_EXPECT_EXIT(status, 0);
        QVERIFY2(status.out.size() < 4096, status.out.constData());
        const CliResult history = env.run({u"status"_s, u"--json"_s, u"--history"_s});
        CLI_EXPECT_EXIT(history, 0);
        const QJsonArray runs = history.json().value(u"mirrors"_s).toArray().first().toObject().value(u"history"_s).toArray();
        QCOMPARE(runs.size(), 100);
        const QJsonObject last = runs.last().toObject();
        QCOMPARE(last.value(u"refs"_s).toArray().size(), 1); // b0 moved, nothing else listed
        QCOMPARE(last.value(u"ref_counts"_s).toObject().value(u"rejected"_s).toInt(), 2 * kPulls + 2); // + refs/remotes, HEAD
    }

    void checksAndNoOpUpdatesMoveOnlyBranchesAndTags()
    {
        if (!QFileInfo::exists(m_srv.filePath(u"gh.git"_s)))
            QVERIFY_THROWS_NO_EXCEPTION(makeSource(u"gh.git"_s));
        CuttingRelay relay; // counts connections and bytes, cuts nothing
        QVERIFY2(relay.start(m_daemon.port(), 0), qPrintable(relay.errorString()));
        const QString url = u"git://127.0.0.1:%1/gh.git"_s.arg(relay.port());
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"v2"_s, u"--source"_s, url, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        // git's own protocol-v2 listing of heads and tags, for the bytes it moves.
        qint64 before = relay.bytesToClients();
        const auto lsRemote = GitRepoBuilder::tryRun({u"-c"_s, u"protocol.version=2"_s, u"ls-remote"_s, u"--heads"_s, u"--tags"_s, url});
        QVERIFY2(lsRemote.ok(), qPrintable(lsRemote.describe()));
        const qint64 gitBytes = relay.bytesToClients() - before;
        // check: one connection, about git's bytes, far from the whole v0 advertisement.
        before = relay.bytesToClients();
        int connections = relay.connections();
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 0);
        const qint64 checkBytes = relay.bytesToClients() - before;
        QCOMPARE(relay.connections() - connections, 1);
        QVERIFY2(checkBytes <= gitBytes * 12 / 10, qPrintable(u"check %1 B, git ls-remote v2 %2 B"_s.arg(checkBytes).arg(gitBytes)));
        // A no-op update: the same one v2 connection, no libgit2 connection, nothing fetched.
        before = relay.bytesToClients();
        connections = relay.connections();
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(relay.connections() - connections, 1);
        QVERIFY2(relay.bytesToClients() - before <= gitBytes * 12 / 10, qPrintable(QString::number(relay.bytesToClients() - before)));
        // A change: the v2 listing sees it, then libgit2 fetches it.
        QVERIFY(updateRefs(m_srv.filePath(u"gh.git"_s), {u"update refs/heads/b1 %1"_s.arg(m_dev)}));
        connections = relay.connections();
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(relay.connections() - connections, 2);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"v2"_s), u"refs/heads/b1"_s), m_dev);
        QVERIFY(updateRefs(m_srv.filePath(u"gh.git"_s), {u"update refs/heads/b1 %1"_s.arg(m_main)}));
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
    }

    void aFailingMirrorDoesNotFloodWithAnothersRefs()
    {
        CliEnv env;
        if (!QFileInfo::exists(m_srv.filePath(u"gh.git"_s)))
            QVERIFY_THROWS_NO_EXCEPTION(makeSource(u"gh.git"_s));
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"a"_s, u"--source"_s, m_daemon.url(u"gh.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"b"_s, u"--source"_s, m_daemon.url(u"missing.git"_s), u"-q"_s}), 0);
        const CliResult r = env.run({u"update"_s, u"a"_s, u"b"_s});
        CLI_EXPECT_EXIT(r, 1);
        QCOMPARE(r.stdoutText(), QString()); // failures are diagnostics
        const QString err = r.stderrText();
        QVERIFY2(err.startsWith(u"b: failed"_s), qPrintable(err));
        QVERIFY2(!err.contains(u"refs/heads/b1"_s) && !err.contains(u"a: "_s), qPrintable(err));
        QVERIFY2(err.count(u'\n') < 5, qPrintable(err));
    }

    void aRefusedRunSaysItsLinesWereNotApplied()
    {
        const QString src = m_srv.filePath(u"guard.git"_s);
        QVERIFY_THROWS_NO_EXCEPTION(makeSource(u"guard.git"_s));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"g"_s, u"--source"_s, m_daemon.url(u"guard.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QStringList deletes;
        for (int i = 0; i < 25; ++i)
            deletes.append(u"delete refs/heads/b%1"_s.arg(i));
        QVERIFY(updateRefs(src, deletes));
        // -q: one line for the mirror, then its refused refs up to a limit.
        const CliResult quiet = env.run({u"-q"_s, u"update"_s});
        CLI_EXPECT_EXIT(quiet, 1);
        const QStringList lines = quiet.stderrText().split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() == 12, qPrintable(quiet.describe()));
        QVERIFY2(lines.first().startsWith(u"g: failed (guard)"_s), qPrintable(lines.first()));
        QVERIFY2(lines.at(1).contains(u"delete"_s) && lines.at(1).endsWith(u"[not applied]"_s), qPrintable(lines.at(1)));
        QCOMPARE(lines.last(), u"  … and 15 more refs"_s);
        QVERIFY(!quiet.stderrText().contains(u"refs/pull/"_s));
        QVERIFY(!GitRepoBuilder::refOrEmpty(cacheOf(env, u"g"_s), u"refs/heads/b3"_s).isEmpty()); // nothing applied
    }

    void aChangedDefaultBranchIsBehindAndPlanned()
    {
        const QString src = m_srv.filePath(u"head.git"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(src));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, src, {u"main"_s, u"dev"_s}));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"h"_s, u"--source"_s, m_daemon.url(u"head.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 0);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s, u"refs/heads/dev"_s}, src));
        const CliResult check = env.run({u"check"_s, u"--json"_s});
        CLI_EXPECT_EXIT(check, 3);
        const QJsonObject checked = check.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(checked.value(u"state"_s).toString(), u"behind"_s);
        QCOMPARE(checked.value(u"source_head"_s).toString(), u"refs/heads/dev"_s);
        QCOMPARE(checked.value(u"target_head"_s).toString(), u"refs/heads/main"_s);
        QVERIFY2(checked.value(u"last_error"_s).toString().contains(u"default branch"_s), qPrintable(check.describe()));
        const CliResult plan = env.run({u"plan"_s, u"--json"_s});
        CLI_EXPECT_EXIT(plan, 0);
        const QJsonObject head = plan.json().value(u"mirrors"_s).toArray().first().toObject().value(u"head"_s).toObject();
        QCOMPARE(head.value(u"old"_s).toString(), u"refs/heads/main"_s);
        QCOMPARE(head.value(u"new"_s).toString(), u"refs/heads/dev"_s);
        QVERIFY(env.run({u"plan"_s}).stdoutText().contains(u"HEAD refs/heads/main -> refs/heads/dev"_s));
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s}, cacheOf(env, u"h"_s)).trimmed(), u"refs/heads/dev"_s);
        const QJsonObject status = env.run({u"status"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray().first().toObject();
        QVERIFY2(status.value(u"warnings"_s).toArray().contains(u"the default branch changed upstream: main → dev"_s),
                 qPrintable(QString::fromUtf8(QJsonDocument(status).toJson())));
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 0);
    }

    void aFailedFirstUpdateLeavesNoCacheBehind()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"gone"_s, u"--source"_s, m_daemon.url(u"no-such.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 1);
        QVERIFY(!QFileInfo::exists(cacheOf(env, u"gone"_s)));
        // A folder the user made empty for it stays, still empty.
        const QString folder = env.path(u"mine/empty.git"_s);
        QVERIFY(QDir().mkpath(folder));
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"gone2"_s, u"--source"_s, m_daemon.url(u"no-such.git"_s), u"--cache"_s, folder, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"gone2"_s}), 1);
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(QDir(folder).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot));
        // And a later successful run still works there.
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"gone2"_s, u"--source"_s, m_daemon.url(u"head.git"_s), u"-q"_s}), 0);
    }

    void smallThingsSaidPlainly()
    {
        CliEnv env;
        // A port typed without a scheme is SCP-style SSH to port 22, as git reads it: accepted, with a warning.
        const CliResult scp = env.run({u"add"_s, u"p"_s, u"--source"_s, u"127.0.0.1:19418/x.git"_s});
        CLI_EXPECT_EXIT(scp, 0);
        QVERIFY2(scp.stderrText().contains(u"warning"_s) && scp.stderrText().contains(u"ssh://127.0.0.1:19418/x.git"_s),
                 qPrintable(scp.describe()));
        QVERIFY(!env.run({u"add"_s, u"q"_s, u"--source"_s, u"git@example.com:group/x.git"_s}).stderrText().contains(u"warning"_s));
        // edit without an option is a usage error that changes nothing.
        const CliResult edit = env.run({u"edit"_s, u"p"_s});
        CLI_EXPECT_EXIT(edit, 2);
        QVERIFY2(edit.stderrText().contains(u"nothing to change"_s), qPrintable(edit.describe()));
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"edit"_s, u"p"_s}), 2);
        // remove says where the kept cache is.
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"k"_s, u"--source"_s, m_daemon.url(u"head.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"k"_s}), 0);
        const CliResult removed = env.run({u"remove"_s, u"k"_s});
        CLI_EXPECT_EXIT(removed, 0);
        QVERIFY2(removed.stderrText().contains(u"kept the cache %1"_s.arg(cacheOf(env, u"k"_s))), qPrintable(removed.describe()));
        QVERIFY(QFileInfo::exists(cacheOf(env, u"k"_s)));
        // --help says what --protected-branch means for a pull mirror.
        const QString help = env.run({u"add"_s, u"--help"_s}).stdoutText().simplified();
        QVERIFY2(help.contains(u"filter, not protection"_s), qPrintable(help));
    }

    void anEmptiedSourceIsEmptyWithTheGuardAndCanBeFollowedOnPurpose()
    {
        const QString src = m_srv.filePath(u"wiped.git"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(src));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, src, {u"main"_s, u"dev"_s}));
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"w"_s, u"--source"_s, m_daemon.url(u"wiped.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QVERIFY(updateRefs(src, {u"delete refs/heads/main"_s, u"delete refs/heads/dev"_s}));
        const CliResult check = env.run({u"check"_s, u"--json"_s});
        CLI_EXPECT_EXIT(check, 1);
        const QJsonObject checked = check.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(checked.value(u"state"_s).toString(), u"empty"_s);
        QCOMPARE(checked.value(u"error_category"_s).toString(), u"guard"_s);
        QVERIFY2(checked.value(u"last_error"_s).toString().contains(u"empty-source guard"_s), qPrintable(check.describe()));
        const CliResult table = env.run({u"check"_s});
        QVERIFY2(table.stdoutText().contains(u"--allow-empty-source"_s), qPrintable(table.describe()));
        // Refused, even with --allow-mass-change: a wipe is its own decision.
        const CliResult refused = env.run({u"update"_s, u"--allow-mass-change"_s});
        CLI_EXPECT_EXIT(refused, 1);
        QVERIFY2(refused.stderrText().contains(u"--allow-empty-source"_s), qPrintable(refused.describe()));
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"w"_s), u"refs/heads/main"_s), m_main);
        // Followed on purpose: every ref deleted, each old tip kept in the attic.
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"w"_s, u"--allow-empty-source"_s}), 0);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"w"_s), u"refs/heads/main"_s), QString());
        const CliResult attic = env.run({u"attic"_s, u"list"_s, u"w"_s, u"--json"_s});
        CLI_EXPECT_EXIT(attic, 0);
        QVERIFY2(attic.out.contains("refs/heads/main") && attic.out.contains("refs/heads/dev") && attic.out.contains(m_main.toUtf8()),
                 attic.out.constData());
        CLI_EXPECT_EXIT(env.run({u"check"_s}), 0); // both empty now: nothing wrong
    }
};

QTEST_GUILESS_MAIN(TestCliRealShape)
#include "TestCliRealShape.moc"
