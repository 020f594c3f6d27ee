// update and plan: sync pull mirrors (plan = update --dry-run).
#include "cli/Commands.h"
#include "git/GitLibrary.h"
#include "mirror/HostQueue.h"
#include "mirror/MirrorRun.h"
#include "mirror/Scheduler.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"

#include <QHash>
#include <QJsonArray>
#include <QThreadPool>

#include <csignal>
#include <memory>

namespace md::cli {

namespace {

struct Entry {
    Mirror mirror;
    std::optional<CheckJob> job;
    QString skipped;            // reason when not run (disabled, not due, running)
    std::optional<Error> setupError;
    SyncResult result;
    QDateTime startedAt;
    QStringList problems; // state-file errors from the worker, printed by the main thread
};

struct UpdateOptions {
    bool due = false;
    bool dryRun = false;
    bool allowMassChange = false;
    int timeoutSeconds = 0;
    int lockWaitSeconds = 0;
    bool json = false;
};

QString planLine(const RefResult &ref)
{
    const QString from = ref.oldOid.left(10);
    const QString to = ref.newOid.left(10);
    QString change = from.isEmpty() ? to : (to.isEmpty() ? from : from + QStringLiteral("..") + to);
    QString line = QStringLiteral("  %1 %2 %3").arg(ref.action.leftJustified(14), ref.ref, change);
    if (!ref.message.isEmpty())
        line += QStringLiteral(" (%1)").arg(ref.message);
    return line.trimmed().prepend(QStringLiteral("  "));
}

// Runs one mirror on a pool thread: under its cache lock, the sync and the record of the run.
void runOne(Entry &entry, const UpdateOptions &options, const Settings &settings, const StateStore &state)
{
    UpdateRequest request;
    request.dryRun = options.dryRun;
    request.allowMassChange = options.allowMassChange;
    request.timeoutSeconds = options.timeoutSeconds;
    request.lockWaitSeconds = options.lockWaitSeconds;
    request.cancel = platform::interruptFlag();
    UpdateOutcome outcome = runUpdate(*entry.job, request, settings, state);
    entry.skipped = outcome.skipped;
    entry.startedAt = outcome.startedAt;
    entry.result = std::move(outcome.result);
    entry.problems = outcome.problems;
}

int runUpdates(CliContext &context, const QString &command, const QStringList &names, const UpdateOptions &options)
{
    int code = ExitOk;
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    StateStore state = context.stateStore();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Mirror> selected;
    if (!selectMirrors(context, command, *config, names, &selected, &code))
        return code;
    std::vector<Entry> entries;
    for (const Mirror &m : selected)
        entries.push_back(Entry{m, {}, names.isEmpty() && !m.enabled ? QStringLiteral("disabled") : QString(), {}, {}, now, {}});
    if (auto status = git::GitLibrary::initialize(gitOptions(config->settings)); !status)
        return context.fail(command, status.error());
    platform::installInterruptHandlers();

    for (Entry &entry : entries) {
        if (!entry.skipped.isEmpty())
            continue;
        if (options.due) {
            const auto status = state.status(entry.mirror.name);
            const ScheduleDecision decision = decideSchedule(entry.mirror, status ? *status : StatusRecord{},
                                                             config->settings.defaultIntervalMinutes, now);
            if (!decision.due) {
                entry.skipped = decision.reason;
                continue;
            }
        }
        if (entry.mirror.shape != Shape::Pull) {
            entry.setupError = Error{ErrorCategory::Config,
                                     QStringLiteral("%1 mirrors are not synced by this version yet (pull mirrors are)")
                                         .arg(shapeName(entry.mirror.shape)), {}, 0, 0};
            continue;
        }
        // Secrets are read here, on the main thread, before any job starts.
        auto job = makeCheckJob(*config, entry.mirror);
        if (!job) {
            entry.setupError = job.error();
            continue;
        }
        entry.job = *job;
    }

    QThreadPool pool;
    pool.setMaxThreadCount(config->settings.concurrency);
    HostQueue queue(pool, config->settings.perHostConcurrency);
    const Settings settings = config->settings;
    for (Entry &entry : entries) {
        if (entry.job)
            queue.start(entry.job->source.hostPort, [&entry, options, settings, state] { runOne(entry, options, settings, state); });
    }
    pool.waitForDone();

    QJsonArray mirrors;
    int ok = 0, failed = 0, skipped = 0, divergedRefs = 0;
    QString text;
    for (Entry &entry : entries) {
        const bool ran = entry.skipped.isEmpty();
        const std::optional<Error> &error = entry.setupError ? entry.setupError : entry.result.error;
        if (ran && !entry.job && !options.dryRun) { // a setup error (bad credential source, unsupported shape)
            if (auto recorded = recordUpdate(state, entry.mirror.name, entry.startedAt, entry.setupError, entry.result, false); !recorded)
                entry.problems.append(recorded.error().message);
        }
        for (const QString &problem : entry.problems)
            context.error(QStringLiteral("mirrordesk %1: %2").arg(command, problem));
        QString outcome = !ran ? QStringLiteral("skipped") : (error ? QStringLiteral("failed") : QStringLiteral("ok"));
        (!ran ? skipped : (error ? failed : ok))++;
        const auto status = state.status(entry.mirror.name);
        QJsonObject object = status ? statusToJson(*status) : QJsonObject{};
        const auto check = status && status->lastCheck ? status->lastCheck : std::nullopt;
        object.remove(QStringLiteral("last_check"));
        object.insert(QStringLiteral("name"), entry.mirror.name);
        object.insert(QStringLiteral("shape"), shapeName(entry.mirror.shape));
        object.insert(QStringLiteral("outcome"), outcome);
        object.insert(QStringLiteral("reason"), entry.skipped);
        object.insert(QStringLiteral("state"), check ? check->state : QString());
        if (error) {
            object.insert(QStringLiteral("error_category"), errorCategoryName(error->category));
            object.insert(QStringLiteral("last_error"), GitUrl::scrubText(error->message));
        }
        object.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(entry.result.warnings));
        QJsonArray refs;
        bool leftDiverged = false;
        for (const RefResult &ref : entry.result.refs) {
            refs.append(refResultToJson(ref));
            // A diverged branch left alone needs attention even when the run itself finished.
            if (ran && ref.action == QLatin1String("skip_diverged")) {
                ++divergedRefs;
                leftDiverged = true;
            }
        }
        object.insert(QStringLiteral("refs"), refs);
        mirrors.append(object);

        if (context.verbosity == Verbosity::Quiet && outcome != QLatin1String("failed") && !leftDiverged)
            continue;
        if (!ran) {
            text += QStringLiteral("%1: skipped: %2\n").arg(entry.mirror.name, entry.skipped);
            continue;
        }
        text += error ? QStringLiteral("%1: failed (%2): %3\n").arg(entry.mirror.name, errorCategoryName(error->category),
                                                                   GitUrl::scrubText(error->message))
                       : QStringLiteral("%1: %2\n").arg(entry.mirror.name, options.dryRun ? QStringLiteral("plan") : QStringLiteral("ok"));
        for (const QString &warning : entry.result.warnings)
            text += QStringLiteral("  warning: %1\n").arg(warning);
        for (const RefResult &ref : entry.result.refs) {
            const bool interesting = ref.action != QLatin1String("up_to_date") && ref.action != QLatin1String("filtered");
            if (options.dryRun ? ref.action != QLatin1String("up_to_date") || context.verbosity == Verbosity::Verbose
                               : interesting || context.verbosity == Verbosity::Verbose)
                text += planLine(ref) + QLatin1Char('\n');
        }
    }
    if (options.json) {
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("mirrors"), mirrors},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("mirrors"), static_cast<int>(entries.size())},
                                                                   {QStringLiteral("ok"), ok},
                                                                   {QStringLiteral("failed"), failed},
                                                                   {QStringLiteral("skipped"), skipped},
                                                                   {QStringLiteral("diverged_refs"), divergedRefs}}}});
    } else if (!text.isEmpty() && (options.dryRun || context.verbosity != Verbosity::Quiet || failed > 0 || divergedRefs > 0)) {
        // Success prints nothing unless asked: -v, a plan, failures or diverged refs left alone.
        if (options.dryRun || context.verbosity == Verbosity::Verbose || failed > 0 || divergedRefs > 0)
            context.out() << text;
        context.out().flush();
    }
    if (const int signal = platform::interruptSignal())
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    return failed > 0 || divergedRefs > 0 ? ExitAttention : ExitOk;
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
        *code = context.usage(command, QStringLiteral("--%1: \"%2\" is not a number of seconds").arg(option, parser.value(option)));
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
    UpdateOptions options;
    options.json = parser.isSet(QStringLiteral("json"));
    options.allowMassChange = parser.isSet(QStringLiteral("allow-mass-change"));
    options.dryRun = planOnly || parser.isSet(QStringLiteral("dry-run"));
    options.due = !planOnly && parser.isSet(QStringLiteral("due"));
    if (!readSeconds(context, parser, command, QStringLiteral("timeout"), &options.timeoutSeconds, &code))
        return code;
    if (!planOnly && !readSeconds(context, parser, command, QStringLiteral("lock-wait"), &options.lockWaitSeconds, &code))
        return code;
    return runUpdates(context, command, parser.positionalArguments(), options);
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
