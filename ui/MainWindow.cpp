#include "MainWindow.h"

#include "Background.h"
#include "CredentialsDialog.h"
#include "HostKeysDialog.h"
#include "ImportDialog.h"
#include "DetailsPane.h"
#include "MirrorEditor.h"
#include "MirrorFilterProxy.h"
#include "PreferencesDialog.h"
#include "MirrorTableModel.h"
#include "Resources.h"
#include "mirror/Scheduler.h"
#include "mirror/SyncEngine.h"
#include "ops/HostKeyOps.h"
#include "ops/MirrorOps.h"
#include "ops/RunOps.h"
#include "ops/StateScan.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace md::ui {

namespace {

// "42 s", "3 min", "2 h": a short duration for messages.
QString durationText(qint64 seconds)
{
    seconds = std::max<qint64>(0, seconds);
    if (seconds < 120)
        return MainWindow::tr("%n s", nullptr, static_cast<int>(seconds));
    if (seconds < 2 * 3600)
        return MainWindow::tr("%n min", nullptr, static_cast<int>(seconds / 60));
    return MainWindow::tr("%n h", nullptr, static_cast<int>(seconds / 3600));
}

} // namespace

MainWindow::MainWindow(QString configPath, QString stateDir, QWidget *parent)
    : QMainWindow(parent)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
    , m_model(new MirrorTableModel(this))
    , m_watcher(new QFileSystemWatcher(this))
    , m_engine(new SyncEngine(m_stateDir, this))
    , m_runOps(new RunOps(*m_engine, m_stateDir, this))
    , m_flushTimer(new QTimer(this))
    , m_scanTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this))
    , m_scanner(std::make_shared<StateScanner>(m_stateDir))
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    initResources();
    setWindowTitle(tr("MirrorDesk"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/mirrordesk.svg")));
    m_diskPool.setMaxThreadCount(1);
    m_proxy = new MirrorFilterProxy(m_model, this);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    m_banner = new QLabel(central);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fbe3e4; color: #7a1b1f; padding: 8px; border-radius: 4px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    // Two tabs: the mirrors (the filter, the table and the details) and the org mirrors.
    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs, 1);
    auto *mirrorsTab = new QWidget(m_tabs);
    auto *mirrorsLayout = new QVBoxLayout(mirrorsTab);
    mirrorsLayout->setContentsMargins(0, 6, 0, 0);
    m_tabs->addTab(mirrorsTab, tr("Mirrors"));

    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(central);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter by name or host…"));
    m_filter->setClearButtonEnabled(true);
    m_healthFilter = new QComboBox(central);
    m_healthFilter->setObjectName(QStringLiteral("healthFilter"));
    m_healthFilter->addItem(tr("Any health"), -1);
    for (int i = 0; i < kHealthCount; ++i)
        m_healthFilter->addItem(QIcon(QStringLiteral(":/icons/health/%1.svg").arg(healthName(static_cast<md::Health>(i)))),
                                MirrorTableModel::healthWord(static_cast<md::Health>(i)), i);
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_healthFilter);
    mirrorsLayout->addLayout(filterRow);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) { m_proxy->setText(text); });
    connect(m_healthFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int value = m_healthFilter->currentData().toInt();
        m_proxy->setHealth(value < 0 ? std::nullopt : std::optional<md::Health>(static_cast<md::Health>(value)));
    });

    m_view = new QTableView(central);
    m_view->setObjectName(QStringLiteral("mirrors"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(MirrorTableModel::Name, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // uniform row heights
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    header->setDefaultSectionSize(100);
    // Defaults that fit a 1,280 px window: the long URLs are elided (full text in the tooltip).
    m_view->setColumnWidth(MirrorTableModel::Name, 170);
    m_view->setColumnWidth(MirrorTableModel::Shape, 55);
    m_view->setColumnWidth(MirrorTableModel::Source, 190);
    m_view->setColumnWidth(MirrorTableModel::Target, 150);
    m_view->setColumnWidth(MirrorTableModel::Health, 120);
    m_view->setColumnWidth(MirrorTableModel::NextRun, 85);
    m_view->setColumnWidth(MirrorTableModel::LastSuccess, 110);
    m_view->setColumnWidth(MirrorTableModel::LastAttempt, 85);
    m_view->setColumnWidth(MirrorTableModel::Checked, 85);
    m_view->setColumnWidth(MirrorTableModel::Progress, 170);
    m_view->setTextElideMode(Qt::ElideMiddle);

    m_splitter = new QSplitter(Qt::Vertical, central);
    m_splitter->setObjectName(QStringLiteral("splitter"));
    m_splitter->addWidget(m_view);
    m_details = new DetailsPane(m_configPath, m_stateDir, m_splitter);
    m_details->setObjectName(QStringLiteral("details"));
    m_splitter->addWidget(m_details);
    connect(m_details, &DetailsPane::message, this, &MainWindow::say);
    connect(m_details, &DetailsPane::planRequested, this, [this](const QString &name) {
        if (!m_config)
            return;
        RunOps::UpdateOptions options;
        options.batch.dryRun = true; // plan: nothing written
        QPointer<DetailsPane> pane(m_details);
        const auto started = m_runOps->update(*m_config, {name}, options, [pane](const RunReport &report) {
            if (pane && !report.entries.isEmpty())
                pane->showPlan(report.entries.first());
        });
        if (!started)
            m_details->showPlanError(name, started.error().message);
    });
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({480, 200});
    mirrorsLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    statusBar()->addPermanentWidget(m_summary);

    // Actions: one set, in the menu bar, the toolbar and the context menu.
    auto action = [this](const QString &text, const QString &tip, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        a->setToolTip(tip);
        a->setStatusTip(tip);
        if (!key.isEmpty())
            a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        addAction(a); // shortcuts work with the toolbar hidden
        return a;
    };
    m_newAction = action(tr("New…"), tr("Add a mirror"), QKeySequence::New, &MainWindow::newMirror);
    m_editAction = action(tr("Edit…"), tr("Change the selected mirror (Enter or double-click)"), QKeySequence(Qt::Key_Return),
                          &MainWindow::editSelected);
    m_editAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(m_editAction);
    m_duplicateAction = action(tr("Duplicate…"), tr("A new mirror with the selected one's settings"), QKeySequence(),
                               &MainWindow::duplicateSelected);
    m_removeAction = action(tr("Remove…"), tr("Remove the selected mirror (its cache is kept unless you choose)"),
                            QKeySequence::Delete, &MainWindow::removeSelected);
    m_removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(m_removeAction);
    m_enableAction = action(tr("Enable"), tr("Let the scheduler update the selected mirrors again"), QKeySequence(),
                            [this] { setSelectedEnabled(true); });
    m_disableAction = action(tr("Disable"), tr("Stop scheduled updates of the selected mirrors"), QKeySequence(),
                             [this] { setSelectedEnabled(false); });
    m_checkAction = action(tr("Check"), tr("Compare both sides of the selected mirrors without fetching objects"),
                           QKeySequence(Qt::Key_F5), &MainWindow::checkSelected);
    m_checkAllAction = action(tr("Check All"), tr("Compare both sides of every mirror without fetching objects"),
                              QKeySequence(Qt::CTRL | Qt::Key_F5), &MainWindow::checkAll);
    m_updateAction = action(tr("Update now"), tr("Sync the selected mirrors now"), QKeySequence(Qt::CTRL | Qt::Key_U),
                            &MainWindow::updateSelected);
    m_cancelAction = action(tr("Cancel"), tr("Stop the selected mirrors' running check or update (recorded as interrupted)"),
                            QKeySequence(Qt::Key_Escape), &MainWindow::cancelSelected);
    m_cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(m_cancelAction);
    m_reloadAction = action(tr("Reload"), tr("Read the configuration and every mirror's state again"),
                            QKeySequence(Qt::CTRL | Qt::Key_R), &MainWindow::reload);
    m_preferencesAction = action(tr("Preferences…"), tr("Concurrency, default interval, cache folder, proxy, timeouts, guards"),
                                 QKeySequence::Preferences, &MainWindow::openPreferences);
    if (m_preferencesAction->shortcut().isEmpty())
        m_preferencesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_importAction = action(tr("Import existing mirrors…"),
                            tr("Adopt repositories made with git clone --mirror (e.g. a cron script's ~/git/mirror/*.git) as pull mirrors"),
                            QKeySequence(), &MainWindow::chooseImportFolder);
    m_reviewHostKeyAction = action(tr("Review host key…"),
                                   tr("The selected mirror was refused for its SSH host key: see the key the server offered and pin it"),
                                   QKeySequence(), &MainWindow::reviewHostKey);
    m_credentialsAction = action(tr("Credentials…"), tr("Named credentials: passwords, tokens and SSH keys the mirrors use"),
                                 QKeySequence(), &MainWindow::openCredentials);
    m_hostKeysAction = action(tr("Host keys…"), tr("The SSH host keys pinned per host: detect, pin, import known_hosts, remove"),
                              QKeySequence(), &MainWindow::openHostKeys);
    m_newOrgAction = action(tr("New org mirror…"),
                            tr("Mirror a whole GitHub organisation, GitLab group, Bitbucket workspace or Bitbucket Server project, "
                               "repository by repository"),
                            QKeySequence(), &MainWindow::newOrgMirror);
    m_editOrgAction = action(tr("Edit org mirror…"), tr("Change the selected org mirror's provider, filter, target or sync new"),
                             QKeySequence(), &MainWindow::editSelectedOrg);
    m_runOrgAction = action(tr("Preview/Run org mirror…"),
                            tr("List the selected org mirror's repositories, see what a Run would do with each, then run it"),
                            QKeySequence(), &MainWindow::runSelectedOrg);
    m_removeOrgAction = action(tr("Remove org mirror…"),
                               tr("Remove the selected org mirror (its mirrors stay unless you choose; caches are always kept)"),
                               QKeySequence(), &MainWindow::removeSelectedOrg);
    m_tabs->addTab(createOrgPanel(), tr("Org mirrors"));
    QAction *quitAction = action(tr("Quit"), tr("Close MirrorDesk"), QKeySequence::Quit, &QWidget::close);

    m_toolbar = addToolBar(tr("Mirrors"));
    m_toolbar->setObjectName(QStringLiteral("mirrorsToolbar"));
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (QAction *a : {m_newAction, m_editAction, m_removeAction})
        m_toolbar->addAction(a);
    m_toolbar->addSeparator();
    for (QAction *a : {m_checkAction, m_checkAllAction, m_updateAction, m_cancelAction})
        m_toolbar->addAction(a);
    m_toolbar->addSeparator();
    m_toolbar->addAction(m_reviewHostKeyAction);
    m_toolbar->addSeparator();
    m_toolbar->addAction(m_newOrgAction);
    m_toolbarAction = m_toolbar->toggleViewAction();
    m_toolbarAction->setText(tr("Toolbar"));

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->setToolTipsVisible(true);
    fileMenu->addAction(m_importAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);
    QMenu *mirrorsMenu = menuBar()->addMenu(tr("&Mirrors"));
    mirrorsMenu->setToolTipsVisible(true);
    for (QAction *a : {m_newAction, m_editAction, m_duplicateAction, m_removeAction})
        mirrorsMenu->addAction(a);
    mirrorsMenu->addSeparator();
    mirrorsMenu->addAction(m_enableAction);
    mirrorsMenu->addAction(m_disableAction);
    mirrorsMenu->addSeparator();
    for (QAction *a : {m_checkAction, m_checkAllAction, m_updateAction, m_cancelAction})
        mirrorsMenu->addAction(a);
    mirrorsMenu->addSeparator();
    mirrorsMenu->addAction(m_reviewHostKeyAction);
    mirrorsMenu->addSeparator();
    for (QAction *a : {m_newOrgAction, m_editOrgAction, m_runOrgAction, m_removeOrgAction})
        mirrorsMenu->addAction(a);
    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->setToolTipsVisible(true);
    viewMenu->addAction(m_toolbarAction);
    viewMenu->addAction(m_reloadAction);
    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    settingsMenu->setToolTipsVisible(true);
    settingsMenu->addAction(m_preferencesAction);
    settingsMenu->addAction(m_credentialsAction);
    settingsMenu->addAction(m_hostKeysAction);

    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(m_view, &QAbstractItemView::doubleClicked, this, &MainWindow::editSelected);

    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(100); // results reach the table at most ten times a second
    connect(m_flushTimer, &QTimer::timeout, this, &MainWindow::flush);
    m_scanTimer->setSingleShot(true);
    m_scanTimer->setInterval(250); // a burst of file events is one scan
    connect(m_scanTimer, &QTimer::timeout, this, [this] { scan(false); });
    m_tickTimer->setInterval(15000);
    connect(m_tickTimer, &QTimer::timeout, this, &MainWindow::tick);
    m_tickTimer->start();

    m_engine->setConfigFile(m_configPath);
    connect(m_engine, &SyncEngine::jobStarted, this, &MainWindow::onJobStarted);
    connect(m_engine, &SyncEngine::checkFinished, this, &MainWindow::onCheckFinished);
    connect(m_engine, &SyncEngine::updateFinished, this, &MainWindow::onUpdateFinished);
    connect(m_engine, &SyncEngine::idle, this, &MainWindow::onIdle);
    connect(m_engine, &SyncEngine::progress, this, [this](const QString &name, unsigned int received, unsigned int total, qint64 bytes) {
        if (total > 0)
            queue({name, std::nullopt, tr("Updating… %1% (%2 MB)").arg(qint64(received) * 100 / total).arg(bytes / (1024.0 * 1024.0), 0, 'f', 1)});
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        showSelected();
    });
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::keepSelectionInView);

    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_scanTimer->start(); });
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_scanTimer->start(); });
    resize(1280, 720);
    restoreLayout();
    updateActions();
    scan(true);
}

