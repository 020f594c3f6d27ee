// update and plan: sync pull mirrors (plan = update --dry-run).
#include "cli/Commands.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QJsonArray>

#include <csignal>

namespace md::cli {

namespace {

QString planLine(const RefResult &ref)
{
    const QString from = ref.oldOid.left(10);
    const QString to = ref.newOid.left(10);
    QString change = from.isEmpty() ? to : (to.isEmpty() ? from : from + QStringLiteral("..") + to);
    // A rejected name is whatever the server advertised: its control characters are shown escaped.
    QString line = QStringLiteral("  %1 %2 %3").arg(refActionName(ref.action).leftJustified(14), printable(ref.ref, 1000), change);
    if (!ref.message.isEmpty())
        line += QStringLiteral(" (%1)").arg(ref.message);
    return line.trimmed().prepend(QStringLiteral("  "));
}

struct Tally {
    int ok = 0, failed = 0, skipped = 0, divergedRefs = 0;
    int unrecorded = 0; // runs whose result could not be written to the state folder
};

// One mirror's JSON object and text lines (text empty when -q hides it).
QJsonObject formatEntry(CliContext &context, const RunEntry &entry, bool dryRun, Tally &tally, QString &text)
{
    const bool ran = entry.skip == SkipReason::None;
    const UpdateOutcome outcome = entry.update.value_or(UpdateOutcome{});
    const std::optional<Error> &error = outcome.result.error;
    const RunOutcome result = !ran ? RunOutcome::Skipped : (error ? RunOutcome::Failed : RunOutcome::Ok);
    (!ran ? tally.skipped : (error ? tally.failed : tally.ok))++;
    if (!outcome.problems.isEmpty())
        ++tally.unrecorded;
    for (const QString &problem : outcome.problems)
        context.error(QStringLiteral("mirrordesk %1: %2").arg(dryRun ? QStringLiteral("plan") : QStringLiteral("update"), problem));
    const auto status = outcome.status ? Result<StatusRecord>(*outcome.status) : context.stateStore().status(entry.mirror.name);
    QJsonObject object = status ? statusToJson(*status) : QJsonObject{};
    const auto check = status && status->lastCheck ? status->lastCheck : std::nullopt;
    object.remove(QStringLiteral("last_check"));
    object.insert(QStringLiteral("name"), entry.mirror.name);
    object.insert(QStringLiteral("shape"), shapeName(entry.mirror.shape));
    object.insert(QStringLiteral("outcome"), runOutcomeName(result));
    object.insert(QStringLiteral("reason"), entry.skipText);
    object.insert(QStringLiteral("state"), check ? checkStateName(check->state) : QString());
    if (error) {
        object.insert(QStringLiteral("error_category"), errorCategoryName(error->category));
        object.insert(QStringLiteral("last_error"), GitUrl::scrubText(error->message));
    }
    object.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(outcome.result.warnings));
    QJsonArray refs;
    bool leftDiverged = false;
    for (const RefResult &ref : outcome.result.refs) {
        refs.append(refResultToJson(ref));
        // A diverged branch left alone needs attention even when the run itself finished.
        if (ran && ref.action == RefAction::SkipDiverged) {
            ++tally.divergedRefs;
            leftDiverged = true;
        }
    }
    object.insert(QStringLiteral("refs"), refs);

