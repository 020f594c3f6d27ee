#include "mirror/MirrorStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace md;

Q_DECLARE_METATYPE(md::Config)

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


// `count` pull mirrors named like an organisation's repositories ("org-7/repo-3"), caches at the
// default place under /srv/mirrors.
Config manyMirrors(int count)
{
    Config config;
    config.settings.cacheRoot = QStringLiteral("/srv/mirrors");
    for (int i = 0; i < count; ++i) {
        Mirror m;
        m.name = QStringLiteral("org-%1/repo-%2").arg(i / 25 + 1).arg(i % 25 + 1);
        m.source.url = QStringLiteral("git://127.0.0.1:9/%1.git").arg(m.name);
        config.mirrors.append(m);
    }
    return config;
}

Mirror pushMirror(const QString &name, const QString &source)
{
    Mirror push;
    push.name = name;
    push.shape = Shape::Push;
    push.source.url = source;
    push.target.url = QStringLiteral("https://h/%1.git").arg(name);
    return push;
}

// The overlap rule as first written, one comparison per pair: the claims are every local
// repository (by mirror, source before target), then the caches by mirror; each cache is compared
// with the claims before its own. The first mirror with a conflict and its first claim win.
Status overlapsPairwise(const Config &config)
{
    QList<QPair<QString, QString>> claims;
    for (const Mirror &m : config.mirrors) {
        if (m.shape == Shape::Push)
            claims.append({QDir::cleanPath(m.source.url), QStringLiteral("the local repository of mirror \"%1\"").arg(m.name)});
    }
    for (int i = 0; i < config.mirrors.size(); ++i) {
        const QString cache = config.cachePathOf(config.mirrors.at(i));
        for (const auto &claim : claims) {
            if (pathsOverlap(cache, claim.first))
                return Error::config(QStringLiteral("mirrors[%1].cache_path").arg(i),
                                     QStringLiteral("%1 overlaps %2 (%3)").arg(cache, claim.second, claim.first));
        }
        claims.append({cache, QStringLiteral("the cache of mirror \"%1\"").arg(config.mirrors.at(i).name)});
    }
    return {};
}


