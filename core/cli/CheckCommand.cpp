// check: lists both sides of each mirror without fetching objects and says how they compare.
#include "cli/Commands.h"
#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QJsonArray>

#include <algorithm>

namespace md::cli {

namespace {

// --timeout SEC: a whole number of seconds from 1 to a week.
bool readTimeout(CliContext &context, const QCommandLineParser &parser, const QString &command, int *seconds, int *code)
{
    if (!parser.isSet(QStringLiteral("timeout")))
        return true;
    const QString text = parser.value(QStringLiteral("timeout"));
    const bool digits = !text.isEmpty() && text.size() <= 7
        && std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
    *seconds = digits ? text.toInt() : 0;
    if (*seconds < 1 || *seconds > 7 * 86400) {
        *code = context.usage(command, QStringLiteral("--timeout: \"%1\" is not a number of seconds from 1 to 604800")
                                           .arg(quoteInput(text)));
        return false;
    }
    return true;
}

} // namespace

int cmdCheck(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("check");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List both sides' refs without fetching objects and say per mirror: in_sync, behind, diverged (only when provable "
        "from the cache), unreachable (with why) or empty. Disabled mirrors are checked only when named.\n"
        "Each mirror's check ends after --timeout seconds (default %1): a check moves no objects.\n"
        "Exit codes: 0 all in sync (or empty/skipped), 1 something needs attention (unreachable, diverged, timed out), "
        "3 some mirror is behind.").arg(kDefaultCheckTimeoutSeconds));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to check (default: all)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("timeout"),
                      QStringLiteral("End each mirror's check after SEC seconds (default %1).").arg(kDefaultCheckTimeoutSeconds),
                      QStringLiteral("SEC")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    CheckOptions options;
    if (!readTimeout(context, parser, command, &options.timeoutSeconds, &code))
        return code;
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    const QStringList names = parser.positionalArguments();
    const auto report = context.runBatch(command, &code, [&](RunOps &ops, RunOps::Done done) {
        return ops.check(*config, names, std::move(done), options);
    });
    if (!report)
        return code;

    QJsonArray mirrors;
    QList<QStringList> rows;
    int inSync = 0, behind = 0, attention = 0, skipped = 0, unrecorded = 0;
    for (const RunEntry &entry : report->entries) {
        const bool skippedHere = entry.skip != SkipReason::None;
        const CheckRecord r = entry.check ? entry.check->record : CheckRecord{};
        StatusRecord status;
        if (entry.check) {
            status = entry.check->status;
        } else if (auto recorded = context.stateStore().status(entry.mirror.name)) {
            status = *recorded;
        }
        RunOutcome outcome = RunOutcome::Ok;
        if (skippedHere) {
            outcome = RunOutcome::Skipped;
            ++skipped;
        } else if (r.state == CheckState::Unreachable || r.state == CheckState::Diverged
                   || (r.state == CheckState::Empty && r.errorCategory == ErrorCategory::Guard)) {
            outcome = RunOutcome::Failed;
            ++attention;
        } else if (r.state == CheckState::Behind) {
            ++behind;
        } else {
            ++inSync;
        }
        if (entry.check && !entry.check->problem.isEmpty()) {
            context.error(QStringLiteral("mirrordesk check: %1").arg(entry.check->problem));
            ++unrecorded; // a check that cannot be recorded needs attention too
        }
        // The status fields of the last update, then this check's own (its error is the check's).
        QJsonObject object = statusToJson(status);
        object.remove(QStringLiteral("last_check"));
        // The last update's error stays readable beside the check's own.
        object.insert(QStringLiteral("last_update_error"), GitUrl::scrubText(status.lastError));
        object.insert(QStringLiteral("last_update_error_category"), errorCategoryName(status.errorCategory));
        const QJsonObject checkFields{
            {QStringLiteral("name"), entry.mirror.name},
            {QStringLiteral("shape"), shapeName(entry.mirror.shape)},
            {QStringLiteral("outcome"), runOutcomeName(outcome)},
            {QStringLiteral("reason"), entry.skipText},
            {QStringLiteral("state"), checkStateName(r.state)},
            {QStringLiteral("error_category"), errorCategoryName(r.errorCategory)},
            {QStringLiteral("last_error"), r.error},
            {QStringLiteral("checked_at"), isoTime(r.checkedAt)},
            {QStringLiteral("source_fingerprint"), r.sourceFingerprint},
            {QStringLiteral("target_fingerprint"), r.targetFingerprint},
            {QStringLiteral("source_head"), r.sourceHead},
            {QStringLiteral("target_head"), r.targetHead},
            {QStringLiteral("refs"), QJsonArray()}, // check moves no ref
        };
        for (auto it = checkFields.begin(); it != checkFields.end(); ++it)
            object.insert(it.key(), it.value());
        // A relay's or push mirror's two comparisons; the state above is the worse of them.
        if (r.sourceCache)
            object.insert(QStringLiteral("source_cache"), checkStageToJson(*r.sourceCache));
        if (r.cacheTarget)
            object.insert(QStringLiteral("cache_target"), checkStageToJson(*r.cacheTarget));
        object.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(r.warnings));
        mirrors.append(object);
        QString detail = errorText(r.errorCategory, r.error);
        if (!r.error.isEmpty() && r.errorCategory != ErrorCategory::None)
            detail = QStringLiteral("%1: %2").arg(errorCategoryName(r.errorCategory), detail);
        if (r.sourceCache && r.cacheTarget && !skippedHere)
            detail = QStringLiteral("source→cache %1, cache→target %2%3").arg(checkStateName(r.sourceCache->state), checkStateName(r.cacheTarget->state),
                                                                          detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
        for (const QString &warning : r.warnings)
            detail += QStringLiteral("; warning: %1").arg(warning);
        const QString state = !skippedHere ? checkStateName(r.state) : QStringLiteral("skipped (%1)").arg(entry.skipText);
        context.log(QStringLiteral("%1: check: %2%3").arg(entry.mirror.name, state, detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)));
        if (context.verbosity == Verbosity::Quiet && outcome != RunOutcome::Failed)
            continue;
        rows.append({entry.mirror.name, state, detail.isEmpty() ? QStringLiteral("-") : detail});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("mirrors"), mirrors},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("mirrors"), static_cast<int>(report->entries.size())},
                                                                   {QStringLiteral("in_sync"), inSync},
                                                                   {QStringLiteral("behind"), behind},
                                                                   {QStringLiteral("failed"), attention},
                                                                   {QStringLiteral("skipped"), skipped}}}});
    } else if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("STATE"), QStringLiteral("DETAIL")}, rows);
        context.out().flush();
    }
    if (attention > 0 || unrecorded > 0)
        return ExitAttention;
    return behind > 0 ? ExitBehind : ExitOk;
}

} // namespace md::cli
