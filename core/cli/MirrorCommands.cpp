// add, edit, rename, remove: the commands that change mirrors in the config (over MirrorOps).
#include "cli/Commands.h"
#include "cli/MirrorOptions.h"
#include "ops/MirrorOps.h"

namespace md::cli {

namespace {

int parseNames(CliContext &context, QCommandLineParser &parser, const QString &command, const QStringList &arguments,
               int expected, const QString &syntax, QStringList *names)
{
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    *names = parser.positionalArguments();
    if (names->size() != expected)
        return context.usage(command, QStringLiteral("expected %1").arg(syntax));
    return -1;
}

} // namespace

int cmdAdd(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("add");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Add a mirror. The shape is inferred from the URLs unless --shape is given."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror's name (segments of [A-Za-z0-9._-] joined by /)."));
    addMirrorOptions(parser);
    QStringList names;
    if (int code = parseNames(context, parser, command, arguments, 1, QStringLiteral("one NAME"), &names); code >= 0)
        return code;
    if (!parser.isSet(QStringLiteral("source")))
        return context.usage(command, QStringLiteral("--source is required"));

    Mirror mirror;
    mirror.name = names.first();
    QStringList notes;
    if (auto status = applyMirrorOptions(parser, mirror, true, &notes); !status)
        return context.fail(command, status.error());
    auto saved = MirrorOps(context.configPath, context.stateDir).add(mirror);
    if (!saved)
        return context.fail(command, saved.error());
    for (const QString &note : notes)
        context.note(note);
    context.verbose(QStringLiteral("added %1 (%2), cache %3").arg(mirror.name, shapeName(mirror.shape), saved->cachePathOf(mirror)));
    return ExitOk;
}

int cmdEdit(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("edit");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Change a mirror's fields; only the options given change."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror to change."));
    addMirrorOptions(parser);
    QStringList names;
    if (int code = parseNames(context, parser, command, arguments, 1, QStringLiteral("one NAME"), &names); code >= 0)
        return code;

    QStringList notes;
    auto saved = MirrorOps(context.configPath, context.stateDir).edit(names.first(), [&](Mirror &edited) {
        return applyMirrorOptions(parser, edited, false, &notes);
    }, parser.isSet(QStringLiteral("source")));
    if (!saved)
        return context.fail(command, saved.error());
    if (!saved->movedCacheTo.isEmpty())
        notes.append(QStringLiteral("moved the cache to %1").arg(saved->movedCacheTo));
    for (const QString &note : notes)
        context.note(note);
    return ExitOk;
}

int cmdRename(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("rename");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Rename a mirror: its config entry, its state and its cache (when the cache "
                                                    "is at the default place) move to the new name."));
    parser.addPositionalArgument(QStringLiteral("OLD"), QStringLiteral("The mirror's current name."));
    parser.addPositionalArgument(QStringLiteral("NEW"), QStringLiteral("Its new name."));
    QStringList names;
    if (int code = parseNames(context, parser, command, arguments, 2, QStringLiteral("OLD NEW"), &names); code >= 0)
        return code;
    auto saved = MirrorOps(context.configPath, context.stateDir).rename(names.at(0), names.at(1));
    if (!saved)
        return context.fail(command, saved.error());
    if (!saved->movedCacheTo.isEmpty())
        context.verbose(QStringLiteral("moved the cache to %1").arg(saved->movedCacheTo));
    return ExitOk;
}

int cmdRemove(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("remove");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Remove a mirror from the config with its status and history. "
                                                    "The cache is kept unless --delete-cache is given."));
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The mirror to remove."));
    parser.addOption({QStringLiteral("delete-cache"), QStringLiteral("Also delete the cache repository.")});
    QStringList names;
    if (int code = parseNames(context, parser, command, arguments, 1, QStringLiteral("one NAME"), &names); code >= 0)
        return code;
    const bool deleteCache = parser.isSet(QStringLiteral("delete-cache"));

    auto removed = MirrorOps(context.configPath, context.stateDir).remove(names.first(), deleteCache);
    if (!removed)
        return context.fail(command, removed.error());
    int code = ExitOk;
    if (removed->stateError)
        code = context.fail(command, *removed->stateError);
    if (removed->cacheDeleted)
        context.verbose(QStringLiteral("deleted the cache %1").arg(removed->cachePath));
    else if (removed->cacheExists)
        context.verbose(QStringLiteral("kept the cache %1").arg(removed->cachePath));
    return code;
}

} // namespace md::cli
