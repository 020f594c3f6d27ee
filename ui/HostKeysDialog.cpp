#include "HostKeysDialog.h"

#include "Background.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace md::ui {

namespace {

constexpr int kLineRole = Qt::UserRole + 1;     // an offered key's OpenSSH line
constexpr int kHostRole = Qt::UserRole + 2;     // a pinned row's host:port
constexpr int kSha256Role = Qt::UserRole + 3;   // a pinned key's SHA256 (empty on a host row)

QTreeWidget *keyTree(QWidget *parent, const QString &first)
{
    auto *tree = new QTreeWidget(parent);
    tree->setColumnCount(HostKeysDialog::ColumnCount);
    tree->setHeaderLabels({first, HostKeysDialog::tr("SHA256"), HostKeysDialog::tr("MD5")});
    tree->header()->setStretchLastSection(true);
    tree->setColumnWidth(HostKeysDialog::HostOrType, 210);
    tree->setColumnWidth(HostKeysDialog::Sha256, 400);
    tree->setUniformRowHeights(true);
    return tree;
}

} // namespace

HostKeysDialog::HostKeysDialog(QString configPath, QWidget *parent)
    : QDialog(parent)
    , m_configPath(std::move(configPath))
{
    setWindowTitle(tr("SSH host keys"));
    auto *layout = new QVBoxLayout(this);

    auto *pinnedBox = new QGroupBox(tr("Pinned keys"), this);
    auto *pinnedLayout = new QVBoxLayout(pinnedBox);
    auto *intro = new QLabel(tr("An SSH connection goes ahead only when the server's host key is pinned for its host and port. "
                                "Pin every key a host offers."), pinnedBox);
    intro->setWordWrap(true);
    pinnedLayout->addWidget(intro);
    m_pinned = keyTree(pinnedBox, tr("Host / type"));
    m_pinned->setSelectionMode(QAbstractItemView::SingleSelection);
    pinnedLayout->addWidget(m_pinned);
    auto *pinnedButtons = new QHBoxLayout;
    m_remove = new QPushButton(tr("Remove"), pinnedBox);
    m_remove->setToolTip(tr("Unpin the selected key, or every key of the selected host"));
    m_import = new QPushButton(tr("Import known_hosts…"), pinnedBox);
    m_import->setToolTip(tr("Pin the keys of an OpenSSH known_hosts file (hashed host names cannot be read back)"));
    pinnedButtons->addWidget(m_remove);
    pinnedButtons->addWidget(m_import);
    pinnedButtons->addStretch(1);
    pinnedLayout->addLayout(pinnedButtons);
    layout->addWidget(pinnedBox);

    auto *addBox = new QGroupBox(tr("Add keys"), this);
    auto *addLayout = new QVBoxLayout(addBox);
    auto *hostRow = new QHBoxLayout;
    m_host = new QLineEdit(addBox);
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setPlaceholderText(tr("host, host:port, [host]:port, user@host:path or an ssh:// URL"));
    m_detect = new QPushButton(tr("Detect"), addBox);
    m_detect->setToolTip(tr("Ask the server for every host key it offers (nothing is pinned, no login is tried)"));
    hostRow->addWidget(new QLabel(tr("Host:"), addBox));
    hostRow->addWidget(m_host, 1);
    hostRow->addWidget(m_detect);
    addLayout->addLayout(hostRow);
    m_offered = keyTree(addBox, tr("Type"));
    m_offered->setRootIsDecorated(false);
    addLayout->addWidget(m_offered);
    auto *offeredRow = new QHBoxLayout;
    auto *compare = new QLabel(tr("Compare the fingerprints with the ones the host's admin publishes, tick the keys that match."), addBox);
    compare->setWordWrap(true);
    m_pinOffered = new QPushButton(tr("Pin ticked keys"), addBox);
    offeredRow->addWidget(compare, 1);
    offeredRow->addWidget(m_pinOffered);
    addLayout->addLayout(offeredRow);
    auto *lineRow = new QHBoxLayout;
    m_line = new QLineEdit(addBox);
    m_line->setObjectName(QStringLiteral("line"));
    m_line->setPlaceholderText(tr("or paste an OpenSSH public-key line: ssh-ed25519 AAAA…"));
    m_pinLine = new QPushButton(tr("Pin line"), addBox);
    lineRow->addWidget(m_line, 1);
    lineRow->addWidget(m_pinLine);
    addLayout->addLayout(lineRow);
    layout->addWidget(addBox);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);

    connect(m_remove, &QPushButton::clicked, this, &HostKeysDialog::removeSelected);
    connect(m_import, &QPushButton::clicked, this, &HostKeysDialog::chooseKnownHostsFile);
    connect(m_detect, &QPushButton::clicked, this, &HostKeysDialog::detect);
    connect(m_host, &QLineEdit::returnPressed, this, &HostKeysDialog::detect);
    connect(m_pinOffered, &QPushButton::clicked, this, &HostKeysDialog::pinOffered);
    connect(m_pinLine, &QPushButton::clicked, this, &HostKeysDialog::pinLine);
    connect(m_pinned, &QTreeWidget::itemSelectionChanged, this, &HostKeysDialog::updateButtons);
    connect(m_offered, &QTreeWidget::itemChanged, this, &HostKeysDialog::updateButtons);
    connect(m_host, &QLineEdit::textChanged, this, &HostKeysDialog::updateButtons);
    connect(m_line, &QLineEdit::textChanged, this, &HostKeysDialog::updateButtons);
    resize(900, 620);
    updateButtons();
    reload();
}

