#include "mirror/RunTypes.h"

#include "util/EnumNames.h"

namespace md {

namespace {

const std::pair<RefAction, const char *> kActions[] = {
    {RefAction::Create, "create"},     {RefAction::FastForward, "fast_forward"}, {RefAction::Force, "force"},
    {RefAction::Delete, "delete"},     {RefAction::UpToDate, "up_to_date"},      {RefAction::SkipDiverged, "skip_diverged"},
    {RefAction::Filtered, "filtered"}, {RefAction::Rejected, "rejected"},
};
const std::pair<RefOutcome, const char *> kRefOutcomes[] = {
    {RefOutcome::Ok, "ok"}, {RefOutcome::Rejected, "rejected"}, {RefOutcome::Skipped, "skipped"},
};
const std::pair<RunOutcome, const char *> kRunOutcomes[] = {
    {RunOutcome::Ok, "ok"}, {RunOutcome::Failed, "failed"}, {RunOutcome::Skipped, "skipped"}, {RunOutcome::Interrupted, "interrupted"},
};
const std::pair<CheckState, const char *> kCheckStates[] = {
    {CheckState::None, ""},         {CheckState::InSync, "in_sync"},         {CheckState::Behind, "behind"},
    {CheckState::Diverged, "diverged"}, {CheckState::Unreachable, "unreachable"}, {CheckState::Empty, "empty"},
};
const std::pair<SkipReason, const char *> kSkipReasons[] = {
    {SkipReason::None, ""},           {SkipReason::Disabled, "disabled"},       {SkipReason::NotDue, "not_due"},
    {SkipReason::Running, "running"}, {SkipReason::Interrupted, "interrupted"},
};

} // namespace

QString refActionName(RefAction action) { return enumName(action, kActions); }
std::optional<RefAction> refActionFromName(const QString &name) { return enumFromName(name, kActions); }
QString refOutcomeName(RefOutcome outcome) { return enumName(outcome, kRefOutcomes); }
std::optional<RefOutcome> refOutcomeFromName(const QString &name) { return enumFromName(name, kRefOutcomes); }
QString runOutcomeName(RunOutcome outcome) { return enumName(outcome, kRunOutcomes); }
std::optional<RunOutcome> runOutcomeFromName(const QString &name) { return enumFromName(name, kRunOutcomes); }
QString checkStateName(CheckState state) { return enumName(state, kCheckStates); }
std::optional<CheckState> checkStateFromName(const QString &name) { return enumFromName(name, kCheckStates); }
QString skipReasonName(SkipReason reason) { return enumName(reason, kSkipReasons); }

} // namespace md
