// update and plan: sync pull mirrors (plan = update --dry-run).
#include "cli/Commands.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QJsonArray>

#include <csignal>

namespace md::cli {

namespace {

// How many refused refs -q names per failing mirror before "… and N more".
constexpr int kQuietRefLimit = 10;

QString planLine(const RefResult &ref, bool applied)
{
    const QString from = ref.oldOid.left(10);
    const QString to = ref.newOid.left(10);
    QString change = from.isEmpty() ? to : (to.isEmpty() ? from : from + QStringLiteral("..") + to);
    // A rejected name is whatever the server advertised: its control characters are shown escaped.
    // A relay's lines say which half they are: the push to the target is marked.
    const QString name = ref.side == QLatin1String("target") ? QStringLiteral("target:") + printable(ref.ref, 1000) : printable(ref.ref, 1000);
    QString line = QStringLiteral("  %1 %2 %3").arg(refActionName(ref.action).leftJustified(14), name, change);
    if (!ref.message.isEmpty())
        line += ref.result == RefOutcome::Rejected && ref.action != RefAction::Rejected ? QStringLiteral(" (refused: %1)").arg(ref.message)
                                                                                        : QStringLiteral(" (%1)").arg(ref.message);
    // A refused run's lines are its plan: say that nothing of it happened.
    if (!applied && isNotableRef(ref) && ref.action != RefAction::SkipDiverged && ref.action != RefAction::UpToDate)
        line += QStringLiteral(" [not applied]");
    return line.trimmed().prepend(QStringLiteral("  "));
}

struct Tally {
    int ok = 0, failed = 0, skipped = 0, interrupted = 0, divergedRefs = 0;
    int unrecorded = 0; // runs whose result could not be written to the state folder
};

// One mirror's object of `update --json`.
QJsonObject entryJson(CliContext &context, const RunEntry &entry, const UpdateOutcome &outcome, RunOutcome result,
                      const QMap<QString, int> &leftOut)
{
    const std::optional<Error> &error = outcome.result.error;
    const QList<RefResult> &all = outcome.result.refs;
    // A mirror `update --due` found not due was read to decide: not read again.
    const auto status = outcome.status                                   ? Result<StatusRecord>(*outcome.status)
        : entry.skip == SkipReason::NotDue && entry.recorded ? Result<StatusRecord>(*entry.recorded)
                                                             : context.stateStore().status(entry.mirror.name);
    QJsonObject object = status ? statusToJson(*status) : QJsonObject{};
    const auto check = status ? currentCheck(*status) : std::nullopt;
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
    // Host-internal refs (thousands of refs/pull/* on a GitHub source) are counted, not listed.
    QJsonArray refs;
    QJsonObject counts;
    for (const RefResult &ref : all) {
        counts.insert(refActionName(ref.action), counts.value(refActionName(ref.action)).toInt() + 1);
        if (!isLeftOut(ref))
            refs.append(refResultToJson(ref));
    }
    object.insert(QStringLiteral("refs"), refs);
    object.insert(QStringLiteral("ref_counts"), counts);
    QJsonObject leftOutJson;
    for (auto it = leftOut.cbegin(); it != leftOut.cend(); ++it)
        leftOutJson.insert(it.key(), it.value());
    object.insert(QStringLiteral("left_out"), leftOutJson);
    const RefPlan &plan = outcome.result.plan;
    if (!plan.headTo.isEmpty())
        object.insert(QStringLiteral("head"), QJsonObject{{QStringLiteral("old"), plan.headFrom}, {QStringLiteral("new"), plan.headTo}});
    return object;
}

// One mirror's JSON object and text lines (text empty when nothing is to be printed for it).
QJsonObject formatEntry(CliContext &context, const RunEntry &entry, bool dryRun, Tally &tally, QString &text, bool askedByName,
                        bool json)
{
    const bool ran = entry.skip == SkipReason::None;
    const UpdateOutcome outcome = entry.update.value_or(UpdateOutcome{});
    const std::optional<Error> &error = outcome.result.error;
    const bool stopped = ran && error && error->category == ErrorCategory::Interrupted;
    const RunOutcome result = !ran ? RunOutcome::Skipped : (stopped ? RunOutcome::Interrupted : (error ? RunOutcome::Failed : RunOutcome::Ok));
    (!ran ? tally.skipped : (stopped ? tally.interrupted : (error ? tally.failed : tally.ok)))++;
    if (!outcome.problems.isEmpty())
        ++tally.unrecorded;
    for (const QString &problem : outcome.problems)
        context.error(QStringLiteral("mirrordesk %1: %2").arg(dryRun ? QStringLiteral("plan") : QStringLiteral("update"), problem));
    // The JSON object only for --json: the report of a cron run of 10,000 mirrors, most of them
    // not due, reads no state (the not-due ones were read once, to decide).
    const QList<RefResult> &all = outcome.result.refs;
    const QMap<QString, int> leftOut = leftOutByNamespace(all);
    bool leftDiverged = false;
    for (const RefResult &ref : all) {
        // A diverged branch left alone needs attention even when the run itself finished.
        if (ran && ref.action == RefAction::SkipDiverged) {
            ++tally.divergedRefs;
            leftDiverged = true;
        }
    }
    const QJsonObject object = json ? entryJson(context, entry, outcome, result, leftOut) : QJsonObject{};
    const RefPlan &plan = outcome.result.plan;
    // Applied: the plan ran. A refused plan (a guard) or a dry run applied nothing.
    const bool applied = ran && !dryRun && !(error && outcome.result.plan.failure);

    // What this run prints, and for the log file each mirror's outcome, warnings and the refs
    // that moved (not the up-to-date ones: a log appended every minute must stay readable).
    auto describe = [&](Verbosity level) {
        QString lines;
        const bool attention = result == RunOutcome::Failed || leftDiverged;
        if (!ran)
            return level == Verbosity::Quiet ? lines : lines + QStringLiteral("%1: skipped: %2\n").arg(entry.mirror.name, entry.skipText);
        if (level == Verbosity::Quiet && !attention)
            return lines;
        if (stopped)
            return lines + QStringLiteral("%1: %2\n").arg(entry.mirror.name, error->message); // "interrupted by SIGINT"
        lines += error ? QStringLiteral("%1: %2 (%3): %4\n").arg(entry.mirror.name, runOutcomeName(result), errorCategoryName(error->category),
                                                               errorText(*error))
                       : QStringLiteral("%1: %2\n").arg(entry.mirror.name, dryRun ? QStringLiteral("plan") : QStringLiteral("ok"));
        const bool verbose = level == Verbosity::Verbose;
        if (level == Verbosity::Quiet) {
            // One line per failing mirror, then the refs it refused or left, up to a limit.
            int named = 0, more = 0;
            for (const RefResult &ref : all) {
                const bool refused = ref.result == RefOutcome::Rejected && !isLeftOut(ref);
                const bool notApplied = !applied && isNotableRef(ref);
                if (!refused && !notApplied && ref.action != RefAction::SkipDiverged)
                    continue;
                if (named < kQuietRefLimit) {
                    lines += planLine(ref, applied) + QLatin1Char('\n');
                    ++named;
                } else {
                    ++more;
                }
            }
            if (more > 0)
                lines += more == 1 ? QStringLiteral("  … and 1 more ref\n") : QStringLiteral("  … and %1 more refs\n").arg(more);
            return lines;
        }
        for (const QString &warning : outcome.result.warnings)
            lines += QStringLiteral("  warning: %1\n").arg(warning);
        for (const RefResult &ref : all) {
            // A target ref kept only on the target is said (the target no longer equals the source).
            const bool keptOnTarget = ref.side == QLatin1String("target") && ref.action == RefAction::UpToDate && !ref.message.isEmpty();
            if (verbose || keptOnTarget || (!isLeftOut(ref) && ref.action != RefAction::UpToDate && ref.action != RefAction::Filtered))
                lines += planLine(ref, applied || dryRun) + QLatin1Char('\n');
        }
        if (!plan.headFrom.isEmpty()) // the default branch changes (a new cache just takes it)
            lines += QStringLiteral("  %1 HEAD %2 -> %3 (the default branch changed upstream)%4\n")
                         .arg(QStringLiteral("set_head").leftJustified(14), plan.headFrom, plan.headTo,
                              applied ? QString() : QStringLiteral(" [not applied]"));
        if (!verbose && !leftOut.isEmpty())
            lines += QStringLiteral("  %1\n").arg(leftOutText(leftOut));
        return lines;
    };
    // Success prints nothing unless asked (-v, a plan); a failure or a diverged ref left alone
    // prints that mirror's lines only, never the others'.
    const bool attention = (ran && error && !stopped) || leftDiverged;
    // A mirror asked for by name that another process is syncing is said (not an error: exit 0).
    const bool busyNamed = askedByName && entry.skip == SkipReason::Running && context.verbosity != Verbosity::Quiet;
    if (dryRun || context.verbosity == Verbosity::Verbose || attention || stopped || busyNamed)
        text += describe(context.verbosity);
    context.log(describe(Verbosity::Normal));
    return object;
}

int runUpdates(CliContext &context, const QString &command, const QStringList &names, const RunOps::UpdateOptions &options, bool json)
{
    int code = ExitOk;
    auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    platform::installInterruptHandlers();
    // The schedule's org discovery (sync new) comes first: new mirrors are due at once.
    bool discoveryFailed = false;
    if (options.due && !config->orgs.isEmpty()) {
        config = discoverDueOrgs(context, command, *config, &discoveryFailed);
        if (!config)
            return ExitUsage;
        if (const int signal = platform::interruptSignal())
            return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    }
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
        mirrors.append(formatEntry(context, entry, dryRun, tally, text, !names.isEmpty(), json));
    if (json) {
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("mirrors"), mirrors},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("mirrors"), static_cast<int>(report->entries.size())},
                                                                   {QStringLiteral("ok"), tally.ok},
                                                                   {QStringLiteral("failed"), tally.failed},
                                                                   {QStringLiteral("skipped"), tally.skipped},
                                                                   {QStringLiteral("interrupted"), tally.interrupted},
                                                                   {QStringLiteral("diverged_refs"), tally.divergedRefs}}}});
    } else if (!text.isEmpty()) {
        // A plan is data (stdout); a run's report is only printed when something needs attention,
        // and then it is a diagnostic (stderr).
        if (dryRun || context.verbosity == Verbosity::Verbose)
            context.out() << text;
        else
            context.err() << text;
        context.out().flush();
    }
    if (const int signal = platform::interruptSignal())
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    return tally.failed > 0 || tally.divergedRefs > 0 || tally.unrecorded > 0 || discoveryFailed ? ExitAttention : ExitOk;
}

void addUpdateOptions(QCommandLineParser &parser, bool planOnly)
{
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to update (default: all enabled)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("allow-mass-change"), QStringLiteral("Allow a run that deletes or forces more than max(10, 20 %) of the refs.")});
    parser.addOption({QStringLiteral("allow-empty-source"),
                      QStringLiteral("Follow a source that now advertises no branches or tags (emptied on purpose): delete every "
                                     "mirrored ref, each kept in the attic first. Without it such a run is refused.")});
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
        : QStringLiteral("Sync mirrors now: fetch the source into the cache (pull rules), and for relay and push mirrors "
                         "push the cache to the target (push rules, each ref under a lease). Refs are forced or deleted "
                         "only with their old tips kept in the attic. Exit 0 when every mirror finished or was skipped, "
                         "1 when one needs attention, 130/143 when interrupted."));
    addUpdateOptions(parser, planOnly);
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    RunOps::UpdateOptions options;
    options.batch.allowMassChange = parser.isSet(QStringLiteral("allow-mass-change"));
    options.batch.allowEmptySource = parser.isSet(QStringLiteral("allow-empty-source"));
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