MainWindow::~MainWindow()
{
    m_diskPool.clear();
    m_diskPool.waitForDone();
}

QString MainWindow::problem() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void MainWindow::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    m_model->setNow(m_clock());
}

// The window's layout (geometry, columns, splitter) goes to ~/.config/mirrordesk/window.conf,
// named explicitly: an organisation name on the application would move its default data folders.
void MainWindow::restoreLayout()
{
    QSettings settings(QStringLiteral("mirrordesk"), QStringLiteral("window"));
    if (const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray(); !state.isEmpty())
        restoreState(state);
    if (const QByteArray columns = settings.value(QStringLiteral("window/columns")).toByteArray(); !columns.isEmpty())
        m_view->horizontalHeader()->restoreState(columns);
    if (const QByteArray split = settings.value(QStringLiteral("window/splitter")).toByteArray(); !split.isEmpty())
        m_splitter->restoreState(split);
}

void MainWindow::saveLayout()
{
    QSettings settings(QStringLiteral("mirrordesk"), QStringLiteral("window"));
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/columns"), m_view->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
}

void MainWindow::watch()
{
    // QSaveFile replaces the file, so watch its folder too and re-add the file after each change.
    // The state folder is watched for runs by cron or the command line.
    QStringList paths;
    const QString dir = QFileInfo(m_configPath).absolutePath();
    for (const QString &path : {dir, m_configPath, m_stateDir, QDir(m_stateDir).filePath(QStringLiteral("orgs"))}) {
        if (QFileInfo::exists(path) && !m_watcher->directories().contains(path) && !m_watcher->files().contains(path))
            paths.append(path);
    }
    if (!paths.isEmpty())
        m_watcher->addPaths(paths);
}

