#pragma once

#include "CredentialsDialog.h"
#include "HostKeysDialog.h"
#include "MirrorTableModel.h"
#include "mirror/Config.h"
#include "mirror/MirrorRun.h"
#include "ops/Snapshot.h"

#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QFileSystemWatcher;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace md {
class RunOps;
class SyncEngine;
enum class JobKind;
}

namespace md::ui {

// The main window: the mirror list from the config with each mirror's last status, reloaded when
// the config changes on disk, and the toolbar's Check, Check All and Update now, run by the
// SyncEngine on a thread pool. Results reach the table in batches (at most ten a second).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(QString configPath, QString stateDir, QWidget *parent = nullptr);

    MirrorTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // The problem shown above the table (an unreadable config), empty when all is well.
    QString problem() const;
    // True once the first read of the config and states (on a worker) has been shown.
    bool loaded() const { return m_loaded; }
    // The last message shown in the status bar (a refused Update now, a finished Check All).
    QString lastMessage() const { return m_lastMessage; }

    md::SyncEngine *engine() const { return m_engine; }
    QAction *checkAction() const { return m_checkAction; }
    QAction *checkAllAction() const { return m_checkAllAction; }
    QAction *updateAction() const { return m_updateAction; }
    // Selects the row of a mirror (for tests and for "select after add").
    void selectMirror(const QString &name);

    QAction *importAction() const { return m_importAction; }
    QAction *credentialsAction() const { return m_credentialsAction; }
    QAction *hostKeysAction() const { return m_hostKeysAction; }
    // Enabled for one selected mirror whose last check or run was refused for its host key.
    QAction *reviewHostKeyAction() const { return m_reviewHostKeyAction; }
    // The open dialogs (null when closed).
    CredentialsDialog *credentialsDialog() const { return m_credentialsDialog; }
    HostKeysDialog *hostKeysDialog() const { return m_hostKeysDialog; }

public Q_SLOTS:
    void reload();
    // Import existing mirrors…: asks for a folder, then importCandidates().
    void chooseImportFolder();
    // Inspects `paths` on a worker, shows the list to confirm (ImportDialog), and imports the
    // checked ones on a worker (the same operation as `mirrordesk import`).
    void importMirrors(const QStringList &paths);
    void checkSelected();
    void checkAll();
    void updateSelected();
    // Credentials…: the credentials dialog (one, not modal).
    CredentialsDialog *openCredentials();
    // Host keys…: the host keys dialog (one, not modal).
    HostKeysDialog *openHostKeys();
    // Review host key…: the host keys dialog on the selected mirror's host, the key it offered
    // ready to pin (from the refusal's structured detail, never its message).
    void reviewHostKey();

private:
    void watch();
    void applySnapshot(md::Snapshot snapshot);
    QStringList selectedNames() const;
    void queue(MirrorTableModel::RowUpdate update);
    void flush();
    void say(const QString &message);
    void onJobStarted(const QString &name, md::JobKind kind);
    void onCheckFinished(const QString &name, const md::CheckOutcome &outcome);
    void onUpdateFinished(const QString &name, const md::UpdateOutcome &outcome);
    void updateActions();
    void showContextMenu(const QPoint &position);

    QString m_configPath;
    QString m_stateDir;
    MirrorTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_summary = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
    md::SyncEngine *m_engine = nullptr;
    md::RunOps *m_runOps = nullptr; // the same operations as the command line's check and update
    std::optional<Config> m_config; // the last good config
    QAction *m_checkAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_checkAllAction = nullptr;
    QAction *m_updateAction = nullptr;
    QAction *m_credentialsAction = nullptr;
    QAction *m_hostKeysAction = nullptr;
    QAction *m_reviewHostKeyAction = nullptr;
    QPointer<CredentialsDialog> m_credentialsDialog;
    QPointer<HostKeysDialog> m_hostKeysDialog;
    QHash<QString, MirrorTableModel::RowUpdate> m_pending;
    QTimer *m_flushTimer = nullptr;
    QString m_lastMessage;
    quint64 m_reloadGeneration = 0;
    bool m_loaded = false;
};

} // namespace md::ui
