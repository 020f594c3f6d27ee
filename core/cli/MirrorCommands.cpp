// add, edit, rename, remove: the commands that change mirrors in the config (over MirrorOps).
#include "cli/Commands.h"

#include <algorithm>
#include "cli/MirrorOptions.h"
#include "ops/CredentialOps.h"
#include "ops/MirrorOps.h"
#include "ops/UrlSecrets.h"

#include <QJsonArray>

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
    // Credentials typed in a URL move into new keychain credentials first (the config is read for
    // their names only when there are any: the add reads it again under its lock).
    const QStringList sides{QStringLiteral("source"), QStringLiteral("target")};
    Result<QList<UrlSecret>> typed = QList<UrlSecret>{};
    if (carriesUrlSecrets(mirror, sides)) {
        const auto config = context.store().load();
        if (!config)
            return context.fail(command, config.error());
        typed = takeUrlSecrets(mirror, *config, sides);
    }
    if (!typed)
        return context.fail(command, typed.error());
    std::optional<Result<Config>> saved;
    MirrorOps ops(context.configPath, context.stateDir);
    const Status stored = context.await(Status{}, [&](QObject *receiver, auto done) {
        applyWithUrlSecrets(context.configPath, *typed, [&]() -> Status {
            saved = ops.add(mirror);
            return *saved ? Status{} : Status(saved->error());
        }, receiver, done);
    });
    if (!stored)
        return context.fail(command, stored.error());
    for (const UrlSecret &secret : *typed)
        notes.append(QStringLiteral("the %1 URL's credentials moved into the keychain as credential \"%2\"")
                         .arg(secret.side, secret.credential.name));
    for (const QString &note : notes)
        context.note(note);
    context.verbose(QStringLiteral("added %1 (%2), cache %3").arg(mirror.name, shapeName(mirror.shape), (*saved)->cachePathOf(mirror)));
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
    const QStringList global{QStringLiteral("config"), QStringLiteral("state-dir"), QStringLiteral("log-file"), QStringLiteral("q"),
                             QStringLiteral("quiet"), QStringLiteral("v"), QStringLiteral("verbose")};
    const QStringList given = parser.optionNames();
    if (std::all_of(given.cbegin(), given.cend(), [&global](const QString &name) { return global.contains(name); }))
        return context.usage(command, QStringLiteral("nothing to change: give at least one option (see mirrordesk edit --help)"));

    // Credentials typed in a new URL move into new keychain credentials first: found on a copy
    // of the edited mirror, then applied with the edit itself.
    QList<UrlSecret> typed;
    const QStringList typedSides = [&parser] {
        QStringList sides;
        for (const char *side : {"source", "target"}) {
            if (parser.isSet(QString::fromLatin1(side)))
                sides.append(QString::fromLatin1(side));
        }
        return sides;
    }();
    if (!typedSides.isEmpty()) {
        const auto config = context.store().load();
        if (!config)
            return context.fail(command, config.error());
        if (const int index = config->indexOfMirror(names.first()); index >= 0) {
            Mirror copy = config->mirrors.at(index);
            QStringList ignored;
            if (applyMirrorOptions(parser, copy, false, &ignored)) {
                // A URL typed with credentials replaces the credential the side had, unless one
                // is named in the same command.
                for (const QString &side : typedSides) {
                    if (!parser.isSet(side + QStringLiteral("-credential")))
                        (side == QLatin1String("target") ? copy.target : copy.source).credential.clear();
                }
                auto found = takeUrlSecrets(copy, *config, typedSides, &config->mirrors.at(index));
                if (!found)
                    return context.fail(command, found.error());
                typed = *found;
            }
        }
    }
    QStringList notes;
    std::optional<Result<MirrorOps::Edited>> saved;
    MirrorOps ops(context.configPath, context.stateDir);
    const Status stored = context.await(Status{}, [&](QObject *receiver, auto done) {
        applyWithUrlSecrets(context.configPath, typed, [&]() -> Status {
            saved = ops.edit(names.first(), [&](Mirror &edited) -> Status {
                if (auto status = applyMirrorOptions(parser, edited, false, &notes); !status)
                    return status;
                for (const UrlSecret &secret : typed) {
                    Endpoint &endpoint = secret.side == QLatin1String("target") ? edited.target : edited.source;
                    endpoint.url = secret.cleanUrl;
                    endpoint.credential = secret.credential.name;
                }
                return {};
            }, parser.isSet(QStringLiteral("source")));
            return *saved ? Status{} : Status((*saved).error());
        }, receiver, done);
    });
    if (!stored)
        return context.fail(command, stored.error());
    for (const UrlSecret &secret : typed)
        notes.append(QStringLiteral("the %1 URL's credentials moved into the keychain as credential \"%2\"")
                         .arg(secret.side, secret.credential.name));
    const MirrorOps::Edited &edited = **saved;
    if (!edited.movedCacheTo.isEmpty())
        notes.append(QStringLiteral("moved the cache to %1").arg(edited.movedCacheTo));
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
    // The credentials the mirror named that no mirror of the saved config uses any more.
    QStringList credentials;
    for (const QString &name : {removed->mirror.source.credential, removed->mirror.target.credential}) {
        if (!name.isEmpty() && !credentials.contains(name, Qt::CaseInsensitive))
            credentials.append(name);
    }
    for (const QString &name : credentials) {
        if (const Credential *credential = removed->config.credential(name); credential && CredentialOps::usersOf(removed->config, name).isEmpty())
            context.note(QStringLiteral("credential %1 is no longer used by any mirror (mirrordesk credential remove %1 "
                                        "deletes it and its secret)").arg(credential->name));
    }
    int code = ExitOk;
    if (removed->stateError)
        code = context.fail(command, *removed->stateError);
    if (removed->linkOnly)
        context.error(QStringLiteral("mirrordesk remove: removed the link %1; the folder it points at was kept").arg(removed->cachePath));
    else if (removed->cacheDeleted)
        context.verbose(QStringLiteral("deleted the cache %1").arg(removed->cachePath));
    else if (removed->cacheExists)
        context.note(QStringLiteral("kept the cache %1 (remove --delete-cache deletes it)").arg(removed->cachePath));
    return code;
}

