#pragma once

#include "mirror/RunTypes.h"
#include "util/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>

namespace md {

// interrupted: the last run was stopped by SIGINT/SIGTERM or a cancel (not a failure).
enum class UpdateStatus { None, Scheduled, Started, Finished, Failed, Paused, Disabled, Interrupted };

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
    QString side = QString(); // cache (the fetch into the cache) | target (a relay's or push mirror's push); empty: cache
    bool operator==(const RefResult &) const = default;
};

// One run in a mirror's history. It keeps only the refs that moved or failed (a GitHub-sized
// source advertises thousands of refs/pull/* every run) and counts every ref per action, so a
// run record stays small whatever the source advertises (compactRun).
struct RunRecord {
    static constexpr int kRefLimit = 200;       // ref lines kept per run (failures first)
    static constexpr int kMessageLimit = 500;   // characters of a ref's or warning's message
    static constexpr int kWarningLimit = 50;
    static constexpr int kErrorLimit = 4000;
    QDateTime startedAt;
    qint64 durationMs = 0;
    RunOutcome outcome = RunOutcome::Ok;
    ErrorCategory errorCategory = ErrorCategory::None;
    QString error;   // scrubbed
    QStringList warnings;
    QList<RefResult> refs;           // the refs that moved or failed, at most kRefLimit
    QMap<RefAction, int> refCounts;  // every ref of the run, per action
    int refsOmitted = 0;             // moved or failed refs past kRefLimit (counted, not listed)
    bool operator==(const RunRecord &) const = default;
};

// Whether a ref's line is worth keeping in the history: it moved, was left diverged, or failed.
bool isNotableRef(const RefResult &ref);
// A run record of `refs` as the history keeps it: counts per action, the notable refs (failures
// first, then in order) up to the limit, messages and warnings cut to their limits.
RunRecord compactRun(RunRecord run, const QList<RefResult> &refs);
// A ref left out as host-internal (refs/pull/*, refs/remotes/*, HEAD, …): rejected by rule, never
// worth a line of its own. Branches and tags rejected for an invalid name are not left out: they
// are a source's refs the mirror cannot carry, and are named.
bool isLeftOut(const RefResult &ref);
// The left-out refs counted per namespace ("refs/pull/*" → 6736); HEAD is not counted.
QMap<QString, int> leftOutByNamespace(const QList<RefResult> &refs);
// "6736 refs/pull/* and 1 refs/remotes/* left out: host-internal", or empty.
QString leftOutText(const QMap<QString, int> &leftOut);
// "6736 rejected, 270 up_to_date" (the counts in a fixed order), for text output.
QString refCountsText(const QMap<RefAction, int> &counts);

// The last Check of a mirror (DESIGN section 3).
// One of a relay's two comparisons (source ↔ cache, cache ↔ target).
struct CheckStage {
    CheckState state = CheckState::None;
    ErrorCategory errorCategory = ErrorCategory::None;
    QString error;
    QJsonObject errorDetail = {}; // the error's structured detail (Error::detail), e.g. a refused host key
    bool operator==(const CheckStage &) const = default;
};

struct CheckRecord {
    CheckState state = CheckState::None;
    ErrorCategory errorCategory = ErrorCategory::None;
    QString error;
    QDateTime checkedAt;
    QString sourceFingerprint;
    QString targetFingerprint;
    QString sourceHead;
    QString targetHead;
    // Relay and push mirrors: both comparisons (state is the worse of the two), and warnings
    // (a target whose default branch differs from the source's).
    std::optional<CheckStage> sourceCache = std::nullopt;
    std::optional<CheckStage> cacheTarget = std::nullopt;
    QStringList warnings = QStringList();
    // The error's structured detail (Error::detail): for host_key, the host, the reason and the
    // key it offered, so a front end can offer to pin it without reading the message. Written to
    // the state as "error_detail" only when not empty (older states have none).
    QJsonObject errorDetail = {};
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
    QJsonObject errorDetail = {}; // the last error's Error::detail ("error_detail" when not empty)
    bool operator==(const StatusRecord &) const = default;
};

// The last check while it still tells the mirror's state: a check older than the last successful
// update says what was true before that update, not now (nullopt then, and when never checked).
std::optional<CheckRecord> currentCheck(const StatusRecord &status);

// ISO 8601 UTC with "Z", or an empty string for a null time.
QString isoTime(const QDateTime &time);
QDateTime parseIsoTime(const QString &text);

QJsonObject statusToJson(const StatusRecord &status);
Result<StatusRecord> statusFromJson(const QJsonObject &object);
QJsonObject runToJson(const RunRecord &run);
Result<RunRecord> runFromJson(const QJsonObject &object, const QString &path);
QJsonObject refResultToJson(const RefResult &ref);
QJsonObject checkStageToJson(const CheckStage &stage);

} // namespace md
