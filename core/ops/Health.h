#pragma once

#include "mirror/Mirror.h"
#include "mirror/StatusRecord.h"

#include <QDateTime>

namespace md {

// A mirror's health (issue 12, DESIGN section 1): its last run and its current check combined
// into one word, the same for every front end. The order is the order of concern: failing >
// diverged > stale (no success for three intervals) > behind > running > in sync > unknown.
// Disabled and paused mirrors are shown as such whatever their results.
enum class Health { Failing, Diverged, Stale, Behind, Running, InSync, Unknown, Paused, Disabled };
constexpr int kHealthCount = 9;

// JSON-style names: failing | diverged | stale | behind | running | in_sync | unknown | paused | disabled.
QString healthName(Health health);
std::optional<Health> healthFromName(const QString &name);
// 0 for the most worrying (failing) up to disabled: the sort order of the Health column.
inline int healthRank(Health health) { return static_cast<int>(health); }

struct HealthInput {
    const Mirror &mirror;
    const StatusRecord &status;
    int defaultIntervalMinutes = 5;
    QDateTime now;
    bool running = false; // a run or check of it is going on now (here, or in another process)
};

// What made the health (for the window's tooltip and details pane): the decisive fact.
enum class HealthCause {
    None,           // unknown: never run, never checked
    Disabled,
    Paused,
    RunFailed,      // the last update failed (status.errorCategory says why)
    CheckFailed,    // the current check could not reach a side (its errorCategory says why)
    CheckDiverged,  // the current check found refs that cannot fast-forward
    RunDiverged,    // the last update left diverged refs (category diverged)
    NoSuccessSince, // no successful update for three intervals (stale)
    NeverSucceeded, // attempted, never succeeded, last attempt not a failure (interrupted)
    CheckBehind,
    Running,
    CheckInSync,
    UpdateOk,
};

struct HealthVerdict {
    Health health = Health::Unknown;
    HealthCause cause = HealthCause::None;
    ErrorCategory category = ErrorCategory::None; // for RunFailed / CheckFailed
};

HealthVerdict assessHealth(const HealthInput &input);
inline Health healthOf(const HealthInput &input) { return assessHealth(input).health; }

// How many intervals without a success make a mirror stale.
constexpr int kStaleIntervals = 3;

} // namespace md