    // What this run prints, and for the log file each mirror's outcome, warnings and the refs
    // that moved (not the up-to-date ones: a log appended every minute must stay readable).
    auto describe = [&](Verbosity level) {
        QString lines;
        if (level == Verbosity::Quiet && result != RunOutcome::Failed && !leftDiverged)
            return lines;
        if (!ran)
            return lines + QStringLiteral("%1: skipped: %2\n").arg(entry.mirror.name, entry.skipText);
        lines += error ? QStringLiteral("%1: failed (%2): %3\n").arg(entry.mirror.name, errorCategoryName(error->category),
                                                                    errorText(*error))
                       : QStringLiteral("%1: %2\n").arg(entry.mirror.name, dryRun ? QStringLiteral("plan") : QStringLiteral("ok"));
        for (const QString &warning : outcome.result.warnings)
            lines += QStringLiteral("  warning: %1\n").arg(warning);
        const bool verbose = level == Verbosity::Verbose;
        for (const RefResult &ref : outcome.result.refs) {
            const bool interesting = ref.action != RefAction::UpToDate && ref.action != RefAction::Filtered;
            if (dryRun ? ref.action != RefAction::UpToDate || verbose : interesting || verbose)
                lines += planLine(ref) + QLatin1Char('\n');
        }
        return lines;
    };
    text += describe(context.verbosity);
    context.log(describe(Verbosity::Normal));
    return object;
}

int runUpdates(CliContext &context, const QString &command, const QStringList &names, const RunOps::UpdateOptions &options, bool json)
{
    int code = ExitOk;
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    platform::installInterruptHandlers();
    const auto report = context.runBatch(command, &code, [&](RunOps &ops, RunOps::Done done) {
        return ops.update(*config, names, options, std::move(done));
    });
    if (!report)
        return code;
    const bool dryRun = options.batch.dryRun;
    QJsonArray mirrors;
    Tally tally;
    QString text;
    for (const RunEntry &entry : report->entries)
        mirrors.append(formatEntry(context, entry, dryRun, tally, text));
    if (json) {
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("mirrors"), mirrors},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("mirrors"), static_cast<int>(report->entries.size())},
                                                                   {QStringLiteral("ok"), tally.ok},
                                                                   {QStringLiteral("failed"), tally.failed},
                                                                   {QStringLiteral("skipped"), tally.skipped},
                                                                   {QStringLiteral("diverged_refs"), tally.divergedRefs}}}});
    } else if (!text.isEmpty()) {
        // Success prints nothing unless asked: -v, a plan, failures or diverged refs left alone.
        if (dryRun || context.verbosity == Verbosity::Verbose || tally.failed > 0 || tally.divergedRefs > 0)
            context.out() << text;
        context.out().flush();
    }
    if (const int signal = platform::interruptSignal())
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    return tally.failed > 0 || tally.divergedRefs > 0 || tally.unrecorded > 0 ? ExitAttention : ExitOk;
}

void addUpdateOptions(QCommandLineParser &parser, bool planOnly)
{
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to update (default: all enabled)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("allow-mass-change"), QStringLiteral("Allow a run that deletes or forces more than max(10, 20 %) of the refs.")});
    parser.addOption({QStringLiteral("timeout"), QStringLiteral("End each mirror's run after SEC seconds (default: run_timeout)."), QStringLiteral("SEC")});
    if (planOnly)
        return;
    parser.addOption({QStringLiteral("due"), QStringLiteral("Only mirrors whose next run is due (interval with jitter, backoff after failures).")});
    parser.addOption({QStringLiteral("dry-run"), QStringLiteral("Show the plan; change nothing (= plan).")});
    parser.addOption({QStringLiteral("lock-wait"), QStringLiteral("Wait up to SEC seconds for a mirror another process is updating (default: skip it)."), QStringLiteral("SEC")});
}

bool readSeconds(CliContext &context, const QCommandLineParser &parser, const QString &command, const QString &option,
                 int *seconds, int *code)
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    *seconds = parser.value(option).toInt(&ok);
    if (!ok || *seconds < 0 || *seconds > 7 * 86400) {
        *code = context.usage(command, QStringLiteral("--%1: \"%2\" is not a number of seconds").arg(option, quoteInput(parser.value(option))));
        return false;
    }
    return true;
}

int updateOrPlan(CliContext &context, const QStringList &arguments, bool planOnly)
{
    const QString command = planOnly ? QStringLiteral("plan") : QStringLiteral("update");
    QCommandLineParser parser;
    parser.setApplicationDescription(planOnly
        ? QStringLiteral("Show what update would do for each mirror (= update --dry-run).")
        : QStringLiteral("Sync mirrors now: fetch the source into the cache with the pull rules. Refs are forced or deleted "
                         "only with their old tips kept in the attic. Exit 0 when every mirror finished or was skipped, "
                         "1 when one needs attention, 130/143 when interrupted."));
    addUpdateOptions(parser, planOnly);
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    RunOps::UpdateOptions options;
    options.batch.allowMassChange = parser.isSet(QStringLiteral("allow-mass-change"));
    options.batch.dryRun = planOnly || parser.isSet(QStringLiteral("dry-run"));
    options.due = !planOnly && parser.isSet(QStringLiteral("due"));
    if (!readSeconds(context, parser, command, QStringLiteral("timeout"), &options.batch.timeoutSeconds, &code))
        return code;
    if (!planOnly && !readSeconds(context, parser, command, QStringLiteral("lock-wait"), &options.batch.lockWaitSeconds, &code))
        return code;
    return runUpdates(context, command, parser.positionalArguments(), options, parser.isSet(QStringLiteral("json")));
}

} // namespace

int cmdUpdate(CliContext &context, const QStringList &arguments)
{
    return updateOrPlan(context, arguments, false);
}

int cmdPlan(CliContext &context, const QStringList &arguments)
{
    return updateOrPlan(context, arguments, true);
}

} // namespace md::cli
