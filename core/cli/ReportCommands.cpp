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

int cmdStatus(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("status");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Show each mirror's last run and health from the state folder, without "
                                                    "network. Exits 1 when a selected mirror's last update failed."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Mirrors to show (default: all)."), QStringLiteral("[NAME…]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
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
    int ok = 0, failed = 0, skipped = 0;
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
        } else if (status.updateStatus == UpdateStatus::Disabled || status.updateStatus == UpdateStatus::Paused) {
            outcome = QStringLiteral("skipped");
            reason = updateStatusName(status.updateStatus);
            ++skipped;
        } else {
            ++ok;
        }
        QJsonObject object = statusToJson(status);
        object.remove(QStringLiteral("last_check"));
        object.insert(QStringLiteral("name"), m.name);
        object.insert(QStringLiteral("shape"), shapeName(m.shape));
        object.insert(QStringLiteral("outcome"), outcome);
        object.insert(QStringLiteral("reason"), reason);
        object.insert(QStringLiteral("state"), status.lastCheck ? checkStateName(status.lastCheck->state) : QString());
        object.insert(QStringLiteral("checked_at"), status.lastCheck ? isoTime(status.lastCheck->checkedAt) : QString());
        object.insert(QStringLiteral("last_error"), GitUrl::scrubText(status.lastError));
        QJsonArray refs;
        if (auto history = state.history(m.name); history && !history->isEmpty()) {
            for (const RefResult &ref : history->last().refs)
                refs.append(refResultToJson(ref));
        }
        object.insert(QStringLiteral("refs"), refs);
        mirrors.append(object);
        if (context.verbosity == Verbosity::Quiet && outcome != QLatin1String("failed"))
            continue; // -q: failures only
        rows.append({m.name, updateStatusName(status.updateStatus),
                     status.lastCheck ? checkStateName(status.lastCheck->state) : QStringLiteral("-"),
                     status.lastSuccessfulUpdateAt.isValid() ? isoTime(status.lastSuccessfulUpdateAt) : QStringLiteral("never"),
                     status.lastError.isEmpty() ? QStringLiteral("-") : GitUrl::scrubText(status.lastError)});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        const QJsonObject summary{{QStringLiteral("mirrors"), static_cast<int>(selected.size())},
                                  {QStringLiteral("ok"), ok},
                                  {QStringLiteral("failed"), failed},
                                  {QStringLiteral("skipped"), skipped}};
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("mirrors"), mirrors}, {QStringLiteral("summary"), summary}});
    } else {
        if (!rows.isEmpty())
            context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("STATUS"), QStringLiteral("STATE"),
                                          QStringLiteral("LAST SUCCESS"), QStringLiteral("LAST ERROR")},
                                         rows);
        context.out().flush();
    }
    return failed > 0 ? ExitAttention : ExitOk;
}

} // namespace md::cli
