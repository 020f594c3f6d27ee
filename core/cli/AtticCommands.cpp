// attic list|restore|purge: the old tips MirrorDesk kept before forcing or deleting a ref.
#include "cli/Commands.h"
#include "mirror/JobPreparer.h"
#include "ops/AtticOps.h"
#include "util/Scrub.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace md::cli {

namespace {

// Parses a command whose one positional argument is the mirror NAME, then lists its attic.
std::optional<AtticOps::Listing> parseAndList(CliContext &context, QCommandLineParser &parser, const QString &command,
                                              const QStringList &arguments, int *code)
{
    if (!parseCommand(context, parser, command, arguments, code))
        return std::nullopt;
    if (parser.positionalArguments().size() != 1) {
        *code = context.usage(command, QStringLiteral("expected one mirror NAME"));
        return std::nullopt;
    }
    auto listing = AtticOps(context.configPath, context.stateDir).list(parser.positionalArguments().first());
    if (!listing) {
        *code = listing.error().category == ErrorCategory::Usage ? context.usage(command, listing.error().message)
                                                                 : context.fail(command, listing.error());
        return std::nullopt;
    }
    return *listing;
}

int list(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("attic list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the old tips kept in a mirror's attic, newest first: the entry to "
                                                    "restore, when, the ref, its old oid and why it was kept."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    const auto attic = parseAndList(context, parser, command, arguments, &code);
    if (!attic)
        return code;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray entries;
        for (const AtticEntry &entry : attic->entries)
            entries.append(atticEntryToJson(entry));
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("mirror"), attic->mirror.name},
                           {QStringLiteral("entries"), entries}});
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const AtticEntry &entry : attic->entries)
        rows.append({entry.id, isoTime(entry.when), entry.ref, entry.oid.left(12), entry.why.isEmpty() ? QStringLiteral("-") : entry.why});
    if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("ENTRY"), QStringLiteral("WHEN"), QStringLiteral("REF"), QStringLiteral("OID"),
                                      QStringLiteral("WHY")}, rows);
        context.out().flush();
    }
    return ExitOk;
}

int restore(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("attic restore");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Put an attic entry's old tip back into the cache, under its own ref or --as REF (e.g. refs/restored/main, which "
        "no sync touches). A ref that exists with another tip is kept in the attic first. In a pull mirror the cache "
        "follows the source, so the next update moves a restored branch or tag back; fetch it from the cache first."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror."));
    parser.addPositionalArgument(QStringLiteral("ENTRY"), QStringLiteral("The entry, as `attic list` shows it."));
    parser.addOption({QStringLiteral("as"), QStringLiteral("Restore into REF instead of the entry's own ref."), QStringLiteral("REF")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return context.usage(command, QStringLiteral("expected NAME and ENTRY"));
    // The mirror's job, secrets read (the keychain's asynchronously), for a target entry's push.
    std::optional<Result<MirrorJob>> prepared;
    if (const auto config = context.store().load(); config) {
        if (const int index = config->indexOfMirror(positional.at(0)); index >= 0 && config->mirrors.at(index).shape != Shape::Pull) {
            JobPreparer preparer;
            context.runAsync([&](QObject *, std::function<void()> finished) {
                preparer.prepare(*config, {config->mirrors.at(index)}, [&prepared, finished](QList<Result<MirrorJob>> jobs) {
                    prepared = jobs.value(0, Error::io(QStringLiteral("no job was prepared")));
                    finished();
                });
            });
        }
    }
    const auto restored = AtticOps(context.configPath, context.stateDir)
                              .restore(positional.at(0), positional.at(1), parser.value(QStringLiteral("as")), prepared);
    if (!restored) {
        if (restored.error().category == ErrorCategory::Usage)
            return context.usage(command, restored.error().message);
        return context.fail(command, restored.error());
    }
    if (restored->alreadyThere) {
        context.note(QStringLiteral("%1%2 is already at %3").arg(restored->onTarget ? QStringLiteral("the target's ") : QString(), restored->ref, restored->oid));
        return ExitOk;
    }
    if (restored->indexError)
        context.error(QStringLiteral("mirrordesk %1: %2").arg(command, restored->indexError->message));
    context.note(QStringLiteral("restored %1%2 to %3%4").arg(restored->onTarget ? QStringLiteral("the target's ") : QString(), restored->ref, restored->oid,
        restored->followsSource ? QStringLiteral(" (the next update makes it follow the source again)") : QString()));
    return ExitOk;
}

int purge(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("attic purge");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Remove attic entries older than DAYS (default: attic_retention_days), always keeping the last 5 entries of each "
        "ref, then repack the cache so their objects go (git gc --prune=now, when git is installed)."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror."));
    parser.addOption({QStringLiteral("older-than"), QStringLiteral("Entries older than DAYS (0: all but the last 5 per ref)."), QStringLiteral("DAYS")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one mirror NAME"));
    std::optional<int> days;
    if (parser.isSet(QStringLiteral("older-than"))) {
        bool ok = false;
        days = parser.value(QStringLiteral("older-than")).toInt(&ok);
        if (!ok || *days < 0 || *days > 36500)
            return context.usage(command, QStringLiteral("--older-than: \"%1\" is not a number of days").arg(quoteInput(parser.value(QStringLiteral("older-than")))));
    }
    // The repack runs as a child process: wait for it on the event loop, not by blocking.
    AtticOps ops(context.configPath, context.stateDir);
    std::optional<Result<AtticOps::Purged>> result;
    ops.purge(parser.positionalArguments().first(), days, [&result](const Result<AtticOps::Purged> &purged) {
        result = purged;
        QCoreApplication::exit(0);
    });
    QCoreApplication::exec();
    if (!result->ok()) {
        if (result->error().category == ErrorCategory::Usage)
            return context.usage(command, result->error().message);
        return context.fail(command, result->error());
    }
    const AtticOps::Purged &purged = result->value();
    if (purged.nothingToPurge) {
        context.note(QStringLiteral("nothing to purge"));
        return ExitOk;
    }
    for (const QString &problem : purged.problems)
        context.error(QStringLiteral("mirrordesk %1: %2").arg(command, problem));
    if (purged.gitMissing)
        context.note(QStringLiteral("git is not installed: the purged objects stay in the cache's packs"));
    context.note(QStringLiteral("purged %1 attic %2").arg(purged.removed).arg(purged.removed == 1 ? QStringLiteral("entry") : QStringLiteral("entries")));
    return ExitOk;
}

} // namespace

int cmdAttic(CliContext &context, const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(QStringLiteral("mirrordesk attic ") + sub);
    if (sub == QLatin1String("list"))
        return list(context, rest);
    if (sub == QLatin1String("restore"))
        return restore(context, rest);
    if (sub == QLatin1String("purge"))
        return purge(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral("Usage: mirrordesk attic list NAME [--json] | attic restore NAME ENTRY [--as REF] | "
                                        "attic purge NAME [--older-than DAYS]\n"
                                        "Old tips kept before a ref was forced or deleted. Run 'mirrordesk attic list --help' for more.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("attic"), sub.isEmpty() ? QStringLiteral("expected list, restore or purge")
                                                                : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

} // namespace md::cli
