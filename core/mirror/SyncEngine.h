#pragma once

#include "mirror/Config.h"
#include "mirror/HostQueue.h"
#include "mirror/JobPreparer.h"
#include "mirror/MirrorRun.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QSet>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace md {

enum class JobKind { Check, Update };

// What a batch asks of each of its jobs (a check reads only timeoutSeconds).
struct BatchOptions {
    bool dryRun = false;
    bool allowMassChange = false;
    bool allowEmptySource = false; // follow a source emptied on purpose (every ref kept in the attic)
    int timeoutSeconds = 0;  // 0: the settings' run_timeout (an update), kDefaultCheckTimeoutSeconds (a check)
    int lockWaitSeconds = 0; // 0: skip a mirror another process is updating
};

// The one batch runner (DESIGN section 2): every check, plan and update, from the command line,
// the window, the scheduler or a webhook, goes through here. A batch's jobs are prepared in one
// asynchronous step (JobPreparer: secrets read there), then run as QThreadPool jobs under the
// per-host limit (HostQueue), each recording its result in the state folder (MirrorRun); a job
// whose preparation failed is recorded on the pool too. Results come back by value, by queued
// signals, on the thread that owns the engine; nothing blocks that thread. The command line runs
// it on a QCoreApplication loop and quits on idle(). Destroying the engine drops queued jobs and
// cancels running ones, recording nothing for them (repositories are left valid).
class SyncEngine : public QObject {
    Q_OBJECT
public:
    explicit SyncEngine(QString stateDir, QObject *parent = nullptr);
    ~SyncEngine() override;

    // Starts one batch over `mirrors` (selected and filtered by the caller: RunOps). Mirrors
    // already busy in this engine are left out. Returns how many were started, or why none
    // could be (libgit2's global options could not be set).
    Result<int> start(JobKind kind, const Config &config, const QList<Mirror> &mirrors, const BatchOptions &options = {});

    // Jobs watch this flag instead of the engine's own (the command line passes the one its
    // SIGINT/SIGTERM handlers set): a run cut short is recorded as interrupted, without backoff.
    void setCancelFlag(const std::atomic<bool> *flag) { m_cancelFlag = flag ? flag : &m_cancel; }

    // True (the default): the pool threads run at a lower priority than the thread that owns the
    // engine, so that a batch of thousands never takes the cores from the window's event loop
    // (platform::lowerCurrentThreadPriority). The command line, which has no window, sets false:
    // its syncs compete with the machine's other work as any process does. Set it before the
    // first batch: a thread once lowered stays so.
    void setLowPriorityWorkers(bool low)
    {
        m_lowPriority = low;
        m_preparer.setLowPriority(low);
    }

    // The config file the batches come from: no cache may hold it (checked before every update).
    void setConfigFile(const QString &path) { m_configFile = path; }

    // Cancels one mirror's queued or running job (the window's Cancel): it ends soon, an update
    // recorded as interrupted (no backoff, not a failure), a check recording nothing. False when
    // the mirror has no job here.
    bool cancel(const QString &name);
    // Cancels every job of this engine (closing the window during a run).
    void cancelAll();

    bool isBusy(const QString &name) const { return m_busy.contains(name); }
    int busyCount() const { return static_cast<int>(m_busy.size()); }

Q_SIGNALS:
    void jobStarted(const QString &name, md::JobKind kind);
    void checkFinished(const QString &name, const md::CheckOutcome &outcome);
    void updateFinished(const QString &name, const md::UpdateOutcome &outcome);
    // Objects received of the total during an update's download (at most ten a second).
    void progress(const QString &name, unsigned int receivedObjects, unsigned int totalObjects, qint64 receivedBytes);
    void idle(); // the last running job has finished

private:
    Status configure(const Config &config);
    // Hands one prepared job to the host queue (or its setup error to the pool): called on the
    // preparer's worker thread, so it touches only thread-safe members (m_queue, m_pool).
    void run(JobKind kind, const Mirror &mirror, Result<MirrorJob> job, const Settings &settings, const BatchOptions &options,
             const std::shared_ptr<std::atomic<bool>> &flag);
    void runCheck(const QString &name, const MirrorJob &job, const BatchOptions &options, const std::atomic<bool> &cancel);
    void runUpdate(const QString &name, const MirrorJob &job, const Settings &settings, const BatchOptions &options,
                   const std::atomic<bool> &cancel);
    void recordSetupError(JobKind kind, const QString &name, const Error &error, const BatchOptions &options);
    void finished(const QString &name);
    void pollCancelFlag();
    void lowerPriority() const; // on a pool thread, once: see setLowPriorityWorkers()

    QString m_stateDir;
    QString m_configFile;
    QThreadPool m_pool;
    HostQueue m_queue{m_pool, 8};
    JobPreparer m_preparer;
    QSet<QString> m_busy;
    std::atomic<bool> m_cancel{false};
    const std::atomic<bool> *m_cancelFlag = &m_cancel;
    std::atomic<bool> m_closing{false};
    // One cancel flag per job (set by cancel(), cancelAll(), or when the shared flag is raised:
    // pollCancelFlag fans it out while jobs run).
    QHash<QString, std::shared_ptr<std::atomic<bool>>> m_jobCancel;
    QTimer *m_cancelPoll = nullptr;
    std::atomic<bool> m_lowPriority{true};
};

} // namespace md

Q_DECLARE_METATYPE(md::JobKind)
