#include "mirror/StatusRecord.h"

#include "util/EnumNames.h"
#include "util/JsonReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace md {

namespace {

const std::pair<UpdateStatus, const char *> kStatuses[] = {
    {UpdateStatus::None, "none"},         {UpdateStatus::Scheduled, "scheduled"}, {UpdateStatus::Started, "started"},
    {UpdateStatus::Finished, "finished"}, {UpdateStatus::Failed, "failed"},       {UpdateStatus::Paused, "paused"},
    {UpdateStatus::Disabled, "disabled"}, {UpdateStatus::Interrupted, "interrupted"},
};

ErrorCategory readCategory(JsonReader &reader, const QString &key)
{
    const QString name = reader.string(key);
    if (name.isEmpty())
        return ErrorCategory::None;
    if (auto category = errorCategoryFromName(name))
        return *category;
    reader.fail(key, QStringLiteral("\"%1\" is not an error category").arg(name));
    return ErrorCategory::None;
}

// An enum by its JSON name; a missing key gives `fallback`, an unknown name fails the read.
template <typename E>
E readEnum(JsonReader &reader, const QString &key, std::optional<E> (*fromName)(const QString &), E fallback)
{
    const QString name = reader.string(key);
    if (name.isEmpty())
        return fallback;
    if (const auto value = fromName(name))
        return *value;
    reader.fail(key, QStringLiteral("\"%1\" is not a valid %2").arg(name, key));
    return fallback;
}

QDateTime readTime(JsonReader &reader, const QString &key)
{
    const QString text = reader.string(key);
    const QDateTime time = parseIsoTime(text);
    if (!text.isEmpty() && !time.isValid())
        reader.fail(key, QStringLiteral("\"%1\" is not an ISO 8601 time").arg(text));
    return time;
}

} // namespace

QString updateStatusName(UpdateStatus status) { return enumName(status, kStatuses); }
std::optional<UpdateStatus> updateStatusFromName(const QString &name) { return enumFromName(name, kStatuses); }

std::optional<ErrorCategory> errorCategoryFromName(const QString &name)
{
    for (int i = 0; i <= static_cast<int>(ErrorCategory::Io); ++i) {
        const auto category = static_cast<ErrorCategory>(i);
        if (errorCategoryName(category) == name)
            return category;
    }
    return std::nullopt;
}

std::optional<CheckRecord> currentCheck(const StatusRecord &status)
{
    if (!status.lastCheck)
        return std::nullopt;
    if (status.lastSuccessfulUpdateAt.isValid() && status.lastCheck->checkedAt < status.lastSuccessfulUpdateAt)
        return std::nullopt;
    return status.lastCheck;
}

QString isoTime(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    // Milliseconds when there are any: a check and an update in one second stay ordered.
    const QDateTime utc = time.toUTC();
    return utc.toString(utc.time().msec() == 0 ? Qt::ISODate : Qt::ISODateWithMs);
}

namespace {

// The digits text[from, from + count) as a number, or -1.
int digitsAt(const QString &text, qsizetype from, int count)
{
    int value = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + (c - u'0');
    }
    return value;
}

// What isoTime() writes, "yyyy-MM-ddTHH:mm:ss[.zzz]Z", read without QDateTime::fromString (a
// status holds four times and 10,000 of them are read at start); nullopt for anything else.
std::optional<QDateTime> parseOwnIsoTime(const QString &text)
{
    if ((text.size() != 20 && text.size() != 24) || text.at(4) != u'-' || text.at(7) != u'-' || text.at(10) != u'T'
        || text.at(13) != u':' || text.at(16) != u':' || text.back() != u'Z' || (text.size() == 24 && text.at(19) != u'.'))
        return std::nullopt;
    const int year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
    const int hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2), second = digitsAt(text, 17, 2);
    const int ms = text.size() == 24 ? digitsAt(text, 20, 3) : 0;
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0 || hour > 23)
        return std::nullopt; // 24:00 and the like: Qt's reading decides
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, ms);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::UTC);
}

} // namespace

QDateTime parseIsoTime(const QString &text)
{
    if (text.isEmpty())
        return {};
    if (auto own = parseOwnIsoTime(text))
        return *own;
    return QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
}

