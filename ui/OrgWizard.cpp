#include "OrgWizard.h"

#include "Background.h"
#include "OrgPreviewModel.h"
#include "OrgWizardPage.h"
#include "util/Scrub.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace md::ui {

namespace {

const QString kErrorStyle = QStringLiteral("QLabel { color: #a4262c; }");

void setNote(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

void selectData(QComboBox *box, const QVariant &data)
{
    if (const int index = box->findData(data); index >= 0)
        box->setCurrentIndex(index);
}

QString trimmed(const QLineEdit *edit) { return edit->text().trimmed(); }

// The page each field of the definition is on.
int pageOfField(const QString &field)
{
    if (field == QLatin1String("name") || field == QLatin1String("api_url") || field == QLatin1String("credential"))
        return OrgWizard::ProviderPage;
    if (field == QLatin1String("owner") || field == QLatin1String("regex"))
        return OrgWizard::RepositoriesPage;
    return OrgWizard::TargetPage;
}

// What the listing depends on: a change of any of these makes the listed repositories stale.
QString listingKey(const OrgMirror &org)
{
    return QStringList{providers::providerName(org.provider), org.effectiveApiUrl(), org.owner, org.credential}.join(QLatin1Char('\n'));
}

} // namespace

OrgWizard *OrgWizard::create(Mode mode, QString configPath, QString stateDir, const Config &config, RunOps *runs, const QString &name,
                           QWidget *parent)
{
    OrgMirror org;
    if (mode != Mode::New) {
        const OrgMirror *existing = config.org(name);
        if (!existing)
            return nullptr;
        org = *existing;
    }
    return new OrgWizard(mode, std::move(configPath), std::move(stateDir), config, runs, org, parent);
}

OrgWizard::OrgWizard(Mode mode, QString configPath, QString stateDir, Config config, RunOps *runs, const OrgMirror &org, QWidget *parent)
    : QWizard(parent)
    , m_mode(mode)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
    , m_config(std::move(config))
    , m_runs(runs)
    , m_ops(new OrgOps(m_configPath, m_stateDir, this))
    , m_model(new OrgPreviewModel(this))
{
    setObjectName(QStringLiteral("orgWizard"));
    setWindowTitle(mode == Mode::New ? tr("New org mirror") : tr("Org mirror %1").arg(org.name));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::NoBackButtonOnLastPage);
    setButtonText(QWizard::CommitButton, tr("Run"));
    resize(860, 620);

    buildProviderPage();
    buildRepositoriesPage();
    buildTargetPage();
    buildPreviewPage();
    buildRunPage();
    providerChanged();

    if (mode != Mode::New) {
        fill(org);
        m_saved = org;
        m_savedName = org.name;
        m_name->setReadOnly(true); // an org cannot be renamed: its mirrors are named after it
        m_name->setToolTip(tr("An org mirror keeps its name: its mirrors are named after it"));
    }
    if (mode == Mode::Preview)
        setStartId(PreviewPage);
    revalidate();
}

QLabel *OrgWizard::addError(QWidget *page, const QString &field)
{
    auto *label = new QLabel(page);
    label->setObjectName(QStringLiteral("error_") + field);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet(kErrorStyle);
    label->hide();
    m_errors.insert(field, label);
    return label;
}

