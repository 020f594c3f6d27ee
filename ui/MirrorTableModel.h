#pragma once

#include "mirror/Mirror.h"
#include "mirror/Scheduler.h"
#include "mirror/StatusRecord.h"
#include "ops/Health.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>

#include <array>
#include <optional>

namespace md::ui {

// One row of the status table: values only, copied from the config and the state. data() never
// calls into the engine or git; the health and the next run are computed when the row changes
// (and when the clock moves on), not per paint or per sort comparison.
struct MirrorRow {
    Mirror mirror;
    QString sourceDisplay; // scrubbed once, when the row is made
    QString targetDisplay; // scrubbed; empty for a pull mirror
    QString cachePath;
    int intervalMinutes = 5;
    StatusRecord status;
    bool running = false;          // being checked or updated by this window's engine
    bool runningElsewhere = false; // another MirrorDesk process holds its cache lock
    // Derived (MirrorTableModel::derive):
    HealthVerdict verdict = {};
    ScheduleDecision next = {};
    std::optional<CheckRecord> check = std::nullopt; // the current check (never one older than the last update)
};

// The status table (DESIGN section 1): one row per mirror, fed in batches.
class MirrorTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Shape, Source, Target, Health, NextRun, LastSuccess, LastAttempt, Checked, Progress, LastError, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole + 1, HealthRole };

    explicit MirrorTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The clock the health (stale) and the next run are computed against (the window's timer
    // moves it on; tests inject it). Every row is re-derived, one range signal.
    void setNow(const QDateTime &now);
    QDateTime now() const { return m_now; }
    void setDefaultIntervalMinutes(int minutes) { m_defaultInterval = minutes; }

    // Replaces every row (the first load). Activity texts of mirrors still listed are kept.
    void setRows(QList<MirrorRow> rows);
    // A config change: rows of mirrors gone are removed, new ones appended, changed ones
    // replaced in place (their status and activity kept unless the new row brings a status);
    // the selection and the sort survive. `withStatus`: the names whose status in `rows` is fresh.
    void syncRows(QList<MirrorRow> rows, const QSet<QString> &withStatus);

    // A change to one mirror's row from the engine or the state folder: a new status and/or a
    // new activity text (the Progress column) and/or whether it is running.
    struct RowUpdate {
        QString name;
        std::optional<StatusRecord> status;
        std::optional<QString> activity;
        std::optional<bool> running = std::nullopt;
        std::optional<bool> runningElsewhere = std::nullopt;
    };
    // Applies a batch: one dataChanged per run of consecutive changed rows, over the columns from
    // Health on (the only ones an update changes). Names not in the table are ignored.
    void applyUpdates(const QList<RowUpdate> &updates);
    // The row of a mirror, or -1.
    int rowOf(const QString &name) const { return m_index.value(name, -1); }
    QString activity(const QString &name) const { return m_activity.value(name); }
    const MirrorRow &row(int index) const { return m_rows.at(index); }
    const QList<MirrorRow> &rows() const { return m_rows; }

    // Rows per health (the status bar).
    std::array<int, kHealthCount> healthCounts() const;

    // The health word shown for a row (In sync, Failing, Host key changed, Disabled, …).
    static QString healthText(const MirrorRow &row);
    static QString healthWord(md::Health health);
    // A check's result in words (In sync, Behind, …).
    static QString checkText(const CheckRecord &record);
    // An error category in words ("Network error", "Authentication failed", …), translated.
    static QString categoryText(ErrorCategory category);
    // Re-derives one row's health, schedule and current check against `now`.
    static void derive(MirrorRow &row, const QDateTime &now, int defaultIntervalMinutes);

private:
    QVariant display(const MirrorRow &row, int column) const;
    void rebuildIndex();
    void emitRowRanges(QList<int> rows, int firstColumn = 0);

    QList<MirrorRow> m_rows;
    QHash<QString, int> m_index;        // name -> row
    QHash<QString, QString> m_activity; // name -> Progress text
    QDateTime m_now;
    int m_defaultInterval = 5;
};

} // namespace md::ui
