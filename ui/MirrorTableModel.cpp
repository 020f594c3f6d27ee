#include "MirrorTableModel.h"

#include "ops/HostKeyOps.h"
#include "security/GitUrl.h"

#include <QBrush>
#include <QColor>
#include <QGuiApplication>
#include <QIcon>
#include <QLocale>
#include <QSet>
#include <QTimeZone>

#include <algorithm>

namespace md::ui {

namespace {

// Compact for a table cell: the time alone today, else the date and the time (the full date
// and time are in the details pane).
QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QString();
    const QDateTime local = time.toLocalTime();
    const QLocale locale;
    if (local.date() == QDate::currentDate())
        return locale.toString(local.time(), QLocale::ShortFormat);
    return locale.toString(local.date(), QLocale::ShortFormat) + QLatin1Char(' ') + locale.toString(local.time(), QLocale::ShortFormat);
}

QColor healthColour(md::Health health)
{
    switch (health) {
    case md::Health::Failing: return QColor(0xc0, 0x1c, 0x28);
    case md::Health::Diverged: return QColor(0xc6, 0x46, 0x00);
    case md::Health::Stale: return QColor(0x9c, 0x6a, 0x00);
    case md::Health::Behind: return QColor(0x86, 0x6b, 0x00);
    case md::Health::Running: return QColor(0x1a, 0x5f, 0xb4);
    case md::Health::InSync: return QColor(0x1e, 0x7b, 0x34);
    case md::Health::Unknown: return QColor(0x5e, 0x5c, 0x64);
    case md::Health::Paused:
    case md::Health::Disabled: return QColor(0x77, 0x76, 0x7b);
    }
    return {};
}

QIcon healthIcon(md::Health health)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return {};
    static std::array<QIcon, kHealthCount> icons;
    QIcon &icon = icons.at(static_cast<size_t>(health));
    if (icon.isNull())
        icon = QIcon(QStringLiteral(":/icons/health/%1.svg").arg(healthName(health)));
    return icon;
}

} // namespace

MirrorTableModel::MirrorTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_now(QDateTime::currentDateTimeUtc())
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

void MirrorTableModel::derive(MirrorRow &row, const QDateTime &now, int defaultIntervalMinutes)
{
    row.check = currentCheck(row.status);
    const bool running = row.running || row.runningElsewhere;
    row.verdict = assessHealth({row.mirror, row.status, defaultIntervalMinutes, now, running});
    row.next = decideSchedule(row.mirror, row.status, defaultIntervalMinutes, now);
}

void MirrorTableModel::setNow(const QDateTime &now)
{
    m_now = now;
    // Only the rows whose health or next run moved are signalled (the clock ticks every 15 s
    // over 10,000 rows; most stay as they were). The current check does not depend on the clock.
    QList<int> changed;
    for (int i = 0; i < m_rows.size(); ++i) {
        MirrorRow &row = m_rows[i];
        const HealthVerdict before = row.verdict;
        const bool due = row.next.due;
        const QDateTime next = row.next.nextRun;
        row.verdict = assessHealth({row.mirror, row.status, m_defaultInterval, m_now, row.running || row.runningElsewhere});
        row.next = decideSchedule(row.mirror, row.status, m_defaultInterval, m_now);
        if (before.health != row.verdict.health || before.cause != row.verdict.cause || due != row.next.due || next != row.next.nextRun)
            changed.append(i);
    }
    emitRowRanges(std::move(changed), Health);
}

void MirrorTableModel::rebuildIndex()
{
    m_index.clear();
    m_index.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).mirror.name, i);
}

void MirrorTableModel::setRows(QList<MirrorRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    for (MirrorRow &row : m_rows)
        derive(row, m_now, m_defaultInterval);
    rebuildIndex();
    QHash<QString, QString> activity;
    for (auto it = m_activity.cbegin(); it != m_activity.cend(); ++it) {
        if (m_index.contains(it.key()))
            activity.insert(it.key(), it.value());
    }
    m_activity = std::move(activity);
    endResetModel();
}

