// detectHostKeys (core/security/HostKeyDetect) driven as a window's dialog would: on a thread of
// its own, bounded by its timeout, ended early by its cancel flag, against a real sshd and a
// server that accepts and never answers.
#include "security/HostKeyDetect.h"

#include "SilentServer.h"
#include "SshServer.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using md::DetectReport;
using md::ErrorCategory;
using md::Result;

namespace {

// Runs detectHostKeys on a QThread; the result is read once the thread has finished.
struct DetectThread {
    std::optional<Result<DetectReport>> result;
    std::atomic<bool> cancel{false};
    std::unique_ptr<QThread> thread;

    void start(const QString &location, int timeoutMs)
    {
        thread.reset(QThread::create([this, location, timeoutMs] { result.emplace(md::detectHostKeys(location, timeoutMs, &cancel)); }));
        thread->start();
    }
};

} // namespace

class TestHostKeyDetect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detectsOnAThread()
    {
        md::fixtures::SshServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        DetectThread detect;
        detect.start(u"ssh://git@127.0.0.1:%1/x.git"_s.arg(server.port()), 10000);
        QVERIFY(detect.thread->wait(15000));
        QVERIFY(detect.result.has_value());
        QVERIFY2(detect.result->ok(), qPrintable(detect.result->ok() ? QString() : detect.result->error().message));
        const DetectReport &report = **detect.result;
        QCOMPARE(report.hostPort, server.hostPort());
        QStringList lines;
        for (const md::HostKey &key : report.keys)
            lines.append(key.toLine());
        QStringList expected;
        for (const QString &line : server.hostKeyLines())
            expected.append(line.section(u' ', 0, 1));
        QCOMPARE(lines, expected);
    }

    // A server that never sends its banner: the timeout ends the detect.
    void timesOutOnASilentServer()
    {
        md::fixtures::SilentServer silent;
        QVERIFY2(silent.start(), qPrintable(silent.errorString()));
        QElapsedTimer timer;
        timer.start();
        const auto result = md::detectHostKeys(silent.address(), 1500);
        const qint64 elapsed = timer.elapsed();
        QVERIFY(!result.ok());
        QCOMPARE(result.error().category, ErrorCategory::Timeout);
        QVERIFY2(elapsed >= 1400 && elapsed < 5000, qPrintable(QString::number(elapsed)));
        QVERIFY(silent.connectionCount() >= 1);
    }

    // The cancel flag (a dialog closed) ends a detect waiting on a silent server within a moment.
    void cancelEndsItEarly()
    {
        md::fixtures::SilentServer silent;
        QVERIFY2(silent.start(), qPrintable(silent.errorString()));
        DetectThread detect;
        detect.start(silent.address(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(silent.connectionCount() >= 1, 10000); // it is waiting for the banner
        QElapsedTimer timer;
        timer.start();
        detect.cancel.store(true);
        QVERIFY(detect.thread->wait(5000));
        QVERIFY(timer.elapsed() < 2000);
        QVERIFY(detect.result.has_value() && !detect.result->ok());
        QCOMPARE(detect.result->error().category, ErrorCategory::Interrupted);
    }

    void refusesWhatIsNoSshLocation_data()
    {
        QTest::addColumn<QString>("location");
        QTest::newRow("https") << u"https://example.org/x.git"_s;
        QTest::newRow("git") << u"git://example.org/x.git"_s;
        QTest::newRow("local path") << u"/srv/x.git"_s;
        QTest::newRow("bad port") << u"example.org:70000"_s;
        QTest::newRow("empty") << QString();
    }
    void refusesWhatIsNoSshLocation()
    {
        QFETCH(QString, location);
        const auto result = md::detectHostKeys(location, 1000);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().category, ErrorCategory::Usage);
    }

    void hostPortOfEachForm_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("hostPort");
        QTest::newRow("ssh url") << u"ssh://git@Example.org:2222/g/x.git"_s << u"example.org:2222"_s;
        QTest::newRow("ssh url, no port") << u"ssh://example.org/x.git"_s << u"example.org:22"_s;
        QTest::newRow("scp") << u"git@example.org:g/x.git"_s << u"example.org:22"_s;
        QTest::newRow("scp, no user") << u"example.org:x.git"_s << u"example.org:22"_s;
        QTest::newRow("host") << u"example.org"_s << u"example.org:22"_s;
        QTest::newRow("host:port") << u"example.org:2222"_s << u"example.org:2222"_s;
        QTest::newRow("[host]:port") << u"[example.org]:2222"_s << u"example.org:2222"_s;
        QTest::newRow("ipv6") << u"[::1]:2222"_s << u"[::1]:2222"_s;
        QTest::newRow("ssh ipv6") << u"ssh://git@[::1]:2222/x.git"_s << u"[::1]:2222"_s;
    }
    void hostPortOfEachForm()
    {
        QFETCH(QString, location);
        QFETCH(QString, hostPort);
        const auto parsed = md::detectHostPort(location);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(*parsed, hostPort);
    }
};

QTEST_GUILESS_MAIN(TestHostKeyDetect)
#include "TestHostKeyDetect.moc"
