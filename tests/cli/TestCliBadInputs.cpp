// Bad inputs through the real binary (issue 8, items 4 and 5): passwords in locations that are
// not URLs, remote-helper transports and other schemes git would not fetch from, and inputs long
// enough that echoing them whole would bury the message.
#include "cli/CliRunner.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;

namespace {

QStringList add(const QString &name, const QStringList &more = {})
{
    return QStringList{u"add"_s, name, u"--source"_s, u"https://src.example/"_s + name + u".git"_s} + more;
}

} // namespace

class TestCliBadInputs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Item 4 of issue 8: a location that is not a URL but holds "user:password@" is refused as
    // --target exactly as --source (a target path need not exist, so it was stored before).
    void passwordInASchemelessLocationIsRefused_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("location");
        for (const char *option : {"--source", "--target"}) {
            for (const char *location : {"u:Hunter2Secret@host", "user:Hunter2Secret@host/path.git",
                                         "user:Hunter2Secret@host:path.git", "user:Hunter2Secret@host"})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QString::fromLatin1(option), QString::fromLatin1(location))))
                    << QString::fromLatin1(option) << QString::fromLatin1(location);
        }
    }
    void passwordInASchemelessLocationIsRefused()
    {
        QFETCH(QString, option);
        QFETCH(QString, location);
        CliEnv env;
        const QStringList source = option == u"--source"_s ? QStringList{u"--source"_s, location}
                                                            : QStringList{u"--source"_s, u"https://src.example/m.git"_s, u"--target"_s, location};
        const CliResult added = env.run(QStringList{u"add"_s, u"m"_s} + source);
        CLI_EXPECT_EXIT(added, 2);
        CLI_EXPECT_STDERR(added, u"cannot carry a password"_s);
        QVERIFY2(!added.stderrText().contains(u"Hunter2Secret"_s), qPrintable(added.describe()));
        QVERIFY(!env.configBytes());
        // edit refuses it the same way.
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://src.example/m.git"_s, u"--target"_s,
                                 u"https://dst.example/m.git"_s, u"-q"_s}), 0);
        const auto before = env.configBytes();
        const CliResult edited = env.run({u"edit"_s, u"m"_s, option, location});
        CLI_EXPECT_EXIT(edited, 2);
        QVERIFY2(!edited.stderrText().contains(u"Hunter2Secret"_s), qPrintable(edited.describe()));
        QCOMPARE(env.configBytes(), before);
        QCOMPARE(env.filesContaining("Hunter2Secret"), QStringList());
    }

    // Item 5 of issue 8: remote-helper transports and non-git schemes are refused at add, edit and
    // config load, with a message naming what is wrong.
    void transportsAreRefused_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("message");
        QTest::newRow("ext") << u"ext::sh -c touch% /tmp/mirrordesk-pwned"_s << u"remote-helper form \"ext::…\""_s;
        QTest::newRow("ext no space") << u"ext::sh%20-c%20touch%20x"_s << u"remote-helper form \"ext::…\""_s;
        QTest::newRow("fd") << u"fd::7"_s << u"remote-helper form \"fd::…\""_s;
        QTest::newRow("transport") << u"transport::address"_s << u"remote-helper form"_s;
        QTest::newRow("host::path") << u"host::path"_s << u"remote-helper form"_s;
        QTest::newRow("javascript") << u"javascript:alert(1)"_s << u"\"javascript:\", a URL scheme git cannot fetch from"_s;
        QTest::newRow("data") << u"data:text/plain,x"_s << u"a URL scheme git cannot fetch from"_s;
    }
    void transportsAreRefused()
    {
        QFETCH(QString, location);
        QFETCH(QString, message);
        CliEnv env;
        for (const QStringList &arguments : {QStringList{u"add"_s, u"m"_s, u"--source"_s, location},
                                              QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://src.example/m.git"_s,
                                                          u"--target"_s, location}}) {
            const CliResult r = env.run(arguments);
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, message);
            QVERIFY(!env.configBytes());
        }
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://src.example/m.git"_s, u"-q"_s}), 0);
        const auto before = env.configBytes();
        const CliResult edited = env.run({u"edit"_s, u"m"_s, u"--source"_s, location});
        CLI_EXPECT_EXIT(edited, 2);
        CLI_EXPECT_STDERR(edited, message);
        QCOMPARE(env.configBytes(), before);
        // A config file that holds one is refused on load (exit 2), naming the field.
        QJsonObject config = env.config();
        QJsonArray mirrors = config.value(u"mirrors"_s).toArray();
        QJsonObject mirror = mirrors.first().toObject();
        mirror.insert(u"source"_s, QJsonObject{{u"url"_s, location}});
        mirrors[0] = mirror;
        config.insert(u"mirrors"_s, mirrors);
        QVERIFY(env.writeConfig(config));
        const CliResult listed = env.run({u"list"_s});
        CLI_EXPECT_EXIT(listed, 2);
        CLI_EXPECT_STDERR(listed, u"mirrors[0].source.url"_s);
        CLI_EXPECT_STDERR(listed, message);
    }

    // Long inputs are quoted cut in errors, never echoed whole.
    void longInputsAreCutInErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("shown");
        const QString longText(100000, u'(');
        QTest::newRow("regex") << QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://h/r.git"_s, u"--mirror-branch-regex"_s, longText}
                               << u"…(100000 characters)"_s;
        QTest::newRow("shape") << QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://h/r.git"_s, u"--shape"_s, longText}
                               << u"…(100000 characters)\" is not one of pull, relay, push"_s;
        QTest::newRow("url") << QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://h/"_s + longText}
                             << u"is longer than 4096 characters"_s;
        QTest::newRow("pattern") << QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://h/r.git"_s, u"--protected-branch"_s,
                                                u"a:"_s + longText}
                                 << u"…(100002 characters)"_s;
        QTest::newRow("interval") << QStringList{u"add"_s, u"m"_s, u"--source"_s, u"https://h/r.git"_s, u"--interval"_s, longText}
                                  << u"…(100000 characters)\" is not a whole number"_s;
        QTest::newRow("unknown option") << QStringList{u"list"_s, u"--"_s + QString(100000, u'x')} << u"characters)"_s;
        QTest::newRow("unknown command") << QStringList{QString(100000, u'x')} << u"…(100000 characters)"_s;
        QTest::newRow("unknown mirror") << QStringList{u"edit"_s, QString(100000, u'x'), u"--interval"_s, u"5"_s}
                                        << u"…(100000 characters)"_s;
    }
    void longInputsAreCutInErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, shown);
        CliEnv env;
        if (arguments.first() == u"edit"_s)
            CLI_EXPECT_EXIT(env.run(add(u"m"_s, {u"-q"_s})), 0);
        const CliResult r = env.run(arguments);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, shown);
        QVERIFY2(r.err.size() < 2000, qPrintable(r.stderrText().left(3000)));
    }

    // A config file with a 5 MB regex: refused on load with the regex cut in the message.
    void hugeRegexInTheConfigIsCut()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run(add(u"m"_s, {u"-q"_s})), 0);
        const QJsonObject original = env.config();
        for (const bool unknownKey : {false, true}) {
            QJsonObject config = original;
            QJsonArray mirrors = config.value(u"mirrors"_s).toArray();
            QJsonObject mirror = mirrors.first().toObject();
            if (unknownKey)
                mirror.insert(QString(1000 * 1000, u'k'), 1); // an unknown key of a megabyte
            else
                mirror.insert(u"mirror_branch_regex"_s, QString(5 * 1000 * 1000, u'('));
            mirrors[0] = mirror;
            config.insert(u"mirrors"_s, mirrors);
            QVERIFY(env.writeConfig(config));
            const CliResult r = env.run({u"list"_s});
            CLI_EXPECT_EXIT(r, 2);
            QVERIFY2(r.err.size() < 2000, qPrintable(r.stderrText().left(3000)));
            CLI_EXPECT_STDERR(r, unknownKey ? u"…(1000000 characters): unknown field"_s : u"…(5000000 characters)"_s);
        }
    }
};

QTEST_GUILESS_MAIN(TestCliBadInputs)
#include "TestCliBadInputs.moc"
