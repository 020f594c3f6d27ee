#include "mirror/StateStore.h"
#include "platform/Platform.h"

#include <QThreadPool>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace md;

namespace CliFree {
QByteArray read(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace CliFree

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
        // The status, the history and the check each have their file; status reads no history.
        QVERIFY(store.appendRun(QStringLiteral("org/repo"), RunRecord{}).ok());
        QCOMPARE(*store.status(QStringLiteral("org/repo")), record);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("state"))).entryList(QDir::Files, QDir::Name),
                 (QStringList{QStringLiteral("org%2Frepo+check.json"), QStringLiteral("org%2Frepo+history.json"),
                              QStringLiteral("org%2Frepo.json")}));
        QFile::remove(store.historyFileOf(QStringLiteral("org/repo")));
        QCOMPARE(*store.status(QStringLiteral("org/repo")), record);
    }

    void runsKeepOnlyWhatMovedOrFailed()
    {
        // A GitHub-shaped run: 6,000 rejected pull refs, 300 up to date, 2 moved, 1 failed.
        QList<RefResult> refs;
        for (int i = 0; i < 3000; ++i) {
            for (const char *kind : {"head", "merge"})
                refs.append({QStringLiteral("refs/pull/%1/%2").arg(i).arg(QLatin1String(kind)), RefAction::Rejected, {}, QString(40, u'a'),
                             RefOutcome::Rejected, QStringLiteral("pull/merge request refs belong to the host")});
        }
        for (int i = 0; i < 300; ++i)
            refs.append({QStringLiteral("refs/heads/b%1").arg(i), RefAction::UpToDate, QString(40, u'b'), QString(40, u'b'), RefOutcome::Ok, {}});
        refs.append({QStringLiteral("refs/heads/moved"), RefAction::FastForward, QString(40, u'1'), QString(40, u'2'), RefOutcome::Ok, {}});
        refs.append({QStringLiteral("refs/tags/new"), RefAction::Create, {}, QString(40, u'3'), RefOutcome::Ok, {}});
        refs.append({QStringLiteral("refs/heads/raced"), RefAction::Force, QString(40, u'4'), QString(40, u'5'), RefOutcome::Rejected,
                     QString(2000, u'x')});
        RunRecord run;
        run.outcome = RunOutcome::Failed;
        const RunRecord compact = compactRun(run, refs);
        QCOMPARE(compact.refs.size(), 3);
        QCOMPARE(compact.refs.first().ref, QStringLiteral("refs/heads/raced")); // failures first
        QVERIFY(compact.refs.first().message.size() < 600);                     // messages cut
        QCOMPARE(compact.refCounts.value(RefAction::Rejected), 6000);
        QCOMPARE(compact.refCounts.value(RefAction::UpToDate), 300);
        QCOMPARE(compact.refsOmitted, 0);
        QCOMPARE(leftOutText(leftOutByNamespace(refs)), QStringLiteral("6,000 refs/pull/* left out: host-internal"));

        // Counts and omitted refs survive the file.
        QTemporaryDir dir;
        StateStore store(dir.path());
        for (int i = 0; i < 100; ++i)
            QVERIFY(store.appendRun(QStringLiteral("m"), compact).ok());
        const auto history = store.history(QStringLiteral("m"));
        QVERIFY(history.ok());
        QCOMPARE(history->last(), compact);
        qint64 total = 0;
        for (const QString &file : store.filesOf(QStringLiteral("m")))
            total += QFileInfo(file).size();
        QVERIFY2(total < 200 * 1024, qPrintable(QString::number(total)));

        // Thousands of moved refs (an initial mirror of many tags): capped, the rest counted.
        QList<RefResult> many;
        for (int i = 0; i < 5000; ++i)
            many.append({QStringLiteral("refs/tags/v%1").arg(i), RefAction::Create, {}, QString(40, u'c'), RefOutcome::Ok, {}});
        const RunRecord capped = compactRun(RunRecord{}, many);
        QCOMPARE(capped.refs.size(), RunRecord::kRefLimit);
        QCOMPARE(capped.refsOmitted, 5000 - RunRecord::kRefLimit);
        QCOMPARE(capped.refCounts.value(RefAction::Create), 5000);
        // Even a hundred such runs keep the history within its budget (older runs lose their lines).
        for (int i = 0; i < 100; ++i)
            QVERIFY(store.appendRun(QStringLiteral("big"), capped).ok());
        QVERIFY(QFileInfo(store.historyFileOf(QStringLiteral("big"))).size() <= StateStore::kHistoryBudgetBytes);
        const auto bigHistory = store.history(QStringLiteral("big"));
        QVERIFY(bigHistory.ok());
        QCOMPARE(bigHistory->size(), StateStore::kHistoryLimit);
        QCOMPARE(bigHistory->last(), capped); // the newest run keeps its lines
        QCOMPARE(bigHistory->first().refs.size(), 0);
        QCOMPARE(bigHistory->first().refsOmitted, 5000);
    }

    void anOlderOneFileStateIsMovedApartAndCompacted()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        // The layout before: status (with the last check) and a history of full ref lists in one file.
        QJsonArray refs;
        for (int i = 0; i < 2000; ++i)
            refs.append(QJsonObject{{QStringLiteral("ref"), QStringLiteral("refs/pull/%1/head").arg(i)}, {QStringLiteral("action"), QStringLiteral("rejected")},
                                    {QStringLiteral("old"), QString()}, {QStringLiteral("new"), QString(40, u'a')},
                                    {QStringLiteral("result"), QStringLiteral("rejected")}, {QStringLiteral("message"), QStringLiteral("host")}});
        QJsonArray history;
        for (int i = 0; i < 20; ++i)
            history.append(QJsonObject{{QStringLiteral("started_at"), QStringLiteral("2024-05-01T10:00:00Z")}, {QStringLiteral("duration_ms"), i},
                                       {QStringLiteral("outcome"), QStringLiteral("ok")}, {QStringLiteral("refs"), refs}});
        const QJsonObject old{{QStringLiteral("status"), QJsonObject{{QStringLiteral("update_status"), QStringLiteral("finished")},
                                                                   {QStringLiteral("last_check"), QJsonObject{{QStringLiteral("state"), QStringLiteral("behind")},
                                                                                                              {QStringLiteral("checked_at"), QStringLiteral("2024-05-01T11:00:00Z")}}}}},
                              {QStringLiteral("history"), history}};
        QFile file(store.fileOf(QStringLiteral("m")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(old).toJson(QJsonDocument::Compact));
        file.close();
        const qint64 before = QFileInfo(store.fileOf(QStringLiteral("m"))).size();
        // Read as it is.
        QCOMPARE(store.status(QStringLiteral("m"))->lastCheck->state, CheckState::Behind);
        QCOMPARE(store.history(QStringLiteral("m"))->size(), 20);
        // The next run moves it apart, compacted.
        QVERIFY(store.appendRun(QStringLiteral("m"), RunRecord{}).ok());
        const auto status = store.status(QStringLiteral("m"));
        QVERIFY(status.ok());
        QCOMPARE(status->updateStatus, UpdateStatus::Finished);
        QCOMPARE(status->lastCheck->state, CheckState::Behind);
        const auto runs = store.history(QStringLiteral("m"));
        QCOMPARE(runs->size(), 21);
        QCOMPARE(runs->first().refCounts.value(RefAction::Rejected), 2000);
        QVERIFY(runs->first().refs.isEmpty());
        QVERIFY(!QJsonDocument::fromJson(CliFree::read(store.fileOf(QStringLiteral("m")))).object().contains(QStringLiteral("history")));
        qint64 after = 0;
        for (const QString &path : store.filesOf(QStringLiteral("m")))
            after += QFileInfo(path).size();
        QVERIFY2(after * 20 < before, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
    }

    void aHugeHistoryFileIsSetAsideNotRead()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        QVERIFY(store.appendRun(QStringLiteral("m"), RunRecord{}).ok());
        QFile file(store.historyFileOf(QStringLiteral("m")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"history\":[" + QByteArray(5 * 1024 * 1024, ' ') + "]}");
        file.close();
        const auto history = store.history(QStringLiteral("m"));
        QVERIFY(!history.ok());
        QVERIFY2(history.error().message.contains(QLatin1String("damaged")), qPrintable(history.error().message));
        QVERIFY(store.status(QStringLiteral("m")).ok()); // status never reads it
        QVERIFY(store.appendRun(QStringLiteral("m"), RunRecord{}).ok()); // set aside, a new one begun
        QCOMPARE(store.history(QStringLiteral("m"))->size(), 1);
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("m+history.json.damaged-*")}, QDir::Files).size(), 1);
    }

    void aCheckIsItsOwnFileAndGoesStaleAfterAnUpdate()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        CheckRecord check;
        check.state = CheckState::Behind;
        check.checkedAt = t0;
        QVERIFY(store.saveCheck(QStringLiteral("m"), check).ok());
        QVERIFY(!QFile::exists(store.fileOf(QStringLiteral("m")))); // no status write for a check
        auto status = store.status(QStringLiteral("m"));
        QCOMPARE(currentCheck(*status)->state, CheckState::Behind);
        // An update finishing a few milliseconds later makes it stale (times keep milliseconds).
        QVERIFY(store.changeStatus(QStringLiteral("m"), [&](StatusRecord &s) {
            s.updateStatus = UpdateStatus::Finished;
            s.lastSuccessfulUpdateAt = t0.addMSecs(5);
        }).ok());
        status = store.status(QStringLiteral("m"));
        QCOMPARE(status->lastCheck->state, CheckState::Behind);
        QVERIFY(!currentCheck(*status).has_value());
        // A link in the check file's place is refused, not written through.
        const QString target = dir.filePath(QStringLiteral("elsewhere"));
        QFile::remove(store.checkFileOf(QStringLiteral("m")));
        QVERIFY(QFile::link(target, store.checkFileOf(QStringLiteral("m"))));
        QVERIFY(!store.saveCheck(QStringLiteral("m"), check).ok());
        QVERIFY(!QFile::exists(target));
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

    void isoTimesReadAsQtReadsThem()
    {
        // parseIsoTime() reads isoTime()'s own format itself: the same answer as Qt's reading.
        const QStringList texts{
            QStringLiteral("2026-12-01T14:00:01Z"), QStringLiteral("2026-12-01T14:00:01.915Z"), QStringLiteral("2024-02-29T23:59:59.999Z"),
            QStringLiteral("2026-02-29T10:00:00Z"), QStringLiteral("2026-13-01T10:00:00Z"), QStringLiteral("2026-12-01T24:00:00Z"),
            QStringLiteral("2026-12-01T23:60:00Z"), QStringLiteral("2026-12-01T14:00:01+02:00"), QStringLiteral("2026-12-01T14:00:01"),
            QStringLiteral("2026-12-01T14:00:01.5Z"), QStringLiteral("2026-12-01 14:00:01Z"), QStringLiteral("2026-12-0xT14:00:01Z"),
            QStringLiteral("0001-01-01T00:00:00.000Z"), QStringLiteral("garbage")};
        for (const QString &text : texts) {
            const QDateTime qt = QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
            const QDateTime ours = parseIsoTime(text);
            QVERIFY2(ours.isValid() == qt.isValid() && (!qt.isValid() || (ours == qt && ours.timeSpec() == Qt::UTC)),
                     qPrintable(QStringLiteral("%1: %2 against Qt's %3").arg(text, ours.toString(Qt::ISODateWithMs), qt.toString(Qt::ISODateWithMs))));
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QCOMPARE(parseIsoTime(isoTime(now)), now);
    }

    void oversizedStateFileIsDamagedALinkToOneIsRefused()
    {
        QTemporaryDir dir;
        StateStore store(dir.path());
        QFile big(store.fileOf(QStringLiteral("m")));
        QVERIFY(big.open(QIODevice::WriteOnly));
        QVERIFY(big.resize(65 * 1024 * 1024)); // sparse: past the 64 MB a state file may be
        big.close();
        auto status = store.status(QStringLiteral("m"));
        QVERIFY(!status.ok());
        QVERIFY2(status.error().message.contains(QLatin1String("damaged")) && status.error().message.contains(QLatin1String("65 MB")),
                 qPrintable(status.error().message));
        // Set aside, not read or overwritten, by the next write.
        QVERIFY(store.changeStatus(QStringLiteral("m"), [](StatusRecord &s) { s.consecutiveFailures = 1; }).ok());
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("m.json.damaged-*")}, QDir::Files).size(), 1);
        QCOMPARE(store.status(QStringLiteral("m"))->consecutiveFailures, 1);

        // A link in a state file's place, to a file that large: refused, never set aside or followed for writing.
        QVERIFY(QFile::link(dir.filePath(QDir(dir.path()).entryList({QStringLiteral("m.json.damaged-*")}, QDir::Files).first()),
                            store.fileOf(QStringLiteral("n"))));
        status = store.status(QStringLiteral("n"));
        QVERIFY(!status.ok());
        QVERIFY2(!status.error().message.contains(QLatin1String("damaged")), qPrintable(status.error().message));
        QVERIFY(!store.changeStatus(QStringLiteral("n"), [](StatusRecord &) {}).ok());
        QVERIFY(QFileInfo(store.fileOf(QStringLiteral("n"))).isSymLink());
    }
};

QTEST_GUILESS_MAIN(TestStateStore)
#include "TestStateStore.moc"
