// Relay mirrors through the real binary (issue 10, DESIGN section 3 push rules): a source on a
// git daemon, a target on a git daemon (receive-pack) or lighttpd + git http-backend with basic
// auth over HTTP and HTTPS. Every outcome is read back from the target's bare repository with
// the git command line, and from the JSON documents.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "RelayTestUtil.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace relaytest;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;

class TestCliRelay : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    WorldFactory m_worlds{m_srv.path()};

    World newWorld() { return m_worlds.next(); }
    QString url(const QString &relative) const { return m_daemon.url(relative); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(binaryProblem().isEmpty(), qPrintable(binaryProblem()));
        QVERIFY(m_srv.isValid());
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    // A relay makes the target equal to the source (branches, lightweight and annotated tags),
    // over each target transport; a second update pushes nothing; a fast-forward is one.
    void relayMakesTheTargetEqualToTheSource_data()
    {
        QTest::addColumn<QString>("transport");
        QTest::newRow("git daemon") << u"git"_s;
        QTest::newRow("http basic auth") << u"http"_s;
        QTest::newRow("https basic auth") << u"https"_s;
        QTest::newRow("https source and target") << u"https-both"_s;
    }

    void relayMakesTheTargetEqualToTheSource()
    {
        QFETCH(QString, transport);
        World w = newWorld();
        GIT_OK({
            w.commitOn(u"main"_s, u"a.txt"_s, u"one"_s);
            GitRepoBuilder::tag(w.work, u"v0.1"_s);
            w.commitOn(u"main"_s, u"a.txt"_s, u"two"_s);
            GitRepoBuilder::tag(w.work, u"v1.0"_s, u"release 1.0"_s);
            w.commitOn(u"develop"_s, u"d.txt"_s, u"dev"_s);
            GitRepoBuilder::tag(w.work, u"v1.1-rc"_s, u"on develop"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.commitOn(u"feature/deep/x"_s, u"x.txt"_s, u"x"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.commitOn(u"release/1.0"_s, u"r.txt"_s, u"r"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
        });

        Session s;
        HttpGitServer http;
        QString targetUrl = url(w.targetRel());
        if (transport != u"git"_s) {
            QVERIFY2(http.start(m_srv.path(), {transport.startsWith(u"https"_s), u"mirror-bot"_s, u"s3cret-target-pw"_s, false}),
                     qPrintable(http.errorString()));
            targetUrl = http.url(w.targetRel());
            s.vars.insert(u"MD_TARGET_PW"_s, u"s3cret-target-pw"_s);
            CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"tgt"_s, u"--kind"_s, u"password"_s, u"--username"_s,
                                   u"mirror-bot"_s, u"--secret-env"_s, u"MD_TARGET_PW"_s}), 0);
        }
        QStringList options;
        if (transport != u"git"_s)
            options += {u"--target-credential"_s, u"tgt"_s};
        if (transport == u"https-both"_s)
            options += {u"--source-credential"_s, u"tgt"_s};
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, transport == u"https-both"_s ? http.url(w.srcRel()) : url(w.srcRel()), targetUrl, options), 0);
        if (transport.startsWith(u"https"_s))
            QVERIFY(setCaFile(s.env, http.caFile()));

        const CliResult first = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(first, 0);
        QJsonObject document;
        CLI_JSON(first, document);
        const QJsonObject mirror = firstMirror(first);
        QCOMPARE(mirror.value(u"shape"_s).toString(), u"relay"_s);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"ok"_s);
        QString srcRefs, targetRefs;
        GIT_OK(srcRefs = refsOf(w.src));
        GIT_OK(targetRefs = refsOf(w.target));
        QCOMPARE(targetRefs, srcRefs);
        QCOMPARE(srcRefs.count(u'\n'), 7); // 4 branches, 3 tags
        // Each ref is reported on both sides: fetched into the cache, created on the target.
        for (const QString &line : srcRefs.split(u'\n', Qt::SkipEmptyParts)) {
            const QString ref = line.section(u' ', 0, 0);
            const QJsonObject pushed = refLine(mirror, ref, u"target"_s);
            QVERIFY2(pushed.value(u"action"_s).toString() == u"create"_s && pushed.value(u"result"_s).toString() == u"ok"_s,
                     qPrintable(ref + u"\n"_s + pretty(mirror)));
            QCOMPARE(pushed.value(u"new"_s).toString(), line.section(u' ', 1, 1));
            QVERIFY2(!refLine(mirror, ref, u"cache"_s).isEmpty(), qPrintable(ref + u"\n"_s + pretty(mirror)));
        }
        // The annotated tags arrive as the same tag objects.
        QCOMPARE(refOf(w.target, u"refs/tags/v1.0"_s), refOf(w.src, u"refs/tags/v1.0"_s));
        QCOMPARE(GitRepoBuilder::run({u"cat-file"_s, u"-t"_s, u"refs/tags/v1.0"_s}, w.target).trimmed(), u"tag"_s);
        // A target made with `git init --bare`: its HEAD still names main, which now exists.
        QCOMPARE(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s}, w.target).trimmed(), u"refs/heads/main"_s);
        if (transport != u"git"_s) {
            QVERIFY(!first.stdoutText().contains(u"s3cret-target-pw"_s) && !first.stderrText().contains(u"s3cret-target-pw"_s));
            QCOMPARE(s.env.filesContaining("s3cret-target-pw"), QStringList{});
        }

        // check reaches both sides with the same credentials and CA: in sync.
        const CliResult checked = s.run({u"check"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(checked, 0);
        QCOMPARE(firstMirror(checked).value(u"cache_target"_s).toObject().value(u"state"_s).toString(), u"in_sync"_s);

        // Nothing new: nothing is pushed, every target line is up to date.
        const CliResult second = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(second, 0);
        for (const QJsonObject &line : sideLines(firstMirror(second), u"target"_s))
            QVERIFY2(line.value(u"action"_s).toString() == u"up_to_date"_s, qPrintable(pretty(firstMirror(second))));
        GIT_OK(QCOMPARE(refsOf(w.target), srcRefs));

        // A fast-forward on the source is one on the target.
        QString newMain;
        GIT_OK(newMain = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s));
        GIT_OK(w.publish());
        const CliResult third = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(third, 0);
        const QJsonObject ff = refLine(firstMirror(third), u"refs/heads/main"_s);
        QCOMPARE(ff.value(u"action"_s).toString(), u"fast_forward"_s);
        QCOMPARE(ff.value(u"result"_s).toString(), u"ok"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), newMain);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
    }

    // On an empty target the default branch goes alone in the first push (a pre-receive hook
    // on the target logs the refs of each push).
    void emptyTargetGetsTheDefaultBranchAlone()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        GIT_OK({
            w.commitOn(u"aaa-first-by-name"_s, u"z.txt"_s, u"z"_s);
            GitRepoBuilder::tag(w.work, u"t1"_s, u"annotated"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
        });
        const QString log = w.root + u'/' + w.dir + u"/pushes.log"_s;
        GIT_OK(GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                           u"echo push >> '%1'\nwhile read old new ref; do echo \"$ref\" >> '%1'; done\nexit 0\n"_s.arg(log)));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        const QStringList pushes = QString::fromUtf8(CliEnv::readFile(log).value_or(QByteArray()))
                                       .split(u"push\n"_s, Qt::SkipEmptyParts);
        QVERIFY2(pushes.size() >= 2, qPrintable(pushes.join(u"----\n"_s)));
        QCOMPARE(pushes.first(), u"refs/heads/main\n"_s);
        QVERIFY2(!pushes.mid(1).join(QString()).contains(u"refs/heads/main\n"_s), qPrintable(pushes.join(u"----\n"_s)));
    }

    // GitLab's documented case: develop gets a commit on the target, main one on the source.
    // Without keep_divergent_refs, develop is forced back to the source's, and the lost target
    // commit is kept in the attic (side target), from where attic restore pushes it back.
    // (Over HTTPS with basic auth too: the lost tip is fetched from the target for the attic
    // with the target's credential and CA.)
    void classicCaseForcesTheDivergedBranchKeepingTheTargetTip_data()
    {
        QTest::addColumn<bool>("https");
        QTest::newRow("git daemon") << false;
        QTest::newRow("https basic auth") << true;
    }

    void classicCaseForcesTheDivergedBranchKeepingTheTargetTip()
    {
        QFETCH(bool, https);
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        Session s;
        HttpGitServer http;
        if (https) {
            QVERIFY2(http.start(m_srv.path(), {true, u"mirror-bot"_s, u"classic-pw"_s, false}), qPrintable(http.errorString()));
            s.vars.insert(u"MD_TARGET_PW"_s, u"classic-pw"_s);
            CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"tgt"_s, u"--kind"_s, u"password"_s, u"--username"_s,
                                   u"mirror-bot"_s, u"--secret-env"_s, u"MD_TARGET_PW"_s}), 0);
            CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), http.url(w.targetRel()), {u"--target-credential"_s, u"tgt"_s}), 0);
            QVERIFY(setCaFile(s.env, http.caFile()));
        } else {
            CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        }
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString lost, newMain;
        GIT_OK(lost = w.commitOnTarget(u"develop"_s, u"a fix made on the target"_s));
        GIT_OK(newMain = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s));
        GIT_OK(w.publish());

        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"ok"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), tips.second);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), newMain);
        const QJsonObject develop = refLine(mirror, u"refs/heads/develop"_s);
        QCOMPARE(develop.value(u"action"_s).toString(), u"force"_s);
        QCOMPARE(develop.value(u"old"_s).toString(), lost);
        QCOMPARE(develop.value(u"new"_s).toString(), tips.second);
        QCOMPARE(refLine(mirror, u"refs/heads/main"_s).value(u"action"_s).toString(), u"fast_forward"_s);

        const QList<QJsonObject> kept = atticEntriesFor(s, u"r"_s, u"refs/heads/develop"_s);
        QVERIFY2(kept.size() == 1, qPrintable(pretty(atticEntries(s, u"r"_s))));
        QCOMPARE(kept.first().value(u"oid"_s).toString(), lost);
        QVERIFY(!entryId(kept.first()).isEmpty());

        // Restore pushes the kept tip back to the target's develop.
        const CliResult restored = s.run({u"attic"_s, u"restore"_s, u"r"_s, entryId(kept.first())});
        CLI_EXPECT_EXIT(restored, 0);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), lost);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), newMain); // nothing else moved
    }

    // The same with keep_divergent_refs (set by edit): develop is skipped and keeps the target's
    // commit, main still moves, the run fails naming develop, and nothing is deleted.
    void keepDivergentRefsSkipsTheDivergedBranch()
    {
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString onTarget, newMain, mergedTopic;
        GIT_OK(onTarget = w.commitOnTarget(u"develop"_s, u"target work"_s));
        // A target-only branch merged into main: prune merged (the default) would delete it.
        GIT_OK(GitRepoBuilder::run({u"update-ref"_s, u"refs/heads/merged-topic"_s, u"refs/heads/main~1"_s}, w.target));
        GIT_OK(mergedTopic = refOf(w.target, u"refs/heads/merged-topic"_s));
        GIT_OK(newMain = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s));
        GIT_OK(w.publish());
        CLI_EXPECT_EXIT(s.run({u"edit"_s, u"r"_s, u"--keep-divergent-refs"_s, u"-q"_s}), 0);

        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"diverged"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"some refs have diverged: develop"_s), qPrintable(pretty(mirror)));
        const QJsonObject develop = refLine(mirror, u"refs/heads/develop"_s);
        QCOMPARE(develop.value(u"action"_s).toString(), u"skip_diverged"_s);
        QCOMPARE(develop.value(u"result"_s).toString(), u"skipped"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), onTarget);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), newMain);
        QCOMPARE(refLine(mirror, u"refs/heads/main"_s).value(u"result"_s).toString(), u"ok"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/merged-topic"_s), mergedTopic); // nothing deleted
        QVERIFY(atticEntriesFor(s, u"r"_s, u"refs/heads/develop"_s).isEmpty()); // nothing forced
        // check agrees: the target's develop has diverged (exit 1), the source half is in sync.
        const CliResult checked = s.run({u"check"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(checked, 1);
        QCOMPARE(firstMirror(checked).value(u"cache_target"_s).toObject().value(u"state"_s).toString(), u"diverged"_s);
        QCOMPARE(firstMirror(checked).value(u"source_cache"_s).toObject().value(u"state"_s).toString(), u"in_sync"_s);
        // Turning the option off again: develop is forced, the target's commit kept in the attic.
        CLI_EXPECT_EXIT(s.run({u"edit"_s, u"r"_s, u"--no-keep-divergent-refs"_s, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), tips.second);
        QVERIFY(refOf(w.target, u"refs/heads/merged-topic"_s).isEmpty()); // prune merged now applies
        QCOMPARE(atticEntriesFor(s, u"r"_s, u"refs/heads/develop"_s).value(0).value(u"oid"_s).toString(), onTarget);
    }

    // Target-only branches and tags under each prune policy.
    void pruneOnTheTarget_data()
    {
        QTest::addColumn<QString>("prune");
        QTest::addColumn<bool>("mergedGoes");
        QTest::addColumn<bool>("unmergedGoes");
        QTest::newRow("all") << u"all"_s << true << true;
        QTest::newRow("merged") << u"merged"_s << true << false;
        QTest::newRow("none") << u"none"_s << false << false;
        QTest::newRow("default is merged") << QString() << true << false;
    }

    void pruneOnTheTarget()
    {
        QFETCH(QString, prune);
        QFETCH(bool, mergedGoes);
        QFETCH(bool, unmergedGoes);
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()),
                                 prune.isEmpty() ? QStringList() : QStringList{u"--prune"_s, prune}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString merged, unmerged, mergedTag, unmergedTag;
        GIT_OK({
            GitRepoBuilder::run({u"update-ref"_s, u"refs/heads/merged-topic"_s, u"refs/heads/main~1"_s}, w.target);
            GitRepoBuilder::run({u"update-ref"_s, u"refs/tags/merged-tag"_s, u"refs/heads/main~1"_s}, w.target);
            merged = refOf(w.target, u"refs/heads/merged-topic"_s);
            mergedTag = merged;
            unmerged = w.commitOnTarget(u"unmerged-topic"_s, u"only here"_s, u"refs/heads/main"_s);
            GitRepoBuilder::run({u"update-ref"_s, u"refs/tags/unmerged-tag"_s, unmerged}, w.target);
            unmergedTag = unmerged;
        });

        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"ok"_s);
        const struct {
            QString ref;
            QString oid;
            bool goes;
        } expected[] = {{u"refs/heads/merged-topic"_s, merged, mergedGoes},
                        {u"refs/tags/merged-tag"_s, mergedTag, mergedGoes},
                        {u"refs/heads/unmerged-topic"_s, unmerged, unmergedGoes},
                        {u"refs/tags/unmerged-tag"_s, unmergedTag, unmergedGoes}};
        for (const auto &e : expected) {
            const QJsonObject line = refLine(mirror, e.ref);
            const QList<QJsonObject> kept = atticEntriesFor(s, u"r"_s, e.ref);
            if (e.goes) {
                QVERIFY2(refOf(w.target, e.ref).isEmpty(), qPrintable(e.ref + u" should be deleted\n"_s + pretty(mirror)));
                QCOMPARE(line.value(u"action"_s).toString(), u"delete"_s);
                QCOMPARE(line.value(u"result"_s).toString(), u"ok"_s);
                QVERIFY2(kept.size() == 1 && kept.first().value(u"oid"_s).toString() == e.oid,
                         qPrintable(e.ref + u"\n"_s + pretty(atticEntries(s, u"r"_s))));
            } else {
                QVERIFY2(refOf(w.target, e.ref) == e.oid, qPrintable(e.ref + u" should be kept\n"_s + pretty(mirror)));
                QVERIFY2(line.value(u"action"_s).toString() != u"delete"_s, qPrintable(pretty(mirror)));
                QVERIFY(kept.isEmpty());
            }
        }
        // The mirrored refs themselves are the source's.
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), refOf(w.src, u"refs/heads/main"_s));
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), refOf(w.src, u"refs/heads/develop"_s));
    }

    // Refs outside the branch filter are never created, updated or deleted on the target, even
    // with prune all.
    void branchFilterLeavesOtherTargetRefsAlone_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("mirror-branch-regex") << QStringList{u"--mirror-branch-regex"_s, u"^(main|release/.*)$"_s};
        QTest::newRow("only-protected-branches")
            << QStringList{u"--only-protected-branches"_s, u"--protected-branch"_s, u"main"_s, u"--protected-branch"_s, u"release/*"_s};
    }

    void branchFilterLeavesOtherTargetRefsAlone()
    {
        QFETCH(QStringList, options);
        World w = newWorld();
        QString release;
        GIT_OK({
            w.classic();
            release = w.commitOn(u"release/1.x/hotfix"_s, u"r.txt"_s, u"r"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
        });
        // The target already has its own develop and a scratch branch, both outside the filter.
        QString targetDevelop, scratch;
        GIT_OK({
            GitRepoBuilder::push(w.work, w.target, {u"main:refs/heads/main"_s});
            targetDevelop = w.commitOnTarget(u"develop"_s, u"the target's own develop"_s, u"refs/heads/main"_s);
            scratch = w.commitOnTarget(u"scratch"_s, u"scratch"_s, u"refs/heads/main"_s);
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), options + QStringList{u"--prune"_s, u"all"_s}), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), refOf(w.src, u"refs/heads/main"_s));
        QCOMPARE(refOf(w.target, u"refs/heads/release/1.x/hotfix"_s), release);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), targetDevelop);
        QCOMPARE(refOf(w.target, u"refs/heads/scratch"_s), scratch);
        for (const QString &ref : {u"refs/heads/develop"_s, u"refs/heads/scratch"_s}) {
            const QJsonObject line = refLine(mirror, ref);
            QVERIFY2(line.isEmpty() || line.value(u"action"_s).toString() == u"filtered"_s, qPrintable(ref + u"\n"_s + pretty(mirror)));
        }
        QVERIFY(atticEntries(s, u"r"_s).isEmpty());
    }

    // mirror_tags none: no tag is pushed, and the target's own tags are left alone.
    void mirrorTagsNonePushesNoTags()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            GitRepoBuilder::tag(w.work, u"v1"_s);
            GitRepoBuilder::tag(w.work, u"v2"_s, u"annotated"_s);
            w.publish();
        });
        QString targetTag;
        GIT_OK({
            GitRepoBuilder::push(w.work, w.target, {u"main:refs/heads/main"_s});
            GitRepoBuilder::run({u"update-ref"_s, u"refs/tags/target-own"_s, u"refs/heads/main"_s}, w.target);
            targetTag = refOf(w.target, u"refs/tags/target-own"_s);
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), {u"--mirror-tags"_s, u"none"_s, u"--prune"_s, u"all"_s}), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        GIT_OK(QCOMPARE(GitRepoBuilder::forEachRef(w.target, {u"refs/heads"_s}), GitRepoBuilder::forEachRef(w.src, {u"refs/heads"_s})));
        QString tags;
        GIT_OK(tags = GitRepoBuilder::forEachRef(w.target, {u"refs/tags"_s}));
        QCOMPARE(tags, u"refs/tags/target-own %1\n"_s.arg(targetTag));
        const QJsonObject mirror = firstMirror(run);
        for (const QString &ref : {u"refs/tags/v1"_s, u"refs/tags/v2"_s}) {
            const QJsonObject line = refLine(mirror, ref);
            QVERIFY2(line.isEmpty() || line.value(u"action"_s).toString() == u"filtered"_s, qPrintable(pretty(mirror)));
        }
    }

    // An update hook refusing one branch: that ref is rejected with the hook's words, every other
    // ref lands, the run fails.
    void updateHookRefusesOneBranch()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            w.commitOn(u"protected"_s, u"p.txt"_s, u"p"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.commitOn(u"feature"_s, u"f.txt"_s, u"f"_s);
            GitRepoBuilder::tag(w.work, u"v1"_s, u"annotated"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
            GitRepoBuilder::installHook(w.target, u"update"_s,
                                        u"if [ \"$1\" = refs/heads/protected ]; then\n"
                                        u"  echo \"update hook: $1 is locked by the release team\" >&2\n  exit 1\nfi\nexit 0\n"_s);
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        const QJsonObject refused = refLine(mirror, u"refs/heads/protected"_s);
        QCOMPARE(refused.value(u"result"_s).toString(), u"rejected"_s);
        QVERIFY2(!refused.value(u"message"_s).toString().isEmpty(), qPrintable(pretty(mirror)));
        // The hook's own words reach the user (in the ref's message or in the run's error).
        QVERIFY2((refused.value(u"message"_s).toString() + mirror.value(u"last_error"_s).toString()).contains(u"locked by the release team"_s),
                 qPrintable(pretty(mirror)));
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"protected"_s), qPrintable(pretty(mirror)));
        QVERIFY(refOf(w.target, u"refs/heads/protected"_s).isEmpty());
        for (const QString &ref : {u"refs/heads/main"_s, u"refs/heads/develop"_s, u"refs/heads/feature"_s, u"refs/tags/v1"_s}) {
            QVERIFY2(refOf(w.target, ref) == refOf(w.src, ref), qPrintable(ref + u"\n"_s + pretty(mirror)));
            QCOMPARE(refLine(mirror, ref).value(u"result"_s).toString(), u"ok"_s);
        }
    }

    // A pre-receive hook refusing every push that names refs/heads/protected (GitLab's branch
    // protection): the engine splits the batch until the refusing ref is alone, so every other
    // ref lands; protected is rejected; error_category protected.
    void preReceiveRefusalIsIsolatedByBatchSplitting_data()
    {
        QTest::addColumn<QString>("protectedBranch");
        QTest::newRow("a topic branch") << u"protected"_s;
        QTest::newRow("the default branch, pushed alone first") << u"main"_s;
    }

    void preReceiveRefusalIsIsolatedByBatchSplitting()
    {
        QFETCH(QString, protectedBranch);
        const QString protectedRef = u"refs/heads/"_s + protectedBranch;
        World w = newWorld();
        GIT_OK({
            w.classic();
            for (const QString &b : {u"protected"_s, u"feature-a"_s, u"feature-b"_s, u"feature-c"_s, u"zzz"_s}) {
                GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
                w.commitOn(b, b + u".txt"_s, b);
            }
            GitRepoBuilder::tag(w.work, u"v1"_s, u"annotated"_s);
            GitRepoBuilder::tag(w.work, u"v2"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
            GitRepoBuilder::installHook(
                w.target, u"pre-receive"_s,
                u"refuse=no\nwhile read old new ref; do [ \"$ref\" = %1 ] && refuse=yes; done\n"
                u"if [ $refuse = yes ]; then\n"
                u"  echo 'GitLab: You are not allowed to force push code to a protected branch on this project.' >&2\n"
                u"  exit 1\nfi\nexit 0\n"_s.arg(protectedRef));
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        for (int round = 1; round <= 2; ++round) {
            const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
            CLI_EXPECT_EXIT(run, 1);
            const QJsonObject mirror = firstMirror(run);
            QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
            QCOMPARE(mirror.value(u"error_category"_s).toString(), u"protected"_s);
            QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"protected"_s), qPrintable(pretty(mirror)));
            QCOMPARE(refLine(mirror, protectedRef).value(u"result"_s).toString(), u"rejected"_s);
            QVERIFY(refOf(w.target, protectedRef).isEmpty());
            QString srcRefs;
            GIT_OK(srcRefs = refsOf(w.src));
            for (const QString &line : srcRefs.split(u'\n', Qt::SkipEmptyParts)) {
                const QString ref = line.section(u' ', 0, 0);
                if (ref == protectedRef)
                    continue;
                QVERIFY2(refOf(w.target, ref) == line.section(u' ', 1, 1), qPrintable(u"round %1: %2\n"_s.arg(round).arg(ref) + pretty(mirror)));
            }
            // Round 2: more work on several branches, protected among them.
            GIT_OK({
                for (const QString &b : {u"develop"_s, u"protected"_s, u"feature-b"_s, u"main"_s})
                    w.commitOn(b, b + u".txt"_s, u"round 2"_s);
                GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
                w.publish();
            });
        }
    }

    // The lease: a target ref that moves between planning (an upload-pack listing) and the push
    // (a receive-pack connection) is not overwritten. git daemon's access hook changes the
    // target when the receive-pack connection comes in: develop moved to another commit,
    // develop deleted, or a branch the plan would create made there first.
    void leaseRefusesARefThatMovedAfterPlanning_data()
    {
        QTest::addColumn<QString>("change");
        QTest::newRow("moved") << u"moved"_s;
        QTest::newRow("deleted") << u"deleted"_s;
        QTest::newRow("created") << u"created"_s;
    }

    void leaseRefusesARefThatMovedAfterPlanning()
    {
        QFETCH(QString, change);
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        const QString dir = w.root + u'/' + w.dir;
        QString first; // main's first commit: on the target after the first update
        GIT_OK(first = GitRepoBuilder::revParse(w.src, u"refs/heads/main~1"_s));
        const QString ref = change == u"created"_s ? u"refs/heads/fresh"_s : u"refs/heads/develop"_s;
        const QString command = change == u"deleted"_s ? u"update-ref -d %1"_s.arg(ref) : u"update-ref %1 %2"_s.arg(ref, first);
        const QString hook = dir + u"/access-hook.sh"_s;
        QVERIFY(CliEnv::writeFile(hook, u"#!/bin/sh\n"
                                        u"if [ \"$1\" = receive-pack ] && [ -e '%1/ARMED' ] && [ ! -e '%1/MARKER' ]; then\n"
                                        u"  : > '%1/MARKER'\n"
                                        u"  git --git-dir='%2' %3\n"
                                        u"fi\nexit 0\n"_s.arg(dir, w.target, command).toUtf8()));
        QVERIFY(QFile::setPermissions(hook, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        GitDaemonServer hooked;
        QVERIFY2(hooked.start(m_srv.path(), {u"--access-hook="_s + hook}), qPrintable(hooked.errorString()));

        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), hooked.url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        QString newMain, newTip;
        GIT_OK({
            newMain = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            newTip = w.commitOn(ref.mid(11), u"d.txt"_s, u"more"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
        });
        QVERIFY(CliEnv::writeFile(dir + u"/ARMED"_s, "1"));

        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        QVERIFY2(QFileInfo::exists(dir + u"/MARKER"_s), qPrintable(u"the access hook never ran for receive-pack\n"_s + hooked.log()));
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"outcome"_s).toString(), u"failed"_s);
        // What the hook left there.
        QCOMPARE(refOf(w.target, ref), change == u"deleted"_s ? QString() : first);
        const QJsonObject line = refLine(mirror, ref);
        QCOMPARE(line.value(u"result"_s).toString(), u"rejected"_s);
        QVERIFY2(line.value(u"message"_s).toString().contains(u"moved"_s), qPrintable(pretty(mirror)));
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(ref.mid(11)), qPrintable(pretty(mirror)));
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), newMain);
        QCOMPARE(refLine(mirror, u"refs/heads/main"_s).value(u"result"_s).toString(), u"ok"_s);
        // The next run plans from what is there now (first is an ancestor of the new tip: a
        // fast-forward; or nothing: a create).
        const CliResult again = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(again, 0);
        QCOMPARE(refLine(firstMirror(again), ref).value(u"action"_s).toString(), change == u"deleted"_s ? u"create"_s : u"fast_forward"_s);
        QCOMPARE(refOf(w.target, ref), newTip);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
    }

    // A ref the plan deletes (prune all) that someone else deleted on the target between
    // planning and the push: nothing is overwritten and the wanted end state is there, so this
    // is not a failure (as a ref already at the planned new tip is "already on the target").
    // Beyond the contract: an expectation of this test's author.
    void leaseRefAlreadyDeletedIsNotAFailure()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        const QString dir = w.root + u'/' + w.dir;
        const QString hook = dir + u"/access-hook.sh"_s;
        QVERIFY(CliEnv::writeFile(hook, u"#!/bin/sh\n"
                                        u"if [ \"$1\" = receive-pack ] && [ -e '%1/ARMED' ] && [ ! -e '%1/MARKER' ]; then\n"
                                        u"  : > '%1/MARKER'\n"
                                        u"  git --git-dir='%2' update-ref -d refs/heads/gone-soon\n"
                                        u"fi\nexit 0\n"_s.arg(dir, w.target).toUtf8()));
        QVERIFY(QFile::setPermissions(hook, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        GitDaemonServer hooked;
        QVERIFY2(hooked.start(m_srv.path(), {u"--access-hook="_s + hook}), qPrintable(hooked.errorString()));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), hooked.url(w.targetRel()), {u"--prune"_s, u"all"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(GitRepoBuilder::run({u"update-ref"_s, u"refs/heads/gone-soon"_s, u"refs/heads/main~1"_s}, w.target));
        GIT_OK({
            w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            w.publish();
        });
        QVERIFY(CliEnv::writeFile(dir + u"/ARMED"_s, "1"));
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        QVERIFY(QFileInfo::exists(dir + u"/MARKER"_s));
        const QJsonObject mirror = firstMirror(run);
        QVERIFY(refOf(w.target, u"refs/heads/gone-soon"_s).isEmpty());
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), refOf(w.src, u"refs/heads/main"_s));
        QVERIFY2(refLine(mirror, u"refs/heads/gone-soon"_s).value(u"result"_s).toString() == u"ok"_s, qPrintable(pretty(mirror)));
        CLI_EXPECT_EXIT(run, 0);
    }

    // A host refusing a push for its size (a GitLab-like pre-receive message) refuses the whole
    // batch: the split isolates the big branch, the rest lands, and the error explains the limit.
    void sizeLimitRefusalIsIsolatedAndExplained()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            w.commitOn(u"big"_s, u"big.bin"_s, QString(20000, u'x'));
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.commitOn(u"small"_s, u"s.txt"_s, u"s"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
            GitRepoBuilder::installHook(w.target, u"pre-receive"_s,
                                        u"big=no\nwhile read old new ref; do [ \"$ref\" = refs/heads/big ] && big=yes; done\n"
                                        u"if [ $big = yes ]; then\n"
                                        u"  echo 'GitLab: Your push has been rejected, because this repository has exceeded its size limit of 1 KB by 19 KB.' >&2\n"
                                        u"  exit 1\nfi\nexit 0\n"_s);
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 1);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"rejected"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"size limit"_s), qPrintable(pretty(mirror)));
        QCOMPARE(refLine(mirror, u"refs/heads/big"_s).value(u"result"_s).toString(), u"rejected"_s);
        QVERIFY(refOf(w.target, u"refs/heads/big"_s).isEmpty());
        for (const QString &ref : {u"refs/heads/main"_s, u"refs/heads/develop"_s, u"refs/heads/small"_s})
            QCOMPARE(refOf(w.target, ref), refOf(w.src, ref));
    }

    // A source whose HEAD names a branch that does not exist (no default branch): every ref
    // still arrives, and nothing is deleted as "merged into the default branch".
    void sourceWithoutADefaultBranch()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s, u"refs/heads/master"_s}, w.src);
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        GIT_OK(GitRepoBuilder::run({u"update-ref"_s, u"refs/heads/target-merged"_s, u"refs/heads/main~1"_s}, w.target));
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        QVERIFY2(run.finished && run.exitCode != 2, qPrintable(run.describe()));
        QVERIFY2(!refOf(w.target, u"refs/heads/target-merged"_s).isEmpty(), qPrintable(pretty(firstMirror(run))));
    }

    // A GitHub-shaped source (refs/pull/*, refs/remotes/*) with more refs than one push batch:
    // only branches and tags reach the target, all of them, in several pushes.
    void busySourceReachesTheTargetInBatches()
    {
        const QString dir = m_srv.filePath(u"busy"_s);
        QString src, target;
        GIT_OK(src = GitRepoBuilder::makePullRequestShaped(dir + u"/src.git"_s, 1100, 120, 40, 30));
        GIT_OK(target = GitRepoBuilder::initBare(dir + u"/target.git"_s));
        const QString log = dir + u"/pushes.log"_s;
        GIT_OK(GitRepoBuilder::installHook(target, u"pre-receive"_s, u"n=0\nwhile read old new ref; do n=$((n+1)); done\necho $n >> '%1'\n"_s.arg(log)));
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(u"busy/src.git"_s), url(u"busy/target.git"_s)), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s}, 180000);
        CLI_EXPECT_EXIT(run, 0);
        QString srcRefs, targetAll;
        GIT_OK(srcRefs = refsOf(src));
        GIT_OK(targetAll = GitRepoBuilder::forEachRef(target, {}));
        QCOMPARE(targetAll, srcRefs); // nothing but refs/heads and refs/tags
        QCOMPARE(srcRefs.count(u'\n'), 1100 + 120);
        QVERIFY(!GitRepoBuilder::forEachRef(src, {u"refs/pull"_s}).isEmpty());
        for (const QJsonObject &line : sideLines(firstMirror(run), u"target"_s))
            QVERIFY2(line.value(u"ref"_s).toString().startsWith(u"refs/heads/"_s) || line.value(u"ref"_s).toString().startsWith(u"refs/tags/"_s)
                         || line.value(u"action"_s).toString() == u"rejected"_s || line.value(u"action"_s).toString() == u"filtered"_s,
                     qPrintable(pretty(line)));
        // Pushes: main alone, then batches; none larger than 1000 refs.
        const QStringList sizes = QString::fromUtf8(CliEnv::readFile(log).value_or(QByteArray())).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(sizes.size() >= 3 && sizes.first() == u"1"_s, qPrintable(sizes.join(u' ')));
        int total = 0;
        for (const QString &n : sizes) {
            QVERIFY2(n.toInt() <= 1000, qPrintable(sizes.join(u' ')));
            total += n.toInt();
        }
        QCOMPARE(total, 1100 + 120);
    }

    // Upstream changes that are not fast-forwards reach the target with the old tips kept: a
    // moved tag is forced (old tag in the attic, side target), a branch deleted upstream is
    // deleted on the target under prune merged when merged into main, kept when not.
    void movedTagAndDeletedBranchesUpstream()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            GitRepoBuilder::tag(w.work, u"v1"_s, u"first v1"_s, u"main~1"_s);
            GitRepoBuilder::run({u"branch"_s, u"merged-done"_s, u"main~1"_s}, w.work);
            w.commitOn(u"unmerged-wip"_s, u"wip.txt"_s, u"wip"_s);
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
            w.publish();
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString oldTag, wip;
        GIT_OK(oldTag = refOf(w.target, u"refs/tags/v1"_s));
        GIT_OK(wip = refOf(w.target, u"refs/heads/unmerged-wip"_s));
        GIT_OK({
            GitRepoBuilder::run({u"tag"_s, u"-f"_s, u"-a"_s, u"-m"_s, u"second v1"_s, u"v1"_s, u"main"_s}, w.work);
            w.publish();
            GitRepoBuilder::run({u"update-ref"_s, u"-d"_s, u"refs/heads/merged-done"_s}, w.src);
            GitRepoBuilder::run({u"update-ref"_s, u"-d"_s, u"refs/heads/unmerged-wip"_s}, w.src);
        });
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        const QJsonObject mirror = firstMirror(run);
        QCOMPARE(refOf(w.target, u"refs/tags/v1"_s), refOf(w.src, u"refs/tags/v1"_s));
        QCOMPARE(refLine(mirror, u"refs/tags/v1"_s).value(u"action"_s).toString(), u"force"_s);
        const QList<QJsonObject> keptTag = atticEntriesFor(s, u"r"_s, u"refs/tags/v1"_s);
        QVERIFY2(keptTag.size() == 1 && keptTag.first().value(u"oid"_s).toString() == oldTag, qPrintable(pretty(atticEntries(s, u"r"_s))));
        QVERIFY(refOf(w.target, u"refs/heads/merged-done"_s).isEmpty());
        QCOMPARE(refLine(mirror, u"refs/heads/merged-done"_s).value(u"action"_s).toString(), u"delete"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/unmerged-wip"_s), wip);
    }

    // The target's own host-internal refs (merge requests, keep-around, pull heads, notes) and
    // its HEAD are never touched, even with prune all.
    void hostInternalTargetRefsAreNeverTouched()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), {u"--prune"_s, u"all"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString extra;
        GIT_OK({
            const QString onTarget = w.commitOnTarget(u"mr-source"_s, u"merge request work"_s, u"refs/heads/main"_s);
            GitRepoBuilder::run({u"update-ref"_s, u"-d"_s, u"refs/heads/mr-source"_s}, w.target);
            for (const QString &ref : {u"refs/merge-requests/1/head"_s, u"refs/keep-around/"_s + onTarget, u"refs/pull/7/head"_s,
                                       u"refs/environments/prod"_s})
                GitRepoBuilder::run({u"update-ref"_s, ref, onTarget}, w.target);
            GitRepoBuilder::run({u"notes"_s, u"add"_s, u"-m"_s, u"a note"_s, onTarget}, w.target);
            extra = GitRepoBuilder::forEachRef(w.target, {u"refs/merge-requests"_s, u"refs/keep-around"_s, u"refs/pull"_s,
                                                          u"refs/environments"_s, u"refs/notes"_s});
            w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            w.publish();
        });
        QCOMPARE(extra.count(u'\n'), 5);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        GIT_OK(QCOMPARE(GitRepoBuilder::forEachRef(w.target, {u"refs/merge-requests"_s, u"refs/keep-around"_s, u"refs/pull"_s,
                                                              u"refs/environments"_s, u"refs/notes"_s}), extra));
        QCOMPARE(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s}, w.target).trimmed(), u"refs/heads/main"_s);
        for (const QJsonObject &line : sideLines(firstMirror(run), u"target"_s))
            QVERIFY2(line.value(u"action"_s).toString() != u"delete"_s, qPrintable(pretty(line)));
    }

    // Unusual but valid ref names survive the trip (refspecs, JSON, attic names).
    void unusualRefNames()
    {
        World w = newWorld();
        const QStringList branches{u"feature/ünïcödé"_s, u"a+b"_s, u"x@y"_s, u"deep/a/b/c/d/e/f"_s, u"hash#tag"_s, u"dots.in.name"_s};
        GIT_OK({
            w.classic();
            for (const QString &b : branches) {
                GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, w.work);
                GitRepoBuilder::run({u"branch"_s, u"--"_s, b}, w.work);
            }
            GitRepoBuilder::tag(w.work, u"v1.0+build.7"_s, u"semver with build"_s);
            w.publish();
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), {u"--prune"_s, u"all"_s}), 0);
        const CliResult run = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(run, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        QVERIFY2(!refLine(firstMirror(run), u"refs/heads/feature/ünïcödé"_s).isEmpty(), qPrintable(pretty(firstMirror(run))));
        // Diverged on the target and forced back: kept in the attic under its own name.
        QString lost;
        GIT_OK(lost = w.commitOnTarget(u"feature/ünïcödé"_s, u"target change"_s));
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        const QList<QJsonObject> kept = atticEntriesFor(s, u"r"_s, u"refs/heads/feature/ünïcödé"_s);
        QVERIFY2(kept.size() == 1 && kept.first().value(u"oid"_s).toString() == lost, qPrintable(pretty(atticEntries(s, u"r"_s))));
    }

    // mirror_tags reachable: only tags reachable from the mirrored branches are pushed.
    void mirrorTagsReachable()
    {
        World w = newWorld();
        GIT_OK({
            w.classic();
            GitRepoBuilder::tag(w.work, u"on-main"_s, u"annotated"_s, u"main"_s);
            GitRepoBuilder::tag(w.work, u"on-main-light"_s, QString(), u"main~1"_s);
            GitRepoBuilder::tag(w.work, u"on-develop"_s, u"annotated"_s, u"develop"_s);
            w.publish();
        });
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()),
                                 {u"--mirror-branch-regex"_s, u"^main$"_s, u"--mirror-tags"_s, u"reachable"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QCOMPARE(refOf(w.target, u"refs/tags/on-main"_s), refOf(w.src, u"refs/tags/on-main"_s));
        QCOMPARE(refOf(w.target, u"refs/tags/on-main-light"_s), refOf(w.src, u"refs/tags/on-main-light"_s));
        QVERIFY(refOf(w.target, u"refs/tags/on-develop"_s).isEmpty());
        QVERIFY(refOf(w.target, u"refs/heads/develop"_s).isEmpty());
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), refOf(w.src, u"refs/heads/main"_s));
    }

    // attic restore of a target entry: --as a new target branch, and over a ref prune deleted.
    void atticRestoreOfTargetEntries()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), {u"--prune"_s, u"all"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QString lost, gone;
        GIT_OK(lost = w.commitOnTarget(u"develop"_s, u"forced away"_s));
        GIT_OK(gone = w.commitOnTarget(u"target-only"_s, u"pruned away"_s, u"refs/heads/main"_s));
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QVERIFY(refOf(w.target, u"refs/heads/target-only"_s).isEmpty());
        const QList<QJsonObject> forced = atticEntriesFor(s, u"r"_s, u"refs/heads/develop"_s);
        const QList<QJsonObject> pruned = atticEntriesFor(s, u"r"_s, u"refs/heads/target-only"_s);
        QVERIFY2(forced.size() == 1 && pruned.size() == 1, qPrintable(pretty(atticEntries(s, u"r"_s))));
        QCOMPARE(pruned.first().value(u"oid"_s).toString(), gone);

        const CliResult as = s.run({u"attic"_s, u"restore"_s, u"r"_s, entryId(forced.first()), u"--as"_s, u"refs/heads/recovered"_s});
        CLI_EXPECT_EXIT(as, 0);
        QCOMPARE(refOf(w.target, u"refs/heads/recovered"_s), lost);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), refOf(w.src, u"refs/heads/develop"_s));
        const CliResult back = s.run({u"attic"_s, u"restore"_s, u"r"_s, entryId(pruned.first())});
        CLI_EXPECT_EXIT(back, 0);
        QCOMPARE(refOf(w.target, u"refs/heads/target-only"_s), gone);
        // Restoring again: already there, nothing pushed, exit 0.
        CLI_EXPECT_EXIT(s.run({u"attic"_s, u"restore"_s, u"r"_s, entryId(pruned.first())}), 0);
        QCOMPARE(refOf(w.target, u"refs/heads/target-only"_s), gone);
        // Only branches and tags can be restored on the target.
        const CliResult bad = s.run({u"attic"_s, u"restore"_s, u"r"_s, entryId(pruned.first()), u"--as"_s, u"refs/other/x"_s});
        QVERIFY2(bad.finished && bad.exitCode != 0, qPrintable(bad.describe()));
        QVERIFY(refOf(w.target, u"refs/other/x"_s).isEmpty());
    }

    // plan (= update --dry-run) of a relay shows the target's lines and changes nothing there.
    void planShowsTheTargetPlanAndPushesNothing()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        const CliResult plan = s.run({u"plan"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(plan, 0);
        const QJsonObject mirror = firstMirror(plan);
        for (const QString &ref : {u"refs/heads/main"_s, u"refs/heads/develop"_s})
            QVERIFY2(refLine(mirror, ref).value(u"action"_s).toString() == u"create"_s, qPrintable(pretty(mirror)));
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        // A target commit that update would force: the plan says force, the target keeps it.
        QString onTarget;
        GIT_OK(onTarget = w.commitOnTarget(u"develop"_s, u"kept by a dry run"_s));
        const CliResult dry = s.run({u"update"_s, u"r"_s, u"--dry-run"_s, u"--json"_s});
        CLI_EXPECT_EXIT(dry, 0);
        QCOMPARE(refLine(firstMirror(dry), u"refs/heads/develop"_s).value(u"action"_s).toString(), u"force"_s);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), onTarget);
        QVERIFY(atticEntries(s, u"r"_s).isEmpty());
    }

    // The guards hold for the target too: a source that suddenly advertises nothing is not
    // mirrored as "delete everything"; deleting more than max(10, 20 %) refs on the target needs
    // --allow-mass-change.
    void guardsProtectTheTarget()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel()), {u"--prune"_s, u"all"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);

        // Twelve target-only branches: prune all would delete them all.
        GIT_OK({
            for (int i = 0; i < 12; ++i)
                GitRepoBuilder::run({u"update-ref"_s, u"refs/heads/extra-%1"_s.arg(i), u"refs/heads/main"_s}, w.target);
        });
        QString before;
        GIT_OK(before = refsOf(w.target));
        const CliResult refused = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(refused, 1);
        QCOMPARE(firstMirror(refused).value(u"error_category"_s).toString(), u"guard"_s);
        GIT_OK(QCOMPARE(refsOf(w.target), before));
        const CliResult allowed = s.run({u"update"_s, u"r"_s, u"--allow-mass-change"_s, u"--json"_s});
        CLI_EXPECT_EXIT(allowed, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        QCOMPARE(atticEntries(s, u"r"_s).size(), 12);

        // The source loses every ref: the run fails with the guard, the target keeps its refs.
        GIT_OK(before = refsOf(w.target));
        GIT_OK({
            for (const QString &line : refsOf(w.src).split(u'\n', Qt::SkipEmptyParts))
                GitRepoBuilder::run({u"update-ref"_s, u"-d"_s, line.section(u' ', 0, 0)}, w.src);
        });
        const CliResult empty = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(empty, 1);
        QCOMPARE(firstMirror(empty).value(u"error_category"_s).toString(), u"guard"_s);
        GIT_OK(QCOMPARE(refsOf(w.target), before));

        // Emptied on purpose: --allow-empty-source empties cache and target (every tip kept in the
        // attic), and the next plain update is a no-op, not the guard again. (git refuses to delete a
        // bare repository's current branch unless told; forges let an owner allow it too.)
        GIT_OK(GitRepoBuilder::run({u"config"_s, u"receive.denyDeleteCurrent"_s, u"ignore"_s}, w.target));
        const int keptBefore = static_cast<int>(atticEntries(s, u"r"_s).size());
        const CliResult followed = s.run({u"update"_s, u"r"_s, u"--allow-empty-source"_s, u"--allow-mass-change"_s});
        CLI_EXPECT_EXIT(followed, 0);
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
        QVERIFY(atticEntries(s, u"r"_s).size() > keptBefore);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), QString()));
    }

    // check of a relay compares source ↔ cache and cache ↔ target; the state is the worse.
    void checkComparesBothHalves()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, url(w.srcRel()), url(w.targetRel())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        auto check = [&s](int expectedExit) {
            const CliResult result = s.run({u"check"_s, u"r"_s, u"--json"_s});
            [&] { CLI_EXPECT_EXIT(result, expectedExit); }();
            return firstMirror(result);
        };
        auto stage = [](const QJsonObject &mirror, const QString &key) { return mirror.value(key).toObject().value(u"state"_s).toString(); };

        QJsonObject m = check(0);
        QCOMPARE(m.value(u"state"_s).toString(), u"in_sync"_s);
        QCOMPARE(stage(m, u"source_cache"_s), u"in_sync"_s);
        QCOMPARE(stage(m, u"cache_target"_s), u"in_sync"_s);
        QVERIFY(m.value(u"source_cache"_s).toObject().contains(u"error"_s));
        QVERIFY(m.value(u"cache_target"_s).toObject().contains(u"error"_s));

        // A new commit on the source: the cache is behind it.
        GIT_OK({
            w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            w.publish();
        });
        m = check(3);
        QCOMPARE(m.value(u"state"_s).toString(), u"behind"_s);
        QCOMPARE(stage(m, u"source_cache"_s), u"behind"_s);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        m = check(0);
        QCOMPARE(m.value(u"state"_s).toString(), u"in_sync"_s);

        // A commit added straight on the target: cache ↔ target no longer agree.
        GIT_OK(w.commitOnTarget(u"develop"_s, u"behind MirrorDesk's back"_s));
        const CliResult off = s.run({u"check"_s, u"r"_s, u"--json"_s});
        QVERIFY2(off.finished && (off.exitCode == 1 || off.exitCode == 3), qPrintable(off.describe()));
        m = firstMirror(off);
        QVERIFY2(stage(m, u"cache_target"_s) == u"diverged"_s || stage(m, u"cache_target"_s) == u"behind"_s, qPrintable(pretty(m)));
        QCOMPARE(stage(m, u"source_cache"_s), u"in_sync"_s);
        QCOMPARE(m.value(u"state"_s).toString(), stage(m, u"cache_target"_s));
        QCOMPARE(off.exitCode, stage(m, u"cache_target"_s) == u"diverged"_s ? 1 : 3);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        m = check(0);

        // The target's default branch is not the source's: a warning says so.
        GIT_OK(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s, u"refs/heads/develop"_s}, w.target));
        const CliResult head = s.run({u"check"_s, u"r"_s, u"--json"_s});
        QVERIFY2(head.finished && head.exitCode != 2, qPrintable(head.describe()));
        m = firstMirror(head);
        bool warned = false;
        for (const QJsonValue &warning : m.value(u"warnings"_s).toArray())
            warned = warned || warning.toString().contains(u"default branch"_s);
        QVERIFY2(warned, qPrintable(pretty(m)));
    }
};

QTEST_GUILESS_MAIN(TestCliRelay)
#include "TestCliRelay.moc"