HostKeysDialog::~HostKeysDialog()
{
    if (m_cancel)
        m_cancel->store(true); // the detect thread ends within 0.2 s and reports to no one
}

QString HostKeysDialog::message() const
{
    return m_message->text();
}

void HostKeysDialog::say(const QString &text, bool problem)
{
    m_message->setText(text);
    m_message->setStyleSheet(problem ? QStringLiteral("QLabel { color: #a4262c; }") : QString());
    m_message->setVisible(!text.isEmpty());
}

void HostKeysDialog::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void HostKeysDialog::updateButtons()
{
    const bool selected = !m_pinned->selectedItems().isEmpty();
    m_remove->setEnabled(selected && !m_busy);
    m_import->setEnabled(!m_busy);
    m_detect->setEnabled(!m_detecting && !m_host->text().trimmed().isEmpty());
    bool ticked = false;
    for (int i = 0; i < m_offered->topLevelItemCount(); ++i)
        ticked = ticked || m_offered->topLevelItem(i)->checkState(HostOrType) == Qt::Checked;
    m_pinOffered->setEnabled(ticked && !m_busy);
    m_pinLine->setEnabled(!m_line->text().trimmed().isEmpty() && !m_host->text().trimmed().isEmpty() && !m_busy);
}

void HostKeysDialog::reload()
{
    m_loaded = false;
    const quint64 generation = ++m_generation;
    const QString path = m_configPath;
    inBackground(this, [path] { return HostKeyOps(path).list(); }, [this, generation](Result<QList<HostKeyOps::HostEntry>> hosts) {
        if (generation != m_generation)
            return;
        m_loaded = true;
        if (!hosts) {
            say(tr("Cannot read the pinned keys: %1").arg(hosts.error().text()), true);
            return;
        }
        showPinned(*hosts);
    });
}