void MainWindow::reload()
{
    scan(true);
}

void MainWindow::scan(bool full)
{
    watch();
    if (m_scanning) {
        // One scan at a time; what happened meanwhile is picked up by the next.
        m_scanAgain = true;
        m_scanFull = m_scanFull || full;
        return;
    }
    m_scanning = true;
    const QString configPath = m_configPath;
    std::shared_ptr<StateScanner> scanner = m_scanner;
    QPointer<MainWindow> self(this);
    m_diskPool.start([self, scanner, configPath, full] {
        // Below the UI thread, like the engine's workers (the scan's reader threads inherit it):
        // a scan while 10,000 checks write their results must not take the window's core.
        platform::lowerCurrentThreadPriority();
        StateScanner::Scan result = scanner->scan(configPath, full);
        QMetaObject::invokeMethod(qApp, [self, result = std::move(result)]() mutable {
            if (self)
                self->applyScan(std::move(result));
        }, Qt::QueuedConnection);
    });
}

void MainWindow::applyScan(StateScanner::Scan scan)
{
    m_scanning = false;
    const bool first = !m_loaded;
    m_loaded = true;
    if (!scan.config) {
        // Keep showing the last good list; say what is wrong with the file.
        m_banner->setText(tr("The configuration file cannot be used and was left unchanged. MirrorDesk keeps showing the "
                             "last good list until it is fixed.\n%1").arg(scan.error ? scan.error->message : QString()));
        m_banner->show();
    } else {
        m_banner->clear();
        m_banner->hide();
        m_model->setDefaultIntervalMinutes(scan.config->settings.defaultIntervalMinutes);
        // A status the engine is about to replace is not taken from the disk mid-run.
        for (const MirrorView &view : std::as_const(scan.mirrors)) {
            if (m_engine->isBusy(view.mirror.name))
                scan.withStatus.remove(view.mirror.name);
        }
        if (first || m_model->rowCount() == 0 || scan.configChanged) {
            QList<MirrorRow> rows;
            rows.reserve(scan.mirrors.size());
            for (const MirrorView &view : std::as_const(scan.mirrors)) // copies share their strings
                rows.append(MirrorRow{view.mirror, view.sourceDisplay, view.targetDisplay, view.cachePath, view.intervalMinutes, view.status});
            if (first || m_model->rowCount() == 0)
                m_model->setRows(std::move(rows));
            else
                m_model->syncRows(std::move(rows), scan.withStatus);
        }
        // Changed states (a run by cron or the command line): those rows only. A state file that
        // changed also means another process's run of it is over.
        QList<MirrorTableModel::RowUpdate> updates;
        for (MirrorView &view : scan.mirrors) {
            if (!scan.withStatus.contains(view.mirror.name))
                continue;
            const int at = m_model->rowOf(view.mirror.name);
            if (at < 0)
                continue;
            MirrorTableModel::RowUpdate update{view.mirror.name, std::nullopt, std::nullopt};
            if (!scan.configChanged && !first)
                update.status = std::move(view.status);
            if (m_model->row(at).runningElsewhere) {
                update.activity = QString();
                update.runningElsewhere = false;
            }
            if (update.status || update.runningElsewhere)
                updates.append(std::move(update));
        }
        m_model->applyUpdates(updates);
        m_config = std::move(scan.config);
        updateActions();
        updateSummary();
        if (first || scan.configChanged || !m_config->orgs.isEmpty())
            refreshOrgs();
        if (!m_selectAfterScan.isEmpty() && m_model->rowOf(m_selectAfterScan) >= 0) {
            selectMirror(m_selectAfterScan);
            m_selectAfterScan.clear();
        }
        if (!scan.withStatus.isEmpty() || scan.configChanged)
            showSelected();
    }
    if (m_scanAgain) {
        m_scanAgain = false;
        const bool full = m_scanFull;
        m_scanFull = false;
        this->scan(full);
    }
}

