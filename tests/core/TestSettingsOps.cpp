// The settings rule (validateSettings, settingsFileProblems: core/mirror/Settings.h), shared by
// the config file and the window's Preferences, and saveSettings (core/ops/SettingsOps.h): the
// settings written under the config lock, everything else in the file kept as it is on disk,
// invalid settings and corrupt configs refused with the file byte-for-byte unchanged.
#include "mirror/MirrorStore.h"
#include "ops/SettingsOps.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace md;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTest\n-----END CERTIFICATE-----\n";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

Mirror pullMirror(const QString &name)
{
    Mirror mirror;
    mirror.name = name;
    mirror.source.url = QStringLiteral("https://git.example.org/%1.git").arg(name);
    return mirror;
}

} // namespace

class TestSettingsOps : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_worlds = 0;

    // A folder of its own per test, with a config of two mirrors, a credential and a pin.
    QString newWorld()
    {
        return m_dir.filePath(QStringLiteral("world%1").arg(++m_worlds));
    }
    static bool writeConfig(const QString &path, const QString &cacheRoot)
    {
        return MirrorStore(path)
            .modify([&](Config &c) {
                c.settings.cacheRoot = cacheRoot;
                c.credentials.append(Credential{QStringLiteral("gh"), CredentialKind::Token, QString(),
                                                SecretSource{SecretSource::Kind::Env, QStringLiteral("GH_TOKEN")}});
                c.hostKeys.insert(QStringLiteral("git.example.org:22"),
                                  {QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")});
                Mirror first = pullMirror(QStringLiteral("one"));
                first.source.credential = QStringLiteral("gh");
                c.mirrors.append(first);
                c.mirrors.append(pullMirror(QStringLiteral("two")));
                return Status{};
            })
            .ok();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
    }

    void defaultsAreValid()
    {
        QVERIFY(validateSettings(Settings{}).ok());
        QVERIFY(settingsProblems(Settings{}).isEmpty());
        QVERIFY(settingsFileProblems(Settings{}).isEmpty());
    }

    void eachRuleNamesItsField_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("concurrency 0") << "concurrency" << QJsonValue(0) << "must be between 1 and 256";
        QTest::newRow("concurrency 257") << "concurrency" << QJsonValue(257) << "must be between 1 and 256";
        QTest::newRow("per host 0") << "per_host_concurrency" << QJsonValue(0) << "must be between 1 and 256";
        QTest::newRow("interval") << "default_interval_minutes" << QJsonValue(10081) << "must be between 1 and 10080 minutes (one week)";
        QTest::newRow("connect") << "connect_timeout" << QJsonValue(3601) << "must be between 1 and 3600 seconds (one hour)";
        QTest::newRow("stall") << "stall_timeout" << QJsonValue(0) << "must be between 1 and 86400 seconds (one day)";
        QTest::newRow("run") << "run_timeout" << QJsonValue(7 * 86400 + 1) << "must be between 1 and 604800 seconds (one week)";
        QTest::newRow("attic") << "attic_retention_days" << QJsonValue(-1) << "must be between 1 and 36500 days";
        QTest::newRow("relative cache root") << "cache_root" << QJsonValue(u"caches"_s) << "must be an absolute path";
        QTest::newRow("relative ca file") << "ca_file" << QJsonValue(u"ca.pem"_s) << "must be an absolute path";
        QTest::newRow("proxy scheme") << "proxy" << QJsonValue(u"socks5://proxy:1080"_s)
                                      << "\"socks5://proxy:1080\" is not a proxy URL (http://host:port or https://host:port)";
        QTest::newRow("proxy credentials") << "proxy" << QJsonValue(u"http://me:pw@proxy:3128"_s)
                                           << "proxy URLs must not contain credentials";
    }

    // The same field and message from the pure rule and from reading a config file.
    void eachRuleNamesItsField()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        QJsonObject json = settingsToJson(Settings{});
        json.insert(field, value);
        const auto read = settingsFromJson(json, QStringLiteral("settings"));
        QVERIFY(!read);
        QCOMPARE(read.error().field, QStringLiteral("settings.") + field);
        QCOMPARE(read.error().message, message);
        QVERIFY(!read.error().text().contains(u"pw"_s));

        // The same value through the struct.
        json = settingsToJson(Settings{});
        json.remove(field);
        auto s = settingsFromJson(json, {});
        QVERIFY(s);
        Settings settings = *s;
        if (value.isString()) {
            const QString text = value.toString();
            if (field == u"cache_root"_s)
                settings.cacheRoot = text;
            else if (field == u"ca_file"_s)
                settings.caFile = text;
            else
                settings.proxy = text;
        } else {
            const int number = value.toInt();
            int *target = field == u"concurrency"_s                ? &settings.concurrency
                : field == u"per_host_concurrency"_s               ? &settings.perHostConcurrency
                : field == u"default_interval_minutes"_s           ? &settings.defaultIntervalMinutes
                : field == u"connect_timeout"_s                    ? &settings.connectTimeoutSeconds
                : field == u"stall_timeout"_s                      ? &settings.stallTimeoutSeconds
                : field == u"run_timeout"_s                        ? &settings.runTimeoutSeconds
                                                                    : &settings.atticRetentionDays;
            *target = number;
        }
        const Status status = validateSettings(settings);
        QVERIFY(!status);
        QCOMPARE(status.error().category, ErrorCategory::Config);
        QCOMPARE(status.error().field, field);
        QCOMPARE(status.error().message, message);
    }

    void everyProblemIsListed()
    {
        Settings s;
        s.concurrency = 0;
        s.proxy = QStringLiteral("nonsense");
        s.caFile = QStringLiteral("relative.pem");
        QStringList fields;
        for (const Error &error : settingsProblems(s))
            fields.append(error.field);
        QCOMPARE(fields, (QStringList{u"concurrency"_s, u"proxy"_s, u"ca_file"_s}));
        QCOMPARE(validateSettings(s).error().field, u"concurrency"_s);
    }

    void fileProblems()
    {
        const QString world = newWorld();
        const QString pem = world + QStringLiteral("/ca.pem");
        const QString notPem = world + QStringLiteral("/notes.txt");
        const QString aFile = world + QStringLiteral("/file");
        QVERIFY(writeFile(pem, kPem));
        QVERIFY(writeFile(notPem, "hello\n"));
        QVERIFY(writeFile(aFile, "x"));

        Settings s;
        s.caFile = pem;
        s.cacheRoot = world + QStringLiteral("/not/yet/there"); // created when needed
        QVERIFY(settingsFileProblems(s).isEmpty());
        s.cacheRoot = world;
        QVERIFY(settingsFileProblems(s).isEmpty());

        auto only = [](const Settings &settings) {
            const QList<Error> problems = settingsFileProblems(settings);
            return problems.size() == 1 ? problems.first() : Error{};
        };
        s.caFile = world + QStringLiteral("/missing.pem");
        QCOMPARE(only(s).field, u"ca_file"_s);
        QCOMPARE(only(s).message, QStringLiteral("CA file %1 does not exist").arg(s.caFile));
        s.caFile = world;
        QCOMPARE(only(s).message, QStringLiteral("CA file %1 is a folder, not a file").arg(world));
        s.caFile = notPem;
        QVERIFY(only(s).message.contains(u"holds no PEM certificate"_s));
        s.caFile = pem;
        s.cacheRoot = aFile;
        QCOMPARE(only(s).field, u"cache_root"_s);
        QCOMPARE(only(s).message, QStringLiteral("%1 is not a folder").arg(aFile));
        // Relative paths are the pure rule's, not reported twice.
        s.cacheRoot = QStringLiteral("relative");
        s.caFile = QStringLiteral("relative.pem");
        QVERIFY(settingsFileProblems(s).isEmpty());
    }

    void unreadableCaFile()
    {
        if (::geteuid() == 0)
            QSKIP("running as root: every file is readable");
        const QString pem = newWorld() + QStringLiteral("/ca.pem");
        QVERIFY(writeFile(pem, kPem));
        QVERIFY(QFile::setPermissions(pem, QFileDevice::WriteOwner));
        Settings s;
        s.caFile = pem;
        const QList<Error> problems = settingsFileProblems(s);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().message.startsWith(QStringLiteral("cannot read CA file %1").arg(pem)), qPrintable(problems.first().message));
    }

    void saveWritesTheSettingsAndKeepsTheRest()
    {
        const QString world = newWorld();
        const QString path = world + QStringLiteral("/mirrors.json");
        QVERIFY(writeConfig(path, world + QStringLiteral("/caches")));
        const auto loaded = MirrorStore(path).load();
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().text()));
        const Config before = *loaded;

        Settings s;
        s.concurrency = 3;
        s.perHostConcurrency = 2;
        s.defaultIntervalMinutes = 15;
        s.cacheRoot = world + QStringLiteral("/other-caches");
        s.proxy = QStringLiteral("http://proxy.example:3128");
        s.caFile = world + QStringLiteral("/ca.pem");
        QVERIFY(writeFile(s.caFile, kPem));
        s.connectTimeoutSeconds = 45;
        s.stallTimeoutSeconds = 90;
        s.runTimeoutSeconds = 7200;
        s.atticRetentionDays = 30;
        s.massChangeGuard = false;
        const auto saved = saveSettings(path, s);
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().text()));
        QCOMPARE(saved->settings, s);

        const auto after = MirrorStore(path).load();
        QVERIFY(after);
        QCOMPARE(after->settings, s);
        QCOMPARE(after->mirrors, before.mirrors);
        QCOMPARE(after->credentials, before.credentials);
        QCOMPARE(after->hostKeys, before.hostKeys);
        const QJsonObject json = QJsonDocument::fromJson(readAll(path)).object().value(u"settings"_s).toObject();
        QCOMPARE(json.value(u"stall_timeout"_s).toInt(), 90);
        QCOMPARE(json.value(u"mass_change_guard"_s).toBool(true), false);
        QCOMPARE(json.value(u"proxy"_s).toString(), s.proxy);
    }

    void saveCreatesAMissingConfig()
    {
        const QString path = newWorld() + QStringLiteral("/sub/mirrors.json");
        Settings s;
        s.concurrency = 2;
        QVERIFY(saveSettings(path, s));
        QCOMPARE(MirrorStore(path).load()->settings, s);
        QVERIFY(MirrorStore(path).load()->mirrors.isEmpty());
    }

    // Another process wrote the file after the caller read it: its mirrors stay.
    void anotherWritersMirrorsAreKept()
    {
        const QString world = newWorld();
        const QString path = world + QStringLiteral("/mirrors.json");
        QVERIFY(writeConfig(path, world + QStringLiteral("/caches")));
        Settings s = MirrorStore(path).load()->settings; // what a dialog opened with
        QVERIFY(MirrorStore(path).modify([](Config &c) {
            c.mirrors.append(pullMirror(QStringLiteral("three")));
            c.mirrors.removeAt(0);
            return Status{};
        }));
        const Config meanwhile = *MirrorStore(path).load();
        s.atticRetentionDays = 7;
        QVERIFY(saveSettings(path, s));
        const Config after = *MirrorStore(path).load();
        QCOMPARE(after.settings.atticRetentionDays, 7);
        QCOMPARE(after.mirrors, meanwhile.mirrors);
        QCOMPARE(after.mirrors.size(), 2);
        QCOMPARE(after.mirrors.at(1).name, u"three"_s);
    }

    void invalidSettingsLeaveTheFileUnchanged_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("field");
        QTest::newRow("concurrency") << "concurrency" << "concurrency";
        QTest::newRow("relative cache root") << "relative cache root" << "cache_root";
        QTest::newRow("cache root a file") << "cache root a file" << "cache_root";
        QTest::newRow("proxy") << "proxy" << "proxy";
        QTest::newRow("missing ca file") << "missing ca file" << "ca_file";
        QTest::newRow("ca file not pem") << "ca file not pem" << "ca_file";
    }

    void invalidSettingsLeaveTheFileUnchanged()
    {
        QFETCH(QString, what);
        QFETCH(QString, field);
        const QString world = newWorld();
        const QString path = world + QStringLiteral("/mirrors.json");
        QVERIFY(writeConfig(path, world + QStringLiteral("/caches")));
        QVERIFY(writeFile(world + QStringLiteral("/notes.txt"), "not a certificate\n"));
        const QByteArray bytes = readAll(path);
        Settings s = MirrorStore(path).load()->settings;
        if (what == u"concurrency"_s)
            s.concurrency = 0;
        else if (what == u"relative cache root"_s)
            s.cacheRoot = QStringLiteral("caches");
        else if (what == u"cache root a file"_s)
            s.cacheRoot = world + QStringLiteral("/notes.txt");
        else if (what == u"proxy"_s)
            s.proxy = QStringLiteral("http://user:secret@proxy:3128");
        else if (what == u"missing ca file"_s)
            s.caFile = world + QStringLiteral("/none.pem");
        else
            s.caFile = world + QStringLiteral("/notes.txt");
        const auto saved = saveSettings(path, s);
        QVERIFY(!saved);
        QCOMPARE(saved.error().category, ErrorCategory::Config);
        QCOMPARE(saved.error().field, field);
        QVERIFY(!saved.error().text().contains(u"secret"_s));
        QCOMPARE(readAll(path), bytes);
        QVERIFY(!QFileInfo::exists(world + QStringLiteral("/caches")));
    }

    // A cache root that puts the mirrors' default caches inside another mirror's cache.
    void aCacheRootTheMirrorsRefuseIsNotSaved()
    {
        const QString world = newWorld();
        const QString path = world + QStringLiteral("/mirrors.json");
        QVERIFY(writeConfig(path, world + QStringLiteral("/caches")));
        QVERIFY(MirrorStore(path).modify([&](Config &c) {
            Mirror own = pullMirror(QStringLiteral("own"));
            own.cachePath = world + QStringLiteral("/own.git");
            c.mirrors.append(own);
            return Status{};
        }));
        const QByteArray bytes = readAll(path);
        Settings s = MirrorStore(path).load()->settings;
        s.cacheRoot = world + QStringLiteral("/own.git");
        const auto saved = saveSettings(path, s);
        QVERIFY(!saved);
        QVERIFY2(saved.error().text().contains(u"overlaps"_s), qPrintable(saved.error().text()));
        QCOMPARE(readAll(path), bytes);
    }

    void aCorruptConfigIsRefused_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("not json") << QByteArray("{\"schema_version\": 1, \"mirrors\": [");
        QTest::newRow("newer schema") << QByteArray("{\"schema_version\": 3, \"mirrors\": []}\n");
        QTest::newRow("bad mirror") << QByteArray("{\"schema_version\": 1, \"mirrors\": [{\"name\": \"../x\"}]}\n");
    }

    void aCorruptConfigIsRefused()
    {
        QFETCH(QByteArray, content);
        const QString path = newWorld() + QStringLiteral("/mirrors.json");
        QVERIFY(writeFile(path, content));
        Settings s;
        s.concurrency = 2;
        const auto saved = saveSettings(path, s);
        QVERIFY(!saved);
        QCOMPARE(saved.error().category, ErrorCategory::Config);
        QVERIFY2(saved.error().message.contains(u"is invalid (left unchanged)"_s), qPrintable(saved.error().message));
        QCOMPARE(readAll(path), content);
    }

    void aReadOnlyFolderIsRefused()
    {
        if (::geteuid() == 0)
            QSKIP("running as root: every folder is writable");
        const QString world = newWorld();
        const QString path = world + QStringLiteral("/mirrors.json");
        QVERIFY(writeConfig(path, world + QStringLiteral("/caches")));
        const QByteArray bytes = readAll(path);
        QVERIFY(QFile::setPermissions(world, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        Settings s;
        s.concurrency = 2;
        const auto saved = saveSettings(path, s);
        QVERIFY(QFile::setPermissions(world, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        QVERIFY(!saved);
        QVERIFY2(saved.error().message.contains(u"permission denied"_s), qPrintable(saved.error().message));
        QCOMPARE(readAll(path), bytes);
    }
};

QTEST_GUILESS_MAIN(TestSettingsOps)
#include "TestSettingsOps.moc"
