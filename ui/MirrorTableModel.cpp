#include "MirrorTableModel.h"

#include <QSet>

#include "ops/HostKeyOps.h"
#include "security/GitUrl.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace md::ui {

namespace {

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QString();
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

enum class Health { NeverRun, Ok, Running, Failing, Disabled, Paused, HostKeyRefused };

Health healthOf(const MirrorRow &row)
{
    if (!row.mirror.enabled || row.status.updateStatus == UpdateStatus::Disabled)
        return Health::Disabled;
    if (row.status.updateStatus != UpdateStatus::Started && row.status.updateStatus != UpdateStatus::Scheduled
        && HostKeyOps::refusalOf(row.status))
        return Health::HostKeyRefused; // its newest check or run was refused for the host key
    switch (row.status.updateStatus) {
    case UpdateStatus::Failed: return Health::Failing;
    case UpdateStatus::Started:
    case UpdateStatus::Scheduled: return Health::Running;
    case UpdateStatus::Paused: return Health::Paused;
    case UpdateStatus::Finished: return Health::Ok;
    case UpdateStatus::None:
    case UpdateStatus::Interrupted: // stopped, not failing: the next run goes on
    case UpdateStatus::Disabled: break;
    }
    return Health::NeverRun;
}

} // namespace

MirrorTableModel::MirrorTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int MirrorTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int MirrorTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void MirrorTableModel::setRows(QList<MirrorRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_index.clear();
    QHash<QString, QString> activity;
    for (int i = 0; i < m_rows.size(); ++i) {
        const QString &name = m_rows.at(i).mirror.name;
        m_index.insert(name, i);
        if (m_activity.contains(name))
            activity.insert(name, m_activity.value(name));
    }
    m_activity = std::move(activity);
    endResetModel();
}

void MirrorTableModel::applyUpdates(const QList<RowUpdate> &updates)
{
    QList<int> changed; // each row once, in the order first updated
    QSet<int> seen;
    for (const RowUpdate &update : updates) {
        const int row = rowOf(update.name);
        if (row < 0)
            continue;
        if (update.status)
            m_rows[row].status = *update.status;
        if (update.activity)
            m_activity.insert(update.name, *update.activity);
        if (!seen.contains(row)) {
            seen.insert(row);
            changed.append(row);
        }
    }
    if (changed.isEmpty())
        return;
    if (changed.size() * 2 > m_rows.size()) {
        Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    for (const int row : changed)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString MirrorTableModel::healthText(const MirrorRow &row)
{
    switch (healthOf(row)) {
    case Health::NeverRun: return tr("Never run");
    case Health::Ok: return tr("OK");
    case Health::Running: return tr("Updating");
    case Health::Failing: return tr("Failing");
    case Health::Disabled: return tr("Disabled");
    case Health::Paused: return tr("Paused");
    case Health::HostKeyRefused: {
        const auto refusal = HostKeyOps::refusalOf(row.status);
        if (refusal && refusal->typeNotPinned)
            return tr("Host key type not pinned");
        return refusal && refusal->changed ? tr("Host key changed") : tr("Host key unknown");
    }
    }
    return {};
}

QString MirrorTableModel::checkText(const CheckRecord &record)
{
    if (record.state == CheckState::InSync)
        return tr("In sync");
    if (record.state == CheckState::Behind)
        return tr("Behind");
    if (record.state == CheckState::Diverged)
        return tr("Diverged");
    if (record.state == CheckState::Empty)
        return tr("Empty");
    if (const auto refusal = HostKeyOps::refusalOf(record.errorCategory, record.errorDetail))
        return refusal->typeNotPinned ? tr("Refused: host key type not pinned")
            : refusal->changed        ? tr("Refused: host key changed")
                                      : tr("Refused: host key unknown");
    return tr("Unreachable (%1): %2").arg(errorCategoryName(record.errorCategory), GitUrl::scrubText(record.error));
}

QVariant MirrorTableModel::display(const MirrorRow &row, int column) const
{
    switch (column) {
    case Name: return row.mirror.name;
    case Shape:
        switch (row.mirror.shape) {
        case md::Shape::Pull: return tr("Pull");
        case md::Shape::Relay: return tr("Relay");
        case md::Shape::Push: return tr("Push");
        }
        return {};
    case Source: return row.sourceDisplay;
    case Target: return row.targetDisplay.isEmpty() ? tr("(cache)") : row.targetDisplay;
    case Health: return healthText(row);
    case LastAttempt: return timeText(row.status.lastUpdateStartedAt);
    case LastSuccess: return row.status.lastSuccessfulUpdateAt.isValid() ? timeText(row.status.lastSuccessfulUpdateAt) : tr("never");
    case LastError: return GitUrl::scrubText(row.status.lastError);
    case NextRun:
        if (!row.mirror.enabled)
            return QString();
        return tr("every %n min", nullptr, row.intervalMinutes);
    case Progress:
        if (const QString activity = m_activity.value(row.mirror.name); !activity.isEmpty())
            return activity;
        if (!row.status.lastCheck)
            return QString();
        // A check older than the last successful update is what was true before it.
        return currentCheck(row.status) ? checkText(*row.status.lastCheck)
                                        : tr("%1 (stale: checked before the last update)").arg(checkText(*row.status.lastCheck));
    default: return {};
    }
}

QVariant MirrorTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const MirrorRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == LastError && !row.status.lastError.isEmpty())
            return GitUrl::scrubText(row.status.lastError);
        if (index.column() == Name)
            return row.cachePath;
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Health) {
            switch (healthOf(row)) {
            case Health::Ok: return QBrush(QColor(0x1e, 0x7b, 0x34));
            case Health::Failing:
            case Health::HostKeyRefused: return QBrush(QColor(0xc0, 0x1c, 0x28));
            case Health::Disabled:
            case Health::Paused: return QBrush(QColor(0x77, 0x76, 0x7b));
            case Health::Running: return QBrush(QColor(0x1a, 0x5f, 0xb4));
            case Health::NeverRun: return {};
            }
        }
        return {};
    case RawValueRole:
        switch (index.column()) {
        case LastAttempt: return row.status.lastUpdateStartedAt;
        case LastSuccess: return row.status.lastSuccessfulUpdateAt;
        case NextRun: return row.intervalMinutes;
        default: return display(row, index.column());
        }
    default:
        return {};
    }
}

QVariant MirrorTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Name");
    case Shape: return tr("Shape");
    case Source: return tr("Source");
    case Target: return tr("Target");
    case Health: return tr("Health");
    case LastAttempt: return tr("Last attempt");
    case LastSuccess: return tr("Last success");
    case LastError: return tr("Last error");
    case NextRun: return tr("Next run");
    case Progress: return tr("Progress");
    default: return {};
    }
}

} // namespace md::ui
