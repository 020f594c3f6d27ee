// The Credentials… dialog against a real gnome-keyring in a private D-Bus session: a typed secret
// goes into the keychain and never into the config, the form's rules are the command line's (OK
// disabled, the error under its field), a credential in use is not removed unless the user ticks
// "remove it from those mirrors too", SSH keys are imported (an encrypted one with its passphrase
// as a credential of its own) or generated, and a locked keychain is said so with the env/file way.
#include "CredentialEditor.h"
#include "CredentialsDialog.h"
#include "KeychainSession.h"
#include "mirror/MirrorStore.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace md;
using namespace md::ui;
using md::fixtures::KeychainSession;

class TestCredentialsDialog : public QObject {
    Q_OBJECT
private:
    KeychainSession m_keychain;
    QTemporaryDir m_dir;

    QString configPath() const { return m_dir.filePath(QStringLiteral("mirrors.json")); }
    QByteArray configBytes() const
    {
        QFile file(configPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    std::optional<Credential> credential(const QString &name) const
    {
        const auto config = MirrorStore(configPath()).load();
        if (!config || !config->credential(name))
            return std::nullopt;
        return *config->credential(name);
    }
    static QString cell(const CredentialsDialog &dialog, const QString &name, int column)
    {
        const int row = dialog.rowOf(name);
        return row < 0 ? QStringLiteral("(no row)") : dialog.table()->item(row, column)->text();
    }
    static void choose(QComboBox *box, const QVariant &data)
    {
        const int index = box->findData(data);
        QVERIFY(index >= 0);
        box->setCurrentIndex(index);
    }
    // Clicks Add… and returns the form it opens.
    static CredentialEditor *openAdd(CredentialsDialog &dialog)
    {
        if (!QTest::qWaitFor([&] { return dialog.loaded(); }, 5000))
            return nullptr;
        QTest::mouseClick(dialog.addButton(), Qt::LeftButton);
        return dialog.editor();
    }
    static QString makeKey(const QString &path, const QString &passphrase)
    {
        QProcess keygen;
        keygen.start(QStandardPaths::findExecutable(QStringLiteral("ssh-keygen")),
                     {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), passphrase,
                      QStringLiteral("-C"), QStringLiteral("test"), QStringLiteral("-f"), path});
        if (!keygen.waitForFinished(20000) || keygen.exitCode() != 0)
            return QString::fromUtf8(keygen.readAllStandardError());
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_keychain.start(), qPrintable(m_keychain.errorString()));
        // libsecret caches the bus it first talks to: this process uses the private one from now on.
        const auto environment = m_keychain.environment();
        for (auto it = environment.begin(); it != environment.end(); ++it)
            qputenv(it.key().toLocal8Bit().constData(), it.value().toLocal8Bit());
        QVERIFY(MirrorStore(configPath()).modify([](Config &) { return Status{}; }).ok());
    }

