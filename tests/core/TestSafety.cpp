// "Nothing lost" at the file level (DESIGN section 3, "Only what is ours"): what the engine reads
// and writes, with real files, links and FIFOs in a scratch folder per test (never a real /dev
// node: links point at files the test owns).
#include "GitRepoBuilder.h"
#include "mirror/CacheGuard.h"
#include "mirror/CacheLock.h"
#include "mirror/CacheMaintenance.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "util/SafeFile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace md;
using namespace Qt::StringLiterals;
using md::fixtures::GitRepoBuilder;

namespace {

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

bool makeFifo(const QString &path)
{
    return ::mkfifo(QFile::encodeName(path).constData(), 0600) == 0;
}

bool isLink(const QString &path)
{
    return QFileInfo(path).isSymLink();
}

Mirror pullMirror(const QString &name, const QString &cache = {})
{
    Mirror m;
    m.name = name;
    m.source.url = u"https://src.example/"_s + name + u".git"_s;
    m.cachePath = cache;
    return m;
}

QString messageOf(const std::optional<Error> &error)
{
    return error ? error->message : u"<accepted>"_s;
}

} // namespace

class TestSafety : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString path(const QString &relative) const { return m_dir->filePath(relative); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    // --- reads: regular files only, bounded ------------------------------------------------

    void readRefusesFifosLinksToThemAndOversizedFiles()
    {
        QVERIFY(makeFifo(path(u"fifo"_s)));
        QVERIFY(QFile::link(path(u"fifo"_s), path(u"to-fifo"_s)));
        QElapsedTimer timer;
        timer.start();
        for (const QString &name : {u"fifo"_s, u"to-fifo"_s}) {
            auto read = safefile::readRegular(path(name), 1024, u"config file"_s);
            QVERIFY(!read.ok());
            QVERIFY2(read.error().message.contains(u"not a regular file"_s), qPrintable(read.error().message));
        }
        QVERIFY(timer.elapsed() < 5000); // no hang on a FIFO nobody writes

        // A sparse file of 10 MB against a 1 MB limit: refused without reading it.
        QFile big(path(u"big"_s));
        QVERIFY(big.open(QIODevice::WriteOnly) && big.resize(10 << 20));
        big.close();
        QVERIFY(QFile::link(path(u"big"_s), path(u"to-big"_s)));
        auto read = safefile::readRegular(path(u"to-big"_s), 1 << 20, u"state file"_s);
        QVERIFY(!read.ok());
        QVERIFY2(read.error().message.contains(u"10 MB"_s), qPrintable(read.error().message));

        QVERIFY(QFile::link(path(u"nothing"_s), path(u"dangling"_s)));
        read = safefile::readRegular(path(u"dangling"_s), 1024, u"config file"_s);
        QVERIFY(!read.ok());
        QVERIFY2(read.error().message.contains(u"link to nothing"_s), qPrintable(read.error().message));

        read = safefile::readRegular(path(u"missing"_s), 1024, u"config file"_s);
        QVERIFY(read.ok() && !read->has_value());
        QVERIFY(writeFile(path(u"plain"_s), "{}"));
        QVERIFY(QFile::link(path(u"plain"_s), path(u"to-plain"_s)));
        read = safefile::readRegular(path(u"to-plain"_s), 1024, u"config file"_s); // a link to a file reads
        QVERIFY(read.ok() && read->has_value());
        QCOMPARE(**read, QByteArray("{}"));
    }

    // --- writes: never through a link, never onto a non-regular file ------------------------

    void writesRefuseLinksAndFifos()
    {
        QVERIFY(writeFile(path(u"victim"_s), "precious"));
        QVERIFY(QFile::link(path(u"victim"_s), path(u"state.json"_s)));
        const Status written = safefile::writeAtomically(path(u"state.json"_s), "{}", u"state file"_s);
        QVERIFY(!written.ok());
        QVERIFY2(written.error().message.contains(u"symbolic link"_s), qPrintable(written.error().message));
        QCOMPARE(readFile(path(u"victim"_s)), QByteArray("precious"));
        QVERIFY(isLink(path(u"state.json"_s)));

        QVERIFY(makeFifo(path(u"fifo.json"_s)));
        QVERIFY(!safefile::writeAtomically(path(u"fifo.json"_s), "{}", u"state file"_s).ok());
        QVERIFY(QFileInfo(path(u"fifo.json"_s)).exists());
        QVERIFY(!QFileInfo(path(u"fifo.json"_s)).isFile()); // still the FIFO
    }

