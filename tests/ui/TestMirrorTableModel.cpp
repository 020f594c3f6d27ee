// The status table's model (ui/MirrorTableModel): a consistent model under QAbstractItemModelTester
// while rows are replaced and updated, and the batching applyUpdates promises — one dataChanged
// per changed row, or one range signal when most rows changed.
#include "MirrorTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace md;
using namespace md::ui;
using namespace Qt::StringLiterals;

namespace {

QString nameOf(int i)
{
    return u"org/m%1"_s.arg(i, 3, 10, QChar(u'0'));
}

QList<MirrorRow> rows(int count, int first = 0)
{
    QList<MirrorRow> list;
    for (int i = first; i < first + count; ++i) {
        MirrorRow row;
        row.mirror.name = nameOf(i);
        row.mirror.source.url = u"https://example.org/%1.git"_s.arg(row.mirror.name);
        row.cachePath = u"/caches/%1.git"_s.arg(row.mirror.name);
        row.intervalMinutes = 5 + i;
        list.append(row);
    }
    return list;
}

StatusRecord failed(const QString &error)
{
    StatusRecord status;
    status.updateStatus = UpdateStatus::Failed;
    status.lastError = error;
    status.errorCategory = ErrorCategory::Network;
    status.consecutiveFailures = 1;
    return status;
}

// Updates for the mirrors with these indexes: an activity text, and a status for every other one.
QList<MirrorTableModel::RowUpdate> updatesFor(const QList<int> &indexes)
{
    QList<MirrorTableModel::RowUpdate> updates;
    for (const int i : indexes) {
        MirrorTableModel::RowUpdate update;
        update.name = nameOf(i);
        update.activity = u"Checking… %1"_s.arg(i);
        if (i % 2 == 0)
            update.status = failed(u"error %1"_s.arg(i));
        updates.append(update);
    }
    return updates;
}

QList<int> range(int from, int count)
{
    QList<int> list;
    for (int i = from; i < from + count; ++i)
        list.append(i);
    return list;
}

} // namespace

class TestMirrorTableModel : public QObject {
    Q_OBJECT
private:
    static QString cell(const MirrorTableModel &model, const QString &name, int column)
    {
        const int row = model.rowOf(name);
        return row < 0 ? u"(no row)"_s : model.index(row, column).data().toString();
    }

    // Asserts that `spy` holds exactly one dataChanged per row in `expectedRows`, in order, each
    // spanning every column of its row.
    static void verifyRowSignals(const MirrorTableModel &model, const QSignalSpy &spy, const QList<int> &expectedRows)
    {
        QCOMPARE(spy.count(), expectedRows.size());
        for (qsizetype i = 0; i < expectedRows.size(); ++i) {
            const auto topLeft = spy.at(i).at(0).value<QModelIndex>();
            const auto bottomRight = spy.at(i).at(1).value<QModelIndex>();
            QCOMPARE(topLeft, model.index(expectedRows.at(i), MirrorTableModel::Health));
            QCOMPARE(bottomRight, model.index(expectedRows.at(i), MirrorTableModel::ColumnCount - 1));
        }
    }

    // Asserts one dataChanged per run of consecutive rows, first..last inclusive, every column.
    static void verifyRanges(const MirrorTableModel &model, const QSignalSpy &spy, const QList<QPair<int, int>> &ranges)
    {
        QCOMPARE(spy.count(), ranges.size());
        for (qsizetype i = 0; i < ranges.size(); ++i) {
            QCOMPARE(spy.at(i).at(0).value<QModelIndex>(), model.index(ranges.at(i).first, MirrorTableModel::Health));
            QCOMPARE(spy.at(i).at(1).value<QModelIndex>(), model.index(ranges.at(i).second, MirrorTableModel::ColumnCount - 1));
        }
    }

private Q_SLOTS:
    void consistentWhileRowsAndUpdatesChange()
    {
        MirrorTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(MirrorTableModel::ColumnCount));

        model.setRows(rows(5));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(cell(model, nameOf(3), MirrorTableModel::Name), nameOf(3));
        QCOMPARE(model.index(3, MirrorTableModel::Name).data(Qt::ToolTipRole).toString(), u"/caches/org/m003.git"_s);
        QCOMPARE(cell(model, nameOf(3), MirrorTableModel::Health), u"Never run"_s);
        QCOMPARE(model.index(0, MirrorTableModel::Name).parent(), QModelIndex());
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a table: no children

