// org add|edit|list|preview|run|remove: a whole organisation, group, workspace or project mirrored
// repository by repository (DESIGN section 4). Every rule is in ops (OrgOps, OrgPlan).
#include "cli/Commands.h"
#include "ops/OrgOps.h"
#include "platform/Platform.h"
#include "util/Scrub.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QTimer>

#include <csignal>

namespace md::cli {

namespace {

// SIGINT/SIGTERM cancel what the org operation runs (a listing, a rate-limit wait, creates): the
// handlers only set a flag, polled here.
void cancelOnInterrupt(QObject *parent, OrgOps &ops)
{
    auto *timer = new QTimer(parent);
    QObject::connect(timer, &QTimer::timeout, parent, [&ops] {
        if (platform::interruptSignal())
            ops.cancel();
    });
    timer->start(100);
}

OrgState loadedOrgState(const OrgStateStore &states, const QString &org)
{
    auto state = states.load(org);
    return state ? *state : OrgState{};
}

void addOrgOptions(QCommandLineParser &parser, bool editing)
{
    parser.addOption({QStringLiteral("provider"), QStringLiteral("github, gitlab, bitbucket-cloud or bitbucket-server."), QStringLiteral("P")});
    parser.addOption({QStringLiteral("owner"),
                      QStringLiteral("The GitHub organisation or user, GitLab group path, Bitbucket workspace or Bitbucket Server project key."),
                      QStringLiteral("OWNER")});
    parser.addOption({QStringLiteral("api-url"),
                      QStringLiteral("The API's base URL (GitHub Enterprise: https://HOST/api/v3; self-managed GitLab: https://HOST/api/v4; "
                                     "Bitbucket Server: https://HOST). Default: the public service."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("credential"), QStringLiteral("The credential holding the API token (also used to clone)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("regex"),
                      QStringLiteral("Only repositories whose path below the owner matches this RE2 expression (unanchored)."),
                      QStringLiteral("RE")});
    parser.addOption({QStringLiteral("include-archived"), QStringLiteral("Mirror archived repositories too.")});
    parser.addOption({QStringLiteral("include-forks"), QStringLiteral("Mirror forks too.")});
    parser.addOption({QStringLiteral("target-dir"),
                      QStringLiteral("Mirror into this folder: one pull mirror per repository, its cache at DIR/<full name>.git."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("target-url"),
                      QStringLiteral("Mirror to this GitLab group (https://HOST/GROUP) or Bitbucket Server project (https://HOST/projects/KEY): "
                                     "missing repositories are created there and each mirror is a relay."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("target-credential"), QStringLiteral("The credential for --target-url (creates and pushes)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("sync-new"), QStringLiteral("Discover new repositories on the schedule (update --due, the window).")});
    parser.addOption({QStringLiteral("gone"),
                      QStringLiteral("Repositories gone upstream: keep (flag them; default) or disable their mirror. Caches are never deleted."),
                      QStringLiteral("keep|disable")});
    parser.addOption({QStringLiteral("interval"), QStringLiteral("Minutes between discoveries with --sync-new (default 60)."), QStringLiteral("MIN")});
    if (editing) {
        parser.addOption({QStringLiteral("no-include-archived"), QStringLiteral("Leave archived repositories out.")});
        parser.addOption({QStringLiteral("no-include-forks"), QStringLiteral("Leave forks out.")});
        parser.addOption({QStringLiteral("no-sync-new"), QStringLiteral("Stop discovering on the schedule.")});
    }
}

// Applies the options given to `org`; a usage error names the option.
Status applyOrgOptions(const QCommandLineParser &parser, OrgMirror &org)
{
    auto set = [&parser](const char *name) {
        const QString option = QString::fromLatin1(name);
        // The --no-… options exist for `org edit` only.
        if (option.startsWith(QLatin1String("no-")) && !parser.optionNames().contains(option))
            return false;
        return parser.isSet(option);
    };
    auto value = [&parser](const char *name) { return parser.value(QString::fromLatin1(name)); };
    if (set("provider")) {
        const auto provider = providers::providerFromName(value("provider"));
        if (!provider)
            return Error::usage(QStringLiteral("--provider: \"%1\" is not one of github, gitlab, bitbucket-cloud, bitbucket-server")
                                    .arg(quoteInput(value("provider"))));
        org.provider = *provider;
    }
    if (set("owner"))
        org.owner = value("owner");
    if (set("api-url"))
        org.apiUrl = value("api-url");
    if (set("credential"))
        org.credential = value("credential");
    if (set("regex"))
        org.regex = value("regex");
    if (set("include-archived"))
        org.includeArchived = true;
    if (set("include-forks"))
        org.includeForks = true;
    if (set("no-include-archived"))
        org.includeArchived = false;
    if (set("no-include-forks"))
        org.includeForks = false;
    if (set("target-dir") && set("target-url"))
        return Error::usage(QStringLiteral("give --target-dir or --target-url, not both"));
    if (set("target-dir")) {
        org.target = OrgTarget{value("target-dir"), {}, {}};
        if (set("target-credential"))
            return Error::usage(QStringLiteral("--target-credential goes with --target-url"));
    }
    if (set("target-url"))
        org.target = OrgTarget{{}, value("target-url"), set("target-credential") ? value("target-credential") : org.target.credential};
    else if (set("target-credential") && !org.target.isDir())
        org.target.credential = value("target-credential");
    if (set("sync-new"))
        org.syncNew = true;
    if (set("no-sync-new"))
        org.syncNew = false;
    if (set("gone")) {
        const auto gone = goneFromName(value("gone"));
        if (!gone)
            return Error::usage(QStringLiteral("--gone: \"%1\" is not one of keep, disable").arg(quoteInput(value("gone"))));
        org.gone = *gone;
    }
    if (set("interval")) {
        bool ok = false;
        const int minutes = value("interval").toInt(&ok);
        if (!ok || minutes < 1 || minutes > 10080)
            return Error::usage(QStringLiteral("--interval: \"%1\" is not a number of minutes from 1 to 10080").arg(quoteInput(value("interval"))));
        org.intervalMinutes = minutes;
    }
    return {};
}

// A listing or run that failed: the message and its category (auth, not_found, network, …).
int failOrg(CliContext &context, const QString &command, const Error &error)
{
    if (error.category == ErrorCategory::Usage || error.category == ErrorCategory::Config)
        return context.fail(command, error);
    const QString message = error.field.isEmpty() || error.message.contains(error.field) ? error.message : error.text();
    context.error(QStringLiteral("mirrordesk %1: %2 (%3)").arg(command, scrubText(errorText(error.category, message)), errorCategoryName(error.category)));
    return error.category == ErrorCategory::Interrupted ? ExitInterrupted : ExitAttention;
}

int reportEdit(CliContext &context, const QString &command, const Error &error)
{
    // A field of the org as its option ("orgs[0].regex" -> --regex).
    Error shown = error;
    static const QHash<QString, QString> options{
        {QStringLiteral("api_url"), QStringLiteral("--api-url")},     {QStringLiteral("owner"), QStringLiteral("--owner")},
        {QStringLiteral("credential"), QStringLiteral("--credential")}, {QStringLiteral("regex"), QStringLiteral("--regex")},
        {QStringLiteral("target.dir"), QStringLiteral("--target-dir")}, {QStringLiteral("target.url"), QStringLiteral("--target-url")},
        {QStringLiteral("target.credential"), QStringLiteral("--target-credential")},
        {QStringLiteral("target"), QStringLiteral("--target-dir/--target-url")}, {QStringLiteral("name"), QStringLiteral("NAME")},
    };
    QString field = error.field;
    if (field.startsWith(QLatin1String("orgs[")))
        field = field.mid(field.indexOf(QLatin1Char('.')) + 1);
    if (options.contains(field))
        shown.field = options.value(field);
    return shown.category == ErrorCategory::Usage ? context.usage(command, shown.text()) : context.fail(command, shown);
}

int add(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org add");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Define an org mirror: every repository of a GitHub organisation or user, GitLab group (with subgroups), Bitbucket "
        "Cloud workspace or Bitbucket Server project, filtered by --regex. Nothing is listed or mirrored until "
        "`org preview` / `org run`."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The org mirror's name; its mirrors are named NAME/<full name>."));
    addOrgOptions(parser, false);
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    if (!parser.isSet(QStringLiteral("provider")))
        return context.usage(command, QStringLiteral("--provider is required (github, gitlab, bitbucket-cloud, bitbucket-server)"));
    if (!parser.isSet(QStringLiteral("owner")))
        return context.usage(command, QStringLiteral("--owner is required"));
    if (!parser.isSet(QStringLiteral("target-dir")) && !parser.isSet(QStringLiteral("target-url")))
        return context.usage(command, QStringLiteral("give --target-dir DIR or --target-url URL --target-credential NAME"));
    OrgMirror org;
    org.name = parser.positionalArguments().first();
    if (auto status = applyOrgOptions(parser, org); !status)
        return context.usage(command, status.error().message);
    OrgOps ops(context.configPath, context.stateDir);
    if (auto saved = ops.add(org); !saved)
        return reportEdit(context, command, saved.error());
    context.verbose(QStringLiteral("added org %1 (%2 %3)").arg(org.name, providers::providerName(org.provider), org.owner));
    return ExitOk;
}

int edit(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org edit");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Change an org mirror's fields (its existing mirrors are not changed)."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The org mirror."));
    addOrgOptions(parser, true);
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    OrgOps ops(context.configPath, context.stateDir);
    std::optional<Error> usageError;
    auto saved = ops.edit(parser.positionalArguments().first(), [&](OrgMirror &org) -> Status {
        if (auto status = applyOrgOptions(parser, org); !status) {
            usageError = status.error();
            return status;
        }
        return {};
    });
    if (!saved)
        return reportEdit(context, command, saved.error());
    return ExitOk;
}

QString targetText(const OrgMirror &org)
{
    return org.target.isDir() ? org.target.dir : scrubText(org.target.url);
}

int list(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the org mirrors: provider, owner, target, their mirrors and last discovery."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty())
        return context.usage(command, QStringLiteral("takes no NAME"));
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    QHash<QString, int> mirrorCount;
    for (const Mirror &m : config->mirrors) {
        if (!m.org.isEmpty())
            ++mirrorCount[m.org.toCaseFolded()];
    }
    OrgStateStore states(context.stateDir);
    QJsonArray orgs;
    QList<QStringList> rows;
    for (const OrgMirror &org : config->orgs) {
        const OrgState state = loadedOrgState(states, org.name);
        QJsonObject object = orgToJson(org);
        if (object.contains(QStringLiteral("target")) && !org.target.isDir()) {
            QJsonObject target = object.value(QStringLiteral("target")).toObject();
            target.insert(QStringLiteral("url"), scrubText(org.target.url));
            object.insert(QStringLiteral("target"), target);
        }
        object.insert(QStringLiteral("api_url"), scrubText(org.effectiveApiUrl()));
        object.insert(QStringLiteral("mirrors"), mirrorCount.value(org.name.toCaseFolded()));
        object.insert(QStringLiteral("last_discovery_at"), isoTime(state.lastDiscoveryAt));
        object.insert(QStringLiteral("last_run_at"), isoTime(state.lastRunAt));
        object.insert(QStringLiteral("listed"), state.listed);
        object.insert(QStringLiteral("summary"), orgSummaryToJson(state.summary));
        object.insert(QStringLiteral("gone"), QJsonArray::fromStringList(state.gone));
        if (!state.lastError.isEmpty()) {
            object.insert(QStringLiteral("last_error"), state.lastError);
            object.insert(QStringLiteral("error_category"), errorCategoryName(state.errorCategory));
        }
        orgs.append(object);
        rows.append({org.name, providers::providerName(org.provider), org.owner, targetText(org),
                     QString::number(mirrorCount.value(org.name.toCaseFolded())),
                     state.lastDiscoveryAt.isValid() ? isoTime(state.lastDiscoveryAt) : QStringLiteral("never"),
                     org.syncNew ? QStringLiteral("yes") : QStringLiteral("no")});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("orgs"), orgs}});
        return ExitOk;
    }
    if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("PROVIDER"), QStringLiteral("OWNER"), QStringLiteral("TARGET"),
                                      QStringLiteral("MIRRORS"), QStringLiteral("DISCOVERED"), QStringLiteral("SYNC NEW")},
                                     rows);
        context.out().flush();
    }
    return ExitOk;
}

// -v: the listing's progress (pages, waits for a rate limit) on stderr.
OrgOps::ProgressFn progressPrinter(CliContext &context)
{
    auto lastMessage = std::make_shared<QString>();
    return [&context, lastMessage](const OrgProgress &progress) {
        QString text;
        if (progress.phase == QLatin1String("listing"))
            text = progress.listing.message.isEmpty() ? QStringLiteral("listing: %1 pages, %2 repositories").arg(progress.listing.pages).arg(progress.listing.repositories)
                                                      : progress.listing.message;
        else if (progress.phase != QLatin1String("done"))
            text = QStringLiteral("%1: %2 of %3").arg(progress.phase).arg(progress.done).arg(progress.total);
        if (text.isEmpty() || text == *lastMessage)
            return;
        *lastMessage = text;
        // A rate-limit wait is worth saying even without -v: the command seems to hang otherwise.
        if (progress.listing.waitingUntil.isValid())
            context.note(text);
        else
            context.verbose(text);
    };
}

void printRows(CliContext &context, const QList<QStringList> &rows, const QStringList &header)
{
    if (!rows.isEmpty())
        context.out() << formatTable(header, rows);
    context.out().flush();
}

QString summaryLine(const QMap<OrgAction, int> &summary)
{
    QStringList parts;
    for (auto it = summary.begin(); it != summary.end(); ++it)
        parts.append(QStringLiteral("%1 %2").arg(it.value()).arg(orgActionName(it.key())));
    return parts.join(QStringLiteral(", "));
}

int preview(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org preview");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List the org's repositories and show, for each, what `org run` would do: create, update, up_to_date, filtered "
        "(regex, archived, fork), gone (no longer listed), clash. Changes nothing."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The org mirror."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    const QString name = parser.positionalArguments().first();
    const OrgMirror *org = config->org(name);
    if (!org)
        return context.usage(command, QStringLiteral("no org named \"%1\"").arg(quoteInput(name)));
    platform::installInterruptHandlers();
    OrgOps ops(context.configPath, context.stateDir);
    std::optional<Result<OrgPreview>> result;
    context.runAsync([&](QObject *receiver, std::function<void()> finished) {
        cancelOnInterrupt(receiver, ops);
        ops.preview(*config, name, progressPrinter(context), [&result, finished](Result<OrgPreview> preview) {
            result = std::move(preview);
            finished();
        });
    });
    if (const int signal = platform::interruptSignal(); signal && (!result || !*result)) {
        context.error(QStringLiteral("mirrordesk %1: interrupted; nothing was changed").arg(command));
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    }
    if (!result || !*result)
        return failOrg(context, command, result ? result->error() : Error{ErrorCategory::Interrupted, QStringLiteral("interrupted"), {}, 0, 0});
    const OrgPreview &p = **result;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray repositories;
        for (const OrgRow &row : p.rows)
            repositories.append(orgRowToJson(row, *org));
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("org"), org->name},
                           {QStringLiteral("repositories"), repositories},
                           {QStringLiteral("summary"), orgSummaryToJson(p.summary())}});
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const OrgRow &row : p.rows)
        rows.append({orgActionName(row.action), row.repository.fullName, row.mirror, orgReasonText(row.reason, *org)});
    printRows(context, rows, {QStringLiteral("ACTION"), QStringLiteral("REPOSITORY"), QStringLiteral("MIRROR"), QStringLiteral("WHY")});
    context.out() << summaryLine(p.summary()) << '\n';
    context.out().flush();
    return ExitOk;
}

