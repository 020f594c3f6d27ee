// hostkeys pin|list|remove|import-known-hosts|detect through the real binary with real keys from
// ssh-keygen (DESIGN sections 3, 5 and 6): pins per host:port, fingerprints as OpenSSH prints them;
// detect against a real sshd (tests/fixtures/SshServer).
#include "cli/CliRunner.h"
#include "SshServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;

namespace {

struct Key {
    QString line;   // the .pub file's line: "TYPE BASE64 COMMENT"
    QString type;
    QString base64;
    QString sha256; // as `ssh-keygen -lf -E sha256` prints it
    QString md5;    // as `ssh-keygen -lf -E md5` prints it
};

QJsonArray hostsOf(const CliEnv &env)
{
    const CliResult r = env.run({u"hostkeys"_s, u"list"_s, u"--json"_s});
    if (r.exitCode != 0)
        return {};
    return r.json().value(u"hosts"_s).toArray();
}

QJsonArray keysOf(const CliEnv &env, const QString &host)
{
    for (const QJsonValue &value : hostsOf(env)) {
        if (value.toObject().value(u"host"_s).toString() == host)
            return value.toObject().value(u"keys"_s).toArray();
    }
    return {};
}

QStringList hostNames(const CliEnv &env)
{
    QStringList names;
    for (const QJsonValue &value : hostsOf(env))
        names.append(value.toObject().value(u"host"_s).toString());
    return names;
}

QStringList typesOf(const QJsonArray &keys)
{
    QStringList types;
    for (const QJsonValue &key : keys)
        types.append(key.toObject().value(u"type"_s).toString());
    return types;
}

} // namespace

