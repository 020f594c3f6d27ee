#include "CredentialEditor.h"

#include "Background.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace md::ui {

namespace {

constexpr qint64 kMaxKeyFileBytes = 64 * 1024; // the strict reader refuses more anyway

QLabel *errorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
    label->hide();
    return label;
}

void setError(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

// A row of widgets without margins, to hide and show as one.
QWidget *row(QWidget *parent, std::initializer_list<QWidget *> widgets)
{
    auto *box = new QWidget(parent);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget *widget : widgets)
        layout->addWidget(widget, widget == *widgets.begin() ? 1 : 0);
    return box;
}

} // namespace

CredentialEditor::CredentialEditor(QString configPath, std::optional<Credential> existing, QStringList others, QWidget *parent)
    : QDialog(parent)
    , m_configPath(configPath)
    , m_existing(std::move(existing))
    , m_others(std::move(others))
    , m_ops(std::move(configPath))
{
    setWindowTitle(m_existing ? tr("Edit credential %1").arg(m_existing->name) : tr("Add credential"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("name"));
    form->addRow(tr("Name:"), m_name);
    m_nameError = errorLabel(this);
    form->addRow(QString(), m_nameError);

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kind"));
    m_kind->addItem(tr("Token"), static_cast<int>(CredentialKind::Token));
    m_kind->addItem(tr("Password"), static_cast<int>(CredentialKind::Password));
    m_kind->addItem(tr("SSH key"), static_cast<int>(CredentialKind::SshKey));
    m_kind->addItem(tr("SSH agent (the agent holds the key)"), static_cast<int>(CredentialKind::SshAgent));
    form->addRow(tr("Kind:"), m_kind);

    m_username = new QLineEdit(this);
    m_username->setObjectName(QStringLiteral("username"));
    m_username->setPlaceholderText(tr("sent with the secret; required for a password"));
    form->addRow(tr("Username:"), m_username);
    m_usernameError = errorLabel(this);
    form->addRow(QString(), m_usernameError);

    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("source"));
    m_source->addItem(tr("The keychain"), QStringLiteral("keychain"));
    m_source->addItem(tr("An environment variable"), QStringLiteral("env"));
    m_source->addItem(tr("An owner-only file"), QStringLiteral("file"));
    m_sourceRow = row(this, {m_source});
    form->addRow(tr("Secret lives in:"), m_sourceRow);

    m_secret = new QLineEdit(this);
    m_secret->setObjectName(QStringLiteral("secret"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secretRow = row(this, {m_secret});
    form->addRow(tr("Secret:"), m_secretRow);

    m_env = new QLineEdit(this);
    m_env->setObjectName(QStringLiteral("env"));
    m_env->setPlaceholderText(tr("the variable's name, e.g. GITHUB_TOKEN (never the secret)"));
    m_envRow = row(this, {m_env});
    form->addRow(tr("Variable:"), m_envRow);

    m_file = new QLineEdit(this);
    m_file->setObjectName(QStringLiteral("file"));
    m_file->setPlaceholderText(tr("an absolute path; the file must be readable by you alone"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Secret file"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, m_file, &QLineEdit::setText);
        dialog->open();
    });
    m_fileRow = row(this, {m_file, browse});
    form->addRow(tr("File:"), m_fileRow);
    m_sourceError = errorLabel(this);
    form->addRow(QString(), m_sourceError);

    // The SSH key kept in the keychain: generated here, or imported from a file or pasted.
    m_keyBox = new QWidget(this);
    auto *keyLayout = new QVBoxLayout(m_keyBox);
    keyLayout->setContentsMargins(0, 0, 0, 0);
    m_key = new QPlainTextEdit(m_keyBox);
    m_key->setObjectName(QStringLiteral("key"));
    m_key->setPlaceholderText(m_existing ? tr("Paste a private key (-----BEGIN OPENSSH PRIVATE KEY-----…) to replace the stored one")
                                         : tr("Paste a private key (-----BEGIN OPENSSH PRIVATE KEY-----…), import one, or generate one"));
    m_key->setTabChangesFocus(true);
    m_key->setMaximumHeight(110);
    keyLayout->addWidget(m_key);
    m_keyStatus = new QLabel(m_keyBox);
    m_keyStatus->setWordWrap(true);
    keyLayout->addWidget(m_keyStatus);
    m_generate = new QPushButton(tr("Generate key…"), m_keyBox);
    m_generate->setToolTip(tr("Make a new ed25519 key: the private key goes straight into the keychain, the public key is shown "
                              "to add as a deploy key"));
    m_importFile = new QPushButton(tr("Import key…"), m_keyBox);
    m_importFile->setToolTip(tr("Read a private key file (ed25519 or ECDSA in the OpenSSH format)"));
    keyLayout->addWidget(row(m_keyBox, {new QWidget(m_keyBox), m_importFile, m_generate}));
    connect(m_generate, &QPushButton::clicked, this, &CredentialEditor::generateKey);
    connect(m_importFile, &QPushButton::clicked, this, &CredentialEditor::chooseKeyFile);
    form->addRow(tr("Key:"), m_keyBox);

    m_passphrase = new QLineEdit(this);
    m_passphrase->setObjectName(QStringLiteral("passphrase"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphraseRow = row(this, {m_passphrase});
    form->addRow(tr("Passphrase:"), m_passphraseRow);
    m_passphraseError = errorLabel(this);
    form->addRow(QString(), m_passphraseError);

    m_publicView = new QPlainTextEdit(this);
    m_publicView->setObjectName(QStringLiteral("publicKey"));
    m_publicView->setReadOnly(true);
    m_publicView->setMaximumHeight(70);
    m_publicView->hide();
    layout->addWidget(m_publicView);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = m_buttons->button(QDialogButtonBox::Ok);
    connect(m_ok, &QPushButton::clicked, this, &CredentialEditor::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    if (m_existing) {
        m_name->setText(m_existing->name);
        m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(m_existing->kind)));
        m_username->setText(m_existing->username);
        switch (m_existing->secretSource.kind) {
        case SecretSource::Kind::Env:
            m_source->setCurrentIndex(m_source->findData(QStringLiteral("env")));
            m_env->setText(m_existing->secretSource.value);
            break;
        case SecretSource::Kind::File:
            m_source->setCurrentIndex(m_source->findData(QStringLiteral("file")));
            m_file->setText(m_existing->secretSource.value);
            break;
        case SecretSource::Kind::Keychain:
        case SecretSource::Kind::None: break;
        }
        if (m_existing->secretSource.kind == SecretSource::Kind::Keychain)
            m_secret->setPlaceholderText(tr("(unchanged; type to replace the secret in the keychain)"));
        m_generate->setEnabled(false);
        m_generate->setToolTip(tr("Only for a new credential: add one to generate a key"));
    }
    for (QLineEdit *edit : {m_name, m_username, m_secret, m_env, m_file, m_passphrase})
        connect(edit, &QLineEdit::textChanged, this, &CredentialEditor::revalidate);
    connect(m_key, &QPlainTextEdit::textChanged, this, &CredentialEditor::revalidate);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &CredentialEditor::revalidate);
    connect(m_source, &QComboBox::currentIndexChanged, this, &CredentialEditor::revalidate);
    resize(560, sizeHint().height());
    revalidate();
}

QString CredentialEditor::nameError() const { return m_nameError->text(); }
QString CredentialEditor::usernameError() const { return m_usernameError->text(); }
QString CredentialEditor::sourceError() const
{
    return m_sourceError->text().isEmpty() ? m_passphraseError->text() : m_sourceError->text();
}
QString CredentialEditor::keyStatus() const { return m_keyStatus->text(); }
QString CredentialEditor::message() const { return m_message->text(); }

CredentialKind CredentialEditor::kind() const
{
    return static_cast<CredentialKind>(m_kind->currentData().toInt());
}

QString CredentialEditor::source() const
{
    return kind() == CredentialKind::SshAgent ? QString() : m_source->currentData().toString();
}

Credential CredentialEditor::formCredential(Status *sourceStatus) const
{
    Credential credential;
    credential.name = m_name->text().trimmed();
    credential.kind = kind();
    credential.username = m_username->text();
    if (m_existing && credential.kind == CredentialKind::SshKey)
        credential.passphraseCredential = m_existing->passphraseCredential;
    const QString where = source();
    Result<SecretSource> parsed = SecretSource{};
    if (where == QLatin1String("keychain"))
        parsed = SecretSource{SecretSource::Kind::Keychain, {}};
    else if (where == QLatin1String("env"))
        parsed = SecretSource::parse(QStringLiteral("env:") + m_env->text().trimmed(), QStringLiteral("secret_source"));
    else if (where == QLatin1String("file"))
        parsed = SecretSource::parse(QStringLiteral("file:") + m_file->text().trimmed(), QStringLiteral("secret_source"));
    if (parsed)
        credential.secretSource = *parsed;
    else
        *sourceStatus = parsed.error();
    return credential;
}

void CredentialEditor::revalidate()
{
    const CredentialKind k = kind();
    const QString where = source();
    const bool keyInKeychain = k == CredentialKind::SshKey && where == QLatin1String("keychain");
    m_sourceRow->setVisible(k != CredentialKind::SshAgent);
    m_secretRow->setVisible(where == QLatin1String("keychain") && !keyInKeychain);
    m_envRow->setVisible(where == QLatin1String("env"));
    m_fileRow->setVisible(where == QLatin1String("file"));
    m_keyBox->setVisible(keyInKeychain);

    Status sourceStatus;
    Credential credential = formCredential(&sourceStatus);
    QString nameText, usernameText, sourceText, passphraseText;
    if (!sourceStatus)
        sourceText = sourceStatus.error().message;
    if (const Status valid = CredentialOps::validate(credential, m_others); !valid && sourceText.isEmpty()) {
        const QString &field = valid.error().field;
        if (field == QLatin1String("name"))
            nameText = valid.error().message;
        else if (field == QLatin1String("username"))
            usernameText = valid.error().message;
        else
            sourceText = valid.error().message;
    }
    // Where a typed secret is needed: a new keychain credential, or one that moves into the keychain.
    const bool hadKeychain = m_existing && m_existing->secretSource.kind == SecretSource::Kind::Keychain;
    if (where == QLatin1String("keychain") && !keyInKeychain && m_secret->text().isEmpty() && !hadKeychain && sourceText.isEmpty())
        sourceText = tr("Type the secret to store in the keychain");

    // The key: read strictly as the user pastes it (the passphrase is checked when saving).
    m_keyEncrypted = false;
    bool keyOk = true;
    QString keyText;
    if (keyInKeychain && !m_done) {
        const QByteArray pasted = m_key->toPlainText().toUtf8();
        if (pasted.trimmed().isEmpty()) {
            keyOk = hadKeychain && m_existing->kind == CredentialKind::SshKey;
            keyText = keyOk ? tr("The stored key is kept.") : tr("No key yet: paste one, import a file or generate a key.");
        } else {
            const auto checked = CredentialOps::checkKey(pasted, std::nullopt, false);
            if (checked) {
                keyText = tr("%1 key %2").arg(checked->info.type, checked->info.sha256Fingerprint);
            } else if (CredentialOps::isPassphraseNeeded(checked.error())) {
                m_keyEncrypted = true;
                keyText = tr("An encrypted key (%1): type its passphrase; it is kept in the keychain as %2.")
                              .arg(checked.error().detail.value(QStringLiteral("cipher")).toString(),
                                   CredentialOps::passphraseCredentialName(credential.name));
                if (m_passphrase->text().isEmpty())
                    passphraseText = tr("Type the key's passphrase");
            } else {
                keyOk = false;
                keyText = checked.error().message;
            }
        }
    }
    m_keyStatus->setText(keyText);
    m_keyStatus->setStyleSheet(keyOk ? QString() : QStringLiteral("QLabel { color: #a4262c; }"));
    m_passphraseRow->setVisible(m_keyEncrypted);
    m_passphraseError->setVisible(m_keyEncrypted && !passphraseText.isEmpty());

    setError(m_nameError, nameText);
    setError(m_usernameError, usernameText);
    setError(m_sourceError, sourceText);
    setError(m_passphraseError, passphraseText);
    const bool valid = nameText.isEmpty() && usernameText.isEmpty() && sourceText.isEmpty() && passphraseText.isEmpty() && keyOk;
    m_ok->setEnabled(m_done || (valid && !m_busy));
    m_generate->setEnabled(!m_existing && !m_busy && !m_done && nameText.isEmpty());
}

void CredentialEditor::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *widget : std::initializer_list<QWidget *>{m_name, m_kind, m_username, m_source, m_secret, m_env, m_file, m_key, m_passphrase, m_importFile})
        widget->setEnabled(!busy && !m_done);
    revalidate();
}

