// The main window's actions against real git daemons and real state files: Check All turns rows
// in sync / behind / unreachable and says so when done; a run by another process (the state
// written behind the window's back) shows without a reload; the scheduler starts what is due on
// an injected clock; remove with and without the cache; the mass-change guard asks and re-runs;
// Cancel records an interrupted run; closing during a run asks; the model and the proxy pass
// QAbstractItemModelTester.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "MainWindow.h"
#include "DetailsPane.h"
#include "MirrorEditor.h"
#include "MirrorFilterProxy.h"
#include "PreferencesDialog.h"
#include "MirrorTableModel.h"
#include "SilentServer.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "mirror/SyncEngine.h"
#include "ops/RunOps.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

using namespace md;
using namespace md::ui;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::SilentServer;

class TestWindowActions : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<GitDaemonServer> m_daemon;
    QString m_work;

    QString configPath() const { return m_dir->filePath(QStringLiteral("mirrors.json")); }
    QString stateDir() const { return m_dir->filePath(QStringLiteral("state")); }
    QString cacheOf(const QString &name) const { return m_dir->filePath(QStringLiteral("caches/") + name + QStringLiteral(".git")); }
    QString bare(const QString &name) const { return m_dir->filePath(QStringLiteral("srv/") + name + QStringLiteral(".git")); }

    static QString cell(const MainWindow &window, const QString &name, int column)
    {
        const int row = window.model()->rowOf(name);
        return row < 0 ? QStringLiteral("(no row)") : window.model()->index(row, column).data().toString();
    }

    void addMirror(const QString &name, const QString &url, int minInterval = 0, int interval = 5)
    {
        MirrorStore store(configPath());
        QVERIFY(store.modify([&](Config &c) {
            c.settings.cacheRoot = m_dir->filePath(QStringLiteral("caches"));
            Mirror m;
            m.name = name;
            m.source.url = url;
            m.minUpdateIntervalSeconds = minInterval;
            m.intervalMinutes = interval;
            c.mirrors.append(m);
            return Status{};
        }).ok());
    }

    // A bare upstream with `branches` branches (main plus b1…), served by the daemon.
    void makeUpstream(const QString &name, int branches = 1)
    {
        GitRepoBuilder::initBare(bare(name));
        const QString work = m_dir->filePath(QStringLiteral("work-") + name);
        GitRepoBuilder::initWork(work);
        GitRepoBuilder::commit(work, QStringLiteral("a.txt"), name, QStringLiteral("one"));
        QStringList refspecs{QStringLiteral("main")};
        for (int i = 1; i < branches; ++i) {
            GitRepoBuilder::run({QStringLiteral("branch"), QStringLiteral("b%1").arg(i)}, work);
            refspecs.append(QStringLiteral("b%1").arg(i));
        }
        GitRepoBuilder::push(work, bare(name), refspecs);
    }

    void waitIdle(MainWindow &window)
    {
        QTRY_VERIFY_WITH_TIMEOUT(window.engine()->busyCount() == 0, 30000);
    }

    static QPushButton *button(QMessageBox *box, const QString &objectName)
    {
        return box ? box->findChild<QPushButton *>(objectName) : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings of the window layout in a test location
        QCoreApplication::setOrganizationName(QStringLiteral("MirrorDeskTest"));
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QDir().mkpath(m_dir->filePath(QStringLiteral("srv")));
        m_daemon = std::make_unique<GitDaemonServer>();
        QVERIFY2(m_daemon->start(m_dir->filePath(QStringLiteral("srv"))), qPrintable(m_daemon->errorString()));
    }

    void cleanup()
    {
        m_daemon.reset();
        m_dir.reset();
    }

    void checkAllTurnsRowsAndSaysWhenDone()
    {
        makeUpstream(QStringLiteral("a"));
        makeUpstream(QStringLiteral("b"));
        addMirror(QStringLiteral("insync"), m_daemon->url(QStringLiteral("a.git")));
        addMirror(QStringLiteral("behind"), m_daemon->url(QStringLiteral("b.git")));
        addMirror(QStringLiteral("unreach"), m_daemon->url(QStringLiteral("missing.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QAbstractItemModelTester modelTester(window.model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester proxyTester(window.proxy(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(cell(window, QStringLiteral("insync"), MirrorTableModel::Health), QStringLiteral("Never run"));
        QVERIFY(window.runOps()->update(*window.config(), {QStringLiteral("insync"), QStringLiteral("behind")}, {}).ok());
        waitIdle(window);
        // Upstream b moves on: its mirror is behind.
        const QString work = m_dir->filePath(QStringLiteral("work-b"));
        GitRepoBuilder::commit(work, QStringLiteral("a.txt"), QStringLiteral("2"), QStringLiteral("two"));
        GitRepoBuilder::push(work, bare(QStringLiteral("b")), {QStringLiteral("main")});

        window.checkAllAction()->trigger();
        QVERIFY(window.lastMessage().startsWith(QLatin1String("Checking 3 mirror")));
        QTRY_VERIFY_WITH_TIMEOUT(window.lastMessage().startsWith(QLatin1String("Check All finished")), 30000);
        QCOMPARE(window.lastMessage(), QStringLiteral("Check All finished: 1 in sync, 1 behind, 0 diverged, 1 unreachable, 0 empty, 0 skipped"));
        QTRY_COMPARE(cell(window, QStringLiteral("insync"), MirrorTableModel::Health), QStringLiteral("In sync"));
        // The rows follow the engine's reports through the coalescing flush: they may lag the summary.
        QTRY_COMPARE(cell(window, QStringLiteral("behind"), MirrorTableModel::Health), QStringLiteral("Behind"));
        QTRY_COMPARE(cell(window, QStringLiteral("unreach"), MirrorTableModel::Health), QStringLiteral("Failing"));
        QTRY_VERIFY(!cell(window, QStringLiteral("behind"), MirrorTableModel::Checked).isEmpty());
        QTRY_COMPARE(cell(window, QStringLiteral("behind"), MirrorTableModel::Progress), QStringLiteral("Behind"));
        QVERIFY2(window.summaryText().contains(QLatin1String("1 Behind")), qPrintable(window.summaryText()));
        QVERIFY(window.summaryText().startsWith(QLatin1String("3 mirror(s)")));

        // The health filter shows only the behind one; the text filter matches names.
        window.proxy()->setHealth(md::Health::Behind);
        QCOMPARE(window.proxy()->rowCount(), 1);
        QCOMPARE(window.proxy()->index(0, MirrorTableModel::Name).data().toString(), QStringLiteral("behind"));
        window.proxy()->setHealth(std::nullopt);
        window.findChild<QLineEdit *>(QStringLiteral("filter"))->setText(QStringLiteral("SYNC"));
        QCOMPARE(window.proxy()->rowCount(), 1);
        window.findChild<QLineEdit *>(QStringLiteral("filter"))->setText(QStringLiteral("127.0.0.1"));
        QCOMPARE(window.proxy()->rowCount(), 3); // the host
        // Sorting by health puts the most worrying first.
        window.findChild<QLineEdit *>(QStringLiteral("filter"))->clear();
        window.view()->sortByColumn(MirrorTableModel::Health, Qt::AscendingOrder);
        QCOMPARE(window.proxy()->index(0, MirrorTableModel::Name).data().toString(), QStringLiteral("unreach"));
        QCOMPARE(window.proxy()->index(2, MirrorTableModel::Name).data().toString(), QStringLiteral("insync"));

        // After a successful update the old "behind" check is no longer shown as the state.
        QVERIFY(window.runOps()->update(*window.config(), {QStringLiteral("behind")}, {}).ok());
        waitIdle(window);
        QTRY_COMPARE(cell(window, QStringLiteral("behind"), MirrorTableModel::Health), QStringLiteral("In sync"));
        QCOMPARE(cell(window, QStringLiteral("behind"), MirrorTableModel::Checked), QStringLiteral("before the last update"));
    }

    void aRunByAnotherProcessShowsWithoutReload()
    {
        makeUpstream(QStringLiteral("a"));
        addMirror(QStringLiteral("m"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QCOMPARE(cell(window, QStringLiteral("m"), MirrorTableModel::Health), QStringLiteral("Never run"));
        // As cron's `update` would leave it: written to the state folder, not through the window.
        StateStore state(stateDir());
        QVERIFY(state.changeStatus(QStringLiteral("m"), [](StatusRecord &status) {
            status.updateStatus = UpdateStatus::Failed;
            status.lastUpdateStartedAt = QDateTime::currentDateTimeUtc();
            status.lastUpdateAt = status.lastUpdateStartedAt;
            status.lastError = QStringLiteral("authentication failed");
            status.errorCategory = ErrorCategory::Auth;
            status.consecutiveFailures = 1;
        }).ok());
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("m"), MirrorTableModel::Health), QStringLiteral("Failing"), 10000);
        QCOMPARE(cell(window, QStringLiteral("m"), MirrorTableModel::LastError), QStringLiteral("Authentication failed"));

        // A config edit by the command line: only that row changes, the selection stays.
        addMirror(QStringLiteral("n"), m_daemon->url(QStringLiteral("a.git")));
        window.selectMirror(QStringLiteral("m"));
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), 2, 10000);
        QCOMPARE(window.selectedNames(), QStringList{QStringLiteral("m")});
        QVERIFY(MirrorStore(configPath()).modify([](Config &c) {
            c.mirrors[0].name = QStringLiteral("renamed");
            return Status{};
        }).ok());
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("renamed")) >= 0, 10000);
        QCOMPARE(window.model()->rowOf(QStringLiteral("m")), -1);

        // View ▸ Reload reads everything again.
        QCOMPARE(window.reloadAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
        window.reloadAction()->trigger();
        QTRY_COMPARE(window.model()->rowCount(), 2);
    }

    void schedulerRunsWhatIsDueOnItsClock()
    {
        makeUpstream(QStringLiteral("a"));
        addMirror(QStringLiteral("due"), m_daemon->url(QStringLiteral("a.git")), 0, 5);
        addMirror(QStringLiteral("later"), m_daemon->url(QStringLiteral("a.git")), 0, 60);
        StateStore state(stateDir());
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-3600);
        for (const QString &name : {QStringLiteral("due"), QStringLiteral("later")}) {
            QVERIFY(state.changeStatus(name, [&](StatusRecord &status) {
                status.updateStatus = UpdateStatus::Finished;
                status.lastUpdateStartedAt = start;
                status.lastUpdateAt = start;
                status.lastSuccessfulUpdateAt = start;
            }).ok());
        }
        MainWindow window(configPath(), stateDir());
        QDateTime now = start.addSecs(30 * 60); // 30 min after the last runs: "due" (5 min) is due, "later" (60 min) not
        window.setClock([&now] { return now; });
        QTRY_VERIFY(window.loaded());
        QCOMPARE(cell(window, QStringLiteral("due"), MirrorTableModel::NextRun), QStringLiteral("due"));
        QVERIFY(cell(window, QStringLiteral("later"), MirrorTableModel::NextRun) != QStringLiteral("due"));
        QCOMPARE(window.runScheduler(), 1);
        waitIdle(window);
        QTRY_COMPARE(state.history(QStringLiteral("due"))->size(), 1);
        QCOMPARE(state.history(QStringLiteral("later"))->size(), 0);
        QVERIFY(!GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("due")), QStringLiteral("refs/heads/main")).isEmpty());
        // An hour later both are due; "due" just ran for real, so by the real clock it is not.
        now = QDateTime::currentDateTimeUtc().addSecs(2 * 3600);
        QCOMPARE(window.runScheduler(), 2);
        waitIdle(window);
        QTRY_COMPARE(state.history(QStringLiteral("later"))->size(), 1);
        now = QDateTime::currentDateTimeUtc();
        QCOMPARE(window.runScheduler(), 0);
    }

    void removeAsksAndKeepsTheCacheUnlessChosen()
    {
        makeUpstream(QStringLiteral("a"));
        addMirror(QStringLiteral("keep"), m_daemon->url(QStringLiteral("a.git")));
        addMirror(QStringLiteral("wipe"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QVERIFY(window.runOps()->update(*window.config(), {}, {}).ok());
        waitIdle(window);
        QVERIFY(QFileInfo::exists(cacheOf(QStringLiteral("keep"))));

        window.selectMirror(QStringLiteral("keep"));
        QCOMPARE(window.removeAction()->shortcut(), QKeySequence(QKeySequence::Delete));
        window.removeAction()->trigger();
        QMessageBox *box = window.confirmation();
        QVERIFY(box);
        QVERIFY2(box->text().contains(cacheOf(QStringLiteral("keep"))), qPrintable(box->text()));
        QVERIFY(!box->checkBox()->isChecked());
        button(box, QStringLiteral("remove"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("keep")), -1, 10000);
        QVERIFY(QFileInfo::exists(cacheOf(QStringLiteral("keep"))));
        QVERIFY(window.lastMessage().contains(QLatin1String("was kept")));
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.size(), 1);

        window.selectMirror(QStringLiteral("wipe"));
        window.removeAction()->trigger();
        box = window.confirmation();
        QVERIFY(box);
        box->checkBox()->setChecked(true);
        button(box, QStringLiteral("remove"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("wipe")), -1, 10000);
        QVERIFY(!QFileInfo::exists(cacheOf(QStringLiteral("wipe"))));
        QVERIFY(MirrorStore(configPath()).load()->mirrors.isEmpty());
    }

    void disableAndEnableWriteTheConfig()
    {
        makeUpstream(QStringLiteral("a"));
        addMirror(QStringLiteral("m"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        window.selectMirror(QStringLiteral("m"));
        QVERIFY(!window.enableAction()->isEnabled());
        window.disableAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("m"), MirrorTableModel::Health), QStringLiteral("Disabled"), 10000);
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.first().enabled, false);
        QCOMPARE(window.runScheduler(), 0); // never scheduled while disabled
        QTRY_VERIFY(window.enableAction()->isEnabled());
        window.enableAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(MirrorStore(configPath()).load()->mirrors.first().enabled, true, 10000);
    }

    void massChangeGuardAsksAndRerunsWithConsent()
    {
        makeUpstream(QStringLiteral("many"), 13);
        addMirror(QStringLiteral("many"), m_daemon->url(QStringLiteral("many.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        QVERIFY(window.runOps()->update(*window.config(), {}, {}).ok());
        waitIdle(window);
        QVERIFY(!GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("many")), QStringLiteral("refs/heads/b12")).isEmpty());
        // Upstream deletes 12 of 13 branches: more than the guard's max(10, 20 %).
        QStringList deletes;
        for (int i = 1; i < 13; ++i)
            deletes.append(QStringLiteral(":b%1").arg(i));
        GitRepoBuilder::push(m_dir->filePath(QStringLiteral("work-many")), bare(QStringLiteral("many")), deletes);

        window.selectMirror(QStringLiteral("many"));
        QTRY_VERIFY(window.updateAction()->isEnabled());
        window.updateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.confirmation() && window.confirmation()->objectName() == QLatin1String("massChangeConfirmation"), 30000);
        QMessageBox *box = window.confirmation();
        QVERIFY2(box->text().contains(QLatin1String("delete or force 12 of 13 refs")), qPrintable(box->text()));
        QVERIFY2(box->detailedText().contains(QLatin1String("deleted: refs/heads/b7")), qPrintable(box->detailedText()));
        // Nothing went yet.
        QVERIFY(!GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("many")), QStringLiteral("refs/heads/b12")).isEmpty());
        button(box, QStringLiteral("allow"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("many")), QStringLiteral("refs/heads/b12")).isEmpty(), 30000);
        waitIdle(window);
        // Every old tip is in the attic.
        const QString attic = GitRepoBuilder::forEachRef(cacheOf(QStringLiteral("many")), {QStringLiteral("refs/mirrordesk/attic")});
        QCOMPARE(attic.count(QLatin1Char('\n')), 12);
        // The details pane of the selected mirror: the three runs (the guard's stop among them) and
        // the per-ref results of the last one, read off the UI thread.
        window.selectMirror(QStringLiteral("many"));
        QTRY_VERIFY_WITH_TIMEOUT(window.details()->isLoaded() && window.details()->historyTable()->rowCount() == 3, 10000);
        QCOMPARE(window.details()->mirrorName(), QStringLiteral("many"));
        QTRY_VERIFY(window.details()->refsTable()->rowCount() >= 12);
    }

    void cancelRecordsAnInterruptedRunAndCloseAsks()
    {
        SilentServer silent;
        QVERIFY(silent.start());
        addMirror(QStringLiteral("slow"), QStringLiteral("git://") + silent.address() + QStringLiteral("/r.git"));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        window.selectMirror(QStringLiteral("slow"));
        QCOMPARE(window.cancelAction()->shortcut(), QKeySequence(Qt::Key_Escape));
        QVERIFY(!window.cancelAction()->isEnabled());
        window.updateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(silent.connectionCount() > 0, 20000);
        QTRY_VERIFY(window.cancelAction()->isEnabled());
        QVERIFY(!window.updateAction()->isEnabled()); // while it runs
        QVERIFY2(window.updateAction()->toolTip().contains(QLatin1String("being checked or updated")),
                 qPrintable(window.updateAction()->toolTip()));

        // Closing asks, and does not close while runs go on.
        window.show();
        QVERIFY(!window.close());
        QMessageBox *box = window.confirmation();
        QVERIFY(box);
        QCOMPARE(box->objectName(), QStringLiteral("closeConfirmation"));
        QVERIFY(box->text().contains(QLatin1String("cancels them")));
        button(box, QStringLiteral("wait"))->click();
        QVERIFY(window.isVisible());

        window.cancelAction()->trigger();
        waitIdle(window);
        const auto history = StateStore(stateDir()).history(QStringLiteral("slow"));
        QVERIFY(history.ok());
        QCOMPARE(history->size(), 1);
        QCOMPARE(history->first().outcome, RunOutcome::Interrupted);
        const auto status = StateStore(stateDir()).status(QStringLiteral("slow"));
        QCOMPARE(status->consecutiveFailures, 0);
        QTRY_COMPARE(cell(window, QStringLiteral("slow"), MirrorTableModel::Progress), QStringLiteral("Interrupted"));
        QVERIFY(cell(window, QStringLiteral("slow"), MirrorTableModel::Health) != QStringLiteral("Failing"));
        QTRY_VERIFY(window.updateAction()->isEnabled()); // min interval 0: possible again
    }

    void closingDuringARunCancelsItWhenAsked()
    {
        SilentServer silent;
        QVERIFY(silent.start());
        addMirror(QStringLiteral("slow"), QStringLiteral("git://") + silent.address() + QStringLiteral("/r.git"));
        auto *window = new MainWindow(configPath(), stateDir());
        QPointer<MainWindow> guard(window);
        window->setAttribute(Qt::WA_DeleteOnClose);
        QTRY_VERIFY(window->loaded());
        window->show();
        window->selectMirror(QStringLiteral("slow"));
        window->updateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(silent.connectionCount() > 0, 20000);
        QVERIFY(!window->close());
        button(window->confirmation(), QStringLiteral("cancelRuns"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), 20000); // closed once the run stopped
        const auto history = StateStore(stateDir()).history(QStringLiteral("slow"));
        QCOMPARE(history->size(), 1);
        QCOMPARE(history->first().outcome, RunOutcome::Interrupted);
    }

    void editorAddsEditsRenamesAndDuplicates()
    {
        makeUpstream(QStringLiteral("a"));
        addMirror(QStringLiteral("first"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        // New (Ctrl+N): a bad URL is refused under its field, OK disabled; fixed, it saves.
        window.newAction()->trigger();
        MirrorEditor *editor = window.editor();
        QVERIFY(editor);
        QTest::keyClicks(editor->nameEdit(), QStringLiteral("second"));
        QTest::keyClicks(editor->sourceUrlEdit(), QStringLiteral("ftp://host/repo.git"));
        QTRY_VERIFY(!editor->errorOf(QStringLiteral("source.url")).isEmpty());
        QVERIFY(!editor->okButton()->isEnabled());
        editor->sourceUrlEdit()->clear();
        QTest::keyClicks(editor->sourceUrlEdit(), m_daemon->url(QStringLiteral("a.git")));
        QTRY_VERIFY(editor->okButton()->isEnabled());
        QCOMPARE(editor->errorOf(QStringLiteral("source.url")), QString());
        editor->okButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("second")) >= 0, 10000);
        QTRY_VERIFY(!window.editor());
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.size(), 2);
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.last().source.url, m_daemon->url(QStringLiteral("a.git")));
        QTRY_COMPARE(window.selectedNames(), QStringList{QStringLiteral("second")}); // selected once saved

        // Edit (Enter) and rename: the row follows, the config holds the new name and interval.
        window.editAction()->trigger();
        editor = window.editor();
        QVERIFY(editor);
        QCOMPARE(editor->nameEdit()->text(), QStringLiteral("second"));
        editor->nameEdit()->setText(QStringLiteral("renamed"));
        editor->intervalBox()->setValue(42);
        QTRY_VERIFY(editor->okButton()->isEnabled());
        editor->okButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("renamed")) >= 0, 10000);
        QCOMPARE(window.model()->rowOf(QStringLiteral("second")), -1);
        const auto config = MirrorStore(configPath()).load();
        QCOMPARE(config->mirrors.last().name, QStringLiteral("renamed"));
        QCOMPARE(config->mirrors.last().intervalMinutes, std::optional<int>(42));

        // Duplicate: a name clash with an existing mirror (ignoring case) is refused.
        QTRY_VERIFY(!window.editor());
        window.selectMirror(QStringLiteral("first"));
        window.duplicateAction()->trigger();
        editor = window.editor();
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("RENAMED"));
        QTRY_VERIFY(!editor->errorOf(QStringLiteral("name")).isEmpty());
        QVERIFY(!editor->okButton()->isEnabled());
        editor->reject();
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.size(), 2);
    }

    void preferencesSaveTheSettings()
    {
        addMirror(QStringLiteral("m"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        window.preferencesAction()->trigger();
        PreferencesDialog *dialog = window.preferencesDialog();
        QVERIFY(dialog);
        Settings changed = dialog->settings();
        QCOMPARE(changed.defaultIntervalMinutes, 5);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->checking(), 10000);
        dialog->save();
        QTRY_VERIFY_WITH_TIMEOUT(!window.preferencesDialog(), 10000);
        QVERIFY(window.lastMessage().startsWith(QLatin1String("Preferences saved")));
        QCOMPARE(MirrorStore(configPath()).load()->mirrors.size(), 1);
    }

    void menusCarryEveryActionAndTheToolbarCanComeBack()
    {
        addMirror(QStringLiteral("m"), m_daemon->url(QStringLiteral("a.git")));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.toolbarAction()->trigger();
        QVERIFY(window.toolbar()->isHidden());
        window.toolbarAction()->trigger();
        QVERIFY(!window.toolbar()->isHidden());
        QCOMPARE(window.newAction()->shortcut(), QKeySequence(QKeySequence::New));
        QCOMPARE(window.checkAction()->shortcut(), QKeySequence(Qt::Key_F5));
        QCOMPARE(window.checkAllAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_F5));
        QCOMPARE(window.updateAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_U));
        // The header's widths and order are kept across restarts.
        window.view()->setColumnWidth(MirrorTableModel::Name, 333);
        window.close();
        MainWindow again(configPath(), stateDir());
        QCOMPARE(again.view()->columnWidth(MirrorTableModel::Name), 333);
        QSettings(QStringLiteral("mirrordesk"), QStringLiteral("window")).clear();
    }
};

QTEST_MAIN(TestWindowActions)
#include "TestWindowActions.moc"
