// The window's Check, Check All and Update now against a real git daemon: the engine runs on the
// pool, rows change from the results, refusals are shown, and the state is what the CLI records.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ImportDialog.h"
#include "MainWindow.h"
#include "MirrorTableModel.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "mirror/SyncEngine.h"

#include <QAction>
#include <QApplication>
#include <QLockFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace md;
using namespace md::ui;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;

class TestWindowSync : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    GitDaemonServer m_daemon;
    QString m_work;

    QString configPath() const { return m_dir.filePath(QStringLiteral("mirrors.json")); }
    QString stateDir() const { return m_dir.filePath(QStringLiteral("state")); }
    QString cacheOf(const QString &name) const { return m_dir.filePath(QStringLiteral("caches/") + name + QStringLiteral(".git")); }
    QString source() const { return m_daemon.baseDir() + QStringLiteral("/src.git"); }

    static QString cell(const MainWindow &window, const QString &name, int column)
    {
        const int row = window.model()->rowOf(name);
        return row < 0 ? QStringLiteral("(no row)") : window.model()->index(row, column).data().toString();
    }

    static QString refOf(const QString &repo, const QString &ref) { return GitRepoBuilder::refOrEmpty(repo, ref); }

    void addMirror(const QString &name, const QString &url, int minInterval = 60)
    {
        MirrorStore store(configPath());
        QVERIFY(store.modify([&](Config &c) {
            c.settings.cacheRoot = m_dir.filePath(QStringLiteral("caches"));
            Mirror m;
            m.name = name;
            m.source.url = url;
            m.minUpdateIntervalSeconds = minInterval;
            c.mirrors.append(m);
            return Status{};
        }).ok());
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString base = m_dir.filePath(QStringLiteral("srv"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + QStringLiteral("/src.git")));
        m_work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, QStringLiteral("a.txt"), QStringLiteral("1"), QStringLiteral("one")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, base + QStringLiteral("/src.git"), {QStringLiteral("main")}));
        QVERIFY2(m_daemon.start(base), qPrintable(m_daemon.errorString()));
        addMirror(QStringLiteral("good"), m_daemon.url(QStringLiteral("src.git")));
        addMirror(QStringLiteral("gone"), m_daemon.url(QStringLiteral("missing.git")), 0);
    }

    void updateNowSyncsTheSelectedMirror()
    {
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.updateAction()->isEnabled()); // nothing selected yet
        window.selectMirror(QStringLiteral("good"));
        QVERIFY(window.updateAction()->isEnabled());
        QSignalSpy progress(window.engine(), &SyncEngine::progress);
        window.updateAction()->trigger();
        // The job runs on the pool: trigger() returned while it is still running.
        QVERIFY(window.engine()->isBusy(QStringLiteral("good")));
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("good"), MirrorTableModel::Progress), QStringLiteral("Updated"), 20000);
        QCOMPARE(cell(window, QStringLiteral("good"), MirrorTableModel::Health), QStringLiteral("In sync"));
        // The download reported its progress, by value, ending with every object received.
        QVERIFY(progress.count() >= 1);
        const QList<QVariant> last = progress.last();
        QCOMPARE(last.at(0).toString(), QStringLiteral("good"));
        QVERIFY(last.at(2).toUInt() > 0);
        QCOMPARE(last.at(1).toUInt(), last.at(2).toUInt());
        QVERIFY(!cell(window, QStringLiteral("good"), MirrorTableModel::LastSuccess).isEmpty());
        QCOMPARE(refOf(cacheOf(QStringLiteral("good")), QStringLiteral("refs/heads/main")), refOf(source(), QStringLiteral("refs/heads/main")));
        // Recorded exactly as the command line records it.
        const auto status = StateStore(stateDir()).status(QStringLiteral("good"));
        QVERIFY(status.ok());
        QCOMPARE(status->updateStatus, UpdateStatus::Finished);
        QCOMPARE(StateStore(stateDir()).history(QStringLiteral("good"))->size(), 1);

        // Again at once: Update now is disabled by the minimum manual interval, the reason in its
        // tooltip; triggering it anyway (a shortcut) runs nothing.
        QTRY_VERIFY(!window.updateAction()->isEnabled());
        QVERIFY2(window.updateAction()->toolTip().contains(QLatin1String("minimum manual interval")),
                 qPrintable(window.updateAction()->toolTip()));
        QVERIFY(window.updateNowBlock(QStringLiteral("good")).contains(QLatin1String("updated by hand")));
        window.updateSelected();
        QVERIFY2(window.lastMessage().contains(QLatin1String("minimum manual interval")), qPrintable(window.lastMessage()));
        QCOMPARE(StateStore(stateDir()).history(QStringLiteral("good"))->size(), 1);
    }

    void failingMirrorShowsItsError()
    {
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        window.selectMirror(QStringLiteral("gone"));
        window.updateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(cell(window, QStringLiteral("gone"), MirrorTableModel::Progress).startsWith(QLatin1String("Failed")), 20000);
        QCOMPARE(cell(window, QStringLiteral("gone"), MirrorTableModel::Health), QStringLiteral("Failing"));
        QVERIFY(!cell(window, QStringLiteral("gone"), MirrorTableModel::LastError).isEmpty());
        const auto status = StateStore(stateDir()).status(QStringLiteral("gone"));
        QVERIFY(status.ok());
        QCOMPARE(status->updateStatus, UpdateStatus::Failed);
        QVERIFY(status->errorCategory != ErrorCategory::None);
        QCOMPARE(status->consecutiveFailures, 1);
    }

    void checkAllShowsEachMirrorsState()
    {
        // A new upstream commit: the synced mirror is now behind; the missing one unreachable.
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, QStringLiteral("a.txt"), QStringLiteral("2"), QStringLiteral("two")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, source(), {QStringLiteral("main")}));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        window.checkAllAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("good"), MirrorTableModel::Progress), QStringLiteral("Behind"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(cell(window, QStringLiteral("gone"), MirrorTableModel::Progress).startsWith(QLatin1String("Unreachable")), 20000);
        const auto status = StateStore(stateDir()).status(QStringLiteral("good"));
        QVERIFY(status.ok() && status->lastCheck);
        QCOMPARE(checkStateName(status->lastCheck->state), QStringLiteral("behind"));
        QCOMPARE(status->updateStatus, UpdateStatus::Finished); // a check keeps the update's fields
    }

    // A relay through the window: Update now pushes the source's refs to the target, Check
    // compares both halves; a commit made on the target then shows as diverged.
    void relayUpdateNowAndCheck()
    {
        const QString target = m_daemon.baseDir() + QStringLiteral("/relay-target.git");
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(target));
        MirrorStore store(configPath());
        QVERIFY(store.modify([&](Config &c) {
            Mirror m;
            m.name = QStringLiteral("relay");
            m.shape = Shape::Relay;
            m.source.url = m_daemon.url(QStringLiteral("src.git"));
            m.target.url = m_daemon.url(QStringLiteral("relay-target.git"));
            m.minUpdateIntervalSeconds = 0;
            c.mirrors.append(m);
            return Status{};
        }).ok());
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded());
        window.selectMirror(QStringLiteral("relay"));
        window.updateAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("relay"), MirrorTableModel::Progress), QStringLiteral("Updated"), 20000);
        QCOMPARE(refOf(target, QStringLiteral("refs/heads/main")), refOf(source(), QStringLiteral("refs/heads/main")));
        window.checkAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("relay"), MirrorTableModel::Progress), QStringLiteral("In sync"), 20000);

        // Someone commits on the target: the check says diverged (cache ↔ target).
        const QString other = m_dir.filePath(QStringLiteral("relay-work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), target, other}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(other, QStringLiteral("b.txt"), QStringLiteral("x"), QStringLiteral("on the target")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(other, target, {QStringLiteral("main")}));
        window.checkAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("relay"), MirrorTableModel::Progress), QStringLiteral("Diverged"), 20000);
        const auto status = StateStore(stateDir()).status(QStringLiteral("relay"));
        QVERIFY(status.ok() && status->lastCheck && status->lastCheck->cacheTarget);
        QCOMPARE(status->lastCheck->cacheTarget->state, CheckState::Diverged);
        QCOMPARE(status->lastCheck->sourceCache->state, CheckState::InSync);
    }

    void mirrorLockedByAnotherProcessIsSkipped()
    {
        // Another MirrorDesk process (here: its lock file) is updating "gone".
        QLockFile lock(cacheOf(QStringLiteral("gone")) + QStringLiteral(".lock"));
        QVERIFY(lock.tryLock(0));
        MainWindow window(configPath(), stateDir());
        QTRY_VERIFY(window.loaded()); // the config and states are read on a worker
        window.selectMirror(QStringLiteral("gone"));
        window.updateAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(cell(window, QStringLiteral("gone"), MirrorTableModel::Progress) == QLatin1String("Running elsewhere"), 20000);
        QVERIFY(!window.model()->row(window.model()->rowOf(QStringLiteral("gone"))).status.lastError.contains(QLatin1String("running")));
        QVERIFY2(window.lastMessage().contains(QLatin1String("another MirrorDesk process")), qPrintable(window.lastMessage()));
    }

    void importExistingMirrorsListsThenAdopts()
    {
        // A cron script's ~/git/mirror: two `git clone --mirror` repositories and a folder that
        // is not one. The window lists them to confirm, then imports what is checked.
        QTemporaryDir dir;
        const QString mirrors = dir.filePath(QStringLiteral("git/mirror"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--mirror"), source(),
                                                         mirrors + QStringLiteral("/one.git")}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--mirror"), source(),
                                                         mirrors + QStringLiteral("/two.git")}));
        QVERIFY(QDir().mkpath(mirrors + QStringLiteral("/notes")));
        const QString config = dir.filePath(QStringLiteral("mirrors.json"));
        MainWindow window(config, dir.filePath(QStringLiteral("state")));
        QTRY_VERIFY(window.loaded());
        QVERIFY(window.importAction());
        const QStringList candidates = MirrorOps::importCandidates(mirrors);
        QCOMPARE(candidates.size(), 3);
        window.importMirrors(candidates);
        ImportDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<ImportDialog *>()) != nullptr);
        QCOMPARE(dialog->list()->topLevelItemCount(), 3);
        QCOMPARE(dialog->checkedPaths(), (QStringList{mirrors + QStringLiteral("/one.git"), mirrors + QStringLiteral("/two.git")}));
        const QTreeWidgetItem *notes = dialog->list()->topLevelItem(0);
        QCOMPARE(notes->text(0), mirrors + QStringLiteral("/notes"));
        QVERIFY(!(notes->flags() & Qt::ItemIsEnabled));
        QVERIFY(notes->text(3).contains(QStringLiteral("not a bare git repository")));
        QVERIFY(!QFileInfo::exists(config)); // the list changes nothing
        dialog->list()->topLevelItem(2)->setCheckState(0, Qt::Unchecked); // keep "two" out
        dialog->accept();
        QTRY_COMPARE(window.model()->rowCount(), 1);
        QCOMPARE(window.model()->rowOf(QStringLiteral("one")), 0);
        QVERIFY(window.lastMessage().contains(QStringLiteral("Imported 1 mirror")));
        QCOMPARE(GitRepoBuilder::run({QStringLiteral("config"), QStringLiteral("mirrordesk.cache")}, mirrors + QStringLiteral("/one.git")).trimmed(),
                 QStringLiteral("one"));
        QVERIFY(!GitRepoBuilder::tryRun({QStringLiteral("config"), QStringLiteral("mirrordesk.cache")}, mirrors + QStringLiteral("/two.git")).ok());
    }
};

QTEST_MAIN(TestWindowSync)
#include "TestWindowSync.moc"