QString CredentialEditor::problemText(const Error &error)
{
    const QString kind = CredentialOps::keychainErrorKind(error);
    const QString reason = CredentialOps::keychainErrorSummary(error);
    if (kind == QLatin1String("unavailable"))
        return tr("No keychain answers here (%1). Keep the secret in an environment variable or an owner-only file instead: "
                  "choose it under “Secret lives in”.").arg(reason);
    if (kind == QLatin1String("locked"))
        return tr("The keychain is locked (%1). Unlock it and try again, or keep the secret in an environment variable or an "
                  "owner-only file instead.").arg(reason);
    if (kind == QLatin1String("timeout"))
        return tr("The keychain did not answer in time (%1); it may be waiting for a password prompt. Unlock it and try again, or "
                  "keep the secret in an environment variable or an owner-only file instead.").arg(reason);
    if (kind == QLatin1String("denied"))
        return tr("The keychain refused access (%1). Allow MirrorDesk and try again, or keep the secret in an environment "
                  "variable or an owner-only file instead.").arg(reason);
    if (kind == QLatin1String("no_entry"))
        return tr("The keychain holds no secret for this credential (%1): edit it and type the secret again.").arg(reason);
    if (CredentialOps::keychainErrorKind(error).isEmpty() && error.category == ErrorCategory::Keychain)
        return tr("The keychain failed: %1").arg(error.message);
    if (error.category == ErrorCategory::Auth)
        return tr("The passphrase does not open the key: %1").arg(error.message);
    return error.text();
}

