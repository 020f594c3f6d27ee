// list and status: read-only reports over the config and the state (no network).
#include "cli/Commands.h"
#include "security/GitUrl.h"

#include <QJsonArray>

namespace md::cli {

namespace {

QJsonObject endpointJson(const Endpoint &endpoint)
{
    return QJsonObject{{QStringLiteral("url"), GitUrl::scrub(endpoint.url)},
                       {QStringLiteral("credential"), endpoint.credential},
                       {QStringLiteral("proxy"), GitUrl::scrub(endpoint.proxy)}};
}

QJsonObject mirrorListJson(const Config &config, const Mirror &m)
{
    QJsonObject object{
        {QStringLiteral("name"), m.name},
        {QStringLiteral("shape"), shapeName(m.shape)},
        {QStringLiteral("source"), endpointJson(m.source)},
        {QStringLiteral("target"), m.target.url.isEmpty() ? QJsonValue() : QJsonValue(endpointJson(m.target))},
        {QStringLiteral("cache_path"), config.cachePathOf(m)},
        {QStringLiteral("enabled"), m.enabled},
        {QStringLiteral("interval_minutes"), m.effectiveIntervalMinutes(config.settings.defaultIntervalMinutes)},
        {QStringLiteral("min_update_interval_seconds"), m.minUpdateIntervalSeconds},
        {QStringLiteral("keep_divergent_refs"), m.keepDivergentRefs},
        {QStringLiteral("only_protected_branches"), m.onlyProtectedBranches},
        {QStringLiteral("protected_branches"), QJsonArray::fromStringList(m.protectedBranches)},
        {QStringLiteral("mirror_branch_regex"), m.mirrorBranchRegex},
        {QStringLiteral("mirror_overwrites_diverged_branches"), m.mirrorOverwritesDivergedBranches},
        {QStringLiteral("prune"), pruneName(m.effectivePrune())},
        {QStringLiteral("mirror_tags"), tagPolicyName(m.mirrorTags)},
    };
    return object;
}

} // namespace

int cmdList(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the mirrors in the config (URLs scrubbed)."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty())
        return context.usage(command, QStringLiteral("takes no arguments"));
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;

    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray mirrors;
        for (const Mirror &m : config->mirrors)
            mirrors.append(mirrorListJson(*config, m));
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("mirrors"), mirrors}});
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const Mirror &m : config->mirrors) {
        rows.append({m.name, shapeName(m.shape), GitUrl::scrub(m.source.url), m.target.url.isEmpty() ? QStringLiteral("-") : GitUrl::scrub(m.target.url),
                     m.enabled ? QStringLiteral("yes") : QStringLiteral("no"),
                     QString::number(m.effectiveIntervalMinutes(config->settings.defaultIntervalMinutes))});
    }
    if (!rows.isEmpty())
        context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("SHAPE"), QStringLiteral("SOURCE"),
                                      QStringLiteral("TARGET"), QStringLiteral("ENABLED"), QStringLiteral("INTERVAL")},
                                     rows);
    context.out().flush();
    return ExitOk;
}

namespace {

QJsonObject checkJson(const StatusRecord &status)
{
    if (!status.lastCheck)
        return {};
    const CheckRecord &check = *status.lastCheck;
    QJsonObject object{{QStringLiteral("state"), checkStateName(check.state)},
                       {QStringLiteral("checked_at"), isoTime(check.checkedAt)},
                       {QStringLiteral("current"), currentCheck(status).has_value()}};
    if (check.errorCategory != ErrorCategory::None) {
        object.insert(QStringLiteral("error_category"), errorCategoryName(check.errorCategory));
        object.insert(QStringLiteral("error"), GitUrl::scrubText(check.error));
    }
    if (!check.sourceHead.isEmpty())
        object.insert(QStringLiteral("source_head"), check.sourceHead);
    return object;
}

// The STATE column: the current check, or the last one marked stale (it predates the last
// successful update, so it says what was true before that update).
QString stateCell(const StatusRecord &status)
{
    if (!status.lastCheck)
        return QStringLiteral("-");
    const QString state = checkStateName(status.lastCheck->state);
    return currentCheck(status) ? state : QStringLiteral("%1 (stale: checked before the last update)").arg(state);
}

} // namespace

