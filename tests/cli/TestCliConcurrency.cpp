// Several mirrordesk processes editing one config at once lose no edit (DESIGN section 3: config
// written under a config lock, read again inside it); and the `status --json` document of
// DESIGN section 6.
#include "cli/CliRunner.h"

#include <QJsonArray>
#include <QLockFile>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;

namespace {

QStringList mirrorNames(const QJsonObject &config)
{
    QStringList names;
    for (const QJsonValue &value : config.value(u"mirrors"_s).toArray())
        names.append(value.toObject().value(u"name"_s).toString());
    return names;
}

QJsonObject mirrorNamed(const QJsonObject &document, const QString &name)
{
    for (const QJsonValue &value : document.value(u"mirrors"_s).toArray()) {
        if (value.toObject().value(u"name"_s).toString() == name)
            return value.toObject();
    }
    return {};
}

struct Started {
    QStringList arguments;
    std::unique_ptr<QProcess> process;
};

} // namespace

class TestCliConcurrency : public QObject {
    Q_OBJECT

private:
    // Starts every command at once, then waits for all of them; every one must exit 0.
    static void runTogether(const CliEnv &env, const QList<QStringList> &commands)
    {
        std::vector<Started> started;
        for (const QStringList &arguments : commands)
            started.push_back({arguments, env.start(arguments)});
        QList<CliResult> results;
        for (Started &s : started)
            results.append(CliEnv::finish(*s.process, s.arguments, 60000));
        for (const CliResult &r : results)
            CLI_EXPECT_EXIT(r, 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void simultaneousAddsLoseNothing_data()
    {
        QTest::addColumn<int>("processes");
        QTest::addColumn<bool>("configExists");
        QTest::newRow("2, new config") << 2 << false;
        QTest::newRow("6, new config") << 6 << false;
        QTest::newRow("6, existing config") << 6 << true;
        QTest::newRow("12, existing config") << 12 << true;
    }
    void simultaneousAddsLoseNothing()
    {
        QFETCH(int, processes);
        QFETCH(bool, configExists);
        CliEnv env;
        QStringList expected;
        if (configExists) {
            CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"seed"_s, u"--source"_s, u"https://h/seed.git"_s}), 0);
            expected.append(u"seed"_s);
        }
        QList<QStringList> commands;
        for (int i = 0; i < processes; ++i) {
            const QString name = u"m%1"_s.arg(i);
            commands.append({u"-q"_s, u"add"_s, name, u"--source"_s, u"https://h/%1.git"_s.arg(name)});
            expected.append(name);
        }
        runTogether(env, commands);
        if (QTest::currentTestFailed())
            return;
        QStringList names = mirrorNames(env.config());
        names.sort();
        expected.sort();
        QCOMPARE(names, expected);
        // The CLI reads the same, and no lock or temporary file is left beside the config.
        const CliResult list = env.run({u"list"_s, u"--json"_s});
        CLI_EXPECT_EXIT(list, 0);
        QCOMPARE(list.json().value(u"mirrors"_s).toArray().size(), expected.size());
        QCOMPARE(QDir(env.root()).entryList(QDir::Files | QDir::Hidden), QStringList{u"mirrors.json"_s});
    }

    // Different kinds of edit at once: adds, an edit of an existing mirror, credentials, host keys.
    void simultaneousMixedEditsLoseNothing()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"base"_s, u"--source"_s, u"https://h/base.git"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"gone"_s, u"--source"_s, u"https://h/gone.git"_s}), 0);
        const QString key = u"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"_s;
        runTogether(env, {
            {u"-q"_s, u"add"_s, u"a1"_s, u"--source"_s, u"https://h/a1.git"_s},
            {u"-q"_s, u"add"_s, u"a2"_s, u"--source"_s, u"https://h/a2.git"_s, u"--target"_s, u"https://t/a2.git"_s},
            {u"edit"_s, u"base"_s, u"--interval"_s, u"33"_s, u"--protected-branch"_s, u"main"_s},
            {u"remove"_s, u"gone"_s},
            {u"-q"_s, u"credential"_s, u"add"_s, u"c1"_s, u"--secret-env"_s, u"C1_VAR"_s},
            {u"-q"_s, u"credential"_s, u"add"_s, u"c2"_s, u"--kind"_s, u"ssh_agent"_s},
            {u"hostkeys"_s, u"pin"_s, u"example.org"_s, key},
        });
        if (QTest::currentTestFailed())
            return;
        const QJsonObject config = env.config();
        QStringList names = mirrorNames(config);
        names.sort();
        QCOMPARE(names, (QStringList{u"a1"_s, u"a2"_s, u"base"_s}));
        QJsonObject base;
        for (const QJsonValue &value : config.value(u"mirrors"_s).toArray()) {
            if (value.toObject().value(u"name"_s).toString() == u"base"_s)
                base = value.toObject();
        }
        QCOMPARE(base.value(u"interval_minutes"_s).toInt(), 33);
        QCOMPARE(base.value(u"protected_branches"_s).toArray(), QJsonArray{u"main"_s});
        QSet<QString> credentials;
        for (const QJsonValue &value : config.value(u"credentials"_s).toArray())
            credentials.insert(value.toObject().value(u"name"_s).toString());
        QCOMPARE(credentials, (QSet<QString>{u"c1"_s, u"c2"_s}));
        QCOMPARE(config.value(u"host_keys"_s).toObject().value(u"example.org:22"_s).toArray(), QJsonArray{key});
    }

    // Two processes adding the same name: exactly one wins, the other is refused (exit 2).
    void simultaneousDuplicateAddsOneWins()
    {
        CliEnv env;
        std::vector<Started> started;
        for (const QString &name : {u"dup"_s, u"DUP"_s, u"Dup"_s}) {
            const QStringList arguments = {u"-q"_s, u"add"_s, name, u"--source"_s, u"https://h/dup.git"_s};
            started.push_back({arguments, env.start(arguments)});
        }
        int ok = 0, refused = 0;
        for (Started &s : started) {
            const CliResult r = CliEnv::finish(*s.process, s.arguments, 60000);
            QVERIFY2(r.finished && (r.exitCode == 0 || r.exitCode == 2), qPrintable(r.describe()));
            (r.exitCode == 0 ? ok : refused)++;
        }
        QCOMPARE(ok, 1);
        QCOMPARE(refused, 2);
        QCOMPARE(mirrorNames(env.config()).size(), 1);
    }

    // An edit waits for the config lock held by another process, then applies on top of it.
    void editWaitsForTheConfigLock()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"first"_s, u"--source"_s, u"https://h/first.git"_s}), 0);
        QLockFile lock(env.configPath() + u".lock"_s);
        QVERIFY(lock.tryLock(0));
        const QStringList arguments = {u"-q"_s, u"add"_s, u"second"_s, u"--source"_s, u"https://h/second.git"_s};
        auto process = env.start(arguments);
        QVERIFY(process->waitForStarted(10000));
        QVERIFY2(!process->waitForFinished(1500), "the add did not wait for the config lock");
        // Meanwhile the lock holder changes the file (as another MirrorDesk process would).
        QJsonObject config = env.config();
        QJsonArray mirrors = config.value(u"mirrors"_s).toArray();
        QJsonObject third = mirrors.at(0).toObject();
        third.insert(u"name"_s, u"third"_s);
        third.insert(u"source"_s, QJsonObject{{u"url"_s, u"https://h/third.git"_s}});
        mirrors.append(third);
        config.insert(u"mirrors"_s, mirrors);
        QVERIFY(env.writeConfig(config));
        lock.unlock();
        const CliResult r = CliEnv::finish(*process, arguments, 30000);
        CLI_EXPECT_EXIT(r, 0);
        QCOMPARE(mirrorNames(env.config()), (QStringList{u"first"_s, u"third"_s, u"second"_s}));
    }

    void statusJsonDocument()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"team/p"_s, u"--source"_s, u"https://h/p.git"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"r"_s, u"--source"_s, u"https://h/r.git"_s, u"--target"_s, u"https://t/r.git"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"d"_s, u"--source"_s, u"https://h/d.git"_s, u"--no-enabled"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"add"_s, u"fresh"_s, u"--source"_s, u"https://h/fresh.git"_s}), 0);

        QVERIFY(env.writeStatus(u"team/p"_s,
                                  R"({"update_status":"finished","last_update_started_at":"2024-05-01T10:00:00Z",)"
                                  R"("last_update_at":"2024-05-01T10:00:05Z","last_successful_update_at":"2024-05-01T10:00:05Z",)"
                                  R"("warnings":["main was rewritten upstream; old tip kept in the attic"],)"
                                  R"("last_check":{"state":"in_sync","checked_at":"2024-05-01T11:00:00Z"}})"));
        QVERIFY(env.writeHistory(u"team/p"_s,
                                  R"([{"started_at":"2024-05-01T10:00:00Z","duration_ms":5000,"outcome":"ok",)"
                                  R"("error_category":"","error":"","warnings":[],"refs":[)"
                                  R"({"ref":"refs/heads/main","action":"force","old":"1111111111111111111111111111111111111111",)"
                                  R"("new":"2222222222222222222222222222222222222222","result":"ok","message":""},)"
                                  R"({"ref":"refs/pull/1/head","action":"rejected","old":"","new":"",)"
                                  R"("result":"rejected","message":"host-internal ref"}]}])"));
        QVERIFY(env.writeStatus(u"r"_s,
                                  R"({"update_status":"failed","last_update_at":"2024-05-02T08:00:00Z",)"
                                  R"("last_error":"cannot reach https://alice:hunter2@h/r.git: connection refused",)"
                                  R"("error_category":"network","consecutive_failures":3})"));
        QVERIFY(env.writeStatus(u"d"_s, R"({"update_status":"failed","last_error":"old failure"})"));

        const CliResult r = env.run({u"status"_s, u"--json"_s, u"--refs"_s}); // the last run's refs: only when asked
        CLI_EXPECT_EXIT(r, 1); // r failed
        QVERIFY2(!r.out.contains("hunter2") && !r.err.contains("hunter2"), qPrintable(r.describe()));
        QJsonObject document;
        CLI_JSON(r, document);
        QCOMPARE(document.value(u"format_version"_s).toInt(), 1);
        const QJsonArray mirrors = document.value(u"mirrors"_s).toArray();
        QCOMPARE(mirrors.size(), 4);
        QStringList order;
        const QStringList required = {u"name"_s, u"shape"_s, u"outcome"_s, u"reason"_s, u"update_status"_s, u"state"_s,
                                      u"error_category"_s, u"last_error"_s, u"warnings"_s, u"refs"_s,
                                      u"last_update_started_at"_s, u"last_update_at"_s, u"last_successful_update_at"_s,
                                      u"consecutive_failures"_s};
        for (const QJsonValue &value : mirrors) {
            const QJsonObject m = value.toObject();
            order.append(m.value(u"name"_s).toString());
            for (const QString &field : required)
                QVERIFY2(m.contains(field), qPrintable(u"mirror %1 lacks %2"_s.arg(m.value(u"name"_s).toString(), field)));
            QVERIFY(m.value(u"warnings"_s).isArray());
            QVERIFY(m.value(u"refs"_s).isArray());
        }
        QCOMPARE(order, (QStringList{u"team/p"_s, u"r"_s, u"d"_s, u"fresh"_s}));

        const QJsonObject p = mirrorNamed(document, u"team/p"_s);
        QCOMPARE(p.value(u"shape"_s).toString(), u"pull"_s);
        QCOMPARE(p.value(u"outcome"_s).toString(), u"ok"_s);
        QCOMPARE(p.value(u"update_status"_s).toString(), u"finished"_s);
        QCOMPARE(p.value(u"state"_s).toString(), u"in_sync"_s);
        QCOMPARE(p.value(u"last_successful_update_at"_s).toString(), u"2024-05-01T10:00:05Z"_s);
        QCOMPARE(p.value(u"warnings"_s).toArray(), QJsonArray{u"main was rewritten upstream; old tip kept in the attic"_s});
        const QJsonArray refs = p.value(u"refs"_s).toArray();
        QCOMPARE(refs.size(), 2);
        const QJsonObject main = refs.at(0).toObject();
        QCOMPARE(main.value(u"ref"_s).toString(), u"refs/heads/main"_s);
        QCOMPARE(main.value(u"action"_s).toString(), u"force"_s);
        QCOMPARE(main.value(u"old"_s).toString(), QString(40, u'1'));
        QCOMPARE(main.value(u"new"_s).toString(), QString(40, u'2'));
        QCOMPARE(main.value(u"result"_s).toString(), u"ok"_s);
        QVERIFY(main.contains(u"message"_s));
        QCOMPARE(refs.at(1).toObject().value(u"result"_s).toString(), u"rejected"_s);
        QCOMPARE(refs.at(1).toObject().value(u"message"_s).toString(), u"host-internal ref"_s);

        const QJsonObject relay = mirrorNamed(document, u"r"_s);
        QCOMPARE(relay.value(u"shape"_s).toString(), u"relay"_s);
        QCOMPARE(relay.value(u"outcome"_s).toString(), u"failed"_s);
        QCOMPARE(relay.value(u"update_status"_s).toString(), u"failed"_s);
        QCOMPARE(relay.value(u"error_category"_s).toString(), u"network"_s);
        QCOMPARE(relay.value(u"consecutive_failures"_s).toInt(), 3);
        const QString error = relay.value(u"last_error"_s).toString();
        QVERIFY2(error.contains(u"connection refused"_s) && error.contains(u"h/r.git"_s) && !error.contains(u"alice"_s), qPrintable(error));

        const QJsonObject disabled = mirrorNamed(document, u"d"_s);
        QCOMPARE(disabled.value(u"outcome"_s).toString(), u"skipped"_s);
        QCOMPARE(disabled.value(u"update_status"_s).toString(), u"disabled"_s);
        QCOMPARE(disabled.value(u"reason"_s).toString(), u"disabled"_s);

        const QJsonObject fresh = mirrorNamed(document, u"fresh"_s);
        QCOMPARE(fresh.value(u"outcome"_s).toString(), u"ok"_s);
        QCOMPARE(fresh.value(u"update_status"_s).toString(), u"none"_s);
        QCOMPARE(fresh.value(u"refs"_s).toArray().size(), 0);

        const QJsonObject summary = document.value(u"summary"_s).toObject();
        QCOMPARE(summary.value(u"mirrors"_s).toInt(), 4);
        QCOMPARE(summary.value(u"ok"_s).toInt(), 2);
        QCOMPARE(summary.value(u"failed"_s).toInt(), 1);
        QCOMPARE(summary.value(u"skipped"_s).toInt(), 1);

        // Selected mirrors only.
        const CliResult some = env.run({u"status"_s, u"TEAM/P"_s, u"d"_s, u"--json"_s});
        CLI_EXPECT_EXIT(some, 0);
        QJsonObject selected;
        CLI_JSON(some, selected);
        QCOMPARE(selected.value(u"mirrors"_s).toArray().size(), 2);
        QCOMPARE(selected.value(u"summary"_s).toObject().value(u"mirrors"_s).toInt(), 2);
        QCOMPARE(selected.value(u"summary"_s).toObject().value(u"failed"_s).toInt(), 0);

        // The human table scrubs too.
        const CliResult table = env.run({u"status"_s});
        CLI_EXPECT_EXIT(table, 1);
        QVERIFY2(!table.out.contains("hunter2") && table.out.contains("connection refused"), qPrintable(table.describe()));

        // -q with --json still prints the document (data asked for).
        const CliResult quiet = env.run({u"-q"_s, u"status"_s, u"--json"_s, u"--refs"_s});
        CLI_EXPECT_EXIT(quiet, 1);
        QCOMPARE(quiet.json(), document);
    }

    void statusJsonWithoutMirrors()
    {
        CliEnv env;
        const CliResult r = env.run({u"status"_s, u"--json"_s});
        CLI_EXPECT_EXIT(r, 0);
        QJsonObject document;
        CLI_JSON(r, document);
        QCOMPARE(document.value(u"format_version"_s).toInt(), 1);
        QCOMPARE(document.value(u"mirrors"_s).toArray().size(), 0);
        QCOMPARE(document.value(u"summary"_s).toObject().value(u"mirrors"_s).toInt(), 0);
        QVERIFY(!env.configBytes());
    }
};

QTEST_GUILESS_MAIN(TestCliConcurrency)
#include "TestCliConcurrency.moc"