int cmdImport(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("import");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Adopt existing `git clone --mirror` repositories: one pull mirror per repository, named after its folder "
        "(without .git), with the repository as its cache and remote.origin.url as its source. A path that is not "
        "such a repository is refused and left untouched. Exit 0 when every path was imported, 1 when one was refused."));
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Bare mirror repositories to adopt."), QStringLiteral("PATH…"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty())
        return context.usage(command, QStringLiteral("expected one or more PATHs"));
    auto imported = MirrorOps(context.configPath, context.stateDir).importClones(paths);
    if (!imported)
        return context.fail(command, imported.error());
    QJsonArray entries;
    int refused = 0;
    for (const MirrorOps::Imported &entry : *imported) {
        QJsonObject object{{QStringLiteral("path"), entry.path},
                           {QStringLiteral("outcome"), entry.refused ? QStringLiteral("refused") : QStringLiteral("imported")}};
        if (entry.refused) {
            ++refused;
            object.insert(QStringLiteral("reason"), errorText(*entry.refused));
            if (!parser.isSet(QStringLiteral("json")))
                context.error(QStringLiteral("mirrordesk import: refused: %1").arg(entry.refused->text()));
        } else {
            object.insert(QStringLiteral("name"), entry.name);
            object.insert(QStringLiteral("cache_path"), entry.cachePath);
            object.insert(QStringLiteral("source"), entry.source);
            if (!parser.isSet(QStringLiteral("json")))
                context.note(QStringLiteral("imported %1 as pull mirror \"%2\" from %3").arg(entry.path, entry.name, entry.source));
        }
        entries.append(object);
    }
    if (parser.isSet(QStringLiteral("json")))
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("imported"), entries},
                           {QStringLiteral("summary"), QJsonObject{{QStringLiteral("paths"), static_cast<int>(imported->size())},
                                                                   {QStringLiteral("imported"), static_cast<int>(imported->size()) - refused},
                                                                   {QStringLiteral("refused"), refused}}}});
    return refused > 0 ? ExitAttention : ExitOk;
}

} // namespace md::cli
