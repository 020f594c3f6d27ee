// Push mirrors (a local repository pushed to a remote target) and the hard cases of relay and
// push through the real binary (issue 10): the user's own repository is never written, a
// SIGKILL in the middle of a push leaves everything repairable, and bad targets (unreachable,
// wrong password, the source itself) fail plainly and change nothing.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "RelayTestUtil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpServer>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace relaytest;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;

class TestCliPush : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    WorldFactory m_worlds{m_srv.path()};
    int m_targets = 0;

    World newWorld() { return m_worlds.next(); }

    static QString cachePathOf(const Session &s, const QString &name)
    {
        const CliResult listed = s.run({u"list"_s, u"--json"_s});
        for (const QJsonValue &m : listed.json().value(u"mirrors"_s).toArray()) {
            if (m.toObject().value(u"name"_s).toString() == name)
                return m.toObject().value(u"cache_path"_s).toString();
        }
        return {};
    }

    // A work tree with a history worth pushing: main, develop, a nested branch, lightweight and
    // annotated tags, and then a dirty state: a staged change, an unstaged change, an untracked
    // file and a stash.
    static void makeBusyWorkTree(const World &w)
    {
        w.commitOn(u"main"_s, u"a.txt"_s, u"one"_s);
        GitRepoBuilder::tag(w.work, u"v0.1"_s);
        w.commitOn(u"main"_s, u"a.txt"_s, u"two"_s);
        GitRepoBuilder::tag(w.work, u"v1.0"_s, u"release"_s);
        w.commitOn(u"develop"_s, u"d.txt"_s, u"dev"_s);
        GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
        w.commitOn(u"topic/nested"_s, u"n.txt"_s, u"n"_s);
        GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
        CliEnv::writeFile(w.work + u"/a.txt"_s, "stashed change");
        GitRepoBuilder::run({u"stash"_s, u"-q"_s}, w.work);
        CliEnv::writeFile(w.work + u"/staged.txt"_s, "staged");
        GitRepoBuilder::run({u"add"_s, u"staged.txt"_s}, w.work);
        CliEnv::writeFile(w.work + u"/a.txt"_s, "unstaged change");
        CliEnv::writeFile(w.work + u"/untracked.txt"_s, "untracked");
    }

    // Waits until git daemon has seen every connection it accepted end (its --verbose log says
    // "Connection from" and "Disconnected" once per connection). False after 60 s.
    static bool daemonIdle(const GitDaemonServer &daemon)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            const QString log = daemon.log();
            if (log.count(u"Connection from"_s) == log.count(u"] Disconnected"_s))
                return true;
            QTest::qWait(10);
        }
        return false;
    }

    // A source whose push lasts a while: a 48 MB incompressible blob (made once).
    QString bigWorld()
    {
        const QString dir = u"big"_s;
        const QString src = m_srv.filePath(dir + u"/src.git"_s);
        if (QFileInfo::exists(src))
            return dir;
        World w = World::make(m_srv.path(), dir);
        QFile blob(w.work + u"/blob.bin"_s);
        if (!blob.open(QIODevice::WriteOnly))
            return {};
        QFile random(u"/dev/urandom"_s);
        if (!random.open(QIODevice::ReadOnly))
            return {};
        for (int i = 0; i < 48; ++i)
            blob.write(random.read(1 << 20));
        blob.close();
        GitRepoBuilder::run({u"add"_s, u"blob.bin"_s}, w.work);
        GitRepoBuilder::run({u"commit"_s, u"-q"_s, u"-m"_s, u"big"_s}, w.work);
        w.commitOn(u"develop"_s, u"d.txt"_s, u"dev"_s);
        GitRepoBuilder::tag(w.work, u"v1"_s, u"annotated"_s);
        GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
        w.publish();
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(binaryProblem().isEmpty(), qPrintable(binaryProblem()));
        QVERIFY(m_srv.isValid());
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    // Relay and push default to prune merged.
    void relayAndPushDefaultToPruneMerged()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, m_daemon.url(w.srcRel()), m_daemon.url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(addMirror(s, u"p"_s, u"push"_s, w.work, m_daemon.url(w.targetRel())), 0);
        const CliResult listed = s.run({u"list"_s, u"--json"_s});
        CLI_EXPECT_EXIT(listed, 0);
        for (const QJsonValue &m : listed.json().value(u"mirrors"_s).toArray())
            QVERIFY2(m.toObject().value(u"prune"_s).toString() == u"merged"_s, qPrintable(pretty(m.toObject())));
    }

    // The push shape reads the user's repository and never writes it: every file's path,
    // content, size, mode and mtime (and every folder's) are the same after update and check.
    void pushShapeLeavesTheLocalRepositoryUntouched_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("work tree with index, stash, untracked files") << u"work"_s;
        QTest::newRow("bare repository") << u"bare"_s;
        QTest::newRow("a path with spaces and non-ASCII") << u"spaces"_s;
        QTest::newRow("a clone with remote-tracking branches") << u"clone"_s;
        QTest::newRow("a linked worktree (git worktree add)") << u"linked"_s;
        QTest::newRow("a clone --shared (objects/info/alternates)") << u"shared"_s;
        QTest::newRow("packed, with bitmap and reverse index") << u"packed"_s;
    }

    void pushShapeLeavesTheLocalRepositoryUntouched()
    {
        QFETCH(QString, kind);
        World w = newWorld();
        const QString dir = w.root + u'/' + w.dir;
        QString local = w.work;
        QStringList roots; // every folder that must stay as it is
        QString branch = u"main"_s; // the branch new local work lands on
        GIT_OK({
            if (kind == u"spaces"_s) {
                World other = w;
                other.work = GitRepoBuilder::initWork(dir + u"/my repo ü ß"_s);
                makeBusyWorkTree(other);
                local = other.work;
            } else {
                makeBusyWorkTree(w);
            }
            if (kind == u"bare"_s) {
                local = dir + u"/local.git"_s;
                GitRepoBuilder::run({u"clone"_s, u"-q"_s, u"--bare"_s, w.work, local});
            } else if (kind == u"clone"_s || kind == u"shared"_s) {
                local = dir + u'/' + kind;
                GitRepoBuilder::run(kind == u"clone"_s ? QStringList{u"clone"_s, u"-q"_s, w.work, local}
                                                       : QStringList{u"clone"_s, u"-q"_s, u"--shared"_s, w.work, local});
                roots.append(w.work);
            } else if (kind == u"packed"_s) {
                GitRepoBuilder::run({u"-c"_s, u"pack.writeReverseIndex=true"_s, u"repack"_s, u"-a"_s, u"-d"_s, u"-q"_s,
                                     u"--write-bitmap-index"_s}, w.work);
                GitRepoBuilder::run({u"pack-refs"_s, u"--all"_s}, w.work);
            } else if (kind == u"linked"_s) {
                local = dir + u"/linked"_s;
                branch = u"linked-branch"_s;
                GitRepoBuilder::run({u"worktree"_s, u"add"_s, u"-q"_s, u"-b"_s, branch, local, u"main"_s}, w.work);
                CliEnv::writeFile(local + u"/linked-untracked.txt"_s, "x");
                roots.append(w.work);
            }
        });
        roots.prepend(local);
        if (kind == u"clone"_s)
            QVERIFY(!refOf(local, u"refs/remotes/origin/develop"_s).isEmpty());
        if (kind == u"shared"_s)
            QVERIFY(QFileInfo::exists(local + u"/.git/objects/info/alternates"_s));
        if (kind == u"packed"_s) {
            QVERIFY(!QDir(local + u"/.git/objects/pack"_s).entryList({u"*.bitmap"_s}).isEmpty());
            QVERIFY(!QDir(local + u"/.git/objects/pack"_s).entryList({u"*.rev"_s}).isEmpty());
        }
        Session s;
        CLI_EXPECT_EXIT(addMirror(s, u"p"_s, u"push"_s, local, m_daemon.url(w.targetRel())), 0);
        auto snapshot = [&roots] {
            QStringList all;
            for (const QString &root : roots)
                all += snapshotTree(root);
            return all;
        };
        const QStringList before = snapshot();
        QVERIFY(before.size() > 10);

        const CliResult run = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        QCOMPARE(firstMirror(run).value(u"shape"_s).toString(), u"push"_s);
        QCOMPARE(firstMirror(run).value(u"outcome"_s).toString(), u"ok"_s);
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"p"_s}), 0);
        const QStringList after = snapshot();
        QVERIFY2(before == after, qPrintable(u"the local repository changed:\n"_s + snapshotDiff(before, after)));
        // The target has the local branches and tags: not the stash, not remote-tracking refs.
        QString localRefs, targetRefs, targetAll;
        GIT_OK(localRefs = refsOf(local));
        GIT_OK(targetRefs = refsOf(w.target));
        GIT_OK(targetAll = GitRepoBuilder::forEachRef(w.target, {}));
        QCOMPARE(targetRefs, localRefs);
        QCOMPARE(targetAll, targetRefs);
        QVERIFY(!targetRefs.isEmpty());

        // New local work: pushed on the next update, the repository again untouched by it.
        QString newTip;
        if (kind == u"bare"_s) {
            GIT_OK(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"-f"_s, u"main"_s}, w.work));
            GIT_OK(newTip = GitRepoBuilder::commit(w.work, u"b.txt"_s, u"more"_s, u"more"_s));
            GIT_OK(GitRepoBuilder::push(w.work, local, {u"main"_s}));
        } else {
            GIT_OK(newTip = GitRepoBuilder::commit(local, u"b.txt"_s, u"more"_s, u"more"_s));
        }
        const QStringList before2 = snapshot();
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"p"_s}), 0);
        const QStringList after2 = snapshot();
        QVERIFY2(before2 == after2, qPrintable(u"the local repository changed:\n"_s + snapshotDiff(before2, after2)));
        QCOMPARE(refOf(w.target, u"refs/heads/"_s + branch), newTip);

        // Removing the mirror with its cache (which may share pack files with the source by hard
        // links) leaves the source as it was, and whole.
        const QString cache = cachePathOf(s, u"p"_s);
        QVERIFY(QFileInfo::exists(cache));
        CLI_EXPECT_EXIT(s.run({u"remove"_s, u"p"_s, u"--delete-cache"_s}), 0);
        QVERIFY(!QFileInfo::exists(cache));
        const QStringList afterRemove = snapshot();
        QVERIFY2(after2 == afterRemove, qPrintable(u"the local repository changed:\n"_s + snapshotDiff(after2, afterRemove)));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, local);
        QVERIFY2(fsck.ok() && fsck.err.isEmpty(), qPrintable(fsck.describe()));
    }

    // A push mirror's cache may not overlap its source (DESIGN section 3, "only what is ours"):
    // refused by add, or at the latest by update, and the source is never written.
    void pushCacheMayNotOverlapTheSource_data()
    {
        QTest::addColumn<QString>("where");
        QTest::newRow("the cache is the source's .git") << u".git"_s;
        QTest::newRow("the cache inside the source's .git") << u".git/mirror.git"_s;
        QTest::newRow("the cache inside the work tree") << u"sub/mirror.git"_s;
        QTest::newRow("the cache is the work tree") << QString();
    }

    void pushCacheMayNotOverlapTheSource()
    {
        QFETCH(QString, where);
        World w = newWorld();
        GIT_OK(w.classic());
        const QString cache = where.isEmpty() ? w.work : w.work + u'/' + where;
        const QStringList before = snapshotTree(w.work);
        Session s;
        const CliResult added = addMirror(s, u"p"_s, u"push"_s, w.work, m_daemon.url(w.targetRel()), {u"--cache"_s, cache});
        if (added.exitCode == 0) {
            const CliResult run = s.run({u"update"_s, u"p"_s});
            QVERIFY2(run.finished && run.exitCode != 0, qPrintable(added.describe() + u"\n"_s + run.describe()));
        } else {
            QVERIFY2(added.finished && !added.stderrText().isEmpty(), qPrintable(added.describe()));
        }
        const QStringList after = snapshotTree(w.work);
        QVERIFY2(before == after, qPrintable(u"the local repository changed:\n"_s + snapshotDiff(before, after)));
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
    }

    // A push mirror's source must be a local path.
    void pushShapeWantsALocalSource()
    {
        World w = newWorld();
        Session s;
        const CliResult added = addMirror(s, u"p"_s, u"push"_s, m_daemon.url(w.srcRel()), m_daemon.url(w.targetRel()));
        QVERIFY2(added.finished && added.exitCode != 0 && !added.stderrText().isEmpty(), qPrintable(added.describe()));
        QVERIFY(s.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray().isEmpty());
    }

    // SIGKILL while pushing, then update again: exit 0, the target equals the source, the cache
    // and the target are fsck clean, no debris is left in the cache.
    //  - "held": the target's pre-receive hook holds the push (the pack is sent, the client waits
    //    for the report) until the test has killed mirrordesk; then it refuses or accepts it.
    //  - "upload": a 48 MB pack; killed as soon as the target's receive-pack has begun taking it
    //    in (its quarantine folder objects/tmp_objdir-incoming-* appears).
    void sigkillMidPushThenUpdateCompletes_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("held, then refused by the hook") << u"held-refused"_s;
        QTest::newRow("held, then accepted by the hook") << u"held-accepted"_s;
        QTest::newRow("during the pack upload") << u"upload"_s;
    }

    void sigkillMidPushThenUpdateCompletes()
    {
        QFETCH(QString, mode);
        World w;
        QString dir;
        if (mode == u"upload"_s) {
            GIT_OK(dir = bigWorld());
            QVERIFY(!dir.isEmpty());
            // Its own target per run.
            w.root = m_srv.path();
            w.dir = dir;
            w.src = m_srv.filePath(dir + u"/src.git"_s);
            const QString name = u"target-%1.git"_s.arg(++m_targets);
            GIT_OK(w.target = GitRepoBuilder::initBare(m_srv.filePath(dir + u'/' + name)));
            dir = dir + u'/' + name;
        } else {
            w = newWorld();
            GIT_OK({
                w.classic();
                for (int i = 0; i < 20; ++i) {
                    GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
                    w.commitOn(u"topic-%1"_s.arg(i), u"t.txt"_s, u"topic %1"_s.arg(i));
                }
                GitRepoBuilder::tag(w.work, u"v1"_s, u"annotated"_s);
                GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
                w.publish();
            });
            dir = w.targetRel();
        }
        const QString flags = w.target + u"/test-flags"_s;
        QDir().mkpath(flags);
        if (mode != u"upload"_s) {
            // Holds the first push whole; later pushes pass.
            GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                               u"f='%1'\nif [ ! -e \"$f/HELD\" ]; then\n  : > \"$f/HELD\"\n  i=0\n"
                                               u"  while [ ! -e \"$f/RELEASE\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
                                               u"  exit %2\nfi\nexit 0\n"_s.arg(flags, mode == u"held-refused"_s ? u"1"_s : u"0"_s)));
        }
        GitDaemonServer daemon; // its own, so its log counts only this test's connections
        QVERIFY2(daemon.start(m_srv.path()), qPrintable(daemon.errorString()));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, daemon.url(w.dir + u"/src.git"_s), daemon.url(dir)), 0);
        const QString cache = cachePathOf(s, u"r"_s);
        QVERIFY(!cache.isEmpty());

        auto process = s.env.start({u"update"_s, u"r"_s});
        QVERIFY(process->waitForStarted());
        bool caught = false;
        QElapsedTimer timer;
        timer.start();
        while (!caught && timer.elapsed() < 120000 && process->state() == QProcess::Running) {
            if (mode == u"upload"_s)
                caught = !QDir(w.target + u"/objects"_s).entryList({u"tmp_objdir-incoming-*"_s, u"incoming-*"_s}, QDir::Dirs).isEmpty();
            else
                caught = QFileInfo::exists(flags + u"/HELD"_s);
            if (!caught)
                QTest::qWait(1);
        }
        process->kill(); // SIGKILL
        QVERIFY(process->waitForFinished(10000));
        if (!caught) {
            const QString said = QString::fromUtf8(process->readAllStandardError());
            QVERIFY2(mode == u"upload"_s, qPrintable(u"the push never reached the hook: "_s + said));
            qWarning("the push finished before its pack upload could be caught; the kill came after it (%s)", qPrintable(said));
        } else {
            QCOMPARE(process->exitStatus(), QProcess::CrashExit);
        }
        QVERIFY(CliEnv::writeFile(flags + u"/RELEASE"_s, "go"));
        QVERIFY2(daemonIdle(daemon), qPrintable(daemon.log()));
        {
            QString landed;
            GIT_OK(landed = refsOf(w.target));
            qInfo("%s: after the SIGKILL the target holds %lld refs", qPrintable(mode), static_cast<long long>(landed.count(u'\n')));
        }
        if (mode == u"held-refused"_s)
            GIT_OK(QCOMPARE(refsOf(w.target), QString())); // the held push took nothing

        const CliResult again = s.run({u"update"_s, u"r"_s, u"--json"_s}, 180000);
        CLI_EXPECT_EXIT(again, 0);
        QString srcRefs, targetRefs;
        GIT_OK(srcRefs = refsOf(w.src));
        GIT_OK(targetRefs = refsOf(w.target));
        QCOMPARE(targetRefs, srcRefs);
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, cache);
        QVERIFY2(fsck.ok() && fsck.err.isEmpty(), qPrintable(fsck.describe()));
        const auto targetFsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, w.target);
        QVERIFY2(targetFsck.ok(), qPrintable(targetFsck.describe()));
        QStringList debris;
        QDirIterator it(cache, {u"*.lock"_s, u"pack_git2_*"_s}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            debris.append(it.next());
        QVERIFY2(debris.isEmpty(), qPrintable(debris.join(u'\n')));
        // And the cache's own refs agree with the source.
        GIT_OK(QCOMPARE(refsOf(cache), srcRefs));
    }

    // SIGKILL while a forced push is held by the target: the target tip it would overwrite is
    // already in the cache's attic (kept before the push), and the next update completes with
    // the lost commit listed in the attic.
    void sigkillDuringAForcedPushLosesNothing()
    {
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        GitDaemonServer daemon;
        QVERIFY2(daemon.start(m_srv.path()), qPrintable(daemon.errorString()));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, daemon.url(w.srcRel()), daemon.url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        const QString cache = cachePathOf(s, u"r"_s);
        QString lost;
        GIT_OK(lost = w.commitOnTarget(u"develop"_s, u"only on the target"_s));
        GIT_OK({
            w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            w.publish();
        });
        const QString flags = w.target + u"/test-flags"_s;
        QDir().mkpath(flags);
        GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                           u"f='%1'\nif [ ! -e \"$f/HELD\" ]; then\n  : > \"$f/HELD\"\n  i=0\n"
                                           u"  while [ ! -e \"$f/RELEASE\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
                                           u"  exit 1\nfi\nexit 0\n"_s.arg(flags)));
        auto process = s.env.start({u"update"_s, u"r"_s});
        QVERIFY(process->waitForStarted());
        QElapsedTimer timer;
        timer.start();
        while (!QFileInfo::exists(flags + u"/HELD"_s) && timer.elapsed() < 60000 && process->state() == QProcess::Running)
            QTest::qWait(1);
        QVERIFY2(QFileInfo::exists(flags + u"/HELD"_s), qPrintable(QString::fromUtf8(process->readAllStandardError())));
        process->kill();
        QVERIFY(process->waitForFinished(10000));
        QVERIFY(CliEnv::writeFile(flags + u"/RELEASE"_s, "go"));
        QVERIFY2(daemonIdle(daemon), qPrintable(daemon.log()));
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), lost); // the held push was refused
        // Nothing lost at the moment of the kill: the lost commit is under the cache's attic.
        QString attic;
        GIT_OK(attic = GitRepoBuilder::forEachRef(cache, {u"refs/mirrordesk/attic/"_s}));
        QVERIFY2(attic.contains(u"/target/refs/heads/develop "_s + lost), qPrintable(attic));

        const CliResult again = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(again, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        bool listed = false;
        for (const QJsonObject &entry : atticEntriesFor(s, u"r"_s, u"refs/heads/develop"_s))
            listed = listed || entry.value(u"oid"_s).toString() == lost;
        QVERIFY2(listed, qPrintable(pretty(atticEntries(s, u"r"_s))));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, cache);
        QVERIFY2(fsck.ok() && fsck.err.isEmpty(), qPrintable(fsck.describe()));
    }

    // The target's server dies while it holds the push: the run fails (network), the target
    // keeps what it had, and once the server is back the next update completes.
    void targetDyingMidPushFailsCleanly()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        const QString flags = w.target + u"/test-flags"_s;
        QDir().mkpath(flags);
        GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                           u"f='%1'\nif [ ! -e \"$f/HELD\" ]; then\n  : > \"$f/HELD\"\n  i=0\n"
                                           u"  while [ ! -e \"$f/RELEASE\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
                                           u"  exit 1\nfi\nexit 0\n"_s.arg(flags)));
        auto dying = std::make_unique<GitDaemonServer>();
        QVERIFY2(dying->start(m_srv.path()), qPrintable(dying->errorString()));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, m_daemon.url(w.srcRel()), dying->url(w.targetRel())), 0);
        auto process = s.env.start({u"update"_s, u"r"_s, u"--json"_s});
        QVERIFY(process->waitForStarted());
        QElapsedTimer timer;
        timer.start();
        while (!QFileInfo::exists(flags + u"/HELD"_s) && timer.elapsed() < 60000 && process->state() == QProcess::Running)
            QTest::qWait(1);
        QVERIFY2(QFileInfo::exists(flags + u"/HELD"_s), qPrintable(QString::fromUtf8(process->readAllStandardError())));
        // SIGKILL to the daemon's process group: receive-pack and the hook die with it (a SIGTERM
        // ends the daemon, but receive-pack waiting for its hook lives on and keeps the socket).
        ::kill(-static_cast<pid_t>(dying->pid()), SIGKILL);
        dying->stop();
        const CliResult failed = CliEnv::finish(*process, {u"update"_s, u"r"_s, u"--json"_s}, 60000);
        CLI_EXPECT_EXIT(failed, 1);
        const QJsonObject mirror = firstMirror(failed);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QVERIFY2(mirror.value(u"error_category"_s).toString() == u"network"_s, qPrintable(pretty(mirror)));
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));

        GitDaemonServer back;
        QVERIFY2(back.start(m_srv.path()), qPrintable(back.errorString()));
        CLI_EXPECT_EXIT(s.run({u"edit"_s, u"r"_s, u"--target"_s, back.url(w.targetRel()), u"-q"_s}), 0);
        const CliResult again = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(again, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
    }

    // SIGTERM while the target holds the push: the run ends promptly with 143 and is recorded as
    // interrupted; the target keeps what it had; the next update completes.
    void sigtermDuringAHeldPushInterrupts()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        const QString flags = w.target + u"/test-flags"_s;
        QDir().mkpath(flags);
        GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                           u"f='%1'\nif [ ! -e \"$f/HELD\" ]; then\n  : > \"$f/HELD\"\n  i=0\n"
                                           u"  while [ ! -e \"$f/RELEASE\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
                                           u"  exit 1\nfi\nexit 0\n"_s.arg(flags)));
        GitDaemonServer daemon;
        QVERIFY2(daemon.start(m_srv.path()), qPrintable(daemon.errorString()));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, daemon.url(w.srcRel()), daemon.url(w.targetRel())), 0);
        auto process = s.env.start({u"update"_s, u"r"_s});
        QVERIFY(process->waitForStarted());
        QElapsedTimer timer;
        timer.start();
        while (!QFileInfo::exists(flags + u"/HELD"_s) && timer.elapsed() < 60000 && process->state() == QProcess::Running)
            QTest::qWait(1);
        QVERIFY2(QFileInfo::exists(flags + u"/HELD"_s), qPrintable(QString::fromUtf8(process->readAllStandardError())));
        ::kill(static_cast<pid_t>(process->processId()), SIGTERM);
        // The hook holds the push for up to 60 s: the run must not wait for it.
        const CliResult interrupted = CliEnv::finish(*process, {u"update"_s, u"r"_s}, 20000);
        QVERIFY(CliEnv::writeFile(flags + u"/RELEASE"_s, "go"));
        CLI_EXPECT_EXIT(interrupted, 143);
        CLI_EXPECT_STDERR(interrupted, u"interrupted by SIGTERM"_s);
        QVERIFY2(daemonIdle(daemon), qPrintable(daemon.log()));
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
        const CliResult status = s.run({u"status"_s, u"r"_s, u"--json"_s});
        QCOMPARE(firstMirror(status).value(u"update_status"_s).toString(), u"interrupted"_s);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, cachePathOf(s, u"r"_s));
        QVERIFY2(fsck.ok() && fsck.err.isEmpty(), qPrintable(fsck.describe()));
    }

    // While git pushes over HTTPS with basic auth (held by the target's pre-receive hook), the
    // password is in no argument list and no environment of MirrorDesk or any process it
    // started, and in no file under the temporary folder (the secret comes from a file and goes
    // to git through a pipe, never a command line, an environment variable or a temp file).
    void secretNeverInArgumentsEnvironmentOrTempFilesDuringAPush()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        const QByteArray secret = "pw-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + "-uNiQuE";
        HttpGitServer http;
        QVERIFY2(http.start(m_srv.path(), {true, u"mirror-bot"_s, QString::fromLatin1(secret), false}), qPrintable(http.errorString()));
        const QString flags = w.target + u"/test-flags"_s;
        QDir().mkpath(flags);
        GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                           u"f='%1'\nif [ ! -e \"$f/HELD\" ]; then\n  : > \"$f/HELD\"\n  i=0\n"
                                           u"  while [ ! -e \"$f/RELEASE\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
                                           u"fi\nexit 0\n"_s.arg(flags)));
        Session s;
        const QString secretFile = s.env.path(u"secret.txt"_s);
        QVERIFY(CliEnv::writeFile(secretFile, secret));
        QVERIFY(QFile::setPermissions(secretFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"tgt"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"mirror-bot"_s,
                               u"--secret-file"_s, secretFile}), 0);
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, m_daemon.url(w.srcRel()), http.url(w.targetRel()), {u"--target-credential"_s, u"tgt"_s}), 0);
        QVERIFY(setCaFile(s.env, http.caFile()));
        const QDateTime started = QDateTime::currentDateTime().addSecs(-1);
        auto process = s.env.start({u"update"_s, u"r"_s});
        QVERIFY(process->waitForStarted());
        QElapsedTimer timer;
        timer.start();
        while (!QFileInfo::exists(flags + u"/HELD"_s) && timer.elapsed() < 60000 && process->state() == QProcess::Running)
            QTest::qWait(1);
        const bool held = QFileInfo::exists(flags + u"/HELD"_s);

        // MirrorDesk and its descendants, from /proc.
        QMap<qint64, qint64> parentOf;
        for (const QString &entry : QDir(u"/proc"_s).entryList(QDir::Dirs)) {
            bool number = false;
            const qint64 pid = entry.toLongLong(&number);
            if (!number)
                continue;
            const QByteArray stat = CliEnv::readFile(u"/proc/%1/stat"_s.arg(pid)).value_or(QByteArray());
            const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
            if (fields.size() > 1)
                parentOf.insert(pid, fields.at(1).toLongLong());
        }
        QList<qint64> tree{process->processId()};
        for (bool grew = true; grew;) {
            grew = false;
            for (auto it = parentOf.begin(); it != parentOf.end(); ++it) {
                if (tree.contains(it.value()) && !tree.contains(it.key())) {
                    tree.append(it.key());
                    grew = true;
                }
            }
        }
        QStringList leaks;
        for (const qint64 pid : tree) {
            for (const QString &part : {u"cmdline"_s, u"environ"_s}) {
                if (CliEnv::readFile(u"/proc/%1/%2"_s.arg(pid).arg(part)).value_or(QByteArray()).contains(secret))
                    leaks.append(u"/proc/%1/%2 (%3)"_s.arg(pid).arg(part).arg(QString::fromUtf8(
                        CliEnv::readFile(u"/proc/%1/cmdline"_s.arg(pid)).value_or(QByteArray()).replace('\0', ' ').left(120))));
            }
        }
        // Small files written since the run began, anywhere under the temporary folder (the
        // test's own secret file and the server's password file excepted).
        QDirIterator files(QDir::tempPath(), QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString file = files.next();
            const QFileInfo info(file);
            if (info.size() > (1 << 16) || info.lastModified() < started || file == secretFile || file.startsWith(http.configFile().section(u'/', 0, -2)))
                continue;
            if (CliEnv::readFile(file).value_or(QByteArray()).contains(secret))
                leaks.append(file);
        }
        QVERIFY(CliEnv::writeFile(flags + u"/RELEASE"_s, "go"));
        const CliResult result = CliEnv::finish(*process, {u"update"_s, u"r"_s}, 60000);
        QVERIFY2(held, qPrintable(result.describe()));
        QVERIFY2(tree.size() > 1, "no child process of mirrordesk was seen while the push was held");
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));
        CLI_EXPECT_EXIT(result, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        QVERIFY(!result.out.contains(secret) && !result.err.contains(secret));
        QCOMPARE(s.env.filesContaining(secret, {QFileInfo(secretFile).absoluteFilePath()}), QStringList{});
    }

    // A target nobody listens on: exit 1, error_category network, the target unchanged.
    void unreachableTargetFailsWithNetwork()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        GIT_OK(GitRepoBuilder::push(w.work, w.target, {u"main~1:refs/heads/main"_s}));
        QString before;
        GIT_OK(before = refsOf(w.target));
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, m_daemon.url(w.srcRel()), u"git://127.0.0.1:%1/%2"_s.arg(closedPort).arg(w.targetRel())), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"network"_s);
        QVERIFY(!mirror.value(u"last_error"_s).toString().isEmpty());
        GIT_OK(QCOMPARE(refsOf(w.target), before));
        // check says unreachable for the target half.
        const CliResult check = s.run({u"check"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(check, 1);
        QCOMPARE(firstMirror(check).value(u"cache_target"_s).toObject().value(u"state"_s).toString(), u"unreachable"_s);
    }

    // A wrong password for the target (HTTP basic auth): exit 1, error_category auth, the
    // target unchanged, the password nowhere in the output, config, state or cache.
    void wrongTargetPasswordFailsWithAuth_data()
    {
        QTest::addColumn<bool>("https");
        QTest::newRow("http") << false;
        QTest::newRow("https") << true;
    }

    void wrongTargetPasswordFailsWithAuth()
    {
        QFETCH(bool, https);
        World w = newWorld();
        GIT_OK(w.classic());
        HttpGitServer http;
        QVERIFY2(http.start(m_srv.path(), {https, u"mirror-bot"_s, u"right-Pa55"_s, false}), qPrintable(http.errorString()));
        Session s;
        s.vars.insert(u"MD_TARGET_PW"_s, u"wr0ng-Pa55word"_s);
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"tgt"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"mirror-bot"_s,
                               u"--secret-env"_s, u"MD_TARGET_PW"_s}), 0);
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, m_daemon.url(w.srcRel()), http.url(w.targetRel()), {u"--target-credential"_s, u"tgt"_s}), 0);
        if (https)
            QVERIFY(setCaFile(s.env, http.caFile()));
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"auth"_s);
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
        const CliResult table = s.run({u"update"_s, u"r"_s});
        CLI_EXPECT_EXIT(table, 1);
        for (const CliResult &r : {run, table})
            QVERIFY2(!r.out.contains("wr0ng-Pa55word") && !r.err.contains("wr0ng-Pa55word"), qPrintable(r.describe()));
        QCOMPARE(s.env.filesContaining("wr0ng-Pa55word"), QStringList{});
        // The right one works.
        s.vars.insert(u"MD_TARGET_PW"_s, u"right-Pa55"_s);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        QCOMPARE(s.env.filesContaining("right-Pa55"), QStringList{});
    }

    // A target that is the source: refused by add, nothing added.
    void targetEqualToSourceIsRefused_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("the same URL") << QString();
        QTest::newRow("with a trailing slash") << u"/"_s;
    }

    void targetEqualToSourceIsRefused()
    {
        QFETCH(QString, suffix);
        World w = newWorld();
        GIT_OK(w.classic());
        QString before;
        GIT_OK(before = refsOf(w.src));
        Session s;
        const QString source = m_daemon.url(w.srcRel());
        const CliResult added = addRelay(s, u"r"_s, source, source + suffix);
        QVERIFY2(added.finished && added.exitCode != 0, qPrintable(added.describe()));
        QVERIFY2(added.stderrText().contains(u"target"_s) && added.stderrText().contains(u"source"_s), qPrintable(added.describe()));
        const CliResult listed = s.run({u"list"_s, u"--json"_s});
        QVERIFY2(listed.json().value(u"mirrors"_s).toArray().isEmpty(), qPrintable(listed.describe()));
        GIT_OK(QCOMPARE(refsOf(w.src), before));
        QVERIFY(!QFileInfo::exists(s.env.defaultCacheRoot() + u"/r.git"_s));
    }
};

QTEST_GUILESS_MAIN(TestCliPush)
#include "TestCliPush.moc"
