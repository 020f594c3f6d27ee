// The org preview (ops/OrgPlan): a pure function of (provider list, existing mirrors, their
// states, options), table-tested; and the org definition's validation and target URL parsing.
#include "ops/OrgPlan.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace md;
using providers::RemoteRepository;

namespace {

RemoteRepository repo(const QString &fullName, bool archived = false, bool fork = false, const QString &hash = {})
{
    RemoteRepository r;
    r.fullName = fullName;
    r.cloneUrl = u"https://git.example/"_s + fullName + u".git"_s;
    r.archived = archived;
    r.fork = fork;
    r.contentHash = hash;
    return r;
}

OrgMirror baseOrg()
{
    OrgMirror org;
    org.name = u"o"_s;
    org.provider = providers::Provider::GitLab;
    org.owner = u"grp"_s;
    org.target.dir = u"/srv/mirrors"_s;
    return org;
}

Mirror own(const QString &fullName)
{
    Mirror m = mirrorForRepository(baseOrg(), repo(fullName));
    return m;
}

Mirror foreign(const QString &name)
{
    Mirror m;
    m.name = name;
    m.source.url = u"https://elsewhere.example/x.git"_s;
    return m;
}

struct Case {
    OrgMirror org = baseOrg();
    QList<RemoteRepository> listed = {};
    QList<Mirror> mirrors = {};
    QHash<QString, OrgMirrorState> states = {};
    // full_name -> "action/reason"
    QMap<QString, QString> expected = {};
};

} // namespace

Q_DECLARE_METATYPE(Case)

class TestOrgPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void preview_data()
    {
        QTest::addColumn<Case>("c");
        {
            Case c;
            c.listed = {repo(u"grp/a"_s), repo(u"grp/sub/b"_s)};
            c.expected = {{u"grp/a"_s, u"create/"_s}, {u"grp/sub/b"_s, u"create/"_s}};
            QTest::newRow("empty config: everything created") << c;
        }
        {
            Case c;
            c.listed = {};
            QTest::newRow("empty organisation: no rows") << c;
        }
        {
            Case c;
            c.listed = {repo(u"grp/old"_s, true), repo(u"grp/fork"_s, false, true), repo(u"grp/both"_s, true, true)};
            c.expected = {{u"grp/old"_s, u"filtered/archived"_s}, {u"grp/fork"_s, u"filtered/fork"_s}, {u"grp/both"_s, u"filtered/archived"_s}};
            QTest::newRow("archived and forks left out by default") << c;
        }
        {
            Case c;
            c.org.includeArchived = true;
            c.org.includeForks = true;
            c.listed = {repo(u"grp/old"_s, true), repo(u"grp/fork"_s, false, true)};
            c.expected = {{u"grp/old"_s, u"create/"_s}, {u"grp/fork"_s, u"create/"_s}};
            QTest::newRow("archived and forks included") << c;
        }
        {
            Case c;
            c.org.regex = u"^(api|sub/)"_s; // on the path below the owner, unanchored
            c.listed = {repo(u"grp/api"_s), repo(u"grp/apiary"_s), repo(u"grp/web"_s), repo(u"grp/sub/lib"_s), repo(u"grp/myapi"_s)};
            c.expected = {{u"grp/api"_s, u"create/"_s},
                          {u"grp/apiary"_s, u"create/"_s},
                          {u"grp/web"_s, u"filtered/regex"_s},
                          {u"grp/sub/lib"_s, u"create/"_s},
                          {u"grp/myapi"_s, u"filtered/regex"_s}};
            QTest::newRow("regex on the path below the owner") << c;
        }
        {
            Case c;
            c.listed = {repo(u"grp/a"_s), repo(u"grp/b"_s), repo(u"grp/c"_s), repo(u"grp/d"_s), repo(u"grp/e"_s)};
            c.mirrors = {own(u"grp/a"_s), own(u"grp/b"_s), own(u"grp/c"_s), own(u"grp/d"_s), own(u"grp/e"_s)};
            c.states = {{u"o/grp/a"_s, {true, false, false, {}}},
                        {u"o/grp/b"_s, {false, false, false, {}}},
                        {u"o/grp/c"_s, {true, true, false, {}}},
                        {u"o/grp/d"_s, {true, false, true, {}}}};
            c.expected = {{u"grp/a"_s, u"up_to_date/"_s},
                          {u"grp/b"_s, u"update/never_synced"_s},
                          {u"grp/c"_s, u"update/last_failed"_s},
                          {u"grp/d"_s, u"update/behind"_s},
                          {u"grp/e"_s, u"update/never_synced"_s}};
            QTest::newRow("existing mirrors: up to date or why an update") << c;
        }
        {
            Case c;
            c.listed = {repo(u"grp/a"_s, false, false, u"h2"_s), repo(u"grp/b"_s, false, false, u"h1"_s)};
            c.mirrors = {own(u"grp/a"_s), own(u"grp/b"_s)};
            c.states = {{u"o/grp/a"_s, {true, false, false, u"h1"_s}}, {u"o/grp/b"_s, {true, false, false, u"h1"_s}}};
            c.expected = {{u"grp/a"_s, u"update/changed"_s}, {u"grp/b"_s, u"up_to_date/"_s}};
            QTest::newRow("content hash moved or not") << c;
        }
        {
            Case c;
            c.listed = {repo(u"grp/a"_s)};
            c.mirrors = {own(u"grp/a"_s), own(u"grp/gone"_s), foreign(u"other"_s)};
            c.states = {{u"o/grp/a"_s, {true, false, false, {}}}};
            c.expected = {{u"grp/a"_s, u"up_to_date/"_s}, {u"grp/gone"_s, u"gone/not_listed"_s}};
            QTest::newRow("gone upstream; another mirror untouched") << c;
        }
        {
            Case c;
            c.listed = {repo(u"grp/taken"_s), repo(u"grp/Dup"_s), repo(u"grp/dup"_s), repo(u"grp/bad..name"_s)};
            c.mirrors = {foreign(u"o/grp/taken"_s)};
            c.expected = {{u"grp/taken"_s, u"clash/name_taken"_s},
                          {u"grp/Dup"_s, u"create/"_s},
                          {u"grp/dup"_s, u"clash/duplicate_name"_s},
                          {u"grp/bad..name"_s, u"clash/invalid_name"_s}};
            QTest::newRow("clashes") << c;
        }
        {
            Case c;
            Mirror other = mirrorForRepository(baseOrg(), repo(u"grp/x"_s));
            other.org = u"another"_s;
            c.listed = {repo(u"grp/x"_s)};
            c.mirrors = {other};
            c.expected = {{u"grp/x"_s, u"clash/name_taken"_s}};
            QTest::newRow("a mirror of that name made by another org") << c;
        }
        {
            Case c;
            c.org.regex = u"^a"_s;
            c.listed = {repo(u"grp/a"_s), repo(u"grp/b"_s)};
            c.mirrors = {own(u"grp/b"_s)};
            c.expected = {{u"grp/a"_s, u"create/"_s}, {u"grp/b"_s, u"filtered/regex"_s}};
            QTest::newRow("a mirror now outside the regex is filtered, not gone") << c;
        }
    }
    void preview()
    {
        QFETCH(Case, c);
        Config config;
        config.mirrors = c.mirrors;
        const OrgPreview p = previewOrg(c.org, c.listed, config, c.states);
        QMap<QString, QString> actual;
        for (const OrgRow &row : p.rows)
            actual.insert(row.repository.fullName, orgActionName(row.action) + u'/' + orgReasonName(row.reason));
        QCOMPARE(actual, c.expected);
        // One row per repository listed, plus the gone ones; the summary counts them.
        int total = 0;
        const auto summary = p.summary();
        for (auto it = summary.begin(); it != summary.end(); ++it)
            total += it.value();
        QCOMPARE(total, p.rows.size());
        QCOMPARE(summary.size(), 6);
        // Pure: the same inputs, the same preview.
        const OrgPreview again = previewOrg(c.org, c.listed, config, c.states);
        QCOMPARE(again.rows.size(), p.rows.size());
    }

    void tokenGoesOnlyWhereTheApiIs_data()
    {
        QTest::addColumn<QString>("api");
        QTest::addColumn<QString>("clone");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("github.com") << u"https://api.github.com"_s << u"https://github.com/acme/a.git"_s << true;
        QTest::newRow("bitbucket.org") << u"https://api.bitbucket.org/2.0"_s << u"https://bitbucket.org/ws/a.git"_s << true;
        QTest::newRow("enterprise") << u"https://ghe.example/api/v3"_s << u"https://GHE.example/acme/a.git"_s << true;
        QTest::newRow("self-managed gitlab") << u"http://127.0.0.1:8080/api/v4"_s << u"http://127.0.0.1:8080/g/a.git"_s << true;
        QTest::newRow("another host") << u"https://api.github.com"_s << u"https://evil.example/acme/a.git"_s << false;
        QTest::newRow("another port") << u"http://127.0.0.1:8080/api/v4"_s << u"http://127.0.0.1:8081/g/a.git"_s << false;
        QTest::newRow("https to http") << u"https://ghe.example/api/v3"_s << u"http://ghe.example/acme/a.git"_s << false;
        QTest::newRow("git://") << u"http://127.0.0.1:8080/api/v4"_s << u"git://127.0.0.1:8080/g/a.git"_s << false;
        QTest::newRow("github.com over http") << u"https://api.github.com"_s << u"http://github.com/acme/a.git"_s << false;
    }
    void tokenGoesOnlyWhereTheApiIs()
    {
        QFETCH(QString, api);
        QFETCH(QString, clone);
        QFETCH(bool, allowed);
        QCOMPARE(credentialMayGoTo(api, clone), allowed);
        OrgMirror org = baseOrg();
        org.apiUrl = api;
        org.credential = u"tok"_s;
        RemoteRepository r = repo(u"grp/a"_s);
        r.cloneUrl = clone;
        QCOMPARE(mirrorForRepository(org, r).source.credential, allowed ? u"tok"_s : QString());
    }

    void localCloneUrlsAreRefused()
    {
        Config config;
        for (const QString &url : {u"/tmp/seed.git"_s, u"file:///etc"_s, u"--upload-pack=touch x"_s, u"ext::sh -c id"_s}) {
            RemoteRepository r = repo(u"grp/a"_s);
            r.cloneUrl = url;
            const OrgPreview p = previewOrg(baseOrg(), {r}, config, {});
            QCOMPARE(p.rows.size(), 1);
            QVERIFY2(p.rows.first().action == OrgAction::Clash, qPrintable(url));
            QCOMPARE(p.rows.first().reason, OrgReason::InvalidCloneUrl);
        }
    }

    void mirrorsMadeForRepositories()
    {
        OrgMirror org = baseOrg();
        org.apiUrl = u"https://git.example/api/v4"_s;
        org.credential = u"tok"_s;
        const Mirror pull = mirrorForRepository(org, repo(u"grp/sub/lib"_s));
        QCOMPARE(pull.name, u"o/grp/sub/lib"_s);
        QCOMPARE(pull.shape, Shape::Pull);
        QCOMPARE(pull.cachePath, u"/srv/mirrors/grp/sub/lib.git"_s);
        QCOMPARE(pull.source.credential, u"tok"_s);
        QCOMPARE(pull.org, u"o"_s);
        QCOMPARE(pull.orgRepository, u"grp/sub/lib"_s);
        QVERIFY(validateMirror(pull));
        org.target = OrgTarget{{}, u"https://bbs.example/projects/MIR"_s, u"bbs"_s};
        const Mirror relay = mirrorForRepository(org, repo(u"grp/app"_s), u"https://bbs.example/scm/mir/app.git"_s);
        QCOMPARE(relay.shape, Shape::Relay);
        QCOMPARE(relay.target.url, u"https://bbs.example/scm/mir/app.git"_s);
        QCOMPARE(relay.target.credential, u"bbs"_s);
        QVERIFY(relay.cachePath.isEmpty());
    }

    void targetUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("api");
        QTest::addColumn<QString>("ns");
        QTest::newRow("gitlab group") << u"https://gitlab.example/grp/sub/"_s << u"gitlab"_s << u"https://gitlab.example/api/v4"_s << u"grp/sub"_s;
        QTest::newRow("bbs project") << u"https://bbs.example/projects/MIR"_s << u"bitbucket-server"_s << u"https://bbs.example"_s << u"MIR"_s;
        QTest::newRow("bbs at a context path") << u"http://h:7990/bitbucket/projects/K"_s << u"bitbucket-server"_s << u"http://h:7990/bitbucket"_s
                                               << u"K"_s;
        QTest::newRow("no namespace") << u"https://gitlab.example/"_s << QString() << QString() << QString();
        QTest::newRow("credentials") << u"https://u:p@gitlab.example/g"_s << QString() << QString() << QString();
        QTest::newRow("not a URL") << u"gitlab.example/g"_s << QString() << QString() << QString();
    }
    void targetUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, provider);
        QFETCH(QString, api);
        QFETCH(QString, ns);
        const auto parsed = parseTargetUrl(url);
        QCOMPARE(parsed.ok(), !provider.isEmpty());
        if (!parsed.ok()) {
            QVERIFY(!parsed.error().message.contains(u":p@"_s));
            return;
        }
        QCOMPARE(providers::providerName(parsed->provider), provider);
        QCOMPARE(parsed->apiUrl, api);
        QCOMPARE(parsed->ns, ns);
    }

    void regexRefusedWithItsPosition()
    {
        const Status bad = validateOrgRegex(u"^(api|web"_s, u"regex"_s);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"position"_s), qPrintable(bad.error().message));
        const Status star = validateOrgRegex(u"ab**"_s, u"regex"_s);
        QVERIFY(!star);
        QCOMPARE(star.error().detail.value(u"position"_s).toInt(), 3);
        QVERIFY(validateOrgRegex(u"^(api|web)-\\w+$"_s, u"regex"_s));
        QVERIFY(!validateOrgRegex(u"(?<=x)y"_s, u"regex"_s)); // look-behind: RE2 refuses it
    }
};

QTEST_GUILESS_MAIN(TestOrgPlan)
#include "TestOrgPlan.moc"
