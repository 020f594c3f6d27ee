// The one batch runner driven directly (DESIGN section 2): md::RunOps over md::SyncEngine on this
// test's event loop, no command line and no window, against a real git daemon on loopback.
// Reports arrive through the done callback; what they say is what the state folder records.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "cli/CliRunner.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "mirror/SyncEngine.h"
#include "ops/RunOps.h"

#include <mutex>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

using namespace md;
using namespace Qt::StringLiterals;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;

namespace {

template <typename R>
QString why(const R &result)
{
    return result.ok() ? u"(no error)"_s : result.error().text();
}

// The mirrored refs (branches and tags) of a repository as "name oid" lines, read with git.
QString mirroredRefsOf(const QString &repo)
{
    return GitRepoBuilder::run({u"for-each-ref"_s, u"--format=%(refname) %(objectname)"_s, u"refs/heads/"_s, u"refs/tags/"_s}, repo);
}

const RunEntry *entryOf(const RunReport &report, const QString &name)
{
    for (const RunEntry &entry : report.entries) {
        if (entry.mirror.name == name)
            return &entry;
    }
    return nullptr;
}

// The state of a mirror's last recorded check (None: no check recorded, or unreadable).
CheckState lastCheckState(const StateStore &state, const QString &name)
{
    const auto status = state.status(name);
    return status && status->lastCheck ? status->lastCheck->state : CheckState::None;
}

QStringList namesOf(const RunReport &report)
{
    QStringList names;
    for (const RunEntry &entry : report.entries)
        names.append(entry.mirror.name);
    return names;
}

#ifdef Q_OS_LINUX
// The nice value of each of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19).
QMap<qint64, int> threadNiceValues()
{
    QMap<qint64, int> values;
    const QDir tasks(u"/proc/self/task"_s);
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile file(tasks.filePath(tid + u"/stat"_s));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = file.readAll();
        // "pid (comm) state ppid …": fields after the command's closing parenthesis, from field 3.
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 16)
            values.insert(tid.toLongLong(), fields.at(16).toInt());
    }
    return values;
}
#endif

} // namespace

