#pragma once

#include "mirror/Config.h"
#include "mirror/HostQueue.h"
#include "mirror/MirrorRun.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace md {

// The engine the window drives (DESIGN section 2): checks and updates run as QThreadPool jobs
// (settings.concurrency, per_host_concurrency), each recording its result in the state folder
// exactly as the command line does (MirrorRun). Results come back by value, emitted on the
// thread that owns the engine; nothing blocks that thread but reading env:/file: secrets before
// a job starts. Destroying the engine cancels running jobs and waits for them (repositories
// are left valid).
class SyncEngine : public QObject {
    Q_OBJECT
public:
    explicit SyncEngine(QString stateDir, QObject *parent = nullptr);
    ~SyncEngine() override;

    // Checks the named mirrors of config (every enabled mirror when empty, as `check` does),
    // skipping those busy here. Returns how many were started, or why none could be.
    Result<int> check(const Config &config, const QStringList &names);

    // "Update now" for one mirror. Refused, with the reason returned (and nothing started), while
    // it is busy in this process or its min_update_interval_seconds since the last "Update now"
    // has not passed. A mirror another MirrorDesk process is updating is reported by
    // updateFinished as skipped: running.
    QString updateNow(const Config &config, const QString &name);

    bool isBusy(const QString &name) const { return m_busy.contains(name); }
    int busyCount() const { return static_cast<int>(m_busy.size()); }

Q_SIGNALS:
    void jobStarted(const QString &name, const QString &kind); // kind: "check" or "update"
    void checkFinished(const QString &name, const md::CheckOutcome &outcome);
    void updateFinished(const QString &name, const md::UpdateOutcome &outcome);
    // Objects received of the total during an update's download (at most ten a second).
    void progress(const QString &name, unsigned int receivedObjects, unsigned int totalObjects, qint64 receivedBytes);
    void idle(); // the last running job has finished

private:
    // Starts fn on the pool under the host's limit.
    void startJob(const QString &name, const QString &kind, const QString &host, std::function<void()> fn);
    void finished(const QString &name);
    Status prepare(const Config &config);

    QString m_stateDir;
    QThreadPool m_pool;
    HostQueue m_queue{m_pool, 8};
    QSet<QString> m_busy;
    QHash<QString, QDateTime> m_lastManualUpdate; // name -> start of its last "Update now"
    std::atomic<bool> m_cancel{false};
};

} // namespace md
