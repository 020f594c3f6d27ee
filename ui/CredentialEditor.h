#pragma once

#include "ops/CredentialOps.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QWidget;

namespace md::ui {

// The form of one credential (Add… or Edit… in the credentials dialog): name, kind, username
// and where the secret lives — typed into the keychain, an environment variable or an owner-only
// file. An ssh_key credential in the keychain gets its key generated (ed25519) or imported (a
// file or pasted text; an encrypted key with its passphrase, kept as "<name>-passphrase"). Every
// rule is CredentialOps' (the command line's): checked as the user types, the error under its
// field, OK disabled until the form is valid. Saving is asynchronous (the keychain answers
// later); the dialog closes when it is done, or shows why not (a keychain that is unavailable
// or locked names the env/file alternative).
class CredentialEditor : public QDialog {
    Q_OBJECT
public:
    // `existing`: the credential to edit (nullopt: a new one). `others`: every other credential's name.
    CredentialEditor(QString configPath, std::optional<Credential> existing, QStringList others, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *kindBox() const { return m_kind; }
    QLineEdit *usernameEdit() const { return m_username; }
    QComboBox *sourceBox() const { return m_source; } // data: "keychain", "env", "file"
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *envEdit() const { return m_env; }
    QLineEdit *fileEdit() const { return m_file; }
    QPlainTextEdit *keyEdit() const { return m_key; }
    QLineEdit *passphraseEdit() const { return m_passphrase; }
    QPushButton *okButton() const { return m_ok; }
    QPushButton *generateButton() const { return m_generate; }

    // The error shown under each field (empty when none), the key's description, the dialog's message.
    QString nameError() const;
    QString usernameError() const;
    QString sourceError() const;
    QString keyStatus() const;
    QString message() const;
    // The public line of a key generated here (empty until then).
    QString generatedPublicKey() const { return m_generatedPublic; }
    bool busy() const { return m_busy; }

    // Words for a failed save: keychain errors by kind, with the env/file alternative.
    static QString problemText(const Error &error);

public Q_SLOTS:
    void save();
    // Generates an ed25519 key for the (new) credential and stores it: the credential exists then.
    void generateKey();
    // Reads a private key file (off the UI thread) into the key field.
    void importKeyFile(const QString &path);
    void chooseKeyFile();

Q_SIGNALS:
    // A credential was added or changed (under `name`).
    void saved(const QString &name);

private:
    CredentialKind kind() const;
    QString source() const;
    Credential formCredential(Status *sourceStatus) const;
    void revalidate();
    void finish(const Status &status, const QString &name);
    void setBusy(bool busy);
    std::function<Status(Credential &)> change() const;

    QString m_configPath;
    std::optional<Credential> m_existing;
    QStringList m_others;
    CredentialOps m_ops;

    QLineEdit *m_name = nullptr;
    QLabel *m_nameError = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_username = nullptr;
    QLabel *m_usernameError = nullptr;
    QWidget *m_sourceRow = nullptr;
    QComboBox *m_source = nullptr;
    QWidget *m_secretRow = nullptr;
    QLineEdit *m_secret = nullptr;
    QWidget *m_envRow = nullptr;
    QLineEdit *m_env = nullptr;
    QWidget *m_fileRow = nullptr;
    QLineEdit *m_file = nullptr;
    QLabel *m_sourceError = nullptr;
    QWidget *m_keyBox = nullptr;
    QPlainTextEdit *m_key = nullptr;
    QLabel *m_keyStatus = nullptr;
    QPushButton *m_generate = nullptr;
    QPushButton *m_importFile = nullptr;
    QWidget *m_passphraseRow = nullptr;
    QLineEdit *m_passphrase = nullptr;
    QLabel *m_passphraseError = nullptr;
    QPlainTextEdit *m_publicView = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_ok = nullptr;

    bool m_busy = false;
    bool m_keyEncrypted = false;
    bool m_done = false; // a generated key is stored: OK only closes
    QString m_generatedPublic;
};

} // namespace md::ui
