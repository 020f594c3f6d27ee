#include "PreferencesDialog.h"

#include "Background.h"
#include "DurationEdit.h"
#include "mirror/Paths.h"
#include "ops/SettingsOps.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace md::ui {

namespace {

const QString kConcurrency = QStringLiteral("concurrency");
const QString kPerHost = QStringLiteral("per_host_concurrency");
const QString kInterval = QStringLiteral("default_interval_minutes");
const QString kCacheRoot = QStringLiteral("cache_root");
const QString kProxy = QStringLiteral("proxy");
const QString kCaFile = QStringLiteral("ca_file");
const QString kConnectTimeout = QStringLiteral("connect_timeout");
const QString kStallTimeout = QStringLiteral("stall_timeout");
const QString kRunTimeout = QStringLiteral("run_timeout");
const QString kAtticRetention = QStringLiteral("attic_retention_days");

QSpinBox *spinBox(QWidget *parent, const QString &name, IntRange range, const QString &suffix = {})
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(range.min, range.max);
    box->setSuffix(suffix);
    return box;
}

QLineEdit *lineEdit(QWidget *parent, const QString &name, const QString &placeholder)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

// A line edit and its Choose… button as one field.
QWidget *withButton(QWidget *parent, QLineEdit *edit, QPushButton *button)
{
    auto *box = new QWidget(parent);
    box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(button);
    return box;
}

// The first message for each field.
QMap<QString, QString> byField(const QList<Error> &problems)
{
    QMap<QString, QString> messages;
    for (const Error &error : problems) {
        if (!messages.contains(error.field))
            messages.insert(error.field, error.message);
    }
    return messages;
}

} // namespace