void HostKeysDialog::showPinned(const QList<HostKeyOps::HostEntry> &hosts)
{
    m_hosts = hosts;
    m_pinned->clear();
    for (const HostKeyOps::HostEntry &host : hosts) {
        auto *hostItem = new QTreeWidgetItem(m_pinned, {host.hostPort, tr("%n key(s)", nullptr, static_cast<int>(host.keys.size()))});
        hostItem->setData(HostOrType, kHostRole, host.hostPort);
        for (const HostKey &key : host.keys) {
            auto *keyItem = new QTreeWidgetItem(hostItem, {key.type, key.sha256Fingerprint(), key.md5Fingerprint()});
            keyItem->setData(HostOrType, kHostRole, host.hostPort);
            keyItem->setData(HostOrType, kSha256Role, key.sha256Fingerprint());
        }
    }
    m_pinned->expandAll();
    // Keys already pinned are marked in the offered list.
    for (int i = 0; i < m_offered->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_offered->topLevelItem(i);
        const QString sha = item->text(Sha256);
        const auto host = std::find_if(hosts.cbegin(), hosts.cend(), [&](const HostKeyOps::HostEntry &h) { return h.hostPort == m_offeredHost; });
        const bool pinned = host != hosts.cend()
            && std::any_of(host->keys.cbegin(), host->keys.cend(), [&](const HostKey &k) { return k.sha256Fingerprint() == sha; });
        item->setToolTip(HostOrType, pinned ? tr("Pinned already") : QString());
        if (pinned) {
            item->setCheckState(HostOrType, Qt::Unchecked);
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
        }
    }
    updateButtons();
}

QMap<QString, QStringList> HostKeysDialog::pinnedFingerprints() const
{
    QMap<QString, QStringList> prints;
    for (const HostKeyOps::HostEntry &host : m_hosts) {
        QStringList &list = prints[host.hostPort];
        for (const HostKey &key : host.keys)
            list.append(key.sha256Fingerprint());
    }
    return prints;
}

void HostKeysDialog::selectPinned(const QString &hostPort, const QString &sha256)
{
    for (int i = 0; i < m_pinned->topLevelItemCount(); ++i) {
        QTreeWidgetItem *host = m_pinned->topLevelItem(i);
        if (host->data(HostOrType, kHostRole).toString() != hostPort)
            continue;
        QTreeWidgetItem *chosen = host;
        for (int k = 0; k < host->childCount() && !sha256.isEmpty(); ++k) {
            if (host->child(k)->data(HostOrType, kSha256Role).toString() == sha256)
                chosen = host->child(k);
        }
        m_pinned->setCurrentItem(chosen);
        return;
    }
}

void HostKeysDialog::showOffered(const QString &hostPort, const QList<HostKey> &keys, bool ticked)
{
    m_offeredHost = hostPort;
    m_offered->clear();
    for (const HostKey &key : keys) {
        auto *item = new QTreeWidgetItem(m_offered, {key.type, key.sha256Fingerprint(), key.md5Fingerprint()});
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(HostOrType, ticked ? Qt::Checked : Qt::Unchecked);
        item->setData(HostOrType, kLineRole, key.toLine());
    }
    showPinned(m_hosts); // marks the keys pinned already
}

void HostKeysDialog::offerRefused(const HostKeyOps::Refusal &refusal)
{
    m_host->setText(refusal.hostPort);
    const bool unknownHost = !refusal.changed && !refusal.typeNotPinned;
    // Nothing is ticked for the user: a key is pinned only once its fingerprint was compared.
    showOffered(refusal.hostPort, {refusal.offered}, false);
    m_replacePins = refusal.changed;
    selectPinned(refusal.hostPort);
    if (refusal.typeNotPinned) {
        say(tr("%1 offered a %2 key, and no key of that type is pinned for it. MirrorDesk cannot tell whether it is the host's "
               "own key: pin it only if its fingerprint is the one the host's admin publishes (every key a host offers must be "
               "pinned).")
                .arg(refusal.hostPort, refusal.offered.type),
            true);
        return;
    }
    if (unknownHost) {
        say(tr("%1 is not a known host: the connection was refused before any login. It offered the %2 key below; if its "
               "fingerprint is the one the host's admin publishes, pin it (Detect lists every key the host offers).")
                .arg(refusal.hostPort, refusal.offered.type),
            false);
        return;
    }
    QStringList pinned;
    for (const HostKey &key : refusal.pinned)
        pinned.append(key.sha256Fingerprint());
    say(tr("The host key of %1 changed: it offered %2 %3, but %4 is pinned. The server may have been reinstalled, or someone "
           "is in between: pin the new key only once its admin confirms the fingerprint.")
            .arg(refusal.hostPort, refusal.offered.type, refusal.offered.sha256Fingerprint(), pinned.join(QStringLiteral(", "))),
        true);
}