void OrgWizard::buildProviderPage()
{
    auto *page = new OrgWizardPage(this);
    page->setObjectName(QStringLiteral("providerPage"));
    page->setTitle(tr("Provider"));
    page->setSubTitle(tr("Where the repositories are listed, and the token MirrorDesk asks with."));
    auto *form = new QFormLayout(page);

    m_name = new QLineEdit(page);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("e.g. acme (its mirrors are named acme/<repository>)"));
    form->addRow(tr("Name:"), m_name);
    form->addRow(QString(), addError(page, QStringLiteral("name")));

    m_provider = new QComboBox(page);
    m_provider->setObjectName(QStringLiteral("provider"));
    m_provider->addItem(tr("GitHub organisation or user"), static_cast<int>(providers::Provider::GitHub));
    m_provider->addItem(tr("GitLab group (with its subgroups)"), static_cast<int>(providers::Provider::GitLab));
    m_provider->addItem(tr("Bitbucket Cloud workspace"), static_cast<int>(providers::Provider::BitbucketCloud));
    m_provider->addItem(tr("Bitbucket Server / Data Center project"), static_cast<int>(providers::Provider::BitbucketServer));
    form->addRow(tr("Provider:"), m_provider);

    m_apiUrl = new QLineEdit(page);
    m_apiUrl->setObjectName(QStringLiteral("api_url"));
    m_apiUrl->setToolTip(tr("GitHub Enterprise: https://HOST/api/v3; self-managed GitLab: https://HOST/api/v4; Bitbucket Server: "
                            "https://HOST. Empty: the public service."));
    form->addRow(tr("API base URL:"), m_apiUrl);
    form->addRow(QString(), addError(page, QStringLiteral("api_url")));

    m_credential = new QComboBox(page);
    m_credential->setObjectName(QStringLiteral("credential"));
    m_credential->addItem(tr("(none: anonymous)"), QString());
    for (const Credential &c : std::as_const(m_config.credentials))
        m_credential->addItem(QStringLiteral("%1 — %2").arg(c.name, credentialKindName(c.kind)), c.name);
    m_credential->setToolTip(tr("The API token (also used to clone). Credentials are managed under Settings ▸ Credentials…"));
    form->addRow(tr("Credential:"), m_credential);
    form->addRow(QString(), addError(page, QStringLiteral("credential")));

    connect(m_name, &QLineEdit::textChanged, this, &OrgWizard::revalidate);
    connect(m_provider, &QComboBox::currentIndexChanged, this, &OrgWizard::providerChanged);
    connect(m_apiUrl, &QLineEdit::textChanged, this, &OrgWizard::revalidate);
    connect(m_credential, &QComboBox::currentIndexChanged, this, &OrgWizard::revalidate);
    page->complete = [this] { return pageValid(ProviderPage); };
    m_pages[ProviderPage] = page;
    setPage(ProviderPage, page);
}

void OrgWizard::buildRepositoriesPage()
{
    auto *page = new OrgWizardPage(this);
    page->setObjectName(QStringLiteral("repositoriesPage"));
    page->setTitle(tr("Repositories"));
    page->setSubTitle(tr("Whose repositories, and which of them. List them to see what the filter selects as you type."));
    auto *form = new QFormLayout(page);

    m_owner = new QLineEdit(page);
    m_owner->setObjectName(QStringLiteral("owner"));
    form->addRow(tr("Owner:"), m_owner);
    m_ownerHint = new QLabel(page);
    m_ownerHint->setWordWrap(true);
    form->addRow(QString(), m_ownerHint);
    form->addRow(QString(), addError(page, QStringLiteral("owner")));

    m_regex = new QLineEdit(page);
    m_regex->setObjectName(QStringLiteral("regex"));
    m_regex->setPlaceholderText(tr("empty: every repository; e.g. ^(api|web)-"));
    m_regex->setToolTip(tr("An RE2 regular expression, unanchored, matched against the repository's path below the owner"));
    form->addRow(tr("Name filter:"), m_regex);
    form->addRow(QString(), addError(page, QStringLiteral("regex")));

    m_archived = new QCheckBox(tr("Include archived repositories"), page);
    m_archived->setObjectName(QStringLiteral("include_archived"));
    m_forks = new QCheckBox(tr("Include forks"), page);
    m_forks->setObjectName(QStringLiteral("include_forks"));
    form->addRow(QString(), m_archived);
    form->addRow(QString(), m_forks);

    m_list = new QPushButton(tr("List repositories"), page);
    m_list->setObjectName(QStringLiteral("list"));
    m_list->setToolTip(tr("Ask the provider for the owner's repositories (nothing is changed)"));
    m_listStatus = new QLabel(tr("Not listed yet."), page);
    m_listStatus->setObjectName(QStringLiteral("listStatus"));
    m_listStatus->setWordWrap(true);
    auto *row = new QHBoxLayout;
    row->addWidget(m_list);
    row->addWidget(m_listStatus, 1);
    form->addRow(QString(), row);

    connect(m_owner, &QLineEdit::textChanged, this, &OrgWizard::revalidate);
    connect(m_regex, &QLineEdit::textChanged, this, &OrgWizard::revalidate);
    connect(m_archived, &QCheckBox::toggled, this, &OrgWizard::updateCount);
    connect(m_forks, &QCheckBox::toggled, this, &OrgWizard::updateCount);
    connect(m_list, &QPushButton::clicked, this, &OrgWizard::listRepositories);
    page->complete = [this] { return pageValid(RepositoriesPage); };
    m_pages[RepositoriesPage] = page;
    setPage(RepositoriesPage, page);
}

