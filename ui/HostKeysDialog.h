#pragma once

#include "ops/HostKeyOps.h"

#include <QDialog>

#include <atomic>
#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace md::ui {

// Host keys… (DESIGN section 5): the SSH host keys pinned per host:port, each with its type and
// SHA256 and MD5 fingerprints; remove a key or a whole host; import a known_hosts file. To pin
// keys: Detect asks the server for every key it offers (on a worker thread, never the UI thread)
// and lists them with checkboxes to accept one by one; or an OpenSSH line pasted; or the key a
// refused connection offered (offerRefused, from the error's structured detail). Accepted keys
// are added to the host's pins. The same operations as `mirrordesk hostkeys …` (HostKeyOps); the
// config is read and written on workers.
class HostKeysDialog : public QDialog {
    Q_OBJECT
public:
    enum Column { HostOrType, Sha256, Md5, ColumnCount };

    HostKeysDialog(QString configPath, QWidget *parent = nullptr);
    ~HostKeysDialog() override;

    QTreeWidget *pinnedTree() const { return m_pinned; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *importButton() const { return m_import; }
    QLineEdit *hostEdit() const { return m_host; }
    QPushButton *detectButton() const { return m_detect; }
    QTreeWidget *offeredTree() const { return m_offered; }
    QPushButton *pinOfferedButton() const { return m_pinOffered; }
    QLineEdit *lineEdit() const { return m_line; }
    QPushButton *pinLineButton() const { return m_pinLine; }

    QString message() const;
    // The host:port the offered keys belong to (empty when none are listed).
    QString offeredHost() const { return m_offeredHost; }
    bool loaded() const { return m_loaded; }
    bool detecting() const { return m_detecting; }
    bool busy() const { return m_busy; }
    // The pinned keys as shown: host:port -> SHA256 fingerprints.
    QMap<QString, QStringList> pinnedFingerprints() const;
    // Selects a host's row, or one of its keys (by SHA256).
    void selectPinned(const QString &hostPort, const QString &sha256 = {});

    // A connection refused for its host key: the host in the field and the key it offered listed
    // to accept (ticked for an unknown host; for a changed key the user ticks it deliberately).
    void offerRefused(const HostKeyOps::Refusal &refusal);

public Q_SLOTS:
    void reload();
    void detect();
    void pinOffered();
    void pinLine();
    void removeSelected();
    void chooseKnownHostsFile();
    void importKnownHosts(const QString &file);

Q_SIGNALS:
    // Pins were added or removed (the config changed).
    void pinsChanged();

private:
    void showPinned(const QList<HostKeyOps::HostEntry> &hosts);
    void showOffered(const QString &hostPort, const QList<HostKey> &keys, bool ticked);
    void say(const QString &text, bool problem);
    void setBusy(bool busy);
    void updateButtons();

    QString m_configPath;
    QTreeWidget *m_pinned = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_import = nullptr;
    QLineEdit *m_host = nullptr;
    QPushButton *m_detect = nullptr;
    QTreeWidget *m_offered = nullptr;
    QPushButton *m_pinOffered = nullptr;
    QLineEdit *m_line = nullptr;
    QPushButton *m_pinLine = nullptr;
    QLabel *m_message = nullptr;
    QList<HostKeyOps::HostEntry> m_hosts;
    QString m_offeredHost;
    std::shared_ptr<std::atomic<bool>> m_cancel; // the running detect's
    quint64 m_generation = 0;
    bool m_loaded = false;
    bool m_detecting = false;
    // Pinning what a "host key changed" refusal offered replaces the host's pins: the old keys,
    // maybe the compromised ones, must not stay trusted beside the new one.
    bool m_replacePins = false;
    bool m_busy = false;
};

} // namespace md::ui
