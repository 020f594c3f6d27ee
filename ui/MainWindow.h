#pragma once

#include "CredentialsDialog.h"
#include "HostKeysDialog.h"
#include "MirrorTableModel.h"
#include "mirror/Config.h"
#include "mirror/MirrorRun.h"
#include "ops/RunOps.h"
#include "ops/Snapshot.h"
#include "ops/StateScan.h"

#include <QMainWindow>
#include <QPointer>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QDialog;
class QFileSystemWatcher;
class QLabel;
class QLineEdit;
class QMessageBox;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;
class QToolBar;

namespace md {
class OrgOps;
class RunOps;
class StateScanner;
class SyncEngine;
enum class JobKind;
}

namespace md::ui {

class DetailsPane;
class MirrorEditor;
class MirrorFilterProxy;
class OrgPanel;
class OrgWizard;
class PreferencesDialog;

// The main window (DESIGN section 1): the status table of every mirror — one model fed in
// batches, behind a sort/filter proxy — with the details of the selected one beside it; the
// scheduler that updates mirrors on their interval while the window is open; and every action a
// user takes on mirrors, each the same operation as the command line's, run off the UI thread.
// The config and the state folder are watched: changes by cron or the command line show within
// a moment, and only what changed is read again. A second tab lists the org mirrors
// (MainWindowOrgs.cpp): the org wizard opens from there, and the scheduler discovers new
// repositories of the orgs with sync new.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(QString configPath, QString stateDir, QWidget *parent = nullptr);
    ~MainWindow() override;

    MirrorTableModel *model() const { return m_model; }
    MirrorFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    DetailsPane *details() const { return m_details; }
    // The problem shown above the table (an unreadable config), empty when all is well.
    QString problem() const;
    // True once the first read of the config and states (on a worker) has been shown.
    bool loaded() const { return m_loaded; }
    // The last message shown in the status bar (a refused Update now, a finished Check All).
    QString lastMessage() const { return m_lastMessage; }
    // The permanent status bar text: counts per health and what is running.
    QString summaryText() const;
    const std::optional<Config> &config() const { return m_config; }