void OrgWizard::buildTargetPage()
{
    auto *page = new OrgWizardPage(this);
    page->setObjectName(QStringLiteral("targetPage"));
    page->setTitle(tr("Target"));
    page->setSubTitle(tr("Where the mirrors go. Next saves the org mirror; nothing is listed or mirrored before the preview."));
    auto *layout = new QVBoxLayout(page);

    auto *where = new QGroupBox(tr("Mirror into"), page);
    auto *form = new QFormLayout(where);
    m_toFolder = new QRadioButton(tr("A folder: one pull mirror per repository, its cache at FOLDER/<repository>.git"), where);
    m_toFolder->setObjectName(QStringLiteral("toFolder"));
    m_toForge = new QRadioButton(tr("A GitLab group or Bitbucket Server project: missing repositories are created there"), where);
    m_toForge->setObjectName(QStringLiteral("toForge"));
    auto *choice = new QButtonGroup(page);
    choice->addButton(m_toFolder);
    choice->addButton(m_toForge);
    m_toFolder->setChecked(true);
    form->addRow(m_toFolder);
    m_targetDir = new QLineEdit(where);
    m_targetDir->setObjectName(QStringLiteral("target.dir"));
    m_targetDir->setPlaceholderText(tr("an absolute path, e.g. /srv/mirrors/acme"));
    m_browse = new QPushButton(tr("Browse…"), where);
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_targetDir, 1);
    dirRow->addWidget(m_browse);
    form->addRow(tr("Folder:"), dirRow);
    form->addRow(QString(), addError(where, QStringLiteral("target.dir")));
    form->addRow(m_toForge);
    m_targetUrl = new QLineEdit(where);
    m_targetUrl->setObjectName(QStringLiteral("target.url"));
    m_targetUrl->setPlaceholderText(tr("https://gitlab.example/group/sub or https://bitbucket.example/projects/KEY"));
    form->addRow(tr("URL:"), m_targetUrl);
    form->addRow(QString(), addError(where, QStringLiteral("target.url")));
    m_targetCredential = new QComboBox(where);
    m_targetCredential->setObjectName(QStringLiteral("target.credential"));
    m_targetCredential->addItem(tr("(choose one)"), QString());
    for (const Credential &c : std::as_const(m_config.credentials))
        m_targetCredential->addItem(QStringLiteral("%1 — %2").arg(c.name, credentialKindName(c.kind)), c.name);
    m_targetCredential->setToolTip(tr("The token that creates the repositories there and pushes to them"));
    form->addRow(tr("Credential:"), m_targetCredential);
    form->addRow(QString(), addError(where, QStringLiteral("target.credential")));
    form->addRow(QString(), addError(where, QStringLiteral("target")));
    layout->addWidget(where);

    auto *later = new QGroupBox(tr("Afterwards"), page);
    auto *laterForm = new QFormLayout(later);
    m_syncNew = new QCheckBox(tr("Discover new repositories on the schedule and mirror them (sync new)"), later);
    m_syncNew->setObjectName(QStringLiteral("sync_new"));
    laterForm->addRow(m_syncNew);
    m_interval = new QSpinBox(later);
    m_interval->setObjectName(QStringLiteral("interval_minutes"));
    m_interval->setRange(1, 10080);
    m_interval->setValue(OrgMirror::kDefaultDiscoveryMinutes);
    m_interval->setSuffix(tr(" min"));
    laterForm->addRow(tr("Discover every:"), m_interval);
    laterForm->addRow(QString(), addError(later, QStringLiteral("interval_minutes")));
    m_gone = new QComboBox(later);
    m_gone->setObjectName(QStringLiteral("gone"));
    m_gone->addItem(tr("Keep their mirrors (shown as gone)"), static_cast<int>(GonePolicy::Keep));
    m_gone->addItem(tr("Disable their mirrors (caches are kept)"), static_cast<int>(GonePolicy::Disable));
    laterForm->addRow(tr("Repositories gone upstream:"), m_gone);
    layout->addWidget(later);

    m_saveError = new QLabel(page);
    m_saveError->setObjectName(QStringLiteral("error_save"));
    m_saveError->setWordWrap(true);
    m_saveError->setStyleSheet(kErrorStyle);
    m_saveError->hide();
    layout->addWidget(m_saveError);
    layout->addStretch(1);

    for (QLineEdit *edit : {m_targetDir, m_targetUrl})
        connect(edit, &QLineEdit::textChanged, this, &OrgWizard::revalidate);
    for (QAbstractButton *button : std::initializer_list<QAbstractButton *>{m_toFolder, m_toForge, m_syncNew})
        connect(button, &QAbstractButton::toggled, this, &OrgWizard::revalidate);
    connect(m_targetCredential, &QComboBox::currentIndexChanged, this, &OrgWizard::revalidate);
    connect(m_interval, &QSpinBox::valueChanged, this, &OrgWizard::revalidate);
    connect(m_gone, &QComboBox::currentIndexChanged, this, &OrgWizard::revalidate);
    connect(m_browse, &QPushButton::clicked, this, &OrgWizard::chooseFolder);
    page->complete = [this] { return pageValid(TargetPage) && !m_saving; };
    page->validate = [this] { return saveTarget(); };
    m_pages[TargetPage] = page;
    setPage(TargetPage, page);
}

