#include "mirror/StateStore.h"
#include "platform/Platform.h"

#include <QThreadPool>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace md;

class TestStateStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void neverRunReadsEmpty()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        auto status = store.status(QStringLiteral("org/repo"));
        QVERIFY(status.ok());
        QCOMPARE(status->updateStatus, UpdateStatus::None);
        QVERIFY(!status->lastUpdateAt.isValid());
        auto history = store.history(QStringLiteral("org/repo"));
        QVERIFY(history.ok());
        QVERIFY(history->isEmpty());
    }

    void statusRoundTrip()
    {
        QTemporaryDir dir;
        StateStore store(dir.filePath(QStringLiteral("state")));
        StatusRecord record;
        record.updateStatus = UpdateStatus::Failed;
        record.lastUpdateStartedAt = QDateTime(QDate(2026, 11, 22), QTime(10, 0, 1), Qt::UTC);
        record.lastUpdateAt = QDateTime(QDate(2026, 11, 22), QTime(10, 0, 5), Qt::UTC);
        record.lastSuccessfulUpdateAt = QDateTime(QDate(2026, 11, 21), QTime(9, 0, 0), Qt::UTC);
        record.lastError = QStringLiteral("could not connect");
        record.errorCategory = ErrorCategory::Network;
        record.warnings = {QStringLiteral("LFS objects are not mirrored")};
        record.consecutiveFailures = 3;
        record.lastCheck = CheckRecord{CheckState::Behind, ErrorCategory::None, QString(), record.lastUpdateAt,
                                       QStringLiteral("abc"), QStringLiteral("def"), QStringLiteral("refs/heads/main"), QString()};
        QVERIFY(store.saveStatus(QStringLiteral("org/repo"), record).ok());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("state/org%2Frepo.json"))));
        auto back = store.status(QStringLiteral("org/repo"));
        QVERIFY(back.ok());
        QCOMPARE(*back, record);
        // Times are ISO 8601 UTC with Z.
        QFile file(dir.filePath(QStringLiteral("state/org%2Frepo.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("\"2026-11-22T10:00:05Z\""));
        // Status and history share the mirror's one file.
        QVERIFY(store.appendRun(QStringLiteral("org/repo"), RunRecord{}).ok());
        QCOMPARE(*store.status(QStringLiteral("org/repo")), record);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("state"))).entryList(QDir::Files).size(), 1);
    }

    void historyKeepsLastHundred()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        const QDateTime start(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        for (int i = 0; i < 105; ++i) {
            RunRecord run;
            run.startedAt = start.addSecs(i);
            run.durationMs = i;
            run.outcome = i % 2 ? RunOutcome::Ok : RunOutcome::Failed;
            run.refs.append(RefResult{QStringLiteral("refs/heads/main"), RefAction::FastForward, QStringLiteral("a"),
                                      QStringLiteral("b"), RefOutcome::Ok, QString()});
            QVERIFY(store.appendRun(QStringLiteral("m"), run).ok());
        }
        auto history = store.history(QStringLiteral("m"));
        QVERIFY(history.ok());
        QCOMPARE(history->size(), StateStore::kHistoryLimit);
        QCOMPARE(history->first().durationMs, 5);
        QCOMPARE(history->last().durationMs, 104);
        QCOMPARE(refActionName(history->last().refs.first().action), QStringLiteral("fast_forward"));
    }

    void damagedFileIsAnErrorNotACrash()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        QFile file(dir.filePath(QStringLiteral("m.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{broken");
        file.close();
        auto status = store.status(QStringLiteral("m"));
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(QLatin1String("damaged")));
    }

    void fileLockExcludesAndIsReleased()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.lock"));
        auto first = std::make_unique<platform::FileLock>(path);
        QVERIFY(first->lock(0));
        platform::FileLock second(path);
        QVERIFY(!second.lock(50)); // held (another descriptor, same process)
        first.reset();
        QVERIFY(second.lock(0));
    }

    void concurrentChangesLoseNothing()
    {
        // Eight writers at once (checks and updates of one mirror): every change survives.
        QTemporaryDir dir;
        StateStore store(dir.filePath(QStringLiteral("state")));
        QThreadPool pool;
        pool.setMaxThreadCount(8);
        for (int i = 0; i < 40; ++i) {
            pool.start([&store, i] {
                RunRecord run;
                run.startedAt = QDateTime::currentDateTimeUtc();
                run.outcome = RunOutcome::Ok;
                StateStore copy = store;
                (void)copy.changeStatus(QStringLiteral("m"), [](StatusRecord &s) { ++s.consecutiveFailures; },
                                        i % 2 ? std::optional<RunRecord>(run) : std::nullopt);
            });
        }
        pool.waitForDone();
        QCOMPARE(store.status(QStringLiteral("m"))->consecutiveFailures, 40);
        QCOMPARE(store.history(QStringLiteral("m"))->size(), 20);
    }

    void renameAndRemove()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        StatusRecord record;
        record.updateStatus = UpdateStatus::Finished;
        QVERIFY(store.saveStatus(QStringLiteral("a/old"), record).ok());
        QVERIFY(store.appendRun(QStringLiteral("a/old"), RunRecord{}).ok());
        // A name that already has state is not overwritten.
        QVERIFY(store.saveStatus(QStringLiteral("taken"), StatusRecord{}).ok());
        QVERIFY(!store.rename(QStringLiteral("a/old"), QStringLiteral("taken")).ok());
        QCOMPARE(store.status(QStringLiteral("a/old"))->updateStatus, UpdateStatus::Finished);
        QVERIFY(store.remove(QStringLiteral("taken")).ok());
        QVERIFY(store.rename(QStringLiteral("a/old"), QStringLiteral("b/new")).ok());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("a%2Fold.json"))));
        QCOMPARE(store.status(QStringLiteral("b/new"))->updateStatus, UpdateStatus::Finished);
        QCOMPARE(store.history(QStringLiteral("b/new"))->size(), 1);
        QVERIFY(store.remove(QStringLiteral("b/new")).ok());
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStateStore)
#include "TestStateStore.moc"
