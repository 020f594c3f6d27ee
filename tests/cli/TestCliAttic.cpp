// attic list, restore and purge, and retention during update, through the real binary against
// a git daemon.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace clitest;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;

class TestCliAttic : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;

    QString src() const { return m_srv.filePath(u"src.git"_s); }
    QString cacheOf(const CliEnv &env) const { return env.defaultCacheRoot() + u"/m.git"_s; }

    static QString refOf(const QString &repo, const QString &ref) { return GitRepoBuilder::refOrEmpty(repo, ref); }
    static QStringList atticRefs(const QString &repo, const QString &suffix = {})
    {
        const QString out = GitRepoBuilder::run({u"for-each-ref"_s, u"--format=%(refname)"_s, u"refs/mirrordesk/attic/"_s}, repo);
        QStringList refs;
        for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
            if (suffix.isEmpty() || line.endsWith(suffix))
                refs.append(line);
        }
        return refs;
    }
    int m_rewrites = 0;

    // Rewrites dev upstream: a new root commit (unrelated history), force-pushed.
    QString rewriteDev(const QString &text)
    {
        QString oid;
        [&] {
            const QString branch = u"rw%1"_s.arg(++m_rewrites);
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"--orphan"_s, branch}, m_work));
            QVERIFY_THROWS_NO_EXCEPTION(oid = GitRepoBuilder::commit(m_work, u"dev.txt"_s, text, text));
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, src(), {u"+"_s + branch + u":refs/heads/dev"_s}));
        }();
        return oid;
    }
    static QJsonArray entries(const CliEnv &env)
    {
        const CliResult listed = env.run({u"attic"_s, u"list"_s, u"m"_s, u"--json"_s});
        return listed.json().value(u"entries"_s).toArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(src()));
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, src(), {u"main"_s, u"main:refs/heads/dev"_s}));
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    void listRestoreAndPurge()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(entries(env).size(), 0);
        const QString first = refOf(cacheOf(env), u"refs/heads/dev"_s);
        const QString rewritten = rewriteDev(u"rewritten"_s);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);

        // list: the old tip, why, from the index.
        QJsonArray list = entries(env);
        QCOMPARE(list.size(), 1);
        const QJsonObject entry = list.first().toObject();
        QCOMPARE(entry.value(u"ref"_s).toString(), u"refs/heads/dev"_s);
        QCOMPARE(entry.value(u"oid"_s).toString(), first);
        QCOMPARE(entry.value(u"why"_s).toString(), u"rewritten upstream"_s);
        QCOMPARE(entry.value(u"side"_s).toString(), u"cache"_s);
        QVERIFY(entry.value(u"when"_s).toString().endsWith(u'Z'));
        const QString id = entry.value(u"entry"_s).toString();
        const CliResult table = env.run({u"attic"_s, u"list"_s, u"m"_s});
        CLI_EXPECT_EXIT(table, 0);
        QVERIFY(table.stdoutText().contains(id) && table.stdoutText().contains(u"rewritten upstream"_s));

        // restore --as: a ref no sync touches; survives the next update.
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"restore"_s, u"m"_s, id, u"--as"_s, u"refs/restored/dev"_s}), 0);
        QCOMPARE(refOf(cacheOf(env), u"refs/restored/dev"_s), first);
        // restore over the live ref: the tip it replaces goes to the attic first.
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"restore"_s, u"m"_s, id}), 0);
        QCOMPARE(refOf(cacheOf(env), u"refs/heads/dev"_s), first);
        list = entries(env);
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.first().toObject().value(u"oid"_s).toString(), rewritten);
        QVERIFY(list.first().toObject().value(u"why"_s).toString().startsWith(u"replaced by attic restore"_s));
        // The next update makes dev follow the source again, keeping the restored tip once more.
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(refOf(cacheOf(env), u"refs/heads/dev"_s), rewritten);
        QCOMPARE(refOf(cacheOf(env), u"refs/restored/dev"_s), first);
        QCOMPARE(entries(env).size(), 3);

        // Bad input changes nothing.
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"restore"_s, u"m"_s, u"no-such-entry"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"restore"_s, u"m"_s, id, u"--as"_s, u"refs/mirrordesk/x"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"restore"_s, u"m"_s, id, u"--as"_s, u"refs/heads/a..b"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"purge"_s, u"m"_s, u"--older-than"_s, u"soon"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"attic"_s, u"list"_s, u"nobody"_s}), 2);
        QCOMPARE(entries(env).size(), 3);

        // purge: four more rewrites make seven entries for dev; --older-than 0 keeps the newest five.
        for (int i = 0; i < 4; ++i) {
            rewriteDev(u"again %1"_s.arg(i));
            CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        }
        QCOMPARE(atticRefs(cacheOf(env), u"/cache/refs/heads/dev"_s).size(), 7);
        const QString oldest = entries(env).last().toObject().value(u"entry"_s).toString();
        const CliResult purged = env.run({u"attic"_s, u"purge"_s, u"m"_s, u"--older-than"_s, u"0"_s});
        CLI_EXPECT_EXIT(purged, 0);
        QCOMPARE(atticRefs(cacheOf(env), u"/cache/refs/heads/dev"_s).size(), 5);
        list = entries(env);
        QCOMPARE(list.size(), 5);
        for (const QJsonValue &e : list)
            QVERIFY(e.toObject().value(u"entry"_s).toString() != oldest);
        // The index lost the purged entries too (every listed entry still has its reason).
        for (const QJsonValue &e : list)
            QVERIFY2(!e.toObject().value(u"why"_s).toString().isEmpty(), qPrintable(e.toObject().value(u"entry"_s).toString()));
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, cacheOf(env));
        QVERIFY2(fsck.ok(), qPrintable(fsck.describe()));
    }

    void updateAppliesRetention()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, m_daemon.url(u"src.git"_s), u"-q"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        // Seven entries from 2020 (made by hand, as an older run would have left them).
        const QString main = refOf(cacheOf(env), u"refs/heads/main"_s);
        for (int day = 1; day <= 7; ++day) {
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run(
                {u"update-ref"_s, u"refs/mirrordesk/attic/202001%1T000000Z-old/cache/refs/heads/gone"_s.arg(day, 2, 10, QLatin1Char('0')), main},
                cacheOf(env)));
        }
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        // attic_retention_days (90) passed for all; the newest five of the ref stay.
        const QStringList left = atticRefs(cacheOf(env), u"/cache/refs/heads/gone"_s);
        QCOMPARE(left.size(), 5);
        QVERIFY(!left.contains(u"refs/mirrordesk/attic/20200101T000000Z-old/cache/refs/heads/gone"_s));
        QVERIFY(!left.contains(u"refs/mirrordesk/attic/20200102T000000Z-old/cache/refs/heads/gone"_s));
        QCOMPARE(entries(env).size(), 5); // listed without a reason: they were never indexed
    }
};

QTEST_GUILESS_MAIN(TestCliAttic)
#include "TestCliAttic.moc"