void OrgWizard::chooseFolder()
{
    auto *dialog = new QFileDialog(this, tr("Folder for the org's mirrors"), trimmed(m_targetDir));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) { m_targetDir->setText(QDir::cleanPath(folder)); });
    dialog->open();
}

void OrgWizard::fill(const OrgMirror &org)
{
    m_name->setText(org.name);
    selectData(m_provider, static_cast<int>(org.provider));
    m_apiUrl->setText(org.apiUrl);
    if (!org.credential.isEmpty() && m_credential->findData(org.credential) < 0)
        m_credential->addItem(org.credential, org.credential); // not in the config: its error shows
    selectData(m_credential, org.credential);
    m_owner->setText(org.owner);
    m_regex->setText(org.regex);
    m_archived->setChecked(org.includeArchived);
    m_forks->setChecked(org.includeForks);
    (org.target.isDir() || org.target.url.isEmpty() ? m_toFolder : m_toForge)->setChecked(true);
    m_targetDir->setText(org.target.dir);
    m_targetUrl->setText(org.target.url);
    if (!org.target.credential.isEmpty() && m_targetCredential->findData(org.target.credential) < 0)
        m_targetCredential->addItem(org.target.credential, org.target.credential);
    selectData(m_targetCredential, org.target.credential);
    m_syncNew->setChecked(org.syncNew);
    m_interval->setValue(org.effectiveIntervalMinutes());
    selectData(m_gone, static_cast<int>(org.gone));
}

OrgMirror OrgWizard::draft() const
{
    OrgMirror org;
    org.name = trimmed(m_name);
    org.provider = static_cast<providers::Provider>(m_provider->currentData().toInt());
    org.apiUrl = trimmed(m_apiUrl);
    org.credential = m_credential->currentData().toString();
    org.owner = trimmed(m_owner);
    org.regex = m_regex->text();
    org.includeArchived = m_archived->isChecked();
    org.includeForks = m_forks->isChecked();
    if (m_toFolder->isChecked()) {
        const QString dir = trimmed(m_targetDir);
        org.target.dir = dir.isEmpty() ? QString() : QDir::cleanPath(dir);
    } else {
        org.target.url = trimmed(m_targetUrl);
        org.target.credential = m_targetCredential->currentData().toString();
    }
    org.syncNew = m_syncNew->isChecked();
    org.gone = static_cast<GonePolicy>(m_gone->currentData().toInt());
    if (m_interval->value() != OrgMirror::kDefaultDiscoveryMinutes)
        org.intervalMinutes = m_interval->value();
    return org;
}

void OrgWizard::providerChanged()
{
    const auto provider = static_cast<providers::Provider>(m_provider->currentData().toInt());
    const QString url = providers::defaultApiUrl(provider);
    m_apiUrl->setPlaceholderText(url.isEmpty() ? tr("required: the server's base URL, e.g. https://bitbucket.example")
                                               : tr("default: %1").arg(url));
    QString owner;
    switch (provider) {
    case providers::Provider::GitHub: owner = tr("The organisation or user, e.g. acme."); break;
    case providers::Provider::GitLab: owner = tr("The group's path, e.g. acme or acme/platform; its subgroups are included."); break;
    case providers::Provider::BitbucketCloud: owner = tr("The workspace, e.g. acme."); break;
    case providers::Provider::BitbucketServer: owner = tr("The project key, e.g. PLAT."); break;
    }
    m_ownerHint->setText(owner);
    revalidate();
}

