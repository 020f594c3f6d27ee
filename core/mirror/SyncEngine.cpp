#include "mirror/SyncEngine.h"

#include "git/GitLibrary.h"
#include "platform/Platform.h"
#include "util/Log.h"

namespace md {

SyncEngine::SyncEngine(QString stateDir, QObject *parent)
    : QObject(parent)
    , m_stateDir(std::move(stateDir))
    , m_cancelPoll(new QTimer(this))
{
    m_cancelPoll->setInterval(50);
    connect(m_cancelPoll, &QTimer::timeout, this, &SyncEngine::pollCancelFlag);
}

SyncEngine::~SyncEngine()
{
    // Jobs not started yet are dropped; running ones see the cancel flag and end quickly,
    // recording nothing (a cancelled check says nothing about the mirror).
    m_closing.store(true);
    m_cancel.store(true);
    for (const auto &flag : std::as_const(m_jobCancel))
        flag->store(true);
    m_preparer.waitForWorker(); // it hands jobs to the queue and the pool: done with that first
    m_queue.clear();
    m_pool.clear();
    m_pool.waitForDone();
}

Status SyncEngine::configure(const Config &config)
{
    // Global libgit2 options (the CA file) change only while no job runs.
    if (!m_busy.isEmpty())
        return {};
    if (auto status = git::GitLibrary::initialize(gitOptions(config.settings)); !status)
        return status;
    m_pool.setMaxThreadCount(std::max(1, config.settings.concurrency));
    m_queue.setPerHost(config.settings.perHostConcurrency);
    return {};
}

Result<int> SyncEngine::start(JobKind kind, const Config &config, const QList<Mirror> &mirrors, const BatchOptions &options)
{
    if (auto status = configure(config); !status)
        return status.error();
    QList<Mirror> batch;
    QList<std::shared_ptr<std::atomic<bool>>> flags; // one per job, handed to it by value
    batch.reserve(mirrors.size());
    flags.reserve(mirrors.size());
    m_busy.reserve(m_busy.size() + mirrors.size());
    for (const Mirror &mirror : mirrors) {
        if (isBusy(mirror.name))
            continue;
        m_busy.insert(mirror.name);
        auto flag = std::make_shared<std::atomic<bool>>(m_cancelFlag->load());
        m_jobCancel.insert(mirror.name, flag);
        flags.append(std::move(flag));
        batch.append(mirror);
        qCDebug(lcSync) << "queued" << (kind == JobKind::Check ? "check" : "update") << "of" << mirror.name;
        Q_EMIT jobStarted(mirror.name, kind);
    }
    if (batch.isEmpty())
        return 0;
    if (!m_cancelPoll->isActive())
        m_cancelPoll->start();
    const Settings settings = config.settings;
    // An update writes the cache: its path is checked again, by real path, before every sync.
    std::optional<ProtectedPaths> cachePaths;
    if (kind == JobKind::Update)
        cachePaths = protectedPaths(m_configFile, m_stateDir);
    // Built and queued on the preparer's worker (thread-safe queue and pool): a batch of 10,000
    // costs this thread the loop above, not 10,000 jobs built (about 40 ms) and queued.
    m_preparer.prepareOnWorker(config, batch, [this, kind, batch, flags, settings, options](QList<Result<MirrorJob>> jobs) {
        for (qsizetype i = 0; i < batch.size() && !m_closing.load(); ++i)
            run(kind, batch.at(i), std::move(jobs[i]), settings, options, flags.at(i));
    }, cachePaths);
    return static_cast<int>(batch.size());
}

void SyncEngine::run(JobKind kind, const Mirror &mirror, Result<MirrorJob> job, const Settings &settings, const BatchOptions &options,
                     const std::shared_ptr<std::atomic<bool>> &flag)
{
    const QString name = mirror.name;
    if (!job) {
        // Recorded on the pool, like every other result: the event-loop thread writes no state.
        m_pool.start([this, kind, name, error = job.error(), options] { recordSetupError(kind, name, error, options); });
        return;
    }
    const QString host = job->source.hostPort;
    if (kind == JobKind::Check)
        m_queue.start(host, [this, name, j = *job, options, flag] { runCheck(name, j, options, *flag); });
    else
        m_queue.start(host, [this, name, j = *job, settings, options, flag] { runUpdate(name, j, settings, options, *flag); });
}

void SyncEngine::lowerPriority() const
{
    if (m_lowPriority.load())
        platform::lowerCurrentThreadPriority(); // the event loop's thread (the window) goes first
}

void SyncEngine::recordSetupError(JobKind kind, const QString &name, const Error &error, const BatchOptions &options)
{
    lowerPriority();
    const StateStore state(m_stateDir);
    if (kind == JobKind::Check) {
        CheckRecord record;
        record.state = CheckState::Unreachable;
        record.errorCategory = error.category == ErrorCategory::Usage ? ErrorCategory::Config : error.category;
        record.error = error.message;
        record.errorDetail = error.detail;
        record.checkedAt = QDateTime::currentDateTimeUtc();
        const CheckOutcome outcome = recordCheck(state, name, record);
        QMetaObject::invokeMethod(this, [this, name, outcome] {
            finished(name);
            Q_EMIT checkFinished(name, outcome);
        }, Qt::QueuedConnection);
        return;
    }
    UpdateOutcome outcome;
    outcome.startedAt = QDateTime::currentDateTimeUtc();
    outcome.result.outcome = RunOutcome::Failed;
    outcome.result.error = error;
    if (!options.dryRun) {
        if (auto recorded = recordUpdate(state, name, outcome.startedAt, error, outcome.result, false))
            outcome.status = *recorded;
        else
            outcome.problems.append(recorded.error().message);
    }
    QMetaObject::invokeMethod(this, [this, name, outcome] {
        finished(name);
        Q_EMIT updateFinished(name, outcome);
    }, Qt::QueuedConnection);
}

void SyncEngine::runCheck(const QString &name, const MirrorJob &job, const BatchOptions &options, const std::atomic<bool> &cancel)
{
    lowerPriority();
    MirrorJob limited = job;
    limited.limits = checkLimits(job.limits, options.timeoutSeconds); // the deadline runs from the job's start
    limited.limits.cancel = &cancel;
    const CheckRecord record = md::runCheck(limited);
    if (m_closing.load())
        return; // the engine is going away: record nothing, report nothing
    CheckOutcome outcome;
    if (record.state == CheckState::Unreachable && cancel.load()) {
        // Stopped by a signal or a cancel: that says nothing about the mirror, so nothing is recorded.
        outcome.record = record;
        outcome.record.errorCategory = ErrorCategory::Interrupted;
        outcome.record.error = interruptionText();
        if (auto status = StateStore(m_stateDir).status(name))
            outcome.status = *status;
    } else {
        outcome = recordCheck(StateStore(m_stateDir), name, record);
    }
    QMetaObject::invokeMethod(this, [this, name, outcome] {
        finished(name);
        Q_EMIT checkFinished(name, outcome);
    }, Qt::QueuedConnection);
}

void SyncEngine::runUpdate(const QString &name, const MirrorJob &job, const Settings &settings, const BatchOptions &options,
                           const std::atomic<bool> &cancel)
{
    lowerPriority();
    UpdateRequest request;
    request.dryRun = options.dryRun;
    request.allowMassChange = options.allowMassChange;
    request.allowEmptySource = options.allowEmptySource;
    request.timeoutSeconds = options.timeoutSeconds;
    request.lockWaitSeconds = options.lockWaitSeconds;
    request.cancel = &cancel;
    request.onProgress = [this, name](const git::RemoteCallbacks::Progress &p) {
        QMetaObject::invokeMethod(this, [this, name, p] {
            Q_EMIT progress(name, p.receivedObjects, p.totalObjects, static_cast<qint64>(p.receivedBytes));
        }, Qt::QueuedConnection);
    };
    UpdateOutcome outcome = md::runUpdate(job, request, settings, StateStore(m_stateDir));
    if (!outcome.status && outcome.skipReason != SkipReason::None) { // skipped: the recorded status, read here
        if (auto recorded = StateStore(m_stateDir).status(name))
            outcome.status = *recorded;
    }
    QMetaObject::invokeMethod(this, [this, name, outcome] {
        finished(name);
        Q_EMIT updateFinished(name, outcome);
    }, Qt::QueuedConnection);
}

void SyncEngine::finished(const QString &name)
{
    m_busy.remove(name);
    m_jobCancel.remove(name);
    if (m_busy.isEmpty()) {
        m_cancelPoll->stop();
        Q_EMIT idle();
    }
}

bool SyncEngine::cancel(const QString &name)
{
    const auto it = m_jobCancel.constFind(name);
    if (it == m_jobCancel.constEnd())
        return false;
    (*it)->store(true);
    return true;
}

void SyncEngine::cancelAll()
{
    for (const auto &flag : std::as_const(m_jobCancel))
        flag->store(true);
}

void SyncEngine::pollCancelFlag()
{
    if (m_cancelFlag->load())
        cancelAll();
}

} // namespace md