QJsonObject refResultToJson(const RefResult &ref)
{
    return QJsonObject{{QStringLiteral("ref"), ref.ref},       {QStringLiteral("action"), refActionName(ref.action)},
                       {QStringLiteral("old"), ref.oldOid},    {QStringLiteral("new"), ref.newOid},
                       {QStringLiteral("result"), refOutcomeName(ref.result)}, {QStringLiteral("message"), ref.message},
                       {QStringLiteral("side"), ref.side.isEmpty() ? QStringLiteral("cache") : ref.side}};
}

bool isNotableRef(const RefResult &ref)
{
    switch (ref.action) {
    case RefAction::Create:
    case RefAction::FastForward:
    case RefAction::Force:
    case RefAction::Delete:
    case RefAction::SkipDiverged:
        return true;
    case RefAction::UpToDate:
        return ref.result == RefOutcome::Rejected; // skipped: a refused plan's line, nothing to do anyway
    case RefAction::Filtered:
    case RefAction::Rejected: // not mirrored by rule: counted, never listed
        return false;
    }
    return true;
}

namespace {

QString cut(const QString &text, qsizetype limit)
{
    return text.size() <= limit ? text : text.left(limit) + QStringLiteral("… (cut)");
}

} // namespace

RunRecord compactRun(RunRecord run, const QList<RefResult> &refs)
{
    run.refs.clear();
    run.refCounts.clear();
    run.refsOmitted = 0;
    QList<RefResult> failed;
    QList<RefResult> moved;
    for (const RefResult &ref : refs) {
        ++run.refCounts[ref.action];
        if (!isNotableRef(ref))
            continue;
        (ref.result == RefOutcome::Ok ? moved : failed).append(ref);
    }
    for (const QList<RefResult> *list : {&failed, &moved}) {
        for (RefResult ref : *list) {
            if (run.refs.size() >= RunRecord::kRefLimit) {
                ++run.refsOmitted;
                continue;
            }
            ref.message = cut(ref.message, RunRecord::kMessageLimit);
            run.refs.append(ref);
        }
    }
    if (run.warnings.size() > RunRecord::kWarningLimit) {
        const qsizetype more = run.warnings.size() - RunRecord::kWarningLimit;
        run.warnings = run.warnings.mid(0, RunRecord::kWarningLimit);
        run.warnings.append(QStringLiteral("… and %1 more warnings").arg(more));
    }
    for (QString &warning : run.warnings)
        warning = cut(warning, RunRecord::kMessageLimit);
    run.error = cut(run.error, RunRecord::kErrorLimit);
    return run;
}

QString refCountsText(const QMap<RefAction, int> &counts)
{
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > 0)
            parts.append(QStringLiteral("%1 %2").arg(it.value()).arg(refActionName(it.key())));
    }
    return parts.join(QStringLiteral(", "));
}

bool isLeftOut(const RefResult &ref)
{
    if (ref.action != RefAction::Rejected)
        return false;
    return !ref.ref.startsWith(QLatin1String("refs/heads/")) && !ref.ref.startsWith(QLatin1String("refs/tags/"));
}

QMap<QString, int> leftOutByNamespace(const QList<RefResult> &refs)
{
    QMap<QString, int> counts;
    for (const RefResult &ref : refs) {
        if (!isLeftOut(ref) || ref.ref == QLatin1String("HEAD"))
            continue;
        const QStringList parts = ref.ref.split(QLatin1Char('/'));
        ++counts[parts.size() > 2 ? QStringLiteral("%1/%2/*").arg(parts[0], parts[1]) : ref.ref];
    }
    return counts;
}

QString leftOutText(const QMap<QString, int> &leftOut)
{
    QStringList parts;
    for (auto it = leftOut.cbegin(); it != leftOut.cend(); ++it)
        parts.append(QStringLiteral("%1 %2").arg(QLocale(QLocale::English).toString(it.value()), it.key()));
    if (parts.isEmpty())
        return {};
    const QString last = parts.takeLast();
    const QString list = parts.isEmpty() ? last : QStringLiteral("%1 and %2").arg(parts.join(QStringLiteral(", ")), last);
    return QStringLiteral("%1 left out: host-internal").arg(list);
}

QJsonObject refCountsToJson(const QMap<RefAction, int> &counts)
{
    QJsonObject object;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        object.insert(refActionName(it.key()), it.value());
    return object;
}

