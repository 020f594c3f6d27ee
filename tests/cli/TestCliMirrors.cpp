// add / list / edit / rename / remove through the real binary (DESIGN sections 3 and 6).
#include "cli/CliRunner.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLockFile>
#include <QTest>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;

namespace {

QStringList add(const QString &name, const QStringList &more = {})
{
    return QStringList{u"add"_s, name, u"--source"_s, u"https://src.example/"_s + name + u".git"_s} + more;
}

// `list --json` as an array (empty when the output is not the expected document).
QJsonArray listMirrors(const CliEnv &env)
{
    const CliResult r = env.run({u"list"_s, u"--json"_s});
    if (r.exitCode != 0)
        return {};
    return r.json().value(u"mirrors"_s).toArray();
}

QJsonObject byName(const QJsonArray &mirrors, const QString &name)
{
    for (const QJsonValue &value : mirrors) {
        if (value.toObject().value(u"name"_s).toString() == name)
            return value.toObject();
    }
    return {};
}

QStringList namesOf(const QJsonArray &mirrors)
{
    QStringList names;
    for (const QJsonValue &value : mirrors)
        names.append(value.toObject().value(u"name"_s).toString());
    return names;
}

QStringList toStrings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

class TestCliMirrors : public QObject {
    Q_OBJECT

private:
    // A mirror "Foo" with a default-placed cache (bare-looking, with a marker) and state files.
    static void setUpFoo(const CliEnv &env)
    {
        CLI_EXPECT_EXIT(env.run(add(u"Foo"_s)), 0);
        QVERIFY(CliEnv::makeBareLookingRepo(env.defaultCacheRoot() + u"/Foo.git"_s, "foo-cache", u"Foo"_s));
        QVERIFY(env.writeStatus(u"Foo"_s, R"({"update_status":"failed","last_error":"boom","error_category":"network"})"));
        QVERIFY(env.writeHistory(u"Foo"_s, R"([{"started_at":"2024-05-01T10:00:00Z","duration_ms":10,"outcome":"failed",)"
                                           R"("error_category":"network","error":"boom","warnings":[],"refs":[]}])"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void addInfersPull()
    {
        CliEnv env;
        const CliResult r = env.run({u"add"_s, u"a"_s, u"--source"_s, u"https://src.example/a.git"_s});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"pull"_s);
        CLI_EXPECT_STDERR(r, u"--shape"_s);
        QVERIFY(r.out.isEmpty());
        const QJsonObject stored = env.config().value(u"mirrors"_s).toArray().at(0).toObject();
        QCOMPARE(stored.value(u"name"_s).toString(), u"a"_s);
        QCOMPARE(stored.value(u"shape"_s).toString(), u"pull"_s);
        QCOMPARE(stored.value(u"source"_s).toObject().value(u"url"_s).toString(), u"https://src.example/a.git"_s);
        QVERIFY(!stored.contains(u"target"_s));
    }

    void addInfersPush()
    {
        CliEnv env;
        QVERIFY(QDir().mkpath(env.path(u"work/.git"_s)));
        // A relative local path is stored absolute (the working directory is the temp folder).
        const CliResult r = env.run({u"add"_s, u"p"_s, u"--source"_s, u"work"_s, u"--target"_s, u"https://dst.example/p.git"_s});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"push"_s);
        const QJsonObject m = byName(listMirrors(env), u"p"_s);
        QCOMPARE(m.value(u"shape"_s).toString(), u"push"_s);
        QCOMPARE(m.value(u"source"_s).toObject().value(u"url"_s).toString(), QDir::cleanPath(env.path(u"work"_s)));
        QCOMPARE(m.value(u"target"_s).toObject().value(u"url"_s).toString(), u"https://dst.example/p.git"_s);
        QCOMPARE(m.value(u"prune"_s).toString(), u"merged"_s);
    }

    void addInfersRelay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::newRow("https") << u"https://dst.example/r.git"_s;
        QTest::newRow("scp") << u"git@dst.example:group/r.git"_s;
        QTest::newRow("ssh") << u"ssh://git@dst.example:2222/group/r.git"_s;
    }
    void addInfersRelay()
    {
        QFETCH(QString, target);
        CliEnv env;
        const CliResult r = env.run({u"add"_s, u"r"_s, u"--source"_s, u"https://src.example/r.git"_s, u"--target"_s, target});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"relay"_s);
        const QJsonObject m = byName(listMirrors(env), u"r"_s);
        QCOMPARE(m.value(u"shape"_s).toString(), u"relay"_s);
        QCOMPARE(m.value(u"target"_s).toObject().value(u"url"_s).toString(), target);
        QCOMPARE(m.value(u"prune"_s).toString(), u"merged"_s);
    }

