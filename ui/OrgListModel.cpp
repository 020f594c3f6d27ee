#include "OrgListModel.h"

#include "OrgPreviewModel.h"
#include "util/Scrub.h"

#include <QLocale>

namespace md::ui {

OrgListModel::OrgListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString OrgListModel::providerWord(providers::Provider provider)
{
    switch (provider) {
    case providers::Provider::GitHub: return tr("GitHub");
    case providers::Provider::GitLab: return tr("GitLab");
    case providers::Provider::BitbucketCloud: return tr("Bitbucket Cloud");
    case providers::Provider::BitbucketServer: return tr("Bitbucket Server");
    }
    return {};
}

QString OrgListModel::countsText(const OrgState &state)
{
    if (!state.lastDiscoveryAt.isValid())
        return tr("not previewed yet");
    QStringList parts;
    for (auto it = state.summary.begin(); it != state.summary.end(); ++it) {
        if (it.value() <= 0)
            continue;
        switch (it.key()) {
        case OrgAction::Create: parts.append(tr("%1 to create").arg(it.value())); break;
        case OrgAction::Update: parts.append(tr("%1 to update").arg(it.value())); break;
        case OrgAction::UpToDate: parts.append(tr("%1 up to date").arg(it.value())); break;
        case OrgAction::Filtered: parts.append(tr("%1 filtered out").arg(it.value())); break;
        case OrgAction::Gone: parts.append(tr("%1 gone upstream").arg(it.value())); break;
        case OrgAction::Clash: parts.append(tr("%1 clashing").arg(it.value())); break;
        }
    }
    return parts.isEmpty() ? tr("no repositories") : parts.join(QStringLiteral(", "));
}

QString OrgListModel::errorText(const OrgListRow &row)
{
    return row.windowError.isEmpty() ? scrubText(row.state.lastError) : row.windowError;
}

void OrgListModel::setRows(QList<OrgListRow> rows)
{
    // A few rows: replaced whole; what the window runs now stays on its row.
    for (OrgListRow &row : rows) {
        if (const int at = rowOf(row.org.name); at >= 0 && row.activity.isEmpty())
            row.activity = m_rows.at(at).activity;
    }
    const bool sameOrgs = std::equal(rows.begin(), rows.end(), m_rows.begin(), m_rows.end(),
                                     [](const OrgListRow &a, const OrgListRow &b) { return a.org.name == b.org.name; });
    if (sameOrgs) {
        // The same orgs (a state read again after a run): the rows change in place, the selection stays.
        m_rows = std::move(rows);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void OrgListModel::setActivity(const QString &org, const QString &activity)
{
    if (const int at = rowOf(org); at >= 0) {
        m_rows[at].activity = activity;
        rowChanged(at);
    }
}

void OrgListModel::setWindowError(const QString &org, const QString &error)
{
    if (const int at = rowOf(org); at >= 0) {
        m_rows[at].windowError = error;
        rowChanged(at);
    }
}

void OrgListModel::rowChanged(int at)
{
    Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
}

int OrgListModel::rowOf(const QString &org) const
{
    for (int i = 0; i < rowCount(); ++i) {
        if (m_rows.at(i).org.name.compare(org, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

int OrgListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int OrgListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrgListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const OrgListRow &r = m_rows.at(index.row());
    const OrgMirror &org = r.org;
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Name: return org.name;
        case Provider: return providerWord(org.provider);
        case Owner: return org.owner;
        case Target: return org.target.isDir() ? org.target.dir : scrubText(org.target.url);
        case Mirrors: return r.mirrors;
        case LastDiscovery:
            if (!r.activity.isEmpty())
                return r.activity;
            if (!r.state.lastDiscoveryAt.isValid())
                return tr("never");
            if (role == Qt::ToolTipRole && org.syncNew)
                return tr("%1; sync new every %n min", nullptr, org.effectiveIntervalMinutes())
                    .arg(QLocale().toString(r.state.lastDiscoveryAt.toLocalTime(), QLocale::ShortFormat));
            return QLocale().toString(r.state.lastDiscoveryAt.toLocalTime(), QLocale::ShortFormat);
        case Counts: return countsText(r.state);
        case Gone:
            if (role == Qt::ToolTipRole && !r.state.gone.isEmpty())
                return r.state.gone.join(QLatin1Char('\n'));
            return static_cast<int>(r.state.gone.size());
        case LastError: return errorText(r);
        }
    }
    if (role == Qt::DecorationRole && index.column() == LastError && !errorText(r).isEmpty())
        return QIcon(QStringLiteral(":/icons/health/failing.svg"));
    if (role == Qt::DecorationRole && index.column() == Gone && !r.state.gone.isEmpty())
        return OrgPreviewModel::actionIcon(OrgAction::Gone);
    return {};
}

QVariant OrgListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Name");
    case Provider: return tr("Provider");
    case Owner: return tr("Owner");
    case Target: return tr("Target");
    case Mirrors: return tr("Mirrors");
    case LastDiscovery: return tr("Last discovery");
    case Counts: return tr("Last preview");
    case Gone: return tr("Gone");
    case LastError: return tr("Last error");
    }
    return {};
}

} // namespace md::ui
