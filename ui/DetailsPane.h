#pragma once

#include "mirror/Mirror.h"
#include "mirror/StatusRecord.h"
#include "ops/AtticOps.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace md {
struct RunEntry;
}

namespace md::ui {

class AtticPanel;

// The details of the selected mirror, below the table: Summary (the last error in full with its
// category, the warnings, the last check and when, why Update now is unavailable), History (the
// last runs; a run's per-ref results with the host's messages), Plan (what the next update would
// do, computed only when asked: Refresh) and Attic (AtticPanel). The history and the attic are
// read on a worker; only the newest selection's answer is shown. Selecting a mirror never touches
// the network: the plan is the window's to run (planRequested → RunOps::update with a dry run →
// showPlan).
class DetailsPane : public QWidget {
    Q_OBJECT
public:
    enum Tab { SummaryTab, HistoryTab, PlanTab, AtticTab };
    enum HistoryColumn { StartedColumn, DurationColumn, OutcomeColumn, ChangesColumn, HistoryColumnCount };
    // The per-ref tables (a run's results, the plan): the plan has no result and no side.
    enum RefColumn { RefNameColumn, ActionColumn, OidsColumn, MessageColumn, ResultColumn, SideColumn, RefColumnCount };

    DetailsPane(QString configPath, QString stateDir, QWidget *parent = nullptr);

    // Shows `mirror` with the status the window holds for it, and reads its history and attic on
    // a worker. The same mirror again (a new status after its run) keeps the selected run.
    void showMirror(const md::Mirror &mirror, const md::StatusRecord &status);
    // Shows nothing (no mirror selected, or several).
    void clear();
    // Reads the shown mirror's history and attic again (after its run or a restore).
    void refresh();
    // Why Update now is unavailable for the shown mirror (empty: it is available).
    void setUpdateNowReason(const QString &reason);
    // The plan the window ran for planRequested (RunOps::update with batch.dryRun), or why it
    // could not be run. Ignored unless it is the shown mirror's.
    void showPlan(const md::RunEntry &entry);
    void showPlanError(const QString &mirror, const QString &message);

    QString mirrorName() const { return m_mirror.name; }
    // True once the newest selection's history and attic are shown.
    bool isLoaded() const { return m_loaded; }
    QTabWidget *tabs() const { return m_tabs; }
    QTableWidget *historyTable() const { return m_history; }
    QTableWidget *refsTable() const { return m_refs; }
    QTableWidget *planTable() const { return m_plan; }
    QPushButton *refreshPlanButton() const { return m_refreshPlan; }
    AtticPanel *attic() const { return m_attic; }
    // The texts shown, for tests and accessibility.
    QString summaryText() const;   // every line of the Summary tab
    QString historyText() const;   // the placeholder or the selected run's error, warnings and counts
    QString planText() const;      // the plan's heading, warnings and counts

Q_SIGNALS:
    void planRequested(const QString &mirror);
    void message(const QString &text); // for the status bar (an attic restore or purge)
    void loaded(const QString &mirror); // the history and attic of `mirror` are shown

private:
    struct Details {
        Result<QList<RunRecord>> history = QList<RunRecord>{};
        Result<AtticOps::Listing> attic = Error{};
    };
    void read();
    void apply(const Details &details);
    void renderSummary();
    void showRun(int row);
    void requestPlan();
    void resetPlan();

    QString m_configPath;
    QString m_stateDir;
    Mirror m_mirror;
    StatusRecord m_status;
    QList<RunRecord> m_runs;
    quint64 m_generation = 0;
    bool m_loaded = false;
    bool m_planPending = false; // Refresh pressed, the plan not back yet
    bool m_planShown = false;   // a plan (or why there is none) is shown

    QLabel *m_title = nullptr;
    QTabWidget *m_tabs = nullptr;
    // Summary
    QLabel *m_lastRun = nullptr;
    QLabel *m_errorCategory = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_warnings = nullptr;
    QLabel *m_checked = nullptr;
    QLabel *m_updateNowReason = nullptr;
    // History
    QLabel *m_historyEmpty = nullptr;
    QTableWidget *m_history = nullptr;
    QLabel *m_runDetail = nullptr;
    QTableWidget *m_refs = nullptr;
    QLabel *m_refsOmitted = nullptr;
    // Plan
    QLabel *m_planHeading = nullptr;
    QPushButton *m_refreshPlan = nullptr;
    QTableWidget *m_plan = nullptr;
    QLabel *m_planDetail = nullptr;
    AtticPanel *m_attic = nullptr;
};

} // namespace md::ui
