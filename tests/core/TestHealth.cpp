// The health of a mirror (ops/Health), table-tested: one order of concern for every front end.
#include "ops/Health.h"

#include <QTest>

using namespace md;

Q_DECLARE_METATYPE(md::StatusRecord)

class TestHealth : public QObject {
    Q_OBJECT
private:
    static const QDateTime &now()
    {
        static const QDateTime t = QDateTime(QDate(2026, 12, 1), QTime(12, 0), Qt::UTC);
        return t;
    }
    static CheckRecord check(CheckState state, int minutesAgo, ErrorCategory category = ErrorCategory::None)
    {
        CheckRecord record;
        record.state = state;
        record.errorCategory = category;
        record.checkedAt = now().addSecs(-60 * minutesAgo);
        return record;
    }
    static StatusRecord ran(int minutesAgo, bool ok)
    {
        StatusRecord status;
        status.lastUpdateStartedAt = now().addSecs(-60 * minutesAgo);
        status.lastUpdateAt = status.lastUpdateStartedAt.addSecs(5);
        status.updateStatus = ok ? UpdateStatus::Finished : UpdateStatus::Failed;
        if (ok)
            status.lastSuccessfulUpdateAt = status.lastUpdateAt;
        else {
            status.consecutiveFailures = 1;
            status.errorCategory = ErrorCategory::Network;
            status.lastError = QStringLiteral("cannot connect");
        }
        return status;
    }

private Q_SLOTS:
    void verdicts_data()
    {
        QTest::addColumn<StatusRecord>("status");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<bool>("running");
        QTest::addColumn<QString>("health");

        QTest::newRow("never run, never checked") << StatusRecord() << true << false << u"unknown"_qs;
        QTest::newRow("updated a minute ago") << ran(1, true) << true << false << u"in_sync"_qs;
        QTest::newRow("last update failed") << ran(1, false) << true << false << u"failing"_qs;
        QTest::newRow("failed, and running again") << ran(1, false) << true << true << u"failing"_qs;
        QTest::newRow("running") << ran(1, true) << true << true << u"running"_qs;
        QTest::newRow("disabled beats failing") << ran(1, false) << false << false << u"disabled"_qs;
        {
            StatusRecord s = ran(1, true);
            s.updateStatus = UpdateStatus::Paused;
            QTest::newRow("paused") << s << true << false << u"paused"_qs;
        }
        {
            StatusRecord s = ran(2, true);
            s.lastCheck = check(CheckState::Behind, 1);
            QTest::newRow("checked behind after the update") << s << true << false << u"behind"_qs;
        }
        {
            StatusRecord s = ran(1, true);
            s.lastCheck = check(CheckState::Behind, 2);
            QTest::newRow("a behind check older than the update is not the state") << s << true << false << u"in_sync"_qs;
        }
        {
            StatusRecord s = ran(2, true);
            s.lastCheck = check(CheckState::Diverged, 1);
            QTest::newRow("diverged") << s << true << false << u"diverged"_qs;
        }
        {
            StatusRecord s = ran(2, true);
            s.lastCheck = check(CheckState::Unreachable, 1, ErrorCategory::Auth);
            QTest::newRow("a check that cannot log in (an unset secret variable)") << s << true << false << u"failing"_qs;
        }
        {
            StatusRecord s = ran(2, false);
            s.errorCategory = ErrorCategory::Diverged;
            QTest::newRow("the run left diverged refs") << s << true << false << u"diverged"_qs;
        }
        {
            StatusRecord s = ran(2, false);
            s.lastCheck = check(CheckState::Diverged, 1);
            QTest::newRow("failing beats diverged") << s << true << false << u"failing"_qs;
        }
        // Stale: no success for three intervals (5 min each).
        QTest::newRow("14 min since success: not stale yet") << ran(14, true) << true << false << u"in_sync"_qs;
        QTest::newRow("16 min since success: stale") << ran(16, true) << true << false << u"stale"_qs;
        {
            StatusRecord s = ran(16, true);
            s.lastCheck = check(CheckState::Behind, 1);
            QTest::newRow("stale beats behind") << s << true << false << u"stale"_qs;
        }
        {
            StatusRecord s = ran(60, true);
            s.updateStatus = UpdateStatus::Interrupted;
            s.lastUpdateStartedAt = now().addSecs(-30);
            QTest::newRow("interrupted runs for an hour: stale, not failing") << s << true << false << u"stale"_qs;
        }
    }

    void verdicts()
    {
        QFETCH(StatusRecord, status);
        QFETCH(bool, enabled);
        QFETCH(bool, running);
        QFETCH(QString, health);
        Mirror mirror;
        mirror.name = QStringLiteral("m");
        mirror.enabled = enabled;
        const HealthVerdict verdict = assessHealth({mirror, status, 5, now(), running});
        QCOMPARE(healthName(verdict.health), health);
    }

    void namesRoundTripAndOrder()
    {
        for (int i = 0; i < kHealthCount; ++i)
            QCOMPARE(healthFromName(healthName(static_cast<Health>(i))), std::optional<Health>(static_cast<Health>(i)));
        QVERIFY(!healthFromName(QStringLiteral("ok")));
        QVERIFY(healthRank(Health::Failing) < healthRank(Health::Diverged));
        QVERIFY(healthRank(Health::Stale) < healthRank(Health::Behind));
        QVERIFY(healthRank(Health::Running) < healthRank(Health::InSync));
        QVERIFY(healthRank(Health::InSync) < healthRank(Health::Unknown));
    }
};

QTEST_GUILESS_MAIN(TestHealth)
#include "TestHealth.moc"
