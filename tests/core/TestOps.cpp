// The operations layer (DESIGN section 2, core/ops) without the command line: MirrorOps,
// CredentialOps, HostKeyOps, AtticOps and selectMirrors over a private config and state folder,
// with caches made by the real git command line.
#include "GitRepoBuilder.h"
#include "mirror/CacheGuard.h"
#include "mirror/CacheLock.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "ops/AtticOps.h"
#include "ops/CredentialOps.h"
#include "ops/HostKeyOps.h"
#include "ops/MirrorOps.h"
#include "ops/RunOps.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace md;
using namespace Qt::StringLiterals;
using md::fixtures::GitRepoBuilder;

namespace {

// The error of a failed result, for QVERIFY2's message (which is evaluated either way).
template <typename R>
QString why(const R &result)
{
    return result.ok() ? u"(no error)"_s : result.error().text();
}

// The category of a result: None when it succeeded (so a wrong success fails the comparison).
template <typename R>
ErrorCategory categoryOf(const R &result)
{
    return result.ok() ? ErrorCategory::None : result.error().category;
}

// CredentialOps::remove answers on the event loop (a keychain secret may go with it).
Status removeCredential(CredentialOps &ops, const QString &name)
{
    std::optional<Status> result;
    QObject receiver;
    ops.remove(name, false, &receiver, [&result](Result<CredentialOps::Removed> removed) {
        result = removed ? Status{} : Status(removed.error());
    });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return Error::io(u"CredentialOps::remove never answered"_s);
    return *result;
}

// Two real ed25519 public keys (ssh-keygen -t ed25519), public material only.
const QString kKeyOne = u"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIELoaITXqnIVfM03OTKm7dVm9FWVeTuWc5W88Wvd+jUb one"_s;
const QString kKeyTwo = u"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEPr9ooRMmOqoaWwzoIGyzVabizbcwAPz4dX1yoPK4rv two"_s;

// One private world per test: config, state folder and cache root in a temporary folder.
class World {
public:
    World()
    {
        if (m_dir.isValid())
            m_ok = MirrorStore(configPath()).modify([&](Config &c) {
                c.settings.cacheRoot = cacheRoot();
                return Status{};
            }).ok();
    }

    bool isValid() const { return m_dir.isValid() && m_ok; }
    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    QString configPath() const { return path(u"config/mirrors.json"_s); }
    QString stateDir() const { return path(u"state"_s); }
    QString cacheRoot() const { return path(u"caches"_s); }