int cmdStatus(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("status");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Show each mirror's last run and health from the state folder, without "
                                                    "network. A check older than the last successful update is shown as stale. "
                                                    "Exits 1 when a selected mirror's last update failed."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to show (default: all)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("refs"), QStringLiteral("With --json: the last run's refs that moved or failed, and its counts per action.")});
    parser.addOption({QStringLiteral("history"), QStringLiteral("With --json: every recorded run (the last 100).")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool withRefs = parser.isSet(QStringLiteral("refs"));
    const bool withHistory = parser.isSet(QStringLiteral("history"));
    if ((withRefs || withHistory) && !json)
        return context.usage(command, QStringLiteral("--refs and --history go with --json"));
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    const auto chosen = selectMirrors(*config, parser.positionalArguments());
    if (!chosen)
        return context.usage(command, chosen.error().message);
    const QList<Mirror> &selected = *chosen;

    const StateStore state = context.stateStore();
    QJsonArray mirrors;
    QList<QStringList> rows;
    int ok = 0, failed = 0, skipped = 0, interrupted = 0;
    for (const Mirror &m : selected) {
        auto record = state.status(m.name);
        StatusRecord status = record ? *record : StatusRecord{};
        if (!record) {
            status.updateStatus = UpdateStatus::Failed;
            status.lastError = record.error().message;
            status.errorCategory = ErrorCategory::Io;
        }
        if (!m.enabled)
            status.updateStatus = UpdateStatus::Disabled;
        QString outcome = QStringLiteral("ok");
        QString reason;
        if (status.updateStatus == UpdateStatus::Failed) {
            outcome = QStringLiteral("failed");
            ++failed;
        } else if (status.updateStatus == UpdateStatus::Interrupted) {
            outcome = runOutcomeName(RunOutcome::Interrupted);
            reason = status.lastError;
            ++interrupted;
        } else if (status.updateStatus == UpdateStatus::Disabled || status.updateStatus == UpdateStatus::Paused) {
            outcome = QStringLiteral("skipped");
            reason = updateStatusName(status.updateStatus);
            ++skipped;
        } else {
            ++ok;
        }
        const auto current = currentCheck(status);
        if (json) {
            QJsonObject object = statusToJson(status);
            object.remove(QStringLiteral("last_check"));
            object.insert(QStringLiteral("name"), m.name);
            object.insert(QStringLiteral("shape"), shapeName(m.shape));
            object.insert(QStringLiteral("outcome"), outcome);
            object.insert(QStringLiteral("reason"), reason);
            object.insert(QStringLiteral("state"), current ? checkStateName(current->state) : QString());
            object.insert(QStringLiteral("checked_at"), current ? isoTime(current->checkedAt) : QString());
            if (status.lastCheck)
                object.insert(QStringLiteral("last_check"), checkJson(status));
            object.insert(QStringLiteral("last_error"), GitUrl::scrubText(status.lastError));
            // The run history is read only when asked for: status stays one small file per mirror.
            QJsonArray refs;
            if (withRefs || withHistory) {
                auto history = state.history(m.name);
                if (history && !history->isEmpty()) {
                    const QJsonObject last = runToJson(history->last());
                    refs = last.value(QStringLiteral("refs")).toArray();
                    object.insert(QStringLiteral("ref_counts"), last.value(QStringLiteral("ref_counts")));
                    if (last.contains(QStringLiteral("refs_omitted")))
                        object.insert(QStringLiteral("refs_omitted"), last.value(QStringLiteral("refs_omitted")));
                }
                if (withHistory) {
                    QJsonArray runs;
                    for (const RunRecord &run : history ? *history : QList<RunRecord>{})
                        runs.append(runToJson(run));
                    object.insert(QStringLiteral("history"), runs);
                }
                if (!history)
                    object.insert(QStringLiteral("history_error"), history.error().message);
            }
            object.insert(QStringLiteral("refs"), refs);
            mirrors.append(object);
            continue;
        }
        if (context.verbosity == Verbosity::Quiet && outcome != QLatin1String("failed"))
            continue; // -q: failures only
        rows.append({m.name, updateStatusName(status.updateStatus), stateCell(status),
                     status.lastCheck ? isoTime(status.lastCheck->checkedAt) : QStringLiteral("-"),
                     status.lastSuccessfulUpdateAt.isValid() ? isoTime(status.lastSuccessfulUpdateAt) : QStringLiteral("never"),
                     status.lastError.isEmpty() ? QStringLiteral("-") : GitUrl::scrubText(status.lastError)});
    }
    if (json) {
        const QJsonObject summary{{QStringLiteral("mirrors"), static_cast<int>(selected.size())},
                                  {QStringLiteral("ok"), ok},
                                  {QStringLiteral("failed"), failed},
                                  {QStringLiteral("skipped"), skipped},
                                  {QStringLiteral("interrupted"), interrupted}};
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("mirrors"), mirrors}, {QStringLiteral("summary"), summary}});
    } else {
        if (!rows.isEmpty())
            context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("STATUS"), QStringLiteral("STATE"), QStringLiteral("CHECKED"),
                                          QStringLiteral("LAST SUCCESS"), QStringLiteral("LAST ERROR")},
                                         rows);
        context.out().flush();
    }
    return failed > 0 ? ExitAttention : ExitOk;
}

} // namespace md::cli
