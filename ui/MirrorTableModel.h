#pragma once

#include "mirror/Mirror.h"
#include "mirror/StatusRecord.h"

#include <QAbstractTableModel>
#include <QHash>

#include <optional>

namespace md::ui {

// One row of the status table: values only, copied from the config and the state. data() never
// calls into the engine or git.
struct MirrorRow {
    Mirror mirror;
    QString sourceDisplay; // scrubbed once, when the row is made
    QString targetDisplay; // scrubbed; empty for a pull mirror
    QString cachePath;
    int intervalMinutes = 5;
    StatusRecord status;
};

// The status table (DESIGN section 1): one row per mirror, fed in batches.
class MirrorTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Shape, Source, Target, Health, LastAttempt, LastSuccess, LastError, NextRun, Progress, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole + 1 };

    explicit MirrorTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces every row (a config reload). Activity texts of mirrors still listed are kept.
    void setRows(QList<MirrorRow> rows);

    // A change to one mirror's row from the engine: a new status and/or a new activity text
    // (the Progress column: "Checking…", "In sync", "Updated", …).
    struct RowUpdate {
        QString name;
        std::optional<StatusRecord> status;
        std::optional<QString> activity;
    };
    // Applies a batch: one dataChanged per changed row, or one range signal when most rows
    // changed. Names not in the table are ignored.
    void applyUpdates(const QList<RowUpdate> &updates);
    // The row of a mirror, or -1.
    int rowOf(const QString &name) const { return m_index.value(name, -1); }
    QString activity(const QString &name) const { return m_activity.value(name); }
    const MirrorRow &row(int index) const { return m_rows.at(index); }

    // The health word shown for a status (Never run, OK, Failing, Disabled, …).
    static QString healthText(const MirrorRow &row);
    // A check's result in words (In sync, Behind, …), shown in the Progress column when idle.
    static QString checkText(const CheckRecord &record);

private:
    QVariant display(const MirrorRow &row, int column) const;

    QList<MirrorRow> m_rows;
    QHash<QString, int> m_index;        // name -> row
    QHash<QString, QString> m_activity; // name -> Progress text
};

} // namespace md::ui
