// The mirror editor (New, Edit, Duplicate): typed into like a user, checked by the command line's
// rules as it goes (the message under the bad field, OK disabled), the rules in words following
// the options, Test connection against a real git daemon (the filter's branches ticked), a dead
// port and a silent server closed under it, and OK saving through MirrorOps::save on a worker.
#include "Background.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "MirrorEditor.h"
#include "ServerProcess.h"
#include "SilentServer.h"
#include "mirror/MirrorStore.h"
#include "ops/MirrorOps.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace md;
using namespace md::ui;
using namespace Qt::StringLiterals;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::SilentServer;
using Mode = MirrorEditor::Mode;

class TestMirrorEditor : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    GitDaemonServer m_daemon;

    QString cacheRoot() const { return m_dir.filePath(u"caches"_s); }

    Config config() const
    {
        Config config;
        config.settings.cacheRoot = cacheRoot();
        config.settings.defaultIntervalMinutes = 5;
        Credential token;
        token.name = u"gh-token"_s;
        token.kind = CredentialKind::Token;
        token.secretSource = SecretSource{SecretSource::Kind::Env, u"MD_NO_SUCH_VARIABLE"_s};
        Credential agent;
        agent.name = u"agent"_s;
        agent.kind = CredentialKind::SshAgent;
        config.credentials = {token, agent};
        Mirror alpha;
        alpha.name = u"Alpha"_s;
        alpha.source.url = u"https://example.org/alpha.git"_s;
        config.mirrors = {alpha};
        return config;
    }

    // A relay mirror with every field away from its default.
    static Mirror fullRelay()
    {
        Mirror m;
        m.name = u"team/relay"_s;
        m.shape = Shape::Relay;
        m.source = {u"https://example.org/group/app.git"_s, u"gh-token"_s, u"http://proxy.example:3128"_s};
        m.target = {u"ssh://git@example.com/mirror/app.git"_s, u"agent"_s, {}};
        m.cachePath = u"/srv/caches/relay.git"_s;
        m.enabled = false;
        m.intervalMinutes = 42;
        m.minUpdateIntervalSeconds = 300;
        m.keepDivergentRefs = true;
        m.onlyProtectedBranches = true;
        m.protectedBranches = {u"main"_s, u"release/*"_s};
        m.prune = PrunePolicy::None;
        m.mirrorTags = TagPolicy::Reachable;
        return m;
    }

    static QLabel *errorLabel(const MirrorEditor &editor, const QString &field)
    {
        return editor.findChild<QLabel *>(u"error_"_s + field);
    }

    static void choose(QComboBox *box, const QVariant &data)
    {
        const int index = box->findData(data);
        QVERIFY(index >= 0);
        box->setCurrentIndex(index);
    }

    static QMap<QString, bool> ticks(const MirrorEditor &editor)
    {
        QMap<QString, bool> out;
        for (int i = 0; i < editor.branchList()->count(); ++i)
            out.insert(editor.branchList()->item(i)->text(), editor.branchList()->item(i)->checkState() == Qt::Checked);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString base = m_dir.filePath(u"srv"_s);
        const QString work = m_dir.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + u"/src.git"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s));
        for (const QString &branch : {u"release/1.0"_s, u"release/2.0"_s, u"feature/release-notes"_s})
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"branch"_s, branch}, work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, base + u"/src.git"_s, {u"--all"_s}));
        QVERIFY2(m_daemon.start(base), qPrintable(m_daemon.errorString()));
    }

    void badUrlIsRefusedUnderItsFieldAsTyped()
    {
        MirrorEditor editor(Mode::New, config());
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QVERIFY(!editor.isValid());
        QVERIFY(!editor.okButton()->isEnabled());
        // New: the defaults come from the settings.
        QCOMPARE(editor.intervalBox()->text(), u"default (5 min)"_s);
        QVERIFY(editor.enabledBox()->isChecked());
        QCOMPARE(editor.minIntervalBox()->value(), 60);

        QTest::keyClicks(editor.nameEdit(), u"team/app"_s);
        QCOMPARE(editor.cachePathEdit()->placeholderText(), u"default: "_s + cacheRoot() + u"/team/app.git"_s);
        QTest::keyClicks(editor.sourceUrlEdit(), u"https:/example.org/app.git"_s); // "://" mistyped
        QVERIFY2(!editor.errorOf(u"source.url"_s).isEmpty(), qPrintable(editor.errorOf(u"general"_s)));
        QVERIFY(errorLabel(editor, u"source.url"_s)->isVisible());
        QVERIFY(editor.errorOf(u"name"_s).isEmpty());
        QVERIFY(!editor.okButton()->isEnabled());

        editor.sourceUrlEdit()->clear();
        QTest::keyClicks(editor.sourceUrlEdit(), u"https://example.org/app.git"_s);
        QVERIFY2(editor.errorOf(u"source.url"_s).isEmpty(), qPrintable(editor.errorOf(u"source.url"_s)));
        QVERIFY(!errorLabel(editor, u"source.url"_s)->isVisible());
        QVERIFY(editor.isValid());
        QVERIFY(editor.okButton()->isEnabled());
        const Mirror m = editor.mirror();
        QCOMPARE(m.name, u"team/app"_s);
        QCOMPARE(m.shape, Shape::Pull);
        QVERIFY(!m.intervalMinutes);
        QVERIFY(!m.prune);
        QVERIFY(m.cachePath.isEmpty());

        // A relative cache path, the rule's own message.
        editor.cachePathEdit()->setText(u"relative/cache.git"_s);
        QVERIFY(!editor.errorOf(u"cache_path"_s).isEmpty());
        QVERIFY(!editor.okButton()->isEnabled());
        editor.cachePathEdit()->clear();
        QVERIFY(editor.okButton()->isEnabled());
    }

    void badRegexShowsRe2sMessage()
    {
        MirrorEditor editor(Mode::New, config());
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(u"https://example.org/app.git"_s);
        QVERIFY(editor.isValid());
        QTest::keyClicks(editor.regexEdit(), u"^(release"_s);
        QVERIFY2(editor.errorOf(u"mirror_branch_regex"_s).contains(u"missing )"_s), qPrintable(editor.errorOf(u"mirror_branch_regex"_s)));
        QVERIFY(!editor.okButton()->isEnabled());
        QTest::keyClicks(editor.regexEdit(), u"/.*)"_s);
        QVERIFY(editor.errorOf(u"mirror_branch_regex"_s).isEmpty());
        QVERIFY(editor.okButton()->isEnabled());
        // GitLab's rule: a regex and only-protected-branches together are refused.
        editor.onlyProtectedBox()->setChecked(true);
        editor.protectedEdit()->setPlainText(u"main"_s);
        QVERIFY(!editor.errorOf(u"mirror_branch_regex"_s).isEmpty());
        editor.regexEdit()->clear();
        QVERIFY(editor.isValid());
        // A bad pattern, under the patterns.
        editor.protectedEdit()->setPlainText(u"main\nrefs/heads/x"_s);
        QVERIFY(editor.errorOf(u"protected_branches"_s).contains(u"refs/"_s));
        QVERIFY(!editor.okButton()->isEnabled());
    }

    void nameTakenIgnoringCaseIsRefused()
    {
        MirrorEditor editor(Mode::New, config());
        editor.sourceUrlEdit()->setText(u"https://example.org/other.git"_s);
        QTest::keyClicks(editor.nameEdit(), u"alpha"_s);
        QVERIFY2(editor.errorOf(u"name"_s).contains(u"already exists"_s), qPrintable(editor.errorOf(u"name"_s)));
        QVERIFY(!editor.okButton()->isEnabled());
        QTest::keyClicks(editor.nameEdit(), u"2"_s);
        QVERIFY(editor.errorOf(u"name"_s).isEmpty());
        QVERIFY(editor.okButton()->isEnabled());
        editor.nameEdit()->setText(u"bad name"_s);
        QVERIFY(!editor.errorOf(u"name"_s).isEmpty());
    }

    void urlWithASecretIsRefusedWithoutShowingIt()
    {
        MirrorEditor editor(Mode::New, config());
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(u"https://bob:s3cr3t-t0ken@example.org/app.git"_s);
        const QString error = editor.errorOf(u"source.url"_s);
        QVERIFY2(error.contains(u"Settings ▸ Credentials"_s), qPrintable(error));
        QVERIFY(!error.contains(u"s3cr3t"_s));
        QVERIFY(!editor.okButton()->isEnabled());
        editor.sourceUrlEdit()->setText(u"https://example.org/app.git"_s);
        choose(editor.sourceCredentialBox(), u"gh-token"_s);
        QVERIFY(editor.isValid());
        QCOMPARE(editor.mirror().source.credential, u"gh-token"_s);
        // A credential that does not fit the URL: the config's rule, under the credential.
        choose(editor.sourceCredentialBox(), u"agent"_s);
        QVERIFY2(!editor.errorOf(u"source.credential"_s).isEmpty(), qPrintable(editor.errorOf(u"general"_s)));
        QVERIFY(!editor.okButton()->isEnabled());
    }

    void editModeIsFilledWithEveryField()
    {
        Config c = config();
        c.mirrors.append(fullRelay());
        MirrorEditor editor(Mode::Edit, c, fullRelay());
        QCOMPARE(editor.originalName(), u"team/relay"_s);
        QCOMPARE(editor.nameEdit()->text(), u"team/relay"_s);
        QCOMPARE(editor.shapeBox()->currentData().toInt(), static_cast<int>(Shape::Relay));
        QVERIFY(editor.shapeNote().isEmpty()); // a stored shape is not inferred
        QCOMPARE(editor.sourceCredentialBox()->currentData().toString(), u"gh-token"_s);
        QCOMPARE(editor.targetCredentialBox()->currentData().toString(), u"agent"_s);
        QCOMPARE(editor.sourceProxyEdit()->text(), u"http://proxy.example:3128"_s);
        QCOMPARE(editor.cachePathEdit()->text(), u"/srv/caches/relay.git"_s);
        QCOMPARE(editor.intervalBox()->value(), 42);
        QCOMPARE(editor.minIntervalBox()->value(), 300);
        QVERIFY(!editor.enabledBox()->isChecked());
        QVERIFY(editor.keepDivergentBox()->isChecked());
        QVERIFY(editor.keepDivergentBox()->isEnabled());
        QVERIFY(!editor.overwriteDivergedBox()->isEnabled()); // a pull option
        QCOMPARE(editor.protectedEdit()->toPlainText(), u"main\nrelease/*"_s);
        QCOMPARE(editor.pruneBox()->currentData().toInt(), static_cast<int>(PrunePolicy::None));
        QCOMPARE(editor.tagsBox()->currentData().toInt(), static_cast<int>(TagPolicy::Reachable));
        QVERIFY2(editor.isValid(), qPrintable(editor.errorOf(u"general"_s)));
        QCOMPARE(editor.mirror(), fullRelay()); // every field round-trips
        // Editing keeps its own name free; a new one is a rename.
        editor.nameEdit()->setText(u"team/relay2"_s);
        QVERIFY(editor.isValid());
        QCOMPARE(editor.originalName(), u"team/relay"_s);
        editor.nameEdit()->setText(u"ALPHA"_s);
        QVERIFY(!editor.errorOf(u"name"_s).isEmpty());
    }

    void duplicateModeCopiesAllButNameAndCache()
    {
        Config c = config();
        c.mirrors.append(fullRelay());
        MirrorEditor editor(Mode::Duplicate, c, fullRelay());
        QVERIFY(editor.originalName().isEmpty());
        QCOMPARE(editor.nameEdit()->text(), u"team/relay-copy"_s);
        QVERIFY(editor.cachePathEdit()->text().isEmpty());
        QCOMPARE(editor.cachePathEdit()->placeholderText(), u"default: "_s + cacheRoot() + u"/team/relay-copy.git"_s);
        Mirror expected = fullRelay();
        expected.name = u"team/relay-copy"_s;
        expected.cachePath.clear();
        QCOMPARE(editor.mirror(), expected);
        QVERIFY(editor.isValid());
        // The copy's name is free: a second duplicate counts on.
        c.mirrors.append(expected);
        std::unique_ptr<MirrorEditor> again(MirrorEditor::open(Mode::Duplicate, c, u"team/relay"_s));
        QVERIFY(again);
        QCOMPARE(again->nameEdit()->text(), u"team/relay-copy-2"_s);
        QVERIFY(!MirrorEditor::open(Mode::Edit, c, u"nobody"_s));
    }

    void shapeFollowsTheUrlsUntilPicked()
    {
        MirrorEditor editor(Mode::New, config());
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(u"https://example.org/app.git"_s);
        QCOMPARE(editor.mirror().shape, Shape::Pull);
        QVERIFY(editor.shapeNote().contains(u"pull"_s));
        QVERIFY(!editor.targetCredentialBox()->isEnabled()); // no target URL, no target credential
        editor.targetUrlEdit()->setText(u"https://example.com/app.git"_s);
        QCOMPARE(editor.mirror().shape, Shape::Relay);
        QVERIFY(editor.targetCredentialBox()->isEnabled());
        QVERIFY(editor.isValid());
        editor.sourceUrlEdit()->setText(m_dir.filePath(u"work"_s));
        QCOMPARE(editor.mirror().shape, Shape::Push);
        QVERIFY(editor.shapeNote().contains(u"push"_s));
        // A relative local path: the window has no working folder to resolve it against.
        editor.sourceUrlEdit()->setText(u"work/repo"_s);
        QVERIFY(!editor.errorOf(u"source.url"_s).isEmpty());
        // Picked by hand, the shape stays; the rule then speaks about the target.
        editor.sourceUrlEdit()->setText(u"https://example.org/app.git"_s);
        choose(editor.shapeBox(), static_cast<int>(Shape::Pull));
        QVERIFY(editor.shapeNote().isEmpty());
        QCOMPARE(editor.mirror().shape, Shape::Pull);
        QVERIFY2(editor.errorOf(u"target.url"_s).contains(u"no target"_s), qPrintable(editor.errorOf(u"target.url"_s)));
        editor.targetUrlEdit()->clear();
        QVERIFY(editor.isValid());
    }

    void rulesInWordsFollowTheOptions()
    {
        MirrorEditor editor(Mode::New, config());
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(u"https://example.org/app.git"_s);
        QVERIFY2(editor.rulesText().contains(u"Branches and tags deleted upstream are moved to the attic, then removed. That is the default for a pull mirror."_s),
                 qPrintable(editor.rulesText()));
        QVERIFY(editor.rulesText().contains(u"A branch rewritten upstream is overwritten; its old tip is kept in the attic."_s));
        QVERIFY(editor.rulesText().contains(u"Synced every 5 minute"_s));
        QVERIFY(editor.rulesText().contains(u"Every branch is mirrored."_s));

        choose(editor.pruneBox(), static_cast<int>(PrunePolicy::None));
        QVERIFY(editor.rulesText().contains(u"Branches and tags deleted upstream are kept."_s));
        QVERIFY(!editor.rulesText().contains(u"moved to the attic, then removed"_s));
        editor.overwriteDivergedBox()->setChecked(false);
        QVERIFY(editor.rulesText().contains(u"reported and left as it was"_s));
        editor.intervalBox()->setValue(15);
        QVERIFY(editor.rulesText().contains(u"Synced every 15 minute"_s));
        editor.regexEdit()->setText(u"^release/"_s);
        QVERIFY(editor.rulesText().contains(u"Only branches whose name matches “^release/” (anywhere in the name)"_s));

        editor.targetUrlEdit()->setText(u"https://example.com/app.git"_s); // now a relay
        choose(editor.pruneBox(), -1);
        QVERIFY2(editor.rulesText().contains(u"found only on the target are deleted there when merged"_s), qPrintable(editor.rulesText()));
        editor.keepDivergentBox()->setChecked(true);
        QVERIFY(editor.rulesText().contains(u"Nothing is ever deleted on the target"_s));
        QVERIFY(editor.rulesText().contains(u"left alone and named"_s));
        QVERIFY(editor.mirror().mirrorOverwritesDivergedBranches); // the pull option is back at its default
        QVERIFY(editor.isValid());
    }

    void testConnectionTicksTheBranchesTheFilterSelects()
    {
        MirrorEditor editor(Mode::New, config());
        editor.show();
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(m_daemon.url(u"src.git"_s));
        editor.regexEdit()->setText(u"^release/"_s);
        QVERIFY(editor.testButton()->isEnabled());
        QTest::mouseClick(editor.testButton(), Qt::LeftButton);
        QVERIFY(editor.testing()); // listed on a worker: the click returned at once
        QTRY_VERIFY_WITH_TIMEOUT(!editor.testing(), 30000);
        QVERIFY2(editor.testStatus().startsWith(u"2 of 4 branch"_s), qPrintable(editor.testStatus()));
        QVERIFY(editor.testStatus().contains(u"main"_s)); // the default branch
        const QMap<QString, bool> expected{{u"feature/release-notes"_s, false}, {u"main"_s, false},
                                           {u"release/1.0"_s, true}, {u"release/2.0"_s, true}};
        QCOMPARE(ticks(editor), expected);
        // Unanchored, as GitLab: "release" also matches inside a name. Re-ticked without listing again.
        editor.regexEdit()->setText(u"release"_s);
        QVERIFY(!editor.testing());
        QVERIFY(editor.testStatus().startsWith(u"3 of 4 branch"_s));
        QVERIFY(ticks(editor).value(u"feature/release-notes"_s));
        editor.regexEdit()->setText(u"(release"_s);
        QVERIFY(editor.testStatus().contains(u"Fix the branch filter"_s));
        editor.regexEdit()->clear();
        editor.onlyProtectedBox()->setChecked(true);
        editor.protectedEdit()->setPlainText(u"main\nrelease/2.*"_s);
        QVERIFY(editor.testStatus().startsWith(u"2 of 4 branch"_s));
        QCOMPARE(ticks(editor).value(u"main"_s), true);
        QCOMPARE(ticks(editor).value(u"release/1.0"_s), false);
    }

    void testConnectionToADeadPortSaysSo()
    {
        MirrorEditor editor(Mode::New, config());
        editor.nameEdit()->setText(u"app"_s);
        editor.sourceUrlEdit()->setText(u"git://127.0.0.1:%1/src.git"_s.arg(md::fixtures::pickFreePort()));
        editor.testConnection();
        QTRY_VERIFY_WITH_TIMEOUT(!editor.testing(), 30000);
        QVERIFY2(editor.testStatus().startsWith(u"Cannot list the source: "_s), qPrintable(editor.testStatus()));
        QCOMPARE(editor.branchList()->count(), 0);
        // A credential whose secret cannot be read: said before any connection.
        editor.sourceUrlEdit()->setText(m_daemon.url(u"src.git"_s));
        choose(editor.sourceCredentialBox(), u"gh-token"_s);
        editor.testConnection();
        QTRY_VERIFY_WITH_TIMEOUT(!editor.testing(), 30000);
        QVERIFY2(editor.testStatus().contains(u"MD_NO_SUCH_VARIABLE"_s), qPrintable(editor.testStatus()));
    }

    void closingWhileListingIsSafe()
    {
        SilentServer silent;
        QVERIFY2(silent.start(), qPrintable(silent.errorString()));
        auto *editor = new MirrorEditor(Mode::New, config());
        editor->setAttribute(Qt::WA_DeleteOnClose);
        editor->show();
        editor->sourceUrlEdit()->setText(u"git://"_s + silent.address() + u"/src.git"_s);
        editor->testConnection();
        QTRY_VERIFY_WITH_TIMEOUT(silent.connectionCount() > 0, 10000);
        QPointer<MirrorEditor> guard(editor);
        editor->close();
        QTRY_VERIFY(!guard); // deleted while its listing still runs
        QVERIFY(QThreadPool::globalInstance()->waitForDone(20000)); // told to stop, well before the check timeout
        QCoreApplication::processEvents(); // the listing's answer reaches nobody
    }

    void okSavesThroughMirrorOpsOnAWorker()
    {
        QTemporaryDir dir;
        const QString configPath = dir.filePath(u"mirrors.json"_s);
        const QString stateDir = dir.filePath(u"state"_s);
        QVERIFY(MirrorStore(configPath).modify([&](Config &c) {
            c = config();
            c.settings.cacheRoot = dir.filePath(u"caches"_s);
            return Status{};
        }).ok());
        const Config loaded = *MirrorStore(configPath).load();
        auto run = [&](MirrorEditor &editor) {
            QObject::connect(&editor, &MirrorEditor::saveRequested, &editor, [&editor, configPath, stateDir](const QString &original, const Mirror &m) {
                inBackground(&editor, [=] {
                    auto saved = MirrorOps(configPath, stateDir).save(original, m);
                    return saved ? Status{} : Status(saved.error());
                }, [&editor](Status status) { editor.finishSave(status); });
            });
        };

        // A local source that is no folder: refused when saving, under the field, the dialog open.
        MirrorEditor editor(Mode::New, loaded);
        run(editor);
        QSignalSpy saved(&editor, &MirrorEditor::saved);
        editor.show();
        editor.nameEdit()->setText(u"local"_s);
        editor.sourceUrlEdit()->setText(dir.filePath(u"no-such-repository"_s));
        QVERIFY(editor.isValid());
        QTest::mouseClick(editor.okButton(), Qt::LeftButton);
        QVERIFY(!editor.okButton()->isEnabled()); // saving
        QTRY_VERIFY(!editor.errorOf(u"source.url"_s).isEmpty());
        QVERIFY(editor.isVisible());
        QCOMPARE(saved.count(), 0);
        QVERIFY(!MirrorStore(configPath).load()->mirror(u"local"_s));

        editor.sourceUrlEdit()->setText(m_daemon.url(u"src.git"_s));
        QVERIFY(editor.okButton()->isEnabled());
        QTest::mouseClick(editor.okButton(), Qt::LeftButton);
        QTRY_COMPARE(saved.count(), 1);
        QCOMPARE(saved.first().first().toString(), u"local"_s);
        QCOMPARE(editor.result(), int(QDialog::Accepted));
        const auto after = MirrorStore(configPath).load();
        QVERIFY(after->mirror(u"local"_s));
        QCOMPARE(after->mirror(u"local"_s)->source.url, m_daemon.url(u"src.git"_s));

        // Edit with a rename: the same call renames, then edits.
        std::unique_ptr<MirrorEditor> edit(MirrorEditor::open(Mode::Edit, *after, u"local"_s));
        run(*edit);
        edit->nameEdit()->setText(u"renamed"_s);
        edit->intervalBox()->setValue(9);
        QTest::mouseClick(edit->okButton(), Qt::LeftButton);
        QTRY_COMPARE(edit->result(), int(QDialog::Accepted));
        const auto renamed = MirrorStore(configPath).load();
        QVERIFY(!renamed->mirror(u"local"_s));
        QCOMPARE(renamed->mirror(u"renamed"_s)->intervalMinutes.value_or(0), 9);
    }
};

QTEST_MAIN(TestMirrorEditor)
#include "TestMirrorEditor.moc"
