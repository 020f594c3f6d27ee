#pragma once

#include <QMainWindow>

class QFileSystemWatcher;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace md::ui {

class MirrorTableModel;

// The main window. For now the mirror list from the config with each mirror's last status,
// read-only, reloaded when the config changes on disk.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(QString configPath, QString stateDir, QWidget *parent = nullptr);

    MirrorTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // The problem shown above the table (an unreadable config), empty when all is well.
    QString problem() const;

public Q_SLOTS:
    void reload();

private:
    void watch();

    QString m_configPath;
    QString m_stateDir;
    MirrorTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_summary = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
};

} // namespace md::ui
