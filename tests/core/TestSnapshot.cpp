// What the window reads of the mirrors (core/ops/Snapshot): the first read, the incremental reload
// after a config change (no state file read for mirrors it already shows, nothing parsed when the
// file is as it was) and the row diff a model applies in place. Real files in a temporary folder.
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "ops/MirrorOps.h"
#include "ops/Snapshot.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using namespace Qt::StringLiterals;

class TestSnapshot : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString configPath() const { return m_dir.filePath(u"mirrors.json"_s); }
    QString stateDir() const { return m_dir.filePath(u"state"_s); }

    static QString nameOf(int i) { return u"org-%1/repo-%2"_s.arg(i / 25).arg(i % 25); }

    // The status recorded for mirror i: its failure count tells the mirrors apart.
    static StatusRecord statusOf(int failures)
    {
        StatusRecord status;
        status.updateStatus = UpdateStatus::Failed;
        status.consecutiveFailures = failures;
        status.lastUpdateStartedAt = QDateTime::currentDateTimeUtc();
        status.lastError = u"failure %1"_s.arg(failures);
        return status;
    }

    bool edit(const std::function<void(Config &)> &change)
    {
        return MirrorStore(configPath()).modify([&](Config &c) {
            change(c);
            return Status{};
        }).ok();
    }

    static int failuresOf(const Snapshot &snapshot, const QString &name)
    {
        for (const MirrorView &view : snapshot.mirrors) {
            if (view.mirror.name == name)
                return view.status.consecutiveFailures;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 700 mirrors (several chunks for the reading threads), each with a status of its own.
        QVERIFY(edit([&](Config &c) {
            c.settings.cacheRoot = m_dir.filePath(u"caches"_s);
            for (int i = 0; i < 700; ++i) {
                Mirror m;
                m.name = nameOf(i);
                m.source.url = u"https://example.invalid/r%1.git"_s.arg(i);
                c.mirrors.append(m);
            }
        }));
        StateStore state(stateDir());
        for (int i = 0; i < 700; ++i)
            QVERIFY(state.saveStatus(nameOf(i), statusOf(i + 1)).ok());
        // One damaged state file: that mirror alone shows the problem.
        QFile damaged(state.fileOf(nameOf(5)));
        QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        damaged.write("{ not json");
    }

    void loadReadsEveryMirrorInConfigOrder()
    {
        const Snapshot snapshot = loadSnapshot(configPath(), stateDir());
        QVERIFY(snapshot.config);
        QVERIFY(!snapshot.configDigest.isEmpty());
        QCOMPARE(snapshot.mirrors.size(), 700);
        for (int i = 0; i < 700; ++i) {
            const MirrorView &view = snapshot.mirrors.at(i);
            QCOMPARE(view.mirror.name, nameOf(i));
            QCOMPARE(view.sourceDisplay, u"https://example.invalid/r%1.git"_s.arg(i));
            QVERIFY(view.targetDisplay.isEmpty());
            QCOMPARE(view.cachePath, snapshot.config->cachePathOf(view.mirror));
            QCOMPARE(view.intervalMinutes, 5);
            if (i == 5) {
                QVERIFY(view.statusProblem.contains(u"damaged"_s));
                QCOMPARE(view.status.updateStatus, UpdateStatus::Failed);
                continue;
            }
            QVERIFY2(view.statusProblem.isEmpty(), qPrintable(view.statusProblem));
            QCOMPARE(view.status.consecutiveFailures, i + 1);
            QCOMPARE(view.status.lastError, u"failure %1"_s.arg(i + 1));
        }
        // The same as reading the statuses one by one.
        const QList<MirrorView> again = refreshStatuses(*snapshot.config, stateDir());
        QCOMPARE(again.size(), 700);
        for (int i = 0; i < 700; ++i) {
            QVERIFY(again.at(i).sameDisplay(snapshot.mirrors.at(i)));
            QCOMPARE(again.at(i).status, snapshot.mirrors.at(i).status);
        }
    }

    void reloadOfAnUnchangedFileParsesNothing()
    {
        const Snapshot first = loadSnapshot(configPath(), stateDir());
        // A state file changed since: an unchanged config reads no state (the answer is `first`).
        StateStore state(stateDir());
        QVERIFY(state.saveStatus(nameOf(1), statusOf(1000)).ok());
        bool unchanged = false;
        const Snapshot again = reloadSnapshot(configPath(), stateDir(), first, &unchanged);
        QVERIFY(unchanged);
        QCOMPARE(failuresOf(again, nameOf(1)), 2);
        QCOMPARE(again.configDigest, first.configDigest);
        const SnapshotDiff diff = diffSnapshots(first, again);
        QVERIFY(!diff.rowsChanged());
        QVERIFY(!diff.configChanged);
        QVERIFY(state.saveStatus(nameOf(1), statusOf(2)).ok());
    }

    void reloadAfterAnEditReadsTheStateOfNewNamesOnly()
    {
        const Snapshot before = loadSnapshot(configPath(), stateDir());
        StateStore state(stateDir());
        // Changed on disk since the first read: a kept mirror's state is not read again.
        QVERIFY(state.saveStatus(nameOf(2), statusOf(2000)).ok());

        // One field of one mirror, one mirror added (with a state already there), one removed.
        QVERIFY(state.saveStatus(u"new/one"_s, statusOf(77)).ok());
        QVERIFY(edit([&](Config &c) {
            c.mirrors[10].intervalMinutes = 7;
            Mirror added;
            added.name = u"new/one"_s;
            added.source.url = u"https://example.invalid/new.git"_s;
            c.mirrors.append(added);
            c.mirrors.removeAt(20);
        }));
        bool unchanged = true;
        const Snapshot after = reloadSnapshot(configPath(), stateDir(), before, &unchanged);
        QVERIFY(!unchanged);
        QVERIFY(after.config);
        QCOMPARE(after.mirrors.size(), 700);
        QCOMPARE(failuresOf(after, nameOf(2)), 3); // kept: the status `before` had
        QCOMPARE(failuresOf(after, u"new/one"_s), 77); // new: read
        QCOMPARE(failuresOf(after, nameOf(20)), -1);
        QVERIFY(!after.mirrors.at(5).statusProblem.isEmpty()); // kept, problem and all
        const MirrorView &edited = after.mirrors.at(10);
        QCOMPARE(edited.mirror.name, nameOf(10));
        QCOMPARE(edited.intervalMinutes, 7);
        QCOMPARE(edited.status.consecutiveFailures, 11);

        const SnapshotDiff diff = diffSnapshots(before, after);
        QVERIFY(diff.configChanged);
        QCOMPARE(diff.removed, QList<int>{20});
        QCOMPARE(diff.added, QList<int>{699});
        QCOMPARE(diff.changed, (QList<QPair<int, int>>{{10, 10}}));

        // A rename: the state moves with it, and the new name's state is what is shown.
        QVERIFY(MirrorOps(configPath(), stateDir()).rename(nameOf(30), u"renamed/thirty"_s).ok());
        const Snapshot renamed = reloadSnapshot(configPath(), stateDir(), after);
        QCOMPARE(failuresOf(renamed, u"renamed/thirty"_s), 31);
        const SnapshotDiff renameDiff = diffSnapshots(after, renamed);
        QCOMPARE(renameDiff.removed.size(), 1);
        QCOMPARE(after.mirrors.at(renameDiff.removed.first()).mirror.name, nameOf(30));
        QCOMPARE(renameDiff.added.size(), 1);
        QCOMPARE(renamed.mirrors.at(renameDiff.added.first()).mirror.name, u"renamed/thirty"_s);
        QVERIFY(renameDiff.changed.isEmpty());

        // A settings change every row shows (the default interval): every mirror without its own
        // interval is changed; the one with its own is not.
        QVERIFY(edit([](Config &c) { c.settings.defaultIntervalMinutes = 9; }));
        const Snapshot slower = reloadSnapshot(configPath(), stateDir(), renamed);
        const SnapshotDiff settingsDiff = diffSnapshots(renamed, slower);
        QCOMPARE(settingsDiff.changed.size(), 699);
        QVERIFY(settingsDiff.removed.isEmpty() && settingsDiff.added.isEmpty());
        QCOMPARE(slower.mirrors.at(10).intervalMinutes, 7);
        QCOMPARE(slower.mirrors.at(11).intervalMinutes, 9);
        QCOMPARE(failuresOf(slower, nameOf(2)), 3);
    }

    void reloadOfABrokenConfigSaysWhyAndAFixedOneReadsAgain()
    {
        const Snapshot good = loadSnapshot(configPath(), stateDir());
        const QByteArray saved = [&] {
            QFile file(configPath());
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        {
            QFile file(configPath());
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{ broken");
        }
        const Snapshot broken = reloadSnapshot(configPath(), stateDir(), good);
        QVERIFY(!broken.config);
        QVERIFY(broken.error);
        QVERIFY(broken.error->message.contains(u"invalid"_s));
        {
            QFile file(configPath());
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(saved);
        }
        // Back to the bytes of `good`: nothing to do.
        bool unchanged = false;
        const Snapshot back = reloadSnapshot(configPath(), stateDir(), good, &unchanged);
        QVERIFY(unchanged);
        QCOMPARE(back.mirrors.size(), good.mirrors.size());
        // From a snapshot without a config (the first read failed): a full read.
        const Snapshot fresh = reloadSnapshot(configPath(), stateDir(), broken, &unchanged);
        QVERIFY(!unchanged);
        QCOMPARE(fresh.mirrors.size(), good.mirrors.size());
        QCOMPARE(failuresOf(fresh, nameOf(2)), 2000); // read from disk now
    }
};

QTEST_GUILESS_MAIN(TestSnapshot)
#include "TestSnapshot.moc"
