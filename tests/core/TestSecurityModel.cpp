#include "security/Credential.h"
#include "security/HostKey.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace md;

namespace {
// Fingerprints below were computed with `ssh-keygen -lf key.pub -E sha256|md5`.
const QString kEd25519 = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl c");
const QString kEcdsa384 = QStringLiteral(
    "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBOzjjJP/Zx3kmnlM3dD85uZaNvB7BQ8GNdoUL97ftorNZ5LdYFPcdIg71GyCR7B8nR7M2S9PywnLoBO/B56PEaPIqiJTDYzUYzuOVMjQNyCl+COn6AntJWXnsoKLPIBioQ== root@vm");

QString writeSecretFile(const QTemporaryDir &dir, const QByteArray &content, QFileDevice::Permissions permissions)
{
    const QString path = dir.filePath(QStringLiteral("secret"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(content);
    file.close();
    file.setPermissions(permissions);
    return path;
}
} // namespace

class TestSecurityModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hostKeyFingerprints()
    {
        auto ed = HostKey::parseLine(kEd25519);
        QVERIFY(ed.ok());
        QCOMPARE(ed->type, QStringLiteral("ssh-ed25519"));
        QCOMPARE(ed->sha256Fingerprint(), QStringLiteral("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU"));
        QCOMPARE(ed->md5Fingerprint(), QStringLiteral("MD5:65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd"));
        QCOMPARE(ed->toLine(), kEd25519);
        auto ec = HostKey::parseLine(kEcdsa384);
        QVERIFY(ec.ok());
        QCOMPARE(ec->sha256Fingerprint(), QStringLiteral("SHA256:r7efdMDywJ7IbX0Vh/HdMV3Mt8IHKCrzlY4rrGV/pAk"));
    }

    void hostKeyRefusals_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("one word") << "ssh-ed25519" << "not an OpenSSH public-key line";
        QTest::newRow("unknown type") << "ssh-foo AAAA" << "unknown key type";
        QTest::newRow("bad base64") << "ssh-ed25519 !!!!" << "not valid base64";
        QTest::newRow("type mismatch") << QString(kEd25519).replace(QLatin1String("ssh-ed25519"), QLatin1String("ssh-rsa"))
                                       << "does not hold a ssh-rsa key";
    }
    void hostKeyRefusals()
    {
        QFETCH(QString, line);
        QFETCH(QString, message);
        auto key = HostKey::parseLine(line);
        QVERIFY(!key.ok());
        QVERIFY2(key.error().message.contains(message), qPrintable(key.error().message));
    }

    void hostPortNormalisation_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("host") << "GitLab.Example.org" << "gitlab.example.org:22";
        QTest::newRow("host port") << "example.org:2222" << "example.org:2222";
        QTest::newRow("bracketed") << "[example.org]:2222" << "example.org:2222";
        QTest::newRow("v6") << "[::1]:2222" << "[::1]:2222";
        QTest::newRow("bare v6") << "::1" << "[::1]:22";
        QTest::newRow("bad port") << "h:70000" << "";
        QTest::newRow("junk") << "h/x" << "";
    }
    void hostPortNormalisation()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        auto normalized = normalizeHostPort(input);
        if (expected.isEmpty()) {
            QVERIFY(!normalized.ok());
            return;
        }
        QVERIFY2(normalized.ok(), qPrintable(normalized.ok() ? QString() : normalized.error().message));
        QCOMPARE(*normalized, expected);
    }

    void secretSources()
    {
        QCOMPARE(SecretSource::parse(QStringLiteral("env:GH_TOKEN"), QStringLiteral("s"))->value, QStringLiteral("GH_TOKEN"));
        QCOMPARE(SecretSource::parse(QStringLiteral("keychain"), QStringLiteral("s"))->kind, SecretSource::Kind::Keychain);
        QVERIFY(!SecretSource::parse(QStringLiteral("env:1BAD"), QStringLiteral("s")).ok());
        QVERIFY(!SecretSource::parse(QStringLiteral("file:relative/path"), QStringLiteral("s")).ok());
        QVERIFY(!SecretSource::parse(QStringLiteral("vault:x"), QStringLiteral("s")).ok());
    }

    void credentialValidation()
    {
        Credential c{QStringLiteral("gh"), CredentialKind::Password, QString(), SecretSource{SecretSource::Kind::Env, QStringLiteral("X")}};
        auto status = validateCredential(c);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().field, QStringLiteral("username"));
        c.username = QStringLiteral("alice");
        QVERIFY(validateCredential(c).ok());
        c.secretSource = {};
        QCOMPARE(validateCredential(c).error().field, QStringLiteral("secret_source"));
        Credential agent{QStringLiteral("agent"), CredentialKind::SshAgent, QStringLiteral("git"), {}};
        QVERIFY(validateCredential(agent).ok());
        agent.secretSource = SecretSource{SecretSource::Kind::Env, QStringLiteral("X")};
        QVERIFY(!validateCredential(agent).ok());
    }

    void readsEnvSecret()
    {
        qputenv("MIRRORDESK_TEST_SECRET", "s3cr3t-value");
        auto secret = readSecret(SecretSource{SecretSource::Kind::Env, QStringLiteral("MIRRORDESK_TEST_SECRET")});
        QVERIFY(secret.ok());
        QCOMPARE(*secret, QByteArray("s3cr3t-value"));
        qunsetenv("MIRRORDESK_TEST_SECRET");
        auto missing = readSecret(SecretSource{SecretSource::Kind::Env, QStringLiteral("MIRRORDESK_TEST_SECRET")});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.contains(QLatin1String("is not set")));
    }

    void readsOwnerOnlyFileOnEveryRead()
    {
        QTemporaryDir dir;
        const QString path = writeSecretFile(dir, "file-secret\n", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const SecretSource source{SecretSource::Kind::File, path};
        auto secret = readSecret(source);
        QVERIFY(secret.ok());
        QCOMPARE(*secret, QByteArray("file-secret"));
        // Loosened after the first read: refused on the next.
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        auto refused = readSecret(source);
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.contains(QLatin1String("readable by others")));
        QVERIFY(!refused.error().message.contains(QLatin1String("file-secret")));
        auto missing = readSecret(SecretSource{SecretSource::Kind::File, dir.filePath(QStringLiteral("nope"))});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.contains(QLatin1String("does not exist")));
    }
};

QTEST_GUILESS_MAIN(TestSecurityModel)
#include "TestSecurityModel.moc"
