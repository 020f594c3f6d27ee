// The org mirroring wizard and the window's org mirrors, with real parts: the forge API fixture
// (ProviderServer) on loopback, its clone URLs pointing at real repositories served by git
// daemon (as tests/cli/TestCliOrg.cpp sets them up), the window's own engine. The wizard is
// driven page by page through to a finished Run (a bad regex refused under its field, the live
// count, a row unticked and not created, the caches holding the source's main); a Run cancelled
// while its listing is held open; the org list with its counts, and Remove; the scheduler's sync
// new picking up a repository added upstream (on an injected clock); a failed discovery shown in
// the org list and the status bar.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "MainWindow.h"
#include "OrgListModel.h"
#include "OrgPanel.h"
#include "OrgPreviewModel.h"
#include "OrgWizard.h"
#include "ProviderServer.h"
#include "mirror/MirrorStore.h"
#include "mirror/SyncEngine.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace md;
using namespace md::ui;
using namespace Qt::StringLiterals;
using md::fixtures::FixtureFault;
using md::fixtures::FixtureRepo;
using md::fixtures::ForgeApi;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::ProviderServer;

namespace {

const QByteArray kToken = "wizard-canary-token-93d1";
constexpr int kRunTimeout = 60000;

} // namespace

class TestOrgWizard : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_srv;
    GitDaemonServer m_daemon;
    ProviderServer m_api;
    QString m_work;
    QString m_main;
    std::unique_ptr<QTemporaryDir> m_dir;

    QString configPath() const { return m_dir->filePath(u"mirrors.json"_s); }
    QString stateDir() const { return m_dir->filePath(u"state"_s); }
    QString target() const { return m_dir->filePath(u"mirrors"_s); }
    Config config() const
    {
        auto loaded = MirrorStore(configPath()).load();
        return loaded ? *loaded : Config{};
    }

    FixtureRepo repo(const QString &name, bool archived = false, bool fork = false) const
    {
        FixtureRepo r;
        r.name = name;
        r.cloneUrl = m_daemon.url(u"acme/"_s + name + u".git"_s);
        r.archived = archived;
        r.fork = fork;
        return r;
    }

    void makeRepo(const QString &name)
    {
        const QString path = m_srv.filePath(u"acme/"_s + name + u".git"_s);
        if (QFileInfo::exists(path))
            return;
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(path));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, path, {u"main"_s}));
    }

    OrgMirror org(const QString &owner = u"acme"_s) const
    {
        OrgMirror o;
        o.name = u"gh"_s;
        o.provider = providers::Provider::GitHub;
        o.apiUrl = m_api.apiUrl(ForgeApi::GitHub);
        o.owner = owner;
        o.credential = u"tok"_s;
        o.regex = u"^(tool|api|docs|new)$"_s;
        o.target.dir = target();
        o.syncNew = true;
        return o;
    }

    // The config: its cache root, the token credential (env:ORG_TOKEN), and the org if given.
    void writeConfig(const std::optional<OrgMirror> &withOrg = std::nullopt)
    {
        QVERIFY(MirrorStore(configPath()).modify([&](Config &c) {
            c.settings.cacheRoot = m_dir->filePath(u"caches"_s);
            Credential token;
            token.name = u"tok"_s;
            token.kind = CredentialKind::Token;
            token.secretSource = SecretSource{SecretSource::Kind::Env, u"ORG_TOKEN"_s};
            c.credentials.append(token);
            if (withOrg)
                c.orgs.append(*withOrg);
            return Status{};
        }).ok());
    }

    static QStringList mirrorNames(const Config &config)
    {
        QStringList names;
        for (const Mirror &m : config.mirrors)
            names.append(m.name);
        names.sort();
        return names;
    }

    static bool nextEnabled(const OrgWizard *wizard)
    {
        const QAbstractButton *next = wizard->button(wizard->currentPage()->isCommitPage() ? QWizard::CommitButton : QWizard::NextButton);
        return next->isEnabled() && next->isVisible();
    }

    static QString orgCell(const MainWindow &window, const QString &org, int column)
    {
        const OrgListModel *model = window.orgPanel()->model();
        const int row = model->rowOf(org);
        return row < 0 ? u"(no row)"_s : model->index(row, column).data().toString();
    }

    static void waitIdle(MainWindow &window)
    {
        QTRY_VERIFY_WITH_TIMEOUT(window.engine()->busyCount() == 0, kRunTimeout);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the window layout's QSettings in a test location
        m_work = m_srv.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(m_main = GitRepoBuilder::commit(m_work, u"a.txt"_s, u"1"_s, u"one"_s));
        for (const QString &name : {u"tool"_s, u"api"_s, u"old"_s, u"forked"_s, u"docs"_s, u"new"_s})
            makeRepo(name);
        QVERIFY2(m_daemon.start(m_srv.path()), qPrintable(m_daemon.errorString()));
        QVERIFY2(m_api.start(), qPrintable(m_api.errorString()));
        m_api.setToken(kToken);
        qputenv("ORG_TOKEN", kToken);
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_api.clearFaults();
        m_api.clearRequests();
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s,
                              {repo(u"tool"_s), repo(u"api"_s), repo(u"old"_s, true), repo(u"forked"_s, false, true), repo(u"docs"_s)});
    }

    void cleanup()
    {
        m_dir.reset();
    }

    // Provider, owner and regex, target, preview, an unticked row, Run to the end; the org list.
    void wizardRunsThroughToTheMirrors()
    {
        writeConfig();
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QVERIFY(window.newOrgAction()->isEnabled());
        QVERIFY(!window.newOrgAction()->toolTip().isEmpty());
        window.newOrgAction()->trigger();
        OrgWizard *wizard = window.orgWizard();
        QVERIFY(wizard);
        QTRY_VERIFY(wizard->isVisible());
        QCOMPARE(wizard->currentId(), int(OrgWizard::ProviderPage));

        // 1. Provider: the name is required; the credential is picked by name from the config.
        QVERIFY(!wizard->errorOf(u"name"_s).isEmpty());
        QVERIFY(!nextEnabled(wizard));
        QTest::keyClicks(wizard->nameEdit(), u"gh"_s);
        wizard->providerBox()->setCurrentIndex(wizard->providerBox()->findData(int(providers::Provider::GitHub)));
        wizard->apiUrlEdit()->setText(u"ftp://nowhere"_s);
        QVERIFY(!wizard->errorOf(u"api_url"_s).isEmpty());
        QVERIFY(!nextEnabled(wizard));
        wizard->apiUrlEdit()->setText(m_api.apiUrl(ForgeApi::GitHub));
        const int credential = wizard->credentialBox()->findData(u"tok"_s);
        QVERIFY(credential > 0);
        wizard->credentialBox()->setCurrentIndex(credential);
        QCOMPARE(wizard->errorOf(u"name"_s), QString());
        QCOMPARE(wizard->errorOf(u"api_url"_s), QString());
        QVERIFY(nextEnabled(wizard));
        wizard->next();
        QCOMPARE(wizard->currentId(), int(OrgWizard::RepositoriesPage));

        // 2. Owner, the listing, and the count as the regex is typed (no request per keystroke).
        QVERIFY(!wizard->listButton()->isEnabled());
        QTest::keyClicks(wizard->ownerEdit(), u"acme"_s);
        QVERIFY(wizard->listButton()->isEnabled());
        QCOMPARE(wizard->selectedCount(), -1);
        QTest::mouseClick(wizard->listButton(), Qt::LeftButton);
        QVERIFY(wizard->listing());
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->listing(), 30000);
        QCOMPARE(wizard->listStatus(), u"3 of 5 repositories selected"_s); // archived and fork left out
        const qsizetype listings = m_api.requestsTo(u"/orgs/acme/repos"_s).size();
        QVERIFY(listings > 0);
        for (const auto &request : m_api.requestsTo(u"/orgs/acme/repos"_s))
            QVERIFY(request.authorized);

        QTest::keyClicks(wizard->regexEdit(), u"^(tool|api"_s);
        const QString error = wizard->errorOf(u"regex"_s);
        QVERIFY2(error.contains(u"position 1"_s), qPrintable(error)); // the unclosed group opens at 1
        QVERIFY(!nextEnabled(wizard));
        QCOMPARE(wizard->selectedCount(), -1);
        QTest::keyClicks(wizard->regexEdit(), u"|docs)$"_s);
        QCOMPARE(wizard->errorOf(u"regex"_s), QString());
        QVERIFY(nextEnabled(wizard));
        QCOMPARE(wizard->selectedCount(), 3);
        QTest::keyClick(wizard->regexEdit(), Qt::Key_Backspace);
        QCOMPARE(wizard->errorOf(u"regex"_s), QString()); // "^(tool|api|docs)": still valid, unanchored at the end
        wizard->regexEdit()->setText(u"^(tool|api|docs|forked)$"_s);
        QCOMPARE(wizard->listStatus(), u"3 of 5 repositories selected"_s);
        wizard->forksBox()->setChecked(true);
        QCOMPARE(wizard->listStatus(), u"4 of 5 repositories selected"_s);
        wizard->forksBox()->setChecked(false);
        wizard->regexEdit()->setText(u"^(tool|api|docs)$"_s);
        QCOMPARE(wizard->selectedCount(), 3);
        QCOMPARE(m_api.requestsTo(u"/orgs/acme/repos"_s).size(), listings);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(OrgWizard::TargetPage));

        // 3. Target: a folder, by its absolute path.
        QVERIFY(wizard->folderChoice()->isChecked());
        QVERIFY(!nextEnabled(wizard));
        QVERIFY(!wizard->errorOf(u"target.dir"_s).isEmpty());
        QCOMPARE(wizard->errorOf(u"target"_s), QString()); // said once, under the field
        wizard->targetDirEdit()->setText(u"relative/mirrors"_s);
        QVERIFY(!wizard->errorOf(u"target.dir"_s).isEmpty());
        QVERIFY(!nextEnabled(wizard));
        wizard->targetDirEdit()->setText(target());
        QCOMPARE(wizard->errorOf(u"target.dir"_s), QString());
        // A forge target is checked by the same rules (validateOrg): a group named, its credential.
        wizard->forgeChoice()->setChecked(true);
        QVERIFY(!wizard->errorOf(u"target.url"_s).isEmpty());
        QVERIFY(!nextEnabled(wizard));
        wizard->targetUrlEdit()->setText(u"https://gitlab.example/"_s);
        QVERIFY2(wizard->errorOf(u"target.url"_s).contains(u"names no group"_s), qPrintable(wizard->errorOf(u"target.url"_s)));
        wizard->targetUrlEdit()->setText(u"https://gitlab.example/grp/sub"_s);
        QCOMPARE(wizard->errorOf(u"target.url"_s), QString());
        QVERIFY(!wizard->errorOf(u"target.credential"_s).isEmpty());
        wizard->targetCredentialBox()->setCurrentIndex(wizard->targetCredentialBox()->findData(u"tok"_s));
        QCOMPARE(wizard->errorOf(u"target.credential"_s), QString());
        QVERIFY(nextEnabled(wizard));
        QCOMPARE(wizard->draft().target.url, u"https://gitlab.example/grp/sub"_s);
        wizard->folderChoice()->setChecked(true);
        wizard->syncNewBox()->setChecked(true);
        QVERIFY(nextEnabled(wizard));
        QVERIFY(config().orgs.isEmpty());
        QSignalSpy saved(wizard, &OrgWizard::saved);
        wizard->next(); // saves on a worker, then moves on
        QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int(OrgWizard::PreviewPage), 10000);
        QCOMPARE(saved.size(), 1);
        QCOMPARE(config().orgs.size(), 1);
        const OrgMirror stored = config().orgs.first();
        QCOMPARE(stored.name, u"gh"_s);
        QCOMPARE(stored.owner, u"acme"_s);
        QCOMPARE(stored.regex, u"^(tool|api|docs)$"_s);
        QCOMPARE(stored.credential, u"tok"_s);
        QCOMPARE(stored.target.dir, target());
        QVERIFY(stored.syncNew);

        // 4. The preview: one row per repository with its action and icon; totals; the filter.
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->previewing(), 30000);
        OrgPreviewModel *model = wizard->previewModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(model->rowCount(), 5);
        auto action = [model](const QString &fullName) {
            const int row = model->rowOf(fullName);
            return row < 0 ? u"(none)"_s : model->index(row, OrgPreviewModel::Action).data().toString();
        };
        QCOMPARE(action(u"acme/tool"_s), u"Create"_s);
        QCOMPARE(action(u"acme/api"_s), u"Create"_s);
        QCOMPARE(action(u"acme/docs"_s), u"Create"_s);
        QCOMPARE(action(u"acme/old"_s), u"Filtered out"_s);
        QCOMPARE(action(u"acme/forked"_s), u"Filtered out"_s);
        const int old = model->rowOf(u"acme/old"_s);
        QVERIFY(model->index(old, OrgPreviewModel::Reason).data().toString().contains(u"Archived"_s));
        QVERIFY(!model->index(old, OrgPreviewModel::Action).data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(!(model->flags(model->index(old, OrgPreviewModel::Action)) & Qt::ItemIsUserCheckable));
        QCOMPARE(model->index(model->rowOf(u"acme/tool"_s), OrgPreviewModel::MirrorName).data().toString(), u"gh/acme/tool"_s);
        QVERIFY2(wizard->totalsText().startsWith(u"3 to create (3 ticked)"_s), qPrintable(wizard->totalsText()));
        QVERIFY(wizard->totalsText().contains(u"2 filtered out"_s));
        QTest::keyClicks(wizard->filterEdit(), u"DOC"_s);
        QCOMPARE(wizard->previewProxy()->rowCount(), 1);
        wizard->filterEdit()->clear();
        QCOMPARE(wizard->previewProxy()->rowCount(), 5);
        // Untick docs: it is not created.
        const int docs = model->rowOf(u"acme/docs"_s);
        QCOMPARE(model->index(docs, OrgPreviewModel::Action).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
        QVERIFY(model->setData(model->index(docs, OrgPreviewModel::Action), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY2(wizard->totalsText().startsWith(u"3 to create (2 ticked)"_s), qPrintable(wizard->totalsText()));
        QVERIFY(config().mirrors.isEmpty()); // nothing changed yet
        QVERIFY(nextEnabled(wizard));
        QCOMPARE(wizard->button(QWizard::CommitButton)->text(), u"Run"_s);

        // 5. Run: the progress reaches the end; the mirrors exist and their caches hold main.
        wizard->next();
        QCOMPARE(wizard->currentId(), int(OrgWizard::RunPage));
        QVERIFY(wizard->running());
        QVERIFY(!wizard->button(QWizard::FinishButton)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->running(), kRunTimeout);
        QVERIFY2(wizard->report().has_value(), qPrintable(wizard->runStatus()));
        QVERIFY2(wizard->runStatus().startsWith(u"Done: 2 created"_s), qPrintable(wizard->runStatus()));
        QVERIFY(wizard->progressBar()->maximum() > 0);
        QCOMPARE(wizard->progressBar()->value(), wizard->progressBar()->maximum());
        QCOMPARE(model->index(docs, OrgPreviewModel::Result).data().toString(), u"Skipped"_s);
        QCOMPARE(model->index(model->rowOf(u"acme/tool"_s), OrgPreviewModel::Result).data().toString(), u"Created"_s);
        QCOMPARE(mirrorNames(config()), (QStringList{u"gh/acme/api"_s, u"gh/acme/tool"_s}));
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/tool.git"_s, u"refs/heads/main"_s), m_main);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/api.git"_s, u"refs/heads/main"_s), m_main);
        QVERIFY(!QFileInfo::exists(target() + u"/acme/docs.git"_s));
        QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());
        QPointer<OrgWizard> closing(wizard);
        wizard->button(QWizard::FinishButton)->click();
        QTRY_VERIFY(!closing);

        // The org list: the org with its mirrors, its last discovery and the counts per action.
        QTRY_COMPARE(orgCell(window, u"gh"_s, OrgListModel::Mirrors), u"2"_s);
        QAbstractItemModelTester listTester(window.orgPanel()->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::Provider), u"GitHub"_s);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::Owner), u"acme"_s);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::Target), target());
        QVERIFY(orgCell(window, u"gh"_s, OrgListModel::LastDiscovery) != u"never"_s);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::Counts), u"3 to create, 2 filtered out"_s);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::Gone), u"0"_s);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::LastError), QString());
        QTRY_VERIFY(window.model()->rowOf(u"gh/acme/tool"_s) >= 0); // the mirrors' rows in the table
        // The token is nowhere on disk.
        for (const QString &file : QDir(m_dir->path()).entryList(QDir::Files)) {
            QFile f(m_dir->filePath(file));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(!f.readAll().contains(kToken));
        }

        // Preview/Run reopens the wizard at the preview, now up to date (docs still to create).
        window.orgPanel()->selectOrg(u"gh"_s);
        QVERIFY(window.runOrgAction()->isEnabled());
        window.runOrgAction()->trigger();
        wizard = window.orgWizard();
        QVERIFY(wizard);
        QTRY_COMPARE(wizard->currentId(), int(OrgWizard::PreviewPage));
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->previewing() && wizard->previewModel()->rowCount() == 5, 30000);
        QCOMPARE(wizard->previewModel()->count(OrgAction::UpToDate), 2);
        QCOMPARE(wizard->previewModel()->count(OrgAction::Create), 1);
        closing = wizard;
        wizard->reject();
        QTRY_VERIFY(!closing);

        // Remove, with its mirrors: asked first; the caches stay.
        window.removeOrgAction()->trigger();
        QMessageBox *box = window.confirmation();
        QVERIFY(box);
        QVERIFY2(box->text().contains(u"2 mirror"_s), qPrintable(box->text()));
        QVERIFY(!box->checkBox()->isChecked());
        box->checkBox()->setChecked(true);
        box->findChild<QPushButton *>(u"remove"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(config().orgs.isEmpty(), 10000);
        QCOMPARE(mirrorNames(config()), QStringList{});
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/tool.git"_s, u"refs/heads/main"_s), m_main);
        QTRY_COMPARE(window.orgPanel()->model()->rowCount(), 0);
    }

    // Edit…: the definition as stored, the name kept; Next on the target page saves the change
    // (OrgOps::edit on a worker) and moves on to the preview, which follows the new filter.
    void editSavesTheChangedDefinition()
    {
        writeConfig(org());
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QTRY_COMPARE(window.orgPanel()->model()->rowCount(), 1);
        window.orgPanel()->selectOrg(u"gh"_s);
        QVERIFY(window.editOrgAction()->isEnabled());
        window.editOrgAction()->trigger();
        OrgWizard *wizard = window.orgWizard();
        QVERIFY(wizard);
        QCOMPARE(wizard->currentId(), int(OrgWizard::ProviderPage));
        QCOMPARE(wizard->nameEdit()->text(), u"gh"_s);
        QVERIFY(wizard->nameEdit()->isReadOnly());
        QCOMPARE(wizard->credentialBox()->currentData().toString(), u"tok"_s);
        QCOMPARE(wizard->draft(), org());
        QVERIFY(nextEnabled(wizard));
        wizard->next();
        QCOMPARE(wizard->regexEdit()->text(), org().regex);
        wizard->regexEdit()->setText(u"^tool$"_s);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(OrgWizard::TargetPage));
        QVERIFY(wizard->syncNewBox()->isChecked());
        wizard->goneBox()->setCurrentIndex(wizard->goneBox()->findData(int(GonePolicy::Disable)));
        wizard->next();
        QTRY_COMPARE_WITH_TIMEOUT(wizard->currentId(), int(OrgWizard::PreviewPage), 10000);
        QCOMPARE(config().orgs.size(), 1);
        QCOMPARE(config().orgs.first().regex, u"^tool$"_s);
        QCOMPARE(config().orgs.first().gone, GonePolicy::Disable);
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->previewing(), 30000);
        QCOMPARE(wizard->previewModel()->count(OrgAction::Create), 1);
        QCOMPARE(wizard->previewModel()->count(OrgAction::Filtered), 4);
        QPointer<OrgWizard> closing(wizard);
        wizard->reject();
        QTRY_VERIFY(!closing);
        QVERIFY(config().mirrors.isEmpty());
    }

    // Cancel while the Run's listing is held open: it ends cleanly, nothing is added, and the
    // wizard can be closed.
    void cancelDuringARunEndsCleanly()
    {
        writeConfig(org());
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QTRY_COMPARE(window.orgPanel()->model()->rowCount(), 1);
        window.orgPanel()->selectOrg(u"gh"_s);
        OrgWizard *wizard = window.runSelectedOrg();
        QVERIFY(wizard);
        QCOMPARE(wizard->currentId(), int(OrgWizard::PreviewPage));
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->previewing(), 30000);
        QCOMPARE(wizard->previewModel()->count(OrgAction::Create), 3);

        FixtureFault hold;
        hold.kind = FixtureFault::Kind::Hold;
        hold.pathContains = u"/orgs/acme/repos"_s;
        m_api.addFault(hold);
        m_api.clearRequests();
        wizard->next();
        QCOMPARE(wizard->currentId(), int(OrgWizard::RunPage));
        QTRY_VERIFY_WITH_TIMEOUT(!m_api.requestsTo(u"/orgs/acme/repos"_s).isEmpty(), 30000);
        QVERIFY(wizard->running());
        QCOMPARE(wizard->progressBar()->maximum(), 0); // busy while listing
        QVERIFY(wizard->cancelRunButton()->isEnabled());
        QTest::mouseClick(wizard->cancelRunButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->running(), 30000);
        QVERIFY2(wizard->runStatus().startsWith(u"Cancelled"_s), qPrintable(wizard->runStatus()));
        QVERIFY(!wizard->cancelRunButton()->isEnabled());
        QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());
        QCOMPARE(mirrorNames(config()), QStringList{});
        QVERIFY(!QFileInfo::exists(target()));
        QPointer<OrgWizard> closing(wizard);
        wizard->button(QWizard::FinishButton)->click();
        QTRY_VERIFY(!closing);
        QCOMPARE(window.engine()->busyCount(), 0);
    }

    // Sync new in the window's scheduler: due orgs are discovered one at a time (their new
    // repositories added as mirrors), which the next pass updates; a repository added upstream
    // is picked up once the discovery interval has passed on the window's clock.
    void schedulerSyncNewPicksUpANewRepository()
    {
        writeConfig(org());
        MainWindow window(configPath(), stateDir());
        QDateTime now = QDateTime::currentDateTimeUtc();
        window.setClock([&now] { return now; });
        QTRY_VERIFY(window.loaded());
        QTRY_COMPARE(window.orgPanel()->model()->rowCount(), 1);
        QCOMPARE(orgCell(window, u"gh"_s, OrgListModel::LastDiscovery), u"never"_s);

        // Never discovered: due. Its mirrors are added (no update yet), then scheduled.
        QCOMPARE(window.runScheduler(), 0);
        QTRY_VERIFY(window.discovering());
        QTRY_VERIFY_WITH_TIMEOUT(!window.discovering(), 30000);
        QCOMPARE(mirrorNames(config()), (QStringList{u"gh/acme/api"_s, u"gh/acme/docs"_s, u"gh/acme/tool"_s}));
        QVERIFY2(window.lastMessage().contains(u"added 3 mirror(s) for new repositories"_s), qPrintable(window.lastMessage()));
        QTRY_VERIFY(window.model()->rowOf(u"gh/acme/docs"_s) >= 0);
        QTRY_COMPARE(orgCell(window, u"gh"_s, OrgListModel::Mirrors), u"3"_s);
        QCOMPARE(window.runScheduler(), 3);
        waitIdle(window);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/docs.git"_s, u"refs/heads/main"_s), m_main);

        // Upstream: "new" added. Not due again right away: no listing.
        m_api.setRepositories(ForgeApi::GitHub, u"acme"_s,
                              {repo(u"tool"_s), repo(u"api"_s), repo(u"docs"_s), repo(u"new"_s)});
        m_api.clearRequests();
        window.runScheduler();
        QTRY_VERIFY(!window.discovering()); // the states read on a worker: none due
        QCOMPARE(m_api.requestsTo(u"/orgs/acme/repos"_s).size(), 0);

        // An hour and a bit later (its interval is 60 minutes): discovered, added, then updated.
        now = QDateTime::currentDateTimeUtc().addSecs(61 * 60);
        window.runScheduler();
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->rowOf(u"gh/acme/new"_s) >= 0, 30000);
        QTRY_VERIFY(!window.discovering());
        QVERIFY2(window.lastMessage().contains(u"added 1 mirror(s) for new repositories"_s), qPrintable(window.lastMessage()));
        QVERIFY(window.runScheduler() >= 1);
        waitIdle(window);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target() + u"/acme/new.git"_s, u"refs/heads/main"_s), m_main);
        QTRY_COMPARE(orgCell(window, u"gh"_s, OrgListModel::Mirrors), u"4"_s);
    }

    // The wizard and the org list speak German with the embedded catalogue.
    void germanCatalogue()
    {
        writeConfig();
        QTranslator translator;
        QVERIFY(translator.load(u":/i18n/mirrordesk_de.qm"_s));
        QCoreApplication::installTranslator(&translator);
        QCOMPARE(OrgPreviewModel::actionWord(OrgAction::Create), u"Anlegen"_s);
        QCOMPARE(OrgListModel().headerData(OrgListModel::LastDiscovery, Qt::Horizontal).toString(), u"Letzte Suche"_s);
        std::unique_ptr<OrgWizard> wizard(OrgWizard::create(OrgWizard::Mode::New, configPath(), stateDir(), config(), nullptr));
        QCOMPARE(wizard->windowTitle(), u"Neuer Org-Spiegel"_s);
        QCOMPARE(wizard->listButton()->text(), u"Repositorys auflisten"_s);
        QCoreApplication::removeTranslator(&translator);
    }

    // A failed discovery: in the org list (last error) and the status bar; not retried at once.
    void failedDiscoveryShows()
    {
        writeConfig(org(u"nobody"_s));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QTRY_COMPARE(window.orgPanel()->model()->rowCount(), 1);
        window.runScheduler();
        QTRY_VERIFY(window.discovering());
        QTRY_VERIFY_WITH_TIMEOUT(!window.discovering(), 30000);
        QVERIFY2(window.lastMessage().startsWith(u"Discovery of the org mirror gh failed"_s), qPrintable(window.lastMessage()));
        QTRY_VERIFY(!orgCell(window, u"gh"_s, OrgListModel::LastError).isEmpty());
        QVERIFY(orgCell(window, u"gh"_s, OrgListModel::LastError).contains(u"nobody"_s));
        QCOMPARE(mirrorNames(config()), QStringList{});
        m_api.clearRequests();
        window.runScheduler();
        QTRY_VERIFY(!window.discovering());
        QCOMPARE(m_api.requestsTo(u"nobody"_s).size(), 0);
    }
};

QTEST_MAIN(TestOrgWizard)
#include "TestOrgWizard.moc"
