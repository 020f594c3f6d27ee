#pragma once

#include "ops/OrgOps.h"

#include <QAbstractTableModel>

namespace md::ui {

// One org mirror as the window lists it (a value, read on a worker).
struct OrgListRow {
    OrgMirror org = {};
    int mirrors = 0;          // the config's mirrors made by this org
    OrgState state = {};      // <state>/orgs/<name>.json
    QString activity = {};    // what the window runs for it now ("Discovering…"), empty when idle
    QString windowError = {}; // a failure the window saw that the state does not record (e.g. its credential)
};

// The org mirrors tab's table: name, provider, owner, target, mirrors, last discovery, the
// last preview's counts per action, gone, last error. Values only: data() reads nothing.
class OrgListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Provider, Owner, Target, Mirrors, LastDiscovery, Counts, Gone, LastError, ColumnCount };

    explicit OrgListModel(QObject *parent = nullptr);

    void setRows(QList<OrgListRow> rows);
    void setActivity(const QString &org, const QString &activity);
    void setWindowError(const QString &org, const QString &error);
    const QList<OrgListRow> &rows() const { return m_rows; }
    const OrgListRow &row(int at) const { return m_rows.at(at); }
    int rowOf(const QString &org) const; // ignoring case; -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString providerWord(providers::Provider provider);
    // "2 to create, 3 up to date, 1 filtered out" (the actions with a count), or "not previewed yet".
    static QString countsText(const OrgState &state);
    static QString errorText(const OrgListRow &row);

private:
    void rowChanged(int at);

    QList<OrgListRow> m_rows;
};

} // namespace md::ui