void HostKeysDialog::detect()
{
    const QString location = m_host->text().trimmed();
    if (location.isEmpty() || m_detecting)
        return;
    m_detecting = true;
    updateButtons();
    say(tr("Asking %1 for its host keys…").arg(location), false);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    QPointer<HostKeysDialog> self(this);
    // Name lookups, connects and key exchanges block: on a thread of its own, reporting back
    // queued to the UI thread.
    QThread *thread = QThread::create([self, location, cancel = m_cancel] {
        Result<DetectReport> report = HostKeyOps::detect(location, cancel.get());
        QMetaObject::invokeMethod(qApp, [self, cancel, report = std::move(report)] {
            if (!self || self->m_cancel != cancel)
                return;
            self->m_detecting = false;
            self->m_cancel.reset();
            if (!report) {
                QStringList notes;
                for (const QJsonValue &note : report.error().detail.value(QStringLiteral("notes")).toArray())
                    notes.append(note.toString());
                self->say(tr("Detect failed: %1").arg(report.error().message)
                              + (notes.isEmpty() ? QString() : QLatin1Char('\n') + notes.join(QLatin1Char('\n'))),
                          true);
                self->updateButtons();
                return;
            }
            self->showOffered(report->hostPort, report->keys, false);
            QString text = tr("%1 offers %n host key(s). Tick the ones whose fingerprints match what its admin publishes, then pin "
                              "them.", nullptr, static_cast<int>(report->keys.size())).arg(report->hostPort);
            if (!report->notes.isEmpty())
                text += QLatin1Char('\n') + report->notes.join(QLatin1Char('\n'));
            self->say(text, false);
        }, Qt::QueuedConnection);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void HostKeysDialog::pinOffered()
{
    QStringList lines;
    for (int i = 0; i < m_offered->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_offered->topLevelItem(i);
        if (item->checkState(HostOrType) == Qt::Checked && (item->flags() & Qt::ItemIsEnabled))
            lines.append(item->data(HostOrType, kLineRole).toString());
    }
    if (lines.isEmpty() || m_offeredHost.isEmpty())
        return;
    setBusy(true);
    const QString path = m_configPath;
    const QString host = m_offeredHost;
    if (m_replacePins) {
        inBackground(this, [path, host, lines] { return HostKeyOps(path).pin(host, lines); }, [this](Result<HostKeyOps::Pinned> pinned) {
            setBusy(false);
            if (!pinned) {
                say(tr("Cannot pin: %1").arg(pinned.error().text()), true);
                return;
            }
            m_replacePins = false;
            say(tr("Replaced the keys pinned for %1 with the %n accepted key(s); the old ones are no longer trusted. Detect "
                   "lists the other keys it offers.", nullptr, static_cast<int>(pinned->keys.size()))
                    .arg(pinned->hostPort),
                false);
            Q_EMIT pinsChanged();
            reload();
        });
        return;
    }
    inBackground(this, [path, host, lines] { return HostKeyOps(path).add(host, lines); }, [this](Result<HostKeyOps::Added> added) {
        setBusy(false);
        if (!added) {
            say(tr("Cannot pin: %1").arg(added.error().text()), true);
            return;
        }
        say(tr("Pinned %n key(s) for %1.", nullptr, added->added).arg(added->hostPort), false);
        Q_EMIT pinsChanged();
        reload();
    });
}

void HostKeysDialog::pinLine()
{
    const auto hostPort = HostKeyOps::hostPortOf(m_host->text().trimmed());
    if (!hostPort) {
        say(tr("Cannot pin: %1").arg(hostPort.error().message), true);
        return;
    }
    const QString line = m_line->text().trimmed();
    setBusy(true);
    const QString path = m_configPath;
    inBackground(this, [path, host = *hostPort, line] { return HostKeyOps(path).add(host, {line}); }, [this](Result<HostKeyOps::Added> added) {
        setBusy(false);
        if (!added) {
            say(tr("Cannot pin the line: %1").arg(added.error().text()), true);
            return;
        }
        m_line->clear();
        say(added->added > 0 ? tr("Pinned the key for %1.").arg(added->hostPort) : tr("That key is pinned for %1 already.").arg(added->hostPort),
            false);
        Q_EMIT pinsChanged();
        reload();
    });
}

void HostKeysDialog::removeSelected()
{
    const QList<QTreeWidgetItem *> selected = m_pinned->selectedItems();
    if (selected.isEmpty())
        return;
    const QString host = selected.first()->data(HostOrType, kHostRole).toString();
    const QString sha = selected.first()->data(HostOrType, kSha256Role).toString();
    setBusy(true);
    const QString path = m_configPath;
    inBackground(this, [path, host, sha] {
        return HostKeyOps(path).remove(host, sha.isEmpty() ? std::nullopt : std::optional<QString>(sha));
    }, [this](Result<HostKeyOps::Removed> removed) {
        setBusy(false);
        if (!removed) {
            say(tr("Cannot remove: %1").arg(removed.error().text()), true);
            return;
        }
        QString text = tr("Unpinned %n key(s) of %1.", nullptr, static_cast<int>(removed->keys.size())).arg(removed->hostPort);
        if (removed->hostGone && !removed->usedBy.isEmpty())
            text += QLatin1Char(' ') + tr("Mirrors on that host are refused until a key of it is pinned again: %1.")
                                           .arg(removed->usedBy.join(QStringLiteral(", ")));
        say(text, !removed->usedBy.isEmpty() && removed->hostGone);
        Q_EMIT pinsChanged();
        reload();
    });
}

void HostKeysDialog::chooseKnownHostsFile()
{
    const QString known = HostKeyOps::defaultKnownHostsFile();
    auto *dialog = new QFileDialog(this, tr("known_hosts file"), known.isEmpty() ? QString() : QFileInfo(known).absolutePath());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &HostKeysDialog::importKnownHosts);
    dialog->open();
}

void HostKeysDialog::importKnownHosts(const QString &file)
{
    setBusy(true);
    const QString path = m_configPath;
    inBackground(this, [path, file] { return HostKeyOps(path).importKnownHosts(file); }, [this](Result<HostKeyOps::ImportReport> report) {
        setBusy(false);
        if (!report) {
            say(tr("Cannot import: %1").arg(report.error().text()), true);
            return;
        }
        QString text = tr("Imported %n key(s) from %1.", nullptr, report->addedKeys()).arg(report->source);
        if (!report->problems.isEmpty()) {
            // At most ten lines: the dialog must stay on the screen.
            QStringList shown = report->problems.mid(0, 10);
            if (report->problems.size() > 10)
                shown.append(tr("… and %n more.", nullptr, static_cast<int>(report->problems.size() - 10)));
            text += QLatin1Char('\n') + tr("Not imported:") + QLatin1Char('\n') + shown.join(QLatin1Char('\n'));
        }
        if (!report->notes.isEmpty())
            text += QLatin1Char('\n') + report->notes.join(QLatin1Char('\n'));
        say(text, !report->problems.isEmpty());
        if (report->addedKeys() > 0)
            Q_EMIT pinsChanged();
        reload();
    });
}

} // namespace md::ui
