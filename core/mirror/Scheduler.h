#pragma once

#include "mirror/Mirror.h"
#include "mirror/StatusRecord.h"

namespace md {

// The scheduling decision shared by the window, `update --due` from cron and the service: a pure
// function of the mirror, its status and the time.
struct ScheduleDecision {
    bool due = false;
    QString reason;     // why not due ("disabled", "paused", "not due until …")
    QDateTime nextRun;  // invalid when never (disabled, paused)
    // The last start was recorded in the future (clock skew, a hand-edited state): the next run
    // is clamped to now + the wait, and the caller resets the recorded start to now so that the
    // clamp holds (resetScheduleWarning() says so in the status).
    bool clamped = false;
};

// The warning recorded when a start time in the future is reset.
QString resetScheduleWarning(const QDateTime &recordedStart, const QDateTime &now);

// Interval with a stable per-mirror jitter (up to +10 %, so mirrors added together do not poll
// together), doubled per consecutive failure (backoff) up to 24 hours.
ScheduleDecision decideSchedule(const Mirror &mirror, const StatusRecord &status, int defaultIntervalMinutes,
                                const QDateTime &now);

// Whether a manual "Update now" (the window's button, a webhook) may start: refused while
// min_update_interval_seconds since the last manual update's start has not passed (scheduled
// and command-line runs do not count). Disabled mirrors may still be updated by hand. The
// command line itself is not throttled (DESIGN section 6).
ScheduleDecision decideManualUpdate(const Mirror &mirror, const QDateTime &lastManualUpdate, const QDateTime &now);

} // namespace md
