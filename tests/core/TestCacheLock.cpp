#include "mirror/CacheLock.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QElapsedTimer>

using namespace md;

// The lock must hold across processes (the window, cron, the service). The test re-runs its own
// executable as the other process: with MIRRORDESK_HOLD_LOCK=<cache> it takes the lock, prints
// "locked", and holds it until stdin closes.
class TestCacheLock : public QObject {
    Q_OBJECT
private:
    QProcess *startHolder(const QString &cache)
    {
        auto *holder = new QProcess(this);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MIRRORDESK_HOLD_LOCK"), cache);
        holder->setProcessEnvironment(env);
        holder->start(QCoreApplication::applicationFilePath(), {});
        if (!holder->waitForStarted() || !holder->waitForReadyRead(10000))
            return nullptr;
        if (!holder->readAll().contains("locked"))
            return nullptr;
        return holder;
    }

private Q_SLOTS:
    void exclusiveAcrossProcesses()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("org/repo.git"));
        QProcess *holder = startHolder(cache);
        QVERIFY(holder);
        CacheLock lock(cache);
        QVERIFY(!lock.tryLock(0));
        QVERIFY(lock.holder().contains(QString::number(holder->processId())));
        holder->closeWriteChannel();
        QVERIFY(holder->waitForFinished(10000));
        QVERIFY(lock.tryLock(2000));
        QVERIFY(lock.isLocked());
        QCOMPARE(lock.lockPath(), cache + QStringLiteral(".lock"));
        lock.unlock();
        QVERIFY(!QFile::exists(lock.lockPath()));
    }

    void waitsForTheHolder()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("r.git"));
        QProcess *holder = startHolder(cache);
        QVERIFY(holder);
        QTimer::singleShot(300, holder, [holder] { holder->closeWriteChannel(); });
        CacheLock lock(cache);
        QVERIFY(!lock.tryLock(0));
        // The lock is released while we wait (the timer needs the event loop: poll it).
        QElapsedTimer timer;
        timer.start();
        bool locked = false;
        while (!locked && timer.elapsed() < 10000) {
            QCoreApplication::processEvents();
            locked = lock.tryLock(50);
        }
        QVERIFY(locked);
        holder->waitForFinished(5000);
    }

    void deadHolderIsTakenOver()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("r.git"));
        QProcess *holder = startHolder(cache);
        QVERIFY(holder);
        holder->kill(); // SIGKILL: the lock file stays behind
        QVERIFY(holder->waitForFinished(5000));
        QVERIFY(QFile::exists(cache + QStringLiteral(".lock")));
        CacheLock lock(cache);
        QVERIFY(lock.tryLock(2000));
    }
};

int main(int argc, char **argv)
{
    const QString hold = qEnvironmentVariable("MIRRORDESK_HOLD_LOCK");
    if (!hold.isEmpty()) {
        QCoreApplication app(argc, argv);
        CacheLock lock(hold);
        if (!lock.tryLock(5000))
            return 1;
        QFile out;
        out.open(stdout, QIODevice::WriteOnly);
        out.write("locked\n");
        out.flush();
        QFile in;
        in.open(stdin, QIODevice::ReadOnly);
        in.readAll(); // until the test closes our stdin
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestCacheLock test;
    return QTest::qExec(&test, argc, argv);
}

#include "TestCacheLock.moc"