void MainWindow::tick()
{
    m_model->setNow(m_clock());
    runScheduler();
    updateActions();
    updateSummary();
}

int MainWindow::runScheduler()
{
    if (!m_config)
        return 0;
    if (!m_pending.isEmpty())
        flush(); // decide on the newest results
    const QDateTime now = m_clock();
    if (m_model->now() != now)
        m_model->setNow(now);
    discoverDueOrgs(now);
    QStringList due;
    for (const MirrorRow &row : m_model->rows()) {
        if (row.mirror.enabled && row.next.due && !row.running && !row.runningElsewhere && !m_engine->isBusy(row.mirror.name))
            due.append(row.mirror.name);
    }
    if (due.isEmpty())
        return 0;
    RunOps::UpdateOptions options;
    QPointer<MainWindow> self(this);
    const auto started = m_runOps->update(*m_config, due, options, [self](const RunReport &report) {
        if (!self)
            return;
        for (const RunEntry &entry : report.entries) {
            if (entry.skip == SkipReason::Running || (entry.update && entry.update->skipReason == SkipReason::Running))
                self->queue({entry.mirror.name, std::nullopt, tr("Running elsewhere"), std::nullopt, true});
        }
    });
    if (!started) {
        say(tr("Scheduled updates cannot start: %1").arg(started.error().message));
        return 0;
    }
    return *started;
}

