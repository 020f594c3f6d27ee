// The main window's org mirroring (MainWindow.h): the org mirrors tab, its actions, the wizard,
// and the scheduler's discovery of new repositories (sync new).
#include "Background.h"
#include "MainWindow.h"
#include "OrgPanel.h"
#include "OrgWizard.h"
#include "mirror/MirrorStore.h"
#include "mirror/SyncEngine.h"
#include "ops/OrgOps.h"
#include "util/Scrub.h"

#include <QAction>
#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>

namespace md::ui {

namespace {

// What a pass of the scheduler's discoveries starts from (read on a worker).
struct DueOrgs {
    QStringList names;
    std::optional<Error> error = {};
};

} // namespace

QWidget *MainWindow::createOrgPanel()
{
    m_orgOps = new OrgOps(m_configPath, m_stateDir, this);
    m_orgPanel = new OrgPanel({m_newOrgAction, m_editOrgAction, m_runOrgAction, m_removeOrgAction}, m_tabs);
    m_orgPanel->setObjectName(QStringLiteral("orgPanel"));
    connect(m_orgPanel, &OrgPanel::selectionChanged, this, &MainWindow::updateOrgActions);
    connect(m_orgPanel, &OrgPanel::activated, this, [this] { editSelectedOrg(); });
    updateOrgActions();
    return m_orgPanel;
}

OrgWizard *MainWindow::orgWizard() const
{
    return qobject_cast<OrgWizard *>(m_orgWizard.data());
}

void MainWindow::updateOrgActions()
{
    const bool one = m_config && !m_orgPanel->selectedOrg().isEmpty();
    m_newOrgAction->setEnabled(m_config.has_value());
    m_editOrgAction->setEnabled(one);
    m_runOrgAction->setEnabled(one);
    m_removeOrgAction->setEnabled(one);
}

bool MainWindow::orgBusy(const QString &name) const
{
    if (m_discoveringOrg.compare(name, Qt::CaseInsensitive) == 0)
        return true;
    if (const OrgWizard *wizard = orgWizard(); wizard && wizard->running() && wizard->savedName().compare(name, Qt::CaseInsensitive) == 0)
        return true;
    return false;
}

void MainWindow::refreshOrgs()
{
    if (!m_config)
        return;
    const quint64 generation = ++m_orgGeneration;
    const Config config = *m_config;
    const QString stateDir = m_stateDir;
    inBackground(this, [config, stateDir] {
        QHash<QString, int> mirrors;
        for (const Mirror &m : config.mirrors) {
            if (!m.org.isEmpty())
                ++mirrors[m.org.toCaseFolded()];
        }
        const OrgStateStore states(stateDir);
        QList<OrgListRow> rows;
        for (const OrgMirror &org : config.orgs) {
            OrgListRow row{org, mirrors.value(org.name.toCaseFolded()), {}, {}, {}};
            if (auto state = states.load(org.name))
                row.state = *state;
            else
                row.windowError = scrubText(state.error().message);
            rows.append(row);
        }
        return rows;
    }, [this, generation](QList<OrgListRow> rows) {
        if (generation != m_orgGeneration)
            return;
        for (OrgListRow &row : rows) {
            if (row.windowError.isEmpty())
                row.windowError = m_orgErrors.value(row.org.name.toCaseFolded());
            if (m_discoveringOrg.compare(row.org.name, Qt::CaseInsensitive) == 0)
                row.activity = tr("Discovering…");
        }
        m_orgPanel->setRows(std::move(rows));
        updateOrgActions();
    });
}

OrgWizard *MainWindow::openOrgWizard(int mode, const QString &name)
{
    if (OrgWizard *open = orgWizard()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    if (!m_config)
        return nullptr;
    const auto wizardMode = static_cast<OrgWizard::Mode>(mode);
    if (wizardMode != OrgWizard::Mode::New && orgBusy(name)) {
        say(tr("The org mirror %1 is discovering new repositories; try again when it is done").arg(name));
        return nullptr;
    }
    auto *wizard = OrgWizard::create(wizardMode, m_configPath, m_stateDir, *m_config, m_runOps, name, this);
    if (!wizard) {
        say(tr("%1 is no longer in the configuration").arg(name));
        return nullptr;
    }
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &OrgWizard::saved, this, [this](const QString &saved) {
        say(tr("Saved org mirror %1").arg(saved));
        scan(false);
    });
    connect(wizard, &OrgWizard::runFinished, this, [this] {
        scan(false);
        refreshOrgs();
    });
    m_orgWizard = wizard;
    m_tabs->setCurrentWidget(m_orgPanel);
    wizard->open();
    return wizard;
}

OrgWizard *MainWindow::newOrgMirror()
{
    return openOrgWizard(static_cast<int>(OrgWizard::Mode::New), QString());
}

OrgWizard *MainWindow::editSelectedOrg()
{
    const QString name = m_orgPanel->selectedOrg();
    return name.isEmpty() ? nullptr : openOrgWizard(static_cast<int>(OrgWizard::Mode::Edit), name);
}

OrgWizard *MainWindow::runSelectedOrg()
{
    const QString name = m_orgPanel->selectedOrg();
    return name.isEmpty() ? nullptr : openOrgWizard(static_cast<int>(OrgWizard::Mode::Preview), name);
}

void MainWindow::removeSelectedOrg()
{
    const QString name = m_orgPanel->selectedOrg();
    if (name.isEmpty() || !m_config)
        return;
    QStringList busy;
    int mirrors = 0;
    for (const Mirror &m : std::as_const(m_config->mirrors)) {
        if (m.org.isEmpty() || m.org.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        ++mirrors;
        if (m_engine->isBusy(m.name))
            busy.append(m.name);
    }
    if (orgBusy(name) || !busy.isEmpty()) {
        say(tr("The org mirror %1 or one of its mirrors is running; wait for it or cancel it first").arg(name));
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove org mirror"),
                                tr("Remove the org mirror %1 from MirrorDesk? Its %n mirror(s) stay as ordinary mirrors unless you "
                                   "tick the box below. Caches are always kept; nothing on the provider or the target is touched.",
                                   nullptr, mirrors).arg(name),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("removeOrgConfirmation"));
    auto *withMirrors = new QCheckBox(tr("Also remove its %n mirror(s) from MirrorDesk (their caches are kept)", nullptr, mirrors), box);
    withMirrors->setObjectName(QStringLiteral("withMirrors"));
    box->setCheckBox(withMirrors);
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("remove"));
    box->addButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, withMirrors, name](QAbstractButton *button) {
        if (button != remove)
            return;
        const bool alsoMirrors = withMirrors->isChecked();
        const QString configPath = m_configPath;
        const QString stateDir = m_stateDir;
        inBackground(this, [configPath, stateDir, name, alsoMirrors] { return OrgOps(configPath, stateDir).remove(name, alsoMirrors); },
                     [this](Result<OrgOps::Removed> removed) {
            if (!removed) {
                say(tr("Cannot remove: %1").arg(removed.error().text()));
                return;
            }
            if (!removed->mirrorsRemoved.isEmpty())
                say(tr("Removed the org mirror %1 and its %n mirror(s); their caches were kept", nullptr,
                       static_cast<int>(removed->mirrorsRemoved.size())).arg(removed->org.name));
            else
                say(tr("Removed the org mirror %1; its %n mirror(s) stay as ordinary mirrors", nullptr,
                       static_cast<int>(removed->mirrorsDetached.size())).arg(removed->org.name));
            scan(false);
        });
    });
    confirm(box);
}

