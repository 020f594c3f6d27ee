// StateScanner: a scan reads only the states whose files changed since the last scan, follows
// config edits (new and renamed mirrors read, unchanged ones not), and keeps the last good config
// when the file breaks.
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "ops/StateScan.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace md;

class TestStateScan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsOnlyWhatChanged()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("mirrors.json"));
        const QString stateDir = dir.filePath(QStringLiteral("state"));
        QVERIFY(MirrorStore(config).modify([](Config &c) {
            for (int i = 0; i < 300; ++i) {
                Mirror m;
                m.name = QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0'));
                m.source.url = QStringLiteral("https://example.com/%1.git").arg(i);
                c.mirrors.append(m);
            }
            return Status{};
        }).ok());
        StateStore state(stateDir);
        QVERIFY(state.changeStatus(QStringLiteral("m007"), [](StatusRecord &s) { s.updateStatus = UpdateStatus::Finished; }).ok());

        StateScanner scanner(stateDir);
        auto first = scanner.scan(config);
        QVERIFY(first.config);
        QVERIFY(first.configChanged);
        QCOMPARE(first.mirrors.size(), 300);
        QCOMPARE(first.withStatus.size(), 300); // the first scan reads everything
        QCOMPARE(first.mirrors.at(7).status.updateStatus, UpdateStatus::Finished);

        auto idle = scanner.scan(config);
        QVERIFY(!idle.configChanged);
        QVERIFY(idle.withStatus.isEmpty());
        QVERIFY(idle.mirrors.isEmpty()); // nothing changed: nothing handed over

        // Another process records a run of m042: only that one is read.
        QVERIFY(state.changeStatus(QStringLiteral("m042"), [](StatusRecord &s) {
            s.updateStatus = UpdateStatus::Failed;
            s.lastError = QStringLiteral("boom");
        }).ok());
        auto changed = scanner.scan(config);
        QCOMPARE(changed.withStatus, QSet<QString>{QStringLiteral("m042")});
        QCOMPARE(changed.mirrors.size(), 1); // only the changed one is handed over
        QCOMPARE(changed.mirrors.first().status.lastError, QStringLiteral("boom"));

        // A config edit of one mirror and a rename: only those two are read.
        QVERIFY(MirrorStore(config).modify([](Config &c) {
            c.mirrors[1].intervalMinutes = 9;
            c.mirrors[2].name = QStringLiteral("renamed");
            return Status{};
        }).ok());
        auto edited = scanner.scan(config);
        QVERIFY(edited.configChanged);
        QCOMPARE(edited.withStatus, (QSet<QString>{QStringLiteral("m001"), QStringLiteral("renamed")}));
        QCOMPARE(edited.mirrors.size(), 300);
        QCOMPARE(edited.mirrors.at(7).status.updateStatus, UpdateStatus::Finished); // kept, not re-read
        QCOMPARE(edited.mirrors.at(42).status.lastError, QStringLiteral("boom"));
        QCOMPARE(edited.mirrors.at(1).intervalMinutes, 9);
        QCOMPARE(edited.mirrors.at(2).mirror.name, QStringLiteral("renamed"));

        // A broken config: an error, the scanner keeps its last good one for the next scan.
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{ not json");
        file.close();
        auto broken = scanner.scan(config);
        QVERIFY(!broken.config);
        QVERIFY(broken.error);

        // A good config again; Reload (full) reads every state again.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\"schema_version\": 1, \"mirrors\": []}");
        file.close();
        auto again = scanner.scan(config, true);
        QVERIFY2(again.config, again.error ? qPrintable(again.error->message) : "");
        QVERIFY(again.mirrors.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStateScan)
#include "TestStateScan.moc"