    Config config() const
    {
        auto loaded = MirrorStore(configPath()).load();
        return loaded ? *loaded : Config{};
    }
    QByteArray configBytes() const
    {
        QFile file(configPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    QString cacheOf(const QString &mirror) const
    {
        const Config c = config();
        const Mirror *m = c.mirror(mirror);
        return m ? c.cachePathOf(*m) : QString();
    }
    // The consecutive_failures recorded for a mirror (a marker set by the test), -1 when unreadable.
    int failuresOf(const QString &mirror) const
    {
        const auto status = StateStore(stateDir()).status(mirror);
        return status ? status->consecutiveFailures : -1;
    }
    bool writeFailures(const QString &mirror, int failures) const
    {
        StatusRecord status;
        status.consecutiveFailures = failures;
        return StateStore(stateDir()).saveStatus(mirror, status).ok();
    }

private:
    QTemporaryDir m_dir;
    bool m_ok = false;
};

Mirror pullMirror(const QString &name, const QString &url = {})
{
    Mirror m;
    m.name = name;
    m.source.url = url.isEmpty() ? u"https://example.org/%1.git"_s.arg(name) : url;
    return m;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool isBareRepo(const QString &path)
{
    return QFileInfo(path + u"/HEAD"_s).isFile() && QFileInfo(path + u"/objects"_s).isDir();
}

// Every ref of a repository as "name oid" lines (git CLI).
QString refsOf(const QString &repo)
{
    return GitRepoBuilder::run({u"for-each-ref"_s, u"--format=%(refname) %(objectname)"_s}, repo);
}

QStringList atticRefs(const QString &repo)
{
    return GitRepoBuilder::run({u"for-each-ref"_s, u"--format=%(refname)"_s, u"refs/mirrordesk/attic/"_s}, repo)
        .split(u'\n', Qt::SkipEmptyParts);
}

QStringList namesOf(const QList<Mirror> &mirrors)
{
    QStringList names;
    for (const Mirror &m : mirrors)
        names.append(m.name);
    return names;
}

Credential tokenCredential(const QString &name)
{
    Credential c;
    c.name = name;
    c.kind = CredentialKind::Token;
    c.secretSource = SecretSource{SecretSource::Kind::Env, u"MD_TEST_TOKEN"_s};
    return c;
}

} // namespace

class TestOps : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_repos;
    QString m_work;
    QString m_c1; // older commit
    QString m_c2; // newer commit, child of m_c1

    // A pull mirror "m" whose default-placed cache is a bare repository with refs/heads/dev at
    // c2 and the given attic refs (full names) at c1.
    bool makeAtticCache(const World &world, const QStringList &atticRefNames)
    {
        if (!MirrorOps(world.configPath(), world.stateDir()).add(pullMirror(u"m"_s)))
            return false;
        const QString cache = world.cacheOf(u"m"_s);
        bool ok = false;
        [&] {
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(cache));
            QVERIFY(markCache(cache, u"m"_s).ok()); // as MirrorDesk makes its caches
            QStringList specs{m_c2 + u":refs/heads/dev"_s};
            for (const QString &ref : atticRefNames)
                specs.append(m_c1 + u':' + ref);
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, cache, specs));
            ok = true;
        }();
        return ok;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_repos.isValid());
        m_work = m_repos.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(m_c1 = GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(m_c2 = GitRepoBuilder::commit(m_work, u"a.txt"_s, u"2"_s, u"two"_s));
        QVERIFY(m_c1 != m_c2);
    }

    // --- MirrorOps ---------------------------------------------------------------------------

    void addThenEditAField()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        const auto added = ops.add(pullMirror(u"team/repo"_s));
        QVERIFY2(added.ok(), qPrintable(why(added)));
        QCOMPARE(world.config().mirrors.size(), 1);
        QCOMPARE(world.config().settings.cacheRoot, world.cacheRoot()); // the rest of the config kept

        // The same name in another case is refused; the config is unchanged.
        const QByteArray before = world.configBytes();
        const auto clash = ops.add(pullMirror(u"Team/Repo"_s));
        QVERIFY(!clash.ok());
        QCOMPARE(categoryOf(clash), ErrorCategory::Config);
        QCOMPARE(world.configBytes(), before);

        // Looked up ignoring case, one field changed, nothing else.
        const auto edited = ops.edit(u"TEAM/REPO"_s, [](Mirror &m) {
            m.intervalMinutes = 17;
            return Status{};
        }, false);
        QVERIFY2(edited.ok(), qPrintable(why(edited)));
        QVERIFY(edited->movedCacheTo.isEmpty());
        const Config config = world.config();
        QCOMPARE(config.mirrors.size(), 1);
        Mirror expected = pullMirror(u"team/repo"_s);
        expected.intervalMinutes = 17;
        QCOMPARE(config.mirrors.first(), expected);
        QCOMPARE(edited->config, config);

        // A change that fails, or one that makes the mirror invalid, saves nothing.
        const QByteArray saved = world.configBytes();
        QVERIFY(!ops.edit(u"team/repo"_s, [](Mirror &) { return Status(Error::usage(u"no"_s)); }, false).ok());
        QVERIFY(!ops.edit(u"team/repo"_s, [](Mirror &m) {
            m.intervalMinutes = -3;
            return Status{};
        }, false).ok());
        QCOMPARE(world.configBytes(), saved);
        const auto unknown = ops.edit(u"nobody"_s, [](Mirror &) { return Status{}; }, false);
        QVERIFY(!unknown.ok());
        QCOMPARE(categoryOf(unknown), ErrorCategory::Usage);
    }

    void editOfTheCachePathMovesTheCache()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"m"_s)).ok());
        const QString oldCache = world.cacheOf(u"m"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(oldCache));
        const QString newCache = world.path(u"elsewhere/m.git"_s);
        const auto edited = ops.edit(u"m"_s, [&](Mirror &m) {
            m.cachePath = newCache;
            return Status{};
        }, false);
        QVERIFY2(edited.ok(), qPrintable(why(edited)));
        QCOMPARE(edited->movedCacheTo, newCache);
        QVERIFY(!QFileInfo::exists(oldCache));
        QVERIFY(isBareRepo(newCache));
        QCOMPARE(world.cacheOf(u"m"_s), newCache);
    }

    void renameMovesConfigStateAndCache()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"team/a"_s)).ok());
        const QString oldCache = world.cacheOf(u"team/a"_s);
        QCOMPARE(oldCache, world.cacheRoot() + u"/team/a.git"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(oldCache));
        QVERIFY(writeFile(oldCache + u"/marker"_s, "cache of team/a"));
        QVERIFY(world.writeFailures(u"team/a"_s, 3));
        const QString oldState = StateStore(world.stateDir()).fileOf(u"team/a"_s);
        QVERIFY(QFileInfo::exists(oldState));

        const auto renamed = ops.rename(u"team/a"_s, u"other/b"_s);
        QVERIFY2(renamed.ok(), qPrintable(why(renamed)));
        const QString newCache = world.cacheRoot() + u"/other/b.git"_s;
        QCOMPARE(renamed->movedCacheTo, newCache);
        // The config entry.
        const Config config = world.config();
        QCOMPARE(namesOf(config.mirrors), QStringList{u"other/b"_s});
        QCOMPARE(config.mirrors.first().source.url, u"https://example.org/team/a.git"_s);
        QCOMPARE(world.cacheOf(u"other/b"_s), newCache);
        // The cache, with what was in it.
        QVERIFY(!QFileInfo::exists(oldCache));
        QVERIFY(isBareRepo(newCache));
        QCOMPARE(readFile(newCache + u"/marker"_s), QByteArray("cache of team/a"));
        // The state.
        QVERIFY(!QFileInfo::exists(oldState));
        QCOMPARE(world.failuresOf(u"other/b"_s), 3);
    }

    void renameRollsBackWhenTheStateCannotMove()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"a"_s)).ok());
        const QString oldCache = world.cacheOf(u"a"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(oldCache));
        QVERIFY(writeFile(oldCache + u"/marker"_s, "cache of a"));
        QVERIFY(world.writeFailures(u"a"_s, 1));
        // State left by an earlier mirror "b": StateStore::rename refuses to overwrite it, after
        // the cache has already been moved.
        QVERIFY(world.writeFailures(u"b"_s, 7));
        const QByteArray configBefore = world.configBytes();

        const auto renamed = ops.rename(u"a"_s, u"b"_s);
        QVERIFY(!renamed.ok());
        QCOMPARE(categoryOf(renamed), ErrorCategory::Io);
        // Everything is where the (unchanged) config says it is.
        QCOMPARE(world.configBytes(), configBefore);
        QVERIFY(isBareRepo(oldCache));
        QCOMPARE(readFile(oldCache + u"/marker"_s), QByteArray("cache of a"));
        QVERIFY(!QFileInfo::exists(world.cacheRoot() + u"/b.git"_s));
        QCOMPARE(world.failuresOf(u"a"_s), 1);
        QCOMPARE(world.failuresOf(u"b"_s), 7);
        // The cache's lock was let go: the mirror can be renamed once the way is clear.
        QVERIFY(StateStore(world.stateDir()).remove(u"b"_s).ok());
        QVERIFY(ops.rename(u"a"_s, u"b"_s).ok());
        QVERIFY(isBareRepo(world.cacheRoot() + u"/b.git"_s));
    }

    void renameRefusals()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"a"_s)).ok());
        QVERIFY(ops.add(pullMirror(u"c"_s)).ok());
        const QString cache = world.cacheOf(u"a"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(cache));
        QVERIFY(world.writeFailures(u"a"_s, 2));
        const QByteArray before = world.configBytes();

        // Onto another mirror's name (ignoring case), an invalid name, an unknown mirror.
        QCOMPARE(categoryOf(ops.rename(u"a"_s, u"C"_s)), ErrorCategory::Config);
        QVERIFY(!ops.rename(u"a"_s, u"../x"_s).ok());
        QCOMPARE(categoryOf(ops.rename(u"nobody"_s, u"x"_s)), ErrorCategory::Usage);
        // Something already at the new default cache path.
        QVERIFY(writeFile(world.cacheRoot() + u"/x.git/user-file"_s, "mine"));
        QVERIFY(!ops.rename(u"a"_s, u"x"_s).ok());
        QCOMPARE(readFile(world.cacheRoot() + u"/x.git/user-file"_s), QByteArray("mine"));
        // A mirror being synced (its cache locked) is not moved.
        {
            CacheLock lock(cache);
            QVERIFY(lock.tryLock(0));
            const auto locked = ops.rename(u"a"_s, u"y"_s);
            QVERIFY(!locked.ok());
            QVERIFY2(locked.error().message.contains(u"being updated"_s), qPrintable(why(locked)));
            QVERIFY(!QFileInfo::exists(world.cacheRoot() + u"/y.git"_s));
        }
        QCOMPARE(world.configBytes(), before);
        QVERIFY(isBareRepo(cache));
        QCOMPARE(world.failuresOf(u"a"_s), 2);
        QVERIFY(!QFileInfo::exists(StateStore(world.stateDir()).fileOf(u"y"_s)));
    }

    void renameOfALockedMirrorWithItsOwnCachePath()
    {
        // MirrorOps promises that a mirror being synced is not moved. With a cache path of its
        // own the cache stays where it is, but the config entry and the state file would move
        // under the running sync (which records its result under the old name).
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        Mirror m = pullMirror(u"a"_s);
        m.cachePath = world.path(u"served/a.git"_s);
        QVERIFY(ops.add(m).ok());
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m.cachePath));
        QVERIFY(world.writeFailures(u"a"_s, 4));
        const QByteArray before = world.configBytes();
        CacheLock lock(m.cachePath);
        QVERIFY(lock.tryLock(0));
        const auto renamed = ops.rename(u"a"_s, u"b"_s);
        QVERIFY(!renamed.ok());
        QCOMPARE(world.configBytes(), before);
        QCOMPARE(world.failuresOf(u"a"_s), 4);
    }

    void removeRefusesToDeleteWhatIsNotARepository()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"m"_s)).ok());
        const QString cache = world.cacheOf(u"m"_s);
        QVERIFY(writeFile(cache + u"/thesis.txt"_s, "a user's file"));
        const QByteArray before = world.configBytes();

        const auto removed = ops.remove(u"m"_s, true);
        QVERIFY(!removed.ok());
        QVERIFY2(removed.error().message.contains(u"not deleting the cache"_s), qPrintable(why(removed)));
        QVERIFY2(removed.error().message.contains(u"a folder with other files"_s), qPrintable(why(removed)));
        QCOMPARE(readFile(cache + u"/thesis.txt"_s), QByteArray("a user's file"));
        QCOMPARE(world.configBytes(), before);

        // Without --delete-cache the mirror goes and the folder stays as it was.
        const auto kept = ops.remove(u"m"_s, false);
        QVERIFY2(kept.ok(), qPrintable(why(kept)));
        QVERIFY(!kept->cacheDeleted);
        QVERIFY(kept->cacheExists);
        QCOMPARE(readFile(cache + u"/thesis.txt"_s), QByteArray("a user's file"));
        QVERIFY(world.config().mirrors.isEmpty());
    }

    void removeDeletesARepositoryCacheAndTheState()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"Team/M"_s)).ok());
        QVERIFY(ops.add(pullMirror(u"other"_s)).ok());
        const QString cache = world.cacheOf(u"Team/M"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(cache));
        QVERIFY(markCache(cache, u"Team/M"_s).ok());
        QVERIFY(world.writeFailures(u"Team/M"_s, 5));
        const auto removed = ops.remove(u"team/m"_s, true);
        QVERIFY2(removed.ok(), qPrintable(why(removed)));
        QCOMPARE(removed->name, u"Team/M"_s);
        QCOMPARE(removed->cachePath, cache);
        QVERIFY(removed->cacheDeleted);
        QVERIFY(!removed->stateError);
        QVERIFY(!QFileInfo::exists(cache));
        QVERIFY(!QFileInfo::exists(StateStore(world.stateDir()).fileOf(u"Team/M"_s)));
        QCOMPARE(namesOf(world.config().mirrors), QStringList{u"other"_s});
        QCOMPARE(categoryOf(ops.remove(u"team/m"_s, true)), ErrorCategory::Usage);
    }

    void removeWhileLockedIsRefused()
    {
        World world;
        QVERIFY(world.isValid());
        MirrorOps ops(world.configPath(), world.stateDir());
        QVERIFY(ops.add(pullMirror(u"m"_s)).ok());
        const QString cache = world.cacheOf(u"m"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(cache));
        QVERIFY(markCache(cache, u"m"_s).ok());
        QVERIFY(world.writeFailures(u"m"_s, 1));
        const QByteArray before = world.configBytes();
        {
            CacheLock lock(cache);
            QVERIFY(lock.tryLock(0));
            for (const bool deleteCache : {true, false}) {
                const auto removed = ops.remove(u"m"_s, deleteCache);
                QVERIFY(!removed.ok());
                QVERIFY2(removed.error().message.contains(u"being updated"_s), qPrintable(why(removed)));
            }
            QCOMPARE(world.configBytes(), before);
            QVERIFY(isBareRepo(cache));
            QCOMPARE(world.failuresOf(u"m"_s), 1);
        }
        // Once the sync is over, it goes.
        QVERIFY(ops.remove(u"m"_s, true).ok());
        QVERIFY(!QFileInfo::exists(cache));
    }

    // --- CredentialOps -----------------------------------------------------------------------

    void credentialsInUse()
    {
        World world;
        QVERIFY(world.isValid());
        CredentialOps credentials(world.configPath());
        QVERIFY(credentials.add(tokenCredential(u"tok"_s)).ok());
        QVERIFY(credentials.add(tokenCredential(u"spare"_s)).ok());
        QCOMPARE(categoryOf(credentials.add(tokenCredential(u"TOK"_s))), ErrorCategory::Config);
        MirrorOps mirrors(world.configPath(), world.stateDir());
        Mirror a = pullMirror(u"a"_s);
        a.source.credential = u"tok"_s;
        Mirror b = pullMirror(u"b"_s);
        b.source.credential = u"TOK"_s; // names compared ignoring case
        QVERIFY(mirrors.add(a).ok());
        QVERIFY(mirrors.add(pullMirror(u"c"_s)).ok());
        QVERIFY(mirrors.add(b).ok());

        const QByteArray before = world.configBytes();
        const Status refused = removeCredential(credentials, u"tok"_s);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"used by a, b"_s), qPrintable(why(refused)));
        QCOMPARE(world.configBytes(), before);

        const auto listed = credentials.list();
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 2);
        QCOMPARE(listed->at(0).credential.name, u"tok"_s);
        QCOMPARE(listed->at(0).usedBy, (QStringList{u"a"_s, u"b"_s}));
        QCOMPARE(listed->at(1).credential.name, u"spare"_s);
        QVERIFY(listed->at(1).usedBy.isEmpty());
        QCOMPARE(CredentialOps::usersOf(world.config(), u"Tok"_s), listed->at(0).usedBy);

        // An unused one goes; once its mirrors let go, so does the other.
        QVERIFY(removeCredential(credentials, u"SPARE"_s).ok());
        QVERIFY(mirrors.edit(u"a"_s, [](Mirror &m) { m.source.credential.clear(); return Status{}; }, false).ok());
        QVERIFY(mirrors.remove(u"b"_s, false).ok());
        QVERIFY(removeCredential(credentials, u"tok"_s).ok());
        QVERIFY(world.config().credentials.isEmpty());
        QCOMPARE(categoryOf(removeCredential(credentials, u"tok"_s)), ErrorCategory::Usage);
    }

    // A secret file is checked by the operation itself (the window's editor and the CLI alike):
    // missing, readable by others, or empty is refused; owner-only with content is accepted.
    void secretFilesAreCheckedByTheOps()
    {
        QTemporaryDir dir;
        Credential c;
        c.name = u"f"_s;
        c.kind = CredentialKind::Token;
        auto withFile = [&](const QString &path) {
            c.secretSource = SecretSource{SecretSource::Kind::File, path};
            return CredentialOps::validate(c, {});
        };
        QVERIFY(!withFile(dir.filePath(u"missing"_s)).ok());
        QFile file(dir.filePath(u"secret"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QVERIFY(QFile::setPermissions(file.fileName(), QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY2(withFile(file.fileName()).error().message.contains(u"empty"_s), qPrintable(why(withFile(file.fileName()))));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("token");
        file.close();
        QVERIFY2(withFile(file.fileName()).ok(), qPrintable(why(withFile(file.fileName()))));
        QVERIFY(QFile::setPermissions(file.fileName(), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        QVERIFY2(withFile(file.fileName()).error().message.contains(u"readable by others"_s), qPrintable(why(withFile(file.fileName()))));
    }

    // --- HostKeyOps --------------------------------------------------------------------------

    void hostKeysPinAndList()
    {
        World world;
        QVERIFY(world.isValid());
        HostKeyOps keys(world.configPath());
        const auto pinned = keys.pin(u"Example.ORG"_s, {kKeyOne, kKeyTwo, kKeyOne, kKeyTwo});
        QVERIFY2(pinned.ok(), qPrintable(why(pinned)));
        QCOMPARE(pinned->hostPort, u"example.org:22"_s);
        QCOMPARE(pinned->keys.size(), 2);
        QCOMPARE(world.config().hostKeys.keys(), QStringList{u"example.org:22"_s});
        QCOMPARE(world.config().hostKeys.value(u"example.org:22"_s).size(), 2);

        const auto listed = keys.list(u"example.org:22"_s);
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 1);
        QCOMPARE(listed->first().hostPort, u"example.org:22"_s);
        QCOMPARE(listed->first().keys.size(), 2);
        QCOMPARE(listed->first().keys.at(0).toLine(), pinned->keys.at(0).toLine());

        // Another port is another host; pinning again replaces that host's keys.
        QVERIFY(keys.pin(u"[example.org]:2222"_s, {kKeyTwo}).ok());
        QVERIFY(keys.pin(u"example.org"_s, {kKeyTwo}).ok());
        const auto all = keys.list();
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 2);
        QCOMPARE(keys.list(u"example.org"_s)->first().keys.size(), 1);
        QCOMPARE(keys.list(u"example.org:2222"_s)->first().keys.size(), 1);

        // A bad line is refused and nothing changes.
        const QByteArray before = world.configBytes();
        const auto bad = keys.pin(u"example.org"_s, {kKeyOne, u"ssh-ed25519 not-base64!"_s});
        QVERIFY(!bad.ok());
        QCOMPARE(categoryOf(bad), ErrorCategory::Usage);
        QCOMPARE(categoryOf(keys.pin(u"example.org"_s, {})), ErrorCategory::Usage);
        QVERIFY(!keys.pin(u"exa mple.org"_s, {kKeyOne}).ok());
        QCOMPARE(world.configBytes(), before);

        // Listing a host with nothing pinned is an error.
        const auto none = keys.list(u"other.example"_s);
        QVERIFY(!none.ok());
        QCOMPARE(categoryOf(none), ErrorCategory::NotFound);
        QVERIFY2(none.error().message.contains(u"other.example:22"_s), qPrintable(why(none)));
    }

    // --- AtticOps ----------------------------------------------------------------------------

    void atticListAndRestore()
    {
        World world;
        QVERIFY(world.isValid());
        const QString id = u"20200101T000000Z-abc/cache/refs/heads/dev"_s;
        QVERIFY(makeAtticCache(world, {u"refs/mirrordesk/attic/"_s + id}));
        const QString cache = world.cacheOf(u"m"_s);
        AtticOps attic(world.configPath(), world.stateDir());

        auto listing = attic.list(u"M"_s);
        QVERIFY2(listing.ok(), qPrintable(why(listing)));
        QCOMPARE(listing->mirror.name, u"m"_s);
        QCOMPARE(listing->cachePath, cache);
        QCOMPARE(listing->entries.size(), 1);
        const AtticEntry entry = listing->entries.first();
        QCOMPARE(entry.id, id);
        QCOMPARE(entry.ref, u"refs/heads/dev"_s);
        QCOMPARE(entry.oid, m_c1);
        QCOMPARE(entry.side, u"cache"_s);
        QCOMPARE(entry.run, u"abc"_s);
        QCOMPARE(entry.when, QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC));

        // --as a ref no sync touches: created at the old tip.
        auto restored = attic.restore(u"m"_s, id, u"refs/restored/dev"_s);
        QVERIFY2(restored.ok(), qPrintable(why(restored)));
        QCOMPARE(restored->ref, u"refs/restored/dev"_s);
        QCOMPARE(restored->oid, m_c1);
        QVERIFY(!restored->alreadyThere);
        QVERIFY(!restored->followsSource);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cache, u"refs/restored/dev"_s), m_c1);
        QCOMPARE(attic.list(u"m"_s)->entries.size(), 1); // nothing was replaced
        restored = attic.restore(u"m"_s, id, u"refs/restored/dev"_s);
        QVERIFY(restored.ok() && restored->alreadyThere);

        // Bad input changes nothing.
        const QString refsBefore = refsOf(cache);
        const auto intoAttic = attic.restore(u"m"_s, id, u"refs/mirrordesk/x"_s);
        QVERIFY(!intoAttic.ok());
        QCOMPARE(categoryOf(intoAttic), ErrorCategory::Usage);
        QCOMPARE(categoryOf(attic.restore(u"m"_s, id, u"refs/heads/a..b"_s)), ErrorCategory::Usage);
        QCOMPARE(categoryOf(attic.restore(u"m"_s, u"20200101T000000Z-abc/cache/refs/heads/nope"_s, {})), ErrorCategory::Usage);
        QCOMPARE(categoryOf(attic.restore(u"nobody"_s, id, {})), ErrorCategory::Usage);
        {
            CacheLock lock(cache);
            QVERIFY(lock.tryLock(0));
            QVERIFY(!attic.restore(u"m"_s, id, {}).ok()); // being synced
        }
        QCOMPARE(refsOf(cache), refsBefore);

        // Over the live ref (entry named with its full attic ref): the replaced tip is kept
        // first, as the newest entry, with its reason in the index.
        restored = attic.restore(u"m"_s, u"refs/mirrordesk/attic/"_s + id, {});
        QVERIFY2(restored.ok(), qPrintable(why(restored)));
        QCOMPARE(restored->ref, u"refs/heads/dev"_s);
        QVERIFY(!restored->alreadyThere);
        QVERIFY(restored->followsSource); // a pull mirror: the next update moves it back
        QVERIFY(!restored->indexError);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cache, u"refs/heads/dev"_s), m_c1);
        listing = attic.list(u"m"_s);
        QCOMPARE(listing->entries.size(), 2);
        const AtticEntry kept = listing->entries.first();
        QCOMPARE(kept.ref, u"refs/heads/dev"_s);
        QCOMPARE(kept.oid, m_c2);
        QVERIFY2(kept.why.startsWith(u"replaced by attic restore"_s), qPrintable(kept.why));
        QCOMPARE(listing->entries.at(1).id, id);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cache, kept.atticRef()), m_c2);
        const auto index = StateStore(world.stateDir()).atticIndex(u"m"_s);
        QVERIFY(index.ok());
        QCOMPARE(index->size(), 1);
        QCOMPARE(index->first().id, kept.id);
    }

    void atticPurgeKeepsTheNewestFivePerRef()
    {
        World world;
        QVERIFY(world.isValid());
        QStringList refs;
        for (int day = 1; day <= 7; ++day)
            refs.append(u"refs/mirrordesk/attic/202001%1T000000Z-r%2/cache/refs/heads/dev"_s.arg(day, 2, 10, QChar(u'0')).arg(day));
        const QString other = u"refs/mirrordesk/attic/20190101T000000Z-r0/cache/refs/heads/other"_s;
        refs.append(other);
        QVERIFY(makeAtticCache(world, refs));
        const QString cache = world.cacheOf(u"m"_s);
        AtticOps attic(world.configPath(), world.stateDir());
        QCOMPARE(attic.list(u"m"_s)->entries.size(), 8);

        // Nothing older than a century: nothing to do, reported all the same from the event loop.
        std::optional<Result<AtticOps::Purged>> result;
        attic.purge(u"m"_s, 36500, [&](const Result<AtticOps::Purged> &r) { result = r; });
        QVERIFY(!result); // never from inside purge()
        QTRY_VERIFY(result.has_value());
        QVERIFY(result->ok());
        QVERIFY((*result)->nothingToPurge);
        QCOMPARE(atticRefs(cache).size(), 8);

        // Being synced: refused, nothing removed.
        {
            CacheLock lock(cache);
            QVERIFY(lock.tryLock(0));
            result.reset();
            attic.purge(u"m"_s, 0, [&](const Result<AtticOps::Purged> &r) { result = r; });
            QTRY_VERIFY(result.has_value());
            QVERIFY(!result->ok());
            QCOMPARE(atticRefs(cache).size(), 8);
        }

        // --older-than 0: every entry but the newest five of each ref.
        result.reset();
        attic.purge(u"m"_s, 0, [&](const Result<AtticOps::Purged> &r) { result = r; });
        QVERIFY(!result);
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
        QVERIFY2(result->ok(), qPrintable(why(*result)));
        const AtticOps::Purged purged = result->value();
        QCOMPARE(purged.removed, 2);
        QVERIFY2(purged.problems.isEmpty(), qPrintable(purged.problems.join(u"; "_s)));
        QVERIFY(purged.repacked);
        QVERIFY(!purged.nothingToPurge);

        QStringList expected = refs.mid(2); // the two oldest of dev are gone
        std::sort(expected.begin(), expected.end());
        QStringList left = atticRefs(cache);
        std::sort(left.begin(), left.end());
        QCOMPARE(left, expected);
        const auto listing = attic.list(u"m"_s);
        QCOMPARE(listing->entries.size(), 6);
        QCOMPARE(listing->entries.first().id, refs.at(6).mid(qsizetype(qstrlen(kAtticPrefix)))); // newest first
        QCOMPARE(listing->entries.last().atticRef(), other);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cache, u"refs/heads/dev"_s), m_c2);
        const auto fsck = GitRepoBuilder::tryRun({u"fsck"_s, u"--no-dangling"_s}, cache);
        QVERIFY2(fsck.ok(), qPrintable(fsck.describe()));
    }

    // --- selectMirrors -----------------------------------------------------------------------

    void selectMirrorsByName()
    {
        Config config;
        config.mirrors = {pullMirror(u"Org/Repo"_s), pullMirror(u"other"_s), pullMirror(u"Org/Repo2"_s)};
        // No name: every mirror, in config order.
        auto all = selectMirrors(config, {});
        QVERIFY(all.ok());
        QCOMPARE(namesOf(*all), (QStringList{u"Org/Repo"_s, u"other"_s, u"Org/Repo2"_s}));
        // Ignoring case, each once, in the order given, with the names as configured.
        auto some = selectMirrors(config, {u"OTHER"_s, u"org/repo"_s, u"ORG/REPO"_s, u"other"_s});
        QVERIFY(some.ok());
        QCOMPARE(namesOf(*some), (QStringList{u"other"_s, u"Org/Repo"_s}));
        // An unknown name is a usage error naming it.
        auto unknown = selectMirrors(config, {u"org/repo"_s, u"org/rep"_s});
        QVERIFY(!unknown.ok());
        QCOMPARE(categoryOf(unknown), ErrorCategory::Usage);
        QVERIFY2(unknown.error().message.contains(u"\"org/rep\""_s), qPrintable(why(unknown)));
    }
};

QTEST_GUILESS_MAIN(TestOps)
#include "TestOps.moc"
