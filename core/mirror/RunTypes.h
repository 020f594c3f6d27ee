#pragma once

#include <QString>

#include <optional>

namespace md {

// The states and actions of DESIGN section 3 as enums with fixed JSON names (never strings
// compared as literals). Each has a name for JSON and a parser for reading state files.

// One ref's action in a plan: create | fast_forward | force | delete | up_to_date |
// skip_diverged | filtered | rejected.
enum class RefAction { Create, FastForward, Force, Delete, UpToDate, SkipDiverged, Filtered, Rejected };
QString refActionName(RefAction action);
std::optional<RefAction> refActionFromName(const QString &name);

// What happened to one ref: ok | rejected | skipped.
enum class RefOutcome { Ok, Rejected, Skipped };
QString refOutcomeName(RefOutcome outcome);
std::optional<RefOutcome> refOutcomeFromName(const QString &name);

// How a run ended: ok | failed | skipped (DESIGN section 6's "outcome") | interrupted (SIGINT,
// SIGTERM or a cancel: no backoff, not counted as a failure).
enum class RunOutcome { Ok, Failed, Skipped, Interrupted };
QString runOutcomeName(RunOutcome outcome);
std::optional<RunOutcome> runOutcomeFromName(const QString &name);

// A check's verdict: in_sync | behind | diverged | unreachable | empty (None: never checked).
enum class CheckState { None, InSync, Behind, Diverged, Unreachable, Empty };
QString checkStateName(CheckState state);
std::optional<CheckState> checkStateFromName(const QString &name);

// Why a selected mirror did not run: disabled | not_due | running | interrupted. The reason text
// shown beside it ("running (pid 12 on host)", "next run at …") is carried separately.
enum class SkipReason { None, Disabled, NotDue, Running, Interrupted };
QString skipReasonName(SkipReason reason);

} // namespace md
