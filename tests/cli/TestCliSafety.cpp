// Nothing lost, nothing leaked, every failure visible (issue 8), through the real binary: cache
// paths that are not MirrorDesk's, links, FIFOs, import of `git clone --mirror` repositories,
// failures that used to be silent, the log file and the global options.
#include "CliRunner.h"
#include "GitRepoBuilder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

#include <sys/stat.h>

using namespace clitest;
using namespace Qt::StringLiterals;
using md::fixtures::GitRepoBuilder;

class TestCliSafety : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_srv;
    QString m_src;  // a bare repository with main and dev
    QString m_main; // main's tip

    static QStringList listing(const QString &dir)
    {
        QStringList all;
        QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext())
            all.append(it.next().mid(dir.size()));
        all.sort();
        return all;
    }

    CliResult addWithCache(const CliEnv &env, const QString &name, const QString &cache) const
    {
        return env.run({u"add"_s, name, u"--source"_s, m_src, u"--cache"_s, cache, u"-q"_s});
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString problem = binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        m_srv = std::make_unique<QTemporaryDir>();
        QVERIFY(m_srv->isValid());
        m_src = m_srv->filePath(u"src.git"_s);
        const QString work = m_srv->filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_src));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(work, u"a.txt"_s, u"a"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, m_src, {u"HEAD:refs/heads/main"_s, u"HEAD:refs/heads/dev"_s}));
    }

    // --- 1. caches that are not ours -----------------------------------------------------------

    void addRefusesACacheThatIsNotOurs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("folder of user files") << u"files"_s << u"folder with other files"_s;
        QTest::newRow("working clone") << u"clone"_s << u"working tree"_s;
        QTest::newRow("its .git") << u"clone/.git"_s << u"MirrorDesk did not create"_s;
        QTest::newRow("the config's folder") << u"config-folder"_s << u"config file"_s;
        QTest::newRow("the state folder") << u"state"_s << u"state folder"_s;
        QTest::newRow("HOME") << u"home"_s << u"home folder"_s;
        QTest::newRow("/") << u"/"_s << u"root folder"_s;
        QTest::newRow("a link to another mirror's cache") << u"link"_s << u"the cache of mirror \"first\""_s;
    }

    void addRefusesACacheThatIsNotOurs()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        CliEnv env;
        QVERIFY(CliEnv::writeFile(env.path(u"files/thesis.txt"_s), "years of work"));
        QVERIFY(CliEnv::writeFile(env.path(u"files/notes.lock"_s), "mine"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"clone"_s, u"-q"_s, m_src, env.path(u"clone"_s)}));
        CLI_EXPECT_EXIT(addWithCache(env, u"first"_s, env.path(u"caches/first.git"_s)), 0);
        QVERIFY(QFile::link(env.path(u"caches/first.git"_s), env.path(u"link"_s)));
        const QString cache = kind == u"/"_s ? kind
            : kind == u"config-folder"_s   ? env.root()
            : kind == u"state"_s           ? env.stateDir()
            : kind == u"home"_s            ? env.home()
                                           : env.path(kind);
        QDir().mkpath(env.stateDir());
        const auto config = env.configBytes();
        const QStringList before = listing(env.path(u"files"_s)) + listing(env.path(u"clone"_s));
        // The config's folder: one below the home folder's parent, so that it is what is hit.
        const CliResult r = kind == u"config-folder"_s
            ? env.run({u"add"_s, u"m"_s, u"--source"_s, m_src, u"--cache"_s, env.path(u"conf"_s), u"--config"_s, env.path(u"conf/mirrors.json"_s)})
            : addWithCache(env, u"m"_s, cache);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, expected);
        QCOMPARE(env.configBytes(), config);
        QCOMPARE(listing(env.path(u"files"_s)) + listing(env.path(u"clone"_s)), before);
    }

    void updateRefusesAForeignFolderAndRemoveKeepsIt()
    {
        // The config says so (hand-edited, or the folder filled after add): the sync refuses
        // before touching anything, and remove --delete-cache refuses to delete it.
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"files"_s)), 0);
        QVERIFY(CliEnv::writeFile(env.path(u"files/thesis.txt"_s), "years of work"));
        QVERIFY(CliEnv::writeFile(env.path(u"files/notes.lock"_s), "mine"));
        const QStringList before = listing(env.path(u"files"_s));
        const CliResult r = env.run({u"update"_s, u"--json"_s});
        CLI_EXPECT_EXIT(r, 1);
        QJsonObject document;
        CLI_JSON(r, document);
        const QJsonObject m = document.value(u"mirrors"_s).toArray().first().toObject();
        QCOMPARE(m.value(u"outcome"_s).toString(), u"failed"_s);
        QVERIFY2(m.value(u"last_error"_s).toString().contains(u"folder with other files"_s), qPrintable(r.describe()));
        QCOMPARE(listing(env.path(u"files"_s)), before);

        const CliResult removed = env.run({u"remove"_s, u"m"_s, u"--delete-cache"_s});
        QVERIFY2(removed.finished && removed.exitCode != 0, qPrintable(removed.describe()));
        QCOMPARE(listing(env.path(u"files"_s)), before);
        QCOMPARE(CliEnv::readFile(env.path(u"files/thesis.txt"_s)).value_or("<missing>"), QByteArray("years of work"));
    }

    void ourCacheIsMarkedAndDeletedButALinkOnlyUnlinked()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"real/m.git"_s)), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s}), 0);
        QCOMPARE(GitRepoBuilder::run({u"config"_s, u"mirrordesk.cache"_s}, env.path(u"real/m.git"_s)).trimmed(), u"m"_s);
        QCOMPARE(GitRepoBuilder::revParse(env.path(u"real/m.git"_s), u"refs/heads/main"_s), m_main);

        // A second mirror whose cache path is a link to a cache of its own.
        CLI_EXPECT_EXIT(addWithCache(env, u"n"_s, env.path(u"real/n.git"_s)), 0);
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"n"_s}), 0);
        QVERIFY(QFile::link(env.path(u"real/n.git"_s), env.path(u"n-link.git"_s)));
        CLI_EXPECT_EXIT(env.run({u"edit"_s, u"n"_s, u"--cache"_s, env.path(u"n-link.git"_s)}), 1); // something is there
        // Point the config at the link by hand, as a user would.
        QJsonObject config = env.config();
        QJsonArray mirrors = config.value(u"mirrors"_s).toArray();
        for (qsizetype i = 0; i < mirrors.size(); ++i) {
            QJsonObject o = mirrors.at(i).toObject();
            if (o.value(u"name"_s).toString() == u"n"_s)
                o.insert(u"cache_path"_s, env.path(u"n-link.git"_s));
            mirrors[i] = o;
        }
        config.insert(u"mirrors"_s, mirrors);
        QVERIFY(env.writeConfig(config));
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"n"_s}), 0);
        const CliResult unlinked = env.run({u"remove"_s, u"n"_s, u"--delete-cache"_s});
        CLI_EXPECT_EXIT(unlinked, 0);
        CLI_EXPECT_STDERR(unlinked, u"removed the link"_s);
        QVERIFY(!QFileInfo(env.path(u"n-link.git"_s)).isSymLink() && !QFileInfo::exists(env.path(u"n-link.git"_s)));
        QCOMPARE(GitRepoBuilder::revParse(env.path(u"real/n.git"_s), u"refs/heads/main"_s), m_main); // what it pointed at

        CLI_EXPECT_EXIT(env.run({u"remove"_s, u"m"_s, u"--delete-cache"_s}), 0);
        QVERIFY(!QFileInfo::exists(env.path(u"real/m.git"_s)));
        QVERIFY(QFileInfo::exists(env.path(u"real/n.git/HEAD"_s)));
    }

    // --- import --------------------------------------------------------------------------------

    void importAdoptsMirrorClonesAndRefusesTheRest()
    {
        CliEnv env;
        const QString mirrors = env.path(u"git/mirror"_s);
        QVERIFY(QDir().mkpath(mirrors));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"clone"_s, u"-q"_s, u"--mirror"_s, m_src, mirrors + u"/proj.git"_s}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"clone"_s, u"-q"_s, m_src, env.path(u"work-clone"_s)}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"clone"_s, u"-q"_s, u"--mirror"_s, m_src, mirrors + u"/secret.git"_s}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"config"_s, u"remote.origin.url"_s, u"https://bob:hunter2@git.example/secret.git"_s},
                                                        mirrors + u"/secret.git"_s));
        QVERIFY(CliEnv::writeFile(env.path(u"files/thesis.txt"_s), "years of work"));
        const QStringList untouched = listing(env.path(u"work-clone"_s)) + listing(env.path(u"files"_s)) + listing(mirrors + u"/secret.git"_s);

        const CliResult r = env.run({u"import"_s, mirrors + u"/proj.git"_s, env.path(u"work-clone"_s), env.path(u"files"_s),
                                     mirrors + u"/secret.git"_s, env.path(u"nowhere"_s), u"--json"_s});
        CLI_EXPECT_EXIT(r, 1);
        QVERIFY2(!r.out.contains("hunter2") && !r.err.contains("hunter2"), qPrintable(r.describe()));
        QJsonObject document;
        CLI_JSON(r, document);
        const QJsonArray entries = document.value(u"imported"_s).toArray();
        QCOMPARE(entries.size(), 5);
        QCOMPARE(entries.at(0).toObject().value(u"outcome"_s).toString(), u"imported"_s);
        QCOMPARE(entries.at(0).toObject().value(u"name"_s).toString(), u"proj"_s);
        for (int i = 1; i < 5; ++i)
            QVERIFY2(entries.at(i).toObject().value(u"outcome"_s).toString() == u"refused"_s, qPrintable(r.describe()));
        QVERIFY(entries.at(3).toObject().value(u"reason"_s).toString().contains(u"password"_s));
        QCOMPARE(listing(env.path(u"work-clone"_s)) + listing(env.path(u"files"_s)) + listing(mirrors + u"/secret.git"_s), untouched);
        QVERIFY(!GitRepoBuilder::run({u"config"_s, u"--local"_s, u"--list"_s}, mirrors + u"/secret.git"_s).contains(u"mirrordesk.cache"_s));

        // The adopted repository is now a marked cache that updates like any other.
        QCOMPARE(GitRepoBuilder::run({u"config"_s, u"mirrordesk.cache"_s}, mirrors + u"/proj.git"_s).trimmed(), u"proj"_s);
        const QJsonArray list = [&] {
            const CliResult l = env.run({u"list"_s, u"--json"_s});
            QJsonObject d;
            d = l.json();
            return d.value(u"mirrors"_s).toArray();
        }();
        QCOMPARE(list.size(), 1);
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"proj"_s}), 0);
        QCOMPARE(GitRepoBuilder::revParse(mirrors + u"/proj.git"_s, u"refs/heads/dev"_s), m_main);
        // Importing it again is refused (it is already a mirror's cache), and changes nothing.
        const auto config = env.configBytes();
        CLI_EXPECT_EXIT(env.run({u"import"_s, mirrors + u"/proj.git"_s}), 1);
        QCOMPARE(env.configBytes(), config);
        CLI_EXPECT_EXIT(env.run({u"import"_s}), 2);
    }

    // --- files never written through links, never read from FIFOs ------------------------------

    void stateFileLinkIsNotWrittenThrough()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"c/m.git"_s)), 0);
        QVERIFY(CliEnv::writeFile(env.path(u"victim"_s), "precious"));
        QVERIFY(QDir().mkpath(env.stateDir()));
        QVERIFY(QFile::link(env.path(u"victim"_s), env.stateFile(u"m"_s)));
        const CliResult r = env.run({u"update"_s});
        CLI_EXPECT_EXIT(r, 1);
        CLI_EXPECT_STDERR(r, u"symbolic link"_s);
        QCOMPARE(CliEnv::readFile(env.path(u"victim"_s)).value_or("<missing>"), QByteArray("precious"));
        QVERIFY(QFileInfo(env.stateFile(u"m"_s)).isSymLink());
    }

    void aConfigThatIsAFifoIsRefusedWithExit2()
    {
        CliEnv env;
        QVERIFY(::mkfifo(QFile::encodeName(env.path(u"fifo"_s)).constData(), 0600) == 0);
        QVERIFY(QFile::link(env.path(u"fifo"_s), env.configPath()));
        QElapsedTimer timer;
        timer.start();
        const CliResult r = env.run({u"list"_s}, {}, {}, 20000);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"not a regular file"_s);
        QVERIFY(timer.elapsed() < 15000);
    }

    // --- every failure visible -----------------------------------------------------------------

    void aLockThatCannotBeCreatedFailsTheRun()
    {
        CliEnv env;
        const QString cache = env.path(QString(251, u'c') + u".git"_s); // its ".lock" name is too long
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, cache), 0);
        const CliResult r = env.run({u"update"_s});
        CLI_EXPECT_EXIT(r, 1);
        QVERIFY2(r.err.contains("cannot create the lock file"), qPrintable(r.describe()));
        QVERIFY(!r.out.contains("skipped") && !r.err.contains("skipped"));
    }

    void aRunThatCannotBeRecordedExits1()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"c/m.git"_s)), 0);
        QVERIFY(QDir().mkpath(env.stateFile(u"m"_s))); // a folder where the state file goes
        const CliResult r = env.run({u"update"_s});
        CLI_EXPECT_EXIT(r, 1);
        CLI_EXPECT_STDERR(r, env.stateFile(u"m"_s));
        QCOMPARE(GitRepoBuilder::revParse(env.path(u"c/m.git"_s), u"refs/heads/main"_s), m_main); // the sync itself happened
        QVERIFY(QDir().mkpath(env.checkFile(u"m"_s))); // the check has its own file
        const CliResult check = env.run({u"check"_s});
        CLI_EXPECT_EXIT(check, 1);
        CLI_EXPECT_STDERR(check, env.checkFile(u"m"_s));
    }

    void theLogFileGetsEachOutcome()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"c/m.git"_s)), 0);
        const QString log = env.path(u"md.log"_s);
        const CliResult r = env.run({u"-q"_s, u"--log-file"_s, log, u"update"_s});
        CLI_EXPECT_EXIT(r, 0);
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
        const QByteArray text = CliEnv::readFile(log).value_or(QByteArray());
        QVERIFY2(text.contains("m: ok"), text.constData());
        QVERIFY2(text.contains("create") && text.contains("refs/heads/main"), text.constData());
        CLI_EXPECT_EXIT(env.run({u"-q"_s, u"--log-file"_s, log, u"check"_s}), 0);
        QVERIFY2(CliEnv::readFile(log).value_or(QByteArray()).contains("m: check: in_sync"), qPrintable(QString::fromUtf8(CliEnv::readFile(log).value_or(QByteArray()))));
    }

    void aLogFileThatIsAFifoNobodyReadsIsRefusedNotWaitedFor()
    {
        CliEnv env;
        QVERIFY(::mkfifo(QFile::encodeName(env.path(u"log.fifo"_s)).constData(), 0600) == 0);
        QElapsedTimer timer;
        timer.start();
        const CliResult r = env.run({u"--log-file"_s, env.path(u"log.fifo"_s), u"list"_s}, {}, {}, 20000);
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"FIFO nobody reads"_s);
        QVERIFY(timer.elapsed() < 15000);
    }

    // A log path that is a link is refused (never written through), the file it names untouched.
    void aLogFileThatIsALinkIsRefused()
    {
        CliEnv env;
        QVERIFY(CliEnv::writeFile(env.path(u"victim.txt"_s), "precious\n"));
        QVERIFY(QFile::link(env.path(u"victim.txt"_s), env.path(u"md.log"_s)));
        const CliResult r = env.run({u"--log-file"_s, env.path(u"md.log"_s), u"list"_s});
        CLI_EXPECT_EXIT(r, 2);
        CLI_EXPECT_STDERR(r, u"symbolic link"_s);
        QCOMPARE(CliEnv::readFile(env.path(u"victim.txt"_s)).value_or(QByteArray()), QByteArray("precious\n"));
    }

    void emptyGlobalPathsAreUsageErrors()
    {
        CliEnv env;
        for (const QString &option : {u"--log-file"_s, u"--config"_s, u"--state-dir"_s}) {
            for (const QStringList &rest : {QStringList{u"list"_s}, QStringList{}}) {
                QProcess process;
                process.setProgram(binary());
                process.setArguments(QStringList{option, QString()} + rest);
                process.setProcessEnvironment(env.environment());
                process.start();
                QVERIFY(process.waitForFinished(20000));
                QCOMPARE(process.exitCode(), 2);
                QVERIFY2(process.readAllStandardError().contains("needs a value"), qPrintable(option));
            }
        }
    }

    void theWindowWithoutADisplayExits2()
    {
        CliEnv env;
        QProcess process;
        process.setProgram(binary());
        QProcessEnvironment environment = env.environment({{u"QT_QPA_PLATFORM"_s, QString()}});
        environment.remove(u"DISPLAY"_s);
        environment.remove(u"WAYLAND_DISPLAY"_s);
        process.setProcessEnvironment(environment);
        process.start();
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("no display: use a command (see --help)"));
    }

    void aStartInTheFarFutureIsResetNotWaitedFor()
    {
        CliEnv env;
        CLI_EXPECT_EXIT(addWithCache(env, u"m"_s, env.path(u"c/m.git"_s)), 0);
        QVERIFY(env.writeStatus(u"m"_s, R"({"update_status":"finished","last_update_started_at":"2099-01-01T00:00:00Z",)"
                                        R"("last_update_at":"2099-01-01T00:00:05Z"})"));
        CLI_EXPECT_EXIT(env.run({u"update"_s, u"--due"_s}), 0);
        const CliResult status = env.run({u"status"_s, u"m"_s, u"--json"_s});
        CLI_EXPECT_EXIT(status, 0);
        QJsonObject document;
        CLI_JSON(status, document);
        const QJsonObject m = document.value(u"mirrors"_s).toArray().first().toObject();
        const QDateTime started = QDateTime::fromString(m.value(u"last_update_started_at"_s).toString(), Qt::ISODate);
        QVERIFY2(started.isValid() && qAbs(started.secsTo(QDateTime::currentDateTimeUtc())) < 120, qPrintable(status.describe()));
        QVERIFY2(QJsonDocument(m.value(u"warnings"_s).toArray()).toJson().contains("in the future"), qPrintable(status.describe()));
    }
};

QTEST_GUILESS_MAIN(TestCliSafety)
#include "TestCliSafety.moc"
