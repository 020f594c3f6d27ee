#include "ops/Health.h"

#include <array>

namespace md {

namespace {

constexpr std::array<const char *, kHealthCount> kNames = {
    "failing", "diverged", "stale", "behind", "running", "in_sync", "unknown", "paused", "disabled"};

} // namespace

QString healthName(Health health)
{
    return QString::fromLatin1(kNames.at(static_cast<size_t>(health)));
}

std::optional<Health> healthFromName(const QString &name)
{
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (name == QLatin1String(kNames.at(i)))
            return static_cast<Health>(i);
    }
    return std::nullopt;
}

HealthVerdict assessHealth(const HealthInput &input)
{
    const Mirror &mirror = input.mirror;
    const StatusRecord &status = input.status;
    if (!mirror.enabled || status.updateStatus == UpdateStatus::Disabled)
        return {Health::Disabled, HealthCause::Disabled, ErrorCategory::None};
    if (status.updateStatus == UpdateStatus::Paused)
        return {Health::Paused, HealthCause::Paused, ErrorCategory::None};

    const std::optional<CheckRecord> check = currentCheck(status);
    // A check newer than the last attempt tells the state now; a failed update after that check
    // is newer news, and the other way round.
    const bool checkIsNewer = check && (!status.lastUpdateAt.isValid() || check->checkedAt >= status.lastUpdateAt);
    const bool runFailed = status.updateStatus == UpdateStatus::Failed
        || (status.updateStatus != UpdateStatus::Started && status.consecutiveFailures > 0);

    // failing
    if (check && (check->state == CheckState::Unreachable || check->errorCategory != ErrorCategory::None)
        && check->state != CheckState::Diverged && (checkIsNewer || !runFailed))
        return {Health::Failing, HealthCause::CheckFailed, check->errorCategory};
    if (runFailed && status.errorCategory != ErrorCategory::Diverged)
        return {Health::Failing, HealthCause::RunFailed, status.errorCategory};
    // diverged
    if (check && check->state == CheckState::Diverged)
        return {Health::Diverged, HealthCause::CheckDiverged, ErrorCategory::None};
    if (runFailed)
        return {Health::Diverged, HealthCause::RunDiverged, ErrorCategory::Diverged};
    // stale: attempted before, no success for three intervals (a mirror that never ran is unknown)
    const qint64 interval = qint64(mirror.effectiveIntervalMinutes(input.defaultIntervalMinutes)) * 60;
    const bool attempted = status.lastUpdateStartedAt.isValid() || status.lastUpdateAt.isValid();
    if (attempted && input.now.isValid()) {
        if (!status.lastSuccessfulUpdateAt.isValid()) {
            const QDateTime since = status.lastUpdateStartedAt.isValid() ? status.lastUpdateStartedAt : status.lastUpdateAt;
            if (since.secsTo(input.now) > kStaleIntervals * interval && !input.running)
                return {Health::Stale, HealthCause::NeverSucceeded, ErrorCategory::None};
        } else if (status.lastSuccessfulUpdateAt.secsTo(input.now) > kStaleIntervals * interval && !input.running) {
            return {Health::Stale, HealthCause::NoSuccessSince, ErrorCategory::None};
        }
    }
    // behind
    if (check && check->state == CheckState::Behind)
        return {Health::Behind, HealthCause::CheckBehind, ErrorCategory::None};
    // running
    if (input.running || status.updateStatus == UpdateStatus::Started || status.updateStatus == UpdateStatus::Scheduled)
        return {Health::Running, HealthCause::Running, ErrorCategory::None};
    // in sync
    if (check && (check->state == CheckState::InSync || check->state == CheckState::Empty))
        return {Health::InSync, HealthCause::CheckInSync, ErrorCategory::None};
    if (status.updateStatus == UpdateStatus::Finished && status.lastSuccessfulUpdateAt.isValid())
        return {Health::InSync, HealthCause::UpdateOk, ErrorCategory::None};
    return {Health::Unknown, HealthCause::None, ErrorCategory::None};
}

} // namespace md
