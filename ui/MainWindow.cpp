#include "MainWindow.h"

#include "CredentialsDialog.h"
#include "HostKeysDialog.h"
#include "ImportDialog.h"
#include "ops/HostKeyOps.h"
#include "ops/MirrorOps.h"

#include "MirrorTableModel.h"
#include "Resources.h"
#include "mirror/SyncEngine.h"
#include "ops/RunOps.h"

#include <QApplication>
#include <QPointer>
#include <QThreadPool>
#include <QFileDialog>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include "security/GitUrl.h"

#include <QAction>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace md::ui {

MainWindow::MainWindow(QString configPath, QString stateDir, QWidget *parent)
    : QMainWindow(parent)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
    , m_model(new MirrorTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_watcher(new QFileSystemWatcher(this))
    , m_engine(new SyncEngine(m_stateDir, this))
    , m_runOps(new RunOps(*m_engine, m_stateDir, this))
    , m_flushTimer(new QTimer(this))
{
    initResources();
    setWindowTitle(tr("MirrorDesk"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/mirrordesk.svg")));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_banner = new QLabel(central);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fbe3e4; color: #7a1b1f; padding: 8px; border-radius: 4px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MirrorTableModel::RawValueRole);
    m_view = new QTableView(central);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(MirrorTableModel::Name, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // uniform row heights
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setDefaultSectionSize(110);
    m_view->setColumnWidth(MirrorTableModel::Name, 200);
    m_view->setColumnWidth(MirrorTableModel::Source, 260);
    m_view->setColumnWidth(MirrorTableModel::Target, 260);
    m_view->setColumnWidth(MirrorTableModel::LastAttempt, 150);
    m_view->setColumnWidth(MirrorTableModel::LastSuccess, 150);
    m_view->setColumnWidth(MirrorTableModel::LastError, 260);
    layout->addWidget(m_view);
    setCentralWidget(central);

    m_summary = new QLabel(this);
    statusBar()->addWidget(m_summary, 1);

    QToolBar *toolbar = addToolBar(tr("Mirrors"));
    toolbar->setObjectName(QStringLiteral("mirrors"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_checkAction = toolbar->addAction(tr("Check"), this, &MainWindow::checkSelected);
    m_checkAction->setToolTip(tr("Compare both sides of the selected mirrors without fetching objects"));
    m_checkAllAction = toolbar->addAction(tr("Check All"), this, &MainWindow::checkAll);
    m_checkAllAction->setToolTip(tr("Compare both sides of every mirror without fetching objects"));
    m_updateAction = toolbar->addAction(tr("Update now"), this, &MainWindow::updateSelected);
    m_updateAction->setToolTip(tr("Sync the selected mirrors now"));
    toolbar->addSeparator();
    m_importAction = toolbar->addAction(tr("Import existing mirrors…"), this, &MainWindow::chooseImportFolder);
    m_importAction->setToolTip(tr("Adopt repositories made with git clone --mirror (e.g. a cron script's ~/git/mirror/*.git) "
                                  "as pull mirrors"));
    m_reviewHostKeyAction = toolbar->addAction(tr("Review host key…"), this, &MainWindow::reviewHostKey);
    m_reviewHostKeyAction->setToolTip(tr("The selected mirror was refused for its SSH host key: see the key the server offered "
                                         "and pin it"));
    m_credentialsAction = new QAction(tr("Credentials…"), this);
    m_credentialsAction->setToolTip(tr("Named credentials: passwords, tokens and SSH keys the mirrors use"));
    connect(m_credentialsAction, &QAction::triggered, this, &MainWindow::openCredentials);
    m_hostKeysAction = new QAction(tr("Host keys…"), this);
    m_hostKeysAction->setToolTip(tr("The SSH host keys pinned per host: detect, pin, import known_hosts, remove"));
    connect(m_hostKeysAction, &QAction::triggered, this, &MainWindow::openHostKeys);
    QMenu *mirrorsMenu = menuBar()->addMenu(tr("&Mirrors"));
    mirrorsMenu->setToolTipsVisible(true);
    mirrorsMenu->addAction(m_checkAction);
    mirrorsMenu->addAction(m_checkAllAction);
    mirrorsMenu->addAction(m_updateAction);
    mirrorsMenu->addAction(m_reviewHostKeyAction);
    mirrorsMenu->addSeparator();
    mirrorsMenu->addAction(m_importAction);
    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    settingsMenu->setToolTipsVisible(true);
    settingsMenu->addAction(m_credentialsAction);
    settingsMenu->addAction(m_hostKeysAction);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);

    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(100); // results reach the table at most ten times a second
    connect(m_flushTimer, &QTimer::timeout, this, &MainWindow::flush);
    m_engine->setConfigFile(m_configPath);
    connect(m_engine, &SyncEngine::jobStarted, this, &MainWindow::onJobStarted);
    connect(m_engine, &SyncEngine::checkFinished, this, &MainWindow::onCheckFinished);
    connect(m_engine, &SyncEngine::updateFinished, this, &MainWindow::onUpdateFinished);
    connect(m_engine, &SyncEngine::progress, this, [this](const QString &name, unsigned int received, unsigned int total, qint64 bytes) {
        if (total > 0)
            queue({name, std::nullopt, tr("Updating… %1% (%2 MB)").arg(qint64(received) * 100 / total).arg(bytes / (1024.0 * 1024.0), 0, 'f', 1)});
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);

    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &MainWindow::reload);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &MainWindow::reload);
    resize(1400, 600);
    reload();
}

QString MainWindow::problem() const
{
    return m_banner->text();
}

void MainWindow::watch()
{
    // QSaveFile replaces the file, so watch its folder too and re-add the file after each change.
    const QString dir = QFileInfo(m_configPath).absolutePath();
    if (QFileInfo::exists(dir) && !m_watcher->directories().contains(dir))
        m_watcher->addPath(dir);
    if (QFileInfo::exists(m_configPath) && !m_watcher->files().contains(m_configPath))
        m_watcher->addPath(m_configPath);
}

void MainWindow::reload()
{
    watch();
    // The config and the states are read on a worker and arrive by value: the UI thread never
    // touches the disk (10,000 mirrors' state files take a while). Only the newest read is shown.
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    const quint64 generation = ++m_reloadGeneration;
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, configPath, stateDir, generation] {
        Snapshot snapshot = loadSnapshot(configPath, stateDir);
        QMetaObject::invokeMethod(qApp, [self, snapshot = std::move(snapshot), generation]() mutable {
            if (self && generation == self->m_reloadGeneration)
                self->applySnapshot(std::move(snapshot));
        }, Qt::QueuedConnection);
    });
}

void MainWindow::chooseImportFolder()
{
    auto *dialog = new QFileDialog(this, tr("Folder of mirror repositories"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        QPointer<MainWindow> self(this);
        QThreadPool::globalInstance()->start([self, folder] {
            const QStringList paths = MirrorOps::importCandidates(folder);
            QMetaObject::invokeMethod(qApp, [self, paths] {
                if (self)
                    self->importMirrors(paths);
            }, Qt::QueuedConnection);
        });
    });
    dialog->open();
}

void MainWindow::importMirrors(const QStringList &paths)
{
    if (paths.isEmpty()) {
        say(tr("No repositories to import there"));
        return;
    }
    // Inspecting repositories reads the disk: on a worker, like every config and state access.
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, configPath, stateDir, paths] {
        auto preview = MirrorOps(configPath, stateDir).importClones(paths, false);
        QMetaObject::invokeMethod(qApp, [self, preview = std::move(preview)] {
            if (!self)
                return;
            if (!preview) {
                self->say(tr("Cannot import: %1").arg(preview.error().text()));
                return;
            }
            auto *dialog = new ImportDialog(*preview, self);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            connect(dialog, &QDialog::accepted, self, [self, dialog] {
                const QStringList chosen = dialog->checkedPaths();
                const QString configFile = self->m_configPath;
                const QString stateFolder = self->m_stateDir;
                QThreadPool::globalInstance()->start([self, configFile, stateFolder, chosen] {
                    auto imported = MirrorOps(configFile, stateFolder).importClones(chosen);
                    QMetaObject::invokeMethod(qApp, [self, imported = std::move(imported)] {
                        if (!self)
                            return;
                        if (!imported) {
                            self->say(tr("Cannot import: %1").arg(imported.error().text()));
                            return;
                        }
                        QStringList refused;
                        int done = 0;
                        for (const MirrorOps::Imported &entry : *imported) {
                            if (entry.refused)
                                refused.append(entry.refused->text());
                            else
                                ++done;
                        }
                        self->say(refused.isEmpty() ? tr("Imported %n mirror(s)", nullptr, done)
                                                    : tr("Imported %n mirror(s); refused: %1", nullptr, done).arg(refused.join(QStringLiteral("; "))));
                        self->reload();
                    }, Qt::QueuedConnection);
                });
            });
            dialog->open();
        }, Qt::QueuedConnection);
    });
}