PreferencesDialog::PreferencesDialog(QString configPath, Settings current, QWidget *parent)
    : QDialog(parent)
    , m_configPath(std::move(configPath))
{
    namespace limits = settingsLimits;
    const Settings defaults;
    setWindowTitle(tr("Preferences"));
    auto *layout = new QVBoxLayout(this);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new QWidget(scroll);
    auto *formLayout = new QVBoxLayout(m_form);
    scroll->setWidget(m_form);
    layout->addWidget(scroll, 1);

    auto group = [&](const QString &title) {
        auto *box = new QGroupBox(title, m_form);
        auto *form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow); // the paths grow, the numbers keep their size
        formLayout->addWidget(box);
        return form;
    };

    QFormLayout *syncing = group(tr("Syncing"));
    m_concurrency = spinBox(m_form, kConcurrency, limits::concurrency);
    addField(syncing, tr("Mirrors at once:"), m_concurrency, kConcurrency,
             tr("How many mirrors sync at the same time (default %1).").arg(defaults.concurrency));
    m_perHost = spinBox(m_form, kPerHost, limits::perHostConcurrency);
    addField(syncing, tr("Per host:"), m_perHost, kPerHost,
             tr("At most this many of them talk to one host at once, so one server is not flooded (default %1).")
                 .arg(defaults.perHostConcurrency));
    m_interval = spinBox(m_form, kInterval, limits::defaultIntervalMinutes, tr(" min"));
    addField(syncing, tr("Default interval:"), m_interval, kInterval,
             tr("Minutes between scheduled syncs of a mirror that has no interval of its own (default %1, at most one week).")
                 .arg(defaults.defaultIntervalMinutes));

    QFormLayout *storage = group(tr("Storage"));
    m_cacheRoot = lineEdit(m_form, kCacheRoot, paths::defaultCacheRoot());
    auto *chooseRoot = new QPushButton(tr("Choose…"), m_form);
    chooseRoot->setObjectName(QStringLiteral("choose_cache_root"));
    connect(chooseRoot, &QPushButton::clicked, this, &PreferencesDialog::chooseCacheRoot);
    addField(storage, tr("Cache folder:"), withButton(m_form, m_cacheRoot, chooseRoot), kCacheRoot,
             tr("Where each mirror's cache lives (<folder>/<name>.git) unless the mirror has a cache path of its own. Empty: "
                "the default shown. Changing it moves no cache: those mirrors start again from an empty cache in the new "
                "folder, and the old caches stay where they are."));
    m_atticRetention = spinBox(m_form, kAtticRetention, limits::atticRetentionDays, tr(" days"));
    addField(storage, tr("Keep attic entries:"), m_atticRetention, kAtticRetention,
             tr("How long the attic keeps the old tips of rewritten or deleted refs (default %1 days). The last 5 entries "
                "of each ref are always kept.").arg(defaults.atticRetentionDays));

    QFormLayout *network = group(tr("Network"));
    m_proxy = lineEdit(m_form, kProxy, tr("automatic"));
    addField(network, tr("Proxy:"), m_proxy, kProxy,
             tr("http://host:port or https://host:port, for every mirror without a proxy of its own; no credentials in "
                "the URL. Empty: automatic (the http_proxy/https_proxy environment and git config), the default."));
    m_caFile = lineEdit(m_form, kCaFile, tr("the system's certificates"));
    auto *chooseCa = new QPushButton(tr("Choose…"), m_form);
    chooseCa->setObjectName(QStringLiteral("choose_ca_file"));
    connect(chooseCa, &QPushButton::clicked, this, &PreferencesDialog::chooseCaFile);
    addField(network, tr("CA file:"), withButton(m_form, m_caFile, chooseCa), kCaFile,
             tr("A PEM file of extra certificate authorities trusted for HTTPS (e.g. your company's). Empty: the "
                "system's certificates only, the default. Applies from the next sync on."));
    m_connectTimeout = new DurationEdit(limits::connectTimeoutSeconds, m_form);
    m_connectTimeout->setObjectName(kConnectTimeout);
    addField(network, tr("Connect timeout:"), m_connectTimeout, kConnectTimeout,
             tr("Give up connecting to a server after this long (default 30 seconds)."));
    m_stallTimeout = new DurationEdit(limits::stallTimeoutSeconds, m_form);
    m_stallTimeout->setObjectName(kStallTimeout);
    addField(network, tr("Stall timeout:"), m_stallTimeout, kStallTimeout,
             tr("Stop a sync that has made no progress for this long (default 10 minutes)."));
    m_runTimeout = new DurationEdit(limits::runTimeoutSeconds, m_form);
    m_runTimeout->setObjectName(kRunTimeout);
    addField(network, tr("Run timeout:"), m_runTimeout, kRunTimeout,
             tr("Stop any one sync that runs longer than this, progress or not (default 3 hours)."));

    QFormLayout *safety = group(tr("Safety"));
    m_massChangeGuard = new QCheckBox(tr("Refuse mass changes"), m_form);
    m_massChangeGuard->setObjectName(QStringLiteral("mass_change_guard"));
    addField(safety, QString(), m_massChangeGuard, QString(),
             tr("A sync that would delete or force-update more than a fifth of a mirror's refs (and more than 10) is refused "
                "and changes nothing until you allow it for that run: a branch cleanup or a bad push upstream is not "
                "mirrored by accident. On by default; every old tip goes to the attic either way."));
    formLayout->addStretch(1);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
    m_message->hide();
    layout->addWidget(m_message);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = m_buttons->button(QDialogButtonBox::Ok);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PreferencesDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    m_concurrency->setValue(current.concurrency);
    m_perHost->setValue(current.perHostConcurrency);
    m_interval->setValue(current.defaultIntervalMinutes);
    m_cacheRoot->setText(current.cacheRoot);
    m_proxy->setText(current.proxy);
    m_caFile->setText(current.caFile);
    m_connectTimeout->setSeconds(current.connectTimeoutSeconds);
    m_stallTimeout->setSeconds(current.stallTimeoutSeconds);
    m_runTimeout->setSeconds(current.runTimeoutSeconds);
    m_atticRetention->setValue(current.atticRetentionDays);
    m_massChangeGuard->setChecked(current.massChangeGuard);

    for (QSpinBox *box : {m_concurrency, m_perHost, m_interval, m_atticRetention})
        connect(box, &QSpinBox::valueChanged, this, &PreferencesDialog::revalidate);
    for (QLineEdit *edit : {m_cacheRoot, m_proxy, m_caFile})
        connect(edit, &QLineEdit::textChanged, this, &PreferencesDialog::revalidate);
    for (DurationEdit *edit : {m_connectTimeout, m_stallTimeout, m_runTimeout})
        connect(edit, &DurationEdit::changed, this, &PreferencesDialog::revalidate);
    connect(m_massChangeGuard, &QCheckBox::toggled, this, &PreferencesDialog::revalidate);
    resize(720, 760);
    revalidate();
}