QString OrgWizard::errorOf(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

void OrgWizard::setFieldError(const QString &field, const QString &text)
{
    if (QLabel *label = m_errors.value(field))
        setNote(label, text);
}

QString OrgWizard::fieldOf(const Error &error) const
{
    QString field = error.field;
    if (field.startsWith(QLatin1String("orgs["))) {
        const qsizetype dot = field.indexOf(QLatin1String("]."));
        field = dot < 0 ? QString() : field.mid(dot + 2);
    }
    return m_errors.contains(field) ? field : QString();
}

QString OrgWizard::messageOf(const Error &error) const
{
    if (fieldOf(error) == QLatin1String("regex")) {
        const QString reason = error.detail.value(QStringLiteral("reason")).toString();
        const int position = error.detail.value(QStringLiteral("position")).toInt();
        if (position > 0)
            return tr("Not a valid regular expression at position %1: %2").arg(position).arg(reason);
        if (!reason.isEmpty())
            return tr("Not a valid regular expression: %1").arg(reason);
    }
    return scrubText(error.message);
}

// Every field checked as typed, page by page: a page's fields are checked by the rules of the
// whole definition (validateOrg) with the later pages' fields set to something valid, so the
// first error reported is one of this page or an earlier one.
void OrgWizard::revalidate()
{
    for (QLabel *label : std::as_const(m_errors))
        setNote(label, QString());
    const OrgMirror org = draft();
    QHash<int, bool> valid;
    // What the wizard says itself, for a field left empty (the rules' own words are the CLI's).
    QHash<QString, QString> missing;
    if (org.name.isEmpty())
        missing.insert(QStringLiteral("name"), tr("Name the org mirror."));
    else if (m_savedName.isEmpty() && m_config.indexOfOrg(org.name) >= 0)
        missing.insert(QStringLiteral("name"), tr("An org mirror named %1 exists (names are compared ignoring case).").arg(org.name));
    if (org.provider == providers::Provider::BitbucketServer && org.apiUrl.isEmpty())
        missing.insert(QStringLiteral("api_url"), tr("Bitbucket Server has no public service: give its base URL."));
    if (org.owner.isEmpty())
        missing.insert(QStringLiteral("owner"), tr("Name the organisation, user, group, workspace or project."));
    if (m_toFolder->isChecked() && org.target.dir.isEmpty())
        missing.insert(QStringLiteral("target.dir"), tr("Choose the folder the mirrors go into."));
    if (m_toForge->isChecked() && org.target.url.isEmpty())
        missing.insert(QStringLiteral("target.url"), tr("Give the URL of the GitLab group or Bitbucket Server project."));
    if (m_toForge->isChecked() && org.target.credential.isEmpty())
        missing.insert(QStringLiteral("target.credential"), tr("Choose the credential that creates repositories there and pushes."));
    if (m_toFolder->isChecked() && !org.target.dir.isEmpty() && !QDir::isAbsolutePath(org.target.dir))
        missing.insert(QStringLiteral("target.dir"), tr("Give the folder's absolute path."));

    for (int page : {ProviderPage, RepositoriesPage, TargetPage}) {
        bool ok = valid.value(page - 1, true);
        bool pageMissing = false;
        for (auto it = missing.cbegin(); it != missing.cend(); ++it) {
            if (pageOfField(it.key()) == page) {
                setFieldError(it.key(), it.value());
                pageMissing = true;
            }
        }
        ok = ok && !pageMissing;
        OrgMirror probe = org;
        if (page < RepositoriesPage) {
            probe.owner = QStringLiteral("owner");
            probe.regex.clear();
        }
        if (page < TargetPage) {
            probe.target = OrgTarget{QDir::rootPath() + QStringLiteral("org-wizard-probe"), {}, {}};
            probe.intervalMinutes.reset();
        }
        if (probe.name.isEmpty())
            probe.name = QStringLiteral("org-wizard-probe");
        if (probe.owner.isEmpty())
            probe.owner = QStringLiteral("owner");
        if (auto status = validateOrg(probe); !status) {
            const QString field = fieldOf(status.error());
            const int at = field.isEmpty() ? TargetPage : pageOfField(field);
            if (at == page) {
                ok = false;
                // What is missing is said once, under its field (the rules' "neither a folder nor a URL" too).
                const QString shown = field.isEmpty() ? QStringLiteral("target") : field;
                if (!missing.contains(shown) && !(shown == QLatin1String("target") && pageMissing))
                    setFieldError(shown, messageOf(status.error()));
            }
        }
        valid.insert(page, ok);
    }
    m_pageValid = valid;
    m_saveError->hide();
    updateCount();
    for (int page : {ProviderPage, RepositoriesPage, TargetPage})
        m_pages[page]->refresh();
    m_targetDir->setEnabled(m_toFolder->isChecked());
    m_browse->setEnabled(m_toFolder->isChecked());
    m_targetUrl->setEnabled(m_toForge->isChecked());
    m_targetCredential->setEnabled(m_toForge->isChecked());
    m_interval->setEnabled(m_syncNew->isChecked());
    m_list->setEnabled(pageValid(ProviderPage) && !org.owner.isEmpty() && errorOf(QStringLiteral("owner")).isEmpty());
}

void OrgWizard::listRepositories()
{
    OrgMirror org = draft();
    const quint64 generation = ++m_generation;
    m_ops->cancel(); // an older listing's answer is not wanted any more
    m_listing = true;
    m_listed.reset();
    m_listError.clear();
    m_listProgress.clear();
    m_listedFor = listingKey(org);
    QPointer<OrgWizard> self(this);
    m_ops->listRepositories(m_config, org, [self, generation](const OrgProgress &progress) {
        if (!self || generation != self->m_generation)
            return;
        self->m_listProgress = progress.listing.waitingUntil.isValid()
            ? tr("Waiting for the provider's rate limit until %1…").arg(QLocale().toString(progress.listing.waitingUntil.toLocalTime(), QLocale::ShortFormat))
            : tr("Listing… %n repositories so far", nullptr, progress.listing.repositories);
        self->updateCount();
    }, [self, generation](Result<QList<providers::RemoteRepository>> listed) {
        if (!self || generation != self->m_generation)
            return;
        self->m_listing = false;
        if (listed)
            self->m_listed = *listed;
        else
            self->m_listError = tr("Cannot list the repositories: %1").arg(scrubText(listed.error().message));
        self->updateCount();
    });
    updateCount();
}

int OrgWizard::selectedCount() const
{
    if (!m_listed || m_listedFor != listingKey(draft()) || !validateOrgRegex(m_regex->text(), QString()))
        return -1;
    OrgMirror org = draft();
    const OrgPreview preview = previewOrg(org, *m_listed, m_config, {});
    return static_cast<int>(std::count_if(preview.rows.begin(), preview.rows.end(), [](const OrgRow &row) {
        return row.action != OrgAction::Filtered && row.action != OrgAction::Gone;
    }));
}

QString OrgWizard::listStatus() const
{
    return m_listStatus->text();
}

void OrgWizard::updateCount()
{
    QString text;
    m_listStatus->setStyleSheet(QString());
    if (m_listing) {
        text = m_listProgress.isEmpty() ? tr("Listing…") : m_listProgress;
    } else if (!m_listError.isEmpty()) {
        text = m_listError;
        m_listStatus->setStyleSheet(kErrorStyle);
    } else if (!m_listed) {
        text = tr("Not listed yet.");
    } else if (m_listedFor != listingKey(draft())) {
        text = tr("The provider, owner or credential changed since the listing: list again.");
    } else if (!validateOrgRegex(m_regex->text(), QString())) {
        text = tr("Fix the name filter to see which repositories it selects.");
    } else {
        const int total = static_cast<int>(m_listed->size());
        text = tr("%1 of %n repositories selected", nullptr, total).arg(selectedCount());
    }
    m_listStatus->setText(text);
}

bool OrgWizard::saveTarget()
{
    const OrgMirror org = draft();
    if (m_saved && *m_saved == org)
        return true;
    if (m_saving || !pageValid(TargetPage))
        return false;
    m_saving = true;
    m_saveError->hide();
    m_pages[TargetPage]->refresh();
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    const QString existing = m_savedName;
    // Written on a worker (the config lock, the atomic write); Next again once it is in.
    inBackground(this, [configPath, stateDir, org, existing] {
        OrgOps ops(configPath, stateDir);
        if (existing.isEmpty())
            return ops.add(org);
        return ops.edit(existing, [org](OrgMirror &edited) {
            edited = org;
            return Status();
        });
    }, [this, org](Result<Config> saved) {
        m_saving = false;
        m_pages[TargetPage]->refresh();
        if (!saved) {
            const QString field = fieldOf(saved.error());
            if (!field.isEmpty() && pageOfField(field) == TargetPage)
                setFieldError(field, messageOf(saved.error()));
            setNote(m_saveError, tr("Cannot save the org mirror: %1").arg(messageOf(saved.error())));
            return;
        }
        m_config = *saved;
        m_saved = org;
        m_savedName = org.name;
        m_name->setReadOnly(true);
        Q_EMIT this->saved(org.name);
        if (currentId() == TargetPage)
            next();
    });
    return false;
}

} // namespace md::ui
