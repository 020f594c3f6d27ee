#include "mirror/Scheduler.h"

#include <QCryptographicHash>

namespace md {

ScheduleDecision decideSchedule(const Mirror &mirror, const StatusRecord &status, int defaultIntervalMinutes,
                                const QDateTime &now)
{
    ScheduleDecision decision;
    if (!mirror.enabled || status.updateStatus == UpdateStatus::Disabled) {
        decision.reason = QStringLiteral("disabled");
        return decision;
    }
    if (status.updateStatus == UpdateStatus::Paused) {
        decision.reason = QStringLiteral("paused");
        return decision;
    }
    if (!status.lastUpdateStartedAt.isValid()) {
        decision.due = true;
        decision.nextRun = now;
        return decision;
    }
    const qint64 interval = qint64(mirror.effectiveIntervalMinutes(defaultIntervalMinutes)) * 60;
    const QByteArray digest = QCryptographicHash::hash(mirror.name.toUtf8(), QCryptographicHash::Sha256);
    const qint64 jitter = interval * (static_cast<unsigned char>(digest.at(0)) % 11) / 100; // 0–10 %
    qint64 wait = interval;
    for (int i = 0; i < status.consecutiveFailures && wait < 24 * 3600; ++i)
        wait *= 2;
    wait = std::max(interval, std::min<qint64>(wait, 24 * 3600)) + jitter;
    decision.nextRun = status.lastUpdateStartedAt.addSecs(wait);
    // A start more than a minute ahead of now cannot be right: never "not due" forever.
    if (status.lastUpdateStartedAt > now.addSecs(60)) {
        decision.clamped = true;
        decision.nextRun = now.addSecs(wait);
    }
    decision.due = now >= decision.nextRun;
    if (!decision.due)
        decision.reason = QStringLiteral("not due until %1").arg(isoTime(decision.nextRun));
    return decision;
}

QString resetScheduleWarning(const QDateTime &recordedStart, const QDateTime &now)
{
    return QStringLiteral("the last start was recorded at %1, in the future (clock skew or a hand-edited state); the "
                          "schedule was reset at %2").arg(isoTime(recordedStart), isoTime(now));
}

ScheduleDecision decideManualUpdate(const Mirror &mirror, const QDateTime &lastManualUpdate, const QDateTime &now)
{
    ScheduleDecision decision;
    decision.nextRun = lastManualUpdate.isValid() ? lastManualUpdate.addSecs(mirror.minUpdateIntervalSeconds) : now;
    decision.due = now >= decision.nextRun;
    if (!decision.due)
        decision.reason = QStringLiteral("updated by hand %1 s ago; the next manual update is allowed in %2 s "
                                         "(min_update_interval_seconds = %3)")
                              .arg(lastManualUpdate.secsTo(now))
                              .arg(now.secsTo(decision.nextRun))
                              .arg(mirror.minUpdateIntervalSeconds);
    return decision;
}

} // namespace md