class TestSyncEngine : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    QString m_work;

    QString source() const { return m_srv.filePath(u"src.git"_s); }

    static Mirror mirror(const QString &name, const QString &url, bool enabled = true)
    {
        Mirror m;
        m.name = name;
        m.source.url = url;
        m.enabled = enabled;
        return m;
    }

    // Writes a config with these mirrors and the cache root under `root`; returns it as loaded.
    static Config writeConfig(const QString &configPath, const QString &cacheRoot, const QList<Mirror> &mirrors)
    {
        MirrorStore store(configPath);
        const auto saved = store.modify([&](Config &c) {
            c.settings.cacheRoot = cacheRoot;
            c.mirrors = mirrors;
            return Status{};
        });
        if (!saved)
            qFatal("cannot write the test config: %s", qPrintable(saved.error().text()));
        return *saved;
    }

    // Runs one check batch and waits for its report.
    static std::optional<RunReport> check(RunOps &ops, const Config &config, const QStringList &names, int expectStarted)
    {
        std::optional<RunReport> report;
        const auto started = ops.check(config, names, [&](const RunReport &r) { report = r; });
        if (!started || *started != expectStarted) {
            qWarning() << "check" << names << "started" << (started ? QString::number(*started) : why(started));
            return std::nullopt;
        }
        if (report) {
            qWarning() << "the report came from inside check()";
            return std::nullopt;
        }
        if (!QTest::qWaitFor([&] { return report.has_value(); }, 30000))
            qWarning() << "no report for check" << names << "within 30 s";
        return report;
    }

    static std::optional<RunReport> update(RunOps &ops, const Config &config, const QStringList &names, int expectStarted)
    {
        std::optional<RunReport> report;
        const auto started = ops.update(config, names, {}, [&](const RunReport &r) { report = r; });
        if (!started || *started != expectStarted) {
            qWarning() << "update" << names << "started" << (started ? QString::number(*started) : why(started));
            return std::nullopt;
        }
        if (report) {
            qWarning() << "the report came from inside update()";
            return std::nullopt;
        }
        if (!QTest::qWaitFor([&] { return report.has_value(); }, 60000))
            qWarning() << "no report for update" << names << "within 60 s";
        return report;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(source()));
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::tag(m_work, u"v1"_s, u"release one"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, u"b.txt"_s, u"2"_s, u"two"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, source(), {u"main"_s, u"main~1:refs/heads/dev"_s, u"v1"_s}));
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
    }

    void checkThenUpdateThroughRunOps()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stateDir = dir.filePath(u"state"_s);
        const Config config = writeConfig(dir.filePath(u"mirrors.json"_s), dir.filePath(u"caches"_s),
                                          {mirror(u"good"_s, m_daemon.url(u"src.git"_s)),
                                           mirror(u"gone"_s, m_daemon.url(u"missing.git"_s)),
                                           mirror(u"off"_s, m_daemon.url(u"src.git"_s), false)});
        SyncEngine engine(stateDir);
        RunOps ops(engine, stateDir);
        const StateStore state(stateDir);

        // One report for the whole batch; the disabled mirror is skipped when no name is given.
        auto report = check(ops, config, {}, 2);
        QVERIFY(report);
        QCOMPARE(namesOf(*report), (QStringList{u"good"_s, u"gone"_s, u"off"_s}));
        const RunEntry *good = entryOf(*report, u"good"_s);
        QCOMPARE(good->skip, SkipReason::None);
        QVERIFY(good->check);
        QVERIFY(!good->update);
        QCOMPARE(good->check->record.state, CheckState::Behind); // nothing in the cache yet
        QVERIFY(!good->check->record.sourceFingerprint.isEmpty());
        QCOMPARE(good->check->record.sourceHead, u"refs/heads/main"_s);
        const RunEntry *gone = entryOf(*report, u"gone"_s);
        QVERIFY(gone->check);
        QCOMPARE(gone->check->record.state, CheckState::Unreachable);
        QVERIFY(gone->check->record.errorCategory != ErrorCategory::None);
        QVERIFY(!gone->check->record.error.isEmpty());
        const RunEntry *off = entryOf(*report, u"off"_s);
        QCOMPARE(off->skip, SkipReason::Disabled);
        QCOMPARE(off->skipText, u"disabled"_s);
        QVERIFY(!off->check);
        QCOMPARE(engine.busyCount(), 0);

        // Recorded in the state folder, as reported.
        auto status = state.status(u"good"_s);
        QVERIFY(status.ok() && status->lastCheck);
        QCOMPARE(status->lastCheck->state, CheckState::Behind);
        CheckRecord reported = good->check->record;
        reported.checkedAt = parseIsoTime(isoTime(reported.checkedAt)); // the file keeps whole seconds
        QCOMPARE(*status->lastCheck, reported);
        status = state.status(u"gone"_s);
        QVERIFY(status.ok() && status->lastCheck);
        QCOMPARE(status->lastCheck->state, CheckState::Unreachable);
        QCOMPARE(status->lastCheck->errorCategory, gone->check->record.errorCategory);
        status = state.status(u"off"_s);
        QVERIFY(status.ok());
        QVERIFY(!status->lastCheck);

        // Update the good one: the cache then holds exactly the source's branches and tags.
        report = update(ops, config, {u"good"_s}, 1);
        QVERIFY(report);
        QCOMPARE(namesOf(*report), QStringList{u"good"_s});
        good = entryOf(*report, u"good"_s);
        QVERIFY(good->update);
        QCOMPARE(good->skip, SkipReason::None);
        QVERIFY2(good->update->result.outcome == RunOutcome::Ok,
                 qPrintable(good->update->result.error ? good->update->result.error->text() : u"(no error)"_s));
        QVERIFY(good->update->status);
        QCOMPARE(good->update->status->updateStatus, UpdateStatus::Finished);
        const QString cache = config.cachePathOf(*config.mirror(u"good"_s));
        QCOMPARE(mirroredRefsOf(cache), mirroredRefsOf(source()));
        QVERIFY(mirroredRefsOf(cache).contains(u"refs/tags/v1 "_s));
        QCOMPARE(GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s}, cache).trimmed(), u"refs/heads/main"_s);
        status = state.status(u"good"_s);
        QVERIFY(status.ok());
        QCOMPARE(status->updateStatus, UpdateStatus::Finished);
        QCOMPARE(state.history(u"good"_s)->size(), 1);

        // Checked again: in sync; the failing one is still unreachable, in the same batch.
        report = check(ops, config, {u"good"_s, u"gone"_s}, 2);
        QVERIFY(report);
        QCOMPARE(entryOf(*report, u"good"_s)->check->record.state, CheckState::InSync);
        QCOMPARE(entryOf(*report, u"gone"_s)->check->record.state, CheckState::Unreachable);
        QCOMPARE(lastCheckState(state, u"good"_s), CheckState::InSync);
        QCOMPARE(state.status(u"good"_s)->updateStatus, UpdateStatus::Finished); // a check keeps the update's fields
    }

    void disabledMirrorRunsOnlyWhenNamed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stateDir = dir.filePath(u"state"_s);
        const Config config = writeConfig(dir.filePath(u"mirrors.json"_s), dir.filePath(u"caches"_s),
                                          {mirror(u"Off"_s, m_daemon.url(u"src.git"_s), false)});
        const QString cache = config.cachePathOf(config.mirrors.first());
        SyncEngine engine(stateDir);
        RunOps ops(engine, stateDir);
        const StateStore state(stateDir);

        // Not named: skipped, nothing started, still reported (from the event loop).
        auto report = check(ops, config, {}, 0);
        QVERIFY(report);
        QCOMPARE(report->entries.size(), 1);
        QCOMPARE(report->entries.first().skip, SkipReason::Disabled);
        QVERIFY(!report->entries.first().check);
        report = update(ops, config, {}, 0);
        QVERIFY(report);
        QCOMPARE(report->entries.first().skip, SkipReason::Disabled);
        QVERIFY(!report->entries.first().update);
        QVERIFY(!QFileInfo::exists(cache));
        QCOMPARE(lastCheckState(state, u"Off"_s), CheckState::None);

        // Named (in another case): checked, then updated.
        report = check(ops, config, {u"off"_s}, 1);
        QVERIFY(report);
        QCOMPARE(namesOf(*report), QStringList{u"Off"_s});
        QCOMPARE(report->entries.first().skip, SkipReason::None);
        QVERIFY(report->entries.first().check);
        QCOMPARE(report->entries.first().check->record.state, CheckState::Behind);
        QCOMPARE(lastCheckState(state, u"Off"_s), CheckState::Behind);
        report = update(ops, config, {u"OFF"_s}, 1);
        QVERIFY(report);
        QVERIFY(report->entries.first().update);
        QCOMPARE(report->entries.first().update->result.outcome, RunOutcome::Ok);
        QCOMPARE(mirroredRefsOf(cache), mirroredRefsOf(source()));
    }

    void cliAndRunOpsSelectAlike()
    {
        const QString problem = clitest::binaryProblem();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        clitest::CliEnv env;
        QVERIFY(env.isValid());
        const Config config = writeConfig(env.configPath(), env.path(u"caches"_s),
                                          {mirror(u"Org/Repo"_s, m_daemon.url(u"src.git"_s)),
                                           mirror(u"Org/Repo2"_s, m_daemon.url(u"src.git"_s)),
                                           mirror(u"Other/Repo"_s, m_daemon.url(u"missing.git"_s))});
        SyncEngine engine(env.stateDir());
        RunOps ops(engine, env.stateDir());

        const QList<QStringList> selections{{u"org/repo"_s}, {u"org/repo"_s, u"ORG/REPO"_s, u"Org/Repo"_s}};
        for (const QStringList &names : selections) {
            // The command line: exactly that mirror, once, as configured; behind (never updated).
            const clitest::CliResult cli = env.run(QStringList{u"check"_s} + names + QStringList{u"--json"_s});
            CLI_EXPECT_EXIT(cli, 3);
            QJsonObject json;
            CLI_JSON(cli, json);
            const QJsonArray mirrors = json.value(u"mirrors"_s).toArray();
            QCOMPARE(mirrors.size(), 1);
            QCOMPARE(mirrors.first().toObject().value(u"name"_s).toString(), u"Org/Repo"_s);
            QCOMPARE(mirrors.first().toObject().value(u"state"_s).toString(), u"behind"_s);
            QCOMPARE(json.value(u"summary"_s).toObject().value(u"mirrors"_s).toInt(), 1);

            // RunOps, as the window calls it: the same selection, the same verdict.
            const auto report = check(ops, config, names, 1);
            QVERIFY(report);
            QCOMPARE(namesOf(*report), QStringList{u"Org/Repo"_s});
            QVERIFY(report->entries.first().check);
            QCOMPARE(checkStateName(report->entries.first().check->record.state), u"behind"_s);
        }

        // An unknown name: a usage error in both, naming it, and nothing runs.
        const clitest::CliResult cli = env.run({u"check"_s, u"org/repo"_s, u"org/rep"_s, u"--json"_s});
        CLI_EXPECT_EXIT(cli, 2);
        CLI_EXPECT_STDERR(cli, u"org/rep"_s);
        bool called = false;
        const auto started = ops.check(config, {u"org/repo"_s, u"org/rep"_s}, [&](const RunReport &) { called = true; });
        QVERIFY(!started.ok());
        QCOMPARE(started.error().category, ErrorCategory::Usage);
        QVERIFY2(started.error().message.contains(u"\"org/rep\""_s), qPrintable(started.error().message));
        QCOMPARE(engine.busyCount(), 0);
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }

    void preparerWorkerDeliversBatchesInOrderOffTheLoop()
    {
        // The engine's way: jobs built on the preparer's own thread, batch after batch, in order.
        JobPreparer preparer;
        Config config;
        QList<Mirror> first, second;
        for (int i = 0; i < 300; ++i)
            first.append(mirror(u"a%1"_s.arg(i), m_daemon.url(u"src.git"_s)));
        second.append(mirror(u"b"_s, m_daemon.url(u"src.git"_s)));
        second.last().source.credential = u"nobody"_s; // no such credential: the job cannot be made
        QList<QStringList> delivered;
        QList<bool> onLoop;
        std::mutex guard;
        auto record = [&](QList<Result<MirrorJob>> jobs) {
            QStringList names;
            for (const auto &job : jobs)
                names.append(job ? job->mirror.name : u"(error)"_s);
            std::lock_guard<std::mutex> lock(guard);
            delivered.append(names);
            onLoop.append(QThread::currentThread() == qApp->thread());
        };
        preparer.prepareOnWorker(config, first, record);
        preparer.prepareOnWorker(config, second, record);
        preparer.waitForWorker();
        std::lock_guard<std::mutex> lock(guard);
        QCOMPARE(delivered.size(), 2);
        QCOMPARE(delivered.at(0).size(), 300);
        QCOMPARE(delivered.at(0).first(), u"a0"_s);
        QCOMPARE(delivered.at(0).last(), u"a299"_s);
        QCOMPARE(delivered.at(1), QStringList{u"(error)"_s}); // a job that cannot be made is an error, in its place
        QCOMPARE(onLoop, (QList<bool>{false, false}));
    }

    void largeBatchReportsEveryMirrorInOrder()
    {
        // 600 mirrors (a few of them failing) through RunOps: one report, every mirror once, in
        // config order, each result recorded; the batch was queued from the preparer's thread.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stateDir = dir.filePath(u"state"_s);
        QList<Mirror> mirrors;
        for (int i = 0; i < 600; ++i)
            mirrors.append(mirror(u"m%1"_s.arg(i, 3, 10, QLatin1Char('0')), m_daemon.url(i % 100 == 7 ? u"missing.git"_s : u"src.git"_s)));
        const Config config = writeConfig(dir.filePath(u"mirrors.json"_s), dir.filePath(u"caches"_s), mirrors);
        SyncEngine engine(stateDir);
        RunOps ops(engine, stateDir);
        const auto report = check(ops, config, {}, 600);
        QVERIFY(report);
        QCOMPARE(report->entries.size(), 600);
        const StateStore state(stateDir);
        for (int i = 0; i < 600; ++i) {
            const RunEntry &entry = report->entries.at(i);
            QCOMPARE(entry.mirror.name, mirrors.at(i).name);
            QVERIFY(entry.check);
            QCOMPARE(entry.check->record.state, i % 100 == 7 ? CheckState::Unreachable : CheckState::Behind);
            QCOMPARE(lastCheckState(state, entry.mirror.name), entry.check->record.state);
        }
        QCOMPARE(engine.busyCount(), 0);
    }

