#include "OrgPanel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace md::ui {

OrgPanel::OrgPanel(const QList<QAction *> &actions, QWidget *parent)
    : QWidget(parent)
    , m_model(new OrgListModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("orgToolbar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions(actions);
    layout->addWidget(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("orgs"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(OrgListModel::Name, 140);
    m_view->setColumnWidth(OrgListModel::Provider, 110);
    m_view->setColumnWidth(OrgListModel::Target, 220);
    m_view->setColumnWidth(OrgListModel::Mirrors, 60);
    m_view->setColumnWidth(OrgListModel::LastDiscovery, 160);
    m_view->setColumnWidth(OrgListModel::Counts, 220);
    m_view->setColumnWidth(OrgListModel::Gone, 60);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addActions(actions);
    layout->addWidget(m_view, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &OrgPanel::selectionChanged);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT activated(m_model->row(index.row()).org.name);
    });
}

void OrgPanel::setRows(QList<OrgListRow> rows)
{
    const QString selected = selectedOrg();
    m_model->setRows(std::move(rows));
    if (!selected.isEmpty())
        selectOrg(selected);
    Q_EMIT selectionChanged();
}

QString OrgPanel::selectedOrg() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 1 || rows.first().row() >= m_model->rowCount())
        return {};
    return m_model->row(rows.first().row()).org.name;
}

void OrgPanel::selectOrg(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    m_view->selectionModel()->setCurrentIndex(m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

} // namespace md::ui
