#include "FakeGitServer.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "git/GitLibrary.h"
#include "git/RemoteLister.h"
#include "mirror/PullSync.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using md::fixtures::FakeGitServer;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;

namespace {

QMap<QString, QString> refsOf(const QString &cache, bool includeAttic = false)
{
    QMap<QString, QString> refs;
    const auto listed = git::listLocalRefs(cache);
    if (!listed)
        return refs;
    for (const RefTip &tip : *listed) {
        if (includeAttic || !tip.name.startsWith(QLatin1String("refs/mirrordesk/")))
            refs.insert(tip.name, tip.oid);
    }
    return refs;
}

QMap<QString, QString> mirroredRefs(QMap<QString, QString> advertised)
{
    for (auto it = advertised.begin(); it != advertised.end();) {
        const bool keep = (it.key().startsWith(QLatin1String("refs/heads/")) || it.key().startsWith(QLatin1String("refs/tags/")))
            && !it.key().endsWith(QLatin1String("^{}"));
        it = keep ? std::next(it) : advertised.erase(it);
    }
    return advertised;
}

QString actionOf(const SyncResult &result, const QString &ref)
{
    for (const RefResult &r : result.refs) {
        if (r.ref == ref)
            return refActionName(r.action);
    }
    return QStringLiteral("(absent)");
}

} // namespace

