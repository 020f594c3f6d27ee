#pragma once

#include "OrgListModel.h"

#include <QWidget>

class QAction;
class QTableView;

namespace md::ui {

// The "Org mirrors" tab: the org mirrors' table (OrgListModel) with the window's org actions
// above it (New org mirror…, Edit…, Preview/Run…, Remove…). The window fills it (on a worker)
// and acts on its selection.
class OrgPanel : public QWidget {
    Q_OBJECT
public:
    OrgPanel(const QList<QAction *> &actions, QWidget *parent = nullptr);

    OrgListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // Replaces the rows, keeping the selected org selected.
    void setRows(QList<OrgListRow> rows);
    QString selectedOrg() const; // empty: none
    void selectOrg(const QString &name);

Q_SIGNALS:
    void selectionChanged();
    void activated(const QString &name); // double-click or Enter

private:
    OrgListModel *m_model = nullptr;
    QTableView *m_view = nullptr;
};

} // namespace md::ui