void MainWindow::chooseImportFolder()
{
    auto *dialog = new QFileDialog(this, tr("Folder of mirror repositories"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        inBackground(this, [folder] { return MirrorOps::importCandidates(folder); },
                     [this](QStringList paths) { importMirrors(paths); });
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
    inBackground(this, [configPath, stateDir, paths] { return MirrorOps(configPath, stateDir).importClones(paths, false); },
                 [this, configPath, stateDir](Result<QList<MirrorOps::Imported>> preview) {
        if (!preview) {
            say(tr("Cannot import: %1").arg(preview.error().text()));
            return;
        }
        auto *dialog = new ImportDialog(*preview, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, configPath, stateDir] {
            const QStringList chosen = dialog->checkedPaths();
            inBackground(this, [configPath, stateDir, chosen] { return MirrorOps(configPath, stateDir).importClones(chosen); },
                         [this](Result<QList<MirrorOps::Imported>> imported) {
                if (!imported) {
                    say(tr("Cannot import: %1").arg(imported.error().text()));
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
                say(refused.isEmpty() ? tr("Imported %n mirror(s)", nullptr, done)
                                      : tr("Imported %n mirror(s); refused: %1", nullptr, done).arg(refused.join(QStringLiteral("; "))));
                scan(false);
            });
        });
        dialog->open();
    });
}

QString MainWindow::updateNowBlock(const QString &name) const
{
    const int at = m_model->rowOf(name);
    if (at < 0)
        return tr("%1 is not in the list").arg(name);
    const MirrorRow &row = m_model->row(at);
    if (m_engine->isBusy(name)) // the engine's word, not the row's (which follows it by a flush)
        return tr("%1 is being checked or updated").arg(name);
    if (row.runningElsewhere)
        return tr("%1 is being updated by another MirrorDesk process").arg(name);
    const QDateTime now = m_clock();
    const QDateTime last = m_runOps->lastManualUpdate(name);
    const ScheduleDecision decision = decideManualUpdate(row.mirror, last, now);
    if (!decision.due)
        return tr("%1 was updated by hand %2 ago; Update now is possible again in %3 (minimum manual interval %4)")
            .arg(name, durationText(last.secsTo(now)), durationText(std::max<qint64>(1, now.secsTo(decision.nextRun))),
                 durationText(row.mirror.minUpdateIntervalSeconds));
    return {};
}

void MainWindow::updateUpdateNowState()
{
    const QStringList names = selectedNames();
    QString block;
    bool any = false;
    for (const QString &name : names) {
        const QString reason = updateNowBlock(name);
        if (reason.isEmpty())
            any = true;
        else if (block.isEmpty())
            block = reason;
    }
    m_updateAction->setEnabled(any);
    m_updateAction->setToolTip(any || names.isEmpty() ? tr("Sync the selected mirrors now") : block);
    if (names.size() == 1)
        m_details->setUpdateNowReason(block);
    if (!any && !block.isEmpty() && names.size() == 1)
        statusBar()->showMessage(block, 10000);
}

void MainWindow::updateActions()
{
    const bool loaded = m_config.has_value();
    const bool any = loaded && !m_config->mirrors.isEmpty();
    m_checkAllAction->setEnabled(any);
    m_newAction->setEnabled(loaded);
    const QStringList names = selectedNames();
    const bool selected = any && !names.isEmpty();
    const bool one = any && names.size() == 1;
    m_checkAction->setEnabled(selected);
    m_editAction->setEnabled(one);
    m_duplicateAction->setEnabled(one);
    m_removeAction->setEnabled(one && !m_engine->isBusy(names.first()));
    bool anyEnabled = false;
    bool anyDisabled = false;
    bool anyRunning = false;
    for (const QString &name : names) {
        if (const int at = m_model->rowOf(name); at >= 0) {
            (m_model->row(at).mirror.enabled ? anyEnabled : anyDisabled) = true;
            anyRunning = anyRunning || m_engine->isBusy(name);
        }
    }
    m_enableAction->setEnabled(anyDisabled);
    m_disableAction->setEnabled(anyEnabled);
    m_cancelAction->setEnabled(anyRunning);
    updateUpdateNowState();
    bool refused = false;
    if (one) {
        const int at = m_model->rowOf(names.first());
        refused = at >= 0 && HostKeyOps::refusalOf(m_model->row(at).status).has_value();
    }
    m_reviewHostKeyAction->setEnabled(refused);
    if (m_orgPanel)
        updateOrgActions();
}

QString MainWindow::summaryText() const
{
    const auto counts = m_model->healthCounts();
    QStringList parts;
    for (int i = 0; i < kHealthCount; ++i) {
        if (counts.at(static_cast<size_t>(i)) > 0)
            parts.append(tr("%1 %2").arg(counts.at(static_cast<size_t>(i))).arg(MirrorTableModel::healthWord(static_cast<md::Health>(i))));
    }
    QString text = tr("%n mirror(s)", nullptr, m_model->rowCount());
    if (!parts.isEmpty())
        text += QStringLiteral(": ") + parts.join(QStringLiteral(", "));
    if (const int busy = m_engine->busyCount(); busy > 0)
        text += QStringLiteral(" — ") + tr("%n running", nullptr, busy);
    return text;
}

void MainWindow::updateSummary()
{
    m_summary->setText(summaryText());
}

void MainWindow::showSelected()
{
    const auto mirror = selectedMirror();
    if (!mirror) {
        m_details->clear();
        return;
    }
    const int at = m_model->rowOf(mirror->name);
    const MirrorRow &row = m_model->row(at);
    if (row.running)
        return; // its status is the engine's until the run ends; the pane shows the last one
    m_details->showMirror(row.mirror, row.status);
    updateUpdateNowState();
}

void MainWindow::keepSelectionInView()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (current.isValid())
        m_view->scrollTo(current, QAbstractItemView::EnsureVisible);
}

void MainWindow::showContextMenu(const QPoint &position)
{
    if (!m_view->indexAt(position).isValid())
        return;
    auto *menu = new QMenu(this);
    menu->setToolTipsVisible(true);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    for (QAction *a : {m_editAction, m_duplicateAction, m_removeAction})
        menu->addAction(a);
    menu->addSeparator();
    menu->addAction(m_enableAction);
    menu->addAction(m_disableAction);
    menu->addSeparator();
    for (QAction *a : {m_checkAction, m_updateAction, m_cancelAction})
        menu->addAction(a);
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
    const auto mirror = selectedMirror();
    if (!mirror)
        return;
    const MirrorRow &row = m_model->row(m_model->rowOf(mirror->name));
    const auto refusal = HostKeyOps::refusalOf(row.status);
    if (!refusal) {
        say(tr("%1 was not refused for its host key").arg(row.mirror.name));
        return;
    }
    openHostKeys()->offerRefused(*refusal);
}

QStringList MainWindow::selectedNames() const
{
    QStringList names;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows()) {
        const int row = m_proxy->mapToSource(index).row();
        if (row >= 0 && row < m_model->rowCount())
            names.append(m_model->row(row).mirror.name);
    }
    return names;
}