void MirrorTableModel::syncRows(QList<MirrorRow> rows, const QSet<QString> &withStatus)
{
    QHash<QString, qsizetype> incoming;
    incoming.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i)
        incoming.insert(rows.at(i).mirror.name, i);
    // Removals, from the end, one signal per run of consecutive rows.
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0;) {
        if (incoming.contains(m_rows.at(i).mirror.name)) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !incoming.contains(m_rows.at(first - 1).mirror.name))
            --first;
        beginRemoveRows({}, first, i);
        for (int r = first; r <= i; ++r)
            m_activity.remove(m_rows.at(r).mirror.name);
        m_rows.remove(first, i - first + 1);
        endRemoveRows();
        i = first - 1;
    }
    rebuildIndex();
    // Changes in place.
    QList<int> changed;
    QList<MirrorRow> added;
    for (MirrorRow &row : rows) {
        const int at = rowOf(row.mirror.name);
        if (at < 0) {
            added.append(std::move(row));
            continue;
        }
        MirrorRow &mine = m_rows[at];
        if (!withStatus.contains(row.mirror.name)) {
            row.status = mine.status;
        }
        row.running = mine.running;
        row.runningElsewhere = mine.runningElsewhere;
        if (row.mirror == mine.mirror && row.status == mine.status && row.sourceDisplay == mine.sourceDisplay
            && row.targetDisplay == mine.targetDisplay && row.cachePath == mine.cachePath && row.intervalMinutes == mine.intervalMinutes)
            continue;
        derive(row, m_now, m_defaultInterval);
        mine = std::move(row);
        changed.append(at);
    }
    emitRowRanges(std::move(changed));
    if (!added.isEmpty()) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (MirrorRow &row : added) {
            derive(row, m_now, m_defaultInterval);
            m_index.insert(row.mirror.name, static_cast<int>(m_rows.size()));
            m_rows.append(std::move(row));
        }
        endInsertRows();
    }
}

void MirrorTableModel::emitRowRanges(QList<int> rows, int firstColumn)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    qsizetype start = 0;
    for (qsizetype i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows.at(i) == rows.at(i - 1) + 1)
            continue;
        Q_EMIT dataChanged(index(rows.at(start), firstColumn), index(rows.at(i - 1), ColumnCount - 1));
        start = i;
    }
}

void MirrorTableModel::applyUpdates(const QList<RowUpdate> &updates)
{
    QList<int> changed;
    changed.reserve(updates.size());
    for (const RowUpdate &update : updates) {
        const int at = rowOf(update.name);
        if (at < 0)
            continue;
        MirrorRow &row = m_rows[at];
        if (update.status)
            row.status = *update.status;
        if (update.running)
            row.running = *update.running;
        if (update.runningElsewhere)
            row.runningElsewhere = *update.runningElsewhere;
        if (update.activity)
            m_activity.insert(update.name, *update.activity);
        if (update.status)
            derive(row, m_now, m_defaultInterval);
        else if (update.running || update.runningElsewhere) // the status (so the check and the schedule) is as it was
            row.verdict = assessHealth({row.mirror, row.status, m_defaultInterval, m_now, row.running || row.runningElsewhere});
        changed.append(at);
    }
    // A status or an activity changes the columns from Health on, never the name, shape or URLs:
    // a proxy sorted by one of those need not sort again (10,000 rows' first flush of a Check All).
    emitRowRanges(std::move(changed), Health);
}

std::array<int, kHealthCount> MirrorTableModel::healthCounts() const
{
    std::array<int, kHealthCount> counts{};
    for (const MirrorRow &row : m_rows)
        ++counts.at(static_cast<size_t>(row.verdict.health));
    return counts;
}

QString MirrorTableModel::healthWord(md::Health health)
{
    switch (health) {
    case md::Health::Failing: return tr("Failing");
    case md::Health::Diverged: return tr("Diverged");
    case md::Health::Stale: return tr("Stale");
    case md::Health::Behind: return tr("Behind");
    case md::Health::Running: return tr("Running");
    case md::Health::InSync: return tr("In sync");
    case md::Health::Unknown: return tr("Unknown");
    case md::Health::Paused: return tr("Paused");
    case md::Health::Disabled: return tr("Disabled");
    }
    return {};
}

QString MirrorTableModel::healthText(const MirrorRow &row)
{
    MirrorRow derived = row;
    if (derived.verdict.cause == HealthCause::None && derived.verdict.health == md::Health::Unknown)
        derive(derived, QDateTime::currentDateTimeUtc(), 5);
    const HealthVerdict &verdict = derived.verdict;
    if (verdict.health == md::Health::Failing && verdict.category == ErrorCategory::HostKey) {
        const auto refusal = verdict.cause == HealthCause::CheckFailed && derived.check
            ? HostKeyOps::refusalOf(derived.check->errorCategory, derived.check->errorDetail)
            : HostKeyOps::refusalOf(derived.status);
        if (refusal && refusal->typeNotPinned)
            return tr("Host key type not pinned");
        if (refusal)
            return refusal->changed ? tr("Host key changed") : tr("Host key unknown");
    }
    if (verdict.health == md::Health::Running && derived.runningElsewhere && !derived.running)
        return tr("Running elsewhere");
    if (verdict.health == md::Health::Unknown && !derived.status.lastUpdateStartedAt.isValid() && !derived.status.lastCheck)
        return tr("Never run");
    return healthWord(verdict.health);
}

