// OrgOps driven directly (as the window drives it) against the forge fixture, whose clone URLs
// point at real repositories served by git daemon: a Run that skips the repositories named in
// OrgRunOptions::skip (not created, no mirror), progress through the first updates, a draft's
// listing that writes nothing, and the disk steps off the calling thread.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ProviderServer.h"
#include "mirror/MirrorStore.h"
#include "mirror/SyncEngine.h"
#include "ops/OrgOps.h"
#include "ops/RunOps.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using namespace Qt::StringLiterals;
using md::fixtures::FixtureRepo;
using md::fixtures::ForgeApi;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::ProviderServer;

namespace {

const QByteArray kToken = "org-ops-token-51c2";

QStringList mirrorNames(const Config &config)
{
    QStringList names;
    for (const Mirror &m : config.mirrors)
        names.append(m.name);
    names.sort();
    return names;
}

const OrgRunRow *rowOf(const OrgRunReport &report, const QString &fullName)
{
    for (const OrgRunRow &row : report.rows) {
        if (row.row.repository.fullName == fullName)
            return &row;
    }
    return nullptr;
}

} // namespace

class TestOrgOps : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    ProviderServer m_api;
    QString m_main;
    std::unique_ptr<QTemporaryDir> m_dir;

    QString configPath() const { return m_dir->filePath(u"mirrors.json"_s); }
    QString stateDir() const { return m_dir->filePath(u"state"_s); }
    QString target() const { return m_dir->filePath(u"mirrors"_s); }

    FixtureRepo repo(const QString &name) const
    {
        FixtureRepo r;
        r.name = name;
        r.cloneUrl = m_daemon.url(u"acme/"_s + name + u".git"_s);
        return r;
    }

    OrgMirror org() const
    {
        OrgMirror o;
        o.name = u"gh"_s;
        o.provider = providers::Provider::GitHub;
        o.apiUrl = m_api.apiUrl(ForgeApi::GitHub);
        o.owner = u"acme"_s;
        o.credential = u"tok"_s;
        o.target.dir = target();
        return o;
    }

    // The config with the credential (env:ORG_OPS_TOKEN) and, with `withOrg`, the org.
    Config writeConfig(bool withOrg)
    {
        auto saved = MirrorStore(configPath()).modify([&](Config &c) {
            c.settings.cacheRoot = m_dir->filePath(u"caches"_s);
            Credential token;
            token.name = u"tok"_s;
            token.kind = CredentialKind::Token;
            token.secretSource = SecretSource{SecretSource::Kind::Env, u"ORG_OPS_TOKEN"_s};
            c.credentials.append(token);
            if (withOrg)
                c.orgs.append(org());
            return Status{};
        });
        return saved ? *saved : Config{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s));
        for (const QString &name : {u"tool"_s, u"api"_s, u"docs"_s}) {
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_srv.filePath(u"acme/"_s + name + u".git"_s)));
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, m_srv.filePath(u"acme/"_s + name + u".git"_s), {u"main"_s}));
        }
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
        QVERIFY2(m_api.start(), qPrintable(m_api.errorString()));
        m_api.setToken(kToken);
        qputenv("ORG_OPS_TOKEN", kToken);
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s, {repo(u"tool"_s), repo(u"api"_s), repo(u"docs"_s)});
        m_api.clearFaults();
        m_api.clearRequests();
    }

    // The skipped repository gets no mirror and no cache; the others are created and updated,
    // the progress counting their first updates to the end. A later preview still offers it.
    void runSkipsTheNamedRepositories()
    {
        const Config config = writeConfig(true);
        QCOMPARE(config.orgs.size(), 1);
        SyncEngine engine(stateDir());
        engine.setConfigFile(configPath());
        RunOps runs(engine, stateDir());
        OrgOps ops(configPath(), stateDir());
        QList<OrgProgress> progress;
        std::optional<Result<OrgRunReport>> result;
        ops.run(config, u"gh"_s, &runs, [&progress](const OrgProgress &p) { progress.append(p); },
                [&result](Result<OrgRunReport> report) { result = std::move(report); }, OrgRunOptions{false, {u"ACME/api"_s}});
        QVERIFY(ops.busy());
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
        QVERIFY2(result->ok(), qPrintable(result->ok() ? QString() : result->error().text()));
        const OrgRunReport &report = **result;
        QCOMPARE(rowOf(report, u"acme/api"_s)->result, u"skipped"_s);
        QCOMPARE(rowOf(report, u"acme/tool"_s)->result, u"created"_s);
        QCOMPARE(rowOf(report, u"acme/docs"_s)->result, u"created"_s);

        QCOMPARE(mirrorNames(*MirrorStore(configPath()).load()), (QStringList{u"gh/acme/docs"_s, u"gh/acme/tool"_s}));
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/tool.git"_s, u"refs/heads/main"_s), m_main);
        QVERIFY(!QFileInfo::exists(target() + u"/acme/api.git"_s));

        // The first updates counted one by one, up to the total; then done.
        QList<int> syncing;
        for (const OrgProgress &p : progress) {
            if (p.phase == u"syncing"_s) {
                QCOMPARE(p.total, 2);
                syncing.append(p.done);
            }
        }
        QCOMPARE(syncing, (QList<int>{0, 1, 2}));
        QCOMPARE(progress.last().phase, u"done"_s);

        std::optional<Result<OrgPreview>> preview;
        ops.preview(*MirrorStore(configPath()).load(), u"gh"_s, {}, [&preview](Result<OrgPreview> p) { preview = std::move(p); });
        QTRY_VERIFY_WITH_TIMEOUT(preview.has_value(), 30000);
        QVERIFY(preview->ok());
        const QMap<OrgAction, int> summary = (*preview)->summary();
        QCOMPARE(summary.value(OrgAction::Create), 1);
        QCOMPARE(summary.value(OrgAction::UpToDate), 2);
    }

    // Skipping applies to an update too: the mirror stays as it was.
    void runSkipsAnUpdate()
    {
        const Config config = writeConfig(true);
        SyncEngine engine(stateDir());
        RunOps runs(engine, stateDir());
        OrgOps ops(configPath(), stateDir());
        std::optional<Result<OrgRunReport>> result;
        // Sync new first: the mirrors are added without an update, so they are "update" next.
        ops.run(config, u"gh"_s, &runs, {}, [&result](Result<OrgRunReport> r) { result = std::move(r); }, OrgRunOptions{true, {}});
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
        QVERIFY(result->ok());
        QCOMPARE(rowOf(**result, u"acme/tool"_s)->result, u"created"_s);
        QVERIFY(!QFileInfo::exists(target() + u"/acme/tool.git"_s));
        result.reset();
        ops.run(*MirrorStore(configPath()).load(), u"gh"_s, &runs, {}, [&result](Result<OrgRunReport> r) { result = std::move(r); },
                OrgRunOptions{false, {u"acme/tool"_s}});
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
        QVERIFY(result->ok());
        QCOMPARE(rowOf(**result, u"acme/tool"_s)->row.action, OrgAction::Update);
        QCOMPARE(rowOf(**result, u"acme/tool"_s)->result, u"skipped"_s);
        QCOMPARE(rowOf(**result, u"acme/api"_s)->result, u"updated"_s);
        QVERIFY(!QFileInfo::exists(target() + u"/acme/tool.git"_s));
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/api.git"_s, u"refs/heads/main"_s), m_main);
    }

    // A definition being written (not in the config) is listed with its credential; nothing is
    // written: no state, no page cache, no config change.
    void listingADraftWritesNothing()
    {
        const Config config = writeConfig(false);
        const QByteArray before = [this] {
            QFile file(configPath());
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        OrgOps ops(configPath(), stateDir());
        std::optional<Result<QList<providers::RemoteRepository>>> listed;
        ops.listRepositories(config, org(), {}, [&listed](Result<QList<providers::RemoteRepository>> r) { listed = std::move(r); });
        QVERIFY(!listed.has_value()); // never from inside the call
        QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 30000);
        QVERIFY2(listed->ok(), qPrintable(listed->ok() ? QString() : listed->error().text()));
        QCOMPARE((*listed)->size(), 3);
        QCOMPARE((*listed)->first().fullName, u"acme/tool"_s);
        QVERIFY(!QFileInfo::exists(stateDir() + u"/orgs"_s));
        QFile file(configPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), before);
        for (const auto &request : m_api.requestsTo(u"/orgs/acme/repos"_s))
            QVERIFY(request.authorized);

        // A refused token: the error, still nothing written.
        OrgMirror wrong = org();
        wrong.credential.clear();
        listed.reset();
        ops.listRepositories(config, wrong, {}, [&listed](Result<QList<providers::RemoteRepository>> r) { listed = std::move(r); });
        QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 30000);
        QVERIFY(!listed->ok());
        QCOMPARE(listed->error().category, ErrorCategory::Auth);
        QVERIFY(!QFileInfo::exists(stateDir() + u"/orgs"_s));
    }

    // Cancel while the listing is held open: an Interrupted error, nothing added.
    void cancelDuringTheListing()
    {
        const Config config = writeConfig(true);
        SyncEngine engine(stateDir());
        RunOps runs(engine, stateDir());
        OrgOps ops(configPath(), stateDir());
        md::fixtures::FixtureFault hold;
        hold.kind = md::fixtures::FixtureFault::Kind::Hold;
        hold.pathContains = u"/orgs/acme/repos"_s;
        m_api.addFault(hold);
        std::optional<Result<OrgRunReport>> result;
        ops.run(config, u"gh"_s, &runs, {}, [&result](Result<OrgRunReport> r) { result = std::move(r); });
        QTRY_VERIFY_WITH_TIMEOUT(!m_api.requestsTo(u"/orgs/acme/repos"_s).isEmpty(), 30000);
        ops.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
        QVERIFY(!result->ok());
        QCOMPARE(result->error().category, ErrorCategory::Interrupted);
        QVERIFY(!ops.busy());
        QCOMPARE(mirrorNames(*MirrorStore(configPath()).load()), QStringList{});
    }
};

QTEST_GUILESS_MAIN(TestOrgOps)
#include "TestOrgOps.moc"
