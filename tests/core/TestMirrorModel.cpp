#include "mirror/Config.h"
#include "mirror/Mirror.h"
#include "util/Names.h"
#include "util/Scrub.h"

#include <QJsonDocument>
#include <QTest>

using namespace md;

namespace {

Mirror pullMirror()
{
    Mirror m;
    m.name = QStringLiteral("org/repo");
    m.shape = Shape::Pull;
    m.source.url = QStringLiteral("https://github.com/org/repo.git");
    return m;
}

Mirror relayMirror()
{
    Mirror m = pullMirror();
    m.shape = Shape::Relay;
    m.target.url = QStringLiteral("ssh://git@gitlab.example.org/org/repo.git");
    return m;
}

} // namespace

class TestMirrorModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error"); // empty: valid
        QTest::newRow("simple") << "repo" << "";
        QTest::newRow("segments") << "github/org/repo.git-mirror_2" << "";
        QTest::newRow("empty") << "" << "is empty";
        QTest::newRow("dotdot") << "a..b" << "\"..\"";
        QTest::newRow("leading dot") << ".hidden" << "starts with \".\"";
        QTest::newRow("segment leading dot") << "org/.git" << "starts with \".\"";
        QTest::newRow("leading slash") << "/repo" << "empty segment";
        QTest::newRow("trailing slash") << "repo/" << "empty segment";
        QTest::newRow("double slash") << "a//b" << "empty segment";
        QTest::newRow("space") << "a b" << "contains \" \"";
        QTest::newRow("colon") << "a:b" << "contains \":\"";
        QTest::newRow("backslash") << "a\\b" << "contains \"\\\"";
        QTest::newRow("unicode") << QString::fromUtf8("r\xC3\xA9po") << "contains";
        QTest::newRow("too long") << QString(201, QLatin1Char('a')) << "longer than 200";
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        const Status status = validateMirrorName(name);
        if (error.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().text()));
            return;
        }
        QVERIFY(!status.ok());
        QCOMPARE(status.error().field, QStringLiteral("name"));
        QVERIFY2(status.error().message.contains(error), qPrintable(status.error().message));
    }

    void credentialNames()
    {
        QVERIFY(validateCredentialName(QStringLiteral("gh-token_1.x")).ok());
        QVERIFY(!validateCredentialName(QStringLiteral("a/b")).ok());
        QVERIFY(!validateCredentialName(QStringLiteral(".x")).ok());
        QVERIFY(!validateCredentialName(QString()).ok());
    }

    void fileNameEncoding()
    {
        QCOMPARE(encodeNameForFile(QStringLiteral("org/repo.git")), QStringLiteral("org%2Frepo.git"));
        QCOMPARE(encodeNameForFile(QStringLiteral("a_b-c")), QStringLiteral("a_b-c"));
    }

    void validation_data()
    {
        QTest::addColumn<QByteArray>("change");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("no source") << QByteArray("no-source") << "source.url" << "a source is required";
        QTest::newRow("bad source") << QByteArray("ftp-source") << "source.url" << "unsupported scheme";
        QTest::newRow("password in url") << QByteArray("password-url") << "source.url" << "contains a password";
        QTest::newRow("token in url") << QByteArray("token-url") << "source.url" << "contains a user name (or a short token) but no password";
        QTest::newRow("pull with target") << QByteArray("pull-target") << "target.url" << "has no target";
        QTest::newRow("relay without target") << QByteArray("relay-no-target") << "target.url" << "needs a target";
        QTest::newRow("push remote source") << QByteArray("push-remote") << "source.url" << "local repository path";
        QTest::newRow("relay local source") << QByteArray("relay-local") << "source.url" << "use shape push";
        QTest::newRow("interval 0") << QByteArray("interval-0") << "interval_minutes" << "between 1 and 10080";
        QTest::newRow("interval huge") << QByteArray("interval-huge") << "interval_minutes" << "between 1 and 10080";
        QTest::newRow("min update negative") << QByteArray("min-neg") << "min_update_interval_seconds" << "between 0 and 86400";
        QTest::newRow("only protected empty") << QByteArray("only-empty") << "protected_branches" << "no protected-branch pattern";
        QTest::newRow("regex and protected") << QByteArray("regex-and-protected") << "mirror_branch_regex" << "cannot be combined";
        QTest::newRow("bad regex") << QByteArray("bad-regex") << "mirror_branch_regex" << "invalid regular expression";
        QTest::newRow("re2 refuses backref") << QByteArray("backref") << "mirror_branch_regex" << "invalid regular expression";
        QTest::newRow("pattern with space") << QByteArray("pattern-space") << "protected_branches" << "a space";
        QTest::newRow("pattern refs/") << QByteArray("pattern-refs") << "protected_branches" << "without \"refs/\"";
        QTest::newRow("pattern empty") << QByteArray("pattern-empty") << "protected_branches" << "is empty";
        QTest::newRow("pattern dotdot") << QByteArray("pattern-dotdot") << "protected_branches" << "can never match";
        QTest::newRow("keep divergent on pull") << QByteArray("keep-pull") << "keep_divergent_refs" << "relay and push mirrors only";
        QTest::newRow("overwrite off on relay") << QByteArray("overwrite-relay") << "mirror_overwrites_diverged_branches" << "pull mirrors only";
        QTest::newRow("relative cache") << QByteArray("relative-cache") << "cache_path" << "absolute";
        QTest::newRow("bad proxy") << QByteArray("bad-proxy") << "source.proxy" << "not a proxy URL";
        QTest::newRow("proxy creds") << QByteArray("proxy-creds") << "source.proxy" << "must not contain credentials";
        QTest::newRow("credential on local") << QByteArray("local-cred") << "source.credential" << "takes no credential";
        QTest::newRow("bad name") << QByteArray("bad-name") << "name" << "starts with";
        // Long inputs are quoted cut ("…(N characters)"), never echoed whole.
        QTest::newRow("huge regex") << QByteArray("huge-regex") << "mirror_branch_regex" << "…(5000001 characters)\" is longer than 4096";
        QTest::newRow("long bad regex") << QByteArray("long-bad-regex") << "mirror_branch_regex" << "…(3001 characters)";
        QTest::newRow("huge pattern") << QByteArray("huge-pattern") << "protected_branches" << "…(100002 characters)";
        QTest::newRow("huge url") << QByteArray("huge-url") << "source.url" << "…(100010 characters)\" is longer than 4096";
        QTest::newRow("schemeless proxy creds") << QByteArray("proxy-schemeless") << "source.proxy" << "\"*****@proxy:3128\" is not a proxy URL";
        QTest::newRow("remote helper") << QByteArray("ext-source") << "source.url" << "remote-helper form";
    }
    void validation()
    {
        QFETCH(QByteArray, change);
        QFETCH(QString, field);
        QFETCH(QString, message);
        Mirror m = pullMirror();
        if (change == "no-source") m.source.url.clear();
        else if (change == "ftp-source") m.source.url = QStringLiteral("ftp://h/r.git");
        else if (change == "password-url") m.source.url = QStringLiteral("https://u:secretpw@h/r.git");
        else if (change == "token-url") m.source.url = QStringLiteral("https://ghp_secret@h/r.git");
        else if (change == "pull-target") m.target.url = QStringLiteral("https://h/t.git");
        else if (change == "relay-no-target") m.shape = Shape::Relay;
        else if (change == "push-remote") { m = relayMirror(); m.shape = Shape::Push; }
        else if (change == "relay-local") { m = relayMirror(); m.source.url = QStringLiteral("/srv/git/r.git"); }
        else if (change == "interval-0") m.intervalMinutes = 0;
        else if (change == "interval-huge") m.intervalMinutes = 10081;
        else if (change == "min-neg") m.minUpdateIntervalSeconds = -1;
        else if (change == "only-empty") m.onlyProtectedBranches = true;
        else if (change == "regex-and-protected") { m.onlyProtectedBranches = true; m.protectedBranches = {QStringLiteral("main")}; m.mirrorBranchRegex = QStringLiteral("^rel"); }
        else if (change == "bad-regex") m.mirrorBranchRegex = QStringLiteral("(unclosed");
        else if (change == "backref") m.mirrorBranchRegex = QStringLiteral("(a)\\1");
        else if (change == "pattern-space") m.protectedBranches = {QStringLiteral("release 1")};
        else if (change == "pattern-refs") m.protectedBranches = {QStringLiteral("refs/heads/main")};
        else if (change == "pattern-empty") m.protectedBranches = {QString()};
        else if (change == "pattern-dotdot") m.protectedBranches = {QStringLiteral("a..b")};
        else if (change == "keep-pull") m.keepDivergentRefs = true;
        else if (change == "overwrite-relay") { m = relayMirror(); m.mirrorOverwritesDivergedBranches = false; }
        else if (change == "relative-cache") m.cachePath = QStringLiteral("caches/x.git");
        else if (change == "bad-proxy") m.source.proxy = QStringLiteral("socks://nope");
        else if (change == "proxy-creds") m.source.proxy = QStringLiteral("http://u:p@proxy:3128");
        else if (change == "local-cred") { m.source.url = QStringLiteral("/srv/r.git"); m.source.credential = QStringLiteral("x"); }
        else if (change == "bad-name") m.name = QStringLiteral(".x");
        else if (change == "huge-regex") m.mirrorBranchRegex = QString(5000000, QLatin1Char('(')) + QLatin1Char('a');
        else if (change == "long-bad-regex") m.mirrorBranchRegex = QString(3000, QLatin1Char('(')) + QLatin1Char('a');
        else if (change == "huge-pattern") m.protectedBranches = {QStringLiteral("a:") + QString(100000, QLatin1Char('b'))};
        else if (change == "huge-url") m.source.url = QStringLiteral("https://h/") + QString(100000, QLatin1Char('a'));
        else if (change == "proxy-schemeless") m.source.proxy = QStringLiteral("u:secretpw@proxy:3128");
        else if (change == "ext-source") m.source.url = QStringLiteral("ext::sh -c touch");
        else QFAIL("unknown change");

        const Status status = validateMirror(m, QStringLiteral("mirrors[0]"));
        QVERIFY2(!status.ok(), change.constData());
        QCOMPARE(status.error().field, QStringLiteral("mirrors[0].") + field);
        QVERIFY2(status.error().message.contains(message), qPrintable(status.error().message));
        QVERIFY(!status.error().text().contains(QLatin1String("secretpw")));
        QVERIFY(!status.error().text().contains(QLatin1String("ghp_secret")));
        QVERIFY2(status.error().text().size() < 2 * kMaxQuotedInput + 300, qPrintable(status.error().text().left(1000)));
    }

    void validMirrors()
    {
        QVERIFY(validateMirror(pullMirror()).ok());
        QVERIFY(validateMirror(relayMirror()).ok());
        Mirror push = relayMirror();
        push.shape = Shape::Push;
        push.source.url = QStringLiteral("/home/me/project");
        QVERIFY(validateMirror(push).ok());
        Mirror filtered = pullMirror();
        filtered.mirrorBranchRegex = QStringLiteral("^(main|release/.*)$");
        QVERIFY(validateMirror(filtered).ok());
        Mirror scp = pullMirror();
        scp.source.url = QStringLiteral("git@gitlab.com:group/project.git");
        QVERIFY(validateMirror(scp).ok());
        Mirror protectedOnly = pullMirror();
        protectedOnly.onlyProtectedBranches = true;
        protectedOnly.protectedBranches = {QStringLiteral("main"), QStringLiteral("release/*")};
        QVERIFY(validateMirror(protectedOnly).ok());
    }

    void shapeInference()
    {
        QString why;
        QCOMPARE(inferShape(QStringLiteral("https://h/r.git"), QString(), &why), Shape::Pull);
        QVERIFY(why.startsWith(QLatin1String("pull")));
        QCOMPARE(inferShape(QStringLiteral("/home/me/r"), QStringLiteral("https://h/r.git"), &why), Shape::Push);
        QVERIFY(why.startsWith(QLatin1String("push")));
        QCOMPARE(inferShape(QStringLiteral("file:///home/me/r"), QStringLiteral("https://h/r.git")), Shape::Push);
        QCOMPARE(inferShape(QStringLiteral("git@h:r.git"), QStringLiteral("https://h2/r.git"), &why), Shape::Relay);
        QVERIFY(why.startsWith(QLatin1String("relay")));
    }

    void defaultsFollowShape()
    {
        Mirror m = pullMirror();
        QCOMPARE(m.effectivePrune(), PrunePolicy::All);
        m.shape = Shape::Relay;
        QCOMPARE(m.effectivePrune(), PrunePolicy::Merged);
        m.prune = PrunePolicy::None;
        QCOMPARE(m.effectivePrune(), PrunePolicy::None);
        QCOMPARE(m.effectiveIntervalMinutes(7), 7);
        m.intervalMinutes = 3;
        QCOMPARE(m.effectiveIntervalMinutes(7), 3);
        QCOMPARE(m.effectiveCachePath(QStringLiteral("/c")), QStringLiteral("/c/org/repo.git"));
        m.cachePath = QStringLiteral("/srv/git/x.git/");
        QCOMPARE(m.effectiveCachePath(QStringLiteral("/c")), QStringLiteral("/srv/git/x.git"));
        QCOMPARE(m.mirrorTags, TagPolicy::All);
        QCOMPARE(m.minUpdateIntervalSeconds, 60);
        QVERIFY(m.enabled);
        QVERIFY(m.mirrorOverwritesDivergedBranches);
        QVERIFY(!m.keepDivergentRefs);
    }

    void jsonRoundTrip()
    {
        Mirror m = relayMirror();
        m.enabled = false;
        m.intervalMinutes = 15;
        m.minUpdateIntervalSeconds = 0;
        m.keepDivergentRefs = true;
        m.protectedBranches = {QStringLiteral("main"), QStringLiteral("release/*")};
        m.mirrorBranchRegex = QStringLiteral("^rel");
        m.prune = PrunePolicy::None;
        m.mirrorTags = TagPolicy::Reachable;
        m.cachePath = QStringLiteral("/srv/git/repo.git");
        m.source.credential = QStringLiteral("gh");
        m.source.proxy = QStringLiteral("http://proxy:3128");
        auto back = mirrorFromJson(mirrorToJson(m), QStringLiteral("m"));
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().text()));
        QCOMPARE(*back, m);
    }

    void jsonRefusesUnknownAndWrongTypes()
    {
        QJsonObject object = mirrorToJson(pullMirror());
        object.insert(QStringLiteral("intervall_minutes"), 5);
        auto unknown = mirrorFromJson(object, QStringLiteral("mirrors[1]"));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().field, QStringLiteral("mirrors[1].intervall_minutes"));
        QCOMPARE(unknown.error().message, QStringLiteral("unknown field"));

        object = mirrorToJson(pullMirror());
        object.insert(QStringLiteral("enabled"), QStringLiteral("yes"));
        auto wrongType = mirrorFromJson(object, QStringLiteral("m"));
        QVERIFY(!wrongType.ok());
        QCOMPARE(wrongType.error().field, QStringLiteral("m.enabled"));

        object = mirrorToJson(pullMirror());
        object.insert(QStringLiteral("interval_minutes"), 2.5);
        auto fraction = mirrorFromJson(object, QStringLiteral("m"));
        QVERIFY(!fraction.ok());
        QVERIFY(fraction.error().message.contains(QLatin1String("whole number")));

        object = mirrorToJson(pullMirror());
        object.insert(QStringLiteral("prune"), QStringLiteral("some"));
        auto prune = mirrorFromJson(object, QStringLiteral("m"));
        QVERIFY(!prune.ok());
        QCOMPARE(prune.error().field, QStringLiteral("m.prune"));

        object = mirrorToJson(pullMirror());
        object.insert(QStringLiteral("shape"), QStringLiteral("mirror"));
        auto shape = mirrorFromJson(object, QStringLiteral("m"));
        QVERIFY(!shape.ok());
        QCOMPARE(shape.error().field, QStringLiteral("m.shape"));

        object = mirrorToJson(pullMirror());
        QJsonObject source = object.value(QStringLiteral("source")).toObject();
        source.insert(QStringLiteral("password"), QStringLiteral("x"));
        object.insert(QStringLiteral("source"), source);
        auto endpoint = mirrorFromJson(object, QStringLiteral("m"));
        QVERIFY(!endpoint.ok());
        QCOMPARE(endpoint.error().field, QStringLiteral("m.source.password"));
    }
};

QTEST_GUILESS_MAIN(TestMirrorModel)
#include "TestMirrorModel.moc"