QString MirrorTableModel::categoryText(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::None: return QString();
    case ErrorCategory::Network: return tr("Network error");
    case ErrorCategory::Timeout: return tr("Timed out");
    case ErrorCategory::Auth: return tr("Authentication failed");
    case ErrorCategory::HostKey: return tr("Host key refused");
    case ErrorCategory::Tls: return tr("TLS certificate refused");
    case ErrorCategory::NotFound: return tr("Repository not found");
    case ErrorCategory::Protected: return tr("Refused by a protected branch");
    case ErrorCategory::Rejected: return tr("Rejected by the server");
    case ErrorCategory::Diverged: return tr("Diverged refs left alone");
    case ErrorCategory::Guard: return tr("Stopped by a safety guard");
    case ErrorCategory::Config: return tr("Configuration problem");
    case ErrorCategory::Keychain: return tr("Keychain problem");
    case ErrorCategory::Usage: return tr("Refused");
    case ErrorCategory::Interrupted: return tr("Interrupted");
    case ErrorCategory::Io: return tr("Disk problem");
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
    return tr("Unreachable: %1").arg(categoryText(record.errorCategory));
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
    case Checked:
        if (!row.status.lastCheck)
            return QString();
        return row.check ? timeText(row.check->checkedAt) : tr("before the last update");
    case LastError:
        if (row.status.lastError.isEmpty() || row.status.updateStatus == UpdateStatus::Interrupted)
            return QString(); // an interrupted run is no error
        return categoryText(row.status.errorCategory == ErrorCategory::None ? ErrorCategory::Network : row.status.errorCategory);
    case NextRun:
        if (row.running)
            return tr("now");
        if (!row.next.nextRun.isValid())
            return row.mirror.enabled ? tr("paused") : tr("disabled");
        if (row.next.due)
            return tr("due");
        return timeText(row.next.nextRun);
    case Progress:
        if (const QString activity = m_activity.value(row.mirror.name); !activity.isEmpty())
            return activity;
        if (row.runningElsewhere)
            return tr("Running elsewhere");
        return row.check ? checkText(*row.check) : QString();
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
        switch (index.column()) {
        case Name: return row.cachePath;
        case LastError:
            return row.status.lastError.isEmpty() ? QVariant() : QVariant(GitUrl::scrubText(row.status.lastError));
        case LastSuccess:
        case LastAttempt:
        case NextRun:
        case Checked: {
            const QDateTime time = index.column() == LastSuccess ? row.status.lastSuccessfulUpdateAt
                : index.column() == LastAttempt                  ? row.status.lastUpdateStartedAt
                : index.column() == NextRun                      ? row.next.nextRun
                                                                 : (row.check ? row.check->checkedAt : QDateTime());
            return time.isValid() ? QVariant(QLocale().toString(time.toLocalTime(), QLocale::LongFormat)) : QVariant();
        }
        case Health:
        case Progress:
            if (!row.status.warnings.isEmpty())
                return row.status.warnings.join(QLatin1Char('\n'));
            if (!row.status.lastError.isEmpty())
                return GitUrl::scrubText(row.status.lastError);
            return {};
        case Source: return row.sourceDisplay;
        case Target: return row.targetDisplay;
        default: return {};
        }
    case Qt::DecorationRole:
        if (index.column() == Health)
            return healthIcon(row.verdict.health);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Health)
            return QBrush(healthColour(row.verdict.health));
        return {};
    case HealthRole:
        return healthRank(row.verdict.health);
    case RawValueRole:
        switch (index.column()) {
        case Health: return healthRank(row.verdict.health);
        case LastAttempt: return row.status.lastUpdateStartedAt;
        case LastSuccess: return row.status.lastSuccessfulUpdateAt;
        case Checked: return row.status.lastCheck ? row.status.lastCheck->checkedAt : QDateTime();
        case NextRun: return row.next.nextRun.isValid() ? row.next.nextRun : QDateTime::fromSecsSinceEpoch(std::numeric_limits<qint32>::max(), Qt::UTC);
        case LastError: return static_cast<int>(row.status.errorCategory);
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
    case Checked: return tr("Checked");
    case LastError: return tr("Last error");
    case NextRun: return tr("Next run");
    case Progress: return tr("Progress");
    default: return {};
    }
}

} // namespace md::ui
