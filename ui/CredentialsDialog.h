#pragma once

#include "CredentialEditor.h"
#include "ops/CredentialOps.h"

#include <QDialog>
#include <QMessageBox>
#include <QPointer>

class QLabel;
class QPushButton;
class QTableWidget;

namespace md::ui {

// Credentials… (DESIGN section 3): every named credential with its kind, username, where its
// secret lives (keychain, env:VAR, file:PATH, — for ssh_agent) and the mirrors using it; Add,
// Edit (a rename included), Remove (confirmed, naming the mirrors that use it: refused unless
// "remove it from those mirrors too" is ticked) and Copy public key for an ssh_key credential.
// The same operations as `mirrordesk credential …` (CredentialOps); the list is read on a worker.
class CredentialsDialog : public QDialog {
    Q_OBJECT
public:
    enum Column { Name, Kind, Username, Secret, UsedBy, ColumnCount };

    CredentialsDialog(QString configPath, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *copyKeyButton() const { return m_copyKey; }
    // The form open for Add… or Edit…, and the open removal confirmation (null when none).
    CredentialEditor *editor() const { return m_editor; }
    QMessageBox *confirmation() const { return m_confirmation; }
    QString message() const;
    // The last public key copied to the clipboard.
    QString publicKey() const { return m_publicKey; }
    // True once the list has been read (again) after the last change.
    bool loaded() const { return m_loaded; }
    // Selects the row of a credential (for tests).
    void selectCredential(const QString &name);
    int rowOf(const QString &name) const;

    static QString sourceText(const Credential &credential);

public Q_SLOTS:
    void reload();
    void addCredential();
    void editSelected();
    void removeSelected();
    void copyPublicKey();

private:
    void showList(const QList<CredentialOps::Listed> &listed);
    void say(const QString &text, bool problem);
    void updateButtons();
    QString selectedName() const;
    void openEditor(std::optional<Credential> existing);
    void remove(const QString &name, const QStringList &users, bool force);

    QString m_configPath;
    CredentialOps m_ops;
    QList<CredentialOps::Listed> m_listed;
    QTableWidget *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_copyKey = nullptr;
    QLabel *m_message = nullptr;
    QPointer<CredentialEditor> m_editor;
    QPointer<QMessageBox> m_confirmation;
    QString m_publicKey;
    quint64 m_generation = 0;
    bool m_loaded = false;
    bool m_busy = false;
};

} // namespace md::ui
