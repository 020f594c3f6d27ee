// Org mirroring through the real binary: the forge API fixture (ProviderServer) on loopback, its
// clone URLs pointing at real repositories served by git daemon, so `org run` really mirrors.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ProviderServer.h"

#include <QDir>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace clitest;
using md::fixtures::FixtureFault;
using md::fixtures::FixtureRepo;
using md::fixtures::ForgeApi;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::ProviderServer;

namespace {

const QByteArray kToken = "org-canary-token-7f3a9c";

// Row of `org preview/run --json` for a repository.
QJsonObject rowOf(const QJsonObject &document, const QString &fullName)
{
    for (const QJsonValue &row : document.value(u"repositories"_s).toArray()) {
        if (row.toObject().value(u"full_name"_s).toString() == fullName)
            return row.toObject();
    }
    return {};
}

QStringList mirrorNames(const CliEnv &env)
{
    QStringList names;
    for (const QJsonValue &m : env.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray())
        names.append(m.toObject().value(u"name"_s).toString());
    names.sort();
    return names;
}

} // namespace

class TestCliOrg : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;
    QString m_main;
    ProviderServer m_api;

    QMap<QString, QString> tokenEnv() const { return {{u"ORG_TOKEN"_s, QString::fromLatin1(kToken)}}; }

    // A bare repository under the daemon's folder with one commit on main.
    void makeRepo(const QString &path)
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_srv.filePath(path)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, m_srv.filePath(path), {u"main"_s}));
    }
    FixtureRepo repo(const QString &name, const QString &path, bool archived = false, bool fork = false) const
    {
        FixtureRepo r;
        r.name = name;
        r.cloneUrl = m_daemon.url(path);
        r.archived = archived;
        r.fork = fork;
        return r;
    }
    void addOrg(const CliEnv &env, const QStringList &extra)
    {
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"tok"_s, u"--kind"_s, u"token"_s, u"--secret-env"_s, u"ORG_TOKEN"_s}), 0);
        CLI_EXPECT_EXIT(env.run(QStringList{u"org"_s, u"add"_s} + extra, {}, tokenEnv()), 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        for (const QString &path : {u"acme/tool.git"_s, u"acme/api.git"_s, u"acme/old.git"_s, u"acme/forked.git"_s, u"acme/docs.git"_s,
                                    u"acme/new.git"_s, u"grp/sub/lib.git"_s, u"grp/app.git"_s})
            makeRepo(path);
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
        QVERIFY2(m_api.start(), qPrintable(m_api.errorString()));
        m_api.setToken(kToken);
    }

    // Preview -> Run -> Preview shows up to date; a repository added upstream is picked up by
    // update --due (sync new); one removed is flagged, then disabled with --gone disable, its
    // cache kept.
    void previewRunPreviewThenSyncNewAndGone()
    {
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s,
                              {repo(u"tool"_s, u"acme/tool.git"_s), repo(u"api"_s, u"acme/api.git"_s),
                               repo(u"old"_s, u"acme/old.git"_s, true), repo(u"forked"_s, u"acme/forked.git"_s, false, true),
                               repo(u"docs"_s, u"acme/docs.git"_s)});
        CliEnv env;
        const QString target = env.path(u"mirrors"_s);
        addOrg(env, {u"gh"_s, u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--api-url"_s, m_api.apiUrl(ForgeApi::GitHub),
                     u"--credential"_s, u"tok"_s, u"--regex"_s, u"^(tool|api|old|forked|new)$"_s, u"--target-dir"_s, target,
                     u"--sync-new"_s, u"--interval"_s, u"1"_s});

        const CliResult preview = env.run({u"org"_s, u"preview"_s, u"gh"_s, u"--json"_s}, {}, tokenEnv());
        CLI_EXPECT_EXIT(preview, 0);
        const QJsonObject p = preview.json();
        QCOMPARE(p.value(u"format_version"_s).toInt(), 1);
        QCOMPARE(p.value(u"org"_s).toString(), u"gh"_s);
        QCOMPARE(rowOf(p, u"acme/tool"_s).value(u"action"_s).toString(), u"create"_s);
        QCOMPARE(rowOf(p, u"acme/tool"_s).value(u"mirror"_s).toString(), u"gh/acme/tool"_s);
        QCOMPARE(rowOf(p, u"acme/tool"_s).value(u"clone_url"_s).toString(), m_daemon.url(u"acme/tool.git"_s));
        QCOMPARE(rowOf(p, u"acme/api"_s).value(u"action"_s).toString(), u"create"_s);
        QCOMPARE(rowOf(p, u"acme/old"_s).value(u"action"_s).toString(), u"filtered"_s);
        QVERIFY(rowOf(p, u"acme/old"_s).value(u"reason"_s).toString().contains(u"archived"_s));
        QVERIFY(rowOf(p, u"acme/forked"_s).value(u"reason"_s).toString().contains(u"fork"_s));
        QVERIFY(rowOf(p, u"acme/docs"_s).value(u"reason"_s).toString().contains(u"regex"_s));
        const QJsonObject summary = p.value(u"summary"_s).toObject();
        QCOMPARE(summary.value(u"create"_s).toInt(), 2);
        QCOMPARE(summary.value(u"filtered"_s).toInt(), 3);
        QCOMPARE(summary.value(u"up_to_date"_s).toInt(), 0);
        // A preview changes nothing.
        QCOMPARE(mirrorNames(env), QStringList{});
        QVERIFY(!QFileInfo::exists(target));
        // Every request carried the token; none of it is in any output.
        QVERIFY(!m_api.requestsTo(u"/orgs/acme/repos"_s).isEmpty());
        for (const auto &request : m_api.requestsTo(u"/orgs/acme/repos"_s))
            QVERIFY(request.authorized);

        // Without --yes and without a terminal: refused, nothing done.
        CLI_EXPECT_EXIT(env.run({u"org"_s, u"run"_s, u"gh"_s}, {}, tokenEnv()), 2);
        QCOMPARE(mirrorNames(env), QStringList{});

        const CliResult run = env.run({u"org"_s, u"run"_s, u"gh"_s, u"--yes"_s, u"--json"_s}, {}, tokenEnv(), 120000);
        CLI_EXPECT_EXIT(run, 0);
        QCOMPARE(rowOf(run.json(), u"acme/tool"_s).value(u"result"_s).toString(), u"created"_s);
        QCOMPARE(rowOf(run.json(), u"acme/api"_s).value(u"result"_s).toString(), u"created"_s);
        QCOMPARE(rowOf(run.json(), u"acme/docs"_s).value(u"result"_s).toString(), u"filtered"_s);
        QCOMPARE(mirrorNames(env), (QStringList{u"gh/acme/api"_s, u"gh/acme/tool"_s}));
        // The clone URLs are on another host:port than the API (git daemon): the token is not
        // attached to them (it goes only where the API is).
        for (const QJsonValue &m : env.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray())
            QCOMPARE(m.toObject().value(u"source"_s).toObject().value(u"credential"_s).toString(), QString());
        // Real mirrors: the caches hold the source's main, at <dir>/<full_name>.git.
        QCOMPARE(GitRepoBuilder::refOrEmpty(target + u"/acme/tool.git"_s, u"refs/heads/main"_s), m_main);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target + u"/acme/api.git"_s, u"refs/heads/main"_s), m_main);

        // Preview again: up to date; a second Run is a no-op.
        const QJsonObject again = env.run({u"org"_s, u"preview"_s, u"gh"_s, u"--json"_s}, {}, tokenEnv()).json();
        QCOMPARE(rowOf(again, u"acme/tool"_s).value(u"action"_s).toString(), u"up_to_date"_s);
        QCOMPARE(again.value(u"summary"_s).toObject().value(u"up_to_date"_s).toInt(), 2);
        QCOMPARE(again.value(u"summary"_s).toObject().value(u"create"_s).toInt(), 0);
        const QByteArray configBefore = env.configBytes().value_or(QByteArray());
        const CliResult second = env.run({u"org"_s, u"run"_s, u"gh"_s, u"--yes"_s, u"--json"_s}, {}, tokenEnv());
        CLI_EXPECT_EXIT(second, 0);
        QCOMPARE(rowOf(second.json(), u"acme/tool"_s).value(u"result"_s).toString(), u"up_to_date"_s);
        QCOMPARE(env.configBytes().value_or(QByteArray()), configBefore);

        // Upstream: "new" added, "api" gone. The org's discovery is due (never run by update --due
        // is not needed: its interval is one minute, so age the state file's discovery time).
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s,
                              {repo(u"tool"_s, u"acme/tool.git"_s), repo(u"new"_s, u"acme/new.git"_s), repo(u"docs"_s, u"acme/docs.git"_s)});
        const QString orgState = env.stateDir() + u"/orgs/gh.json"_s;
        QJsonObject state = QJsonDocument::fromJson(CliEnv::readFile(orgState).value_or(QByteArray())).object();
        QVERIFY(!state.isEmpty());
        state.insert(u"last_discovery_at"_s, u"2000-01-01T00:00:00Z"_s);
        QVERIFY(CliEnv::writeFile(orgState, QJsonDocument(state).toJson()));
        const CliResult due = env.run({u"update"_s, u"--due"_s}, {}, tokenEnv(), 120000);
        CLI_EXPECT_EXIT(due, 0);
        CLI_EXPECT_STDERR(due, u"1 new repositories added"_s);
        QCOMPARE(mirrorNames(env), (QStringList{u"gh/acme/api"_s, u"gh/acme/new"_s, u"gh/acme/tool"_s}));
        QCOMPARE(GitRepoBuilder::refOrEmpty(target + u"/acme/new.git"_s, u"refs/heads/main"_s), m_main);
        // Not due again right away: no second listing.
        m_api.clearRequests();
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"--due"_s}, {}, tokenEnv()), 0);
        QCOMPARE(m_api.requestsTo(u"/orgs/acme/repos"_s).size(), 0);

        const QJsonObject gone = env.run({u"org"_s, u"preview"_s, u"gh"_s, u"--json"_s}, {}, tokenEnv()).json();
        QCOMPARE(rowOf(gone, u"acme/api"_s).value(u"action"_s).toString(), u"gone"_s);
        QCOMPARE(rowOf(gone, u"acme/api"_s).value(u"mirror"_s).toString(), u"gh/acme/api"_s);
        const QJsonArray listed = env.run({u"org"_s, u"list"_s, u"--json"_s}).json().value(u"orgs"_s).toArray();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().toObject().value(u"gone"_s).toArray(), QJsonArray{u"gh/acme/api"_s});
        QCOMPARE(listed.first().toObject().value(u"mirrors"_s).toInt(), 3);

        // --gone disable: the run disables its mirror; the cache stays.
        CLI_EXPECT_EXIT(env.run({u"org"_s, u"edit"_s, u"gh"_s, u"--gone"_s, u"disable"_s}), 0);
        const CliResult disabled = env.run({u"org"_s, u"run"_s, u"gh"_s, u"--yes"_s, u"--json"_s}, {}, tokenEnv());
        CLI_EXPECT_EXIT(disabled, 0);
        QCOMPARE(rowOf(disabled.json(), u"acme/api"_s).value(u"result"_s).toString(), u"disabled"_s);
        bool enabled = true;
        for (const QJsonValue &m : env.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray()) {
            if (m.toObject().value(u"name"_s).toString() == u"gh/acme/api"_s)
                enabled = m.toObject().value(u"enabled"_s).toBool(true);
        }
        QVERIFY(!enabled);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target + u"/acme/api.git"_s, u"refs/heads/main"_s), m_main);

        // The token is nowhere on disk.
        QCOMPARE(env.filesContaining(kToken), QStringList{});

        // remove --with-mirrors: the mirrors leave the config, the caches stay.
        CLI_EXPECT_EXIT(env.run({u"org"_s, u"remove"_s, u"gh"_s, u"--with-mirrors"_s}), 0);
        QCOMPARE(mirrorNames(env), QStringList{});
        QVERIFY(QFileInfo(target + u"/acme/tool.git"_s).isDir());
        QCOMPARE(env.run({u"org"_s, u"list"_s, u"--json"_s}).json().value(u"orgs"_s).toArray().size(), 0);
    }

    // A GitLab group with subgroups, mirrored to a Bitbucket Server project: the target
    // repositories are created through its API (real bare repositories the git daemon serves),
    // each mirror is a relay, and the refs land on the target. A second Run creates nothing.
    void gitlabGroupToABitbucketServerProject()
    {
        FixtureRepo lib = repo(u"sub/lib"_s, u"grp/sub/lib.git"_s);
        FixtureRepo app = repo(u"app"_s, u"grp/app.git"_s);
        m_api.setRepositories(ForgeApi::GitLab, u"grp"_s, {lib, app});
        m_api.setCreateRoot(m_srv.filePath(u"bbs"_s), m_daemon.url(u"bbs/{path}.git"_s));
        m_api.setRepositories(ForgeApi::BitbucketServer, u"MIR"_s, {});
        CliEnv env;
        addOrg(env, {u"gl"_s, u"--provider"_s, u"gitlab"_s, u"--owner"_s, u"grp"_s, u"--api-url"_s, m_api.apiUrl(ForgeApi::GitLab),
                     u"--credential"_s, u"tok"_s, u"--target-url"_s, m_api.apiUrl(ForgeApi::BitbucketServer) + u"/projects/MIR"_s,
                     u"--target-credential"_s, u"tok"_s});
        const QJsonObject p = env.run({u"org"_s, u"preview"_s, u"gl"_s, u"--json"_s}, {}, tokenEnv()).json();
        QCOMPARE(rowOf(p, u"grp/sub/lib"_s).value(u"mirror"_s).toString(), u"gl/grp/sub/lib"_s);
        QCOMPARE(rowOf(p, u"grp/app"_s).value(u"action"_s).toString(), u"create"_s);

        const CliResult run = env.run({u"org"_s, u"run"_s, u"gl"_s, u"--yes"_s, u"--json"_s}, {}, tokenEnv(), 120000);
        CLI_EXPECT_EXIT(run, 0);
        QCOMPARE(rowOf(run.json(), u"grp/sub/lib"_s).value(u"result"_s).toString(), u"created"_s);
        // Created on the target (flat: sub/lib -> sub-lib), and pushed to.
        QCOMPARE(GitRepoBuilder::refOrEmpty(m_srv.filePath(u"bbs/mir/sub-lib.git"_s), u"refs/heads/main"_s), m_main);
        QCOMPARE(GitRepoBuilder::refOrEmpty(m_srv.filePath(u"bbs/mir/app.git"_s), u"refs/heads/main"_s), m_main);
        const CliResult second = env.run({u"org"_s, u"run"_s, u"gl"_s, u"--yes"_s, u"--json"_s}, {}, tokenEnv(), 120000);
        CLI_EXPECT_EXIT(second, 0);
        QCOMPARE(rowOf(second.json(), u"grp/app"_s).value(u"result"_s).toString(), u"up_to_date"_s);
        int postsAfter = 0;
        for (const auto &request : m_api.requestsTo(u"/rest/api/1.0/projects/MIR/repos"_s))
            postsAfter += request.method == u"POST"_s ? 1 : 0;
        QCOMPARE(postsAfter, 2); // the two of the first run only
        QCOMPARE(env.filesContaining(kToken), QStringList{});
    }

    // Bad answers give a clear error and create nothing.
    void badAnswersCreateNothing_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<int>("fault");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("text");
        QTest::newRow("wrong token") << u"acme"_s << QByteArray("wrong-token") << -1 << u"auth"_s << u"token"_s;
        QTest::newRow("no such owner") << u"nobody"_s << kToken << -1 << u"not_found"_s << u"nobody"_s;
        QTest::newRow("malformed JSON") << u"acme"_s << kToken << int(FixtureFault::Kind::WrongType) << u"network"_s << u"full_name"_s;
        QTest::newRow("truncated JSON") << u"acme"_s << kToken << int(FixtureFault::Kind::Truncated) << u"network"_s << u"JSON"_s;
    }
    void badAnswersCreateNothing()
    {
        QFETCH(QString, owner);
        QFETCH(QByteArray, token);
        QFETCH(int, fault);
        QFETCH(QString, category);
        QFETCH(QString, text);
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s, {repo(u"tool"_s, u"acme/tool.git"_s)});
        m_api.clearFaults();
        if (fault >= 0) {
            FixtureFault f;
            f.kind = static_cast<FixtureFault::Kind>(fault);
            f.pathContains = u"/orgs/acme/repos"_s;
            f.times = 10;
            m_api.addFault(f);
        }
        CliEnv env;
        const QString target = env.path(u"mirrors"_s);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"tok"_s, u"--kind"_s, u"token"_s, u"--secret-env"_s, u"ORG_TOKEN"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"org"_s, u"add"_s, u"gh"_s, u"--provider"_s, u"github"_s, u"--owner"_s, owner, u"--api-url"_s,
                                 m_api.apiUrl(ForgeApi::GitHub), u"--credential"_s, u"tok"_s, u"--target-dir"_s, target}),
                        0);
        const QByteArray config = env.configBytes().value_or(QByteArray());
        const QMap<QString, QString> tokenVar{{u"ORG_TOKEN"_s, QString::fromLatin1(token)}};
        for (const QString &sub : {u"preview"_s, u"run"_s}) {
            QStringList arguments{u"org"_s, sub, u"gh"_s};
            if (sub == u"run"_s)
                arguments.append(u"--yes"_s);
            const CliResult r = env.run(arguments, {}, tokenVar, 60000);
            CLI_EXPECT_EXIT(r, 1);
            CLI_EXPECT_STDERR(r, text);
            CLI_EXPECT_STDERR(r, category);
            QVERIFY2(!r.err.contains(token) && !r.out.contains(token), qPrintable(r.describe()));
        }
        m_api.clearFaults();
        QCOMPARE(env.configBytes().value_or(QByteArray()), config);
        QVERIFY(!QFileInfo::exists(target));
        const QJsonObject org = env.run({u"org"_s, u"list"_s, u"--json"_s}).json().value(u"orgs"_s).toArray().first().toObject();
        QCOMPARE(org.value(u"error_category"_s).toString(), category);
    }

    // The org's page cache (<state>/orgs/<name>.pages): a second preview revalidates every page
    // (If-None-Match, all 304) and leaves the file as it was; a damaged or cut-short one is
    // dropped (every page asked for again, 200) and written afresh; the older <name>.pages.json
    // is removed once the new file is written.
    void pageCacheRevalidatedAndNotRewritten()
    {
        QList<FixtureRepo> repositories;
        for (int i = 0; i < 5; ++i)
            repositories << repo(u"r%1"_s.arg(i), u"acme/tool.git"_s);
        m_api.setRepositories(ForgeApi::GitHub, u"paged"_s, repositories);
        m_api.setPageSize(2); // 3 pages
        CliEnv env;
        addOrg(env, {u"pc"_s, u"--provider"_s, u"github"_s, u"--owner"_s, u"paged"_s, u"--api-url"_s, m_api.apiUrl(ForgeApi::GitHub),
                     u"--credential"_s, u"tok"_s, u"--target-dir"_s, env.path(u"t"_s)});
        const QString cache = env.stateDir() + u"/orgs/pc.pages"_s;
        const QString legacy = cache + u".json"_s;
        QVERIFY(CliEnv::writeFile(legacy, "{}"));
        auto preview = [&](int expectedStatus) {
            m_api.clearRequests();
            const CliResult r = env.run({u"org"_s, u"preview"_s, u"pc"_s, u"--json"_s}, {}, tokenEnv());
            CLI_EXPECT_EXIT(r, 0);
            QCOMPARE(r.json().value(u"repositories"_s).toArray().size(), 5);
            const QList<md::fixtures::FixtureRequest> requests = m_api.requests();
            QCOMPARE(requests.size(), 3);
            for (const auto &request : requests) {
                QCOMPARE(request.status, expectedStatus);
                QCOMPARE(request.ifNoneMatch.isEmpty(), expectedStatus != 304);
            }
        };
        preview(200);
        QVERIFY(CliEnv::readFile(cache).value_or(QByteArray()).startsWith("mirrordesk-page-cache 1\n"));
        QVERIFY(!QFileInfo::exists(legacy));

        // Unchanged: not rewritten (its modification time set back stays).
        const QDateTime old = QDateTime(QDate(2001, 2, 3), QTime(4, 5, 6), Qt::UTC);
        {
            QFile file(cache);
            QVERIFY(file.open(QIODevice::ReadWrite) && file.setFileTime(old, QFileDevice::FileModificationTime));
        }
        const QByteArray written = CliEnv::readFile(cache).value_or(QByteArray());
        preview(304);
        QCOMPARE(QFileInfo(cache).lastModified().toUTC(), old);
        QCOMPARE(CliEnv::readFile(cache).value_or(QByteArray()), written);

        for (const QByteArray &damaged : {QByteArray("garbage"), written.left(written.size() - 10), written + "tail"}) {
            QVERIFY(CliEnv::writeFile(cache, damaged));
            preview(200);
            const QByteArray again = CliEnv::readFile(cache).value_or(QByteArray());
            QVERIFY(again.startsWith("mirrordesk-page-cache 1\n"));
            QCOMPARE(again.size(), written.size()); // the same pages (their order follows a hash)
            preview(304);
        }
        m_api.setPageSize(100);
    }

    // Definitions: bad input is refused with what is wrong and changes nothing; a version-1
    // config is upgraded by its first edit, said so, the old file kept.
    void definitionsRefuseBadInput()
    {
        CliEnv env;
        QVERIFY(CliEnv::writeFile(env.configPath(), "{\"schema_version\": 1, \"mirrors\": []}\n"));
        const QList<std::pair<QStringList, QString>> refused{
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--regex"_s, u"^(tool"_s, u"--target-dir"_s, env.path(u"t"_s)},
             u"position"_s},
            {{u"--provider"_s, u"gitea"_s, u"--owner"_s, u"acme"_s, u"--target-dir"_s, env.path(u"t"_s)}, u"gitea"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"a/b"_s, u"--target-dir"_s, env.path(u"t"_s)}, u"--owner"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--target-dir"_s, u"relative"_s}, u"absolute"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--target-dir"_s, u"/"_s}, u"root"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--target-url"_s, u"https://gl.example/grp"_s}, u"--target-credential"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--target-dir"_s, env.path(u"t"_s), u"--credential"_s, u"nope"_s},
             u"nope"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--api-url"_s, u"https://u:pw@ghe.example/api/v3"_s, u"--target-dir"_s,
              env.path(u"t"_s)},
             u"credentials"_s},
            {{u"--provider"_s, u"bitbucket-server"_s, u"--owner"_s, u"PRJ"_s, u"--target-dir"_s, env.path(u"t"_s)}, u"--api-url"_s},
            {{u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s}, u"--target-dir"_s},
        };
        for (const auto &[options, why] : refused) {
            const CliResult r = env.run(QStringList{u"org"_s, u"add"_s, u"o"_s} + options);
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, why);
            QVERIFY2(!r.err.contains("pw@"), qPrintable(r.describe()));
        }
        QCOMPARE(env.configBytes().value_or(QByteArray()), QByteArray("{\"schema_version\": 1, \"mirrors\": []}\n"));
        const CliResult added = env.run({u"org"_s, u"add"_s, u"o"_s, u"--provider"_s, u"github"_s, u"--owner"_s, u"acme"_s, u"--target-dir"_s,
                                         env.path(u"t"_s)});
        CLI_EXPECT_EXIT(added, 0);
        CLI_EXPECT_STDERR(added, u"upgraded from schema version 1 to 2"_s);
        QCOMPARE(CliEnv::readFile(env.configPath() + u".v1"_s).value_or(QByteArray()), QByteArray("{\"schema_version\": 1, \"mirrors\": []}\n"));
        QCOMPARE(env.run({u"org"_s, u"list"_s, u"--json"_s}).json().value(u"orgs"_s).toArray().size(), 1);
        // The same name again (ignoring case): refused.
        const CliResult twice = env.run({u"org"_s, u"add"_s, u"O"_s, u"--provider"_s, u"github"_s, u"--owner"_s, u"x"_s, u"--target-dir"_s,
                                         env.path(u"u"_s)});
        CLI_EXPECT_EXIT(twice, 2);
        CLI_EXPECT_STDERR(twice, u"already exists"_s);
        CLI_EXPECT_EXIT(env.run({u"org"_s, u"preview"_s, u"missing"_s}), 2);
    }
};

QTEST_GUILESS_MAIN(TestCliOrg)
#include "TestCliOrg.moc"