std::function<Status(Credential &)> CredentialEditor::change() const
{
    Status ignored;
    const Credential form = formCredential(&ignored);
    const bool newKey = !m_key->toPlainText().trimmed().isEmpty();
    const bool encrypted = m_keyEncrypted;
    return [form, newKey, encrypted](Credential &credential) -> Status {
        credential.kind = form.kind;
        credential.username = form.username;
        credential.secretSource = form.secretSource;
        if (form.kind != CredentialKind::SshKey || (newKey && !encrypted))
            credential.passphraseCredential.clear(); // a key without a passphrase, or no key at all
        return {};
    };
}

void CredentialEditor::save()
{
    if (m_done) {
        accept();
        return;
    }
    if (!m_ok->isEnabled())
        return;
    Status ignored;
    Credential credential = formCredential(&ignored);
    const QString where = source();
    const bool keyInKeychain = credential.kind == CredentialKind::SshKey && where == QLatin1String("keychain");
    const QByteArray keyText = m_key->toPlainText().toUtf8();
    const bool newKey = keyInKeychain && !keyText.trimmed().isEmpty();
    const std::optional<QByteArray> passphrase = m_keyEncrypted ? std::optional<QByteArray>(m_passphrase->text().toUtf8()) : std::nullopt;
    const std::optional<QByteArray> secret = where == QLatin1String("keychain") && !keyInKeychain && !m_secret->text().isEmpty()
        ? std::optional<QByteArray>(m_secret->text().toUtf8())
        : std::nullopt;
    const QString name = credential.name;
    setBusy(true);
    m_message->clear();
    m_message->hide();
    QPointer<CredentialEditor> self(this);
    auto done = [self, name](Status status) {
        if (self)
            self->finish(status, name);
    };

    if (!m_existing) {
        if (newKey) {
            credential.passphraseCredential.clear();
            m_ops.addSshKey(credential, keyText, passphrase, this, done);
        } else if (secret) {
            m_ops.addWithSecret(credential, *secret, this, done);
        } else {
            // env:/file:/ssh_agent: config only (written on a worker). A key file is read and checked first.
            const QString path = m_configPath;
            m_ops.checkKeySource(credential, this, [self, path, credential, done](Status checked) {
                if (!checked) {
                    done(checked);
                    return;
                }
                if (self)
                    inBackground(self, [path, credential] { return CredentialOps(path).add(credential); }, done);
            });
        }
        return;
    }

    // Editing: a new name first (every mirror follows, a keychain secret moves), then the rest.
    const QString oldName = m_existing->name;
    auto apply = [self, name, newKey, keyText, passphrase, secret, credential, done] {
        if (!self)
            return;
        const auto change = self->change();
        if (newKey) {
            self->m_ops.editSshKey(name, change, keyText, passphrase, self, done);
            return;
        }
        self->m_ops.checkKeySource(credential, self, [self, name, change, secret, done](Status checked) {
            if (!checked || !self) {
                done(checked);
                return;
            }
            self->m_ops.editWithSecret(name, change, secret, self, done);
        });
    };
    if (oldName == name) {
        apply();
        return;
    }
    m_ops.rename(oldName, name, this, [self, apply, done](Status renamed) {
        if (!renamed) {
            done(renamed);
            return;
        }
        if (self)
            self->m_existing->name = self->m_name->text().trimmed();
        apply();
    });
}

