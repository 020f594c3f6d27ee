// credential add|edit|remove|list through the real binary (DESIGN sections 3, 5 and 6): the config
// holds where a secret lives (env:VAR, file:PATH), never the secret.
#include "cli/CliRunner.h"

#include <QJsonArray>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;

namespace {

const QByteArray kEnvSecret = "supersecretvalue123";
const QByteArray kFileSecret = "filesecret-Zq8Rw2Lp5";

QMap<QString, QString> tokenEnv()
{
    return {{u"GH_TOKEN_X"_s, QString::fromLatin1(kEnvSecret)}};
}

QJsonArray listCredentials(const CliEnv &env)
{
    const CliResult r = env.run({u"credential"_s, u"list"_s, u"--json"_s}, {}, tokenEnv());
    if (r.exitCode != 0)
        return {};
    return r.json().value(u"credentials"_s).toArray();
}

QJsonObject credentialNamed(const CliEnv &env, const QString &name)
{
    for (const QJsonValue &value : listCredentials(env)) {
        if (value.toObject().value(u"name"_s).toString() == name)
            return value.toObject();
    }
    return {};
}

bool writeSecretFile(const QString &path, const QByteArray &content, QFile::Permissions permissions)
{
    return CliEnv::writeFile(path, content) && QFile::setPermissions(path, permissions);
}

const QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;

} // namespace