    void quietSilencesTheShapeNote()
    {
        CliEnv env;
        for (const QStringList &arguments : {QStringList{u"-q"_s} + add(u"a"_s), add(u"b"_s, {u"-q"_s}),
                                             QStringList{u"--quiet"_s} + add(u"c"_s, {u"--target"_s, u"https://dst.example/c.git"_s})}) {
            const CliResult r = env.run(arguments);
            CLI_EXPECT_EXIT(r, 0);
            QVERIFY2(r.err.isEmpty() && r.out.isEmpty(), qPrintable(r.describe()));
        }
        QCOMPARE(namesOf(listMirrors(env)), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
    }

    void explicitShape()
    {
        CliEnv env;
        QVERIFY(QDir().mkpath(env.path(u"work"_s)));
        const CliResult relay = env.run(add(u"r"_s, {u"--target"_s, u"https://dst.example/r.git"_s, u"--shape"_s, u"relay"_s}));
        CLI_EXPECT_EXIT(relay, 0);
        QVERIFY2(!relay.stderrText().contains(u"give --shape"_s), qPrintable(relay.describe()));
        const CliResult push = env.run({u"add"_s, u"p"_s, u"--source"_s, env.path(u"work"_s), u"--target"_s,
                                        u"https://dst.example/p.git"_s, u"--shape"_s, u"push"_s});
        CLI_EXPECT_EXIT(push, 0);
        const CliResult pull = env.run(add(u"q"_s, {u"--shape"_s, u"pull"_s}));
        CLI_EXPECT_EXIT(pull, 0);
        const QJsonArray mirrors = listMirrors(env);
        QCOMPARE(byName(mirrors, u"r"_s).value(u"shape"_s).toString(), u"relay"_s);
        QCOMPARE(byName(mirrors, u"p"_s).value(u"shape"_s).toString(), u"push"_s);
        QCOMPARE(byName(mirrors, u"q"_s).value(u"shape"_s).toString(), u"pull"_s);
    }

    void duplicateNamesIgnoreCase()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"Foo"_s)), 0);
        const auto before = env.configBytes();
        for (const QString &clash : {u"foo"_s, u"FOO"_s, u"Foo"_s}) {
            const CliResult r = env.run({u"add"_s, clash, u"--source"_s, u"https://other.example/x.git"_s});
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, u"\"Foo\""_s);
            QCOMPARE(env.configBytes(), before);
        }
        // Grouped names too.
        CLI_EXPECT_EXIT(env.run(add(u"Group/Sub"_s)), 0);
        CLI_EXPECT_EXIT(env.run(add(u"group/sub"_s)), 2);
        QCOMPARE(namesOf(listMirrors(env)), (QStringList{u"Foo"_s, u"Group/Sub"_s}));
    }

    void listJsonFields()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"p1"_s)), 0);
        CLI_EXPECT_EXIT(env.run(add(u"team/r1"_s, {u"--target"_s, u"https://dst.example/r1.git"_s, u"--interval"_s, u"7"_s,
                                                   u"--mirror-tags"_s, u"reachable"_s, u"--min-update-interval-seconds"_s, u"0"_s})),
                        0);
        const CliResult r = env.run({u"list"_s, u"--json"_s});
        CLI_EXPECT_EXIT(r, 0);
        QJsonObject document;
        CLI_JSON(r, document);
        QCOMPARE(document.value(u"format_version"_s).toInt(), 1);
        const QJsonArray mirrors = document.value(u"mirrors"_s).toArray();
        QCOMPARE(namesOf(mirrors), (QStringList{u"p1"_s, u"team/r1"_s}));

        const QJsonObject p1 = mirrors.at(0).toObject();
        QCOMPARE(p1.value(u"shape"_s).toString(), u"pull"_s);
        QCOMPARE(p1.value(u"source"_s).toObject().value(u"url"_s).toString(), u"https://src.example/p1.git"_s);
        QCOMPARE(p1.value(u"source"_s).toObject().value(u"credential"_s).toString(), QString());
        QVERIFY(p1.value(u"target"_s).isNull());
        QCOMPARE(p1.value(u"cache_path"_s).toString(), env.defaultCacheRoot() + u"/p1.git"_s);
        QCOMPARE(p1.value(u"enabled"_s), QJsonValue(true));
        QCOMPARE(p1.value(u"interval_minutes"_s).toInt(), 5);
        QCOMPARE(p1.value(u"min_update_interval_seconds"_s).toInt(), 60);
        QCOMPARE(p1.value(u"keep_divergent_refs"_s), QJsonValue(false));
        QCOMPARE(p1.value(u"only_protected_branches"_s), QJsonValue(false));
        QCOMPARE(p1.value(u"protected_branches"_s).toArray().size(), 0);
        QCOMPARE(p1.value(u"mirror_branch_regex"_s).toString(), QString());
        QCOMPARE(p1.value(u"mirror_overwrites_diverged_branches"_s), QJsonValue(true));
        QCOMPARE(p1.value(u"prune"_s).toString(), u"all"_s);
        QCOMPARE(p1.value(u"mirror_tags"_s).toString(), u"all"_s);

        const QJsonObject r1 = mirrors.at(1).toObject();
        QCOMPARE(r1.value(u"shape"_s).toString(), u"relay"_s);
        QCOMPARE(r1.value(u"target"_s).toObject().value(u"url"_s).toString(), u"https://dst.example/r1.git"_s);
        QCOMPARE(r1.value(u"cache_path"_s).toString(), env.defaultCacheRoot() + u"/team/r1.git"_s);
        QCOMPARE(r1.value(u"interval_minutes"_s).toInt(), 7);
        QCOMPARE(r1.value(u"min_update_interval_seconds"_s).toInt(), 0);
        QCOMPARE(r1.value(u"prune"_s).toString(), u"merged"_s);
        QCOMPARE(r1.value(u"mirror_tags"_s).toString(), u"reachable"_s);

        // Unset fields follow the settings: a new default interval and cache root show up in list.
        QJsonObject config = env.config();
        QJsonObject settings = config.value(u"settings"_s).toObject();
        settings.insert(u"default_interval_minutes"_s, 17);
        settings.insert(u"cache_root"_s, env.path(u"caches"_s));
        config.insert(u"settings"_s, settings);
        QVERIFY(env.writeConfig(config));
        const QJsonArray after = listMirrors(env);
        QCOMPARE(byName(after, u"p1"_s).value(u"interval_minutes"_s).toInt(), 17);
        QCOMPARE(byName(after, u"team/r1"_s).value(u"interval_minutes"_s).toInt(), 7);
        QCOMPARE(byName(after, u"p1"_s).value(u"cache_path"_s).toString(), env.path(u"caches/p1.git"_s));

        // Explicit prune is kept per shape.
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"p1"_s, u"--prune"_s, u"none"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"p1"_s).value(u"prune"_s).toString(), u"none"_s);
    }

    void listHumanOutput()
    {
        CliEnv env;
        const CliResult empty = env.run({u"list"_s});
        CLI_EXPECT_EXIT(empty, 0);
        QVERIFY2(empty.out.isEmpty() && empty.err.isEmpty(), qPrintable(empty.describe()));
        QVERIFY2(!env.configBytes(), "list must not create the config");

        CLI_EXPECT_EXIT(env.run(add(u"alpha"_s, {u"--no-enabled"_s})), 0);
        const CliResult r = env.run({u"list"_s});
        CLI_EXPECT_EXIT(r, 0);
        const QStringList lines = r.stdoutText().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0).split(u' ', Qt::SkipEmptyParts),
                 (QStringList{u"NAME"_s, u"SHAPE"_s, u"SOURCE"_s, u"TARGET"_s, u"ENABLED"_s, u"INTERVAL"_s}));
        QCOMPARE(lines.at(1).split(u' ', Qt::SkipEmptyParts),
                 (QStringList{u"alpha"_s, u"pull"_s, u"https://src.example/alpha.git"_s, u"-"_s, u"no"_s, u"5"_s}));
    }

    void booleanNoForms()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"a"_s, {u"--no-enabled"_s, u"--no-mirror-overwrites-diverged-branches"_s})), 0);
        QJsonObject a = byName(listMirrors(env), u"a"_s);
        QCOMPARE(a.value(u"enabled"_s), QJsonValue(false));
        QCOMPARE(a.value(u"mirror_overwrites_diverged_branches"_s), QJsonValue(false));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"a"_s, u"--enabled"_s, u"--mirror-overwrites-diverged-branches"_s}), 0);
        a = byName(listMirrors(env), u"a"_s);
        QCOMPARE(a.value(u"enabled"_s), QJsonValue(true));
        QCOMPARE(a.value(u"mirror_overwrites_diverged_branches"_s), QJsonValue(true));

        CLI_EXPECT_EXIT(env.run(add(u"r"_s, {u"--target"_s, u"https://dst.example/r.git"_s, u"--keep-divergent-refs"_s})), 0);
        QCOMPARE(byName(listMirrors(env), u"r"_s).value(u"keep_divergent_refs"_s), QJsonValue(true));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"r"_s, u"--no-keep-divergent-refs"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"r"_s).value(u"keep_divergent_refs"_s), QJsonValue(false));

        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"r"_s, u"--only-protected-branches"_s, u"--protected-branch"_s, u"main"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"r"_s).value(u"only_protected_branches"_s), QJsonValue(true));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"r"_s, u"--no-only-protected-branches"_s}), 0);
        const QJsonObject r = byName(listMirrors(env), u"r"_s);
        QCOMPARE(r.value(u"only_protected_branches"_s), QJsonValue(false));
        QCOMPARE(toStrings(r.value(u"protected_branches"_s)), QStringList{u"main"_s});
    }

    void editProtectedBranchesReplacesTheList()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"m"_s, {u"--protected-branch"_s, u"old"_s, u"--protected-branch"_s, u"older"_s})), 0);
        QCOMPARE(toStrings(byName(listMirrors(env), u"m"_s).value(u"protected_branches"_s)), (QStringList{u"old"_s, u"older"_s}));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"m"_s, u"--protected-branch"_s, u"a"_s, u"--protected-branch"_s, u"release/*"_s}), 0);
        QCOMPARE(toStrings(byName(listMirrors(env), u"m"_s).value(u"protected_branches"_s)), (QStringList{u"a"_s, u"release/*"_s}));
        // Stored as given.
        QCOMPARE(toStrings(env.config().value(u"mirrors"_s).toArray().at(0).toObject().value(u"protected_branches"_s)),
                 (QStringList{u"a"_s, u"release/*"_s}));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"m"_s, u"--only-protected-branches"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"m"_s, u"--protected-branch"_s, u"b"_s}), 0);
        QCOMPARE(toStrings(byName(listMirrors(env), u"m"_s).value(u"protected_branches"_s)), QStringList{u"b"_s});
        // Clearing the patterns while only_protected_branches is on is refused, config unchanged.
        const auto before = env.configBytes();
        const CliResult clear = env.run({u"edit"_s, u"m"_s, u"--no-protected-branches"_s});
        CLI_EXPECT_EXIT(clear, 2);
        CLI_EXPECT_STDERR(clear, u"protected_branches"_s);
        QCOMPARE(env.configBytes(), before);
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"m"_s, u"--no-only-protected-branches"_s, u"--no-protected-branches"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"m"_s).value(u"protected_branches"_s).toArray().size(), 0);
    }

    void editChangesOnlyTheGivenFields()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"m"_s, {u"--target"_s, u"https://dst.example/m.git"_s, u"--mirror-branch-regex"_s,
                                             u"^release-"_s, u"--prune"_s, u"none"_s, u"--mirror-tags"_s, u"none"_s})),
                        0);
        QJsonObject before = byName(listMirrors(env), u"m"_s);
        QVERIFY(!before.isEmpty());
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"M"_s, u"--interval"_s, u"42"_s}), 0); // names ignore case
        QJsonObject after = byName(listMirrors(env), u"m"_s);
        QCOMPARE(after.value(u"interval_minutes"_s).toInt(), 42);
        after.remove(u"interval_minutes"_s);
        before.remove(u"interval_minutes"_s);
        QCOMPARE(after, before);
        // An edit that changes nothing leaves the file as it is.
        const auto bytes = env.configBytes();
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"m"_s, u"--interval"_s, u"42"_s}), 0);
        QCOMPARE(env.configBytes(), bytes);
    }

    void editUnknownFieldOption()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"m"_s)), 0);
        const auto before = env.configBytes();
        for (const QString &option : {u"--name"_s, u"--colour"_s, u"--cache-root"_s}) {
            const CliResult r = env.run({u"edit"_s, u"m"_s, option, u"x"_s});
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, option.mid(2));
            QCOMPARE(env.configBytes(), before);
        }
    }

    void editMovesACacheWhosePathChanges()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        const QString oldCache = env.defaultCacheRoot() + u"/Foo.git"_s;
        const QString newCache = env.path(u"elsewhere/foo.git"_s);
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"Foo"_s, u"--cache"_s, u"elsewhere/foo.git"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"Foo"_s).value(u"cache_path"_s).toString(), newCache);
        QVERIFY(!QFileInfo::exists(oldCache));
        QCOMPARE(CliEnv::readFile(newCache + u"/marker"_s).value_or("<missing>"), QByteArray("foo-cache"));
    }

    void renameMovesConfigStateAndCache()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(env.run(add(u"other"_s)), 0);
        const QByteArray state = CliEnv::readFile(env.stateFile(u"Foo"_s)).value_or(QByteArray());
        QVERIFY(!state.isEmpty());
        const QJsonObject fooBefore = byName(listMirrors(env), u"Foo"_s);

        const CliResult r = env.run({u"rename"_s, u"Foo"_s, u"grp/Bar"_s});
        CLI_EXPECT_EXIT(r, 0);

        const QJsonArray mirrors = listMirrors(env);
        QCOMPARE(namesOf(mirrors), (QStringList{u"grp/Bar"_s, u"other"_s}));
        QJsonObject bar = byName(mirrors, u"grp/Bar"_s);
        QCOMPARE(bar.value(u"source"_s), fooBefore.value(u"source"_s));
        const QString newCache = env.defaultCacheRoot() + u"/grp/Bar.git"_s;
        QCOMPARE(bar.value(u"cache_path"_s).toString(), newCache);

        // The state follows the name ("/" encoded as %2F) with its content.
        QVERIFY(!QFileInfo::exists(env.stateFile(u"Foo"_s)));
        QCOMPARE(env.stateFile(u"grp/Bar"_s), env.stateDir() + u"/grp%2FBar.json"_s);
        QCOMPARE(CliEnv::readFile(env.stateFile(u"grp/Bar"_s)).value_or("<missing>"), state);
        // ... and status reads them under the new name.
        const CliResult st = env.run({u"status"_s, u"grp/Bar"_s, u"--json"_s});
        CLI_EXPECT_EXIT(st, 1);
        QJsonObject document;
        CLI_JSON(st, document);
        QCOMPARE(document.value(u"mirrors"_s).toArray().at(0).toObject().value(u"last_error"_s).toString(), u"boom"_s);

        // The default cache moved with the name.
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git"_s));
        QCOMPARE(CliEnv::readFile(newCache + u"/marker"_s).value_or("<missing>"), QByteArray("foo-cache"));
        QVERIFY(QFileInfo(newCache + u"/objects"_s).isDir());

        // The old name is gone.
        CLI_EXPECT_EXIT(env.run({u"status"_s, u"Foo"_s}), 2);
    }

    void renameUnderSettingsCacheRoot()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"a"_s)), 0);
        QJsonObject config = env.config();
        QJsonObject settings = config.value(u"settings"_s).toObject();
        settings.insert(u"cache_root"_s, env.path(u"caches"_s));
        config.insert(u"settings"_s, settings);
        QVERIFY(env.writeConfig(config));
        QVERIFY(CliEnv::makeBareLookingRepo(env.path(u"caches/a.git"_s), "a-cache"));
        CLI_EXPECT_EXIT(env.run({u"rename"_s, u"a"_s, u"b"_s}), 0);
        QVERIFY(!QFileInfo::exists(env.path(u"caches/a.git"_s)));
        QCOMPARE(CliEnv::readFile(env.path(u"caches/b.git/marker"_s)).value_or("<missing>"), QByteArray("a-cache"));
        QCOMPARE(byName(listMirrors(env), u"b"_s).value(u"cache_path"_s).toString(), env.path(u"caches/b.git"_s));
        // The settings survived the edit.
        QCOMPARE(env.config().value(u"settings"_s).toObject().value(u"cache_root"_s).toString(), env.path(u"caches"_s));
    }

    void renameKeepsACustomCache()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"a"_s, {u"--cache"_s, u"custom.git"_s})), 0);
        const QString custom = env.path(u"custom.git"_s);
        QCOMPARE(byName(listMirrors(env), u"a"_s).value(u"cache_path"_s).toString(), custom);
        QVERIFY(CliEnv::makeBareLookingRepo(custom, "custom"));
        CLI_EXPECT_EXIT(env.run({u"rename"_s, u"a"_s, u"b"_s}), 0);
        QCOMPARE(byName(listMirrors(env), u"b"_s).value(u"cache_path"_s).toString(), custom);
        QCOMPARE(CliEnv::readFile(custom + u"/marker"_s).value_or("<missing>"), QByteArray("custom"));
    }

    void renameCaseOnly()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(env.run({u"rename"_s, u"Foo"_s, u"foo"_s}), 0);
        QCOMPARE(namesOf(listMirrors(env)), QStringList{u"foo"_s});
        QVERIFY(QFileInfo::exists(env.stateFile(u"foo"_s)));
        QCOMPARE(CliEnv::readFile(env.defaultCacheRoot() + u"/foo.git/marker"_s).value_or("<missing>"), QByteArray("foo-cache"));
    }

    void renameToAnExistingNameMovesNothing_data()
    {
        QTest::addColumn<QString>("newName");
        QTest::newRow("same case") << u"bar"_s;
        QTest::newRow("other case") << u"BAR"_s;
        QTest::newRow("mixed case") << u"Bar"_s;
    }
    void renameToAnExistingNameMovesNothing()
    {
        QFETCH(QString, newName);
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(env.run(add(u"bar"_s)), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run({u"rename"_s, u"Foo"_s, newName});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"\"bar\""_s);
        QCOMPARE(env.configBytes(), before);
        QVERIFY(QFileInfo::exists(env.stateFile(u"Foo"_s)));
        QVERIFY(QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git/marker"_s));
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/bar.git"_s));
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/"_s + newName + u".git"_s));
    }

    void renameOntoALeftoverCacheMovesNothing()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        // A cache kept by an earlier `remove` sits where the new name's cache would go.
        QVERIFY(CliEnv::makeBareLookingRepo(env.defaultCacheRoot() + u"/Bar.git"_s, "leftover"));
        const auto before = env.configBytes();
        const QByteArray state = CliEnv::readFile(env.stateFile(u"Foo"_s)).value_or(QByteArray());
        const CliResult r = env.run({u"rename"_s, u"Foo"_s, u"Bar"_s});
        QVERIFY2(r.finished && r.exitCode != 0, qPrintable(r.describe()));
        CLI_EXPECT_STDERR(r, env.defaultCacheRoot() + u"/Bar.git"_s);
        QCOMPARE(env.configBytes(), before);
        QCOMPARE(CliEnv::readFile(env.stateFile(u"Foo"_s)).value_or("<missing>"), state);
        QVERIFY(!QFileInfo::exists(env.stateFile(u"Bar"_s)));
        QCOMPARE(CliEnv::readFile(env.defaultCacheRoot() + u"/Foo.git/marker"_s).value_or("<missing>"), QByteArray("foo-cache"));
        QCOMPARE(CliEnv::readFile(env.defaultCacheRoot() + u"/Bar.git/marker"_s).value_or("<missing>"), QByteArray("leftover"));
    }

    void renameToAnInvalidName_data()
    {
        QTest::addColumn<QString>("newName");
        QTest::newRow("dots") << u"a..b"_s;
        QTest::newRow("hidden") << u".x"_s;
        QTest::newRow("space") << u"a b"_s;
        QTest::newRow("double slash") << u"a//b"_s;
        QTest::newRow("empty") << QString();
    }
    void renameToAnInvalidName()
    {
        QFETCH(QString, newName);
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        const auto before = env.configBytes();
        const CliResult r = env.run({u"rename"_s, u"Foo"_s, newName});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"NEW"_s);
        QCOMPARE(env.configBytes(), before);
        QVERIFY(QFileInfo::exists(env.stateFile(u"Foo"_s)));
        QVERIFY(QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git/marker"_s));
    }

    // Renaming a mirror to its own name must not lose its state (StateStore::rename once removed
    // the target file first, which was the source itself).
    void renameToItselfKeepsState()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        const QByteArray state = CliEnv::readFile(env.stateFile(u"Foo"_s)).value_or(QByteArray());
        QVERIFY(!state.isEmpty());
        const CliResult r = env.run({u"rename"_s, u"Foo"_s, u"Foo"_s});
        QCOMPARE(CliEnv::readFile(env.stateFile(u"Foo"_s)).value_or("<missing>"), state);
        QVERIFY2(r.finished && (r.exitCode == 0 || r.exitCode == 2), qPrintable(r.describe()));
        QCOMPARE(namesOf(listMirrors(env)), QStringList{u"Foo"_s});
        QVERIFY(QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git/marker"_s));
    }

    void renameAndRemoveRefusedWhileTheCacheIsLocked()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        const auto before = env.configBytes();
        // Another process (this test) holds the cache lock, as a running sync would.
        QLockFile lock(env.defaultCacheRoot() + u"/Foo.git.lock"_s);
        QVERIFY(lock.tryLock(0));
        const QString pid = QString::number(QCoreApplication::applicationPid());

        const CliResult rename = env.run({u"rename"_s, u"Foo"_s, u"Bar"_s});
        CLI_EXPECT_EXIT(rename, 1);
        CLI_EXPECT_STDERR(rename, pid);
        QCOMPARE(env.configBytes(), before);
        QVERIFY(QFileInfo::exists(env.stateFile(u"Foo"_s)));
        QVERIFY(QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git/marker"_s));
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/Bar.git"_s));

        for (const QStringList &remove : {QStringList{u"remove"_s, u"Foo"_s}, QStringList{u"remove"_s, u"Foo"_s, u"--delete-cache"_s}}) {
            const CliResult r = env.run(remove);
            CLI_EXPECT_EXIT(r, 1);
            CLI_EXPECT_STDERR(r, pid);
            QCOMPARE(env.configBytes(), before);
            QVERIFY(QFileInfo::exists(env.stateFile(u"Foo"_s)));
            QVERIFY(QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git/marker"_s));
        }

        // Released: both work again.
        lock.unlock();
        CLI_EXPECT_EXIT(env.run({u"rename"_s, u"Foo"_s, u"Bar"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"Bar"_s, u"--delete-cache"_s}), 0);
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/Bar.git"_s));
    }

    void removeKeepsTheCacheByDefault()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(env.run(add(u"other"_s)), 0);
        const CliResult r = env.run({u"remove"_s, u"foo"_s}); // names ignore case
        CLI_EXPECT_EXIT(r, 0);
        QCOMPARE(namesOf(listMirrors(env)), QStringList{u"other"_s});
        QVERIFY(!QFileInfo::exists(env.stateFile(u"Foo"_s)));
        QCOMPARE(CliEnv::readFile(env.defaultCacheRoot() + u"/Foo.git/marker"_s).value_or("<missing>"), QByteArray("foo-cache"));
        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"Foo"_s}), 2);
    }

    void removeDeletesTheCacheWhenAsked()
    {
        CliEnv env;
        setUpFoo(env);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"Foo"_s, u"--delete-cache"_s}), 0);
        QCOMPARE(listMirrors(env).size(), 0);
        QVERIFY(!QFileInfo::exists(env.defaultCacheRoot() + u"/Foo.git"_s));
        QVERIFY(!QFileInfo::exists(env.stateFile(u"Foo"_s)));
        // A mirror whose cache never existed is removed just the same.
        CLI_EXPECT_EXIT(env.run(add(u"never"_s)), 0);
        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"never"_s, u"--delete-cache"_s}), 0);
        QCOMPARE(listMirrors(env).size(), 0);
    }

    void removeRefusesToDeleteWhatIsNotARepository()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"m"_s, {u"--cache"_s, u"precious"_s})), 0);
        QVERIFY(CliEnv::writeFile(env.path(u"precious/thesis.txt"_s), "years of work"));
        QVERIFY(env.writeStatus(u"m"_s, R"({"update_status":"finished"})"));
        const auto before = env.configBytes();
        const CliResult r = env.run({u"remove"_s, u"m"_s, u"--delete-cache"_s});
        QVERIFY2(r.finished && r.exitCode != 0, qPrintable(r.describe()));
        CLI_EXPECT_STDERR(r, env.path(u"precious"_s));
        QCOMPARE(CliEnv::readFile(env.path(u"precious/thesis.txt"_s)).value_or("<missing>"), QByteArray("years of work"));
        QCOMPARE(env.configBytes(), before);
        QVERIFY(QFileInfo::exists(env.stateFile(u"m"_s)));
    }

    // A cache must not live inside another mirror's cache: `remove --delete-cache` or a rename of
    // the outer mirror would take the inner one's cache with it (see the report: Config::validate
    // only compares cache paths for equality).
    void refusesNestedCaches()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"a"_s)), 0);
        const auto before = env.configBytes();
        const CliResult named = env.run(add(u"a.git/x"_s));
        CLI_EXPECT_EXIT(named, 2);
        CLI_EXPECT_STDERR(named, u"cache"_s);
        QCOMPARE(env.configBytes(), before);
        const CliResult explicitPath = env.run(add(u"b"_s, {u"--cache"_s, env.defaultCacheRoot() + u"/a.git/inner.git"_s}));
        CLI_EXPECT_EXIT(explicitPath, 2);
        QCOMPARE(env.configBytes(), before);
        const CliResult outer = env.run(add(u"c"_s, {u"--cache"_s, env.defaultCacheRoot()}));
        CLI_EXPECT_EXIT(outer, 2);
        QCOMPARE(env.configBytes(), before);
    }

    // "Nothing is ever written into the user's own repository" (DESIGN 3): a push mirror's cache
    // cannot be its source repository (see the report).
    void pushCacheIsNotTheSourceRepository_data()
    {
        QTest::addColumn<QString>("cache");
        QTest::newRow("the work tree") << u"work"_s;
        QTest::newRow("its .git") << u"work/.git"_s;
    }
    void pushCacheIsNotTheSourceRepository()
    {
        QFETCH(QString, cache);
        CliEnv env;
        QVERIFY(CliEnv::makeBareLookingRepo(env.path(u"work/.git"_s), "user repo"));
        const CliResult r = env.run({u"add"_s, u"p"_s, u"--source"_s, u"work"_s, u"--target"_s, u"https://dst.example/p.git"_s,
                                     u"--cache"_s, cache});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"cache"_s);
        QVERIFY(!env.configBytes());
    }
};

QTEST_GUILESS_MAIN(TestCliMirrors)
#include "TestCliMirrors.moc"