    void stateStoreNeverWritesThroughALinkOrALockLink()
    {
        StateStore state(path(u"state"_s));
        QVERIFY(writeFile(path(u"victim"_s), "precious"));
        QVERIFY(QDir().mkpath(path(u"state"_s)));
        QVERIFY(QFile::link(path(u"victim"_s), state.fileOf(u"m"_s)));
        auto changed = state.changeStatus(u"m"_s, [](StatusRecord &s) { s.consecutiveFailures = 3; });
        QVERIFY(!changed.ok());
        QVERIFY2(changed.error().message.contains(u"symbolic link"_s), qPrintable(changed.error().message));
        QCOMPARE(readFile(path(u"victim"_s)), QByteArray("precious"));
        QVERIFY(isLink(state.fileOf(u"m"_s)));

        // The per-file lock too.
        QVERIFY(QDir().mkpath(path(u"state/.locks"_s)));
        QVERIFY(QFile::link(path(u"victim"_s), path(u"state/.locks/n.lock"_s)));
        changed = state.changeStatus(u"n"_s, [](StatusRecord &s) { s.consecutiveFailures = 3; });
        QVERIFY(!changed.ok());
        QVERIFY2(changed.error().message.contains(u"lock"_s), qPrintable(changed.error().message));
        QCOMPARE(readFile(path(u"victim"_s)), QByteArray("precious"));
        QVERIFY(!QFileInfo::exists(state.fileOf(u"n"_s)));
    }

    void damagedStateIsKeptAsideNotOverwritten()
    {
        StateStore state(path(u"state"_s));
        QVERIFY(writeFile(state.fileOf(u"m"_s), "{\"status\": {\"consecutive_failures\": 2, "));
        QVERIFY(!state.status(u"m"_s).ok()); // reading says it is damaged
        auto changed = state.changeStatus(u"m"_s, [](StatusRecord &s) { s.consecutiveFailures = 1; });
        QVERIFY2(changed.ok(), qPrintable(changed.ok() ? QString() : changed.error().message));
        const QStringList aside = QDir(path(u"state"_s)).entryList({u"m.json.damaged-*"_s}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readFile(path(u"state/"_s + aside.first())), QByteArray("{\"status\": {\"consecutive_failures\": 2, "));
        QCOMPARE(state.status(u"m"_s)->consecutiveFailures, 1);

        // Valid JSON of the wrong shape is damaged too.
        QVERIFY(writeFile(state.fileOf(u"n"_s), R"({"history":"x","status":5})"));
        QVERIFY(state.changeStatus(u"n"_s, [](StatusRecord &s) { s.consecutiveFailures = 1; }).ok());
        QCOMPARE(QDir(path(u"state"_s)).entryList({u"n.json.damaged-*"_s}, QDir::Files).size(), 1);
    }

    void configStoreRefusesFifosAndLinkedWrites()
    {
        QVERIFY(makeFifo(path(u"fifo.json"_s)));
        QElapsedTimer timer;
        timer.start();
        auto loaded = MirrorStore(path(u"fifo.json"_s)).load();
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().category, ErrorCategory::Config); // exit 2 in the CLI
        QVERIFY(timer.elapsed() < 5000);

