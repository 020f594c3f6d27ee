#include "mirror/Scheduler.h"

#include <QTest>

using namespace md;

class TestScheduler : public QObject {
    Q_OBJECT
private:
    const QDateTime m_now{QDate(2026, 11, 22), QTime(12, 0), Qt::UTC};

    static Mirror mirror(int interval = 5)
    {
        Mirror m;
        m.name = QStringLiteral("org/repo");
        m.source.url = QStringLiteral("https://h/r.git");
        m.intervalMinutes = interval;
        return m;
    }

private Q_SLOTS:
    void neverRunIsDue()
    {
        const auto d = decideSchedule(mirror(), StatusRecord{}, 5, m_now);
        QVERIFY(d.due);
        QCOMPARE(d.nextRun, m_now);
    }

    void disabledAndPausedAreNeverDue()
    {
        Mirror m = mirror();
        m.enabled = false;
        auto d = decideSchedule(m, StatusRecord{}, 5, m_now);
        QVERIFY(!d.due);
        QCOMPARE(d.reason, QStringLiteral("disabled"));
        QVERIFY(!d.nextRun.isValid());
        StatusRecord paused;
        paused.updateStatus = UpdateStatus::Paused;
        d = decideSchedule(mirror(), paused, 5, m_now);
        QVERIFY(!d.due);
        QCOMPARE(d.reason, QStringLiteral("paused"));
    }

    void intervalWithJitter()
    {
        StatusRecord s;
        s.updateStatus = UpdateStatus::Finished;
        s.lastUpdateStartedAt = m_now.addSecs(-4 * 60);
        auto d = decideSchedule(mirror(5), s, 5, m_now);
        QVERIFY(!d.due);
        QVERIFY(d.reason.startsWith(QLatin1String("not due until")));
        // Next run between 5 and 5.5 minutes after the last start, stable for the same mirror.
        const qint64 wait = s.lastUpdateStartedAt.secsTo(d.nextRun);
        QVERIFY2(wait >= 300 && wait <= 330, qPrintable(QString::number(wait)));
        QCOMPARE(decideSchedule(mirror(5), s, 5, m_now).nextRun, d.nextRun);
        s.lastUpdateStartedAt = m_now.addSecs(-331);
        QVERIFY(decideSchedule(mirror(5), s, 5, m_now).due);
    }

    void manualUpdateWaitsForTheMinimumInterval()
    {
        Mirror m = mirror();
        m.minUpdateIntervalSeconds = 60;
        QVERIFY(decideManualUpdate(m, QDateTime(), m_now).due); // never updated by hand
        auto d = decideManualUpdate(m, m_now.addSecs(-20), m_now);
        QVERIFY(!d.due);
        QCOMPARE(d.nextRun, m_now.addSecs(40));
        QVERIFY2(d.reason.contains(QLatin1String("in 40 s")), qPrintable(d.reason));
        QVERIFY(decideManualUpdate(m, m_now.addSecs(-60), m_now).due);
        m.minUpdateIntervalSeconds = 0;
        QVERIFY(decideManualUpdate(m, m_now, m_now).due);
        // A disabled mirror may still be updated by hand.
        m.minUpdateIntervalSeconds = 60;
        m.enabled = false;
        QVERIFY(decideManualUpdate(m, m_now.addSecs(-61), m_now).due);
    }

    void defaultIntervalFollowsSettings()
    {
        Mirror m = mirror();
        m.intervalMinutes.reset();
        StatusRecord s;
        s.lastUpdateStartedAt = m_now.addSecs(-11 * 60);
        QVERIFY(decideSchedule(m, s, 10, m_now).due);
        QVERIFY(!decideSchedule(m, s, 60, m_now).due);
    }

    void failuresBackOff()
    {
        StatusRecord s;
        s.updateStatus = UpdateStatus::Failed;
        s.lastUpdateStartedAt = m_now.addSecs(-6 * 60);
        s.consecutiveFailures = 0;
        QVERIFY(decideSchedule(mirror(5), s, 5, m_now).due);
        s.consecutiveFailures = 2; // 5 min doubled twice: 20 min
        auto d = decideSchedule(mirror(5), s, 5, m_now);
        QVERIFY(!d.due);
        const qint64 wait = s.lastUpdateStartedAt.secsTo(d.nextRun);
        QVERIFY2(wait >= 1200 && wait <= 1230, qPrintable(QString::number(wait)));
        s.consecutiveFailures = 40; // capped at a day
        d = decideSchedule(mirror(5), s, 5, m_now);
        QVERIFY(s.lastUpdateStartedAt.secsTo(d.nextRun) <= 24 * 3600 + 30);
    }

    void aStartInTheFutureIsClampedToNowPlusTheWait()
    {
        StatusRecord s;
        s.updateStatus = UpdateStatus::Finished;
        s.lastUpdateStartedAt = QDateTime(QDate(2099, 1, 1), QTime(0, 0), Qt::UTC); // clock skew, a hand edit
        const auto d = decideSchedule(mirror(5), s, 5, m_now);
        QVERIFY(d.clamped);
        QVERIFY(!d.due);
        const qint64 wait = m_now.secsTo(d.nextRun);
        QVERIFY2(wait >= 300 && wait <= 330, qPrintable(QString::number(wait)));
        // A minute of skew is tolerated as it is.
        s.lastUpdateStartedAt = m_now.addSecs(30);
        QVERIFY(!decideSchedule(mirror(5), s, 5, m_now).clamped);
        QVERIFY(resetScheduleWarning(QDateTime(QDate(2099, 1, 1), QTime(0, 0), Qt::UTC), m_now).contains(QStringLiteral("2099-01-01T00:00:00Z")));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "TestScheduler.moc"
