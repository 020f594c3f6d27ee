#include "MirrorFilterProxy.h"

#include "MirrorTableModel.h"
#include "security/GitUrl.h"

namespace md::ui {

MirrorFilterProxy::MirrorFilterProxy(MirrorTableModel *model, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_model(model)
{
    setSourceModel(model);
    setSortRole(MirrorTableModel::RawValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(false);
    setDynamicSortFilter(true);
    // The filter reads the health (and the name and URLs, which change only with a row's reset or
    // replacement): a change from Health on is what may change whether a row passes.
    // With no health filter the name column is the key: then a change of health (every row at
    // the start of a Check All) is no reason to filter again.
    setFilterKeyColumn(MirrorTableModel::Name);
}

void MirrorFilterProxy::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

void MirrorFilterProxy::setHealth(std::optional<md::Health> health)
{
    if (health == m_health)
        return;
    m_health = health;
    setFilterKeyColumn(health ? MirrorTableModel::Health : MirrorTableModel::Name);
    invalidateFilter();
}

bool MirrorFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || sourceRow >= m_model->rowCount())
        return false;
    const MirrorRow &row = m_model->row(sourceRow);
    if (m_health && row.verdict.health != *m_health)
        return false;
    if (m_text.isEmpty())
        return true;
    return row.mirror.name.contains(m_text, Qt::CaseInsensitive) || row.sourceDisplay.contains(m_text, Qt::CaseInsensitive)
        || row.targetDisplay.contains(m_text, Qt::CaseInsensitive);
}

} // namespace md::ui