class TestCliHostKeys : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_keyDir;
    QString m_sshKeygen;
    Key m_ed25519;
    Key m_ecdsa;
    Key m_ecdsa384;
    Key m_prefixComment; // an ed25519 key whose comment starts like a key type

    QString runKeygen(const QStringList &arguments, bool *ok)
    {
        QProcess process;
        process.start(m_sshKeygen, arguments);
        *ok = process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
        if (!*ok)
            qWarning() << "ssh-keygen" << arguments << "failed:" << process.readAllStandardError();
        return QString::fromUtf8(process.readAllStandardOutput());
    }

    // Generates a key pair with ssh-keygen and reads its public line and fingerprints.
    bool makeKey(const QString &file, const QStringList &typeArguments, const QString &comment, Key *key)
    {
        const QString path = m_keyDir.filePath(file);
        bool ok = false;
        runKeygen(typeArguments + QStringList{u"-N"_s, QString(), u"-C"_s, comment, u"-f"_s, path, u"-q"_s}, &ok);
        if (!ok)
            return false;
        key->line = QString::fromUtf8(CliEnv::readFile(path + u".pub"_s).value_or(QByteArray())).trimmed();
        const QStringList parts = key->line.split(u' ');
        if (parts.size() < 3)
            return false;
        key->type = parts.at(0);
        key->base64 = parts.at(1);
        const QString sha = runKeygen({u"-l"_s, u"-f"_s, path + u".pub"_s, u"-E"_s, u"sha256"_s}, &ok);
        if (!ok)
            return false;
        key->sha256 = sha.split(u' ').value(1);
        const QString md5 = runKeygen({u"-l"_s, u"-f"_s, path + u".pub"_s, u"-E"_s, u"md5"_s}, &ok);
        if (!ok)
            return false;
        key->md5 = md5.split(u' ').value(1);
        return key->sha256.startsWith(u"SHA256:"_s) && key->md5.startsWith(u"MD5:"_s);
    }

    // Asserts that a listed key is exactly `key`.
    static void compareKey(const QJsonObject &listed, const Key &key)
    {
        QCOMPARE(listed.value(u"type"_s).toString(), key.type);
        QCOMPARE(listed.value(u"sha256"_s).toString(), key.sha256);
        QCOMPARE(listed.value(u"md5"_s).toString(), key.md5);
        QCOMPARE(listed.value(u"line"_s).toString().section(u' ', 0, 1), key.type + u' ' + key.base64);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // openssh-client is a test dependency: missing is a failure, not a skip.
        m_sshKeygen = QStandardPaths::findExecutable(u"ssh-keygen"_s);
        QVERIFY2(!m_sshKeygen.isEmpty(), "ssh-keygen not found: install openssh-client");
        QVERIFY(m_keyDir.isValid());
        QVERIFY(makeKey(u"ed"_s, {u"-t"_s, u"ed25519"_s}, u"host@example"_s, &m_ed25519));
        QVERIFY(makeKey(u"ec"_s, {u"-t"_s, u"ecdsa"_s, u"-b"_s, u"256"_s}, u"host@example"_s, &m_ecdsa));
        QVERIFY(makeKey(u"ec384"_s, {u"-t"_s, u"ecdsa"_s, u"-b"_s, u"384"_s}, u"another comment"_s, &m_ecdsa384));
        QVERIFY(makeKey(u"pc"_s, {u"-t"_s, u"ed25519"_s}, u"ssh-host-key"_s, &m_prefixComment));
        QCOMPARE(m_ed25519.type, u"ssh-ed25519"_s);
        QCOMPARE(m_ecdsa.type, u"ecdsa-sha2-nistp256"_s);
        QCOMPARE(m_ecdsa384.type, u"ecdsa-sha2-nistp384"_s);
    }

    void pinOneQuotedLine()
    {
        CliEnv env;
        const CliResult r = env.run({u"hostkeys"_s, u"pin"_s, u"example.org:2222"_s, m_ed25519.line});
        CLI_EXPECT_EXIT(r, 0);
        QVERIFY2(r.out.isEmpty() && r.err.isEmpty(), qPrintable(r.describe()));
        const CliResult list = env.run({u"hostkeys"_s, u"list"_s, u"--json"_s});
        CLI_EXPECT_EXIT(list, 0);
        QJsonObject document;
        CLI_JSON(list, document);
        QCOMPARE(document.value(u"format_version"_s).toInt(), 1);
        const QJsonArray hosts = document.value(u"hosts"_s).toArray();
        QCOMPARE(hosts.size(), 1);
        QCOMPARE(hosts.at(0).toObject().value(u"host"_s).toString(), u"example.org:2222"_s);
        const QJsonArray keys = hosts.at(0).toObject().value(u"keys"_s).toArray();
        QCOMPARE(keys.size(), 1);
        compareKey(keys.at(0).toObject(), m_ed25519);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(keys.at(0).toObject().value(u"line"_s).toString(), m_ed25519.line);
        // Stored as the OpenSSH line under host:port.
        const QJsonObject stored = env.config().value(u"host_keys"_s).toObject();
        QCOMPARE(stored.keys(), QStringList{u"example.org:2222"_s});
        QCOMPARE(stored.value(u"example.org:2222"_s).toArray(), QJsonArray{m_ed25519.line});
    }

    void pinWordSplitLines()
    {
        CliEnv env;
        // As an unquoted $(cat a.pub) $(cat b.pub) arrives: one word per argument.
        const QStringList words = (m_ed25519.line + u' ' + m_ecdsa.line + u' ' + m_ecdsa384.line).split(u' ');
        const CliResult r = env.run(QStringList{u"hostkeys"_s, u"pin"_s, u"example.org"_s} + words);
        CLI_EXPECT_EXIT(r, 0);
        const QJsonArray keys = keysOf(env, u"example.org:22"_s);
        QCOMPARE(typesOf(keys), (QStringList{m_ed25519.type, m_ecdsa.type, m_ecdsa384.type}));
        compareKey(keys.at(0).toObject(), m_ed25519);
        compareKey(keys.at(1).toObject(), m_ecdsa);
        compareKey(keys.at(2).toObject(), m_ecdsa384);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(keys.at(2).toObject().value(u"line"_s).toString(), m_ecdsa384.line); // multi-word comment kept
    }

    void pinSeveralQuotedLines()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"git.example"_s, m_ecdsa.line, m_ed25519.line}), 0);
        QCOMPARE(typesOf(keysOf(env, u"git.example:22"_s)), (QStringList{m_ecdsa.type, m_ed25519.type}));
    }

    void pinFromStdinInKeyscanFormat()
    {
        CliEnv env;
        const QString base = m_ed25519.line.section(u' ', 0, 1);
        const QString ec = m_ecdsa.line.section(u' ', 0, 1);
        const QByteArray input = (u"# example.org:22 SSH-2.0-OpenSSH_9.2p1 Debian-2\n"_s
                                  u"example.org "_s + base + u"\n"_s
                                  u"# example.org:22 SSH-2.0-OpenSSH_9.2p1 Debian-2\n"_s
                                  u"example.org "_s + ec + u"\r\n\n"_s)
                                     .toUtf8();
        const CliResult r = env.run({u"-v"_s, u"hostkeys"_s, u"pin"_s, u"example.org"_s, u"-"_s}, input);
        CLI_EXPECT_EXIT(r, 0);
        // -v says what was pinned, with the fingerprints.
        CLI_EXPECT_STDERR(r, m_ed25519.sha256);
        CLI_EXPECT_STDERR(r, m_ecdsa.sha256);
        const QJsonArray keys = keysOf(env, u"example.org:22"_s);
        QCOMPARE(keys.size(), 2);
        compareKey(keys.at(0).toObject(), m_ed25519);
        compareKey(keys.at(1).toObject(), m_ecdsa);
    }

    // known_hosts lines: only the lines whose host field names HOST are pinned; other hosts' keys,
    // hashed host names and @cert-authority/@revoked lines are skipped with a note.
    void pinFromStdinKnownHostsFormat()
    {
        CliEnv env;
        const QByteArray input = (u"[example.org]:2222,192.0.2.1 "_s + m_ed25519.line + u"\n"_s
                                  u"[Example.ORG]:2222 "_s + m_ecdsa.line + u"\n"_s
                                  u"example.org "_s + m_ecdsa384.line + u"\n"_s
                                  u"|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= "_s + m_ecdsa384.line + u"\n"_s
                                  u"@cert-authority *.example.org "_s + m_ecdsa384.line + u"\n"_s)
                                     .toUtf8();
        const CliResult r = env.run({u"hostkeys"_s, u"pin"_s, u"[example.org]:2222"_s, u"-"_s}, input);
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"skipped"_s);
        QCOMPARE(hostNames(env), QStringList{u"example.org:2222"_s});
        QCOMPARE(typesOf(keysOf(env, u"example.org:2222"_s)), (QStringList{m_ed25519.type, m_ecdsa.type}));
        // Nothing for this host at all: refused, nothing written.
        const auto before = env.configBytes();
        const CliResult none = env.run({u"hostkeys"_s, u"pin"_s, u"other.example"_s, u"-"_s}, input);
        CLI_EXPECT_EXIT(none, 2);
        QCOMPARE(env.configBytes(), before);
    }

    void pinDeduplicates()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"h.example"_s, m_ed25519.line, m_ed25519.line}), 0);
        QCOMPARE(keysOf(env, u"h.example:22"_s).size(), 1);
    }

    void hostNormalisation_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("stored");
        QTest::newRow("name") << u"Example.org"_s << u"example.org:22"_s;
        QTest::newRow("name and port") << u"EXAMPLE.ORG:2222"_s << u"example.org:2222"_s;
        QTest::newRow("bracketed name") << u"[Example.org]:2200"_s << u"example.org:2200"_s;
        QTest::newRow("bracketed without port") << u"[example.org]"_s << u"example.org:22"_s;
        QTest::newRow("ipv6 with port") << u"[::1]:2222"_s << u"[::1]:2222"_s;
        QTest::newRow("ipv6 bracketed") << u"[::1]"_s << u"[::1]:22"_s;
        QTest::newRow("ipv6 bare") << u"::1"_s << u"[::1]:22"_s;
        QTest::newRow("ipv4") << u"192.0.2.7"_s << u"192.0.2.7:22"_s;
        QTest::newRow("spaces around") << u" example.org:22 "_s << u"example.org:22"_s;
    }
    void hostNormalisation()
    {
        QFETCH(QString, given);
        QFETCH(QString, stored);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, given, m_ed25519.line}), 0);
        QCOMPARE(hostNames(env), QStringList{stored});
        QCOMPARE(env.config().value(u"host_keys"_s).toObject().keys(), QStringList{stored});
        // Listing by the same spelling finds it.
        const CliResult one = env.run({u"hostkeys"_s, u"list"_s, given, u"--json"_s});
        CLI_EXPECT_EXIT(one, 0);
        QCOMPARE(one.json().value(u"hosts"_s).toArray().size(), 1);
        // Pinning under another spelling of the same host replaces, not adds.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, stored, m_ecdsa.line}), 0);
        QCOMPARE(hostNames(env), QStringList{stored});
        QCOMPARE(typesOf(keysOf(env, stored)), QStringList{m_ecdsa.type});
    }

    void refusesBadHosts_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("port 0") << u"example.org:0"_s;
        QTest::newRow("port too big") << u"example.org:70000"_s;
        QTest::newRow("port not a number") << u"example.org:ssh"_s;
        QTest::newRow("space") << u"bad host"_s;
        QTest::newRow("slash") << u"example.org/x"_s;
        QTest::newRow("url") << u"ssh://example.org"_s;
        QTest::newRow("empty") << QString();
        QTest::newRow("user") << u"git@example.org"_s;
    }
    void refusesBadHosts()
    {
        QFETCH(QString, host);
        CliEnv env;
        const CliResult r = env.run({u"hostkeys"_s, u"pin"_s, host, m_ed25519.line});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"\""_s + host.trimmed() + u"\""_s); // the message quotes what was given
        QVERIFY(!env.configBytes());
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"list"_s, host}), 2);
        // Control: the same key on a good host is accepted.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line}), 0);
        QCOMPARE(hostNames(env), QStringList{u"example.org:22"_s});
    }

    // Item 4 of issue 8: a password typed into the host is never echoed or stored.
    void pinRefusesAPasswordInTheHost_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("user:password") << u"u:Hunter2Secret@example.org"_s;
        QTest::newRow("with port") << u"git:Hunter2Secret@example.org:2222"_s;
        QTest::newRow("bracketed") << u"u:Hunter2Secret@[::1]:22"_s;
        QTest::newRow("url") << u"ssh://u:Hunter2Secret@example.org"_s;
    }
    void pinRefusesAPasswordInTheHost()
    {
        QFETCH(QString, host);
        CliEnv env;
        for (const QStringList &arguments : {QStringList{u"hostkeys"_s, u"pin"_s, host, m_ed25519.line},
                                              QStringList{u"hostkeys"_s, u"list"_s, host}}) {
            const CliResult r = env.run(arguments);
            CLI_EXPECT_EXIT(r, 2);
            QVERIFY2(!r.stderrText().contains(u"Hunter2Secret"_s), qPrintable(r.describe()));
            QVERIFY2(r.stderrText().contains(u"*****"_s), qPrintable(r.describe()));
        }
        QVERIFY(!env.configBytes());
        // Pinned through stdin, the same.
        const CliResult piped = env.run({u"hostkeys"_s, u"pin"_s, host, u"-"_s}, m_ed25519.line.toUtf8() + '\n');
        CLI_EXPECT_EXIT(piped, 2);
        QVERIFY2(!piped.stderrText().contains(u"Hunter2Secret"_s), qPrintable(piped.describe()));
        QCOMPARE(env.filesContaining("Hunter2Secret"), QStringList());
    }

    void refusesBadKeyLines_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QString>("named"); // what stderr must mention
        QTest::newRow("garbage base64") << QStringList{u"ssh-ed25519 !!!not*base64!!!"_s} << u"base64"_s;
        QTest::newRow("base64 of text") << QStringList{u"ssh-ed25519 aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBrZXk="_s} << u"ssh-ed25519"_s;
        QTest::newRow("too short") << QStringList{u"ssh-ed25519 AAAA"_s} << u"ssh-ed25519"_s;
        QTest::newRow("no blob") << QStringList{u"ssh-ed25519"_s} << u"ssh-ed25519"_s;
        QTest::newRow("unknown type") << QStringList{u"ssh-foo "_s + m_ed25519.base64} << u"ssh-foo"_s;
        QTest::newRow("not a key line") << QStringList{u"hello world"_s} << u"key line"_s;
        QTest::newRow("blob of another type") << QStringList{u"ssh-ed25519 "_s + m_ecdsa.base64} << u"ssh-ed25519"_s;
        QTest::newRow("ecdsa curve mismatch") << QStringList{u"ecdsa-sha2-nistp384 "_s + m_ecdsa.base64} << u"ecdsa-sha2-nistp384"_s;
        QTest::newRow("one bad among good") << QStringList{m_ed25519.line, u"ssh-ed25519 "_s + m_ecdsa.base64} << u"ssh-ed25519"_s;
        QTest::newRow("no line at all") << QStringList{QString()} << u"TYPE BASE64"_s;
    }
    void refusesBadKeyLines()
    {
        QFETCH(QStringList, lines);
        QFETCH(QString, named);
        CliEnv env;
        // Absent config stays absent.
        const CliResult first = env.run(QStringList{u"hostkeys"_s, u"pin"_s, u"example.org"_s} + lines);
        CLI_EXPECT_EXIT(first, 2);
        CLI_EXPECT_STDERR(first, named);
        QVERIFY(!env.configBytes());
        // Existing pins stay byte-for-byte, for this host and others.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ecdsa.line}), 0);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"other.org"_s, m_ed25519.line}), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run(QStringList{u"hostkeys"_s, u"pin"_s, u"example.org"_s} + lines);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, named);
        QCOMPARE(env.configBytes(), before);
        // The same through stdin.
        const CliResult viaStdin = env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, u"-"_s}, (lines.join(u'\n') + u'\n').toUtf8());
        CLI_EXPECT_EXIT(viaStdin, 2);
        QCOMPARE(env.configBytes(), before);
    }

    void pinNeedsAKey()
    {
        CliEnv env;
        for (const QStringList &arguments : {QStringList{u"hostkeys"_s, u"pin"_s, u"example.org"_s}, QStringList{u"hostkeys"_s, u"pin"_s}}) {
            const CliResult r = env.run(arguments);
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, u"HOST"_s);
        }
        const CliResult empty = env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, u"-"_s}, "# only a comment\n\n");
        CLI_EXPECT_EXIT(empty, 2);
        CLI_EXPECT_STDERR(empty, u"TYPE BASE64"_s);
        QVERIFY(!env.configBytes());
        // Control: the same input with a key line is accepted.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, u"-"_s}, "# only a comment\n" + m_ed25519.line.toUtf8()), 0);
        QCOMPARE(keysOf(env, u"example.org:22"_s).size(), 1);
    }

    void pinAgainReplacesTheHostsKeys()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line, m_ecdsa.line}), 0);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"other.org:2222"_s, m_ecdsa384.line}), 0);
        QCOMPARE(keysOf(env, u"example.org:22"_s).size(), 2);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ecdsa.line}), 0);
        const QJsonArray keys = keysOf(env, u"example.org:22"_s);
        QCOMPARE(keys.size(), 1);
        compareKey(keys.at(0).toObject(), m_ecdsa);
        // Other hosts, and other ports of the same host, are untouched.
        QCOMPARE(hostNames(env), (QStringList{u"example.org:22"_s, u"other.org:2222"_s}));
        QCOMPARE(typesOf(keysOf(env, u"other.org:2222"_s)), QStringList{m_ecdsa384.type});
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org:2200"_s, m_ed25519.line}), 0);
        QCOMPARE(typesOf(keysOf(env, u"example.org:22"_s)), QStringList{m_ecdsa.type});
    }

    void listUnknownHost()
    {
        CliEnv env;
        // No config at all.
        const CliResult none = env.run({u"hostkeys"_s, u"list"_s, u"nosuchhost"_s});
        CLI_EXPECT_EXIT(none, 1);
        CLI_EXPECT_STDERR(none, u"nosuchhost:22"_s);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line}), 0);
        const CliResult r = env.run({u"hostkeys"_s, u"list"_s, u"nosuchhost"_s});
        CLI_EXPECT_EXIT(r, 1);
        CLI_EXPECT_STDERR(r, u"nosuchhost:22"_s);
        QVERIFY(r.out.isEmpty());
        // Another port of a pinned host is another host.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"list"_s, u"example.org:2222"_s}), 1);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"list"_s, u"a.example"_s, u"b.example"_s}), 2);
    }

    void listHumanOutput()
    {
        CliEnv env;
        const CliResult empty = env.run({u"hostkeys"_s, u"list"_s});
        CLI_EXPECT_EXIT(empty, 0);
        QVERIFY(empty.out.isEmpty());
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org:2222"_s, m_ed25519.line}), 0);
        const CliResult r = env.run({u"hostkeys"_s, u"list"_s, u"example.org:2222"_s});
        CLI_EXPECT_EXIT(r, 0);
        const QStringList lines = r.stdoutText().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(1).split(u' ', Qt::SkipEmptyParts),
                 (QStringList{u"example.org:2222"_s, m_ed25519.type, m_ed25519.sha256, m_ed25519.md5}));
    }

    // A key whose comment starts like a key type ("ssh-host-key") is still one key line (today
    // the comment is taken for the start of another key and the pin is refused: see the report).
    void pinKeyWhoseCommentLooksLikeAType()
    {
        CliEnv env;
        QVERIFY(m_prefixComment.line.endsWith(u" ssh-host-key"_s));
        const CliResult quoted = env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_prefixComment.line});
        CLI_EXPECT_EXIT(quoted, 0);
        const QJsonArray keys = keysOf(env, u"example.org:22"_s);
        QCOMPARE(keys.size(), 1);
        compareKey(keys.at(0).toObject(), m_prefixComment);
        const CliResult viaStdin = env.run({u"hostkeys"_s, u"pin"_s, u"other.org"_s, u"-"_s}, (m_prefixComment.line + u'\n').toUtf8());
        CLI_EXPECT_EXIT(viaStdin, 0);
        QCOMPARE(keysOf(env, u"other.org:22"_s).size(), 1);
    }

    // --- hostkeys remove --------------------------------------------------------------------------

    void removeEveryKeyOfAHost()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line, m_ecdsa.line}), 0);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org:2222"_s, m_ecdsa384.line}), 0);
        const CliResult r = env.run({u"-v"_s, u"hostkeys"_s, u"remove"_s, u"Example.ORG"_s});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, m_ed25519.sha256); // -v names what was unpinned
        CLI_EXPECT_STDERR(r, m_ecdsa.sha256);
        QCOMPARE(hostNames(env), QStringList{u"example.org:2222"_s}); // another port is another host
        QCOMPARE(env.config().value(u"host_keys"_s).toObject().keys(), QStringList{u"example.org:2222"_s});
        // Quiet by default.
        const CliResult quiet = env.run({u"hostkeys"_s, u"remove"_s, u"[example.org]:2222"_s});
        CLI_EXPECT_EXIT(quiet, 0);
        QVERIFY2(quiet.out.isEmpty() && quiet.err.isEmpty(), qPrintable(quiet.describe()));
        QCOMPARE(hostNames(env), QStringList());
    }

    void removeOneKeyByFingerprint_data()
    {
        QTest::addColumn<QString>("form");
        QTest::newRow("SHA256") << u"sha256"_s;
        QTest::newRow("MD5:") << u"md5"_s;
        QTest::newRow("bare MD5 hex") << u"hex"_s;
        QTest::newRow("MD5 upper case") << u"upper"_s;
    }
    void removeOneKeyByFingerprint()
    {
        QFETCH(QString, form);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line, m_ecdsa.line}), 0);
        const QString print = form == u"sha256"_s ? m_ecdsa.sha256
            : form == u"md5"_s                    ? m_ecdsa.md5
            : form == u"hex"_s                    ? m_ecdsa.md5.mid(4)
                                                  : m_ecdsa.md5.toUpper();
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s, print}), 0);
        const QJsonArray keys = keysOf(env, u"example.org:22"_s);
        QCOMPARE(keys.size(), 1);
        compareKey(keys.at(0).toObject(), m_ed25519);
        // The last key: the host goes with it.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s, m_ed25519.sha256}), 0);
        QCOMPARE(hostNames(env), QStringList());
        QVERIFY(!env.config().value(u"host_keys"_s).toObject().contains(u"example.org:22"_s));
    }

    // Unknown host or fingerprint: exit 1, named, nothing changed; a malformed one: exit 2.
    void removeRefusesWhatIsNotPinned()
    {
        CliEnv env;
        const CliResult none = env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s});
        CLI_EXPECT_EXIT(none, 1);
        CLI_EXPECT_STDERR(none, u"example.org:22"_s);
        QVERIFY(!env.configBytes()); // no config made
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line}), 0);
        const auto before = env.configBytes();
        const CliResult host = env.run({u"hostkeys"_s, u"remove"_s, u"other.example"_s});
        CLI_EXPECT_EXIT(host, 1);
        CLI_EXPECT_STDERR(host, u"no keys are pinned for other.example:22"_s);
        const CliResult port = env.run({u"hostkeys"_s, u"remove"_s, u"example.org:2222"_s});
        CLI_EXPECT_EXIT(port, 1);
        const CliResult print = env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s, m_ecdsa.sha256});
        CLI_EXPECT_EXIT(print, 1);
        CLI_EXPECT_STDERR(print, m_ecdsa.sha256);
        CLI_EXPECT_STDERR(print, m_ed25519.sha256); // what is pinned, to compare
        for (const QString &bad : {u"SHA256:short"_s, u"ab:cd"_s, u"hello"_s, m_ecdsa.sha256.mid(7)}) {
            const CliResult r = env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s, bad});
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, u"fingerprint"_s);
        }
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"remove"_s, u"bad host"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"remove"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"remove"_s, u"example.org"_s, m_ed25519.sha256, u"extra"_s}), 2);
        const CliResult password = env.run({u"hostkeys"_s, u"remove"_s, u"u:Hunter2Secret@example.org"_s});
        CLI_EXPECT_EXIT(password, 2);
        QVERIFY(!password.stderrText().contains(u"Hunter2Secret"_s));
        QCOMPARE(env.configBytes(), before);
    }

    // Unpinning a host that mirrors use says which mirrors will be refused.
    void removeNamesTheMirrorsOnTheHost()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"a"_s, u"--source"_s, u"ssh://git@example.org:2222/g/a.git"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"b"_s, u"--source"_s, u"https://other.example/b.git"_s, u"--target"_s,
                                 u"ssh://git@example.org:2222/g/b.git"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"c"_s, u"--source"_s, u"git@example.org:g/c.git"_s}), 0); // port 22
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org:2222"_s, m_ed25519.line}), 0);
        const CliResult r = env.run({u"hostkeys"_s, u"remove"_s, u"example.org:2222"_s});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"a, b will be refused"_s);
    }

    // --- hostkeys import-known-hosts --------------------------------------------------------------

    void importPinsEveryPlainEntry()
    {
        CliEnv env;
        const QString text = u"# a comment\n\n"_s
                             u"example.org "_s + m_ed25519.line + u"\n"_s
                             u"[example.org]:2222,192.0.2.1 "_s + m_ecdsa.line.section(u' ', 0, 1) + u"\n"_s
                             u"  Example.ORG   "_s + m_ecdsa384.line + u"\r\n"_s
                             u"[::1]:2200 "_s + m_ed25519.line + u"\n"_s;
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), text.toUtf8()));
        const CliResult r = env.run({u"-v"_s, u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"pinned 5 new key(s) for 4 host(s)"_s);
        QCOMPARE(hostNames(env), (QStringList{u"192.0.2.1:22"_s, u"[::1]:2200"_s, u"example.org:22"_s, u"example.org:2222"_s}));
        QCOMPARE(typesOf(keysOf(env, u"example.org:22"_s)), (QStringList{m_ed25519.type, m_ecdsa384.type}));
        compareKey(keysOf(env, u"example.org:22"_s).at(0).toObject(), m_ed25519);
        compareKey(keysOf(env, u"example.org:2222"_s).at(0).toObject(), m_ecdsa);
        compareKey(keysOf(env, u"192.0.2.1:22"_s).at(0).toObject(), m_ecdsa);
        compareKey(keysOf(env, u"[::1]:2200"_s).at(0).toObject(), m_ed25519);
        // Again: nothing new, the config is not rewritten.
        const auto before = env.configBytes();
        const CliResult again = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(again, 0);
        CLI_EXPECT_STDERR(again, u"pinned 0 new key(s) for 4 host(s) (5 already pinned)"_s);
        QCOMPARE(env.configBytes(), before);
    }

    // Keys pinned already stay; the file's keys are added to them.
    void importAddsToWhatIsPinned()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ecdsa384.line}), 0);
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), (u"example.org "_s + m_ed25519.line + u"\n"_s).toUtf8()));
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)}), 0);
        QCOMPARE(typesOf(keysOf(env, u"example.org:22"_s)), (QStringList{m_ecdsa384.type, m_ed25519.type}));
    }

    // No FILE: $HOME/.ssh/known_hosts; "-": standard input.
    void importDefaultFileAndStdin()
    {
        CliEnv env;
        const CliResult missing = env.run({u"hostkeys"_s, u"import-known-hosts"_s});
        CLI_EXPECT_EXIT(missing, 1);
        CLI_EXPECT_STDERR(missing, env.home() + u"/.ssh/known_hosts"_s);
        QVERIFY(!env.configBytes());
        QVERIFY(CliEnv::writeFile(env.home() + u"/.ssh/known_hosts"_s, (u"example.org "_s + m_ed25519.line + u"\n"_s).toUtf8()));
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"import-known-hosts"_s}), 0);
        QCOMPARE(hostNames(env), QStringList{u"example.org:22"_s});
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"import-known-hosts"_s, u"-"_s}, (u"other.org "_s + m_ecdsa.line + u"\n"_s).toUtf8()), 0);
        QCOMPARE(hostNames(env), (QStringList{u"example.org:22"_s, u"other.org:22"_s}));
    }

    // Only hashed entries (HashKnownHosts yes, Debian's default): nothing can be pinned; the
    // count, the reason and the way out are said; exit 1, nothing written.
    void importHashedOnly()
    {
        CliEnv env;
        const QString text = u"|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= "_s + m_ed25519.line + u"\n"_s
                             u"|1|kWQEDTFxmWcYiZgzzuMEPHk0iyM=|0TOXDdO5ynD+TLwK1ncWSUY5hDs= "_s + m_ecdsa.line + u"\n"_s;
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), text.toUtf8()));
        const CliResult r = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(r, 1);
        CLI_EXPECT_STDERR(r, u"skipped 2 line(s) with a hashed host name"_s);
        CLI_EXPECT_STDERR(r, u"hostkeys detect"_s);
        CLI_EXPECT_STDERR(r, u"no plain host entry"_s);
        QVERIFY(!env.configBytes());
        // Mixed with a plain entry: the plain one is imported, exit 0, the hashed ones counted.
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), (text + u"example.org "_s + m_ecdsa384.line + u"\n"_s).toUtf8()));
        const CliResult mixed = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(mixed, 0);
        CLI_EXPECT_STDERR(mixed, u"skipped 2 line(s)"_s);
        QCOMPARE(hostNames(env), QStringList{u"example.org:22"_s});
    }

    // @cert-authority, @revoked and wildcard patterns are explained, never pinned; a revoked key
    // that is pinned is a problem (exit 1) with the command that unpins it.
    void importMarkersAndPatterns()
    {
        CliEnv env;
        const QString text = u"@cert-authority *.example.org "_s + m_ecdsa384.line + u"\n"_s
                             u"@revoked * "_s + m_ecdsa.line + u"\n"_s
                             u"*.example.org,!bad.example.org,good.example.org "_s + m_ed25519.line + u"\n"_s
                             u"host?.example.org "_s + m_ecdsa.line + u"\n"_s;
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), text.toUtf8()));
        const CliResult r = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"line 1: skipped an @cert-authority line"_s);
        CLI_EXPECT_STDERR(r, u"line 2: skipped an @revoked key (%1)"_s.arg(m_ecdsa.sha256));
        CLI_EXPECT_STDERR(r, u"line 3: skipped the pattern \"*.example.org\""_s);
        CLI_EXPECT_STDERR(r, u"line 3: skipped the pattern \"!bad.example.org\""_s);
        CLI_EXPECT_STDERR(r, u"line 4: skipped the pattern \"host?.example.org\""_s);
        QCOMPARE(hostNames(env), QStringList{u"good.example.org:22"_s});
        // A key the same file marks @revoked is not pinned for any host.
        QVERIFY(CliEnv::writeFile(env.path(u"kh2"_s), (u"@revoked * "_s + m_ecdsa384.line + u"\n"_s
                                                        u"fresh.example "_s + m_ecdsa384.line + u"\n"_s).toUtf8()));
        const CliResult same = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh2"_s)});
        CLI_EXPECT_STDERR(same, u"line 2: not pinned: the same file marks this key @revoked (line 1)"_s);
        QCOMPARE(hostNames(env), QStringList{u"good.example.org:22"_s});
        // The revoked key pinned elsewhere: named, with the way to unpin it.
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"pinned.example:2222"_s, m_ecdsa.line}), 0);
        const CliResult revoked = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(revoked, 1);
        CLI_EXPECT_STDERR(revoked, u"mirrordesk hostkeys remove pinned.example:2222 %1"_s.arg(m_ecdsa.sha256));
    }

    // Malformed lines are named by line number; the good ones are imported; exit 1.
    void importMalformedLines()
    {
        CliEnv env;
        const QString text = u"example.org "_s + m_ed25519.line + u"\n"_s  // 1 good
                             u"lonely.example\n"_s                            // 2 no key
                             u"x.example ssh-ed25519\n"_s                     // 3 no key data
                             u"y.example ssh-ed25519 !!!notbase64!!!\n"_s     // 4 bad base64
                             u"z.example ssh-foo "_s + m_ed25519.base64 + u"\n"_s // 5 unknown type
                             u"@bogus w.example "_s + m_ed25519.line + u"\n"_s  // 6 unknown marker
                             u"bad_host!.example "_s + m_ed25519.line + u"\n"_s // 7 bad host
                             u"[v.example]:99999 "_s + m_ed25519.line + u"\n"_s // 8 bad port
                             u"other.org "_s + m_ecdsa.line + u"\n"_s;          // 9 good
        QVERIFY(CliEnv::writeFile(env.path(u"kh"_s), text.toUtf8()));
        const CliResult r = env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"kh"_s)});
        CLI_EXPECT_EXIT(r, 1);
        for (int line = 2; line <= 8; ++line)
            CLI_EXPECT_STDERR(r, u"line %1: "_s.arg(line));
        QVERIFY2(!r.stderrText().contains(u"line 1: "_s) && !r.stderrText().contains(u"line 9: "_s), qPrintable(r.describe()));
        CLI_EXPECT_STDERR(r, u"pinned 2 new key(s) for 2 host(s)"_s);
        QCOMPARE(hostNames(env), (QStringList{u"example.org:22"_s, u"other.org:22"_s}));
    }

    // A FIFO (or a link to one), a folder, a device: refused at once, never waited on; nothing
    // written. A link to a regular file is followed.
    void importRefusesWhatIsNotAFile_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("fifo") << u"fifo"_s;
        QTest::newRow("link to a fifo") << u"link-fifo"_s;
        QTest::newRow("folder") << u"folder"_s;
        QTest::newRow("device") << u"device"_s;
        QTest::newRow("missing") << u"missing"_s;
        QTest::newRow("dangling link") << u"dangling"_s;
    }
    void importRefusesWhatIsNotAFile()
    {
        QFETCH(QString, kind);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"pin"_s, u"example.org"_s, m_ed25519.line}), 0);
        const auto before = env.configBytes();
        QString path = env.path(u"known_hosts"_s);
        if (kind == u"fifo"_s || kind == u"link-fifo"_s) {
            QVERIFY(::mkfifo(QFile::encodeName(env.path(u"fifo"_s)).constData(), 0600) == 0);
            path = env.path(u"fifo"_s);
            if (kind == u"link-fifo"_s) {
                QVERIFY(QFile::link(env.path(u"fifo"_s), env.path(u"link"_s)));
                path = env.path(u"link"_s);
            }
        } else if (kind == u"folder"_s) {
            QVERIFY(QDir().mkpath(path));
        } else if (kind == u"device"_s) {
            path = u"/dev/zero"_s;
        } else if (kind == u"dangling"_s) {
            QVERIFY(QFile::link(env.path(u"nothing"_s), env.path(u"link"_s)));
            path = env.path(u"link"_s);
        }
        QElapsedTimer timer;
        timer.start();
        const CliResult r = env.run({u"hostkeys"_s, u"import-known-hosts"_s, path}, {}, {}, 15000);
        CLI_EXPECT_EXIT(r, 1);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(r.describe()));
        QVERIFY2(r.stderrText().contains(u"known_hosts"_s), qPrintable(r.describe()));
        QCOMPARE(env.configBytes(), before);
    }

    void importFollowsALinkToAFile()
    {
        CliEnv env;
        QVERIFY(CliEnv::writeFile(env.path(u"real"_s), (u"example.org "_s + m_ed25519.line + u"\n"_s).toUtf8()));
        QVERIFY(QFile::link(env.path(u"real"_s), env.path(u"link"_s)));
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"link"_s)}), 0);
        QCOMPARE(hostNames(env), QStringList{u"example.org:22"_s});
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"import-known-hosts"_s, env.path(u"a"_s), env.path(u"b"_s)}), 2);
    }

    // --- hostkeys detect --------------------------------------------------------------------------

    // Against a real sshd: every key it offers, with the fingerprints ssh-keygen -l prints for its
    // .pub files; the note about RSA; the pin command printed pins exactly those keys; no login
    // was tried.
    void detectListsTheServersKeys()
    {
        md::fixtures::SshServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        CliEnv env;
        const CliResult json = env.run({u"hostkeys"_s, u"detect"_s, server.hostPort(), u"--json"_s});
        CLI_EXPECT_EXIT(json, 0);
        QJsonObject document;
        CLI_JSON(json, document);
        QCOMPARE(document.value(u"format_version"_s).toInt(), 1);
        QCOMPARE(document.value(u"host"_s).toString(), server.hostPort());
        const QJsonArray keys = document.value(u"keys"_s).toArray();
        QCOMPARE(keys.size(), server.hostKeyPubFiles().size());
        for (int i = 0; i < keys.size(); ++i) {
            const QString pub = server.hostKeyPubFiles().at(i);
            bool ok = false;
            const QString line = QString::fromUtf8(CliEnv::readFile(pub).value_or(QByteArray())).trimmed();
            const QString sha = runKeygen({u"-l"_s, u"-E"_s, u"sha256"_s, u"-f"_s, pub}, &ok).section(u' ', 1, 1);
            QVERIFY(ok);
            const QString md5 = runKeygen({u"-l"_s, u"-E"_s, u"md5"_s, u"-f"_s, pub}, &ok).section(u' ', 1, 1);
            QVERIFY(ok);
            const QJsonObject key = keys.at(i).toObject();
            QCOMPARE(key.value(u"type"_s).toString(), line.section(u' ', 0, 0));
            QCOMPARE(key.value(u"sha256"_s).toString(), sha);
            QCOMPARE(key.value(u"md5"_s).toString(), md5);
            QCOMPARE(key.value(u"line"_s).toString(), line.section(u' ', 0, 1));
        }
        const QJsonArray notes = document.value(u"notes"_s).toArray();
        QVERIFY2(std::any_of(notes.begin(), notes.end(), [](const QJsonValue &n) { return n.toString().contains(u"cannot negotiate"_s) && n.toString().contains(u"RSA"_s); }),
                 qPrintable(json.stdoutText()));
        QVERIFY(!env.configBytes()); // nothing pinned

        // The same from an ssh:// URL; the text output ends in the exact pin command.
        const CliResult text = env.run({u"hostkeys"_s, u"detect"_s, server.url(u"x.git"_s)});
        CLI_EXPECT_EXIT(text, 0);
        QVERIFY2(text.stdoutText().contains(u"RSA"_s), qPrintable(text.describe()));
        for (const QJsonValue &key : keys) {
            QVERIFY2(text.stdoutText().contains(key.toObject().value(u"sha256"_s).toString()), qPrintable(text.describe()));
            QVERIFY2(text.stdoutText().contains(key.toObject().value(u"md5"_s).toString()), qPrintable(text.describe()));
        }
        static const QRegularExpression pinLine(u"^\\s*mirrordesk hostkeys pin (\\S+) (.*)$"_s, QRegularExpression::MultilineOption);
        const QRegularExpressionMatch match = pinLine.match(text.stdoutText());
        QVERIFY2(match.hasMatch(), qPrintable(text.describe()));
        QCOMPARE(match.captured(1), server.hostPort());
        QStringList pinArguments{u"hostkeys"_s, u"pin"_s, match.captured(1)};
        static const QRegularExpression quoted(u"'([^']*)'"_s);
        for (auto it = quoted.globalMatch(match.captured(2)); it.hasNext();)
            pinArguments.append(it.next().captured(1));
        QCOMPARE(pinArguments.size(), 3 + keys.size());
        CLI_EXPECT_EXIT(env.run(pinArguments), 0);
        const QJsonArray pinned = keysOf(env, server.hostPort());
        QCOMPARE(pinned.size(), keys.size());
        for (int i = 0; i < keys.size(); ++i)
            QCOMPARE(pinned.at(i).toObject().value(u"sha256"_s), keys.at(i).toObject().value(u"sha256"_s));
        // Key exchanges only: sshd logged no authentication attempt.
        QVERIFY2(!server.log().contains(u"userauth"_s) && !server.log().contains(u"Accepted"_s), qPrintable(server.log()));
        QVERIFY(server.log().contains(u"Connection from 127.0.0.1"_s));
    }

    // What detect accepts: ssh:// URLs, SCP-style addresses (port 22), host[:port]; other URLs
    // and bad input are usage errors; an unreachable host is exit 1, at once.
    void detectInputs()
    {
        CliEnv env;
        const quint16 closed = md::fixtures::pickFreePort();
        QVERIFY(closed != 0);
        QElapsedTimer timer;
        timer.start();
        const CliResult refused = env.run({u"hostkeys"_s, u"detect"_s, u"127.0.0.1:%1"_s.arg(closed)});
        CLI_EXPECT_EXIT(refused, 1);
        CLI_EXPECT_STDERR(refused, u"cannot connect to 127.0.0.1:%1"_s.arg(closed));
        QVERIFY(timer.elapsed() < 10000);
        const CliResult json = env.run({u"hostkeys"_s, u"detect"_s, u"[127.0.0.1]:%1"_s.arg(closed), u"--json"_s});
        CLI_EXPECT_EXIT(json, 1);
        QVERIFY(json.out.isEmpty());
        // SCP-style: port 22 of that host (whatever listens there, the host:port is named).
        const CliResult scp = env.run({u"hostkeys"_s, u"detect"_s, u"git@127.0.0.1:group/x.git"_s, u"--json"_s});
        QVERIFY2(scp.finished && (scp.exitCode == 0 || scp.exitCode == 1), qPrintable(scp.describe()));
        QVERIFY2((scp.stdoutText() + scp.stderrText()).contains(u"127.0.0.1:22"_s), qPrintable(scp.describe()));
        for (const QString &bad : {u"https://example.org/x.git"_s, u"git://example.org/x.git"_s, u"/srv/git/x.git"_s,
                                   u"example.org:70000"_s, u"ext::sh -c x"_s, QString()}) {
            const CliResult r = env.run({u"hostkeys"_s, u"detect"_s, bad});
            CLI_EXPECT_EXIT(r, 2);
        }
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"detect"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, u"detect"_s, u"a.example"_s, u"b.example"_s}), 2);
        const CliResult password = env.run({u"hostkeys"_s, u"detect"_s, u"ssh://git:Hunter2Secret@127.0.0.1:%1/x.git"_s.arg(closed)});
        QVERIFY2(!password.stderrText().contains(u"Hunter2Secret"_s) && !password.stdoutText().contains(u"Hunter2Secret"_s),
                 qPrintable(password.describe()));
        QVERIFY(!env.configBytes());
    }

    void helpNamesEverySubcommand()
    {
        CliEnv env;
        const CliResult r = env.run({u"hostkeys"_s, u"--help"_s});
        CLI_EXPECT_EXIT(r, 0);
        for (const QString &sub : {u"detect"_s, u"list"_s, u"pin"_s, u"remove"_s, u"import-known-hosts"_s})
            QVERIFY2(r.stdoutText().contains(u"hostkeys "_s + sub), qPrintable(r.describe()));
        for (const QString &sub : {u"detect"_s, u"remove"_s, u"import-known-hosts"_s})
            CLI_EXPECT_EXIT(env.run({u"hostkeys"_s, sub, u"--help"_s}), 0);
        const CliResult top = env.run({u"--help"_s});
        QVERIFY2(top.stdoutText().contains(u"import-known-hosts"_s), qPrintable(top.describe()));
    }
};

QTEST_GUILESS_MAIN(TestCliHostKeys)
#include "TestCliHostKeys.moc"