std::optional<Mirror> MainWindow::selectedMirror() const
{
    const QStringList names = selectedNames();
    if (names.size() != 1)
        return std::nullopt;
    const int at = m_model->rowOf(names.first());
    if (at < 0)
        return std::nullopt;
    return m_model->row(at).mirror;
}

void MainWindow::selectMirror(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
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
    QPointer<MainWindow> self(this);
    const auto started = m_runOps->check(*m_config, {}, [self](const RunReport &report) {
        if (!self)
            return;
        std::array<int, 6> states{}; // by CheckState
        int skipped = 0;
        for (const RunEntry &entry : report.entries) {
            if (entry.check)
                ++states.at(static_cast<size_t>(entry.check->record.state));
            else
                ++skipped;
        }
        self->say(tr("Check All finished: %1 in sync, %2 behind, %3 diverged, %4 unreachable, %5 empty, %6 skipped")
                      .arg(states.at(static_cast<size_t>(CheckState::InSync)))
                      .arg(states.at(static_cast<size_t>(CheckState::Behind)))
                      .arg(states.at(static_cast<size_t>(CheckState::Diverged)))
                      .arg(states.at(static_cast<size_t>(CheckState::Unreachable)))
                      .arg(states.at(static_cast<size_t>(CheckState::Empty)))
                      .arg(skipped));
    });
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
        if (const QString block = updateNowBlock(name); !block.isEmpty()) {
            say(tr("Update now refused: %1").arg(block));
            continue;
        }
        if (const auto started = m_runOps->updateNow(*m_config, name); !started)
            say(tr("Update now refused for %1: %2").arg(name, started.error().message));
    }
    updateActions();
}

void MainWindow::cancelSelected()
{
    int cancelled = 0;
    for (const QString &name : selectedNames()) {
        if (m_engine->cancel(name)) {
            ++cancelled;
            queue({name, std::nullopt, tr("Cancelling…")});
        }
    }
    if (cancelled > 0)
        say(tr("Cancelling %n run(s)…", nullptr, cancelled));
}

