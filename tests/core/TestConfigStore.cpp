#include "mirror/MirrorStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace md;

namespace {

const QString kEd25519 = QStringLiteral(
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");

Config sampleConfig()
{
    Config config;
    config.settings.concurrency = 4;
    config.settings.cacheRoot = QStringLiteral("/srv/mirrors");
    config.settings.massChangeGuard = false;
    config.credentials.append(Credential{QStringLiteral("gh"), CredentialKind::Token, QString(),
                                         SecretSource{SecretSource::Kind::Env, QStringLiteral("GH_TOKEN")}});
    config.credentials.append(Credential{QStringLiteral("deploy"), CredentialKind::SshKey, QStringLiteral("git"),
                                         SecretSource{SecretSource::Kind::File, QStringLiteral("/etc/mirrordesk/key")}});
    config.hostKeys.insert(QStringLiteral("gitlab.example.org:22"), {kEd25519});
    Mirror pull;
    pull.name = QStringLiteral("gh/org/repo");
    pull.source = Endpoint{QStringLiteral("https://github.com/org/repo.git"), QStringLiteral("gh"), QString()};
    config.mirrors.append(pull);
    Mirror relay;
    relay.name = QStringLiteral("relay");
    relay.shape = Shape::Relay;
    relay.source.url = QStringLiteral("https://github.com/org/other.git");
    relay.target = Endpoint{QStringLiteral("git@gitlab.example.org:org/other.git"), QStringLiteral("deploy"), QString()};
    relay.keepDivergentRefs = true;
    config.mirrors.append(relay);
    return config;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(data);
}

Status addMirror(Config &config, const QString &name)
{
    Mirror m;
    m.name = name;
    m.source.url = QStringLiteral("https://h/%1.git").arg(name);
    config.mirrors.append(m);
    return {};
}

} // namespace

class TestConfigStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        const Config config = sampleConfig();
        QVERIFY(config.validate().ok());
        auto back = configFromJson(configToJson(config));
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().text()));
        QCOMPARE(*back, config);
        const QJsonObject root = QJsonDocument::fromJson(configToJson(config)).object();
        QCOMPARE(root.value(QStringLiteral("schema_version")).toInt(), Config::kSchemaVersion);
    }

    void settingsDefaults()
    {
        auto config = configFromJson(QByteArrayLiteral("{\"schema_version\": 1}"));
        QVERIFY(config.ok());
        const Settings &s = config->settings;
        QCOMPARE(s.concurrency, 8);
        QCOMPARE(s.perHostConcurrency, 8);
        QCOMPARE(s.defaultIntervalMinutes, 5);
        QCOMPARE(s.connectTimeoutSeconds, 30);
        QCOMPARE(s.stallTimeoutSeconds, 600);
        QCOMPARE(s.runTimeoutSeconds, 3 * 3600);
        QCOMPARE(s.atticRetentionDays, 90);
        QVERIFY(s.massChangeGuard);
        QVERIFY(config->cacheRoot().endsWith(QLatin1String("/caches")));
    }

    void crossChecks_data()
    {
        QTest::addColumn<QByteArray>("change");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("duplicate name ignoring case") << QByteArray("dup-name") << "mirrors[2].name" << "already exists";
        QTest::newRow("missing credential") << QByteArray("missing-cred") << "mirrors[0].source.credential" << "no credential named";
        QTest::newRow("token on ssh") << QByteArray("token-on-ssh") << "mirrors[1].target.credential" << "needs an ssh_key";
        QTest::newRow("ssh key on https") << QByteArray("ssh-on-https") << "mirrors[0].source.credential" << "is not SSH";
        QTest::newRow("same cache") << QByteArray("same-cache") << "mirrors[1].cache_path" << "overlaps the cache of mirror \"gh/org/repo\"";
        QTest::newRow("cache inside a cache") << QByteArray("nested-cache") << "mirrors[1].cache_path" << "overlaps the cache";
        QTest::newRow("cache is a push source") << QByteArray("cache-is-source") << "mirrors[2].cache_path" << "overlaps the local repository of mirror \"push\"";
        QTest::newRow("duplicate credential") << QByteArray("dup-cred") << "credentials[2].name" << "already exists";
        QTest::newRow("host key garbage") << QByteArray("bad-key") << "host_keys.gitlab.example.org:22" << "not valid base64";
        QTest::newRow("host not normalised") << QByteArray("host-form") << "host_keys.GitLab.example.org" << "write the host as";
        QTest::newRow("settings range") << QByteArray("settings") << "settings.concurrency" << "between 1 and 256";
    }
    void crossChecks()
    {
        QFETCH(QByteArray, change);
        QFETCH(QString, field);
        QFETCH(QString, message);
        Config config = sampleConfig();
        if (change == "dup-name") {
            Mirror m = config.mirrors.first();
            m.name = QStringLiteral("GH/Org/Repo");
            m.cachePath = QStringLiteral("/other.git");
            config.mirrors.append(m);
        } else if (change == "missing-cred") {
            config.mirrors[0].source.credential = QStringLiteral("nope");
        } else if (change == "token-on-ssh") {
            config.mirrors[1].target.credential = QStringLiteral("gh");
        } else if (change == "ssh-on-https") {
            config.mirrors[0].source.credential = QStringLiteral("deploy");
        } else if (change == "same-cache") {
            config.mirrors[1].cachePath = QStringLiteral("/srv/mirrors/gh/org/repo.git");
        } else if (change == "nested-cache") {
            config.mirrors[1].cachePath = QStringLiteral("/srv/mirrors/gh/org/repo.git/inner.git");
        } else if (change == "cache-is-source") {
            Mirror push;
            push.name = QStringLiteral("push");
            push.shape = Shape::Push;
            push.source.url = QStringLiteral("/home/me/src");
            push.target.url = QStringLiteral("https://h/t.git");
            push.cachePath = QStringLiteral("/home/me/src/.git");
            config.mirrors.append(push);
        } else if (change == "dup-cred") {
            Credential c = config.credentials.first();
            c.name = QStringLiteral("GH");
            config.credentials.append(c);
        } else if (change == "bad-key") {
            config.hostKeys[QStringLiteral("gitlab.example.org:22")] = {QStringLiteral("ssh-ed25519 !!!notbase64")};
        } else if (change == "host-form") {
            config.hostKeys.insert(QStringLiteral("GitLab.example.org"), {kEd25519});
        } else if (change == "settings") {
            QJsonObject root = QJsonDocument::fromJson(configToJson(config)).object();
            QJsonObject settings = root.value(QStringLiteral("settings")).toObject();
            settings.insert(QStringLiteral("concurrency"), 0);
            root.insert(QStringLiteral("settings"), settings);
            auto parsed = configFromJson(QJsonDocument(root).toJson());
            QVERIFY(!parsed.ok());
            QCOMPARE(parsed.error().field, field);
            QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
            return;
        }
        const Status status = config.validate();
        QVERIFY(!status.ok());
        QCOMPARE(status.error().field, field);
        QVERIFY2(status.error().message.contains(message), qPrintable(status.error().message));
        // The same document read from JSON is refused the same way.
        auto parsed = configFromJson(configToJson(config));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().field, field);
    }

    void lookupIgnoresCase()
    {
        const Config config = sampleConfig();
        QCOMPARE(config.indexOfMirror(QStringLiteral("RELAY")), 1);
        QCOMPARE(config.indexOfMirror(QStringLiteral("relay")), 1);
        QCOMPARE(config.indexOfMirror(QStringLiteral("nope")), -1);
        QVERIFY(config.credential(QStringLiteral("Deploy")));
    }

    void missingFileReadsEmpty()
    {
        QTemporaryDir dir;
        MirrorStore store(dir.filePath(QStringLiteral("sub/mirrors.json")));
        auto config = store.load();
        QVERIFY(config.ok());
        QVERIFY(config->mirrors.isEmpty());
        QVERIFY(!store.exists());
    }

    void modifySavesAtomically()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("conf/mirrors.json"));
        MirrorStore store(path);
        auto saved = store.modify([](Config &c) { return addMirror(c, QStringLiteral("one")); });
        QVERIFY(saved.ok());
        auto loaded = store.load();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->mirrors.size(), 1);
        QCOMPARE(loaded->mirrors.first().name, QStringLiteral("one"));
        // No temp or lock file is left beside the config.
        QCOMPARE(QDir(dir.filePath(QStringLiteral("conf"))).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("mirrors.json")});
    }

    void failedEditChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mirrors.json"));
        MirrorStore store(path);
        QVERIFY(store.modify([](Config &c) { return addMirror(c, QStringLiteral("one")); }).ok());
        const QByteArray before = readAll(path);
        auto refused = store.modify([](Config &c) -> Status {
            (void)addMirror(c, QStringLiteral("two"));
            return Error::usage(QStringLiteral("changed my mind"));
        });
        QVERIFY(!refused.ok());
        QCOMPARE(readAll(path), before);
        auto invalid = store.modify([](Config &c) { return addMirror(c, QStringLiteral("ONE")); });
        QVERIFY(!invalid.ok());
        QVERIFY(invalid.error().message.contains(QLatin1String("already exists")));
        QCOMPARE(readAll(path), before);
    }

    void corruptFileLeftUntouched_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{\"schema_version\": 1, \"mirrors\": [") << "not valid JSON";
        QTest::newRow("array") << QByteArray("[]") << "top level must be a JSON object";
        QTest::newRow("no version") << QByteArray("{\"mirrors\": []}") << "schema_version";
        QTest::newRow("future version") << QByteArray("{\"schema_version\": 2, \"mirrors\": []}") << "version 2 is not supported";
        QTest::newRow("unknown key") << QByteArray("{\"schema_version\": 1, \"mirors\": []}") << "mirors: unknown field";
        QTest::newRow("bad mirror") << QByteArray("{\"schema_version\": 1, \"mirrors\": [{\"name\": \"x\", \"shape\": \"pull\", "
                                                  "\"source\": {\"url\": \"ftp://h/x\"}}]}")
                                    << "mirrors[0].source.url";
    }
    void corruptFileLeftUntouched()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mirrors.json"));
        writeFile(path, content);
        MirrorStore store(path);
        auto loaded = store.load();
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message.contains(message), qPrintable(loaded.error().message));
        QVERIFY(loaded.error().message.contains(path));
        QVERIFY(loaded.error().message.contains(QLatin1String("left unchanged")));
        auto modified = store.modify([](Config &c) { return addMirror(c, QStringLiteral("x")); });
        QVERIFY(!modified.ok());
        QCOMPARE(readAll(path), content);
    }

    void concurrentModifiesLoseNothing()
    {
        // Several stores on one file, as several processes would have: the lock serialises them.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mirrors.json"));
        QList<QThread *> threads;
        for (int i = 0; i < 6; ++i) {
            threads.append(QThread::create([path, i] {
                MirrorStore store(path);
                for (int j = 0; j < 5; ++j) {
                    auto saved = store.modify([&](Config &c) { return addMirror(c, QStringLiteral("m%1-%2").arg(i).arg(j)); });
                    if (!saved.ok())
                        qWarning("modify failed: %s", qPrintable(saved.error().message));
                }
            }));
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
        auto loaded = MirrorStore(path).load();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->mirrors.size(), 30);
    }
};

QTEST_GUILESS_MAIN(TestConfigStore)
#include "TestConfigStore.moc"
