#include "MainWindow.h"

#include "MirrorTableModel.h"
#include "Resources.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace md::ui {

MainWindow::MainWindow(QString configPath, QString stateDir, QWidget *parent)
    : QMainWindow(parent)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
    , m_model(new MirrorTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_watcher(new QFileSystemWatcher(this))
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
    const MirrorStore store(m_configPath);
    const auto config = store.load();
    if (!config) {
        // Keep showing the last good list; say what is wrong with the file.
        m_banner->setText(tr("The configuration file cannot be used and was left unchanged:\n%1").arg(config.error().message));
        m_banner->show();
        return;
    }
    m_banner->clear();
    m_banner->hide();

    const StateStore state(m_stateDir);
    QList<MirrorRow> rows;
    rows.reserve(config->mirrors.size());
    for (const Mirror &mirror : config->mirrors) {
        MirrorRow row;
        row.mirror = mirror;
        row.cachePath = config->cachePathOf(mirror);
        row.intervalMinutes = mirror.effectiveIntervalMinutes(config->settings.defaultIntervalMinutes);
        if (auto status = state.status(mirror.name)) {
            row.status = *status;
        } else {
            row.status.updateStatus = UpdateStatus::Failed;
            row.status.lastError = status.error().message;
        }
        rows.append(std::move(row));
    }
    m_model->setRows(std::move(rows));
    m_summary->setText(tr("Mirrors: %1 — %2").arg(config->mirrors.size()).arg(m_configPath));
}

} // namespace md::ui
