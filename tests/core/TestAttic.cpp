#include "mirror/Attic.h"

#include <QTest>

using namespace md;

class TestAttic : public QObject {
    Q_OBJECT
private:
    const QDateTime m_now{QDate(2026, 12, 1), QTime(12, 0), Qt::UTC};

    static QString atticRef(const QDateTime &when, const QString &ref, const QString &run = QStringLiteral("r1"))
    {
        return atticRefName(when, run, QStringLiteral("cache"), ref);
    }

private Q_SLOTS:
    void namesRoundTrip()
    {
        const QString name = atticRef(m_now, QStringLiteral("refs/heads/feature/x"));
        QCOMPARE(name, QStringLiteral("refs/mirrordesk/attic/20261201T120000Z-r1/cache/refs/heads/feature/x"));
        QVERIFY(!name.contains(QLatin1Char(':')));
        const auto entry = parseAtticRef(name, QStringLiteral("abc"));
        QVERIFY(entry);
        QCOMPARE(entry->ref, QStringLiteral("refs/heads/feature/x"));
        QCOMPARE(entry->when, m_now);
        QCOMPARE(entry->side, QStringLiteral("cache"));
        QCOMPARE(entry->run, QStringLiteral("r1"));
        QCOMPARE(entry->atticRef(), name);
        const auto back = atticEntryFromJson(atticEntryToJson(*entry));
        QVERIFY(back);
        QCOMPARE(*back, *entry);
    }

    void notAtticRefs_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("branch") << QStringLiteral("refs/heads/main");
        QTest::newRow("no stamp") << QStringLiteral("refs/mirrordesk/attic/r1/cache/refs/heads/main");
        QTest::newRow("bad side") << QStringLiteral("refs/mirrordesk/attic/20261201T120000Z-r1/other/refs/heads/main");
        QTest::newRow("bad date") << QStringLiteral("refs/mirrordesk/attic/20261399T120000Z-r1/cache/refs/heads/main");
        QTest::newRow("no ref") << QStringLiteral("refs/mirrordesk/attic/20261201T120000Z-r1/cache/main");
    }
    void notAtticRefs()
    {
        QFETCH(QString, name);
        QVERIFY(!parseAtticRef(name, QStringLiteral("abc")));
    }

    void listJoinsTheIndexNewestFirst()
    {
        const QString older = atticRef(m_now.addDays(-2), QStringLiteral("refs/heads/a"));
        const QString newer = atticRef(m_now, QStringLiteral("refs/tags/v1"));
        const QList<RefTip> refs{{QStringLiteral("refs/heads/main"), QStringLiteral("m"), {}},
                                 {older, QStringLiteral("o"), {}},
                                 {newer, QStringLiteral("n"), {}}};
        AtticEntry indexed = *parseAtticRef(older, QStringLiteral("o"));
        indexed.why = QStringLiteral("gone upstream");
        AtticEntry stale = *parseAtticRef(atticRef(m_now, QStringLiteral("refs/heads/gone")), QStringLiteral("g"));
        stale.why = QStringLiteral("an index entry whose ref was removed");
        const QList<AtticEntry> entries = listAttic(refs, {indexed, stale});
        QCOMPARE(entries.size(), 2); // the refs are the truth
        QCOMPARE(entries.at(0).ref, QStringLiteral("refs/tags/v1"));
        QCOMPARE(entries.at(0).why, QString()); // no index entry (a crash between ref and index)
        QCOMPARE(entries.at(1).ref, QStringLiteral("refs/heads/a"));
        QCOMPARE(entries.at(1).why, QStringLiteral("gone upstream"));
    }

    void retentionKeepsTheLastFivePerRef()
    {
        QList<AtticEntry> entries;
        for (int i = 0; i < 8; ++i) // refs/heads/a: 100 … 107 days old
            entries.append(*parseAtticRef(atticRef(m_now.addDays(-100 - i), QStringLiteral("refs/heads/a")), QString::number(i)));
        for (int i = 0; i < 3; ++i) // refs/heads/b: old but only three
            entries.append(*parseAtticRef(atticRef(m_now.addDays(-200 - i), QStringLiteral("refs/heads/b")), QString::number(i)));
        entries.append(*parseAtticRef(atticRef(m_now.addDays(-1), QStringLiteral("refs/heads/c")), QStringLiteral("c")));
        QList<AtticEntry> expired = expiredAttic(entries, 90, m_now);
        QCOMPARE(expired.size(), 3); // a's three oldest
        for (const AtticEntry &e : expired) {
            QCOMPARE(e.ref, QStringLiteral("refs/heads/a"));
            QVERIFY(e.when <= m_now.addDays(-105));
        }
        // Entries younger than the retention stay, however many.
        QVERIFY(expiredAttic(entries, 365, m_now).isEmpty());
        // Zero days: everything but the last five of each ref.
        QCOMPARE(expiredAttic(entries, 0, m_now).size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestAttic)
#include "TestAttic.moc"
