// The details pane against a real git daemon: a pull mirror whose upstream is force-pushed shows
// both runs, the forced ref and the warning in full, the plan on Refresh (run by a real engine),
// the old tip in the attic; Restore puts it back under a new name in the cache, Purge keeps the
// last five per ref, a mirror being synced is refused; quick selection changes show only the last
// mirror; a mirror never run says so; a check older than the last update is not shown as current.
#include "AtticPanel.h"
#include "DetailsPane.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "mirror/SyncEngine.h"
#include "ops/RunOps.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QLockFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace md;
using namespace md::ui;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;

class TestDetailsPane : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    GitDaemonServer m_daemon;
    QString m_work;
    QString m_oldTip; // main before the force-push
    SyncEngine *m_engine = nullptr;
    RunOps *m_runOps = nullptr;

    QString configPath() const { return m_dir.filePath(QStringLiteral("mirrors.json")); }
    QString stateDir() const { return m_dir.filePath(QStringLiteral("state")); }
    QString cacheOf(const QString &name) const { return m_dir.filePath(QStringLiteral("caches/") + name + QStringLiteral(".git")); }
    QString source() const { return m_daemon.baseDir() + QStringLiteral("/src.git"); }

    void addMirror(const QString &name, const QString &url)
    {
        MirrorStore store(configPath());
        QVERIFY(store.modify([&](Config &c) {
            c.settings.cacheRoot = m_dir.filePath(QStringLiteral("caches"));
            Mirror m;
            m.name = name;
            m.source.url = url;
            m.minUpdateIntervalSeconds = 0;
            c.mirrors.append(m);
            return Status{};
        }).ok());
    }

    Mirror mirror(const QString &name) const
    {
        const auto config = MirrorStore(configPath()).load();
        return config && config->mirror(name) ? *config->mirror(name) : Mirror{};
    }

    StatusRecord status(const QString &name) const
    {
        const auto status = StateStore(stateDir()).status(name);
        return status ? *status : StatusRecord{};
    }

    // Runs an update (or a plan) through the engine, as the window does; returns its entry.
    RunEntry run(const QString &name, bool dryRun)
    {
        const auto config = MirrorStore(configPath()).load();
        if (!config)
            return {};
        RunOps::UpdateOptions options;
        options.batch.dryRun = dryRun;
        std::optional<RunReport> report;
        const auto started = m_runOps->update(*config, {name}, options, [&report](const RunReport &r) { report = r; });
        if (!started)
            return {};
        if (!QTest::qWaitFor([&] { return report.has_value(); }, 30000))
            return {};
        return report->entries.value(0);
    }

    static int rowOfRef(const QTableWidget *table, const QString &ref)
    {
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->item(row, DetailsPane::RefNameColumn) && table->item(row, DetailsPane::RefNameColumn)->text() == ref)
                return row;
        }
        return -1;
    }

    static QString cell(const QTableWidget *table, int row, int column)
    {
        const QTableWidgetItem *item = table->item(row, column);
        return item ? item->text() : QStringLiteral("(no cell)");
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString base = m_dir.filePath(QStringLiteral("srv"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + QStringLiteral("/src.git")));
        m_work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(m_work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(m_work, QStringLiteral("a.txt"), QStringLiteral("1"), QStringLiteral("one")));
        QVERIFY_THROWS_NO_EXCEPTION(m_oldTip = GitRepoBuilder::commit(m_work, QStringLiteral("a.txt"), QStringLiteral("2"), QStringLiteral("two")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, base + QStringLiteral("/src.git"), {QStringLiteral("main")}));
        QVERIFY2(m_daemon.start(base), qPrintable(m_daemon.errorString()));
        addMirror(QStringLiteral("rewritten"), m_daemon.url(QStringLiteral("src.git")));
        addMirror(QStringLiteral("other"), m_daemon.url(QStringLiteral("src.git")));
        addMirror(QStringLiteral("fresh"), m_daemon.url(QStringLiteral("src.git")));
        addMirror(QStringLiteral("gone"), m_daemon.url(QStringLiteral("missing.git")));
        m_engine = new SyncEngine(stateDir(), this);
        m_engine->setConfigFile(configPath());
        m_runOps = new RunOps(*m_engine, stateDir(), this);
    }

    void historyPlanAndAtticOfARewrittenBranch()
    {
        QVERIFY(run(QStringLiteral("rewritten"), false).update.has_value());
        QVERIFY(run(QStringLiteral("other"), false).update.has_value());
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), QStringLiteral("refs/heads/main")), m_oldTip);

        // Upstream rewrites main: the next update forces it, the old tip kept in the attic.
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard"), QStringLiteral("HEAD~1")}, m_work));
        QString newTip;
        QVERIFY_THROWS_NO_EXCEPTION(newTip = GitRepoBuilder::commit(m_work, QStringLiteral("b.txt"), QStringLiteral("x"), QStringLiteral("rewritten")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(m_work, source(), {QStringLiteral("+main")}));

        DetailsPane pane(configPath(), stateDir());
        QSignalSpy planRequests(&pane, &DetailsPane::planRequested);
        connect(&pane, &DetailsPane::planRequested, this, [this, &pane](const QString &name) { pane.showPlan(run(name, true)); });
        pane.show();
        pane.showMirror(mirror(QStringLiteral("rewritten")), status(QStringLiteral("rewritten")));
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(pane.historyTable()->rowCount(), 1);
        // Selecting a mirror never contacts the source: the plan waits for Refresh.
        QCOMPARE(planRequests.count(), 0);
        QVERIFY2(pane.planText().contains(QLatin1String("press Refresh")), qPrintable(pane.planText()));
        QVERIFY(pane.refreshPlanButton()->isEnabled());
        QTest::mouseClick(pane.refreshPlanButton(), Qt::LeftButton);
        QCOMPARE(planRequests.count(), 1);
        QCOMPARE(planRequests.first().first().toString(), QStringLiteral("rewritten"));
        QTRY_VERIFY_WITH_TIMEOUT(pane.planTable()->rowCount() > 0, 30000);
        const int planned = rowOfRef(pane.planTable(), QStringLiteral("refs/heads/main"));
        QVERIFY(planned >= 0);
        QCOMPARE(cell(pane.planTable(), planned, DetailsPane::ActionColumn), QStringLiteral("forced"));
        QCOMPARE(cell(pane.planTable(), planned, DetailsPane::OidsColumn), m_oldTip.left(10) + QStringLiteral(" → ") + newTip.left(10));
        QVERIFY2(pane.planText().contains(QLatin1String("main was rewritten upstream; old tip would be kept in the attic")), qPrintable(pane.planText()));
        QVERIFY(pane.refreshPlanButton()->isEnabled());
        // A plan changes nothing.
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), QStringLiteral("refs/heads/main")), m_oldTip);
        QCOMPARE(StateStore(stateDir()).history(QStringLiteral("rewritten"))->size(), 1);

        // The update itself, then the pane shown again with the new status (as after a run).
        const RunEntry updated = run(QStringLiteral("rewritten"), false);
        QVERIFY(updated.update && updated.update->status);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), QStringLiteral("refs/heads/main")), newTip);
        pane.showMirror(mirror(QStringLiteral("rewritten")), *updated.update->status);
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(pane.historyTable()->rowCount(), 2);
        QCOMPARE(pane.historyTable()->currentRow(), 0); // the newest run, selected
        QVERIFY2(cell(pane.historyTable(), 0, DetailsPane::ChangesColumn).contains(QLatin1String("1 forced")),
                 qPrintable(cell(pane.historyTable(), 0, DetailsPane::ChangesColumn)));
        QVERIFY(cell(pane.historyTable(), 1, DetailsPane::ChangesColumn).contains(QLatin1String("created")));
        const int forced = rowOfRef(pane.refsTable(), QStringLiteral("refs/heads/main"));
        QVERIFY(forced >= 0);
        QCOMPARE(cell(pane.refsTable(), forced, DetailsPane::ActionColumn), QStringLiteral("forced"));
        QCOMPARE(cell(pane.refsTable(), forced, DetailsPane::ResultColumn), QStringLiteral("done"));
        QCOMPARE(cell(pane.refsTable(), forced, DetailsPane::OidsColumn), m_oldTip.left(10) + QStringLiteral(" → ") + newTip.left(10));
        const QString warning = QStringLiteral("main was rewritten upstream; old tip kept in the attic");
        QVERIFY2(pane.historyText().contains(warning), qPrintable(pane.historyText()));
        QVERIFY2(pane.summaryText().contains(warning), qPrintable(pane.summaryText()));
        // The older run: its own refs.
        pane.historyTable()->setCurrentCell(1, 0);
        QCOMPARE(cell(pane.refsTable(), rowOfRef(pane.refsTable(), QStringLiteral("refs/heads/main")), DetailsPane::ActionColumn),
                 QStringLiteral("created"));
        QVERIFY(!pane.historyText().contains(warning));
        // A plan is stale once the mirror ran: back to "press Refresh".
        QCOMPARE(pane.planTable()->rowCount(), 0);
        QVERIFY2(pane.planText().contains(QLatin1String("press Refresh")), qPrintable(pane.planText()));
        // The attic: the old tip, why, on the cache's side.
        QCOMPARE(pane.attic()->table()->rowCount(), 1);
        QCOMPARE(pane.attic()->entries().first().ref, QStringLiteral("refs/heads/main"));
        QCOMPARE(pane.attic()->entries().first().oid, m_oldTip);
        QCOMPARE(cell(pane.attic()->table(), 0, AtticPanel::Ref), QStringLiteral("refs/heads/main"));
        QCOMPARE(cell(pane.attic()->table(), 0, AtticPanel::Oid), m_oldTip.left(12));
        QCOMPARE(cell(pane.attic()->table(), 0, AtticPanel::Why), QStringLiteral("rewritten upstream"));
        QCOMPARE(cell(pane.attic()->table(), 0, AtticPanel::Side), QStringLiteral("cache"));
    }

    void restoreUnderANewName()
    {
        DetailsPane pane(configPath(), stateDir());
        QSignalSpy messages(&pane, &DetailsPane::message);
        pane.show();
        pane.showMirror(mirror(QStringLiteral("rewritten")), status(QStringLiteral("rewritten")));
        QTRY_VERIFY(pane.isLoaded());
        AtticPanel *attic = pane.attic();
        QVERIFY(!attic->restoreButton()->isEnabled()); // nothing selected yet
        QVERIFY(attic->askRestore() == nullptr);
        attic->table()->selectRow(0);
        QVERIFY(attic->restoreButton()->isEnabled());
        QTest::mouseClick(attic->restoreButton(), Qt::LeftButton);
        QDialog *dialog = attic->findChild<QDialog *>(QStringLiteral("restoreDialog"));
        QVERIFY(dialog && dialog->isVisible());
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("refName"));
        QVERIFY(name);
        QCOMPARE(name->text(), QStringLiteral("refs/heads/main")); // prefilled with the entry's ref
        name->setText(QStringLiteral("refs/heads/rescued"));
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!attic->isBusy(), 30000);
        QVERIFY2(attic->resultText().startsWith(QStringLiteral("Restored refs/heads/rescued to ") + m_oldTip.left(12)),
                 qPrintable(attic->resultText()));
        QVERIFY(attic->resultText().contains(QLatin1String("follow the source again")));
        QCOMPARE(messages.count(), 1);
        QVERIFY(messages.first().first().toString().startsWith(QLatin1String("rewritten: Restored refs/heads/rescued")));
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), QStringLiteral("refs/heads/rescued")), m_oldTip);
        QTRY_VERIFY(pane.isLoaded()); // the attic read again
        QCOMPARE(attic->table()->rowCount(), 1);

        // A ref name MirrorDesk may not write is refused by the operation, with its reason.
        attic->restore(attic->entries().first().id, QStringLiteral("refs/mirrordesk/x"));
        QTRY_VERIFY_WITH_TIMEOUT(!attic->isBusy(), 30000);
        QVERIFY2(attic->resultText().startsWith(QLatin1String("Cannot restore: ")), qPrintable(attic->resultText()));
    }

    void purgeKeepsTheLastFivePerRef()
    {
        DetailsPane pane(configPath(), stateDir());
        pane.show();
        pane.showMirror(mirror(QStringLiteral("rewritten")), status(QStringLiteral("rewritten")));
        QTRY_VERIFY(pane.isLoaded());
        AtticPanel *attic = pane.attic();
        QVERIFY(attic->purgeButton()->isEnabled());
        QTest::mouseClick(attic->purgeButton(), Qt::LeftButton);
        QDialog *dialog = attic->findChild<QDialog *>(QStringLiteral("purgeDialog"));
        QVERIFY(dialog && dialog->isVisible());
        auto *days = dialog->findChild<QSpinBox *>(QStringLiteral("days"));
        QVERIFY(days);
        QCOMPARE(days->value(), 90); // attic_retention_days
        days->setValue(0);
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!attic->isBusy(), 30000);
        QVERIFY2(attic->resultText().startsWith(QLatin1String("Nothing to purge")), qPrintable(attic->resultText()));
        QVERIFY(attic->resultText().contains(QLatin1String("the last 5 of each ref are always kept")));
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(attic->table()->rowCount(), 1);
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), attic->entries().first().atticRef()), m_oldTip);
    }

    void restoreWhileSyncedIsRefused()
    {
        DetailsPane pane(configPath(), stateDir());
        pane.showMirror(mirror(QStringLiteral("rewritten")), status(QStringLiteral("rewritten")));
        QTRY_VERIFY(pane.isLoaded());
        // Another MirrorDesk process (here: its lock file) is syncing the mirror.
        QLockFile lock(cacheOf(QStringLiteral("rewritten")) + QStringLiteral(".lock"));
        QVERIFY(lock.tryLock(0));
        pane.attic()->restore(pane.attic()->entries().first().id, QStringLiteral("refs/heads/again"));
        QVERIFY(pane.attic()->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!pane.attic()->isBusy(), 30000);
        QVERIFY2(pane.attic()->resultText().contains(QLatin1String("being synced")), qPrintable(pane.attic()->resultText()));
        QCOMPARE(GitRepoBuilder::refOrEmpty(cacheOf(QStringLiteral("rewritten")), QStringLiteral("refs/heads/again")), QString());
    }

    void quickSelectionChangesShowOnlyTheLast()
    {
        DetailsPane pane(configPath(), stateDir());
        QSignalSpy loaded(&pane, &DetailsPane::loaded);
        for (const QString &name : {QStringLiteral("rewritten"), QStringLiteral("fresh"), QStringLiteral("rewritten"), QStringLiteral("other")})
            pane.showMirror(mirror(name), status(name));
        // Every read answered (the older ones dropped), then the answers delivered.
        QThreadPool::globalInstance()->waitForDone();
        QTRY_VERIFY(pane.isLoaded());
        QCoreApplication::sendPostedEvents();
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(loaded.first().first().toString(), QStringLiteral("other"));
        QCOMPARE(pane.mirrorName(), QStringLiteral("other"));
        QCOMPARE(pane.historyTable()->rowCount(), 1);
        QCOMPARE(pane.attic()->table()->rowCount(), 0); // rewritten's entry is not other's
        QCOMPARE(pane.attic()->mirrorName(), QStringLiteral("other"));
        QVERIFY(!pane.summaryText().contains(QLatin1String("rewritten")));
        // Nothing selected: nothing shown, and an answer still on its way is dropped.
        pane.showMirror(mirror(QStringLiteral("rewritten")), status(QStringLiteral("rewritten")));
        pane.clear();
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(pane.mirrorName(), QString());
        QCOMPARE(pane.historyTable()->rowCount(), 0);
        QVERIFY(!pane.tabs()->isEnabled());
    }

    void neverRunMirror()
    {
        DetailsPane pane(configPath(), stateDir());
        pane.showMirror(mirror(QStringLiteral("fresh")), status(QStringLiteral("fresh")));
        QVERIFY2(pane.summaryText().contains(QLatin1String("Never run")), qPrintable(pane.summaryText()));
        QVERIFY(pane.summaryText().contains(QLatin1String("Not checked yet")));
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(pane.historyTable()->rowCount(), 0);
        QCOMPARE(pane.historyText(), QStringLiteral("Never run"));
        QCOMPARE(pane.attic()->table()->rowCount(), 0);
        QVERIFY(!pane.attic()->purgeButton()->isEnabled());
        QVERIFY(pane.planText().contains(QLatin1String("No plan yet: press Refresh")));
    }

    void failedRunShowsItsErrorInFullAndTheUpdateNowReason()
    {
        const RunEntry failed = run(QStringLiteral("gone"), false);
        QVERIFY(failed.update && failed.update->status);
        const StatusRecord recorded = *failed.update->status;
        QVERIFY(!recorded.lastError.isEmpty());
        QVERIFY(recorded.errorCategory != ErrorCategory::None);
        DetailsPane pane(configPath(), stateDir());
        pane.showMirror(mirror(QStringLiteral("gone")), recorded);
        pane.setUpdateNowReason(QStringLiteral("min_update_interval_seconds (60 s) has not passed"));
        const QString summary = pane.summaryText();
        QVERIFY2(summary.contains(recorded.lastError), qPrintable(summary)); // the whole text
        QVERIFY(summary.contains(QLatin1String("Last error (")));
        QVERIFY(!summary.contains(QLatin1String("not_found"))); // words, not JSON names
        QVERIFY(summary.contains(QLatin1String("Update now is unavailable: min_update_interval_seconds (60 s) has not passed")));
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(pane.historyTable()->rowCount(), 1);
        QVERIFY(cell(pane.historyTable(), 0, DetailsPane::OutcomeColumn).startsWith(QLatin1String("Failed (")));
        QVERIFY2(pane.historyText().contains(recorded.lastError), qPrintable(pane.historyText()));
        pane.setUpdateNowReason(QString());
        QVERIFY(!pane.summaryText().contains(QLatin1String("Update now")));
    }

    // A relay whose target was changed behind its back: the update forces the target's ref, its
    // old tip kept in the attic on the target's side; Restore pushes it back to the target (the
    // mirror's job prepared first, as for a run).
    void restoreOnTheTargetOfARelay()
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
        QVERIFY(run(QStringLiteral("relay"), false).update.has_value());
        QCOMPARE(GitRepoBuilder::refOrEmpty(target, QStringLiteral("refs/heads/main")), GitRepoBuilder::refOrEmpty(source(), QStringLiteral("refs/heads/main")));
        const QString other = m_dir.filePath(QStringLiteral("relay-work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({QStringLiteral("clone"), QStringLiteral("-q"), target, other}));
        QString onTarget;
        QVERIFY_THROWS_NO_EXCEPTION(onTarget = GitRepoBuilder::commit(other, QStringLiteral("t.txt"), QStringLiteral("x"), QStringLiteral("on the target")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(other, target, {QStringLiteral("main")}));
        const RunEntry updated = run(QStringLiteral("relay"), false);
        QVERIFY(updated.update && updated.update->status);
        QCOMPARE(GitRepoBuilder::refOrEmpty(target, QStringLiteral("refs/heads/main")), GitRepoBuilder::refOrEmpty(source(), QStringLiteral("refs/heads/main")));

        DetailsPane pane(configPath(), stateDir());
        pane.showMirror(mirror(QStringLiteral("relay")), *updated.update->status);
        QTRY_VERIFY(pane.isLoaded());
        QCOMPARE(pane.historyTable()->rowCount(), 2);
        const int forced = rowOfRef(pane.refsTable(), QStringLiteral("refs/heads/main"));
        QVERIFY2(forced >= 0, qPrintable(pane.historyText()));
        QCOMPARE(cell(pane.refsTable(), forced, DetailsPane::SideColumn), QStringLiteral("target"));
        AtticPanel *attic = pane.attic();
        const auto entry = std::find_if(attic->entries().cbegin(), attic->entries().cend(),
                                        [](const AtticEntry &e) { return e.side == QLatin1String("target"); });
        QVERIFY(entry != attic->entries().cend());
        QCOMPARE(entry->oid, onTarget);
        QCOMPARE(cell(attic->table(), int(entry - attic->entries().cbegin()), AtticPanel::Side), QStringLiteral("target"));
        attic->restore(entry->id, QStringLiteral("refs/heads/rescued"));
        QTRY_VERIFY_WITH_TIMEOUT(!attic->isBusy(), 30000);
        QVERIFY2(attic->resultText().startsWith(QStringLiteral("Restored the target's refs/heads/rescued to ") + onTarget.left(12)),
                 qPrintable(attic->resultText()));
        QCOMPARE(GitRepoBuilder::refOrEmpty(target, QStringLiteral("refs/heads/rescued")), onTarget);
    }

    void checkOlderThanTheLastUpdateIsNotCurrent()
    {
        DetailsPane pane(configPath(), stateDir());
        StatusRecord s = status(QStringLiteral("rewritten"));
        QVERIFY(s.lastSuccessfulUpdateAt.isValid());
        CheckRecord check;
        check.state = CheckState::Behind;
        check.checkedAt = s.lastSuccessfulUpdateAt.addSecs(-60);
        s.lastCheck = check;
        pane.showMirror(mirror(QStringLiteral("rewritten")), s);
        QVERIFY2(pane.summaryText().contains(QLatin1String("Not checked since the last update")), qPrintable(pane.summaryText()));
        QVERIFY(!pane.summaryText().contains(QLatin1String("Checked at")));
        QVERIFY(pane.planText().contains(QLatin1String("No plan yet")));
        // A newer check is the current state, with its time.
        s.lastCheck->checkedAt = s.lastSuccessfulUpdateAt.addSecs(60);
        s.lastCheck->state = CheckState::InSync;
        pane.showMirror(mirror(QStringLiteral("rewritten")), s);
        QVERIFY2(pane.summaryText().contains(QLatin1String("Checked at ")), qPrintable(pane.summaryText()));
        QVERIFY(pane.summaryText().contains(QLatin1String(": in sync")));
        QVERIFY2(pane.planText().contains(QLatin1String("The last check (")) && pane.planText().contains(QLatin1String(": in sync) keeps no per-ref plan")),
                 qPrintable(pane.planText()));
        QTRY_VERIFY(pane.isLoaded());
    }
};

QTEST_MAIN(TestDetailsPane)
#include "TestDetailsPane.moc"
