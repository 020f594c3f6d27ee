#include "OrgPreviewModel.h"

#include "util/Scrub.h"

namespace md::ui {

OrgPreviewModel::OrgPreviewModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString OrgPreviewModel::actionWord(OrgAction action)
{
    switch (action) {
    case OrgAction::Create: return tr("Create");
    case OrgAction::Update: return tr("Update");
    case OrgAction::UpToDate: return tr("Up to date");
    case OrgAction::Filtered: return tr("Filtered out");
    case OrgAction::Gone: return tr("Gone upstream");
    case OrgAction::Clash: return tr("Clash");
    }
    return {};
}

QIcon OrgPreviewModel::actionIcon(OrgAction action)
{
    return QIcon(QStringLiteral(":/icons/org/%1.svg").arg(orgActionName(action)));
}

QString OrgPreviewModel::reasonText(OrgReason reason, const OrgMirror &org)
{
    switch (reason) {
    case OrgReason::None: return {};
    case OrgReason::Regex: return tr("Its name does not match the regular expression “%1”").arg(printable(org.regex));
    case OrgReason::Archived: return tr("Archived (tick “Include archived repositories” to mirror it)");
    case OrgReason::Fork: return tr("A fork (tick “Include forks” to mirror it)");
    case OrgReason::InvalidName: return tr("Its path is not a valid mirror name");
    case OrgReason::InvalidCloneUrl: return tr("Its clone URL is not a remote git URL (http, https, git or ssh)");
    case OrgReason::NameTaken: return tr("A mirror of that name exists and was not made for this repository");
    case OrgReason::DuplicateName: return tr("Another repository of the list has the same name ignoring case");
    case OrgReason::NeverSynced: return tr("Its mirror has not been updated successfully yet");
    case OrgReason::LastFailed: return tr("Its mirror's last update failed");
    case OrgReason::Changed: return tr("Changed upstream since its last update");
    case OrgReason::Behind: return tr("Its mirror's last check found it behind");
    case OrgReason::NotListed:
        return org.gone == GonePolicy::Disable ? tr("No longer listed by the provider; its mirror is disabled (the cache is kept)")
                                               : tr("No longer listed by the provider; its mirror is kept");
    }
    return {};
}

QString OrgPreviewModel::resultWord(const QString &result)
{
    if (result == QLatin1String("created")) return tr("Created");
    if (result == QLatin1String("updated")) return tr("Updated");
    if (result == QLatin1String("up_to_date")) return tr("Up to date");
    if (result == QLatin1String("filtered")) return tr("Filtered out");
    if (result == QLatin1String("clash")) return tr("Clash");
    if (result == QLatin1String("kept")) return tr("Gone, kept");
    if (result == QLatin1String("disabled")) return tr("Gone, disabled");
    if (result == QLatin1String("failed")) return tr("Failed");
    if (result == QLatin1String("skipped")) return tr("Skipped");
    return result;
}

void OrgPreviewModel::setPreview(const OrgMirror &org, const OrgPreview &preview)
{
    beginResetModel();
    m_org = org;
    m_rows.clear();
    m_rows.reserve(preview.rows.size());
    for (const OrgRow &row : preview.rows) {
        const bool checkable = row.action == OrgAction::Create || row.action == OrgAction::Update;
        m_rows.append(OrgPreviewRow{row, checkable, checkable, {}, {}});
    }
    endResetModel();
}

void OrgPreviewModel::setResults(const OrgRunReport &report)
{
    QHash<QString, const OrgRunRow *> byRepository;
    for (const OrgRunRow &row : report.rows)
        byRepository.insert(row.row.repository.fullName.toCaseFolded(), &row);
    for (OrgPreviewRow &row : m_rows) {
        const OrgRunRow *result = byRepository.value(row.row.repository.fullName.toCaseFolded());
        row.result = result ? result->result : QString();
        row.detail = result && result->error ? scrubText(result->error->message) : QString();
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void OrgPreviewModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int OrgPreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int OrgPreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrgPreviewModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const OrgPreviewRow &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Action: return actionWord(r.row.action);
        case Repository: return r.row.repository.fullName;
        case MirrorName: return r.row.mirror;
        case Reason: return reasonText(r.row.reason, m_org);
        case Result:
            if (r.result.isEmpty())
                return QString();
            return r.detail.isEmpty() ? resultWord(r.result) : tr("%1: %2").arg(resultWord(r.result), r.detail);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == Action)
            return actionIcon(r.row.action);
        break;
    case Qt::CheckStateRole:
        if (index.column() == Action && r.checkable)
            return r.checked ? Qt::Checked : Qt::Unchecked;
        break;
    case Qt::ToolTipRole:
        if (index.column() == Action && r.checkable)
            return r.row.action == OrgAction::Create ? tr("Untick to leave this repository out: no mirror is made for it")
                                                      : tr("Untick to leave this mirror's update out of the run");
        if (index.column() == Repository)
            return scrubText(r.row.repository.cloneUrl);
        if (index.column() == Result && !r.detail.isEmpty())
            return r.detail;
        return data(index, Qt::DisplayRole);
    }
    return {};
}

bool OrgPreviewModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.column() != Action || role != Qt::CheckStateRole || !m_rows.at(index.row()).checkable)
        return false;
    m_rows[index.row()].checked = value.value<Qt::CheckState>() == Qt::Checked;
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    return true;
}

Qt::ItemFlags OrgPreviewModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Action && m_rows.at(index.row()).checkable)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

QVariant OrgPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Action: return tr("Action");
    case Repository: return tr("Repository");
    case MirrorName: return tr("Mirror");
    case Reason: return tr("Why");
    case Result: return tr("Result");
    }
    return {};
}

int OrgPreviewModel::rowOf(const QString &fullName) const
{
    for (int i = 0; i < rowCount(); ++i) {
        if (m_rows.at(i).row.repository.fullName.compare(fullName, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

QStringList OrgPreviewModel::unchecked() const
{
    QStringList names;
    for (const OrgPreviewRow &row : m_rows) {
        if (row.checkable && !row.checked)
            names.append(row.row.repository.fullName);
    }
    return names;
}

int OrgPreviewModel::count(OrgAction action) const
{
    return static_cast<int>(std::count_if(m_rows.begin(), m_rows.end(), [action](const OrgPreviewRow &r) { return r.row.action == action; }));
}

int OrgPreviewModel::checkedCount(OrgAction action) const
{
    return static_cast<int>(std::count_if(m_rows.begin(), m_rows.end(),
                                          [action](const OrgPreviewRow &r) { return r.row.action == action && r.checked; }));
}

} // namespace md::ui
