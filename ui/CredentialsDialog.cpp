#include "CredentialsDialog.h"

#include "Background.h"
#include "CredentialEditor.h"

#include <QCheckBox>
#include <QClipboard>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace md::ui {

namespace {

// "Used by": the mirrors, and the SSH keys whose passphrase the credential holds.
QString usersText(const CredentialOps::Listed &listed)
{
    QStringList users = listed.usedBy;
    for (const QString &key : listed.passphraseOf)
        users.append(QCoreApplication::translate("md::ui::CredentialsDialog", "passphrase of %1").arg(key));
    return users.isEmpty() ? QStringLiteral("—") : users.join(QStringLiteral(", "));
}

} // namespace


namespace {

QString kindText(CredentialKind kind)
{
    switch (kind) {
    case CredentialKind::Password: return CredentialsDialog::tr("Password");
    case CredentialKind::Token: return CredentialsDialog::tr("Token");
    case CredentialKind::SshKey: return CredentialsDialog::tr("SSH key");
    case CredentialKind::SshAgent: return CredentialsDialog::tr("SSH agent");
    }
    return {};
}

} // namespace

CredentialsDialog::CredentialsDialog(QString configPath, QWidget *parent)
    : QDialog(parent)
    , m_configPath(configPath)
    , m_ops(std::move(configPath))
{
    setWindowTitle(tr("Credentials"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Named credentials that mirrors use for their source or target. The configuration says only where "
                                "a secret lives, never the secret."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Kind"), tr("Username"), tr("Secret"), tr("Used by")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(Name, 160);
    m_table->setColumnWidth(Secret, 200);
    layout->addWidget(m_table);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    auto *buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("Add…"), this);
    m_edit = new QPushButton(tr("Edit…"), this);
    m_remove = new QPushButton(tr("Remove…"), this);
    m_copyKey = new QPushButton(tr("Copy public key"), this);
    m_copyKey->setToolTip(tr("Read the SSH key from where it lives and copy its public key (for a deploy key)"));
    for (QPushButton *button : {m_add, m_edit, m_remove, m_copyKey})
        buttons->addWidget(button);
    buttons->addStretch(1);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->addWidget(close);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &CredentialsDialog::addCredential);
    connect(m_edit, &QPushButton::clicked, this, &CredentialsDialog::editSelected);
    connect(m_remove, &QPushButton::clicked, this, &CredentialsDialog::removeSelected);
    connect(m_copyKey, &QPushButton::clicked, this, &CredentialsDialog::copyPublicKey);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &CredentialsDialog::updateButtons);
    connect(m_table, &QTableWidget::itemDoubleClicked, this, &CredentialsDialog::editSelected);
    resize(820, 420);
    updateButtons();
    reload();
}

QString CredentialsDialog::message() const
{
    return m_message->text();
}

QString CredentialsDialog::sourceText(const Credential &credential)
{
    switch (credential.secretSource.kind) {
    case SecretSource::Kind::None: return QStringLiteral("—");
    case SecretSource::Kind::Keychain: return tr("keychain");
    case SecretSource::Kind::Env:
    case SecretSource::Kind::File: return credential.secretSource.toString();
    }
    return {};
}

void CredentialsDialog::reload()
{
    m_loaded = false;
    const quint64 generation = ++m_generation;
    const QString path = m_configPath;
    inBackground(this, [path] { return CredentialOps(path).list(); }, [this, generation](Result<QList<CredentialOps::Listed>> listed) {
        if (generation != m_generation)
            return;
        m_loaded = true;
        if (!listed) {
            say(tr("Cannot read the credentials: %1").arg(listed.error().text()), true);
            return;
        }
        showList(*listed);
    });
}

void CredentialsDialog::showList(const QList<CredentialOps::Listed> &listed)
{
    const QString selected = selectedName();
    m_listed = listed;
    m_table->setRowCount(0);
    m_table->setRowCount(static_cast<int>(listed.size()));
    for (int row = 0; row < listed.size(); ++row) {
        const Credential &c = listed.at(row).credential;
        const QStringList cells{c.name, kindText(c.kind), c.username.isEmpty() ? QStringLiteral("—") : c.username, sourceText(c),
                                usersText(listed.at(row))};
        for (int column = 0; column < ColumnCount; ++column)
            m_table->setItem(row, column, new QTableWidgetItem(cells.at(column)));
        if (!c.passphraseCredential.isEmpty())
            m_table->item(row, Secret)->setToolTip(tr("Its passphrase is the secret of credential %1").arg(c.passphraseCredential));
    }
    if (!selected.isEmpty())
        selectCredential(selected);
    updateButtons();
}

int CredentialsDialog::rowOf(const QString &name) const
{
    for (int row = 0; row < m_listed.size(); ++row) {
        if (m_listed.at(row).credential.name == name)
            return row;
    }
    return -1;
}

void CredentialsDialog::selectCredential(const QString &name)
{
    if (const int row = rowOf(name); row >= 0)
        m_table->selectRow(row);
}

QString CredentialsDialog::selectedName() const
{
    const QList<QTableWidgetItem *> items = m_table->selectedItems();
    if (items.isEmpty())
        return {};
    const int row = items.first()->row();
    return row < m_listed.size() ? m_listed.at(row).credential.name : QString();
}