int run(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org run");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Apply the preview: create missing target repositories (forge target), add a mirror for each new repository, "
        "disable gone ones with --gone disable, and run the first update of new mirrors and the update of changed ones. "
        "A failure on one repository is recorded on its row and the run goes on. Exit 0 when every row is done, 1 when one "
        "failed, 130/143 when interrupted."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The org mirror."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("yes"), QStringLiteral("Do not ask for confirmation (required when standard input is not a terminal).")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    const QString name = parser.positionalArguments().first();
    const OrgMirror *org = config->org(name);
    if (!org)
        return context.usage(command, QStringLiteral("no org named \"%1\"").arg(quoteInput(name)));
    if (!parser.isSet(QStringLiteral("yes"))) {
        if (!platform::stdinIsTerminal())
            return context.usage(command, QStringLiteral("org run adds mirrors and may create repositories: confirm with --yes "
                                                         "(see `mirrordesk org preview %1` first)").arg(name));
        context.err() << QStringLiteral("Run org mirror %1 (see `mirrordesk org preview %1`)? [y/N] ").arg(name);
        context.err().flush();
        const QString answer = context.in().readLine().trimmed().toLower();
        if (answer != QLatin1String("y") && answer != QLatin1String("yes")) {
            context.note(QStringLiteral("nothing was changed"));
            return ExitAttention;
        }
    }
    platform::installInterruptHandlers();
    OrgOps ops(context.configPath, context.stateDir);
    std::optional<Result<OrgRunReport>> result;
    const auto batch = context.runBatch(command, &code, [&](RunOps &runs, RunOps::Done done) -> Result<int> {
        cancelOnInterrupt(&runs, ops);
        ops.run(*config, name, &runs, progressPrinter(context), [&result, done](Result<OrgRunReport> report) {
            result = std::move(report);
            done(RunReport{});
        });
        return 1;
    });
    if (!batch)
        return code;
    if (const int signal = platform::interruptSignal(); signal && (!result || !*result))
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    if (!result || !*result)
        return failOrg(context, command, result ? result->error() : Error{ErrorCategory::Interrupted, QStringLiteral("interrupted"), {}, 0, 0});
    const OrgRunReport &report = **result;
    int failed = 0;
    for (const OrgRunRow &row : report.rows)
        failed += row.result == QLatin1String("failed") ? 1 : 0;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray repositories;
        for (const OrgRunRow &row : report.rows) {
            QJsonObject object = orgRowToJson(row.row, *org);
            object.insert(QStringLiteral("result"), row.result);
            object.insert(QStringLiteral("error_category"),
                          row.error && row.error->category != ErrorCategory::None ? errorCategoryName(row.error->category) : QString());
            object.insert(QStringLiteral("error"), row.error ? scrubText(row.error->message) : QString());
            repositories.append(object);
        }
        QJsonObject results;
        const auto counts = report.results();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            results.insert(it.key(), it.value());
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("org"), org->name},
                           {QStringLiteral("repositories"), repositories},
                           {QStringLiteral("summary"), orgSummaryToJson(report.preview.summary())},
                           {QStringLiteral("results"), results}});
    } else {
        QList<QStringList> rows;
        for (const OrgRunRow &row : report.rows) {
            if (row.result == QLatin1String("filtered") && context.verbosity != Verbosity::Verbose)
                continue;
            rows.append({row.result, row.row.repository.fullName, row.row.mirror,
                         row.error ? QStringLiteral("%1: %2").arg(errorCategoryName(row.error->category), scrubText(row.error->message))
                                   : orgReasonText(row.row.reason, *org)});
        }
        printRows(context, rows, {QStringLiteral("RESULT"), QStringLiteral("REPOSITORY"), QStringLiteral("MIRROR"), QStringLiteral("DETAIL")});
        QStringList parts;
        const auto counts = report.results();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            parts.append(QStringLiteral("%1 %2").arg(it.value()).arg(it.key()));
        context.out() << parts.join(QStringLiteral(", ")) << '\n';
        context.out().flush();
    }
    if (const int signal = platform::interruptSignal())
        return signal == SIGTERM ? ExitTerminated : ExitInterrupted;
    return failed > 0 ? ExitAttention : ExitOk;
}

