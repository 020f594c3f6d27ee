// check: lists both sides of each mirror without fetching objects and says how they compare.
#include "cli/Commands.h"
#include "git/GitLibrary.h"
#include "mirror/Checker.h"
#include "mirror/HostQueue.h"
#include "mirror/MirrorRun.h"
#include "security/GitUrl.h"

#include <QHash>
#include <QJsonArray>
#include <QThreadPool>

#include <memory>

namespace md::cli {

namespace {

struct Slot {
    Mirror mirror;
    std::optional<CheckJob> job;
    CheckRecord record;
    QString skipped; // reason when not checked
    StatusRecord status; // the mirror's status with this check recorded
    QString problem;     // a state-file error, printed by the main thread
};

// Records the check in the mirror's state (status fields kept) and keeps the result for the report.
void saveCheck(const StateStore &state, Slot &slot)
{
    const CheckOutcome outcome = recordCheck(state, slot.mirror.name, slot.record);
    slot.status = outcome.status;
    slot.problem = outcome.problem;
}

} // namespace

int cmdCheck(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("check");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List both sides' refs without fetching objects and say per mirror: in_sync, behind, diverged (only when provable "
        "from the cache), unreachable (with why) or empty. Disabled mirrors are checked only when named.\n"
        "Exit codes: 0 all in sync (or empty/skipped), 1 something needs attention (unreachable, diverged), 3 some mirror is behind."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to check (default: all)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    const QStringList names = parser.positionalArguments();
    QList<Mirror> selected;
    if (!selectMirrors(context, command, *config, names, &selected, &code))
        return code;
    std::vector<Slot> entries;
    for (const Mirror &m : selected)
        entries.push_back(Slot{m, {}, {}, names.isEmpty() && !m.enabled ? QStringLiteral("disabled") : QString(), {}, {}});
    if (auto status = git::GitLibrary::initialize(gitOptions(config->settings)); !status)
        return context.fail(command, status.error());

    // Secrets are read here, on the main thread, before any job starts.
    for (Slot &slot : entries) {
        if (!slot.skipped.isEmpty())
            continue;
        auto job = makeCheckJob(*config, slot.mirror);
        if (!job) {
            slot.record.state = QStringLiteral("unreachable");
            slot.record.errorCategory = job.error().category == ErrorCategory::Usage ? ErrorCategory::Config : job.error().category;
            slot.record.error = GitUrl::scrubText(job.error().text());
            slot.record.checkedAt = QDateTime::currentDateTimeUtc();
            continue;
        }
        slot.job = *job;
    }

    StateStore state = context.stateStore();
    QThreadPool pool;
    pool.setMaxThreadCount(config->settings.concurrency);
    HostQueue queue(pool, config->settings.perHostConcurrency);
    for (Slot &slot : entries) {
        if (!slot.job)
            continue;
        queue.start(slot.job->source.hostPort, [&slot, state] {
            slot.record = runCheck(*slot.job);
            saveCheck(state, slot); // on the pool thread: state writes overlap the other checks
        });
    }
    pool.waitForDone();

    QJsonArray mirrors;
    QList<QStringList> rows;
    int inSync = 0, behind = 0, attention = 0, skipped = 0;
    for (Slot &slot : entries) {
        const CheckRecord &r = slot.record;
        QString outcome = QStringLiteral("ok");
        if (!slot.skipped.isEmpty()) {
            outcome = QStringLiteral("skipped");
            ++skipped;
        } else if (r.state == QLatin1String("unreachable") || r.state == QLatin1String("diverged")) {
            outcome = QStringLiteral("failed");
            ++attention;
        } else if (r.state == QLatin1String("behind")) {
            ++behind;
        } else {
            ++inSync;
        }
        if (!slot.job && slot.skipped.isEmpty()) {
            saveCheck(state, slot); // a setup error: no job ran
        } else if (!slot.skipped.isEmpty()) {
            if (auto status = state.status(slot.mirror.name))
                slot.status = *status;
        }
        if (!slot.problem.isEmpty())
            context.error(QStringLiteral("mirrordesk check: %1").arg(slot.problem));
        // The status fields of the last update, then this check's own (its error is the check's).
        QJsonObject object = statusToJson(slot.status);
        object.remove(QStringLiteral("last_check"));
        // The last update's error stays readable beside the check's own.
        object.insert(QStringLiteral("last_update_error"), GitUrl::scrubText(slot.status.lastError));
        object.insert(QStringLiteral("last_update_error_category"), errorCategoryName(slot.status.errorCategory));
        const QJsonObject checkFields{
            {QStringLiteral("name"), slot.mirror.name},
            {QStringLiteral("shape"), shapeName(slot.mirror.shape)},
            {QStringLiteral("outcome"), outcome},
            {QStringLiteral("reason"), slot.skipped},
            {QStringLiteral("state"), r.state},
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
        mirrors.append(object);
        if (context.verbosity == Verbosity::Quiet && outcome != QLatin1String("failed"))
            continue;
        QString detail = r.error;
        if (!r.error.isEmpty() && r.errorCategory != ErrorCategory::None)
            detail = QStringLiteral("%1: %2").arg(errorCategoryName(r.errorCategory), r.error);
        rows.append({slot.mirror.name, slot.skipped.isEmpty() ? r.state : QStringLiteral("skipped (%1)").arg(slot.skipped),
                     detail.isEmpty() ? QStringLiteral("-") : detail});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("mirrors"), mirrors},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("mirrors"), static_cast<int>(entries.size())},
                                                                   {QStringLiteral("in_sync"), inSync},
                                                                   {QStringLiteral("behind"), behind},
                                                                   {QStringLiteral("failed"), attention},
                                                                   {QStringLiteral("skipped"), skipped}}}});
    } else if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("STATE"), QStringLiteral("DETAIL")}, rows);
        context.out().flush();
    }
    if (attention > 0)
        return ExitAttention;
    return behind > 0 ? ExitBehind : ExitOk;
}

} // namespace md::cli