    md::SyncEngine *engine() const { return m_engine; }
    md::RunOps *runOps() const { return m_runOps; }
    QAction *newAction() const { return m_newAction; }
    QAction *editAction() const { return m_editAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *removeAction() const { return m_removeAction; }
    QAction *enableAction() const { return m_enableAction; }
    QAction *disableAction() const { return m_disableAction; }
    QAction *checkAction() const { return m_checkAction; }
    QAction *checkAllAction() const { return m_checkAllAction; }
    QAction *updateAction() const { return m_updateAction; }
    QAction *cancelAction() const { return m_cancelAction; }
    QAction *reloadAction() const { return m_reloadAction; }
    QAction *preferencesAction() const { return m_preferencesAction; }
    QAction *toolbarAction() const { return m_toolbarAction; }
    QToolBar *toolbar() const { return m_toolbar; }
    // Selects the row of a mirror (for tests and for "select after add").
    void selectMirror(const QString &name);
    QStringList selectedNames() const;

    QAction *importAction() const { return m_importAction; }
    QAction *credentialsAction() const { return m_credentialsAction; }
    QAction *hostKeysAction() const { return m_hostKeysAction; }
    // Enabled for one selected mirror whose last check or run was refused for its host key.
    QAction *reviewHostKeyAction() const { return m_reviewHostKeyAction; }
    // Org mirroring (MainWindowOrgs.cpp).
    QTabWidget *tabs() const { return m_tabs; }
    OrgPanel *orgPanel() const { return m_orgPanel; }
    QAction *newOrgAction() const { return m_newOrgAction; }
    QAction *editOrgAction() const { return m_editOrgAction; }
    QAction *runOrgAction() const { return m_runOrgAction; }
    QAction *removeOrgAction() const { return m_removeOrgAction; }
    OrgWizard *orgWizard() const;
    // The org whose discovery (sync new) the scheduler runs now; empty when none.
    QString discoveringOrg() const { return m_discoveringOrg; }
    bool discovering() const { return m_discovering; }
    // The open dialogs (null when closed).
    CredentialsDialog *credentialsDialog() const { return m_credentialsDialog; }
    HostKeysDialog *hostKeysDialog() const { return m_hostKeysDialog; }
    MirrorEditor *editor() const;
    PreferencesDialog *preferencesDialog() const;
    // The open confirmation (remove, mass-change guard, close during a run), null when none.
    QMessageBox *confirmation() const { return m_confirmation; }

    // The clock of the scheduler, the health (stale) and the next run (tests inject one).
    void setClock(std::function<QDateTime()> clock);
    QDateTime now() const { return m_clock(); }
    // Why Update now is not possible for the mirror (empty: it is).
    QString updateNowBlock(const QString &name) const;

public Q_SLOTS:
    // Re-reads the config and every state (View ▸ Reload).
    void reload();
    // Import existing mirrors…: asks for a folder, then importCandidates().
    void chooseImportFolder();
    // Inspects `paths` on a worker, shows the list to confirm (ImportDialog), and imports the
    // checked ones on a worker (the same operation as `mirrordesk import`).
    void importMirrors(const QStringList &paths);
    void checkSelected();
    void checkAll();
    void updateSelected();
    void cancelSelected();
    void newMirror();
    void editSelected();
    void duplicateSelected();
    void removeSelected();
    void setSelectedEnabled(bool enabled);
    PreferencesDialog *openPreferences();
    // Credentials…: the credentials dialog (one, not modal).
    CredentialsDialog *openCredentials();
    // Host keys…: the host keys dialog (one, not modal).
    HostKeysDialog *openHostKeys();
    // Review host key…: the host keys dialog on the selected mirror's host, the key it offered
    // ready to pin (from the refusal's structured detail, never its message).
    void reviewHostKey();
    // One pass of the scheduler: starts the update of every enabled mirror that is due now
    // (decideSchedule, the decision `update --due` makes), except those running anywhere, and
    // the discovery of the orgs with sync new that are due (orgDiscoveryDue, read on a worker):
    // one at a time, each adding mirrors for new repositories (OrgOps::run, onlyCreate), which
    // the next pass then updates. Returns how many mirror updates it started.
    int runScheduler();
    // New org mirror…, Edit…, Preview/Run… (the wizard; one open at a time) and Remove….
    OrgWizard *newOrgMirror();
    OrgWizard *editSelectedOrg();
    OrgWizard *runSelectedOrg();
    void removeSelectedOrg();
    // Reads every org's state again (on a worker) into the org list.
    void refreshOrgs();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void watch();
    void scan(bool full);
    void applyScan(StateScanner::Scan scan);
    void queue(MirrorTableModel::RowUpdate update);
    void flush();
    void say(const QString &message);
    void onJobStarted(const QString &name, md::JobKind kind);
    void onCheckFinished(const QString &name, const md::CheckOutcome &outcome);
    void onUpdateFinished(const QString &name, const md::UpdateOutcome &outcome);
    void onIdle();
    void tick();
    void updateActions();
    void updateSummary();
    void showSelected();
    void keepSelectionInView();
    void showContextMenu(const QPoint &position);
    void openEditor(int mode, const QString &name);
    void saveEditor(const QString &original, const Mirror &mirror);
    void askMassChange(const QString &name, const md::UpdateOutcome &outcome);
    void confirm(QMessageBox *box);
    std::optional<Mirror> selectedMirror() const;
    void restoreLayout();
    void saveLayout();
    void updateUpdateNowState();
    QString skipText(const UpdateOutcome &outcome) const;
    // Org mirroring (MainWindowOrgs.cpp).
    QWidget *createOrgPanel();
    OrgWizard *openOrgWizard(int mode, const QString &name);
    void updateOrgActions();
    bool orgBusy(const QString &name) const;
    void discoverDueOrgs(const QDateTime &now);
    void discoverNext();

    QString m_configPath;
    QString m_stateDir;
    MirrorTableModel *m_model = nullptr;
    MirrorFilterProxy *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QSplitter *m_splitter = nullptr;
    DetailsPane *m_details = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_healthFilter = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_summary = nullptr;
    QToolBar *m_toolbar = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
    md::SyncEngine *m_engine = nullptr;
    md::RunOps *m_runOps = nullptr; // the same operations as the command line's check and update
    std::optional<Config> m_config; // the last good config
    QAction *m_newAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_enableAction = nullptr;
    QAction *m_disableAction = nullptr;
    QAction *m_checkAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_checkAllAction = nullptr;
    QAction *m_updateAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_preferencesAction = nullptr;
    QAction *m_toolbarAction = nullptr;
    QAction *m_credentialsAction = nullptr;
    QAction *m_hostKeysAction = nullptr;
    QAction *m_reviewHostKeyAction = nullptr;
    QPointer<CredentialsDialog> m_credentialsDialog;
    QPointer<HostKeysDialog> m_hostKeysDialog;
    QPointer<QDialog> m_editor;
    QPointer<QDialog> m_preferencesDialog;
    QPointer<QMessageBox> m_confirmation;
    QTabWidget *m_tabs = nullptr;
    OrgPanel *m_orgPanel = nullptr;
    QAction *m_newOrgAction = nullptr;
    QAction *m_editOrgAction = nullptr;
    QAction *m_runOrgAction = nullptr;
    QAction *m_removeOrgAction = nullptr;
    QPointer<QDialog> m_orgWizard;
    md::OrgOps *m_orgOps = nullptr;   // the scheduler's discoveries
    bool m_discovering = false;       // a pass of discoveries runs (one org at a time)
    QString m_discoveringOrg;
    QStringList m_dueOrgs;            // the pass's orgs still to discover
    QHash<QString, QDateTime> m_orgFailedAt; // folded org name -> when its discovery failed here (retried after its interval)
    QHash<QString, QString> m_orgErrors;     // folded org name -> why it failed here (shown in the org list)
    quint64 m_orgGeneration = 0;      // the newest org list read
    QHash<QString, MirrorTableModel::RowUpdate> m_pending;
    QTimer *m_flushTimer = nullptr;
    QTimer *m_scanTimer = nullptr; // coalesces file-system events into one scan
    QTimer *m_tickTimer = nullptr; // the clock: health, next run, the scheduler
    // The one disk worker: scans run one at a time, in order, off the UI thread.
    QThreadPool m_diskPool;
    std::shared_ptr<StateScanner> m_scanner;
    bool m_scanning = false;
    bool m_scanAgain = false;
    bool m_scanFull = false;
    std::function<QDateTime()> m_clock;
    QString m_lastMessage;
    bool m_loaded = false;
    bool m_closeWhenIdle = false;
    QString m_selectAfterScan; // a mirror just saved in the editor: selected once its row is there
};

} // namespace md::ui
