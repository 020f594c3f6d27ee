// The Host keys… dialog and the window's "Review host key…" against a real sshd (its own host
// keys) and a real gnome-keyring: a pasted line pinned and removed, Detect on a worker thread
// listing every key the server offers to accept one by one, and the window test: a
// keychain ssh_key credential added in the Credentials dialog, an ssh:// mirror refused for its
// unknown host (the row says so, from the structured detail kept in the state), pinned through
// the row's button and Detect, then checked again: healthy.
#include "CredentialEditor.h"
#include "CredentialsDialog.h"
#include "GitRepoBuilder.h"
#include "HostKeysDialog.h"
#include "KeychainSession.h"
#include "MainWindow.h"
#include "MirrorTableModel.h"
#include "SshServer.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace md;
using namespace md::ui;
using md::fixtures::GitRepoBuilder;
using md::fixtures::KeychainSession;
using md::fixtures::SshServer;

namespace {

// A real ed25519 public key (public material only).
const QString kKeyOne = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIELoaITXqnIVfM03OTKm7dVm9FWVeTuWc5W88Wvd+jUb one");

QString sha256Of(const QString &line)
{
    const auto key = HostKey::parseLine(line);
    return key ? key->sha256Fingerprint() : QString();
}

} // namespace

class TestHostKeysDialog : public QObject {
    Q_OBJECT
private:
    KeychainSession m_keychain;
    SshServer m_ssh;
    QTemporaryDir m_dir;
    int m_worlds = 0;

    // A config of its own for each test.
    QString newConfig()
    {
        const QString path = m_dir.filePath(QStringLiteral("world%1/mirrors.json").arg(++m_worlds));
        const QString caches = m_dir.filePath(QStringLiteral("world%1/caches").arg(m_worlds));
        if (!MirrorStore(path).modify([&](Config &c) {
                c.settings.cacheRoot = caches;
                return Status{};
            }))
            return {};
        return path;
    }

    static QStringList offeredPrints(const HostKeysDialog &dialog)
    {
        QStringList prints;
        for (int i = 0; i < dialog.offeredTree()->topLevelItemCount(); ++i)
            prints.append(dialog.offeredTree()->topLevelItem(i)->text(HostKeysDialog::Sha256));
        return prints;
    }

