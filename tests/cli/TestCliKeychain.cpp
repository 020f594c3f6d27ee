// Credentials whose secret lives in the OS keychain (issue 11, DESIGN section 5), through the real
// binary against a real Secret Service: gnome-keyring in a private D-Bus session
// (tests/fixtures/KeychainSession). --secret-stdin stores, rename moves, edit replaces or drops,
// remove deletes; syncs read the secret asynchronously before the batch; "no entry", "locked"
// and "unavailable" are told apart; the secret is never written anywhere but the keychain.
#include "cli/CliRunner.h"

#include "GitRepoBuilder.h"
#include "HttpGitServer.h"
#include "KeychainSession.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;
using md::fixtures::GitRepoBuilder;
using md::fixtures::HttpGitServer;
using md::fixtures::KeychainSession;

namespace {

const QByteArray kPassword = "kc-Canary-pw-7Hq2xZ";

QJsonObject credentialNamed(const CliEnv &env, const QString &name)
{
    const CliResult r = env.run({u"credential"_s, u"list"_s, u"--json"_s});
    for (const QJsonValue &value : r.json().value(u"credentials"_s).toArray()) {
        if (value.toObject().value(u"name"_s).toString() == name)
            return value.toObject();
    }
    return {};
}

// Runs a program (ssh-keygen) and returns its stdout; empty when it fails.
QString runProgram(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return {};
    return QString::fromUtf8(process.readAllStandardOutput());
}

} // namespace

class TestCliKeychain : public QObject {
    Q_OBJECT

    QTemporaryDir m_srv;
    QString m_main;

