#include "MainWindow.h"
#include "MirrorTableModel.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <QApplication>
#include <QFile>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using namespace md::ui;

namespace {

Status addPull(Config &config, const QString &name, const QString &url)
{
    Mirror m;
    m.name = name;
    m.source.url = url;
    config.mirrors.append(m);
    return {};
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void modelShowsRowsAndHealth()
    {
        MirrorTableModel model;
        MirrorRow ok;
        ok.mirror.name = QStringLiteral("a");
        ok.mirror.source.url = QStringLiteral("https://h/a.git");
        ok.status.updateStatus = UpdateStatus::Finished;
        ok.status.lastSuccessfulUpdateAt = QDateTime::currentDateTimeUtc();
        MirrorRow failing = ok;
        failing.mirror.name = QStringLiteral("b");
        failing.status.updateStatus = UpdateStatus::Failed;
        failing.status.lastError = QStringLiteral("auth failed for https://u:hunter2@h/b.git");
        MirrorRow disabled = ok;
        disabled.mirror.name = QStringLiteral("c");
        disabled.mirror.enabled = false;
        model.setRows({ok, failing, disabled});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(MirrorTableModel::ColumnCount));
        QCOMPARE(model.index(0, MirrorTableModel::Health).data().toString(), QStringLiteral("In sync"));
        QCOMPARE(model.index(1, MirrorTableModel::Health).data().toString(), QStringLiteral("Failing"));
        QCOMPARE(model.index(2, MirrorTableModel::Health).data().toString(), QStringLiteral("Disabled"));
        const QString error = model.index(1, MirrorTableModel::LastError).data(Qt::ToolTipRole).toString();
        QVERIFY(error.startsWith(QLatin1String("auth failed")));
        QVERIFY(!error.contains(QLatin1String("hunter2")));
        QCOMPARE(model.index(0, MirrorTableModel::Target).data().toString(), QStringLiteral("(cache)"));
        QVERIFY(model.index(1, MirrorTableModel::Health).data(Qt::ForegroundRole).isValid());
        QCOMPARE(model.headerData(MirrorTableModel::LastSuccess, Qt::Horizontal).toString(), QStringLiteral("Last success"));
        QCOMPARE(model.index(0, MirrorTableModel::LastSuccess).data(MirrorTableModel::RawValueRole).toDateTime(),
                 ok.status.lastSuccessfulUpdateAt);
    }

    void windowListsConfigAndStatus()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("mirrors.json"));
        const QString state = dir.filePath(QStringLiteral("state"));
        MirrorStore store(config);
        QVERIFY(store.modify([](Config &c) {
            (void)addPull(c, QStringLiteral("zeta"), QStringLiteral("https://h/z.git"));
            return addPull(c, QStringLiteral("alpha"), QStringLiteral("git://h/a.git"));
        }).ok());
        StatusRecord failed;
        failed.updateStatus = UpdateStatus::Failed;
        failed.lastError = QStringLiteral("connection refused");
        QVERIFY(StateStore(state).saveStatus(QStringLiteral("zeta"), failed).ok());

        MainWindow window(config, state);
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.problem().isEmpty());
        QAbstractItemModel *shown = window.view()->model();
        QCOMPARE(shown->rowCount(), 2);
        // Sorted by name in the view.
        QCOMPARE(shown->index(0, MirrorTableModel::Name).data().toString(), QStringLiteral("alpha"));
        QCOMPARE(shown->index(1, MirrorTableModel::Name).data().toString(), QStringLiteral("zeta"));
        QCOMPARE(shown->index(1, MirrorTableModel::Health).data().toString(), QStringLiteral("Failing"));
        QCOMPARE(shown->index(1, MirrorTableModel::LastError).data().toString(), QStringLiteral("Network error"));
        QCOMPARE(shown->index(1, MirrorTableModel::LastError).data(Qt::ToolTipRole).toString(), QStringLiteral("connection refused"));
        QCOMPARE(shown->index(0, MirrorTableModel::Health).data().toString(), QStringLiteral("Never run"));
    }

    void windowFollowsConfigChangesOnDisk()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("mirrors.json"));
        MirrorStore store(config);
        QVERIFY(store.modify([](Config &c) { return addPull(c, QStringLiteral("one"), QStringLiteral("https://h/1.git")); }).ok());
        MainWindow window(config, dir.filePath(QStringLiteral("state")));
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        QCOMPARE(window.model()->rowCount(), 1);
        // Another process (the CLI) adds a mirror: the window reloads on its own.
        QVERIFY(store.modify([](Config &c) { return addPull(c, QStringLiteral("two"), QStringLiteral("https://h/2.git")); }).ok());
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 5000);
    }

    void badConfigIsShownAndKeptUntouched()
    {
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("mirrors.json"));
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"schema_version\": 7}");
        file.close();
        MainWindow window(config, dir.filePath(QStringLiteral("state")));
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        QVERIFY(window.problem().contains(QLatin1String("version 7 is not supported")));
        QCOMPARE(window.model()->rowCount(), 0);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("{\"schema_version\": 7}"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