void MainWindow::applySnapshot(Snapshot snapshot)
{
    m_loaded = true;
    if (!snapshot.config) {
        // Keep showing the last good list; say what is wrong with the file.
        m_banner->setText(tr("The configuration file cannot be used and was left unchanged:\n%1").arg(snapshot.error->message));
        m_banner->show();
        return;
    }
    m_banner->clear();
    m_banner->hide();
    if (m_config && *m_config == *snapshot.config) {
        // Same mirrors (the folder changed for another reason): refresh the statuses in place,
        // keeping the selection and the sort.
        QList<MirrorTableModel::RowUpdate> updates;
        for (const MirrorView &view : snapshot.mirrors) {
            if (view.statusProblem.isEmpty() && !m_engine->isBusy(view.mirror.name))
                updates.append({view.mirror.name, view.status, std::nullopt});
        }
        m_model->applyUpdates(updates);
        return;
    }
    const QStringList selected = selectedNames();
    QList<MirrorRow> rows;
    rows.reserve(snapshot.mirrors.size());
    for (MirrorView &view : snapshot.mirrors)
        rows.append(MirrorRow{std::move(view.mirror), std::move(view.sourceDisplay), std::move(view.targetDisplay),
                              std::move(view.cachePath), view.intervalMinutes, std::move(view.status)});
    m_model->setRows(std::move(rows));
    m_summary->setText(tr("Mirrors: %1 — %2").arg(snapshot.config->mirrors.size()).arg(m_configPath));
    m_config = std::move(snapshot.config);
    for (const QString &name : selected) {
        if (const int row = m_model->rowOf(name); row >= 0)
            m_view->selectionModel()->select(m_proxy->mapFromSource(m_model->index(row, 0)),
                                             QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    updateActions();
}

void MainWindow::updateActions()
{
    const bool any = m_config && !m_config->mirrors.isEmpty();
    m_checkAllAction->setEnabled(any);
    const bool selected = any && !selectedNames().isEmpty();
    m_checkAction->setEnabled(selected);
    m_updateAction->setEnabled(selected);
    bool refused = false;
    if (const QModelIndexList rows = m_view->selectionModel()->selectedRows(); rows.size() == 1) {
        const MirrorTableModel::RowUpdate pending = m_pending.value(m_model->row(m_proxy->mapToSource(rows.first()).row()).mirror.name);
        const StatusRecord &status = m_model->row(m_proxy->mapToSource(rows.first()).row()).status;
        refused = HostKeyOps::refusalOf(pending.status ? *pending.status : status).has_value();
    }
    m_reviewHostKeyAction->setEnabled(refused);
}

void MainWindow::showContextMenu(const QPoint &position)
{
    if (!m_view->indexAt(position).isValid())
        return;
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_checkAction);
    menu->addAction(m_updateAction);
    menu->addSeparator();
    menu->addAction(m_reviewHostKeyAction);
    menu->popup(m_view->viewport()->mapToGlobal(position));
}

CredentialsDialog *MainWindow::openCredentials()
{
    if (!m_credentialsDialog) {
        m_credentialsDialog = new CredentialsDialog(m_configPath, this);
        m_credentialsDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_credentialsDialog->show();
    m_credentialsDialog->raise();
    m_credentialsDialog->activateWindow();
    return m_credentialsDialog;
}

HostKeysDialog *MainWindow::openHostKeys()
{
    if (!m_hostKeysDialog) {
        m_hostKeysDialog = new HostKeysDialog(m_configPath, this);
        m_hostKeysDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_hostKeysDialog->show();
    m_hostKeysDialog->raise();
    m_hostKeysDialog->activateWindow();
    return m_hostKeysDialog;
}

void MainWindow::reviewHostKey()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return;
    const MirrorRow &row = m_model->row(m_proxy->mapToSource(rows.first()).row());
    const MirrorTableModel::RowUpdate pending = m_pending.value(row.mirror.name);
    const auto refusal = HostKeyOps::refusalOf(pending.status ? *pending.status : row.status);
    if (!refusal) {
        say(tr("%1 was not refused for its host key").arg(row.mirror.name));
        return;
    }
    openHostKeys()->offerRefused(*refusal);
}

QStringList MainWindow::selectedNames() const
{
    QStringList names;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows())
        names.append(m_model->row(m_proxy->mapToSource(index).row()).mirror.name);
    return names;
}

void MainWindow::selectMirror(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    m_view->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
}

void MainWindow::say(const QString &message)
{
    m_lastMessage = message;
    statusBar()->showMessage(message, 15000);
}

void MainWindow::checkSelected()
{
    const QStringList names = selectedNames();
    if (!m_config || names.isEmpty())
        return;
    if (const auto started = m_runOps->check(*m_config, names); !started)
        say(tr("Check cannot start: %1").arg(started.error().message));
}

void MainWindow::checkAll()
{
    if (!m_config)
        return;
    const auto started = m_runOps->check(*m_config, {});
    if (started)
        say(tr("Checking %n mirror(s)…", nullptr, *started));
    else
        say(tr("Check All cannot start: %1").arg(started.error().message));
}

void MainWindow::updateSelected()
{
    if (!m_config)
        return;
    for (const QString &name : selectedNames()) {
        if (const auto started = m_runOps->updateNow(*m_config, name); !started)
            say(tr("Update now refused for %1: %2").arg(name, started.error().message));
    }
}

void MainWindow::queue(MirrorTableModel::RowUpdate update)
{
    MirrorTableModel::RowUpdate &pending = m_pending[update.name];
    pending.name = update.name;
    if (update.status)
        pending.status = std::move(update.status);
    if (update.activity)
        pending.activity = std::move(update.activity);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void MainWindow::flush()
{
    m_model->applyUpdates(m_pending.values());
    m_pending.clear();
    updateActions();
}

void MainWindow::onJobStarted(const QString &name, JobKind kind)
{
    MirrorTableModel::RowUpdate update{name, std::nullopt, kind == JobKind::Update ? tr("Updating…") : tr("Checking…")};
    if (const int row = m_model->rowOf(name); row >= 0 && kind == JobKind::Update) {
        StatusRecord status = m_pending.contains(name) && m_pending.value(name).status ? *m_pending.value(name).status
                                                                                        : m_model->row(row).status;
        status.updateStatus = UpdateStatus::Started; // shown only: the state file is the engine's
        update.status = status;
    }
    queue(std::move(update));
}

void MainWindow::onCheckFinished(const QString &name, const CheckOutcome &outcome)
{
    const QString text = MirrorTableModel::checkText(outcome.record);
    queue({name, outcome.status, text});
    if (!outcome.problem.isEmpty())
        say(tr("Cannot record the check of %1: %2").arg(name, outcome.problem));
}

void MainWindow::onUpdateFinished(const QString &name, const UpdateOutcome &outcome)
{
    QString text;
    if (!outcome.skipped.isEmpty())
        text = tr("Skipped: %1").arg(outcome.skipped);
    else if (outcome.result.error)
        text = tr("Failed (%1)").arg(errorCategoryName(outcome.result.error->category));
    else if (!outcome.result.warnings.isEmpty())
        text = tr("Updated, %n warning(s)", nullptr, static_cast<int>(outcome.result.warnings.size()));
    else
        text = tr("Updated");
    queue({name, outcome.status, text}); // a skipped run carries the recorded status (read on the pool)
    if (!outcome.skipped.isEmpty())
        say(tr("%1 was not updated: %2").arg(name, outcome.skipped));
    for (const QString &problem : outcome.problems)
        say(tr("Cannot record the run of %1: %2").arg(name, problem));
}

} // namespace md::ui