QLabel *PreferencesDialog::addField(QFormLayout *form, const QString &label, QWidget *field, const QString &key, const QString &help)
{
    form->addRow(label, field);
    QLabel *error = nullptr;
    if (!key.isEmpty()) {
        error = new QLabel(m_form);
        error->setObjectName(QStringLiteral("error_") + key);
        error->setWordWrap(true);
        error->setTextInteractionFlags(Qt::TextSelectableByMouse);
        error->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
        error->hide();
        form->addRow(QString(), error);
        m_errors.insert(key, error);
    }
    auto *note = new QLabel(help, m_form);
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("QLabel { color: #6e6e6e; }"));
    QFont small = note->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    note->setFont(small);
    form->addRow(QString(), note);
    return error;
}

Settings PreferencesDialog::settings() const
{
    Settings s;
    s.concurrency = m_concurrency->value();
    s.perHostConcurrency = m_perHost->value();
    s.defaultIntervalMinutes = m_interval->value();
    s.cacheRoot = m_cacheRoot->text().trimmed();
    s.proxy = m_proxy->text().trimmed();
    s.caFile = m_caFile->text().trimmed();
    s.connectTimeoutSeconds = m_connectTimeout->seconds();
    s.stallTimeoutSeconds = m_stallTimeout->seconds();
    s.runTimeoutSeconds = m_runTimeout->seconds();
    s.atticRetentionDays = m_atticRetention->value();
    s.massChangeGuard = m_massChangeGuard->isChecked();
    return s;
}

QString PreferencesDialog::fieldError(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

QString PreferencesDialog::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void PreferencesDialog::revalidate()
{
    const Settings s = settings();
    m_problems = byField(settingsProblems(s));
    // What only the disk can tell, on a worker, again only when a path changed.
    const QStringList paths{s.cacheRoot, s.caFile};
    if (paths != m_checkedPaths) {
        m_checkedPaths.clear();
        m_fileProblems.clear();
        const quint64 generation = ++m_checkGeneration;
        if (s.cacheRoot.isEmpty() && s.caFile.isEmpty()) {
            m_checking = false;
            m_checkedPaths = paths;
        } else {
            m_checking = true;
            inBackground(this, [s] { return settingsFileProblems(s); }, [this, generation, paths](QList<Error> problems) {
                if (generation != m_checkGeneration)
                    return;
                m_checking = false;
                m_checkedPaths = paths;
                m_fileProblems = byField(problems);
                showProblems();
            });
        }
    }
    showProblems();
}

void PreferencesDialog::showProblems()
{
    bool valid = !m_checking;
    for (auto it = m_errors.cbegin(); it != m_errors.cend(); ++it) {
        const QString text = m_problems.value(it.key(), m_fileProblems.value(it.key()));
        it.value()->setText(text);
        it.value()->setVisible(!text.isEmpty());
        valid = valid && text.isEmpty();
    }
    // A problem of a field the form has no label for still counts.
    for (const QString &field : m_problems.keys() + m_fileProblems.keys()) {
        if (!m_errors.contains(field))
            valid = false;
    }
    m_ok->setEnabled(valid && !m_busy);
}

void PreferencesDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_form->setEnabled(!busy);
    showProblems();
}

void PreferencesDialog::save()
{
    if (!m_ok->isEnabled())
        return;
    const Settings s = settings();
    const QString path = m_configPath;
    m_message->clear();
    m_message->hide();
    setBusy(true);
    inBackground(this, [path, s] { return saveSettings(path, s); }, [this](Result<Config> result) {
        setBusy(false);
        if (!result) {
            m_message->setText(tr("Cannot save the preferences: %1").arg(result.error().text()));
            m_message->show();
            // A file that changed since it was checked shows under its field again.
            m_checkedPaths.clear();
            revalidate();
            return;
        }
        Q_EMIT saved(result->settings);
        accept();
    });
}

void PreferencesDialog::chooseCacheRoot()
{
    const QString now = m_cacheRoot->text().trimmed();
    auto *dialog = new QFileDialog(this, tr("Cache folder"), now.isEmpty() ? paths::defaultCacheRoot() : now);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        m_cacheRoot->setText(QDir::cleanPath(folder));
    });
    dialog->open();
}

void PreferencesDialog::chooseCaFile()
{
    const QString now = m_caFile->text().trimmed();
    auto *dialog = new QFileDialog(this, tr("CA file"), now.isEmpty() ? QString() : QFileInfo(now).absolutePath());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("PEM certificates (*.pem *.crt *.cer)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &file) { m_caFile->setText(file); });
    dialog->open();
}

} // namespace md::ui