        // Updates land on their rows, names not in the table are ignored.
        QList<MirrorTableModel::RowUpdate> updates = updatesFor({1, 2});
        updates.append({u"not/listed"_s, failed(u"x"_s), u"Updating…"_s});
        model.applyUpdates(updates);
        QCOMPARE(cell(model, nameOf(1), MirrorTableModel::Progress), u"Checking… 1"_s);
        QCOMPARE(cell(model, nameOf(2), MirrorTableModel::Health), u"Failing"_s);
        QCOMPARE(cell(model, nameOf(2), MirrorTableModel::LastError), u"Network error"_s); // the category, translated
        QCOMPARE(model.index(model.rowOf(nameOf(2)), MirrorTableModel::LastError).data(Qt::ToolTipRole).toString(), u"error 2"_s);
        QCOMPARE(cell(model, nameOf(1), MirrorTableModel::Health), u"Never run"_s); // no status in its update
        QCOMPARE(cell(model, nameOf(0), MirrorTableModel::Progress), QString());
        QCOMPARE(model.rowOf(u"not/listed"_s), -1);
        QCOMPARE(model.activity(u"not/listed"_s), QString());

        // A reload keeps the activity of mirrors still listed and forgets the others.
        model.setRows(rows(100, 2)); // m002 … m101: m001 is gone
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.rowOf(nameOf(1)), -1);
        QCOMPARE(cell(model, nameOf(2), MirrorTableModel::Progress), u"Checking… 2"_s);
        QCOMPARE(cell(model, nameOf(2), MirrorTableModel::Health), u"Never run"_s); // the status comes with the rows
        model.setRows(rows(5));
        QCOMPARE(cell(model, nameOf(1), MirrorTableModel::Progress), QString());

        // Big and small batches, then an empty table and updates to nobody.
        model.setRows(rows(100));
        model.applyUpdates(updatesFor(range(0, 90)));
        model.applyUpdates(updatesFor({7, 50, 99}));
        model.applyUpdates({});
        QCOMPARE(cell(model, nameOf(99), MirrorTableModel::Progress), u"Checking… 99"_s);
        QCOMPARE(cell(model, nameOf(88), MirrorTableModel::Health), u"Failing"_s);
        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
        model.applyUpdates(updatesFor({1, 2, 3}));
        QCOMPARE(model.rowCount(), 0);
    }

    void batchesDataChanged()
    {
        MirrorTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setRows(rows(100));
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

        // Consecutive rows changed: one range signal over them.
        model.applyUpdates(updatesFor(range(5, 90)));
        verifyRanges(model, spy, {{5, 94}});
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(cell(model, nameOf(94), MirrorTableModel::Progress), u"Checking… 94"_s);
        QCOMPARE(cell(model, nameOf(95), MirrorTableModel::Progress), QString());

        // Scattered rows: one signal per row, only those rows, in row order.
        spy.clear();
        model.applyUpdates(updatesFor({42, 3, 77}));
        verifyRowSignals(model, spy, {3, 42, 77});
        if (QTest::currentTestFailed())
            return;

        // Names not in the table neither count nor signal.
        spy.clear();
        QList<MirrorTableModel::RowUpdate> updates = updatesFor({10});
        for (int i = 0; i < 80; ++i)
            updates.append({u"gone/%1"_s.arg(i), std::nullopt, u"Checking…"_s});
        model.applyUpdates(updates);
        verifyRowSignals(model, spy, {10});
        if (QTest::currentTestFailed())
            return;
        spy.clear();
        model.applyUpdates({{u"gone/x"_s, failed(u"x"_s), u"Updating…"_s}});
        QCOMPARE(spy.count(), 0);

        // Runs of rows: 0–9 and 20–29 and 31 are three ranges, whatever order they came in.
        spy.clear();
        QList<int> mixed = range(20, 10) + QList<int>{31} + range(0, 10);
        model.applyUpdates(updatesFor(mixed));
        verifyRanges(model, spy, {{0, 9}, {20, 29}, {31, 31}});
        if (QTest::currentTestFailed())
            return;
    }

    void aRowUpdatedTwiceInOneBatchIsSignalledOnce()
    {
        MirrorTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setRows(rows(100));
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        // An activity, then a status, for each of three mirrors in one batch: the later value
        // wins, and each row changed once.
        QList<MirrorTableModel::RowUpdate> updates;
        for (const int i : {4, 8, 15})
            updates.append({nameOf(i), std::nullopt, u"Updating…"_s});
        for (const int i : {4, 8, 15})
            updates.append({nameOf(i), failed(u"late"_s), u"Failed"_s});
        model.applyUpdates(updates);
        QCOMPARE(cell(model, nameOf(8), MirrorTableModel::Progress), u"Failed"_s);
        QCOMPARE(model.index(model.rowOf(nameOf(8)), MirrorTableModel::LastError).data(Qt::ToolTipRole).toString(), u"late"_s);
        QCOMPARE(spy.count(), 3);
    }
};

QTEST_MAIN(TestMirrorTableModel)
#include "TestMirrorTableModel.moc"
