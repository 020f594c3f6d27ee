#pragma once

#include "mirror/RunTypes.h"
#include "util/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace md {

enum class UpdateStatus { None, Scheduled, Started, Finished, Failed, Paused, Disabled };

QString updateStatusName(UpdateStatus status);
std::optional<UpdateStatus> updateStatusFromName(const QString &name);
std::optional<ErrorCategory> errorCategoryFromName(const QString &name);

// One ref's line in a run: what the plan said and what happened.
struct RefResult {
    QString ref;
    RefAction action = RefAction::UpToDate;
    QString oldOid;
    QString newOid;
    RefOutcome result = RefOutcome::Ok;
    QString message;
    bool operator==(const RefResult &) const = default;
};

struct RunRecord {
    QDateTime startedAt;
    qint64 durationMs = 0;
    RunOutcome outcome = RunOutcome::Ok;
    ErrorCategory errorCategory = ErrorCategory::None;
    QString error;   // scrubbed
    QStringList warnings;
    QList<RefResult> refs;
    bool operator==(const RunRecord &) const = default;
};

// The last Check of a mirror (DESIGN section 3).
struct CheckRecord {
    CheckState state = CheckState::None;
    ErrorCategory errorCategory = ErrorCategory::None;
    QString error;
    QDateTime checkedAt;
    QString sourceFingerprint;
    QString targetFingerprint;
    QString sourceHead;
    QString targetHead;
    bool operator==(const CheckRecord &) const = default;
};

// The status of one mirror, as the engine leaves it after each run.
struct StatusRecord {
    UpdateStatus updateStatus = UpdateStatus::None;
    QDateTime lastUpdateStartedAt;
    QDateTime lastUpdateAt;
    QDateTime lastSuccessfulUpdateAt;
    QString lastError; // scrubbed
    ErrorCategory errorCategory = ErrorCategory::None;
    QStringList warnings;
    int consecutiveFailures = 0;
    std::optional<CheckRecord> lastCheck;
    bool operator==(const StatusRecord &) const = default;
};

// ISO 8601 UTC with "Z", or an empty string for a null time.
QString isoTime(const QDateTime &time);
QDateTime parseIsoTime(const QString &text);

QJsonObject statusToJson(const StatusRecord &status);
Result<StatusRecord> statusFromJson(const QJsonObject &object);
QJsonObject runToJson(const RunRecord &run);
Result<RunRecord> runFromJson(const QJsonObject &object, const QString &path);
QJsonObject refResultToJson(const RefResult &ref);

} // namespace md