        // A config that is a link to a file reads (dotfile managers do this), but is not
        // replaced through the link.
        const QByteArray empty = configToJson(Config{});
        QVERIFY(writeFile(path(u"real.json"_s), empty));
        QVERIFY(QFile::link(path(u"real.json"_s), path(u"mirrors.json"_s)));
        MirrorStore store(path(u"mirrors.json"_s));
        QVERIFY(store.load().ok());
        auto modified = store.modify([](Config &c) -> Status {
            c.mirrors.append(pullMirror(u"m"_s));
            return {};
        });
        QVERIFY(!modified.ok());
        QVERIFY2(modified.error().message.contains(u"symbolic link"_s), qPrintable(modified.error().message));
        QCOMPARE(readFile(path(u"real.json"_s)), empty);
        QVERIFY(isLink(path(u"mirrors.json"_s)));
    }

    // --- locks -------------------------------------------------------------------------------

    void aLockThatCannotBeCreatedIsAFailureNotRunning()
    {
        // A file name longer than the file system allows: the cache path may be fine, its lock not.
        const QString cache = path(QString(252, u'x') + u".git"_s);
        CacheLock lock(cache);
        QVERIFY(!lock.tryLock(0));
        QVERIFY(lock.failure().has_value());
        QVERIFY2(lock.failure()->message.contains(u"cannot create the lock file"_s), qPrintable(lock.failure()->message));

        // A link in the lock's place is refused, its target untouched.
        QVERIFY(writeFile(path(u"victim"_s), "precious"));
        QVERIFY(QFile::link(path(u"victim"_s), path(u"c.git.lock"_s)));
        CacheLock linked(path(u"c.git"_s));
        QVERIFY(!linked.tryLock(0));
        QVERIFY(linked.failure().has_value());
        QCOMPARE(readFile(path(u"victim"_s)), QByteArray("precious"));

        // An ordinary lock held by someone else is "running", not a failure.
        CacheLock first(path(u"d.git"_s));
        QVERIFY(first.tryLock(0));
        CacheLock second(path(u"d.git"_s));
        QVERIFY(!second.tryLock(0));
        QVERIFY(!second.failure().has_value());
    }

    // --- cache paths by real path --------------------------------------------------------------

    void cachePathsThatOverlapWhatIsNotTheirsAreRefused_data()
    {
        QTest::addColumn<QString>("cache");   // relative to the scratch folder, "/" for the root
        QTest::addColumn<QString>("expected");
        QTest::newRow("root") << u"/"_s << u"root folder"_s;
        QTest::newRow("home") << u"home"_s << u"home folder"_s;
        QTest::newRow("above home") << u""_s << u"home folder"_s;
        QTest::newRow("config folder") << u"conf"_s << u"config file"_s;
        QTest::newRow("state folder") << u"state"_s << u"state folder"_s;
        QTest::newRow("inside the state") << u"state/x.git"_s << u"state folder"_s;
        QTest::newRow("link to another cache") << u"link-to-a"_s << u"the cache of mirror \"a\""_s;
        QTest::newRow("inside another cache via a link") << u"link-to-a/objects"_s << u"the cache of mirror \"a\""_s;
        QTest::newRow("link to a push source") << u"link-to-work"_s << u"the local repository of mirror \"p\""_s;
    }

    void cachePathsThatOverlapWhatIsNotTheirsAreRefused()
    {
        QFETCH(QString, cache);
        QFETCH(QString, expected);
        QVERIFY(QDir().mkpath(path(u"home"_s)) && QDir().mkpath(path(u"conf"_s)) && QDir().mkpath(path(u"state"_s)));
        QVERIFY(QDir().mkpath(path(u"caches/a.git"_s)) && QDir().mkpath(path(u"work"_s)));
        QVERIFY(QFile::link(path(u"caches/a.git"_s), path(u"link-to-a"_s)));
        QVERIFY(QFile::link(path(u"work"_s), path(u"link-to-work"_s)));
        Config config;
        config.mirrors.append(pullMirror(u"a"_s, path(u"caches/a.git"_s)));
        Mirror push = pullMirror(u"p"_s, path(u"caches/p.git"_s));
        push.shape = Shape::Push;
        push.source.url = path(u"work"_s);
        push.target.url = u"https://dst.example/p.git"_s;
        config.mirrors.append(push);
        config.mirrors.append(pullMirror(u"checked"_s, cache == u"/"_s ? cache : QDir::cleanPath(path(cache))));
        const ProtectedPaths paths{path(u"conf/mirrors.json"_s), path(u"state"_s), {path(u"home"_s)}};
        const auto refused = checkCachePaths(config, paths);
        QCOMPARE(refused.size(), 3);
        QVERIFY2(refused.at(2) && refused.at(2)->message.contains(expected), qPrintable(messageOf(refused.at(2))));
        QVERIFY2(!refused.at(1), qPrintable(messageOf(refused.at(1))));
    }

    void distinctCachesAreAcceptedCaseSensitively()
    {
        Config config;
        config.mirrors.append(pullMirror(u"a"_s, path(u"caches/Repo.git"_s)));
        config.mirrors.append(pullMirror(u"b"_s, path(u"caches/repo.git"_s)));
        config.mirrors.append(pullMirror(u"c"_s, path(u"caches/repo.git2"_s)));
        const auto refused = checkCachePaths(config, ProtectedPaths{path(u"mirrors.json"_s), path(u"state"_s), {path(u"home"_s)}});
        for (const auto &error : refused)
            QVERIFY2(!error, qPrintable(messageOf(error)));
    }

    void whatIsAtACachePath()
    {
        QVERIFY(writeFile(path(u"files/thesis.txt"_s), "years of work"));
        QVERIFY(writeFile(path(u"clone/.git/HEAD"_s), "ref: refs/heads/main\n"));
        QVERIFY(writeFile(path(u"plain-file"_s), "x"));
        QVERIFY(QDir().mkpath(path(u"empty"_s)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(path(u"theirs.git"_s)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(path(u"other.git"_s)));
        QVERIFY(markCache(path(u"other.git"_s), u"other"_s).ok());
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(path(u"legacy.git"_s)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"config"_s, u"transfer.hideRefs"_s, u"refs/mirrordesk"_s}, path(u"legacy.git"_s)));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(path(u"ours.git"_s)));
        QVERIFY(markCache(path(u"ours.git"_s), u"m"_s).ok());

        QCOMPARE(*inspectCache(path(u"missing"_s), u"m"_s), CacheKind::Missing);
        QCOMPARE(*inspectCache(path(u"empty"_s), u"m"_s), CacheKind::Empty);
        QCOMPARE(*inspectCache(path(u"ours.git"_s), u"m"_s), CacheKind::Ours);
        QCOMPARE(*inspectCache(path(u"legacy.git"_s), u"m"_s), CacheKind::Unmarked);
        const std::pair<const char *, const char *> refused[] = {
            {"files", "folder with other files"}, {"clone", "working tree"}, {"plain-file", "is a file"},
            {"theirs.git", "MirrorDesk did not create"}, {"other.git", "another mirror (\"other\")"}};
        for (const auto &[name, why] : refused) {
            auto kind = inspectCache(path(QString::fromLatin1(name)), u"m"_s);
            QVERIFY2(!kind.ok(), name);
            QVERIFY2(kind.error().message.contains(QString::fromUtf8(why)), qPrintable(kind.error().message));
        }
    }

    void syncStartRefusesAFolderOfUserFilesAndLeavesItAlone()
    {
        // What the first update did to a folder of user files: its *.lock files deleted and a
        // bare repository put among them. Now it is refused before anything is touched.
        QVERIFY(writeFile(path(u"files/thesis.txt"_s), "years of work"));
        QVERIFY(writeFile(path(u"files/backup.lock"_s), "mine"));
        const QStringList before = QDir(path(u"files"_s)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        auto prepared = prepareCache(path(u"files"_s), u"m"_s);
        QVERIFY(!prepared.ok());
        QCOMPARE(QDir(path(u"files"_s)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), before);
        QCOMPARE(readFile(path(u"files/backup.lock"_s)), QByteArray("mine"));

        // An empty folder becomes a marked cache; its debris is cleaned at the next start, but
        // a link named like debris is not followed.
        QVERIFY(QDir().mkpath(path(u"new"_s)));
        {
            auto made = prepareCache(path(u"new"_s), u"m"_s);
            QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().message));
        }
        QCOMPARE(cacheOwner(path(u"new"_s)), u"m"_s);
        QVERIFY(writeFile(path(u"new/packed-refs.lock"_s), ""));
        QVERIFY(writeFile(path(u"victim.lock"_s), "precious"));
        QVERIFY(QFile::link(path(u"victim.lock"_s), path(u"new/HEAD.lock"_s)));
        QVERIFY(prepareCache(path(u"new"_s), u"m"_s).ok());
        QVERIFY(!QFileInfo::exists(path(u"new/packed-refs.lock"_s)));
        QCOMPARE(readFile(path(u"victim.lock"_s)), QByteArray("precious"));
        // Another mirror may not take it.
        QVERIFY(!prepareCache(path(u"new"_s), u"other"_s).ok());
    }
};

QTEST_GUILESS_MAIN(TestSafety)
#include "TestSafety.moc"