class TestPullSync : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    GitDaemonServer m_daemon;
    QString m_work;
    QString m_cache;
    Config m_config;

    SyncResult sync(const SyncOptions &extra = {})
    {
        auto job = makeMirrorJob(m_config, m_config.mirrors.first());
        if (!job)
            qFatal("%s", qPrintable(job.error().message));
        SyncOptions options = extra;
        options.startedAt = QDateTime::currentDateTimeUtc();
        return runPullSync(*job, options);
    }

    void push(const QStringList &refspecs)
    {
        QStringList forced;
        for (const QString &spec : refspecs)
            forced.append(spec.startsWith(QLatin1Char(':')) ? spec : QLatin1Char('+') + spec);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, QStringLiteral("origin"), forced));
    }

    QString commit(const QString &message)
    {
        QString oid;
        [&] { QVERIFY_THROWS_NO_EXCEPTION(oid = GitRepoBuilder::commit(m_work, QStringLiteral("f.txt"), message, message)); }();
        return oid;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(git::GitLibrary::initialize(git::GitOptions{}).ok());
        const QString base = m_dir.filePath(QStringLiteral("srv"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + QStringLiteral("/src.git")));
        m_work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("origin"),
                                                         base + QStringLiteral("/src.git")}, m_work));
        commit(QStringLiteral("one"));
        commit(QStringLiteral("two"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::tag(m_work, QStringLiteral("v1"), QStringLiteral("release 1")));
        push({QStringLiteral("main"), QStringLiteral("main:refs/heads/dev"), QStringLiteral("v1")});
        QVERIFY2(m_daemon.start(base), qPrintable(m_daemon.errorString()));

        m_cache = m_dir.filePath(QStringLiteral("caches/m.git"));
        m_config.settings.stallTimeoutSeconds = 20;
        Mirror m;
        m.name = QStringLiteral("m");
        m.source.url = m_daemon.url(QStringLiteral("src.git"));
        m.cachePath = m_cache;
        m_config.mirrors.append(m);
    }

    // Item 8 of issue 8: names git refuses, advertised by a server (git daemon will not, so a relay
    // adds them to its advertisement), are rejected with their reason; the rest of the run goes on.
    void malformedAdvertisedRefsAreRejectedAndTheRestSyncs()
    {
        const QString src = m_dir.filePath(QStringLiteral("srv/src.git"));
        const QByteArray main = GitRepoBuilder::revParse(src, QStringLiteral("refs/heads/main")).toLatin1();
        const QList<QByteArray> bad = {"refs/heads/../../escaped", "refs/heads/a..b", "refs/heads/x.lock", "refs/heads//empty",
                                       "refs/heads/ctl\x01\x1b[31m", "refs/tags/v2.lock", "refs/heads/sp ace", "refs/heads/.hidden"};
        QList<FakeGitServer::Ref> injected;
        for (const QByteArray &name : bad)
            injected.append({main, name});
        FakeGitServer relay;
        QVERIFY2(relay.startInjecting(m_daemon.port(), injected), qPrintable(relay.errorString()));
        Config config = m_config;
        const QString cache = m_dir.filePath(QStringLiteral("caches/bad/m.git"));
        config.mirrors[0].source.url = relay.url(QStringLiteral("src.git"));
        config.mirrors[0].cachePath = cache;
        auto job = makeMirrorJob(config, config.mirrors.first());
        QVERIFY(job.ok());
        SyncOptions options;
        options.startedAt = QDateTime::currentDateTimeUtc();
        const SyncResult result = runPullSync(*job, options);
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(runOutcomeName(result.outcome), QStringLiteral("ok"));
        for (const QByteArray &name : bad) {
            const auto found = std::find_if(result.refs.begin(), result.refs.end(),
                                            [&](const RefResult &r) { return r.ref == QString::fromUtf8(name); });
            QVERIFY2(found != result.refs.end(), name.constData());
            QCOMPARE(refActionName(found->action), QStringLiteral("rejected"));
            QCOMPARE(refOutcomeName(found->result), QStringLiteral("rejected"));
            QVERIFY2(found->message.startsWith(QLatin1String("invalid ref name: ")), qPrintable(found->message));
        }
        // The valid refs are mirrored as from the daemon itself; nothing was written outside the cache.
        QCOMPARE(refsOf(cache), mirroredRefs(GitRepoBuilder::lsRemote(m_daemon.url(QStringLiteral("src.git")))));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("caches/bad/escaped"))));
        QVERIFY(!QFileInfo::exists(cache + QStringLiteral("/escaped")));
        QVERIFY(!QFileInfo::exists(cache + QStringLiteral("/refs/heads/a..b")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("fsck"), QStringLiteral("--strict")}, cache));
        QVERIFY(relay.bytesSent() > 0);
    }

    void initialSyncMirrorsEveryRef()
    {
        const SyncResult result = sync();
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(runOutcomeName(result.outcome), QStringLiteral("ok"));
        QCOMPARE(refsOf(m_cache), mirroredRefs(GitRepoBuilder::lsRemote(m_daemon.url(QStringLiteral("src.git")))));
        QCOMPARE(actionOf(result, QStringLiteral("refs/heads/main")), QStringLiteral("create"));
        QCOMPARE(GitRepoBuilder::run({QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}, m_cache).trimmed(), QStringLiteral("refs/heads/main"));
        QCOMPARE(GitRepoBuilder::run({QStringLiteral("config"), QStringLiteral("transfer.hideRefs")}, m_cache).trimmed(), QStringLiteral("refs/mirrordesk"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("fsck"), QStringLiteral("--strict")}, m_cache));
    }

    void noOpSyncChangesNothing()
    {
        const QMap<QString, QString> before = refsOf(m_cache, true);
        const SyncResult result = sync();
        QVERIFY(!result.error);
        QVERIFY(!result.plan.changesAnything());
        QCOMPARE(refsOf(m_cache, true), before);
    }

    void fastForward()
    {
        const QString three = commit(QStringLiteral("three"));
        push({QStringLiteral("main")});
        const SyncResult result = sync();
        QVERIFY(!result.error);
        QCOMPARE(actionOf(result, QStringLiteral("refs/heads/main")), QStringLiteral("fast_forward"));
        QCOMPARE(refsOf(m_cache).value(QStringLiteral("refs/heads/main")), three);
    }

    void rewrittenBranchIsForcedWithTheOldTipInTheAttic()
    {
        const QString oldDev = refsOf(m_cache).value(QStringLiteral("refs/heads/dev"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("side"), QStringLiteral("main~2")}, m_work));
        const QString side = commit(QStringLiteral("rewritten"));
        push({QStringLiteral("side:refs/heads/dev")});
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")}, m_work));
        const SyncResult result = sync();
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(actionOf(result, QStringLiteral("refs/heads/dev")), QStringLiteral("force"));
        QCOMPARE(refsOf(m_cache).value(QStringLiteral("refs/heads/dev")), side);
        QVERIFY(result.warnings.join(QLatin1Char('\n')).contains(QLatin1String("dev was rewritten upstream; old tip kept in the attic")));
        const QMap<QString, QString> all = refsOf(m_cache, true);
        QStringList attic;
        for (auto it = all.begin(); it != all.end(); ++it) {
            if (it.key().startsWith(QLatin1String("refs/mirrordesk/attic/")) && it.key().endsWith(QLatin1String("/cache/refs/heads/dev")))
                attic.append(it.value());
        }
        QCOMPARE(attic, QStringList{oldDev});
        // The attic is hidden from clients listing the cache.
        const auto advertised = GitRepoBuilder::lsRemote(m_cache);
        for (auto it = advertised.begin(); it != advertised.end(); ++it)
            QVERIFY2(!it.key().startsWith(QLatin1String("refs/mirrordesk/")), qPrintable(it.key()));
    }

    void goneUpstreamIsPrunedIntoTheAttic()
    {
        push({QStringLiteral(":refs/heads/dev")});
        const SyncResult result = sync();
        QVERIFY(!result.error);
        QCOMPARE(actionOf(result, QStringLiteral("refs/heads/dev")), QStringLiteral("delete"));
        QVERIFY(!refsOf(m_cache).contains(QStringLiteral("refs/heads/dev")));
        QCOMPARE(refsOf(m_cache, true).size() - refsOf(m_cache).size(), 2); // two attic entries now
    }

    void movedTagIsWarned()
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("tag"), QStringLiteral("-f"), QStringLiteral("-m"), QStringLiteral("moved"), QStringLiteral("v1"), QStringLiteral("main~1")}, m_work));
        push({QStringLiteral("v1")});
        const SyncResult result = sync();
        QVERIFY(!result.error);
        QCOMPARE(actionOf(result, QStringLiteral("refs/tags/v1")), QStringLiteral("force"));
        QVERIFY(result.warnings.join(QLatin1Char('\n')).contains(QLatin1String("tag v1 was moved upstream")));
    }

    void divergedDefaultBranchFailsWhenOverwriteIsOff()
    {
        m_config.mirrors[0].mirrorOverwritesDivergedBranches = false;
        const QString cachedMain = refsOf(m_cache).value(QStringLiteral("refs/heads/main"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard"), QStringLiteral("main~1")}, m_work));
        commit(QStringLiteral("other history"));
        push({QStringLiteral("main")});
        const SyncResult result = sync();
        m_config.mirrors[0].mirrorOverwritesDivergedBranches = true;
        QVERIFY(result.error);
        QCOMPARE(result.error->category, ErrorCategory::Diverged);
        QCOMPARE(refsOf(m_cache).value(QStringLiteral("refs/heads/main")), cachedMain);
    }

    void emptySourceIsRefusedByTheGuard()
    {
        const QMap<QString, QString> before = refsOf(m_cache, true);
        const QString empty = m_daemon.baseDir() + QStringLiteral("/empty.git");
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(empty));
        Config config = m_config;
        m_config.mirrors[0].source.url = m_daemon.url(QStringLiteral("empty.git"));
        const SyncResult result = sync();
        m_config = config;
        QVERIFY(result.error);
        QCOMPARE(result.error->category, ErrorCategory::Guard);
        QCOMPARE(refsOf(m_cache, true), before);
    }

    void headFollowsARenamedDefaultBranch()
    {
        push({QStringLiteral("main:refs/heads/trunk")});
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("symbolic-ref"), QStringLiteral("HEAD"), QStringLiteral("refs/heads/trunk")},
                                                        m_daemon.baseDir() + QStringLiteral("/src.git")));
        const SyncResult result = sync();
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(GitRepoBuilder::run({QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}, m_cache).trimmed(), QStringLiteral("refs/heads/trunk"));
    }

    void reachableAnnotatedTagsAreMirrored()
    {
        // v1 is annotated (made in initTestCase): it must peel to its commit to be judged reachable.
        Config config = m_config;
        m_config.mirrors[0].mirrorTags = TagPolicy::Reachable;
        m_config.mirrors[0].cachePath = m_dir.filePath(QStringLiteral("caches/reachable.git"));
        const SyncResult result = sync();
        const QString cache = m_config.mirrors[0].cachePath;
        m_config = config;
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(actionOf(result, QStringLiteral("refs/tags/v1")), QStringLiteral("create"));
        QVERIFY(refsOf(cache).contains(QStringLiteral("refs/tags/v1")));
    }

    void massDeletionIsRefusedUnlessAllowed()
    {
        QStringList branches;
        for (int i = 0; i < 12; ++i)
            branches.append(QStringLiteral("main:refs/heads/topic%1").arg(i));
        push(branches);
        QVERIFY(!sync().error);
        QStringList deletions;
        for (int i = 0; i < 12; ++i)
            deletions.append(QStringLiteral(":refs/heads/topic%1").arg(i));
        push(deletions);
        const QMap<QString, QString> before = refsOf(m_cache, true);
        const SyncResult refused = sync();
        QVERIFY(refused.error);
        QCOMPARE(refused.error->category, ErrorCategory::Guard);
        QVERIFY(refused.error->message.contains(QLatin1String("--allow-mass-change")));
        QCOMPARE(refsOf(m_cache, true), before);
        SyncOptions allow;
        allow.allowMassChange = true;
        const SyncResult allowed = sync(allow);
        QVERIFY2(!allowed.error, allowed.error ? qPrintable(allowed.error->message) : "");
        QVERIFY(!refsOf(m_cache).contains(QStringLiteral("refs/heads/topic0")));
    }

    void packsAreRepackedWhenTheyPileUp()
    {
        for (int i = 0; i < 22; ++i) {
            commit(QStringLiteral("pack %1").arg(i));
            push({QStringLiteral("main")});
            QVERIFY(!sync().error);
        }
        const int packs = static_cast<int>(QDir(m_cache + QStringLiteral("/objects/pack")).entryList({QStringLiteral("*.pack")}, QDir::Files).size());
        QVERIFY2(packs <= 21, qPrintable(QString::number(packs)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("fsck"), QStringLiteral("--strict")}, m_cache));
    }

    void lfsIsWarnedAbout()
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, QStringLiteral(".gitattributes"),
                                                           QStringLiteral("*.bin filter=lfs diff=lfs merge=lfs -text\n"), QStringLiteral("lfs")));
        push({QStringLiteral("main:refs/heads/trunk")});
        const SyncResult result = sync();
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QVERIFY(result.warnings.contains(QStringLiteral("LFS objects are not mirrored (the default branch uses Git LFS)")));
    }

    void manyRefsArePackedIntoPackedRefs()
    {
        // 120 new tags upstream: libgit2 writes each as a loose file; past 100 the cache packs them.
        const QString head = GitRepoBuilder::revParse(m_work, QStringLiteral("HEAD"));
        QFile input(m_dir.filePath(QStringLiteral("bulk-tags.txt")));
        QVERIFY(input.open(QIODevice::WriteOnly));
        for (int i = 0; i < 120; ++i)
            input.write(QStringLiteral("create refs/tags/bulk-%1 %2\n").arg(i).arg(head).toUtf8());
        input.close();
        QProcess updateRef;
        updateRef.setProcessEnvironment(GitRepoBuilder::environment());
        updateRef.setWorkingDirectory(m_work);
        updateRef.setStandardInputFile(input.fileName());
        updateRef.start(QStringLiteral("git"), {QStringLiteral("update-ref"), QStringLiteral("--stdin")});
        QVERIFY(updateRef.waitForFinished(30000) && updateRef.exitCode() == 0);
        push({QStringLiteral("refs/tags/*:refs/tags/*")});
        const SyncResult result = sync();
        QVERIFY2(!result.error, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(refsOf(m_cache).value(QStringLiteral("refs/tags/bulk-119")), head);
        QFile packed(m_cache + QStringLiteral("/packed-refs"));
        QVERIFY(packed.open(QIODevice::ReadOnly));
        QVERIFY(packed.readAll().contains("refs/tags/bulk-119"));
        QVERIFY(QDir(m_cache + QStringLiteral("/refs/tags")).entryList(QDir::Files).size() < 10);
        QVERIFY(refsOf(m_cache).size() >= 120); // every ref still readable
    }

    void httpsWithTheConfiguredCa()
    {
        QTemporaryDir root;
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"),
                                                         m_daemon.baseDir() + QStringLiteral("/src.git"), root.filePath(QStringLiteral("r.git"))}));
        HttpGitServer https;
        QVERIFY2(https.start(root.path(), {true, QString(), QString(), false}), qPrintable(https.errorString()));
        Config config;
        Mirror m;
        m.name = QStringLiteral("tls");
        m.source.url = https.url(QStringLiteral("r.git"));
        m.cachePath = root.filePath(QStringLiteral("cache.git"));
        config.mirrors.append(m);
        // Without the test CA the certificate is refused (verification stays on).
        auto job = makeMirrorJob(config, m);
        QVERIFY(job.ok());
        SyncResult refused = runPullSync(*job, SyncOptions{false, false, true, QDateTime::currentDateTimeUtc()});
        QVERIFY(refused.error);
        QCOMPARE(refused.error->category, ErrorCategory::Tls);
        config.settings.caFile = https.caFile();
        QVERIFY(git::GitLibrary::initialize(gitOptions(config.settings)).ok());
        const SyncResult trusted = runPullSync(*job, SyncOptions{false, false, true, QDateTime::currentDateTimeUtc()});
        QVERIFY2(!trusted.error, trusted.error ? qPrintable(trusted.error->message) : "");
        QVERIFY(!refsOf(m.cachePath).isEmpty());
    }

    void httpWithBasicAuth()
    {
        QTemporaryDir root;
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"),
                                                         m_daemon.baseDir() + QStringLiteral("/src.git"), root.filePath(QStringLiteral("r.git"))}));
        HttpGitServer http;
        QVERIFY2(http.start(root.path(), {false, QStringLiteral("alice"), QStringLiteral("s3cret-pw"), false}), qPrintable(http.errorString()));
        qputenv("MIRRORDESK_TEST_HTTP_PW", "wrong-pw");
        Config config;
        config.credentials.append(Credential{QStringLiteral("web"), CredentialKind::Password, QStringLiteral("alice"),
                                             SecretSource{SecretSource::Kind::Env, QStringLiteral("MIRRORDESK_TEST_HTTP_PW")}});
        Mirror m;
        m.name = QStringLiteral("web");
        m.source = Endpoint{http.url(QStringLiteral("r.git")), QStringLiteral("web"), QString()};
        m.cachePath = root.filePath(QStringLiteral("cache.git"));
        config.mirrors.append(m);
        auto job = makeMirrorJob(config, m);
        QVERIFY(job.ok());
        SyncResult wrong = runPullSync(*job, SyncOptions{false, false, true, QDateTime::currentDateTimeUtc()});
        QVERIFY(wrong.error);
        QCOMPARE(wrong.error->category, ErrorCategory::Auth);
        QVERIFY(!wrong.error->message.contains(QLatin1String("wrong-pw")));
        QVERIFY(refsOf(m.cachePath).isEmpty());

        qputenv("MIRRORDESK_TEST_HTTP_PW", "s3cret-pw");
        job = makeMirrorJob(config, m);
        const SyncResult right = runPullSync(*job, SyncOptions{false, false, true, QDateTime::currentDateTimeUtc()});
        QVERIFY2(!right.error, right.error ? qPrintable(right.error->message) : "");
        QCOMPARE(refsOf(m.cachePath), mirroredRefs(GitRepoBuilder::lsRemote(m_daemon.url(QStringLiteral("src.git")))));
        // The secret never lands in the cache's git config.
        QFile gitConfig(m.cachePath + QStringLiteral("/config"));
        QVERIFY(gitConfig.open(QIODevice::ReadOnly));
        QVERIFY(!gitConfig.readAll().contains("s3cret-pw"));
    }
};

QTEST_GUILESS_MAIN(TestPullSync)
#include "TestPullSync.moc"