// The config file as Qt prints it: one QJsonObject per mirror from mirrorToJson(), then
// QJsonDocument::toJson(). configToJson() writes the mirrors directly; the bytes must not differ.
QByteArray configAsQtWritesIt(const Config &config)
{
    QJsonArray mirrors;
    for (const Mirror &m : config.mirrors)
        mirrors.append(mirrorToJson(m));
    QJsonArray credentials;
    for (const Credential &c : config.credentials)
        credentials.append(credentialToJson(c));
    QJsonObject hostKeys;
    for (auto it = config.hostKeys.begin(); it != config.hostKeys.end(); ++it)
        hostKeys.insert(it.key(), QJsonArray::fromStringList(it.value()));
    QJsonArray orgs;
    for (const OrgMirror &org : config.orgs)
        orgs.append(orgToJson(org));
    const QJsonObject root{
        {QStringLiteral("orgs"), orgs},
        {QStringLiteral("schema_version"), Config::kSchemaVersion},
        {QStringLiteral("settings"), settingsToJson(config.settings)},
        {QStringLiteral("credentials"), credentials},
        {QStringLiteral("host_keys"), hostKeys},
        {QStringLiteral("mirrors"), mirrors},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

// A mirror with every optional field set and text that needs escaping.
Mirror everyField()
{
    Mirror m;
    m.name = QStringLiteral("org.x/every_field-1");
    m.shape = Shape::Relay;
    m.source = Endpoint{QStringLiteral("https://h/org/\u00fcber.git"), QStringLiteral("gh"), QStringLiteral("http://proxy:3128")};
    m.target = Endpoint{QStringLiteral("git@h:org/x.git"), QStringLiteral("deploy"), QStringLiteral("https://p2:8443")};
    m.cachePath = QStringLiteral("/srv/caches/\"quoted\"\\back.git");
    m.enabled = false;
    m.intervalMinutes = 7;
    m.minUpdateIntervalSeconds = 0;
    m.keepDivergentRefs = true;
    m.protectedBranches = {QStringLiteral("main"), QStringLiteral("release/*"), QStringLiteral("caf\u00e9"),
                           QString::fromUtf16(u"emoji-\U0001F600")};
    m.mirrorBranchRegex = QStringLiteral("^(main|rel/\\d+)\"\t\x01$") + QChar(0xd800) + QChar(0x7f);
    m.mirrorOverwritesDivergedBranches = false;
    m.prune = PrunePolicy::None;
    m.mirrorTags = TagPolicy::Reachable;
    return m;
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

    void writesWhatQtWrites_data()
    {
        QTest::addColumn<Config>("config");
        QTest::newRow("empty") << Config{};
        QTest::newRow("sample") << sampleConfig();
        Config all = sampleConfig();
        all.mirrors.append(everyField());
        Mirror push = pushMirror(QStringLiteral("push"), QStringLiteral("/home/me/src"));
        push.prune = PrunePolicy::Merged;
        all.mirrors.append(push);
        QTest::newRow("every field") << all;
        QTest::newRow("many") << manyMirrors(50);
        // An org mirror with every field, and a mirror it made.
        Config withOrg = sampleConfig();
        OrgMirror org;
        org.name = QStringLiteral("acme");
        org.provider = providers::Provider::GitLab;
        org.apiUrl = QStringLiteral("https://gitlab.example/api/v4");
        org.owner = QStringLiteral("grp/sub");
        org.credential = QStringLiteral("gh");
        org.regex = QStringLiteral("^(api|web)-\\w+$ \"quoted\"");
        org.includeArchived = true;
        org.includeForks = true;
        org.target = OrgTarget{{}, QStringLiteral("https://bbs.example/projects/MIR"), QStringLiteral("gh")};
        org.syncNew = true;
        org.gone = GonePolicy::Disable;
        org.intervalMinutes = 30;
        withOrg.orgs.append(org);
        Mirror made = withOrg.mirrors.first();
        made.name = QStringLiteral("acme/grp/sub/api");
        made.cachePath.clear();
        made.org = QStringLiteral("acme");
        made.orgRepository = QStringLiteral("grp/sub/api");
        withOrg.mirrors.append(made);
        QVERIFY(withOrg.validate());
        QTest::newRow("org") << withOrg;
    }
    void writesWhatQtWrites()
    {
        QFETCH(Config, config);
        QCOMPARE(configToJson(config), configAsQtWritesIt(config));
        // And reads back as it was (when it is a valid config: "every field" sets fields no one mirror may have together).
        if (!config.validate())
            return;
        auto read = configFromJson(configToJson(config));
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().text()));
        QCOMPARE(*read, config);
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

    void crossChecksAtScale_data()
    {
        QTest::addColumn<QByteArray>("change");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("valid") << QByteArray("none") << QString() << QString();
        QTest::newRow("duplicate name ignoring case in the middle")
            << QByteArray("dup-name") << "mirrors[1000].name" << "a mirror named \"org-17/repo-1\" already exists";
        QTest::newRow("cache inside the last cache")
            << QByteArray("inside-last") << "mirrors[1999].cache_path" << "overlaps the cache of mirror \"org-80/repo-24\"";
        QTest::newRow("cache inside an early cache, at the end")
            << QByteArray("inside-early") << "mirrors[1999].cache_path" << "overlaps the cache of mirror \"org-5/repo-3\"";
        QTest::newRow("cache holding earlier caches, at the end")
            << QByteArray("holds-caches") << "mirrors[1999].cache_path" << "overlaps the cache of mirror \"org-5/repo-1\"";
        QTest::newRow("same cache ignoring case, at the end")
            << QByteArray("same-cache") << "mirrors[1999].cache_path" << "overlaps the cache of mirror \"org-41/repo-8\"";
        QTest::newRow("the lowest mirror index wins")
            << QByteArray("both") << "mirrors[1000].name" << "already exists";
        QTest::newRow("a local repository at the end holding early caches")
            << QByteArray("push-source") << "mirrors[150].cache_path" << "overlaps the local repository of mirror \"push\"";
        QTest::newRow("duplicate credential among many")
            << QByteArray("dup-cred") << "credentials[1500].name" << "a credential named \"cred-700\" already exists";
    }
    void crossChecksAtScale()
    {
        QFETCH(QByteArray, change);
        QFETCH(QString, field);
        QFETCH(QString, message);
        Config config = manyMirrors(2000);
        if (change == "dup-name" || change == "both") {
            config.mirrors[1000].name = QStringLiteral("ORG-17/Repo-1"); // mirror 400 is org-17/repo-1
            config.mirrors[1000].cachePath = QStringLiteral("/srv/other/dup.git");
        }
        if (change == "inside-last" || change == "both")
            config.mirrors[1999].cachePath = QStringLiteral("/srv/mirrors/org-80/repo-24.git/inner.git");
        if (change == "inside-early")
            config.mirrors[1999].cachePath = QStringLiteral("/srv/mirrors/org-5/repo-3.git/objects");
        if (change == "holds-caches")
            config.mirrors[1999].cachePath = QStringLiteral("/srv/mirrors/org-5");
        if (change == "same-cache")
            config.mirrors[1999].cachePath = QStringLiteral("/SRV/Mirrors/org-41/REPO-8.git/");
        if (change == "push-source")
            config.mirrors.append(pushMirror(QStringLiteral("push"), QStringLiteral("/srv/mirrors/org-7")));
        if (change == "dup-cred") {
            for (int i = 0; i < 2000; ++i)
                config.credentials.append(Credential{QStringLiteral("cred-%1").arg(i), CredentialKind::Token, QString(),
                                                     SecretSource{SecretSource::Kind::Env, QStringLiteral("TOKEN")}});
            config.credentials[1500].name = QStringLiteral("Cred-700");
        }
        const Status status = config.validate();
        auto parsed = configFromJson(configToJson(config));
        if (field.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().text()));
            QVERIFY(parsed.ok());
            QCOMPARE(*parsed, config);
            return;
        }
        QVERIFY(!status.ok());
        QCOMPARE(status.error().field, field);
        QVERIFY2(status.error().message.contains(message), qPrintable(status.error().message));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().field, field);
        QCOMPARE(parsed.error().message, status.error().message);
    }

    void overlapsAgreeWithPairwiseCheck()
    {
        // Random nested cache paths and push sources (case varied) in a small tree: the sorted walk
        // reports what comparing every pair reports, first conflict and its claim included.
        QRandomGenerator random(20261201);
        const QStringList parts{QStringLiteral("a"), QStringLiteral("A"), QStringLiteral("b"), QStringLiteral("c.git"),
                                QStringLiteral("a-b"), QStringLiteral("."), QStringLiteral(".."), QString()};
        auto randomPath = [&] {
            QString path = QStringLiteral("/srv");
            for (int depth = 1 + random.bounded(4); depth > 0; --depth)
                path += QLatin1Char('/') + parts.at(random.bounded(parts.size()));
            return random.bounded(5) == 0 ? path + QLatin1Char('/') : path;
        };
        int conflicts = 0;
        for (int round = 0; round < 400; ++round) {
            Config config;
            config.settings.cacheRoot = QStringLiteral("/srv/a");
            const int count = 1 + random.bounded(30);
            for (int i = 0; i < count; ++i) {
                const QString name = QStringLiteral("m%1").arg(i);
                Mirror m = random.bounded(6) == 0 ? pushMirror(name, randomPath()) : manyMirrors(1).mirrors.first();
                m.name = name;
                if (random.bounded(4) != 0)
                    m.cachePath = randomPath();
                config.mirrors.append(m);
            }
            const Status expected = overlapsPairwise(config);
            const Status status = config.validate();
            QCOMPARE(status.ok(), expected.ok());
            if (!expected.ok()) {
                ++conflicts;
                QCOMPARE(status.error().field, expected.error().field);
                QCOMPARE(status.error().message, expected.error().message);
            }
        }
        QVERIFY(conflicts > 100 && conflicts < 400); // both outcomes were exercised
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
        QTest::newRow("future version") << QByteArray("{\"schema_version\": 3, \"mirrors\": []}") << "version 3 is not supported";
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