int remove(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("org remove");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Remove an org mirror. Its mirrors stay as ordinary mirrors, or with --with-mirrors are removed from the config too; "
        "their caches are always kept."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The org mirror."));
    parser.addOption({QStringLiteral("with-mirrors"), QStringLiteral("Remove the org's mirrors from the config too (caches kept).")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    OrgOps ops(context.configPath, context.stateDir);
    auto removed = ops.remove(parser.positionalArguments().first(), parser.isSet(QStringLiteral("with-mirrors")));
    if (!removed)
        return reportEdit(context, command, removed.error());
    if (!removed->mirrorsRemoved.isEmpty())
        context.note(QStringLiteral("removed %1 mirrors of org %2 (their caches are kept)").arg(removed->mirrorsRemoved.size()).arg(removed->org.name));
    if (!removed->mirrorsDetached.isEmpty())
        context.note(QStringLiteral("%1 mirrors of org %2 are kept as ordinary mirrors").arg(removed->mirrorsDetached.size()).arg(removed->org.name));
    return ExitOk;
}

} // namespace

int cmdOrg(CliContext &context, const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(QStringLiteral("mirrordesk org ") + sub);
    if (sub == QLatin1String("add"))
        return add(context, rest);
    if (sub == QLatin1String("edit"))
        return edit(context, rest);
    if (sub == QLatin1String("list"))
        return list(context, rest);
    if (sub == QLatin1String("preview"))
        return preview(context, rest);
    if (sub == QLatin1String("run"))
        return run(context, rest);
    if (sub == QLatin1String("remove"))
        return remove(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral(
            "Usage: mirrordesk org add NAME --provider P --owner OWNER (--target-dir DIR | --target-url URL --target-credential NAME) [options]\n"
            "       mirrordesk org edit NAME [options] | org list [--json] | org preview NAME [--json] | org run NAME [--yes] [--json]\n"
            "       mirrordesk org remove NAME [--with-mirrors]\n"
            "Whole organisations, groups, workspaces or projects mirrored. Run 'mirrordesk org add --help' for the options.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("org"), sub.isEmpty() ? QStringLiteral("expected add, edit, list, preview, run or remove")
                                                              : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

// update --due's part of sync new: each org with sync_new whose discovery is due lists its
// repositories again and adds mirrors for new ones (flagging or disabling gone ones); the due
// run then updates them (they are due at once). Returns the config to run, and whether a
// discovery failed (reported on stderr).
std::optional<Config> discoverDueOrgs(CliContext &context, const QString &command, const Config &config, bool *failed)
{
    OrgStateStore states(context.stateDir);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList due;
    for (const OrgMirror &org : config.orgs) {
        if (orgDiscoveryDue(org, loadedOrgState(states, org.name), now))
            due.append(org.name);
    }
    if (due.isEmpty())
        return config;
    OrgOps ops(context.configPath, context.stateDir);
    Config current = config;
    for (const QString &name : due) {
        std::optional<Result<OrgRunReport>> result;
        context.runAsync([&](QObject *receiver, std::function<void()> finished) {
            cancelOnInterrupt(receiver, ops);
            ops.run(current, name, nullptr, progressPrinter(context), [&result, finished](Result<OrgRunReport> report) {
                result = std::move(report);
                finished();
            }, OrgRunOptions{true, {}});
        });
        if (!result || !*result) {
            *failed = true;
            const Error error = result ? result->error() : Error{ErrorCategory::Interrupted, QStringLiteral("interrupted"), {}, 0, 0};
            context.error(QStringLiteral("mirrordesk %1: org %2: discovery failed (%3): %4")
                              .arg(command, name, errorCategoryName(error.category), errorText(error)));
            if (platform::interruptSignal())
                break;
            continue;
        }
        int created = 0;
        for (const OrgRunRow &row : (*result)->rows) {
            if (row.result == QLatin1String("created")) {
                ++created;
            } else if (row.result == QLatin1String("failed")) {
                *failed = true;
                context.error(QStringLiteral("mirrordesk %1: org %2: %3: %4").arg(command, name, row.row.repository.fullName,
                                                                                   row.error ? errorText(*row.error) : QString()));
            }
        }
        if (created > 0)
            context.note(QStringLiteral("org %1: %2 new repositories added as mirrors").arg(name).arg(created));
        int code = ExitOk;
        auto reloaded = context.loadConfig(command, &code);
        if (!reloaded)
            return std::nullopt;
        current = *reloaded;
    }
    return current;
}

} // namespace md::cli
