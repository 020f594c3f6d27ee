#include "ops/RunOps.h"

#include "mirror/Scheduler.h"
#include "util/Scrub.h"

#include <QSet>

namespace md {

Result<QList<Mirror>> selectMirrors(const Config &config, const QStringList &names)
{
    if (names.isEmpty())
        return config.mirrors;
    QList<Mirror> selected;
    QSet<QString> seen;
    for (const QString &name : names) {
        const Mirror *mirror = config.mirror(name);
        if (!mirror)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(name)));
        if (!seen.contains(mirror->name)) {
            seen.insert(mirror->name);
            selected.append(*mirror);
        }
    }
    return selected;
}

RunOps::RunOps(SyncEngine &engine, QString stateDir, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_stateDir(std::move(stateDir))
{
    connect(&m_engine, &SyncEngine::checkFinished, this, [this](const QString &name, const CheckOutcome &outcome) {
        onFinished(name, outcome, std::nullopt);
    });
    connect(&m_engine, &SyncEngine::updateFinished, this, [this](const QString &name, const UpdateOutcome &outcome) {
        onFinished(name, std::nullopt, outcome);
    });
}

namespace {

QList<RunEntry> entriesFor(const QList<Mirror> &mirrors, bool named)
{
    QList<RunEntry> entries;
    entries.reserve(mirrors.size());
    for (const Mirror &mirror : mirrors) {
        RunEntry &entry = entries.emplace_back(); // in place: an entry is 2 KB, 10,000 of them at Check All
        entry.mirror = mirror;
        if (!named && !mirror.enabled) { // a disabled mirror runs only when named
            entry.skip = SkipReason::Disabled;
            entry.skipText = QStringLiteral("disabled");
        }
    }
    return entries;
}

} // namespace

Result<int> RunOps::check(const Config &config, const QStringList &names, Done done, const CheckOptions &options)
{
    auto selected = selectMirrors(config, names);
    if (!selected)
        return selected.error();
    BatchOptions batch;
    batch.timeoutSeconds = options.timeoutSeconds;
    return startBatch(JobKind::Check, config, entriesFor(*selected, !names.isEmpty()), batch, std::move(done));
}

Result<int> RunOps::update(const Config &config, const QStringList &names, const UpdateOptions &options, Done done)
{
    auto selected = selectMirrors(config, names);
    if (!selected)
        return selected.error();
    QList<RunEntry> entries = entriesFor(*selected, !names.isEmpty());
    if (options.due) {
        const StateStore state(m_stateDir);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (RunEntry &entry : entries) {
            if (entry.skip != SkipReason::None)
                continue;
            // With its check: a mirror not due is reported with it, and this read is the report's.
            const auto status = state.status(entry.mirror.name);
            const ScheduleDecision decision = decideSchedule(entry.mirror, status ? *status : StatusRecord{},
                                                             config.settings.defaultIntervalMinutes, now);
            if (status)
                entry.recorded = *status;
            if (decision.clamped) {
                // Recorded, so the clamp holds: the next run comes one wait after now.
                const QDateTime recorded = status->lastUpdateStartedAt;
                const auto changed = StateStore(m_stateDir).changeStatus(entry.mirror.name, [&](StatusRecord &current) {
                    current.lastUpdateStartedAt = now;
                    current.warnings.append(resetScheduleWarning(recorded, now));
                });
                entry.recorded = changed ? SharedOptional<StatusRecord>(*changed) : SharedOptional<StatusRecord>();
            }
            if (!decision.due) {
                entry.skip = SkipReason::NotDue;
                entry.skipText = decision.reason;
            }
        }
    }
    return startBatch(JobKind::Update, config, std::move(entries), options.batch, std::move(done));
}

Status RunOps::updateNow(const Config &config, const QString &name)
{
    auto selected = selectMirrors(config, {name});
    if (!selected)
        return selected.error();
    const Mirror &mirror = selected->first();
    if (m_engine.isBusy(mirror.name))
        return Error{ErrorCategory::Usage, QStringLiteral("%1 is already being checked or updated").arg(mirror.name), {}, 0, 0};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const ScheduleDecision decision = decideManualUpdate(mirror, m_lastManualUpdate.value(mirror.name), now);
    if (!decision.due)
        return Error{ErrorCategory::Usage, decision.reason, {}, 0, 0};
    RunEntry entry;
    entry.mirror = mirror;
    auto started = startBatch(JobKind::Update, config, {entry}, {}, {});
    if (!started)
        return started.error();
    m_lastManualUpdate.insert(mirror.name, now);
    return {};
}

Result<int> RunOps::startBatch(JobKind kind, const Config &config, QList<RunEntry> entries, const BatchOptions &options, Done done)
{
    auto batch = std::make_shared<Batch>();
    batch->done = std::move(done);
    batch->waiting.reserve(entries.size());
    QList<Mirror> toRun;
    toRun.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        RunEntry &entry = entries[i];
        if (entry.skip == SkipReason::None && m_engine.isBusy(entry.mirror.name)) {
            entry.skip = SkipReason::Running;
            entry.skipText = QStringLiteral("running (in this process)");
        }
        if (entry.skip == SkipReason::None) {
            batch->waiting.insert(entry.mirror.name, i);
            toRun.append(entry.mirror);
        }
    }
    batch->entries = std::move(entries);
    auto started = m_engine.start(kind, config, toRun, options);
    if (!started)
        return started.error();
    m_running.reserve(m_running.size() + batch->waiting.size());
    for (auto it = batch->waiting.cbegin(); it != batch->waiting.cend(); ++it)
        m_running.insert(it.key(), batch);
    if (batch->waiting.isEmpty()) // nothing to wait for: report from the event loop all the same
        QMetaObject::invokeMethod(this, [this, batch] { complete(batch); }, Qt::QueuedConnection);
    return *started;
}

void RunOps::onFinished(const QString &name, const std::optional<CheckOutcome> &check, const std::optional<UpdateOutcome> &update)
{
    const auto found = m_running.find(name);
    if (found == m_running.end())
        return;
    std::shared_ptr<Batch> batch = found.value();
    m_running.erase(found);
    const qsizetype index = batch->waiting.take(name);
    RunEntry &entry = batch->entries[index];
    entry.check = check;
    entry.update = update;
    if (update && update->skipReason != SkipReason::None) {
        entry.skip = update->skipReason;
        entry.skipText = update->skipped;
    }
    if (batch->waiting.isEmpty())
        complete(batch);
}

void RunOps::complete(std::shared_ptr<Batch> batch)
{
    if (batch->done)
        batch->done(RunReport{batch->entries});
}

} // namespace md