#ifdef Q_OS_LINUX
    void poolThreadsRunBelowTheEventLoop()
    {
        // The window's engine lowers its pool threads (nice +10 each); the command line's does not.
        const int own = threadNiceValues().value(QCoreApplication::applicationPid());
        for (const bool low : {true, false}) {
            QTemporaryDir dir;
            QVERIFY(dir.isValid());
            const QString stateDir = dir.filePath(u"state"_s);
            const Config config = writeConfig(dir.filePath(u"mirrors.json"_s), dir.filePath(u"caches"_s),
                                              {mirror(u"one"_s, m_daemon.url(u"src.git"_s)), mirror(u"two"_s, m_daemon.url(u"src.git"_s))});
            const QMap<qint64, int> before = threadNiceValues();
            SyncEngine engine(stateDir);
            engine.setLowPriorityWorkers(low);
            RunOps ops(engine, stateDir);
            QVERIFY(check(ops, config, {}, 2));
            int lowered = 0, others = 0;
            const QMap<qint64, int> after = threadNiceValues();
            for (auto it = after.cbegin(); it != after.cend(); ++it) {
                if (before.contains(it.key()))
                    continue; // not the engine's
                ++(it.value() == std::min(own + 10, 19) && own < 19 ? lowered : others);
            }
            QVERIFY2(low ? lowered > 0 : lowered == 0, qPrintable(u"low %1: %2 threads lowered, %3 not"_s.arg(low).arg(lowered).arg(others)));
            QCOMPARE(after.value(QCoreApplication::applicationPid()), own); // the event loop's thread never
        }
    }
#endif
};

QTEST_GUILESS_MAIN(TestSyncEngine)
#include "TestSyncEngine.moc"