QJsonObject runToJson(const RunRecord &run)
{
    QJsonArray refs;
    for (const RefResult &ref : run.refs)
        refs.append(refResultToJson(ref));
    QJsonObject object{
        {QStringLiteral("started_at"), isoTime(run.startedAt)},
        {QStringLiteral("duration_ms"), run.durationMs},
        {QStringLiteral("outcome"), runOutcomeName(run.outcome)},
        {QStringLiteral("error_category"), errorCategoryName(run.errorCategory)},
        {QStringLiteral("error"), run.error},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(run.warnings)},
        {QStringLiteral("refs"), refs},
        {QStringLiteral("ref_counts"), refCountsToJson(run.refCounts)},
    };
    if (run.refsOmitted > 0)
        object.insert(QStringLiteral("refs_omitted"), run.refsOmitted);
    return object;
}

Result<RunRecord> runFromJson(const QJsonObject &object, const QString &path)
{
    JsonReader r(object, path);
    RunRecord run;
    run.startedAt = readTime(r, QStringLiteral("started_at"));
    run.durationMs = r.integer(QStringLiteral("duration_ms"), 0, 0, std::numeric_limits<int>::max());
    run.outcome = readEnum(r, QStringLiteral("outcome"), runOutcomeFromName, RunOutcome::Ok);
    run.errorCategory = readCategory(r, QStringLiteral("error_category"));
    run.error = r.string(QStringLiteral("error"));
    run.warnings = r.stringList(QStringLiteral("warnings"));
    const QJsonArray refs = r.array(QStringLiteral("refs"));
    run.refsOmitted = r.integer(QStringLiteral("refs_omitted"), 0, 0, std::numeric_limits<int>::max());
    const QJsonObject counts = r.object(QStringLiteral("ref_counts"));
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it) {
        const auto action = refActionFromName(it.key());
        const qint64 count = it.value().toInteger(-1);
        if (!action || count < 0 || count > std::numeric_limits<int>::max())
            r.fail(QStringLiteral("ref_counts"), QStringLiteral("\"%1\": %2 is not an action and a count").arg(it.key(), QString::fromUtf8(QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact))));
        else
            run.refCounts.insert(*action, static_cast<int>(count));
    }
    if (auto status = r.finish(); !status)
        return status.error();
    for (int i = 0; i < refs.size(); ++i) {
        JsonReader rr(refs.at(i).toObject(), QStringLiteral("%1.refs[%2]").arg(path).arg(i));
        RefResult ref;
        ref.ref = rr.string(QStringLiteral("ref"));
        ref.action = readEnum(rr, QStringLiteral("action"), refActionFromName, RefAction::UpToDate);
        ref.oldOid = rr.string(QStringLiteral("old"));
        ref.newOid = rr.string(QStringLiteral("new"));
        ref.result = readEnum(rr, QStringLiteral("result"), refOutcomeFromName, RefOutcome::Ok);
        ref.message = rr.string(QStringLiteral("message"));
        ref.side = rr.string(QStringLiteral("side"));
        if (ref.side == QLatin1String("cache"))
            ref.side.clear();
        if (auto status = rr.finish(); !status)
            return status.error();
        run.refs.append(ref);
    }
    return run;
}

QJsonObject checkStageToJson(const CheckStage &stage)
{
    QJsonObject object{{QStringLiteral("state"), checkStateName(stage.state)},
                       {QStringLiteral("error_category"), errorCategoryName(stage.errorCategory)},
                       {QStringLiteral("error"), stage.error}};
    if (!stage.errorDetail.isEmpty())
        object.insert(QStringLiteral("error_detail"), stage.errorDetail);
    return object;
}