    QString cacheOf(const CliEnv &env, const QString &name) const { return env.defaultCacheRoot() + u'/' + name + u".git"_s; }

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_srv.filePath(u"src.git"_s)));
        const QString work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, m_srv.filePath(u"src.git"_s), {u"main"_s}));
    }

    // The whole path: stored from a pipe, named (not held) by the config, read before the batch,
    // sent to the server, found nowhere else.
    void storedSecretSyncsAndLeaksNowhere()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        HttpGitServer http;
        QVERIFY2(http.start(m_srv.path(), {false, u"alice"_s, QString::fromLatin1(kPassword), false}), qPrintable(http.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        const QString log = env.path(u"run.log"_s);
        const CliResult added = env.run({u"--log-file"_s, log, u"-v"_s, u"credential"_s, u"add"_s, u"web"_s, u"--kind"_s, u"password"_s,
                                         u"--username"_s, u"alice"_s, u"--secret-stdin"_s},
                                        kPassword + "\n", kc);
        CLI_EXPECT_EXIT(added, 0);
        QCOMPARE(keychain.lookup(u"web"_s).value_or("(none)"), kPassword);
        QCOMPARE(credentialNamed(env, u"web"_s).value(u"secret_source"_s).toString(), u"keychain"_s);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, http.url(u"src.git"_s), u"--source-credential"_s, u"web"_s, u"-q"_s}, {}, kc), 0);

        QList<CliResult> runs;
        for (const QStringList &arguments : QList<QStringList>{{u"check"_s}, {u"update"_s}, {u"-v"_s, u"update"_s, u"--json"_s},
                                                               {u"status"_s, u"--json"_s}, {u"plan"_s}, {u"check"_s, u"--json"_s},
                                                               {u"credential"_s, u"list"_s}, {u"list"_s, u"--json"_s}}) {
            runs.append(env.run(QStringList{u"--log-file"_s, log} + arguments, {}, kc));
        }
        CLI_EXPECT_EXIT(runs.at(0), 3); // behind before the first update
        CLI_EXPECT_EXIT(runs.at(1), 0);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"m"_s), u"refs/heads/main"_s), m_main);
        for (qsizetype i = 2; i < runs.size(); ++i)
            CLI_EXPECT_EXIT(runs.at(i), 0);
        for (const CliResult &r : runs)
            QVERIFY2(!r.out.contains(kPassword) && !r.err.contains(kPassword), qPrintable(r.describe()));
        QVERIFY2(!added.out.contains(kPassword) && !added.err.contains(kPassword), qPrintable(added.describe()));
        // Config, state, log and the cache (its git config included): no trace of the secret.
        QCOMPARE(env.filesContaining(kPassword), QStringList{});
        QVERIFY(QFileInfo::exists(log));
    }

    void renameEditAndRemoveMoveTheSecret()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"tok"_s, u"--secret-stdin"_s}, "first-token\n", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://git.example/g/m.git"_s, u"--source-credential"_s, u"tok"_s,
                                 u"-q"_s}, {}, kc), 0);

        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"rename"_s, u"tok"_s, u"tok2"_s}, {}, kc), 0);
        QCOMPARE(keychain.lookup(u"tok"_s), std::nullopt);
        QCOMPARE(keychain.lookup(u"tok2"_s).value_or("(none)"), QByteArray("first-token"));
        QCOMPARE(credentialNamed(env, u"tok2"_s).value(u"used_by"_s).toArray(), QJsonArray{u"m"_s});

        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"tok2"_s, u"--secret-stdin"_s}, "second-token", kc), 0);
        QCOMPARE(keychain.lookup(u"tok2"_s).value_or("(none)"), QByteArray("second-token"));

        // Used by a mirror: refused, naming it; nothing changes.
        const CliResult refused = env.run({u"credential"_s, u"remove"_s, u"tok2"_s}, {}, kc);
        CLI_EXPECT_EXIT(refused, 2);
        CLI_EXPECT_STDERR(refused, u"used by m"_s);
        QCOMPARE(keychain.lookup(u"tok2"_s).value_or("(none)"), QByteArray("second-token"));
        // Forced: the mirror loses the credential, the secret goes.
        const CliResult forced = env.run({u"credential"_s, u"remove"_s, u"tok2"_s, u"--force"_s}, {}, kc);
        CLI_EXPECT_EXIT(forced, 0);
        CLI_EXPECT_STDERR(forced, u"m"_s);
        QCOMPARE(keychain.lookup(u"tok2"_s), std::nullopt);
        QVERIFY(credentialNamed(env, u"tok2"_s).isEmpty());

        // Leaving the keychain for a variable deletes the keychain entry.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"t3"_s, u"--secret-stdin"_s}, "third", kc), 0);
        QVERIFY(keychain.lookup(u"t3"_s));
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"t3"_s, u"--secret-env"_s, u"SOME_VAR"_s}, {}, kc), 0);
        QCOMPARE(keychain.lookup(u"t3"_s), std::nullopt);
        QCOMPARE(credentialNamed(env, u"t3"_s).value(u"secret_source"_s).toString(), u"env:SOME_VAR"_s);
        QCOMPARE(env.filesContaining("first-token") + env.filesContaining("second-token") + env.filesContaining("third"), QStringList{});
    }

    // On a terminal the secret is asked for without echo: run the binary on a pseudo-terminal
    // (python3's pty), answer the prompt, and the terminal shows the prompt but never the secret.
    void secretTypedOnATerminalIsNotEchoed()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const QString script = QFINDTESTDATA("cli/pty_answer.py");
        QVERIFY(!script.isEmpty());
        QProcess python;
        QProcessEnvironment pe = env.environment(keychain.environment());
        python.setProcessEnvironment(pe);
        python.start(u"python3"_s, QStringList{script, u"Secret for credential"_s, u"Typed-Canary-42"_s, clitest::binary()}
                                        + env.fullArguments({u"credential"_s, u"add"_s, u"typed"_s, u"--secret-stdin"_s}));
        QVERIFY2(python.waitForFinished(60000), qPrintable(python.errorString() + u' ' + QString::fromUtf8(python.readAllStandardError())));
        const QByteArray screen = python.readAllStandardOutput();
        QVERIFY2(python.exitCode() == 0, screen.constData());
        QVERIFY2(screen.contains("Secret for credential typed"), screen.constData());
        QVERIFY2(!screen.contains("Typed-Canary-42"), screen.constData());
        QCOMPARE(keychain.lookup(u"typed"_s).value_or("(none)"), QByteArray("Typed-Canary-42"));
    }

    // A private key pasted on a terminal is read to its END line, all of it: nothing is left for
    // the shell to run or to keep in its history.
    void keyPastedOnATerminalIsReadWhole()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        QTemporaryDir keys;
        runProgram(u"ssh-keygen"_s, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, keys.filePath(u"k"_s)});
        const QByteArray key = CliEnv::readFile(keys.filePath(u"k"_s)).value_or(QByteArray());
        QVERIFY(key.contains("END OPENSSH PRIVATE KEY"));
        // The pasted text ends with the key's own newline; a line after it must stay unread.
        const QString script = QFINDTESTDATA("cli/pty_answer.py");
        QProcess python;
        python.setProcessEnvironment(env.environment(keychain.environment()));
        python.start(u"python3"_s, QStringList{script, u"Private key for credential"_s, QString::fromLatin1(key.trimmed()), clitest::binary()}
                                        + env.fullArguments({u"credential"_s, u"add"_s, u"pasted"_s, u"--kind"_s, u"ssh_key"_s,
                                                             u"--secret-stdin"_s}));
        QVERIFY2(python.waitForFinished(60000), qPrintable(python.errorString()));
        const QByteArray screen = python.readAllStandardOutput();
        QVERIFY2(python.exitCode() == 0, screen.constData());
        QVERIFY2(!screen.contains(key.split('\n').value(2)), screen.constData());
        QCOMPARE(keychain.lookup(u"pasted"_s).value_or("(none)"), key);
    }

    void badInputChangesNothing()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        const CliResult empty = env.run({u"credential"_s, u"add"_s, u"e"_s, u"--secret-stdin"_s}, "\n", kc);
        CLI_EXPECT_EXIT(empty, 2);
        CLI_EXPECT_STDERR(empty, u"no secret"_s);
        const CliResult both = env.run({u"credential"_s, u"add"_s, u"e"_s, u"--secret-stdin"_s, u"--secret-env"_s, u"V"_s}, "x", kc);
        CLI_EXPECT_EXIT(both, 2);
        const CliResult agent = env.run({u"credential"_s, u"add"_s, u"e"_s, u"--kind"_s, u"ssh_agent"_s, u"--secret-stdin"_s}, "x", kc);
        CLI_EXPECT_EXIT(agent, 2);
        const CliResult badName = env.run({u"credential"_s, u"add"_s, u"bad name"_s, u"--secret-stdin"_s}, "x", kc);
        CLI_EXPECT_EXIT(badName, 2);
        const CliResult twoLines = env.run({u"credential"_s, u"add"_s, u"e"_s, u"--secret-stdin"_s}, "line-one\nline-two\n", kc);
        CLI_EXPECT_EXIT(twoLines, 2);
        CLI_EXPECT_STDERR(twoLines, u"one line"_s);
        QVERIFY(!twoLines.err.contains("line-one"));
        QVERIFY(CliEnv::writeFile(env.path(u"empty"_s), {}));
        QVERIFY(QFile::setPermissions(env.path(u"empty"_s), QFile::ReadOwner | QFile::WriteOwner));
        const CliResult emptyFile = env.run({u"credential"_s, u"add"_s, u"e"_s, u"--secret-file"_s, env.path(u"empty"_s)}, {}, kc);
        CLI_EXPECT_EXIT(emptyFile, 2);
        CLI_EXPECT_STDERR(emptyFile, u"is empty"_s);
        // git:// has no authentication: a password there is refused, not moved into a credential.
        const CliResult gitPassword = env.run({u"add"_s, u"g"_s, u"--source"_s, u"git://u:gitpw-x@git.example/r.git"_s}, {}, kc);
        CLI_EXPECT_EXIT(gitPassword, 2);
        QCOMPARE(keychain.lookup(u"g-source"_s), std::nullopt);
        QVERIFY(credentialNamed(env, u"e"_s).isEmpty());
        QCOMPARE(keychain.lookup(u"e"_s), std::nullopt);
        QCOMPARE(keychain.lookup(u"bad name"_s), std::nullopt);
        // A duplicate name leaves the first secret alone.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"d"_s, u"--secret-stdin"_s}, "one", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"D"_s, u"--secret-stdin"_s}, "two", kc), 2);
        QCOMPARE(keychain.lookup(u"d"_s).value_or("(none)"), QByteArray("one"));
    }

    // The keychain answers, but holds nothing for the credential: "no entry", with the fix.
    void missingEntryIsToldApart()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"gone"_s, u"--secret-stdin"_s}, "s", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://git.example/g/m.git"_s, u"--source-credential"_s, u"gone"_s,
                                 u"-q"_s}, {}, kc), 0);
        QVERIFY(keychain.clear(u"gone"_s));
        const CliResult check = env.run({u"check"_s, u"--json"_s}, {}, kc);
        CLI_EXPECT_EXIT(check, 1);
        const QJsonObject mirror = check.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"keychain"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"holds no secret for credential \"gone\""_s), qPrintable(check.describe()));
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"--secret-stdin"_s), qPrintable(check.describe()));
        const CliResult update = env.run({u"update"_s}, {}, kc);
        CLI_EXPECT_EXIT(update, 1);
        CLI_EXPECT_STDERR(update, u"holds no secret"_s);
    }

    void lockedKeychainIsToldApart()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"k"_s, u"--secret-stdin"_s}, "locked-away", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://git.example/g/m.git"_s, u"--source-credential"_s, u"k"_s,
                                 u"-q"_s}, {}, kc), 0);
        QVERIFY2(keychain.restart(KeychainSession::Mode::Locked), qPrintable(keychain.errorString()));
        const CliResult check = env.run({u"check"_s}, {}, kc);
        CLI_EXPECT_EXIT(check, 1);
        QVERIFY2(check.stdoutText().contains(u"keychain is locked"_s), qPrintable(check.describe()));
        const QByteArray before = env.configBytes().value_or(QByteArray());
        // Changing or removing it is refused as typed (exit 2) and changes nothing: a locked
        // keychain hides its entries, so "not found" is checked against the locked ones.
        const CliResult edit = env.run({u"credential"_s, u"edit"_s, u"k"_s, u"--secret-stdin"_s}, "new", kc);
        CLI_EXPECT_EXIT(edit, 2);
        CLI_EXPECT_STDERR(edit, u"locked"_s);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"n"_s, u"--source"_s, u"https://git.example/g/n.git"_s, u"-q"_s}, {}, kc), 0);
        const QByteArray withN = env.configBytes().value_or(QByteArray());
        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"m"_s}, {}, kc), 0);
        const QByteArray unused = env.configBytes().value_or(QByteArray());
        const CliResult removed = env.run({u"credential"_s, u"remove"_s, u"k"_s}, {}, kc);
        CLI_EXPECT_EXIT(removed, 2);
        CLI_EXPECT_STDERR(removed, u"was not removed"_s);
        CLI_EXPECT_STDERR(removed, u"locked"_s);
        QCOMPARE(env.configBytes().value_or(QByteArray()), unused);
        QVERIFY(before != withN);
        QVERIFY2(keychain.restart(KeychainSession::Mode::Unlocked), qPrintable(keychain.errorString()));
        QCOMPARE(keychain.lookup(u"k"_s).value_or("(none)"), QByteArray("locked-away"));
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"remove"_s, u"k"_s}, {}, kc), 0);
        QCOMPARE(keychain.lookup(u"k"_s), std::nullopt);
    }

    // A URL typed with credentials: the secret moves into a new keychain credential, the stored URL
    // carries none, and the mirror syncs with it. Typing a new one on edit replaces that secret.
    void urlCredentialsMoveIntoTheKeychain()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        HttpGitServer http;
        QVERIFY2(http.start(m_srv.path(), {false, u"alice"_s, QString::fromLatin1(kPassword), false}), qPrintable(http.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        const QString typed = http.urlWithCredentials(u"src.git"_s);
        QVERIFY(typed.contains(QString::fromLatin1(kPassword)));
        const CliResult added = env.run({u"add"_s, u"team/m"_s, u"--source"_s, typed}, {}, kc);
        CLI_EXPECT_EXIT(added, 0);
        CLI_EXPECT_STDERR(added, u"credential \"team-m-source\""_s);
        QVERIFY(!added.out.contains(kPassword) && !added.err.contains(kPassword));
        QCOMPARE(keychain.lookup(u"team-m-source"_s).value_or("(none)"), kPassword);
        const QJsonObject credential = credentialNamed(env, u"team-m-source"_s);
        QCOMPARE(credential.value(u"kind"_s).toString(), u"password"_s);
        QCOMPARE(credential.value(u"username"_s).toString(), u"alice"_s);
        const CliResult list = env.run({u"list"_s, u"--json"_s}, {}, kc);
        QCOMPARE(list.json().value(u"mirrors"_s).toArray().first().toObject().value(u"source"_s).toObject().value(u"url"_s).toString(),
                 http.url(u"src.git"_s));
        CLI_EXPECT_EXIT(env.run({u"update"_s}, {}, kc), 0);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(env, u"team/m"_s), u"refs/heads/main"_s), m_main);

        // A new password typed on edit replaces the secret of the mirror's own credential.
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"team/m"_s, u"--source"_s, http.urlWithCredentials(u"src.git"_s, {}, u"wrong-pw-x"_s)}, {}, kc), 0);
        QCOMPARE(keychain.lookup(u"team-m-source"_s).value_or("(none)"), QByteArray("wrong-pw-x"));
        const CliResult rejected = env.run({u"update"_s, u"--json"_s}, {}, kc);
        CLI_EXPECT_EXIT(rejected, 1);
        QCOMPARE(rejected.json().value(u"mirrors"_s).toArray().first().toObject().value(u"error_category"_s).toString(), u"auth"_s);
        QCOMPARE(env.run({u"credential"_s, u"list"_s, u"--json"_s}, {}, kc).json().value(u"credentials"_s).toArray().size(), 1);
        QCOMPARE(env.filesContaining(kPassword) + env.filesContaining("wrong-pw-x"), QStringList{});

        // Without a keychain: refused with how to make the credential; nothing changes.
        const QByteArray before = env.configBytes().value_or(QByteArray());
        const CliResult refused = env.run({u"add"_s, u"other"_s, u"--source"_s, typed}, {},
                                          {{u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/mirrordesk-test-bus"_s}});
        CLI_EXPECT_EXIT(refused, 2);
        CLI_EXPECT_STDERR(refused, u"credential add other-source --kind password --username alice --secret-env VAR"_s);
        QVERIFY(!refused.err.contains(kPassword));
        QCOMPARE(env.configBytes().value_or(QByteArray()), before);

        // Removing the mirror says its credential is now unused (it is not deleted unasked).
        const CliResult removed = env.run({u"remove"_s, u"team/m"_s}, {}, kc);
        CLI_EXPECT_EXIT(removed, 0);
        CLI_EXPECT_STDERR(removed, u"credential team-m-source is no longer used"_s);
        QVERIFY(keychain.lookup(u"team-m-source"_s));
    }

    // SSH user keys: generated into the keychain, imported strictly, passphrases checked offline.
    void sshKeysGenerateAndImport()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        const auto kc = keychain.environment();
        QTemporaryDir keys;
        auto keygen = [&keys](const QString &file, const QStringList &options) {
            runProgram(u"ssh-keygen"_s, QStringList{u"-q"_s, u"-f"_s, keys.filePath(file), u"-C"_s, u"test"_s} + options);
            return CliEnv::readFile(keys.filePath(file)).value_or(QByteArray());
        };
        const QByteArray plain = keygen(u"plain"_s, {u"-t"_s, u"ed25519"_s, u"-N"_s, QString()});
        const QByteArray encrypted = keygen(u"enc"_s, {u"-t"_s, u"ed25519"_s, u"-N"_s, u"right phrase"_s});
        const QByteArray rsa = keygen(u"rsa"_s, {u"-t"_s, u"rsa"_s, u"-b"_s, u"2048"_s, u"-N"_s, QString()});
        QVERIFY(rsa.contains("PRIVATE KEY"));
        QVERIFY(plain.contains("OPENSSH PRIVATE KEY") && encrypted.contains("OPENSSH PRIVATE KEY"));

        // Generated: the private key goes to the keychain only; the public key printed is the one
        // ssh-keygen derives from it.
        const CliResult generated = env.run({u"ssh-keygen"_s, u"deploy"_s}, {}, kc);
        CLI_EXPECT_EXIT(generated, 0);
        const auto stored = keychain.lookup(u"deploy"_s);
        QVERIFY(stored && stored->startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        QVERIFY(CliEnv::writeFile(keys.filePath(u"stored"_s), *stored));
        QVERIFY(QFile::setPermissions(keys.filePath(u"stored"_s), QFile::ReadOwner | QFile::WriteOwner));
        const QString derived = runProgram(u"ssh-keygen"_s, {u"-y"_s, u"-f"_s, keys.filePath(u"stored"_s)});
        QCOMPARE(generated.stdoutText().section(u' ', 0, 1), derived.trimmed().section(u' ', 0, 1));
        const CliResult shown = env.run({u"ssh-keygen"_s, u"deploy"_s, u"--public"_s}, {}, kc);
        CLI_EXPECT_EXIT(shown, 0);
        QCOMPARE(shown.stdoutText(), generated.stdoutText());
        CLI_EXPECT_EXIT(env.run({u"ssh-keygen"_s, u"deploy"_s}, {}, kc), 2); // exists: refused, key kept
        QCOMPARE(keychain.lookup(u"deploy"_s), stored);

        // Imported: an unencrypted key as is.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"plain"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-stdin"_s}, plain, kc), 0);
        QCOMPARE(keychain.lookup(u"plain"_s).value_or("(none)"), plain);

        // Encrypted, from a pipe: the passphrase must come from a credential, and it is checked.
        const CliResult noPhrase = env.run({u"credential"_s, u"add"_s, u"enc"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-stdin"_s}, encrypted, kc);
        CLI_EXPECT_EXIT(noPhrase, 2);
        CLI_EXPECT_STDERR(noPhrase, u"--passphrase-credential"_s);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"phrase"_s, u"--secret-stdin"_s}, "wrong phrase", kc), 0);
        const CliResult wrong = env.run({u"credential"_s, u"add"_s, u"enc"_s, u"--kind"_s, u"ssh_key"_s, u"--passphrase-credential"_s,
                                         u"phrase"_s, u"--secret-stdin"_s}, encrypted, kc);
        CLI_EXPECT_EXIT(wrong, 1);
        CLI_EXPECT_STDERR(wrong, u"wrong passphrase"_s);
        QVERIFY(!wrong.err.contains("wrong phrase"));
        QCOMPARE(keychain.lookup(u"enc"_s), std::nullopt);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"phrase"_s, u"--secret-stdin"_s}, "right phrase", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"enc"_s, u"--kind"_s, u"ssh_key"_s, u"--passphrase-credential"_s, u"phrase"_s,
                                 u"--secret-stdin"_s}, encrypted, kc), 0);
        QCOMPARE(credentialNamed(env, u"enc"_s).value(u"passphrase_credential"_s).toString(), u"phrase"_s);
        // The passphrase's credential is in use by the key.
        const CliResult inUse = env.run({u"credential"_s, u"remove"_s, u"phrase"_s}, {}, kc);
        CLI_EXPECT_EXIT(inUse, 2);
        CLI_EXPECT_STDERR(inUse, u"credential enc"_s);

        // Keys MirrorDesk cannot use are refused with the reason, and nothing is stored.
        const QList<std::pair<QByteArray, QString>> refused{
            {rsa, u"RSA"_s},
            {CliEnv::readFile(keys.filePath(u"plain.pub"_s)).value_or(QByteArray()), u"public key"_s},
            {plain.left(plain.size() / 2), u"key"_s},
            {"not a key at all", u"key"_s},
        };
        for (const auto &[text, reason] : refused) {
            const CliResult r = env.run({u"credential"_s, u"add"_s, u"bad"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-stdin"_s}, text, kc);
            CLI_EXPECT_EXIT(r, 2);
            CLI_EXPECT_STDERR(r, reason);
            QVERIFY(credentialNamed(env, u"bad"_s).isEmpty());
            QCOMPARE(keychain.lookup(u"bad"_s), std::nullopt);
        }
        // No private key material in the config, state or any output.
        const QByteArray keyLine = plain.split('\n').value(2);
        QVERIFY(keyLine.size() > 40);
        QCOMPARE(env.filesContaining(keyLine), QStringList{});
    }

    // The canary: a unique password (source) and token (target) in the keychain, a relay from one
    // HTTP server to another, every command run; then config, state, log, outputs, every cache's
    // git config and the argv and environment of every git child (a logging wrapper first in PATH)
    // hold neither secret.
    void canarySecretsLeakNowhere()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        const QByteArray password = "Canary-Pw-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        const QByteArray token = "Canary-Tok-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch() * 7);
        QTemporaryDir targets;
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(targets.filePath(u"dst.git"_s)));
        HttpGitServer source;
        QVERIFY2(source.start(m_srv.path(), {false, u"alice"_s, QString::fromLatin1(password), false}), qPrintable(source.errorString()));
        HttpGitServer target;
        QVERIFY2(target.start(targets.path(), {false, u"bob"_s, QString::fromLatin1(token), false}), qPrintable(target.errorString()));

        CliEnv env;
        const QString wrapperDir = env.path(u"bin"_s);
        const QString childLog = env.path(u"children.log"_s);
        QVERIFY(QDir().mkpath(wrapperDir));
        const QString realGit = QStandardPaths::findExecutable(u"git"_s);
        QVERIFY(!realGit.isEmpty());
        QVERIFY(CliEnv::writeFile(wrapperDir + u"/git"_s,
                                  u"#!/bin/sh\n{ printf 'ARGV:'; for a in \"$@\"; do printf ' %s' \"$a\"; done; printf '\\n'; env; } >> '%1'\n"
                                  "exec '%2' \"$@\"\n"_s.arg(childLog, realGit).toUtf8()));
        QVERIFY(QFile::setPermissions(wrapperDir + u"/git"_s, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        auto extra = keychain.environment();
        extra.insert(u"PATH"_s, wrapperDir + u':' + qEnvironmentVariable("PATH"));
        const QString log = env.path(u"run.log"_s);

        QList<CliResult> runs;
        auto run = [&](const QStringList &arguments, const QByteArray &input = {}) {
            runs.append(env.run(QStringList{u"--log-file"_s, log, u"-v"_s} + arguments, input, extra));
            return runs.last();
        };
        CLI_EXPECT_EXIT(run({u"credential"_s, u"add"_s, u"src"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"alice"_s,
                             u"--secret-stdin"_s}, password), 0);
        CLI_EXPECT_EXIT(run({u"credential"_s, u"add"_s, u"dst"_s, u"--kind"_s, u"token"_s, u"--username"_s, u"bob"_s, u"--secret-stdin"_s},
                            token), 0);
        CLI_EXPECT_EXIT(run({u"add"_s, u"r"_s, u"--shape"_s, u"relay"_s, u"--source"_s, source.url(u"src.git"_s), u"--source-credential"_s,
                             u"src"_s, u"--target"_s, target.url(u"dst.git"_s), u"--target-credential"_s, u"dst"_s}), 0);
        CLI_EXPECT_EXIT(run({u"check"_s, u"--json"_s}), 3);
        CLI_EXPECT_EXIT(run({u"plan"_s, u"--json"_s}), 0);
        CLI_EXPECT_EXIT(run({u"update"_s, u"--json"_s}), 0);
        QCOMPARE(GitRepoBuilder::refOrEmpty(targets.filePath(u"dst.git"_s), u"refs/heads/main"_s), m_main);
        for (const QStringList &arguments : QList<QStringList>{{u"update"_s}, {u"check"_s}, {u"status"_s, u"--json"_s}, {u"status"_s},
                                                               {u"list"_s, u"--json"_s}, {u"credential"_s, u"list"_s, u"--json"_s},
                                                               {u"attic"_s, u"list"_s, u"r"_s, u"--json"_s}, {u"update"_s, u"--due"_s}})
            CLI_EXPECT_EXIT(run(arguments), 0);
        CLI_EXPECT_EXIT(run({u"edit"_s, u"r"_s, u"--interval"_s, u"7"_s}), 0);
        CLI_EXPECT_EXIT(run({u"credential"_s, u"rename"_s, u"dst"_s, u"dst2"_s}), 0);
        CLI_EXPECT_EXIT(run({u"update"_s}), 0);

        const QByteArray children = CliEnv::readFile(childLog).value_or(QByteArray());
        QVERIFY2(children.contains("ARGV: ") && children.contains(" push "), "the git wrapper saw no push: the canary proves nothing");
        for (const QByteArray &secret : {password, token}) {
            for (const CliResult &r : runs)
                QVERIFY2(!r.out.contains(secret) && !r.err.contains(secret), qPrintable(r.describe()));
            QCOMPARE(env.filesContaining(secret), QStringList{});
        }
    }

    // A keychain that never answers (its daemon stopped: the bus name stays, no reply comes) is a
    // keychain error after MIRRORDESK_KEYCHAIN_TIMEOUT_MS, not a hang.
    void silentKeychainTimesOut()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        CliEnv env;
        auto kc = keychain.environment();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"k"_s, u"--secret-stdin"_s}, "s", kc), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://git.example/g/m.git"_s, u"--source-credential"_s, u"k"_s,
                                 u"-q"_s}, {}, kc), 0);
        QVERIFY(keychain.freeze());
        kc.insert(u"MIRRORDESK_KEYCHAIN_TIMEOUT_MS"_s, u"1500"_s);
        QElapsedTimer timer;
        timer.start();
        const CliResult check = env.run({u"check"_s, u"--json"_s}, {}, kc);
        const qint64 elapsed = timer.elapsed();
        keychain.thaw();
        CLI_EXPECT_EXIT(check, 1);
        const QJsonObject mirror = check.json().value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(mirror.value(u"error_category"_s).toString(), u"keychain"_s);
        QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"did not answer within 1.5 s"_s), qPrintable(check.describe()));
        QVERIFY2(elapsed < 20000, qPrintable(QString::number(elapsed)));
    }

    void unavailableKeychainNamesTheAlternatives_data()
    {
        QTest::addColumn<bool>("bus");
        QTest::newRow("a bus without a Secret Service") << true;
        QTest::newRow("no session bus") << false;
    }

    void unavailableKeychainNamesTheAlternatives()
    {
        QFETCH(bool, bus);
        KeychainSession keychain;
        QMap<QString, QString> extra{{u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent/mirrordesk-test-bus"_s}};
        if (bus) {
            QVERIFY2(keychain.start(KeychainSession::Mode::NoService), qPrintable(keychain.errorString()));
            extra = keychain.environment();
        }
        CliEnv env;
        const CliResult added = env.run({u"credential"_s, u"add"_s, u"gh"_s, u"--secret-stdin"_s}, "tok-unavailable", extra);
        CLI_EXPECT_EXIT(added, 2);
        CLI_EXPECT_STDERR(added, u"keychain is unavailable"_s);
        CLI_EXPECT_STDERR(added, u"--secret-env"_s);
        CLI_EXPECT_STDERR(added, u"--secret-file"_s);
        QVERIFY(!env.configBytes() || !env.configBytes()->contains("\"gh\""));
        QVERIFY(!added.err.contains("tok-unavailable"));
    }
};

QTEST_GUILESS_MAIN(TestCliKeychain)
#include "TestCliKeychain.moc"