void MainWindow::queue(MirrorTableModel::RowUpdate update)
{
    MirrorTableModel::RowUpdate &pending = m_pending[update.name];
    pending.name = update.name;
    if (update.status)
        pending.status = std::move(update.status);
    if (update.activity)
        pending.activity = std::move(update.activity);
    if (update.running)
        pending.running = update.running;
    if (update.runningElsewhere)
        pending.runningElsewhere = update.runningElsewhere;
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void MainWindow::flush()
{
    const QStringList selected = selectedNames();
    bool selectedChanged = false;
    for (const QString &name : selected)
        selectedChanged = selectedChanged || m_pending.contains(name);
    m_model->applyUpdates(m_pending.values());
    m_pending.clear();
    updateActions();
    updateSummary();
    keepSelectionInView();
    if (selectedChanged)
        showSelected();
}

void MainWindow::onJobStarted(const QString &name, JobKind kind)
{
    queue({name, std::nullopt, kind == JobKind::Update ? tr("Updating…") : tr("Checking…"), true, false});
}

void MainWindow::onCheckFinished(const QString &name, const CheckOutcome &outcome)
{
    QString text = MirrorTableModel::checkText(outcome.record);
    if (outcome.record.errorCategory == ErrorCategory::Interrupted)
        text = tr("Check cancelled");
    queue({name, outcome.status, text, false});
    if (!outcome.problem.isEmpty())
        say(tr("Cannot record the check of %1: %2").arg(name, outcome.problem));
}

QString MainWindow::skipText(const UpdateOutcome &outcome) const
{
    switch (outcome.skipReason) {
    case SkipReason::Running: return tr("Running elsewhere");
    case SkipReason::Disabled: return tr("Skipped: disabled");
    case SkipReason::NotDue: return tr("Skipped: not due");
    case SkipReason::Interrupted: return tr("Interrupted");
    case SkipReason::None: break;
    }
    return tr("Skipped");
}

void MainWindow::onUpdateFinished(const QString &name, const UpdateOutcome &outcome)
{
    if (!outcome.status && outcome.skipReason == SkipReason::None && !outcome.result.error && outcome.problems.isEmpty()) {
        // A plan (dry run, the details pane's Refresh): nothing was written, the row stays as it was.
        queue({name, std::nullopt, QString(), false});
        return;
    }
    QString text;
    const bool elsewhere = outcome.skipReason == SkipReason::Running;
    if (outcome.skipReason != SkipReason::None)
        text = skipText(outcome);
    else if (outcome.result.outcome == RunOutcome::Interrupted)
        text = tr("Interrupted");
    else if (outcome.result.error)
        text = tr("Failed: %1").arg(MirrorTableModel::categoryText(outcome.result.error->category));
    else if (!outcome.result.warnings.isEmpty())
        text = tr("Updated, %n warning(s)", nullptr, static_cast<int>(outcome.result.warnings.size()));
    else
        text = tr("Updated");
    MirrorTableModel::RowUpdate update{name, outcome.status, text, false, elsewhere};
    queue(std::move(update)); // a skipped run carries the recorded status (read on the pool)
    if (elsewhere)
        say(tr("%1 is being updated by another MirrorDesk process; its result shows when that run ends").arg(name));
    for (const QString &problem : outcome.problems)
        say(tr("Cannot record the run of %1: %2").arg(name, problem));
    if (outcome.result.error && outcome.result.error->category == ErrorCategory::Guard
        && outcome.result.error->detail.value(QStringLiteral("guard")).toString() == QLatin1String("mass_change"))
        askMassChange(name, outcome);
}

void MainWindow::confirm(QMessageBox *box)
{
    if (m_confirmation)
        m_confirmation->deleteLater();
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_confirmation = box;
    box->open();
}

void MainWindow::askMassChange(const QString &name, const UpdateOutcome &outcome)
{
    const QJsonObject detail = outcome.result.error->detail;
    QStringList going;
    for (const RefResult &ref : outcome.result.refs) {
        if (ref.action == RefAction::Delete)
            going.append(tr("deleted: %1").arg(ref.ref));
        else if (ref.action == RefAction::Force)
            going.append(tr("forced: %1").arg(ref.ref));
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Confirm a mass change"),
                                tr("The update of %1 would delete or force %2 of %3 refs (the guard allows %4). Every old tip "
                                   "is kept in the attic. Run it anyway?")
                                    .arg(name)
                                    .arg(detail.value(QStringLiteral("destructive")).toInt())
                                    .arg(detail.value(QStringLiteral("mirrored")).toInt())
                                    .arg(detail.value(QStringLiteral("limit")).toInt()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("massChangeConfirmation"));
    box->setDetailedText(going.join(QLatin1Char('\n')));
    QPushButton *run = box->addButton(tr("Run with the change allowed"), QMessageBox::AcceptRole);
    run->setObjectName(QStringLiteral("allow"));
    box->addButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, run, name](QAbstractButton *button) {
        if (button != run || !m_config)
            return;
        RunOps::UpdateOptions options;
        options.batch.allowMassChange = true;
        if (const auto started = m_runOps->update(*m_config, {name}, options); !started)
            say(tr("Update cannot start: %1").arg(started.error().message));
        else
            say(tr("Updating %1 with the mass change allowed…").arg(name));
        Q_UNUSED(box);
    });
    confirm(box);
}

void MainWindow::onIdle()
{
    updateActions();
    updateSummary();
    if (m_closeWhenIdle) {
        m_closeWhenIdle = false;
        close();
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_engine->busyCount() == 0 || m_closeWhenIdle) {
        if (m_engine->busyCount() > 0) {
            event->ignore(); // cancelling: closes when the last run has stopped
            return;
        }
        saveLayout();
        event->accept();
        return;
    }
    event->ignore();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Runs in progress"),
                                tr("%n check(s) or update(s) are running. MirrorDesk cannot keep running them once the window "
                                   "is closed: closing cancels them (an update is recorded as interrupted, not failed, and "
                                   "its repository is left valid).", nullptr, m_engine->busyCount()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("closeConfirmation"));
    QPushButton *cancelRuns = box->addButton(tr("Cancel runs and close"), QMessageBox::DestructiveRole);
    cancelRuns->setObjectName(QStringLiteral("cancelRuns"));
    QPushButton *wait = box->addButton(tr("Wait for them"), QMessageBox::RejectRole);
    wait->setObjectName(QStringLiteral("wait"));
    connect(box, &QMessageBox::buttonClicked, this, [this, cancelRuns](QAbstractButton *button) {
        if (button == cancelRuns) {
            m_closeWhenIdle = true;
            m_engine->cancelAll();
            say(tr("Cancelling the running checks and updates…"));
        } else {
            say(tr("MirrorDesk closes when you ask again after the runs have finished"));
        }
    });
    confirm(box);
}