QJsonObject statusToJson(const StatusRecord &s)
{
    QJsonObject object{
        {QStringLiteral("update_status"), updateStatusName(s.updateStatus)},
        {QStringLiteral("last_update_started_at"), isoTime(s.lastUpdateStartedAt)},
        {QStringLiteral("last_update_at"), isoTime(s.lastUpdateAt)},
        {QStringLiteral("last_successful_update_at"), isoTime(s.lastSuccessfulUpdateAt)},
        {QStringLiteral("last_error"), s.lastError},
        {QStringLiteral("error_category"), errorCategoryName(s.errorCategory)},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(s.warnings)},
        {QStringLiteral("consecutive_failures"), s.consecutiveFailures},
    };
    if (!s.errorDetail.isEmpty())
        object.insert(QStringLiteral("error_detail"), s.errorDetail);
    if (s.lastCheck) {
        const CheckRecord &c = *s.lastCheck;
        QJsonObject check{{QStringLiteral("state"), checkStateName(c.state)},
                                  {QStringLiteral("error_category"), errorCategoryName(c.errorCategory)},
                                  {QStringLiteral("error"), c.error},
                                  {QStringLiteral("checked_at"), isoTime(c.checkedAt)},
                                  {QStringLiteral("source_fingerprint"), c.sourceFingerprint},
                                  {QStringLiteral("target_fingerprint"), c.targetFingerprint},
                                  {QStringLiteral("source_head"), c.sourceHead},
                                  {QStringLiteral("target_head"), c.targetHead}};
        if (!c.errorDetail.isEmpty())
            check.insert(QStringLiteral("error_detail"), c.errorDetail);
        for (const auto &[key, stage] : {std::pair{QStringLiteral("source_cache"), c.sourceCache}, std::pair{QStringLiteral("cache_target"), c.cacheTarget}}) {
            if (stage)
                check.insert(key, checkStageToJson(*stage));
        }
        if (!c.warnings.isEmpty())
            check.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(c.warnings));
        object.insert(QStringLiteral("last_check"), check);
    }
    return object;
}

Result<StatusRecord> statusFromJson(const QJsonObject &object)
{
    JsonReader r(object, {});
    StatusRecord s;
    const QString status = r.string(QStringLiteral("update_status"), QStringLiteral("none"));
    if (auto parsed = updateStatusFromName(status))
        s.updateStatus = *parsed;
    else
        r.fail(QStringLiteral("update_status"), QStringLiteral("\"%1\" is not an update status").arg(status));
    s.lastUpdateStartedAt = readTime(r, QStringLiteral("last_update_started_at"));
    s.lastUpdateAt = readTime(r, QStringLiteral("last_update_at"));
    s.lastSuccessfulUpdateAt = readTime(r, QStringLiteral("last_successful_update_at"));
    s.lastError = r.string(QStringLiteral("last_error"));
    s.errorCategory = readCategory(r, QStringLiteral("error_category"));
    if (r.has(QStringLiteral("error_detail")))
        s.errorDetail = r.object(QStringLiteral("error_detail"));
    s.warnings = r.stringList(QStringLiteral("warnings"));
    s.consecutiveFailures = r.integer(QStringLiteral("consecutive_failures"), 0, 0, std::numeric_limits<int>::max());
    if (r.has(QStringLiteral("last_check"))) {
        JsonReader c(r.object(QStringLiteral("last_check")), QStringLiteral("last_check"));
        CheckRecord check;
        check.state = readEnum(c, QStringLiteral("state"), checkStateFromName, CheckState::None);
        check.errorCategory = readCategory(c, QStringLiteral("error_category"));
        check.error = c.string(QStringLiteral("error"));
        if (c.has(QStringLiteral("error_detail")))
            check.errorDetail = c.object(QStringLiteral("error_detail"));
        check.checkedAt = readTime(c, QStringLiteral("checked_at"));
        check.sourceFingerprint = c.string(QStringLiteral("source_fingerprint"));
        check.targetFingerprint = c.string(QStringLiteral("target_fingerprint"));
        check.sourceHead = c.string(QStringLiteral("source_head"));
        check.targetHead = c.string(QStringLiteral("target_head"));
        for (const auto &[key, stage] : {std::pair{QStringLiteral("source_cache"), &check.sourceCache}, std::pair{QStringLiteral("cache_target"), &check.cacheTarget}}) {
            if (!c.has(key))
                continue;
            JsonReader st(c.object(key), QStringLiteral("last_check.") + key);
            CheckStage read;
            read.state = readEnum(st, QStringLiteral("state"), checkStateFromName, CheckState::None);
            read.errorCategory = readCategory(st, QStringLiteral("error_category"));
            read.error = st.string(QStringLiteral("error"));
            if (st.has(QStringLiteral("error_detail")))
                read.errorDetail = st.object(QStringLiteral("error_detail"));
            if (auto finished = st.finish(); !finished)
                return finished.error();
            *stage = read;
        }
        check.warnings = c.stringList(QStringLiteral("warnings"));
        if (auto finished = c.finish(); !finished)
            return finished.error();
        s.lastCheck = check;
    }
    if (auto finished = r.finish(); !finished)
        return finished.error();
    return s;
}

} // namespace md