    static QString cell(const MainWindow &window, const QString &name, int column)
    {
        const int row = window.model()->rowOf(name);
        return row < 0 ? QStringLiteral("(no row)") : window.model()->index(row, column).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_keychain.start(), qPrintable(m_keychain.errorString()));
        // libsecret caches the bus it first talks to; HOME is the session's too (no known_hosts).
        const auto environment = m_keychain.environment();
        for (auto it = environment.begin(); it != environment.end(); ++it)
            qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
        QVERIFY2(m_ssh.start(), qPrintable(m_ssh.errorString()));
        const QString work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(m_ssh.repoRoot() + QStringLiteral("/src.git")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, QStringLiteral("a.txt"), QStringLiteral("1"), QStringLiteral("one")));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, m_ssh.repoRoot() + QStringLiteral("/src.git"), {QStringLiteral("main")}));
    }

    // A refusal's detail survives the state file; a state written before the field reads as before.
    void refusalDetailIsKeptInTheState()
    {
        const QString stateDir = m_dir.filePath(QStringLiteral("state-roundtrip"));
        StatusRecord status;
        CheckRecord check;
        check.state = CheckState::Unreachable;
        check.errorCategory = ErrorCategory::HostKey;
        check.error = QStringLiteral("host key changed for h:22");
        check.checkedAt = QDateTime::currentDateTimeUtc();
        check.errorDetail = QJsonObject{{QStringLiteral("host"), QStringLiteral("h:22")},
                                        {QStringLiteral("reason"), QStringLiteral("changed")},
                                        {QStringLiteral("offered"), QJsonObject{{QStringLiteral("line"), kKeyOne}}},
                                        {QStringLiteral("pinned"), QJsonArray{}}};
        status.lastCheck = check;
        QVERIFY(StateStore(stateDir).saveStatus(QStringLiteral("m"), status).ok());
        const auto read = StateStore(stateDir).status(QStringLiteral("m"));
        QVERIFY(read.ok());
        QCOMPARE(*read, status);
        const auto refusal = HostKeyOps::refusalOf(*read);
        QVERIFY(refusal);
        QVERIFY(refusal->changed);
        QCOMPARE(refusal->hostPort, QStringLiteral("h:22"));
        QCOMPARE(refusal->offered.toLine(), kKeyOne);
        MirrorRow row;
        row.mirror.name = QStringLiteral("m");
        row.status = *read;
        QCOMPARE(MirrorTableModel::healthText(row), QStringLiteral("Host key changed"));
        QCOMPARE(MirrorTableModel::checkText(check), QStringLiteral("Refused: host key changed"));
        QJsonObject old = statusToJson(status);
        QJsonObject oldCheck = old.value(QStringLiteral("last_check")).toObject();
        oldCheck.remove(QStringLiteral("error_detail"));
        old.insert(QStringLiteral("last_check"), oldCheck);
        const auto older = statusFromJson(old);
        QVERIFY(older.ok());
        QVERIFY(older->lastCheck->errorDetail.isEmpty());
        QVERIFY(!HostKeyOps::refusalOf(*older)); // nothing to act on: the message is never parsed
    }

    void pastedLineIsPinnedAndRemoved()
    {
        const QString config = newConfig();
        QVERIFY(!config.isEmpty());
        HostKeysDialog dialog(config);
        QTRY_VERIFY(dialog.loaded());
        QVERIFY(dialog.pinnedFingerprints().isEmpty());
        dialog.hostEdit()->setText(QStringLiteral("Git.Example:2222"));
        dialog.lineEdit()->setText(QStringLiteral("not a key"));
        QTest::mouseClick(dialog.pinLineButton(), Qt::LeftButton);
        QTRY_VERIFY(dialog.message().startsWith(QLatin1String("Cannot pin the line")));
        QVERIFY(!dialog.busy());
        dialog.lineEdit()->setText(kKeyOne);
        QTest::mouseClick(dialog.pinLineButton(), Qt::LeftButton);
        QTRY_COMPARE(dialog.pinnedFingerprints().value(QStringLiteral("git.example:2222")), QStringList{sha256Of(kKeyOne)});
        QCOMPARE(HostKeyOps(config).list()->size(), 1);
        QCOMPARE(dialog.pinnedTree()->topLevelItem(0)->child(0)->text(HostKeysDialog::Md5), HostKey::parseLine(kKeyOne)->md5Fingerprint());

        dialog.selectPinned(QStringLiteral("git.example:2222"), sha256Of(kKeyOne));
        QVERIFY(dialog.removeButton()->isEnabled());
        QTest::mouseClick(dialog.removeButton(), Qt::LeftButton);
        QTRY_VERIFY(dialog.message().startsWith(QLatin1String("Unpinned 1 key")));
        QTRY_VERIFY(dialog.loaded() && dialog.pinnedFingerprints().isEmpty());
        QVERIFY(HostKeyOps(config).list()->isEmpty());
    }

    void knownHostsFileIsImported()
    {
        const QString config = newConfig();
        const QString file = m_dir.filePath(QStringLiteral("world%1/known_hosts").arg(m_worlds));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(m_ssh.knownHostsText().toUtf8() + "not a known_hosts line\n");
        out.close();
        HostKeysDialog dialog(config);
        QTRY_VERIFY(dialog.loaded());
        dialog.importKnownHosts(file); // what the file chooser calls; read on a worker
        QTRY_VERIFY(dialog.message().startsWith(QLatin1String("Imported")));
        QVERIFY2(dialog.message().contains(QLatin1String("line ")), qPrintable(dialog.message())); // the malformed line, by number
        QTRY_COMPARE(dialog.pinnedFingerprints().value(m_ssh.hostPort()).size(), m_ssh.hostKeyLines().size());
    }

    void detectListsEveryKeyToAcceptOneByOne()
    {
        const QString config = newConfig();
        HostKeysDialog dialog(config);
        QTRY_VERIFY(dialog.loaded());
        dialog.hostEdit()->setText(m_ssh.url(QStringLiteral("src.git"))); // a URL names its host:port
        QTest::mouseClick(dialog.detectButton(), Qt::LeftButton);
        QVERIFY(dialog.detecting()); // on a thread: the click returned at once
        QVERIFY(!dialog.detectButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.detecting(), 30000);
        QCOMPARE(dialog.offeredHost(), m_ssh.hostPort());
        QStringList expected;
        for (const QString &line : m_ssh.hostKeyLines())
            expected.append(sha256Of(line));
        QStringList offered = offeredPrints(dialog);
        QVERIFY2(offered.size() >= 2, qPrintable(dialog.message()));
        QCOMPARE(QSet<QString>(offered.begin(), offered.end()), QSet<QString>(expected.begin(), expected.end()));
        QVERIFY(!dialog.pinOfferedButton()->isEnabled()); // nothing ticked: nothing is pinned by itself
        QVERIFY(HostKeyOps(config).list()->isEmpty());

        // One by one: the first, then the rest; pinned keys are marked.
        dialog.offeredTree()->topLevelItem(0)->setCheckState(HostKeysDialog::HostOrType, Qt::Checked);
        QTest::mouseClick(dialog.pinOfferedButton(), Qt::LeftButton);
        QTRY_COMPARE(dialog.pinnedFingerprints().value(m_ssh.hostPort()), QStringList{offered.first()});
        QVERIFY(!(dialog.offeredTree()->topLevelItem(0)->flags() & Qt::ItemIsEnabled));
        for (int i = 1; i < dialog.offeredTree()->topLevelItemCount(); ++i)
            dialog.offeredTree()->topLevelItem(i)->setCheckState(HostKeysDialog::HostOrType, Qt::Checked);
        QTest::mouseClick(dialog.pinOfferedButton(), Qt::LeftButton);
        QTRY_COMPARE(dialog.pinnedFingerprints().value(m_ssh.hostPort()).size(), offered.size());
        QCOMPARE(HostKeyOps(config).list(m_ssh.hostPort())->first().keys.size(), offered.size());

        // A host that is not there: the error, no keys.
        dialog.hostEdit()->setText(QStringLiteral("ssh://127.0.0.1:1/x.git"));
        QTest::mouseClick(dialog.detectButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.detecting(), 30000);
        QVERIFY2(dialog.message().startsWith(QLatin1String("Detect failed")), qPrintable(dialog.message()));
    }

    // The window test.
    void refusedMirrorTurnsHealthyAfterPinning()
    {
        const QString config = newConfig();
        const QString stateDir = m_dir.filePath(QStringLiteral("world%1/state").arg(m_worlds));
        MainWindow window(config, stateDir);
        QTRY_VERIFY(window.loaded());
        window.show();

        // A keychain credential: the client key imported in the Credentials dialog.
        window.credentialsAction()->trigger();
        CredentialsDialog *credentials = window.credentialsDialog();
        QVERIFY(credentials);
        QTRY_VERIFY(credentials->loaded());
        QTest::mouseClick(credentials->addButton(), Qt::LeftButton);
        CredentialEditor *editor = credentials->editor();
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("key"));
        editor->kindBox()->setCurrentIndex(editor->kindBox()->findData(static_cast<int>(CredentialKind::SshKey)));
        editor->sourceBox()->setCurrentIndex(editor->sourceBox()->findData(QStringLiteral("keychain")));
        editor->importKeyFile(m_ssh.clientKeyPath());
        QTRY_VERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!credentials->editor(), 15000);
        QVERIFY(m_keychain.lookup(QStringLiteral("key")).value_or(QByteArray()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        credentials->close();

        // A mirror over ssh:// on the test sshd, using it; nothing pinned for the host.
        QVERIFY(MirrorStore(config).modify([&](Config &c) {
            Mirror m;
            m.name = QStringLiteral("over-ssh");
            m.source.url = m_ssh.url(QStringLiteral("src.git"));
            m.source.credential = QStringLiteral("key");
            c.mirrors.append(m);
            return Status{};
        }).ok());
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->rowOf(QStringLiteral("over-ssh")) >= 0, 10000);
        window.selectMirror(QStringLiteral("over-ssh"));
        QVERIFY(!window.reviewHostKeyAction()->isEnabled());
        window.checkAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Progress), QStringLiteral("Refused: host key unknown"), 30000);
        QCOMPARE(cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Health), QStringLiteral("Host key unknown"));
        const auto recorded = StateStore(stateDir).status(QStringLiteral("over-ssh"));
        QVERIFY(recorded.ok() && recorded->lastCheck);
        QCOMPARE(recorded->lastCheck->errorDetail.value(QStringLiteral("reason")).toString(), QStringLiteral("unknown_host"));
        QVERIFY(!m_ssh.log().contains(QLatin1String("Accepted publickey"))); // refused before any login

        // The row's button: the Host keys dialog on that host, the offered key ticked.
        QTRY_VERIFY(window.reviewHostKeyAction()->isEnabled());
        window.reviewHostKeyAction()->trigger();
        HostKeysDialog *hostKeys = window.hostKeysDialog();
        QVERIFY(hostKeys);
        QCOMPARE(hostKeys->offeredHost(), m_ssh.hostPort());
        QCOMPARE(hostKeys->hostEdit()->text(), m_ssh.hostPort());
        QCOMPARE(hostKeys->offeredTree()->topLevelItemCount(), 1);
        // Not ticked for the user: the fingerprint is compared first (here: with the server's).
        QCOMPARE(hostKeys->offeredTree()->topLevelItem(0)->checkState(HostKeysDialog::HostOrType), Qt::Unchecked);
        const QString offered = hostKeys->offeredTree()->topLevelItem(0)->text(HostKeysDialog::Sha256);
        QStringList serverPrints;
        for (const QString &line : m_ssh.hostKeyLines())
            serverPrints.append(sha256Of(line));
        QVERIFY(serverPrints.contains(offered));
        QTRY_VERIFY(hostKeys->loaded());
        hostKeys->offeredTree()->topLevelItem(0)->setCheckState(HostKeysDialog::HostOrType, Qt::Checked);
        QTest::mouseClick(hostKeys->pinOfferedButton(), Qt::LeftButton);
        QTRY_COMPARE(hostKeys->pinnedFingerprints().value(m_ssh.hostPort()), QStringList{offered});
        // …and every other key the host offers (DESIGN section 5: pin them all), through Detect.
        QTest::mouseClick(hostKeys->detectButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!hostKeys->detecting(), 30000);
        for (int i = 0; i < hostKeys->offeredTree()->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = hostKeys->offeredTree()->topLevelItem(i);
            if (item->flags() & Qt::ItemIsEnabled)
                item->setCheckState(HostKeysDialog::HostOrType, Qt::Checked);
        }
        if (hostKeys->pinOfferedButton()->isEnabled())
            QTest::mouseClick(hostKeys->pinOfferedButton(), Qt::LeftButton);
        QTRY_COMPARE(hostKeys->pinnedFingerprints().value(m_ssh.hostPort()).size(), serverPrints.size());

        // Checked again: healthy.
        window.selectMirror(QStringLiteral("over-ssh"));
        QTRY_VERIFY(window.checkAction()->isEnabled());
        window.checkAction()->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Progress) == QLatin1String("Behind")
                                      || cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Progress) == QLatin1String("In sync")
                                      // the window is the scheduler: a never-run mirror may be updated by its tick meanwhile
                                      || cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Progress) == QLatin1String("Updated"),
                                  qPrintable(cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Progress)), 30000);
        QVERIFY(!cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Health).startsWith(QLatin1String("Host key")));
        QTRY_VERIFY(!window.reviewHostKeyAction()->isEnabled());
        QVERIFY(m_ssh.log().contains(QStringLiteral("Accepted publickey for %1").arg(m_ssh.user())));

        // The server's keys change (last: the sshd keeps its new keys): refused as changed, and
        // the dialog warns, the new key listed but not ticked.
        QVERIFY2(m_ssh.restartWithNewHostKeys(), qPrintable(m_ssh.errorString()));
        window.checkAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cell(window, QStringLiteral("over-ssh"), MirrorTableModel::Health), QStringLiteral("Host key changed"), 30000);
        QTRY_VERIFY(window.reviewHostKeyAction()->isEnabled());
        window.reviewHostKeyAction()->trigger();
        QCOMPARE(window.hostKeysDialog(), hostKeys); // the same dialog, raised
        QCOMPARE(hostKeys->offeredTree()->topLevelItemCount(), 1);
        QCOMPARE(hostKeys->offeredTree()->topLevelItem(0)->checkState(HostKeysDialog::HostOrType), Qt::Unchecked);
        QVERIFY2(hostKeys->message().contains(QLatin1String("changed")), qPrintable(hostKeys->message()));
        // Accepting the new key replaces the old pins: they are no longer trusted beside it.
        const QString newKey = hostKeys->offeredTree()->topLevelItem(0)->text(HostKeysDialog::Sha256);
        hostKeys->offeredTree()->topLevelItem(0)->setCheckState(HostKeysDialog::HostOrType, Qt::Checked);
        QTest::mouseClick(hostKeys->pinOfferedButton(), Qt::LeftButton);
        QTRY_COMPARE(hostKeys->pinnedFingerprints().value(m_ssh.hostPort()), QStringList{newKey});
    }
};

QTEST_MAIN(TestHostKeysDialog)
#include "TestHostKeysDialog.moc"