void MainWindow::removeSelected()
{
    const auto mirror = selectedMirror();
    if (!mirror || !m_config)
        return;
    if (m_engine->isBusy(mirror->name)) {
        say(tr("%1 is being checked or updated; cancel it first").arg(mirror->name));
        return;
    }
    const QString cache = mirror->effectiveCachePath(m_config->cacheRoot());
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove mirror"),
                                tr("Remove the mirror %1 from MirrorDesk? Its cache %2 is kept unless you tick the box "
                                   "below; nothing on the source or the target is touched.").arg(mirror->name, cache),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("removeConfirmation"));
    auto *deleteCache = new QCheckBox(tr("Also delete the cache %1").arg(cache), box);
    deleteCache->setObjectName(QStringLiteral("deleteCache"));
    box->setCheckBox(deleteCache);
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("remove"));
    box->addButton(QMessageBox::Cancel);
    const QString name = mirror->name;
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, deleteCache, name](QAbstractButton *button) {
        if (button != remove)
            return;
        const bool withCache = deleteCache->isChecked();
        const QString configPath = m_configPath;
        const QString stateDir = m_stateDir;
        inBackground(this, [configPath, stateDir, name, withCache] { return MirrorOps(configPath, stateDir).remove(name, withCache); },
                     [this](Result<MirrorOps::Removed> removed) {
            if (!removed) {
                say(tr("Cannot remove: %1").arg(removed.error().text()));
                return;
            }
            if (removed->linkOnly)
                say(tr("Removed %1; its cache path was a link: the link went, what it points at was kept").arg(removed->name));
            else if (removed->cacheDeleted)
                say(tr("Removed %1 and deleted its cache %2").arg(removed->name, removed->cachePath));
            else if (removed->cacheExists)
                say(tr("Removed %1; its cache %2 was kept").arg(removed->name, removed->cachePath));
            else
                say(tr("Removed %1").arg(removed->name));
            scan(false);
        });
    });
    confirm(box);
}

void MainWindow::setSelectedEnabled(bool enabled)
{
    const QStringList names = selectedNames();
    if (names.isEmpty())
        return;
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    inBackground(this, [configPath, stateDir, names, enabled] {
        QStringList problems;
        MirrorOps ops(configPath, stateDir);
        for (const QString &name : names) {
            auto edited = ops.edit(name, [enabled](Mirror &mirror) {
                mirror.enabled = enabled;
                return Status();
            }, false);
            if (!edited)
                problems.append(edited.error().text());
        }
        return problems;
    }, [this, names, enabled](QStringList problems) {
        if (!problems.isEmpty())
            say(tr("Cannot change: %1").arg(problems.join(QStringLiteral("; "))));
        else
            say(enabled ? tr("Enabled %n mirror(s)", nullptr, static_cast<int>(names.size()))
                        : tr("Disabled %n mirror(s)", nullptr, static_cast<int>(names.size())));
        scan(false);
    });
}

void MainWindow::newMirror()
{
    openEditor(0, QString());
}

void MainWindow::editSelected()
{
    if (const auto mirror = selectedMirror())
        openEditor(1, mirror->name);
}

void MainWindow::duplicateSelected()
{
    if (const auto mirror = selectedMirror())
        openEditor(2, mirror->name);
}

void MainWindow::openEditor(int mode, const QString &name)
{
    if (!m_config)
        return;
    if (m_editor) {
        m_editor->raise();
        m_editor->activateWindow();
        return;
    }
    auto *editor = MirrorEditor::open(static_cast<MirrorEditor::Mode>(mode), *m_config, name, this);
    if (!editor) {
        say(tr("%1 is no longer in the configuration").arg(name));
        return;
    }
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &MirrorEditor::saveRequested, this, &MainWindow::saveEditor);
    connect(editor, &MirrorEditor::saved, this, [this](const QString &saved) {
        say(tr("Saved %1").arg(saved));
        m_selectAfterScan = saved;
        scan(false);
    });
    m_editor = editor;
    editor->QDialog::open();
}

void MainWindow::saveEditor(const QString &original, const Mirror &mirror)
{
    QPointer<MirrorEditor> editor = qobject_cast<MirrorEditor *>(m_editor.data());
    if (!editor)
        return;
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    // Written on a worker (the config lock, the atomic write, a cache that moves with a rename).
    inBackground(editor, [configPath, stateDir, original, mirror] {
        auto saved = MirrorOps(configPath, stateDir).save(original, mirror);
        return saved ? Status() : Status(saved.error());
    }, [editor](Status status) {
        if (editor)
            editor->finishSave(status);
    });
}

MirrorEditor *MainWindow::editor() const
{
    return qobject_cast<MirrorEditor *>(m_editor.data());
}

PreferencesDialog *MainWindow::openPreferences()
{
    if (auto *open = preferencesDialog()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    if (!m_config) {
        say(tr("The preferences are in the configuration file, which cannot be read now"));
        return nullptr;
    }
    auto *dialog = new PreferencesDialog(m_configPath, m_config->settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PreferencesDialog::saved, this, [this] {
        say(tr("Preferences saved; they apply from the next check or update"));
        scan(false);
    });
    m_preferencesDialog = dialog;
    dialog->open();
    return dialog;
}

PreferencesDialog *MainWindow::preferencesDialog() const
{
    return qobject_cast<PreferencesDialog *>(m_preferencesDialog.data());
}

} // namespace md::ui