    void addKeychainTokenStoresTheSecretOnly()
    {
        CredentialsDialog dialog(configPath());
        dialog.show();
        CredentialEditor *editor = openAdd(dialog);
        QVERIFY(editor);
        QVERIFY(!editor->okButton()->isEnabled()); // no name yet
        QVERIFY(!editor->nameError().isEmpty());
        editor->nameEdit()->setText(QStringLiteral("gh"));
        QVERIFY(editor->nameError().isEmpty());
        choose(editor->kindBox(), static_cast<int>(CredentialKind::Token));
        choose(editor->sourceBox(), QStringLiteral("keychain"));
        QCOMPARE(editor->secretEdit()->echoMode(), QLineEdit::Password);
        QVERIFY(!editor->okButton()->isEnabled()); // no secret typed
        QVERIFY(!editor->sourceError().isEmpty());
        editor->secretEdit()->setText(QStringLiteral("s3cret-token-value"));
        QVERIFY(editor->sourceError().isEmpty());
        QVERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.editor(), 15000); // saved asynchronously, then closed
        QTRY_COMPARE(cell(dialog, QStringLiteral("gh"), CredentialsDialog::Secret), QStringLiteral("keychain"));
        QCOMPARE(cell(dialog, QStringLiteral("gh"), CredentialsDialog::Kind), QStringLiteral("Token"));
        QCOMPARE(m_keychain.lookup(QStringLiteral("gh")).value_or(QByteArray()), QByteArray("s3cret-token-value"));
        QVERIFY(!configBytes().contains("s3cret-token-value"));
        QCOMPARE(credential(QStringLiteral("gh"))->secretSource.kind, SecretSource::Kind::Keychain);
    }

    void formRulesAreTheCommandLines()
    {
        CredentialsDialog dialog(configPath());
        CredentialEditor *editor = openAdd(dialog);
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("GH")); // names are unique ignoring case
        QVERIFY2(editor->nameError().contains(QLatin1String("already exists")), qPrintable(editor->nameError()));
        QVERIFY(!editor->okButton()->isEnabled());
        editor->nameEdit()->setText(QStringLiteral("bad name/x"));
        QVERIFY(!editor->nameError().isEmpty());
        editor->nameEdit()->setText(QStringLiteral("pw"));
        QVERIFY(editor->nameError().isEmpty());
        choose(editor->kindBox(), static_cast<int>(CredentialKind::Password));
        choose(editor->sourceBox(), QStringLiteral("env"));
        editor->envEdit()->setText(QStringLiteral("MY_PASSWORD"));
        QVERIFY2(!editor->usernameError().isEmpty(), "a password needs a username");
        QVERIFY(!editor->okButton()->isEnabled());
        editor->usernameEdit()->setText(QStringLiteral("al@ice"));
        QVERIFY(!editor->usernameError().isEmpty());
        editor->usernameEdit()->setText(QStringLiteral("alice"));
        QVERIFY(editor->usernameError().isEmpty());
        QVERIFY(editor->okButton()->isEnabled());
        editor->envEdit()->setText(QStringLiteral("ghp_abcdefghijklmnopqrstuvwxyz0123456789")); // a token, not a name
        QVERIFY2(editor->sourceError().contains(QLatin1String("secret")), qPrintable(editor->sourceError()));
        QVERIFY(!editor->okButton()->isEnabled());
        choose(editor->sourceBox(), QStringLiteral("file"));
        editor->fileEdit()->setText(QStringLiteral("relative/path"));
        QVERIFY2(editor->sourceError().contains(QLatin1String("absolute")), qPrintable(editor->sourceError()));
        QVERIFY(!editor->okButton()->isEnabled());
        choose(editor->sourceBox(), QStringLiteral("env"));
        editor->envEdit()->setText(QStringLiteral("MY_PASSWORD"));
        QVERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.editor(), 15000);
        QTRY_COMPARE(cell(dialog, QStringLiteral("pw"), CredentialsDialog::Secret), QStringLiteral("env:MY_PASSWORD"));
        QCOMPARE(credential(QStringLiteral("pw"))->username, QStringLiteral("alice"));
    }

    void removeIsRefusedWhileUsed()
    {
        QVERIFY(MirrorStore(configPath()).modify([](Config &c) {
            Mirror m;
            m.name = QStringLiteral("uses-gh");
            m.source.url = QStringLiteral("https://git.example/g/m.git");
            m.source.credential = QStringLiteral("gh");
            c.mirrors.append(m);
            return Status{};
        }).ok());
        CredentialsDialog dialog(configPath());
        QTRY_VERIFY(dialog.loaded());
        QCOMPARE(cell(dialog, QStringLiteral("gh"), CredentialsDialog::UsedBy), QStringLiteral("uses-gh"));
        dialog.selectCredential(QStringLiteral("gh"));
        QVERIFY(dialog.removeButton()->isEnabled());

        // Confirmed without ticking "remove it from those mirrors too": refused, nothing changed.
        QTest::mouseClick(dialog.removeButton(), Qt::LeftButton);
        QVERIFY(dialog.confirmation());
        QVERIFY2(dialog.confirmation()->text().contains(QLatin1String("uses-gh")), qPrintable(dialog.confirmation()->text()));
        QVERIFY(dialog.confirmation()->checkBox());
        QTest::mouseClick(dialog.confirmation()->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_VERIFY(dialog.message().startsWith(QLatin1String("Not removed")));
        QVERIFY(dialog.message().contains(QLatin1String("uses-gh")));
        QTRY_VERIFY(dialog.loaded());
        QVERIFY(credential(QStringLiteral("gh")));
        QVERIFY(m_keychain.lookup(QStringLiteral("gh")));

        // Ticked: removed from the mirror too, and its secret deleted from the keychain.
        dialog.selectCredential(QStringLiteral("gh"));
        QTRY_VERIFY(!dialog.confirmation());
        QTest::mouseClick(dialog.removeButton(), Qt::LeftButton);
        QVERIFY(dialog.confirmation());
        dialog.confirmation()->checkBox()->setChecked(true);
        QTest::mouseClick(dialog.confirmation()->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.message().startsWith(QLatin1String("Removed credential gh")), 15000);
        QTRY_COMPARE(dialog.rowOf(QStringLiteral("gh")), -1);
        QVERIFY(!credential(QStringLiteral("gh")));
        QVERIFY(!m_keychain.lookup(QStringLiteral("gh")));
        const auto config = MirrorStore(configPath()).load();
        QVERIFY(config.ok());
        QVERIFY(config->mirrors.first().source.credential.isEmpty());
    }

    void importEncryptedKeyKeepsItsPassphrase()
    {
        const QString keyFile = m_dir.filePath(QStringLiteral("id_encrypted"));
        QVERIFY2(makeKey(keyFile, QStringLiteral("correct horse")).isEmpty(), "ssh-keygen failed");
        CredentialsDialog dialog(configPath());
        CredentialEditor *editor = openAdd(dialog);
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("deploy"));
        choose(editor->kindBox(), static_cast<int>(CredentialKind::SshKey));
        choose(editor->sourceBox(), QStringLiteral("keychain"));
        QVERIFY(!editor->okButton()->isEnabled()); // no key yet
        editor->keyEdit()->setPlainText(QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"));
        QVERIFY2(!editor->keyStatus().isEmpty(), "a public key is refused with the reason");
        QVERIFY(!editor->okButton()->isEnabled());
        editor->importKeyFile(keyFile); // read on a worker
        QTRY_VERIFY(editor->keyEdit()->toPlainText().startsWith(QLatin1String("-----BEGIN OPENSSH PRIVATE KEY-----")));
        QVERIFY2(editor->keyStatus().contains(QLatin1String("encrypted")), qPrintable(editor->keyStatus()));
        QVERIFY(!editor->okButton()->isEnabled()); // the passphrase is needed
        QCOMPARE(editor->passphraseEdit()->echoMode(), QLineEdit::Password);

        editor->passphraseEdit()->setText(QStringLiteral("wrong"));
        QVERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!editor->message().isEmpty(), 20000); // checked offline, on the pool
        QVERIFY2(editor->message().contains(QLatin1String("passphrase")), qPrintable(editor->message()));
        QVERIFY(dialog.editor()); // still open
        QVERIFY(!credential(QStringLiteral("deploy")));
        QVERIFY(!m_keychain.lookup(QStringLiteral("deploy")));

        editor->passphraseEdit()->setText(QStringLiteral("correct horse"));
        QTRY_VERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.editor(), 20000);
        const auto key = credential(QStringLiteral("deploy"));
        QVERIFY(key);
        QCOMPARE(key->kind, CredentialKind::SshKey);
        QCOMPARE(key->passphraseCredential, QStringLiteral("deploy-passphrase"));
        QCOMPARE(credential(QStringLiteral("deploy-passphrase"))->kind, CredentialKind::Token);
        QVERIFY(m_keychain.lookup(QStringLiteral("deploy")).value_or(QByteArray()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        QCOMPARE(m_keychain.lookup(QStringLiteral("deploy-passphrase")).value_or(QByteArray()), QByteArray("correct horse"));
        QVERIFY(!configBytes().contains("correct horse"));
        QVERIFY(!configBytes().contains("PRIVATE KEY"));
    }

    void generatedKeyShowsAndCopiesItsPublicHalf()
    {
        CredentialsDialog dialog(configPath());
        CredentialEditor *editor = openAdd(dialog);
        QVERIFY(editor);
        choose(editor->kindBox(), static_cast<int>(CredentialKind::SshKey));
        choose(editor->sourceBox(), QStringLiteral("keychain"));
        editor->nameEdit()->setText(QStringLiteral("made"));
        QVERIFY(editor->generateButton()->isEnabled());
        QTest::mouseClick(editor->generateButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!editor->generatedPublicKey().isEmpty(), 15000);
        const QString publicLine = editor->generatedPublicKey();
        QVERIFY2(publicLine.startsWith(QLatin1String("ssh-ed25519 ")), qPrintable(publicLine));
        QVERIFY(m_keychain.lookup(QStringLiteral("made")).value_or(QByteArray()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        QVERIFY(editor->okButton()->isEnabled()); // closes
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY(!dialog.editor());
        QTRY_VERIFY(dialog.rowOf(QStringLiteral("made")) >= 0);
        dialog.selectCredential(QStringLiteral("made"));
        QVERIFY(dialog.copyKeyButton()->isEnabled());
        QTest::mouseClick(dialog.copyKeyButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog.publicKey(), publicLine, 15000);
        QCOMPARE(QGuiApplication::clipboard()->text(), publicLine);
        QVERIFY(dialog.message().contains(publicLine));
        dialog.selectCredential(QStringLiteral("pw"));
        QVERIFY(!dialog.copyKeyButton()->isEnabled()); // not a key
    }

    void editRenamesAndMovesTheSecret()
    {
        CredentialsDialog dialog(configPath());
        QTRY_VERIFY(dialog.loaded());
        dialog.selectCredential(QStringLiteral("made"));
        QTest::mouseClick(dialog.editButton(), Qt::LeftButton);
        CredentialEditor *editor = dialog.editor();
        QVERIFY(editor);
        QVERIFY(editor->okButton()->isEnabled()); // the stored key is kept
        editor->nameEdit()->setText(QStringLiteral("deploy")); // taken
        QVERIFY(!editor->okButton()->isEnabled());
        editor->nameEdit()->setText(QStringLiteral("renamed"));
        QVERIFY(editor->okButton()->isEnabled());
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.editor(), 15000);
        QTRY_VERIFY(dialog.rowOf(QStringLiteral("renamed")) >= 0);
        QVERIFY(!m_keychain.lookup(QStringLiteral("made")));
        QVERIFY(m_keychain.lookup(QStringLiteral("renamed")).value_or(QByteArray()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
    }

    // Last: the keychain stays locked afterwards.
    void keychainFailureNamesTheAlternative()
    {
        QVERIFY2(m_keychain.restart(KeychainSession::Mode::Locked), qPrintable(m_keychain.errorString()));
        CredentialsDialog dialog(configPath());
        CredentialEditor *editor = openAdd(dialog);
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("later"));
        choose(editor->sourceBox(), QStringLiteral("keychain"));
        editor->secretEdit()->setText(QStringLiteral("locked-away"));
        QTest::mouseClick(editor->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!editor->message().isEmpty(), 30000);
        // The daemon this process's secret-service session was opened on is gone (restarted
        // locked): "unavailable" here, "locked" for a process started after (test_cli_keychain).
        // Either way the message says what failed and names the env/file way.
        QVERIFY2(editor->message().contains(QLatin1String("locked")) || editor->message().contains(QLatin1String("unavailable")),
                 qPrintable(editor->message()));
        QVERIFY2(editor->message().contains(QLatin1String("environment variable")), qPrintable(editor->message()));
        QVERIFY(dialog.editor());
        QVERIFY(!credential(QStringLiteral("later")));
    }
};

QTEST_MAIN(TestCredentialsDialog)
#include "TestCredentialsDialog.moc"