void CredentialEditor::finish(const Status &status, const QString &name)
{
    setBusy(false);
    if (!status) {
        m_message->setText(problemText(status.error()));
        m_message->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
        m_message->show();
        return;
    }
    Q_EMIT saved(name);
    accept();
}

void CredentialEditor::generateKey()
{
    if (m_existing || m_busy)
        return;
    const QString name = m_name->text().trimmed();
    setBusy(true);
    m_message->hide();
    QPointer<CredentialEditor> self(this);
    m_ops.generateSshKey(name, QStringLiteral("mirrordesk-") + name, this, [self, name](Result<GeneratedKey> key) {
        if (!self)
            return;
        if (!key) {
            self->finish(key.error(), name);
            return;
        }
        self->m_done = true;
        self->m_generatedPublic = key->publicLine;
        self->m_publicView->setPlainText(key->publicLine);
        self->m_publicView->show();
        self->m_message->setStyleSheet(QString());
        self->m_message->setText(tr("Generated an ed25519 key (%1): the private key is in the keychain as credential %2. Add the "
                                    "public key above as a deploy key on the host.")
                                     .arg(key->sha256Fingerprint, name));
        self->m_message->show();
        self->m_ok->setText(tr("Close"));
        self->m_buttons->button(QDialogButtonBox::Cancel)->hide();
        self->setBusy(false);
        Q_EMIT self->saved(name);
    });
}

void CredentialEditor::chooseKeyFile()
{
    auto *dialog = new QFileDialog(this, tr("Private key file"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &CredentialEditor::importKeyFile);
    dialog->open();
}

void CredentialEditor::importKeyFile(const QString &path)
{
    struct Read {
        QByteArray text;
        QString problem;
    };
    inBackground(this, [path] {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Read{{}, file.errorString()};
        if (file.size() > kMaxKeyFileBytes)
            return Read{{}, QStringLiteral("larger than 64 KiB")};
        return Read{file.read(kMaxKeyFileBytes), {}};
    }, [this, path](Read read) {
        if (!read.problem.isEmpty()) {
            m_message->setText(tr("Cannot read %1: %2").arg(path, read.problem));
            m_message->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
            m_message->show();
            return;
        }
        m_message->hide();
        m_key->setPlainText(QString::fromUtf8(read.text));
    });
}

} // namespace md::ui