class TestCliCredentials : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void envSecretIsNeverStoredOrPrinted()
    {
        CliEnv env;
        const QString log = env.path(u"mirrordesk.log"_s);
        const QList<QStringList> runs = {
            {u"--log-file"_s, log, u"-v"_s, u"credential"_s, u"add"_s, u"gh"_s, u"--kind"_s, u"token"_s, u"--secret-env"_s, u"GH_TOKEN_X"_s},
            {u"--log-file"_s, log, u"-v"_s, u"add"_s, u"m"_s, u"--source"_s, u"https://github.example/org/m.git"_s,
             u"--source-credential"_s, u"gh"_s},
            {u"--log-file"_s, log, u"-v"_s, u"credential"_s, u"edit"_s, u"gh"_s, u"--username"_s, u"x-access-token"_s},
            {u"list"_s},
            {u"list"_s, u"--json"_s},
            {u"status"_s, u"--json"_s},
            {u"credential"_s, u"list"_s},
            {u"credential"_s, u"list"_s, u"--json"_s},
        };
        for (const QStringList &arguments : runs) {
            const CliResult r = env.run(arguments, {}, tokenEnv());
            CLI_EXPECT_EXIT(r, 0);
            QVERIFY2(!r.out.contains(kEnvSecret) && !r.err.contains(kEnvSecret), qPrintable(r.describe()));
        }
        QVERIFY(env.configBytes());
        const QStringList leaks = env.filesContaining(kEnvSecret);
        QVERIFY2(leaks.isEmpty(), qPrintable(u"the secret was written to: "_s + leaks.join(u", "_s)));

        const QJsonObject gh = credentialNamed(env, u"gh"_s);
        QCOMPARE(gh.value(u"kind"_s).toString(), u"token"_s);
        QCOMPARE(gh.value(u"secret_source"_s).toString(), u"env:GH_TOKEN_X"_s);
        QCOMPARE(gh.value(u"username"_s).toString(), u"x-access-token"_s);
        QCOMPARE(gh.value(u"used_by"_s).toArray(), QJsonArray{u"m"_s});
        const QStringList allowed = {u"name"_s, u"kind"_s, u"username"_s, u"secret_source"_s, u"used_by"_s};
        for (const QString &key : gh.keys())
            QVERIFY2(allowed.contains(key), qPrintable(u"unexpected credential field "_s + key));
        // The stored entry is the same, and the mirror names the credential only.
        const QJsonObject stored = env.config().value(u"credentials"_s).toArray().at(0).toObject();
        QCOMPARE(stored.value(u"secret_source"_s).toString(), u"env:GH_TOKEN_X"_s);
        const QJsonObject mirror = env.config().value(u"mirrors"_s).toArray().at(0).toObject();
        QCOMPARE(mirror.value(u"source"_s).toObject().value(u"credential"_s).toString(), u"gh"_s);
    }

    void unsetVariableIsANoteNotAnError()
    {
        CliEnv env;
        const CliResult r = env.run({u"credential"_s, u"add"_s, u"ci"_s, u"--secret-env"_s, u"MD_TEST_UNSET_VAR"_s});
        CLI_EXPECT_EXIT(r, 0);
        CLI_EXPECT_STDERR(r, u"MD_TEST_UNSET_VAR"_s);
        QCOMPARE(credentialNamed(env, u"ci"_s).value(u"kind"_s).toString(), u"token"_s); // the default kind
        // -q silences notes.
        const CliResult quiet = env.run({u"-q"_s, u"credential"_s, u"add"_s, u"ci2"_s, u"--secret-env"_s, u"MD_TEST_UNSET_VAR"_s});
        CLI_EXPECT_EXIT(quiet, 0);
        QVERIFY2(quiet.err.isEmpty(), qPrintable(quiet.describe()));
    }

    void secretFileMustBeOwnerOnly_data()
    {
        QTest::addColumn<int>("permissions");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("0644") << static_cast<int>((kOwnerOnly | QFile::ReadGroup | QFile::ReadOther).toInt()) << 2;
        QTest::newRow("0640") << static_cast<int>((kOwnerOnly | QFile::ReadGroup).toInt()) << 2;
        QTest::newRow("0604") << static_cast<int>((kOwnerOnly | QFile::ReadOther).toInt()) << 2;
        QTest::newRow("0620") << static_cast<int>((kOwnerOnly | QFile::WriteGroup).toInt()) << 2;
        QTest::newRow("0600") << static_cast<int>((kOwnerOnly).toInt()) << 0;
        QTest::newRow("0400") << static_cast<int>(QFile::Permissions(QFile::ReadOwner).toInt()) << 0;
    }
    void secretFileMustBeOwnerOnly()
    {
        QFETCH(int, permissions);
        QFETCH(int, exitCode);
        CliEnv env;
        const QString file = env.path(u"secrets/token.txt"_s);
        QVERIFY(writeSecretFile(file, kFileSecret + '\n', QFile::Permissions::fromInt(permissions)));
        const CliResult r = env.run({u"credential"_s, u"add"_s, u"f"_s, u"--secret-file"_s, file});
        CLI_EXPECT_EXIT(r, exitCode);
        QVERIFY2(!r.out.contains(kFileSecret) && !r.err.contains(kFileSecret), qPrintable(r.describe()));
        if (exitCode == 2) {
            CLI_EXPECT_STDERR(r, u"readable by others"_s);
            CLI_EXPECT_STDERR(r, u"--secret-file"_s);
            QVERIFY(!env.configBytes());
        } else {
            QCOMPARE(credentialNamed(env, u"f"_s).value(u"secret_source"_s).toString(), u"file:"_s + file);
        }
        const QStringList leaks = env.filesContaining(kFileSecret, {QFileInfo(file).absoluteFilePath()});
        QVERIFY2(leaks.isEmpty(), qPrintable(u"the secret was written to: "_s + leaks.join(u", "_s)));
    }

    void secretFileIsStoredAsAnAbsolutePath()
    {
        CliEnv env;
        QVERIFY(writeSecretFile(env.path(u"tok"_s), kFileSecret, kOwnerOnly));
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"f"_s, u"--secret-file"_s, u"tok"_s}), 0);
        QCOMPARE(credentialNamed(env, u"f"_s).value(u"secret_source"_s).toString(), u"file:"_s + env.path(u"tok"_s));
        QVERIFY(!env.configBytes()->contains(kFileSecret));
    }

    void secretFileProblems_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing") << u"nope.txt"_s << u"does not exist"_s;
        QTest::newRow("directory") << u"secrets"_s << u"not a regular file"_s;
    }
    void secretFileProblems()
    {
        QFETCH(QString, relative);
        QFETCH(QString, message);
        CliEnv env;
        QVERIFY(QDir().mkpath(env.path(u"secrets"_s)));
        const CliResult r = env.run({u"credential"_s, u"add"_s, u"f"_s, u"--secret-file"_s, env.path(relative)});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, message);
        QVERIFY(!env.configBytes());
    }

    void passwordNeedsUsername()
    {
        CliEnv env;
        const CliResult r = env.run({u"credential"_s, u"add"_s, u"pw"_s, u"--kind"_s, u"password"_s, u"--secret-env"_s, u"PW_VAR"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"username"_s);
        QVERIFY(!env.configBytes());
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"pw"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"alice"_s,
                                 u"--secret-env"_s, u"PW_VAR"_s}),
                        0);
        const QJsonObject pw = credentialNamed(env, u"pw"_s);
        QCOMPARE(pw.value(u"kind"_s).toString(), u"password"_s);
        QCOMPARE(pw.value(u"username"_s).toString(), u"alice"_s);
        // Clearing the username of a password credential is refused.
        const auto before = env.configBytes();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"pw"_s, u"--username"_s, QString()}), 2);
        QCOMPARE(env.configBytes(), before);
    }

    void nonAgentKindNeedsASecret_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("default kind") << QStringList{};
        QTest::newRow("token") << QStringList{u"--kind"_s, u"token"_s};
        QTest::newRow("password") << QStringList{u"--kind"_s, u"password"_s, u"--username"_s, u"bob"_s};
        QTest::newRow("ssh_key") << QStringList{u"--kind"_s, u"ssh_key"_s};
    }
    void nonAgentKindNeedsASecret()
    {
        QFETCH(QStringList, options);
        CliEnv env;
        const CliResult r = env.run(QStringList{u"credential"_s, u"add"_s, u"c"_s} + options);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"--secret-env"_s);
        QVERIFY(!env.configBytes());
    }

    void sshAgentNeedsNoSecret()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"agent"_s, u"--kind"_s, u"ssh_agent"_s, u"--username"_s, u"git"_s}), 0);
        const QJsonObject agent = credentialNamed(env, u"agent"_s);
        QCOMPARE(agent.value(u"kind"_s).toString(), u"ssh_agent"_s);
        QVERIFY2(agent.value(u"secret_source"_s).toString().isEmpty(), "an agent credential has no secret source");
        QCOMPARE(agent.value(u"username"_s).toString(), u"git"_s);
    }

    void refusesBadCredentialOptions_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("named");
        const QStringList env = {u"--secret-env"_s, u"TOKEN_VAR"_s};
        auto add = [&](const QString &name, const QStringList &more) { return QStringList{u"credential"_s, u"add"_s, name} + more; };
        QTest::newRow("kind") << add(u"c"_s, QStringList{u"--kind"_s, u"oauth"_s} + env) << u"--kind"_s;
        QTest::newRow("name with /") << add(u"a/b"_s, env) << u"name"_s;
        QTest::newRow("hidden name") << add(u".c"_s, env) << u"name"_s;
        QTest::newRow("name with space") << add(u"a b"_s, env) << u"name"_s;
        QTest::newRow("empty name") << add(QString(), env) << u"name"_s;
        QTest::newRow("no name") << (QStringList{u"credential"_s, u"add"_s} + env) << u"NAME"_s;
        QTest::newRow("two names") << add(u"a"_s, QStringList{u"b"_s} + env) << u"NAME"_s;
        QTest::newRow("both sources") << add(u"c"_s, env + QStringList{u"--secret-file"_s, u"/etc/hostname"_s}) << u"--secret-file"_s;
        QTest::newRow("bad variable") << add(u"c"_s, {u"--secret-env"_s, u"1NOT-A-VAR"_s}) << u"--secret-env"_s;
        QTest::newRow("username with space") << add(u"c"_s, QStringList{u"--username"_s, u"a b"_s} + env) << u"username"_s;
        QTest::newRow("username with @") << add(u"c"_s, QStringList{u"--username"_s, u"a@b"_s} + env) << u"username"_s;
        QTest::newRow("username with :") << add(u"c"_s, QStringList{u"--username"_s, u"a:b"_s} + env) << u"username"_s;
        QTest::newRow("unknown option") << add(u"c"_s, env + QStringList{u"--secret"_s, u"hunter2"_s}) << u"secret"_s;
        QTest::newRow("kind twice") << add(u"c"_s, QStringList{u"--kind"_s, u"token"_s, u"--kind"_s, u"token"_s} + env) << u"--kind"_s;
    }
    void refusesBadCredentialOptions()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, named);
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"existing"_s, u"--secret-env"_s, u"X_VAR"_s}), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run(arguments);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, named);
        QCOMPARE(env.configBytes(), before);
    }

    void duplicateNamesIgnoreCase()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"gh"_s, u"--secret-env"_s, u"A_VAR"_s}), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run({u"credential"_s, u"add"_s, u"GH"_s, u"--secret-env"_s, u"B_VAR"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"\"gh\""_s);
        QCOMPARE(env.configBytes(), before);
    }

    void mirrorReferencingAMissingCredential()
    {
        CliEnv env;
        const CliResult r = env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://h.example/m.git"_s, u"--source-credential"_s, u"nope"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"\"nope\""_s);
        CLI_EXPECT_STDERR(r, u"source.credential"_s);
        QVERIFY(!env.configBytes());

        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://h.example/m.git"_s,
                                 u"--target"_s, u"https://t.example/m.git"_s}),
                        0);
        const auto before = env.configBytes();
        const CliResult edit = env.run({u"edit"_s, u"m"_s, u"--target-credential"_s, u"ghost"_s});
        CLI_EXPECT_EXIT(edit, 2);
        CLI_EXPECT_STDERR(edit, u"\"ghost\""_s);
        CLI_EXPECT_STDERR(edit, u"target.credential"_s);
        QCOMPARE(env.configBytes(), before);
    }

    void credentialMustFitTheUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("credential");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("https + ssh_key") << u"https://h.example/m.git"_s << u"key"_s << 2;
        QTest::newRow("https + ssh_agent") << u"https://h.example/m.git"_s << u"agent"_s << 2;
        QTest::newRow("scp + token") << u"git@h.example:g/m.git"_s << u"tok"_s << 2;
        QTest::newRow("ssh + password") << u"ssh://git@h.example/g/m.git"_s << u"pw"_s << 2;
        QTest::newRow("https + token") << u"https://h.example/m.git"_s << u"tok"_s << 0;
        QTest::newRow("http + password") << u"http://h.example/m.git"_s << u"pw"_s << 0;
        QTest::newRow("scp + ssh_key") << u"git@h.example:g/m.git"_s << u"key"_s << 0;
        QTest::newRow("ssh + ssh_agent") << u"ssh://git@h.example:2222/g/m.git"_s << u"agent"_s << 0;
        QTest::newRow("case-insensitive name") << u"https://h.example/m.git"_s << u"TOK"_s << 0;
    }
    void credentialMustFitTheUrl()
    {
        QFETCH(QString, url);
        QFETCH(QString, credential);
        QFETCH(int, exitCode);
        CliEnv env;
        // A real key: an ssh_key credential's file is read and checked when it is added.
        QProcess keygen;
        keygen.start(u"ssh-keygen"_s, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, env.path(u"id_ed25519"_s)});
        QVERIFY(keygen.waitForFinished(30000) && keygen.exitCode() == 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, u"id_ed25519"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"agent"_s, u"--kind"_s, u"ssh_agent"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"tok"_s, u"--secret-env"_s, u"T_VAR"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"pw"_s, u"--kind"_s, u"password"_s, u"--username"_s, u"u"_s,
                                 u"--secret-env"_s, u"P_VAR"_s}),
                        0);
        const auto before = env.configBytes();
        // As a source (pull) and as a target (relay).
        const CliResult source = env.run({u"add"_s, u"m"_s, u"--source"_s, url, u"--source-credential"_s, credential});
        CLI_EXPECT_EXIT(source, exitCode);
        const CliResult target = env.run({u"add"_s, u"r"_s, u"--source"_s, u"https://other.example/r.git"_s, u"--target"_s, url,
                                          u"--target-credential"_s, credential});
        CLI_EXPECT_EXIT(target, exitCode);
        if (exitCode == 2) {
            CLI_EXPECT_STDERR(source, u"source.credential"_s);
            CLI_EXPECT_STDERR(target, u"target.credential"_s);
            QCOMPARE(env.configBytes(), before);
            return;
        }
        // Stored by name, as given.
        const CliResult list = env.run({u"list"_s, u"--json"_s});
        CLI_EXPECT_EXIT(list, 0);
        const QJsonArray mirrors = list.json().value(u"mirrors"_s).toArray();
        QCOMPARE(mirrors.size(), 2);
        QCOMPARE(mirrors.at(0).toObject().value(u"source"_s).toObject().value(u"credential"_s).toString(), credential);
        QCOMPARE(mirrors.at(1).toObject().value(u"target"_s).toObject().value(u"credential"_s).toString(), credential);
        QCOMPARE(credentialNamed(env, credential.toLower()).value(u"used_by"_s).toArray(), (QJsonArray{u"m"_s, u"r"_s}));
    }

    void localSourceTakesNoCredential()
    {
        CliEnv env;
        QVERIFY(QDir().mkpath(env.path(u"work"_s)));
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"tok"_s, u"--secret-env"_s, u"T_VAR"_s}), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run({u"add"_s, u"p"_s, u"--source"_s, u"work"_s, u"--target"_s, u"https://t.example/p.git"_s,
                                     u"--source-credential"_s, u"tok"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"source.credential"_s);
        QCOMPARE(env.configBytes(), before);
    }

    void removeRefusesACredentialInUse()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"shared"_s, u"--secret-env"_s, u"S_VAR"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"spare"_s, u"--secret-env"_s, u"S2_VAR"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"puller"_s, u"--source"_s, u"https://h.example/a.git"_s, u"--source-credential"_s, u"shared"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"relayer"_s, u"--source"_s, u"https://h.example/b.git"_s, u"--target"_s,
                                 u"https://t.example/b.git"_s, u"--target-credential"_s, u"Shared"_s}),
                        0);
        QCOMPARE(credentialNamed(env, u"shared"_s).value(u"used_by"_s).toArray(), (QJsonArray{u"puller"_s, u"relayer"_s}));

        const auto before = env.configBytes();
        const CliResult r = env.run({u"credential"_s, u"remove"_s, u"shared"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"puller"_s);
        CLI_EXPECT_STDERR(r, u"relayer"_s);
        QCOMPARE(env.configBytes(), before);

        // Unused: removed.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"remove"_s, u"SPARE"_s}), 0);
        QVERIFY(credentialNamed(env, u"spare"_s).isEmpty());
        QVERIFY(!credentialNamed(env, u"shared"_s).isEmpty());
        // Unknown: usage error.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"remove"_s, u"spare"_s}), 2);

        // Once no mirror uses it, it can go.
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"puller"_s, u"--source-credential"_s, QString()}), 0);
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"relayer"_s, u"--target-credential"_s, QString()}), 0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"remove"_s, u"shared"_s}), 0);
        QCOMPARE(listCredentials(env).size(), 0);
    }

    void editChangesOnlyWhatIsGiven()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"gh"_s, u"--kind"_s, u"token"_s, u"--secret-env"_s, u"GH_TOKEN_X"_s},
                                {}, tokenEnv()),
                        0);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"GH"_s, u"--username"_s, u"alice"_s}), 0);
        QJsonObject gh = credentialNamed(env, u"gh"_s);
        QCOMPARE(gh.value(u"username"_s).toString(), u"alice"_s);
        QCOMPARE(gh.value(u"kind"_s).toString(), u"token"_s);
        QCOMPARE(gh.value(u"secret_source"_s).toString(), u"env:GH_TOKEN_X"_s);

        QVERIFY(writeSecretFile(env.path(u"pw.txt"_s), kFileSecret, kOwnerOnly));
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"gh"_s, u"--kind"_s, u"password"_s, u"--secret-file"_s, u"pw.txt"_s}), 0);
        gh = credentialNamed(env, u"gh"_s);
        QCOMPARE(gh.value(u"kind"_s).toString(), u"password"_s);
        QCOMPARE(gh.value(u"username"_s).toString(), u"alice"_s);
        QCOMPARE(gh.value(u"secret_source"_s).toString(), u"file:"_s + env.path(u"pw.txt"_s));
        QVERIFY(env.filesContaining(kFileSecret, {env.path(u"pw.txt"_s)}).isEmpty());

        // Unknown credential, bad username: usage errors, nothing changed.
        const auto before = env.configBytes();
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"nope"_s, u"--username"_s, u"x"_s}), 2);
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"gh"_s, u"--username"_s, u"a b"_s}), 2);
        QCOMPARE(env.configBytes(), before);

        // Becoming an agent credential drops the secret source.
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"edit"_s, u"gh"_s, u"--kind"_s, u"ssh_agent"_s}), 0);
        QVERIFY(credentialNamed(env, u"gh"_s).value(u"secret_source"_s).toString().isEmpty());
        // ... and back to a token needs a secret again.
        const auto agentBytes = env.configBytes();
        const CliResult back = env.run({u"credential"_s, u"edit"_s, u"gh"_s, u"--kind"_s, u"token"_s});
        CLI_EXPECT_EXIT(back, 2);
        QCOMPARE(env.configBytes(), agentBytes);
    }

    void editRefusesAKindTheMirrorsCannotUse()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"gh"_s, u"--secret-env"_s, u"GH_TOKEN_X"_s}), 0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://h.example/m.git"_s, u"--source-credential"_s, u"gh"_s}), 0);
        const auto before = env.configBytes();
        const CliResult r = env.run({u"credential"_s, u"edit"_s, u"gh"_s, u"--kind"_s, u"ssh_agent"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"source.credential"_s);
        QCOMPARE(env.configBytes(), before);
    }

    void listHumanOutput()
    {
        CliEnv env;
        const CliResult empty = env.run({u"credential"_s, u"list"_s});
        CLI_EXPECT_EXIT(empty, 0);
        QVERIFY(empty.out.isEmpty());
        CLI_EXPECT_EXIT(env.run({u"credential"_s, u"add"_s, u"gh"_s, u"--username"_s, u"bot"_s, u"--secret-env"_s, u"GH_TOKEN_X"_s},
                                {}, tokenEnv()),
                        0);
        CLI_EXPECT_EXIT(env.run({u"add"_s, u"m"_s, u"--source"_s, u"https://h.example/m.git"_s, u"--source-credential"_s, u"gh"_s}), 0);
        const CliResult r = env.run({u"credential"_s, u"list"_s}, {}, tokenEnv());
        CLI_EXPECT_EXIT(r, 0);
        const QStringList lines = r.stdoutText().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(1).split(u' ', Qt::SkipEmptyParts),
                 (QStringList{u"gh"_s, u"token"_s, u"bot"_s, u"env:GH_TOKEN_X"_s, u"m"_s}));
        QVERIFY(!r.out.contains(kEnvSecret));
    }
};

QTEST_GUILESS_MAIN(TestCliCredentials)
#include "TestCliCredentials.moc"
