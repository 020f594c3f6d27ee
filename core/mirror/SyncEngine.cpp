#include "mirror/SyncEngine.h"

#include "git/GitLibrary.h"
#include "mirror/Scheduler.h"
#include "security/GitUrl.h"
#include "util/Log.h"

namespace md {

SyncEngine::SyncEngine(QString stateDir, QObject *parent)
    : QObject(parent)
    , m_stateDir(std::move(stateDir))
{
}

SyncEngine::~SyncEngine()
{
    // Jobs not started yet are dropped; running ones see the cancel flag and end quickly,
    // recording nothing (a cancelled check says nothing about the mirror).
    m_cancel.store(true);
    m_queue.clear();
    m_pool.clear();
    m_pool.waitForDone();
}

Status SyncEngine::prepare(const Config &config)
{
    // Global libgit2 options (the CA file) change only while no job runs.
    if (m_busy.isEmpty()) {
        if (auto status = git::GitLibrary::initialize(gitOptions(config.settings)); !status)
            return status;
        m_pool.setMaxThreadCount(std::max(1, config.settings.concurrency));
        m_queue.setPerHost(config.settings.perHostConcurrency);
    }
    return {};
}

void SyncEngine::startJob(const QString &name, const QString &kind, const QString &host, std::function<void()> fn)
{
    m_busy.insert(name);
    qCDebug(lcSync) << "queued" << kind << "of" << name << "for" << host;
    Q_EMIT jobStarted(name, kind);
    m_queue.start(host, std::move(fn));
}

void SyncEngine::finished(const QString &name)
{
    m_busy.remove(name);
    if (m_busy.isEmpty())
        Q_EMIT idle();
}

Result<int> SyncEngine::check(const Config &config, const QStringList &names)
{
    if (auto status = prepare(config); !status)
        return status.error();
    const StateStore state(m_stateDir);
    int started = 0;
    for (const Mirror &mirror : config.mirrors) {
        const bool selected = names.isEmpty() ? mirror.enabled : names.contains(mirror.name);
        if (!selected || isBusy(mirror.name))
            continue;
        auto job = makeCheckJob(config, mirror); // secrets read here, before the job starts
        if (!job) {
            CheckRecord record;
            record.state = QStringLiteral("unreachable");
            record.errorCategory = job.error().category == ErrorCategory::Usage ? ErrorCategory::Config : job.error().category;
            record.error = GitUrl::scrubText(job.error().text());
            record.checkedAt = QDateTime::currentDateTimeUtc();
            Q_EMIT checkFinished(mirror.name, recordCheck(state, mirror.name, record));
            continue;
        }
        const QString name = mirror.name;
        startJob(name, QStringLiteral("check"), job->source.hostPort, [this, name, state, job = *job] {
            CheckJob limited = job;
            limited.limits.cancel = &m_cancel;
            const CheckRecord record = runCheck(limited);
            if (m_cancel.load())
                return; // the engine is going away: record nothing, report nothing
            CheckOutcome outcome = recordCheck(state, name, record);
            QMetaObject::invokeMethod(this, [this, name, outcome] {
                finished(name);
                Q_EMIT checkFinished(name, outcome);
            }, Qt::QueuedConnection);
        });
        ++started;
    }
    return started;
}

QString SyncEngine::updateNow(const Config &config, const QString &name)
{
    const auto found = std::find_if(config.mirrors.begin(), config.mirrors.end(), [&](const Mirror &m) { return m.name == name; });
    if (found == config.mirrors.end())
        return QStringLiteral("no mirror named %1").arg(name);
    const Mirror &mirror = *found;
    if (isBusy(name))
        return QStringLiteral("%1 is already being checked or updated").arg(name);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const ScheduleDecision decision = decideManualUpdate(mirror, m_lastManualUpdate.value(name), now);
    if (!decision.due)
        return decision.reason;
    if (auto prepared = prepare(config); !prepared)
        return prepared.error().message;
    m_lastManualUpdate.insert(name, now);
    StateStore state(m_stateDir);

    std::optional<Error> setupError;
    std::optional<CheckJob> job;
    if (mirror.shape != Shape::Pull) {
        setupError = Error{ErrorCategory::Config, QStringLiteral("%1 mirrors are not synced by this version yet (pull mirrors are)")
                                                      .arg(shapeName(mirror.shape)), {}, 0, 0};
    } else if (auto made = makeCheckJob(config, mirror); !made) {
        setupError = made.error(); // secrets are read here, before the job starts
        setupError->message = GitUrl::scrubText(setupError->text());
    } else {
        job = *made;
    }
    if (setupError) {
        UpdateOutcome outcome;
        outcome.startedAt = QDateTime::currentDateTimeUtc();
        outcome.result.outcome = QStringLiteral("failed");
        outcome.result.error = setupError;
        auto recorded = recordUpdate(state, name, outcome.startedAt, setupError, outcome.result, false);
        if (recorded)
            outcome.status = *recorded;
        else
            outcome.problems.append(recorded.error().message);
        Q_EMIT updateFinished(name, outcome);
        return QString();
    }
    const Settings settings = config.settings;
    startJob(name, QStringLiteral("update"), job->source.hostPort, [this, name, state, settings, job = *job] {
        UpdateRequest request;
        request.cancel = &m_cancel; // a run cut short is recorded as interrupted, without backoff
        request.onProgress = [this, name](const git::RemoteCallbacks::Progress &p) {
            QMetaObject::invokeMethod(this, [this, name, p] {
                Q_EMIT progress(name, p.receivedObjects, p.totalObjects, static_cast<qint64>(p.receivedBytes));
            }, Qt::QueuedConnection);
        };
        UpdateOutcome outcome = runUpdate(job, request, settings, state);
        QMetaObject::invokeMethod(this, [this, name, outcome] {
            finished(name);
            Q_EMIT updateFinished(name, outcome);
        }, Qt::QueuedConnection);
    });
    return QString();
}

} // namespace md
