// The Preferences dialog (ui/PreferencesDialog.h), offscreen: every field shown from the current
// settings, each invalid field's message (core's, the config file's) under it and OK disabled
// until it is fixed, OK saving on a worker through saveSettings (read back with MirrorStore, the
// mirrors untouched, another writer's mirrors kept), and failed saves shown in the dialog with
// the file unchanged.
#include "DurationEdit.h"
#include "PreferencesDialog.h"
#include "mirror/MirrorStore.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace md;
using namespace md::ui;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTest\n-----END CERTIFICATE-----\n";
constexpr int kWait = 20000;

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

Mirror pullMirror(const QString &name)
{
    Mirror mirror;
    mirror.name = name;
    mirror.source.url = QStringLiteral("https://git.example.org/%1.git").arg(name);
    return mirror;
}

QLabel *errorLabel(const PreferencesDialog &dialog, const QString &field)
{
    return dialog.findChild<QLabel *>(u"error_"_s + field);
}

} // namespace

class TestPreferencesDialog : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_worlds = 0;

    QString newWorld()
    {
        return m_dir.filePath(QStringLiteral("world%1").arg(++m_worlds));
    }
    // A config with two mirrors in `world`; its path.
    static QString writeConfig(const QString &world)
    {
        const QString path = world + u"/mirrors.json"_s;
        const bool ok = MirrorStore(path)
                            .modify([&](Config &c) {
                                c.settings.cacheRoot = world + u"/caches"_s;
                                c.mirrors.append(pullMirror(u"one"_s));
                                c.mirrors.append(pullMirror(u"two"_s));
                                return Status{};
                            })
                            .ok();
        return ok ? path : QString();
    }
    static Settings loadSettings(const QString &path)
    {
        const auto config = MirrorStore(path).load();
        return config ? config->settings : Settings{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
    }

    void showsTheCurrentSettings()
    {
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        Settings current = loadSettings(path);
        current.concurrency = 5;
        current.perHostConcurrency = 3;
        current.defaultIntervalMinutes = 20;
        current.proxy = u"http://proxy.example:3128"_s;
        current.caFile = world + u"/ca.pem"_s;
        QVERIFY(writeFile(current.caFile, kPem));
        current.connectTimeoutSeconds = 30;
        current.stallTimeoutSeconds = 90;
        current.runTimeoutSeconds = 7200;
        current.atticRetentionDays = 45;
        current.massChangeGuard = false;
        PreferencesDialog dialog(path, current);
        QCOMPARE(dialog.settings(), current);
        QCOMPARE(dialog.cacheRootEdit()->text(), current.cacheRoot);
        QCOMPARE(dialog.caFileEdit()->text(), current.caFile);
        QVERIFY(!dialog.massChangeGuardBox()->isChecked());
        // Each duration in the largest unit that shows it exactly.
        QCOMPARE(dialog.connectTimeoutEdit()->valueBox()->value(), 30);
        QCOMPARE(dialog.connectTimeoutEdit()->unit(), 1);
        QCOMPARE(dialog.stallTimeoutEdit()->valueBox()->value(), 90);
        QCOMPARE(dialog.stallTimeoutEdit()->unit(), 1);
        QCOMPARE(dialog.runTimeoutEdit()->valueBox()->value(), 2);
        QCOMPARE(dialog.runTimeoutEdit()->unitBox()->currentText(), u"hours"_s);
        // The disk checks run on a worker; then OK is enabled.
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.checking(), kWait);
        QVERIFY(dialog.okButton()->isEnabled());

        const PreferencesDialog defaults(path, Settings{});
        QCOMPARE(defaults.stallTimeoutEdit()->valueBox()->value(), 10);
        QCOMPARE(defaults.stallTimeoutEdit()->unitBox()->currentText(), u"minutes"_s);
        QCOMPARE(defaults.runTimeoutEdit()->valueBox()->value(), 3);
        QVERIFY(defaults.cacheRootEdit()->text().isEmpty());
        QVERIFY(!defaults.cacheRootEdit()->placeholderText().isEmpty()); // the default folder
        QVERIFY(defaults.okButton()->isEnabled()); // nothing on disk to check
    }

    // The spin boxes can hold only what the rule allows: its limits, in every unit.
    void theRangesAreTheRules()
    {
        namespace limits = settingsLimits;
        PreferencesDialog dialog(newWorld() + u"/mirrors.json"_s, Settings{});
        QCOMPARE(dialog.concurrencyBox()->minimum(), limits::concurrency.min);
        QCOMPARE(dialog.concurrencyBox()->maximum(), limits::concurrency.max);
        QCOMPARE(dialog.perHostBox()->maximum(), limits::perHostConcurrency.max);
        QCOMPARE(dialog.intervalBox()->maximum(), limits::defaultIntervalMinutes.max);
        QCOMPARE(dialog.atticRetentionBox()->maximum(), limits::atticRetentionDays.max);
        DurationEdit *run = dialog.runTimeoutEdit();
        run->setUnit(3600);
        QCOMPARE(run->valueBox()->maximum(), limits::runTimeoutSeconds.max / 3600);
        run->setUnit(1);
        QCOMPARE(run->valueBox()->maximum(), limits::runTimeoutSeconds.max);
        DurationEdit *connect = dialog.connectTimeoutEdit();
        connect->setUnit(60);
        connect->valueBox()->setValue(2);
        QCOMPARE(dialog.settings().connectTimeoutSeconds, 120);
        QCOMPARE(connect->valueBox()->maximum(), 60);
        // Changing the unit keeps the number.
        connect->setUnit(1);
        QCOMPARE(dialog.settings().connectTimeoutSeconds, 2);
        QVERIFY(dialog.okButton()->isEnabled());
    }

    void eachInvalidFieldShowsItsMessage_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value"); // "%W" stands for the world's folder
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("fixed");
        QTest::newRow("relative cache root") << "cache_root" << "caches" << "must be an absolute path" << "%W/caches";
        QTest::newRow("cache root a file") << "cache_root" << "%W/notes.txt" << "%W/notes.txt is not a folder" << "";
        QTest::newRow("proxy scheme") << "proxy" << "socks5://me:hunter2@proxy:1080"
                                      << "\"socks5://*****:*****@proxy:1080\" is not a proxy URL (http://host:port or https://host:port)"
                                      << "http://proxy:1080";
        QTest::newRow("proxy credentials") << "proxy" << "http://me:hunter2@proxy:3128" << "proxy URLs must not contain credentials"
                                           << "http://proxy:3128";
        QTest::newRow("relative ca file") << "ca_file" << "ca.pem" << "must be an absolute path" << "%W/ca.pem";
        QTest::newRow("missing ca file") << "ca_file" << "%W/none.pem" << "CA file %W/none.pem does not exist" << "%W/ca.pem";
        QTest::newRow("ca file a folder") << "ca_file" << "%W" << "CA file %W is a folder, not a file" << "";
        QTest::newRow("ca file not pem") << "ca_file" << "%W/notes.txt"
                                         << "CA file %W/notes.txt holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"
                                         << "%W/ca.pem";
    }

    void eachInvalidFieldShowsItsMessage()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, message);
        QFETCH(QString, fixed);
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        QVERIFY(writeFile(world + u"/notes.txt"_s, "not a certificate\n"));
        QVERIFY(writeFile(world + u"/ca.pem"_s, kPem));
        value.replace(u"%W"_s, world);
        message.replace(u"%W"_s, world);
        fixed.replace(u"%W"_s, world);

        PreferencesDialog dialog(path, loadSettings(path));
        dialog.show();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        QLineEdit *edit = dialog.findChild<QLineEdit *>(field);
        QVERIFY(edit);
        QLabel *label = errorLabel(dialog, field);
        QVERIFY(label);
        QVERIFY(!label->isVisible());

        QTest::keyClicks(edit, value.left(1)); // typed, then the rest pasted
        edit->setText(value);
        QTRY_COMPARE_WITH_TIMEOUT(dialog.fieldError(field), message, kWait);
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), message);
        QVERIFY(!dialog.okButton()->isEnabled());
        QVERIFY(!label->text().contains(u"hunter2"_s));
        // The file's rule says the same.
        QList<Error> problems = settingsProblems(dialog.settings());
        problems += settingsFileProblems(dialog.settings());
        QVERIFY(!problems.isEmpty());
        QCOMPARE(problems.first().field, field);
        QCOMPARE(problems.first().message, message);
        // Only that field is marked.
        for (const QLabel *other : dialog.findChildren<QLabel *>()) {
            if (other->objectName().startsWith(u"error_"_s) && other != label)
                QVERIFY2(other->isHidden(), qPrintable(other->objectName()));
        }
        // Clicking the disabled OK saves nothing.
        const QByteArray bytes = readAll(path);
        dialog.save();
        QVERIFY(!dialog.busy());
        QCOMPARE(readAll(path), bytes);

        edit->setText(fixed);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        QVERIFY(dialog.fieldError(field).isEmpty());
        QVERIFY(label->isHidden());
    }

    void okWritesTheConfig()
    {
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        QVERIFY(writeFile(world + u"/ca.pem"_s, kPem));
        const Config before = *MirrorStore(path).load();
        PreferencesDialog dialog(path, before.settings);
        QSignalSpy saved(&dialog, &PreferencesDialog::saved);
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.open();
        dialog.concurrencyBox()->setValue(4);
        dialog.perHostBox()->setValue(2);
        dialog.intervalBox()->setValue(30);
        dialog.cacheRootEdit()->setText(world + u"/new-caches"_s);
        dialog.proxyEdit()->setText(u"https://proxy.example:8443"_s);
        dialog.caFileEdit()->setText(world + u"/ca.pem"_s);
        dialog.connectTimeoutEdit()->setUnit(60);
        dialog.connectTimeoutEdit()->valueBox()->setValue(1);
        dialog.stallTimeoutEdit()->valueBox()->setValue(5); // 5 minutes
        dialog.runTimeoutEdit()->valueBox()->setValue(6);   // 6 hours
        dialog.atticRetentionBox()->setValue(14);
        dialog.massChangeGuardBox()->setChecked(false);
        const Settings wanted = dialog.settings();
        QCOMPARE(wanted.connectTimeoutSeconds, 60);
        QCOMPARE(wanted.stallTimeoutSeconds, 300);
        QCOMPARE(wanted.runTimeoutSeconds, 6 * 3600);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        dialog.okButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kWait);
        QCOMPARE(saved.at(0).at(0).value<Settings>(), wanted);
        QCOMPARE(accepted.count(), 1);
        QVERIFY(!dialog.isVisible());

        const auto after = MirrorStore(path).load();
        QVERIFY(after);
        QCOMPARE(after->settings, wanted);
        QCOMPARE(after->mirrors, before.mirrors);
        QCOMPARE(after->credentials, before.credentials);
        QCOMPARE(after->hostKeys, before.hostKeys);
    }

    // Another writer changed the file between open and OK: its mirrors stay.
    void anotherWritersMirrorsAreKept()
    {
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        PreferencesDialog dialog(path, loadSettings(path));
        QSignalSpy saved(&dialog, &PreferencesDialog::saved);
        dialog.open();
        QVERIFY(MirrorStore(path).modify([](Config &c) {
            c.mirrors.removeAt(0);
            c.mirrors.append(pullMirror(u"three"_s));
            return Status{};
        }));
        const QList<Mirror> meanwhile = MirrorStore(path).load()->mirrors;
        dialog.atticRetentionBox()->setValue(10);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        dialog.okButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kWait);
        const Config after = *MirrorStore(path).load();
        QCOMPARE(after.settings.atticRetentionDays, 10);
        QCOMPARE(after.mirrors, meanwhile);
        QCOMPARE(after.mirrors.last().name, u"three"_s);
    }

    void aCorruptConfigIsNotOverwritten()
    {
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        PreferencesDialog dialog(path, loadSettings(path));
        QSignalSpy saved(&dialog, &PreferencesDialog::saved);
        dialog.open();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        // Broken by hand while the dialog is open.
        const QByteArray corrupt = readAll(path).replace("\"mirrors\"", "\"mirorrs\"");
        QVERIFY(writeFile(path, corrupt));
        dialog.concurrencyBox()->setValue(2);
        dialog.okButton()->click();
        QVERIFY(dialog.busy());
        QVERIFY(!dialog.okButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.message().isEmpty(), kWait);
        QVERIFY2(dialog.message().startsWith(u"Cannot save the preferences: config file "_s), qPrintable(dialog.message()));
        QVERIFY(dialog.message().contains(u"left unchanged"_s));
        QVERIFY(dialog.isVisible());
        QCOMPARE(saved.count(), 0);
        QCOMPARE(readAll(path), corrupt);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait); // fix the file and try again
        QVERIFY(!dialog.busy());
    }

    // The config's folder cannot be made (a file is in its place): the error shown, nothing written.
    void aConfigFolderThatCannotBeMade()
    {
        const QString world = newWorld();
        QVERIFY(writeFile(world + u"/blocker"_s, "x"));
        const QString path = world + u"/blocker/mirrors.json"_s;
        PreferencesDialog dialog(path, Settings{});
        QSignalSpy saved(&dialog, &PreferencesDialog::saved);
        dialog.open();
        dialog.okButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.message().isEmpty(), kWait);
        QCOMPARE(dialog.message(), u"Cannot save the preferences: cannot create the config folder %1"_s.arg(world + u"/blocker"_s));
        QCOMPARE(saved.count(), 0);
        QVERIFY(dialog.isVisible());
        QCOMPARE(readAll(world + u"/blocker"_s), QByteArray("x"));
    }

    void aReadOnlyFolder()
    {
        if (::geteuid() == 0)
            QSKIP("running as root: every folder is writable");
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(!path.isEmpty());
        const QByteArray bytes = readAll(path);
        PreferencesDialog dialog(path, loadSettings(path));
        dialog.open();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
        QVERIFY(QFile::setPermissions(world, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        dialog.concurrencyBox()->setValue(2);
        dialog.okButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.message().isEmpty(), kWait);
        QVERIFY(QFile::setPermissions(world, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        QVERIFY2(dialog.message().contains(u"permission denied"_s), qPrintable(dialog.message()));
        QCOMPARE(readAll(path), bytes);
    }

    // The Choose… buttons open a file dialog without blocking (open(), no nested loop).
    void choosersFillTheFields()
    {
        const QString world = newWorld();
        const QString path = writeConfig(world);
        QVERIFY(writeFile(world + u"/ca.pem"_s, kPem));
        QVERIFY(QDir().mkpath(world + u"/chosen"_s));
        PreferencesDialog dialog(path, loadSettings(path));
        dialog.show();

        auto choose = [&](const QString &button, const QString &pick) {
            dialog.findChild<QPushButton *>(button)->click();
            QFileDialog *files = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT((files = dialog.findChild<QFileDialog *>()) && files->isVisible(), kWait);
            files->selectFile(pick);
            static_cast<QDialog *>(files)->accept(); // QFileDialog::accept is protected: the virtual, reached through QDialog
            QTRY_VERIFY_WITH_TIMEOUT(!dialog.findChild<QFileDialog *>(), kWait); // deleted on close
        };
        choose(u"choose_ca_file"_s, world + u"/ca.pem"_s);
        QCOMPARE(dialog.caFileEdit()->text(), world + u"/ca.pem"_s);
        choose(u"choose_cache_root"_s, world + u"/chosen"_s);
        QCOMPARE(dialog.cacheRootEdit()->text(), world + u"/chosen"_s);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.okButton()->isEnabled(), kWait);
    }
};

QTEST_MAIN(TestPreferencesDialog)
#include "TestPreferencesDialog.moc"
