#include "AtticPanel.h"

#include "Background.h"
#include "StatusWords.h"
#include "mirror/MirrorStore.h"
#include "security/GitUrl.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace md::ui {

namespace {

QLabel *plainLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // names, refs and errors come from outside: never markup
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

AtticPanel::AtticPanel(QString configPath, QString stateDir, QWidget *parent)
    : QWidget(parent)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
    , m_preparer(new JobPreparer(this))
{
    auto *layout = new QVBoxLayout(this);
    auto *intro = plainLabel(this);
    intro->setText(tr("Old tips MirrorDesk kept before a ref was forced or deleted, newest first."));
    layout->addWidget(intro);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels({tr("When"), tr("Ref"), tr("Old tip"), tr("Why"), tr("Side")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(When, 150);
    m_table->setColumnWidth(Ref, 220);
    m_table->setColumnWidth(Why, 180);
    layout->addWidget(m_table, 1);
    m_empty = plainLabel(this);
    layout->addWidget(m_empty);
    auto *buttons = new QHBoxLayout;
    m_restoreButton = new QPushButton(tr("Restore…"), this);
    m_restoreButton->setToolTip(tr("Put the selected old tip back into the cache under a ref you choose"));
    m_purgeButton = new QPushButton(tr("Purge…"), this);
    m_purgeButton->setToolTip(tr("Remove old entries (the last %n of each ref are always kept) and repack the cache", nullptr,
                                 kAtticKeepPerRef));
    buttons->addWidget(m_restoreButton);
    buttons->addWidget(m_purgeButton);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_result = plainLabel(this);
    layout->addWidget(m_result);

    connect(m_restoreButton, &QPushButton::clicked, this, [this] { askRestore(); });
    connect(m_purgeButton, &QPushButton::clicked, this, [this] { askPurge(); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AtticPanel::updateButtons);
    clear();
}

AtticPanel::~AtticPanel()
{
    // A purge still running is abandoned (its repack is stopped; the removed refs stay removed).
    if (m_purgeThread) {
        m_purgeThread->quit();
        m_purgeThread->wait();
    }
}

void AtticPanel::clear(const QString &mirror)
{
    if (mirror != m_mirror)
        m_result->clear();
    m_mirror = mirror;
    m_entries.clear();
    m_table->setRowCount(0);
    m_empty->setText(mirror.isEmpty() ? QString() : tr("Reading the attic…"));
    m_empty->setVisible(!mirror.isEmpty());
    updateButtons();
}

void AtticPanel::setListing(const QString &mirror, const Result<AtticOps::Listing> &listing)
{
    const int selected = m_table->currentRow();
    const QString selectedId = selected >= 0 && selected < m_entries.size() ? m_entries.at(selected).id : QString();
    clear(mirror);
    if (!listing) {
        m_empty->setText(tr("The attic cannot be read: %1").arg(GitUrl::scrubText(listing.error().message)));
        return;
    }
    m_retentionDays = listing->retentionDays;
    m_entries = listing->entries;
    m_table->setRowCount(int(m_entries.size()));
    for (int row = 0; row < m_entries.size(); ++row) {
        const AtticEntry &entry = m_entries.at(row);
        auto *when = new QTableWidgetItem(StatusWords::time(entry.when));
        when->setToolTip(entry.id);
        m_table->setItem(row, When, when);
        m_table->setItem(row, Ref, new QTableWidgetItem(entry.ref));
        auto *oid = new QTableWidgetItem(entry.oid.left(12));
        oid->setToolTip(entry.oid);
        m_table->setItem(row, Oid, oid);
        m_table->setItem(row, Why, new QTableWidgetItem(entry.why.isEmpty() ? tr("(not recorded)") : entry.why));
        m_table->setItem(row, Side, new QTableWidgetItem(StatusWords::side(entry.side)));
        if (entry.id == selectedId)
            m_table->selectRow(row);
    }
    m_empty->setText(tr("The attic is empty: no ref of this mirror was forced or deleted."));
    m_empty->setVisible(m_entries.isEmpty());
    updateButtons();
}

QString AtticPanel::resultText() const
{
    return m_result->text();
}

void AtticPanel::updateButtons()
{
    const int row = m_table->currentRow();
    const bool selected = !m_table->selectedItems().isEmpty() && row >= 0 && row < m_entries.size();
    m_restoreButton->setEnabled(!m_busy && selected);
    m_purgeButton->setEnabled(!m_busy && !m_entries.isEmpty());
}

void AtticPanel::setBusy(bool busy, const QString &text)
{
    m_busy = busy;
    if (!text.isEmpty())
        m_result->setText(text);
    updateButtons();
}

QDialog *AtticPanel::askRestore()
{
    const int row = m_table->currentRow();
    if (m_busy || row < 0 || row >= m_entries.size())
        return nullptr;
    const AtticEntry entry = m_entries.at(row);
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("restoreDialog"));
    dialog->setWindowTitle(tr("Restore from the attic"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *what = plainLabel(dialog);
    what->setText(tr("Put %1 (the old tip of %2, kept %3) back into the cache of %4.")
                      .arg(entry.oid.left(12), entry.ref, StatusWords::time(entry.when), m_mirror));
    layout->addWidget(what);
    auto *form = new QFormLayout;
    auto *name = new QLineEdit(entry.ref, dialog);
    name->setObjectName(QStringLiteral("refName"));
    form->addRow(tr("Restore as:"), name);
    layout->addLayout(form);
    auto *hint = plainLabel(dialog);
    hint->setText(tr("A full ref name, e.g. refs/restored/main, which no sync touches. A ref that exists with another tip "
                     "is kept in the attic first. In a pull mirror the next update moves a restored branch or tag back "
                     "to the source's tip."));
    layout->addWidget(hint);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    box->button(QDialogButtonBox::Ok)->setText(tr("Restore"));
    layout->addWidget(box);
    connect(box, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(name, &QLineEdit::textChanged, dialog, [box](const QString &text) {
        box->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    const QString id = entry.id;
    connect(dialog, &QDialog::accepted, this, [this, id, name] { restore(id, name->text().trimmed()); });
    dialog->open();
    return dialog;
}

QDialog *AtticPanel::askPurge()
{
    if (m_busy || m_mirror.isEmpty())
        return nullptr;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("purgeDialog"));
    dialog->setWindowTitle(tr("Purge the attic"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *form = new QFormLayout;
    auto *days = new QSpinBox(dialog);
    days->setObjectName(QStringLiteral("days"));
    days->setRange(0, 36500);
    days->setValue(m_retentionDays);
    days->setSuffix(tr(" days"));
    form->addRow(tr("Remove entries older than:"), days);
    layout->addLayout(form);
    auto *hint = plainLabel(dialog);
    hint->setText(tr("The last %n entries of each ref are always kept. The cache is repacked afterwards, so the removed "
                     "tips' objects are gone for good.", nullptr, kAtticKeepPerRef));
    layout->addWidget(hint);
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    box->button(QDialogButtonBox::Ok)->setText(tr("Purge"));
    layout->addWidget(box);
    connect(box, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [this, days] { purge(days->value()); });
    dialog->open();
    return dialog;
}

void AtticPanel::restore(const QString &entryId, const QString &as)
{
    const auto entry = std::find_if(m_entries.cbegin(), m_entries.cend(), [&](const AtticEntry &e) { return e.id == entryId; });
    if (m_busy || entry == m_entries.cend())
        return;
    const QString mirror = m_mirror;
    setBusy(true, tr("Restoring %1…").arg(as.isEmpty() ? entry->ref : as));
    if (entry->side != QLatin1String("target")) {
        runRestore(mirror, entryId, as, std::nullopt);
        return;
    }
    // Pushed back to the target: the mirror's job first, its secrets read asynchronously (the
    // keychain's too), as for a run. The config is read on a worker.
    const QString configPath = m_configPath;
    inBackground(this, [configPath] { return MirrorStore(configPath).load(); },
                 [this, mirror, entryId, as](Result<Config> config) {
        if (!config)
            return restored(mirror, config.error());
        const Mirror *found = config->mirror(mirror);
        if (!found)
            return restored(mirror, Error::usage(tr("%1 is no longer configured").arg(mirror)));
        m_preparer->prepare(*config, {*found}, [this, mirror, entryId, as](QList<Result<MirrorJob>> jobs) {
            runRestore(mirror, entryId, as, jobs.value(0, Error::io(tr("no job was prepared"))));
        });
    });
}

void AtticPanel::runRestore(const QString &mirror, const QString &entryId, const QString &as,
                            const std::optional<Result<MirrorJob>> &prepared)
{
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    inBackground(this, [configPath, stateDir, mirror, entryId, as, prepared] {
        return AtticOps(configPath, stateDir).restore(mirror, entryId, as, prepared);
    }, [this, mirror](Result<AtticOps::Restored> result) { restored(mirror, result); });
}

void AtticPanel::restored(const QString &mirror, const Result<AtticOps::Restored> &result)
{
    if (!result) {
        finish(mirror, tr("Cannot restore: %1").arg(GitUrl::scrubText(result.error().message)));
        return;
    }
    const AtticOps::Restored &r = *result;
    QString text;
    if (r.alreadyThere)
        text = r.onTarget ? tr("The target's %1 is already at %2").arg(r.ref, r.oid.left(12))
                          : tr("%1 is already at %2").arg(r.ref, r.oid.left(12));
    else if (r.onTarget)
        text = tr("Restored the target's %1 to %2").arg(r.ref, r.oid.left(12));
    else
        text = tr("Restored %1 to %2").arg(r.ref, r.oid.left(12));
    if (!r.alreadyThere && r.followsSource)
        text += tr(" (the next update makes it follow the source again)");
    if (r.indexError)
        text += tr("; the attic index could not be written: %1").arg(r.indexError->message);
    finish(mirror, text);
}

AtticOps *AtticPanel::purgeOps()
{
    if (!m_purgeOps) {
        m_purgeThread = new QThread(this);
        m_purgeThread->setObjectName(QStringLiteral("mirrordesk-attic"));
        m_purgeOps = new AtticOps(m_configPath, m_stateDir);
        m_purgeOps->moveToThread(m_purgeThread);
        connect(m_purgeThread, &QThread::finished, m_purgeOps, &QObject::deleteLater);
        m_purgeThread->start();
    }
    return m_purgeOps;
}

void AtticPanel::purge(int days)
{
    if (m_busy || m_mirror.isEmpty())
        return;
    const QString mirror = m_mirror;
    setBusy(true, tr("Purging the attic of %1…").arg(mirror));
    // AtticOps::purge lists and removes on the thread that calls it, then waits for its repack on
    // that thread's event loop: its own thread, never the UI's.
    AtticOps *ops = purgeOps();
    QPointer<AtticPanel> self(this);
    QMetaObject::invokeMethod(ops, [ops, self, mirror, days] {
        ops->purge(mirror, days, [self, mirror](const Result<AtticOps::Purged> &result) {
            QMetaObject::invokeMethod(qApp, [self, mirror, result] {
                if (self)
                    self->purged(mirror, result);
            }, Qt::QueuedConnection);
        });
    }, Qt::QueuedConnection);
}

void AtticPanel::purged(const QString &mirror, const Result<AtticOps::Purged> &result)
{
    if (!result) {
        finish(mirror, tr("Cannot purge: %1").arg(GitUrl::scrubText(result.error().message)));
        return;
    }
    const AtticOps::Purged &p = *result;
    QString text;
    if (p.nothingToPurge) {
        text = tr("Nothing to purge: no entry is old enough (the last %n of each ref are always kept)", nullptr, kAtticKeepPerRef);
    } else {
        text = tr("Purged %n attic entry(ies)", nullptr, p.removed);
        if (p.gitMissing)
            text += tr("; git is not installed, so their objects stay in the cache's packs");
        for (const QString &problem : p.problems)
            text += QStringLiteral("; ") + GitUrl::scrubText(problem);
    }
    finish(mirror, text);
}

void AtticPanel::finish(const QString &mirror, const QString &text)
{
    const QString full = tr("%1: %2").arg(mirror, text);
    setBusy(false);
    m_result->setText(mirror == m_mirror ? text : QString());
    Q_EMIT message(full);
    Q_EMIT changed(mirror);
}

} // namespace md::ui
