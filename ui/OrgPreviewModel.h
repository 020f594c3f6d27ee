#pragma once

#include "ops/OrgOps.h"

#include <QAbstractTableModel>
#include <QIcon>

namespace md::ui {

// One repository of an org's preview as the wizard shows it (a value).
struct OrgPreviewRow {
    OrgRow row = {};
    bool checkable = false; // create or update: may be left out of the run
    bool checked = false;
    QString result = {};    // after a run: OrgRunRow::result ("created", "skipped", …), empty before
    QString detail = {};    // after a run: why a row failed or was skipped
};

// The wizard's preview (and then run) table: one row per repository with the action a Run takes
// (icon and word), the repository, the mirror's name and the reason in words; rows to create or
// update carry a check box (unticked: left out of the run). Values only: data() reads nothing.
class OrgPreviewModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Action, Repository, MirrorName, Reason, Result, ColumnCount };

    explicit OrgPreviewModel(QObject *parent = nullptr);

    // Replaces the rows; every row to create or update is ticked.
    void setPreview(const OrgMirror &org, const OrgPreview &preview);
    // The run's result per row (matched by repository).
    void setResults(const OrgRunReport &report);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const OrgPreviewRow &row(int at) const { return m_rows.at(at); }
    int rowOf(const QString &fullName) const; // -1 when not listed
    // The repositories (full names) whose row is unticked: OrgRunOptions::skip.
    QStringList unchecked() const;
    // How many rows of the action there are, and of those how many are ticked.
    int count(OrgAction action) const;
    int checkedCount(OrgAction action) const;

    static QString actionWord(OrgAction action);
    static QIcon actionIcon(OrgAction action);
    static QString reasonText(OrgReason reason, const OrgMirror &org);
    static QString resultWord(const QString &result);

private:
    OrgMirror m_org;
    QList<OrgPreviewRow> m_rows;
};

} // namespace md::ui