void CredentialsDialog::updateButtons()
{
    const QString name = selectedName();
    const int row = rowOf(name);
    m_edit->setEnabled(row >= 0 && !m_busy);
    m_remove->setEnabled(row >= 0 && !m_busy);
    m_copyKey->setEnabled(row >= 0 && !m_busy && m_listed.at(row).credential.kind == CredentialKind::SshKey);
    m_add->setEnabled(!m_busy);
}

void CredentialsDialog::say(const QString &text, bool problem)
{
    m_message->setText(text);
    m_message->setStyleSheet(problem ? QStringLiteral("QLabel { color: #a4262c; }") : QString());
    m_message->setVisible(!text.isEmpty());
}

void CredentialsDialog::openEditor(std::optional<Credential> existing)
{
    if (m_editor)
        return;
    QStringList others;
    for (const CredentialOps::Listed &entry : m_listed) {
        if (!existing || entry.credential.name != existing->name)
            others.append(entry.credential.name);
    }
    m_editor = new CredentialEditor(m_configPath, std::move(existing), others, this);
    m_editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_editor, &CredentialEditor::saved, this, [this](const QString &name) {
        say(tr("Saved credential %1").arg(name), false);
        reload();
    });
    m_editor->open();
}

void CredentialsDialog::addCredential()
{
    openEditor(std::nullopt);
}

void CredentialsDialog::editSelected()
{
    const int row = rowOf(selectedName());
    if (row >= 0)
        openEditor(m_listed.at(row).credential);
}

void CredentialsDialog::removeSelected()
{
    const int row = rowOf(selectedName());
    if (row < 0 || m_confirmation)
        return;
    const QString name = m_listed.at(row).credential.name;
    const QStringList users = m_listed.at(row).usedBy;
    const QStringList keys = m_listed.at(row).passphraseOf;
    QString text = tr("Remove credential %1? A secret it keeps in the keychain is deleted too.").arg(name);
    if (!users.isEmpty())
        text += QLatin1Char('\n') + tr("It is used by: %1. Those mirrors would be left without a credential.").arg(users.join(QStringLiteral(", ")));
    if (!keys.isEmpty())
        text += QLatin1Char('\n') + tr("It holds the passphrase of the SSH key %1, which could not be used without it.")
                                         .arg(keys.join(QStringLiteral(", ")));
    m_confirmation = new QMessageBox(QMessageBox::Warning, tr("Remove credential"), text, QMessageBox::Yes | QMessageBox::Cancel, this);
    m_confirmation->setAttribute(Qt::WA_DeleteOnClose);
    m_confirmation->button(QMessageBox::Yes)->setText(tr("Remove"));
    m_confirmation->setDefaultButton(QMessageBox::Cancel);
    if (!users.isEmpty() || !keys.isEmpty())
        m_confirmation->setCheckBox(new QCheckBox(tr("Remove it from those mirrors and keys too"), m_confirmation));
    QPointer<QMessageBox> box = m_confirmation;
    connect(m_confirmation, &QMessageBox::buttonClicked, this, [this, box, name, users](QAbstractButton *button) {
        if (!box || box->buttonRole(button) != QMessageBox::YesRole)
            return;
        remove(name, users, box->checkBox() && box->checkBox()->isChecked());
    });
    m_confirmation->open();
}

void CredentialsDialog::remove(const QString &name, const QStringList &users, bool force)
{
    m_busy = true;
    updateButtons();
    QPointer<CredentialsDialog> self(this);
    m_ops.remove(name, force, this, [self, name, users](Result<CredentialOps::Removed> removed) {
        if (!self)
            return;
        self->m_busy = false;
        if (removed) {
            self->say(removed->detached.isEmpty() ? tr("Removed credential %1").arg(name)
                                                  : tr("Removed credential %1; mirrors left without a credential: %2")
                                                        .arg(name, removed->detached.join(QStringLiteral(", "))),
                      false);
        } else if (removed.error().detail.contains(QStringLiteral("used_by"))) {
            QStringList usedBy;
            for (const QJsonValue &user : removed.error().detail.value(QStringLiteral("used_by")).toArray())
                usedBy.append(user.toString());
            self->say(tr("Not removed: %1 is used by %2. Tick “Remove it from those mirrors and keys too” to remove it anyway, or change "
                         "those mirrors first.").arg(name, usedBy.join(QStringLiteral(", "))),
                      true);
        } else {
            self->say(tr("Cannot remove %1: %2").arg(name, CredentialEditor::problemText(removed.error())), true);
        }
        self->reload();
    });
}

void CredentialsDialog::copyPublicKey()
{
    const QString name = selectedName();
    if (rowOf(name) < 0)
        return;
    m_busy = true;
    updateButtons();
    QPointer<CredentialsDialog> self(this);
    m_ops.publicKeyOf(name, this, [self, name](Result<PrivateKeyInfo> info) {
        if (!self)
            return;
        self->m_busy = false;
        self->updateButtons();
        if (!info) {
            self->say(tr("Cannot read the key of %1: %2").arg(name, CredentialEditor::problemText(info.error())), true);
            return;
        }
        self->m_publicKey = info->publicLine;
        QGuiApplication::clipboard()->setText(info->publicLine);
        self->say(tr("Copied the public key of %1 (%2):\n%3").arg(name, info->sha256Fingerprint, info->publicLine), false);
    });
}

} // namespace md::ui