// ---- Sync new: the scheduler's discoveries ------------------------------------------------------

void MainWindow::discoverDueOrgs(const QDateTime &now)
{
    if (m_discovering || !m_config)
        return;
    bool any = false;
    for (const OrgMirror &org : std::as_const(m_config->orgs))
        any = any || org.syncNew;
    if (!any)
        return;
    m_discovering = true;
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    // The decision `update --due` makes (orgDiscoveryDue over the org's state), read on a worker.
    inBackground(this, [configPath, stateDir, now] {
        DueOrgs due;
        auto config = MirrorStore(configPath).load();
        if (!config) {
            due.error = config.error();
            return due;
        }
        const OrgStateStore states(stateDir);
        for (const OrgMirror &org : std::as_const(config->orgs)) {
            auto state = states.load(org.name);
            if (orgDiscoveryDue(org, state ? *state : OrgState{}, now))
                due.names.append(org.name);
        }
        return due;
    }, [this, now](DueOrgs due) {
        if (due.error) {
            m_discovering = false;
            return; // the scan shows what is wrong with the config
        }
        m_dueOrgs.clear();
        for (const QString &name : std::as_const(due.names)) {
            // One that failed here before its listing (no state recorded) waits for its interval.
            const OrgMirror *org = m_config ? m_config->org(name) : nullptr;
            const QDateTime failed = m_orgFailedAt.value(name.toCaseFolded());
            if (org && failed.isValid() && failed.addSecs(qint64(org->effectiveIntervalMinutes()) * 60) > now)
                continue;
            if (orgBusy(name))
                continue; // the wizard runs it now
            m_dueOrgs.append(name);
        }
        discoverNext();
    });
}

void MainWindow::discoverNext()
{
    if (m_dueOrgs.isEmpty()) {
        m_discovering = false;
        m_discoveringOrg.clear();
        refreshOrgs();
        return;
    }
    const QString name = m_dueOrgs.takeFirst();
    if (orgBusy(name)) {
        discoverNext();
        return;
    }
    m_discoveringOrg = name;
    m_orgPanel->model()->setActivity(name, tr("Discovering…"));
    const QString configPath = m_configPath;
    // Each org from the config as it is now: the one before may have added mirrors.
    inBackground(this, [configPath] { return MirrorStore(configPath).load(); }, [this, name](Result<Config> config) {
        auto done = [this, name](Result<OrgRunReport> report) {
            m_orgPanel->model()->setActivity(name, QString());
            m_discoveringOrg.clear();
            if (!report) {
                const QString message = scrubText(report.error().message);
                m_orgFailedAt.insert(name.toCaseFolded(), m_clock());
                m_orgErrors.insert(name.toCaseFolded(), message);
                m_orgPanel->model()->setWindowError(name, message);
                say(tr("Discovery of the org mirror %1 failed: %2").arg(name, message));
            } else {
                m_orgFailedAt.remove(name.toCaseFolded());
                m_orgErrors.remove(name.toCaseFolded());
                m_orgPanel->model()->setWindowError(name, QString());
                const QMap<QString, int> results = report->results();
                if (const int added = results.value(QStringLiteral("created")); added > 0)
                    say(tr("Org mirror %1: added %n mirror(s) for new repositories", nullptr, added).arg(name));
                if (const int failed = results.value(QStringLiteral("failed")); failed > 0)
                    say(tr("Org mirror %1: %n mirror(s) for new repositories could not be added", nullptr, failed).arg(name));
                scan(false); // the new mirrors' rows, due at once
            }
            discoverNext();
        };
        if (!config || !config->org(name)) {
            done(config ? Error::usage(tr("%1 is no longer in the configuration").arg(name)) : config.error());
            return;
        }
        m_orgOps->run(*config, name, m_runOps, {}, done, OrgRunOptions{true, {}});
    });
}

} // namespace md::ui
