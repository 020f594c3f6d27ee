// attic list|restore|purge: the old tips MirrorDesk kept before forcing or deleting a ref.
#include "cli/Commands.h"
#include "git/GitError.h"
#include "git/GitLibrary.h"
#include "git/GitPtr.h"
#include "git/RemoteLister.h"
#include "mirror/CacheLock.h"
#include "mirror/PullSync.h"

#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>

namespace md::cli {

namespace {

// The mirror named by the first positional argument, its config, and its attic as it is.
struct AtticContext {
    Config config;
    Mirror mirror;
    QString cachePath;
    QList<AtticEntry> entries;
};

std::optional<AtticContext> openAttic(CliContext &context, const QString &command, const QString &name, int *code)
{
    const auto config = context.loadConfig(command, code);
    if (!config)
        return std::nullopt;
    const Mirror *mirror = config->mirror(name);
    if (!mirror) {
        *code = context.usage(command, QStringLiteral("no mirror named \"%1\"").arg(name));
        return std::nullopt;
    }
    if (auto status = git::GitLibrary::initialize(gitOptions(config->settings)); !status) {
        *code = context.fail(command, status.error());
        return std::nullopt;
    }
    AtticContext attic{*config, *mirror, config->cachePathOf(*mirror), {}};
    auto refs = git::listLocalRefs(attic.cachePath);
    if (!refs) {
        *code = context.fail(command, refs.error());
        return std::nullopt;
    }
    const auto index = context.stateStore().atticIndex(mirror->name);
    attic.entries = listAttic(*refs, index ? *index : QList<AtticEntry>{});
    return attic;
}

// Parses a command whose one positional argument is the mirror NAME, then opens its attic.
std::optional<AtticContext> parseAndOpen(CliContext &context, QCommandLineParser &parser, const QString &command,
                                         const QStringList &arguments, int *code)
{
    if (!parseCommand(context, parser, command, arguments, code))
        return std::nullopt;
    if (parser.positionalArguments().size() != 1) {
        *code = context.usage(command, QStringLiteral("expected one mirror NAME"));
        return std::nullopt;
    }
    return openAttic(context, command, parser.positionalArguments().first(), code);
}

// Holds the cache lock for a command that writes refs; a mirror being synced is refused.
bool lockCache(CliContext &context, const QString &command, CacheLock &lock, int *code)
{
    if (lock.tryLock(0))
        return true;
    *code = context.fail(command, Error{ErrorCategory::Io, QStringLiteral("the mirror is being synced (%1); try again when it has finished")
                                                               .arg(lock.holder()), {}, 0, 0});
    return false;
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
    const auto attic = parseAndOpen(context, parser, command, arguments, &code);
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
    const auto attic = openAttic(context, command, positional.at(0), &code);
    if (!attic)
        return code;
    const QString id = positional.at(1).startsWith(QLatin1String(kAtticPrefix)) ? positional.at(1).mid(qsizetype(qstrlen(kAtticPrefix)))
                                                                                : positional.at(1);
    const auto found = std::find_if(attic->entries.begin(), attic->entries.end(), [&](const AtticEntry &e) { return e.id == id; });
    if (found == attic->entries.end())
        return context.usage(command, QStringLiteral("%1 has no attic entry \"%2\" (see mirrordesk attic list %1)").arg(attic->mirror.name, id));
    const AtticEntry entry = *found;
    const QString target = parser.isSet(QStringLiteral("as")) ? parser.value(QStringLiteral("as")) : entry.ref;
    int valid = 0;
    if (!target.startsWith(QLatin1String("refs/")) || target.startsWith(QLatin1String("refs/mirrordesk/"))
        || git_reference_name_is_valid(&valid, target.toUtf8().constData()) < 0 || !valid)
        return context.usage(command, QStringLiteral("--as: \"%1\" is not a ref name MirrorDesk can restore into "
                                                     "(a full name under refs/, outside refs/mirrordesk/)").arg(target));

    CacheLock lock(attic->cachePath);
    if (!lockCache(context, command, lock, &code))
        return code;
    auto prepared = prepareCache(attic->cachePath);
    if (!prepared)
        return context.fail(command, prepared.error());
    git_repository *repository = prepared->get();
    git_oid restored;
    git_oid_fromstr(&restored, entry.oid.toLatin1().constData());
    const QByteArray name = target.toUtf8();
    QList<AtticEntry> added;
    git_reference *rawCurrent = nullptr;
    int rc = git_reference_lookup(&rawCurrent, repository, name.constData());
    git::ReferencePtr current(rawCurrent);
    if (rc == 0 && git_oid_equal(git_reference_target(current.get()), &restored)) {
        context.note(QStringLiteral("%1 is already at %2").arg(target, entry.oid));
        return ExitOk;
    }
    git_reference *rawResult = nullptr;
    if (rc == 0) {
        // Nothing lost: the tip being replaced goes to the attic first, then a compare-and-swap.
        const git_oid previous = *git_reference_target(current.get());
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof hex, &previous);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QString run = QStringLiteral("restore") + QString::number(now.toMSecsSinceEpoch() % 100000000, 36);
        const QString keptName = atticRefName(now, run, QStringLiteral("cache"), target);
        git_reference *rawKept = nullptr;
        if ((rc = git_reference_create(&rawKept, repository, keptName.toUtf8().constData(), &previous, 0, "mirrordesk: attic")) < 0)
            return context.fail(command, git::lastError(rc, QStringLiteral("cannot keep the current tip of %1").arg(target)));
        git::ReferencePtr kept(rawKept);
        if (auto keptEntry = parseAtticRef(keptName, QString::fromLatin1(hex))) {
            keptEntry->why = QStringLiteral("replaced by attic restore of %1").arg(entry.id);
            added.append(*keptEntry);
        }
        rc = git_reference_create_matching(&rawResult, repository, name.constData(), &restored, 1, &previous, "mirrordesk: attic restore");
    } else if (rc == GIT_ENOTFOUND) {
        rc = git_reference_create(&rawResult, repository, name.constData(), &restored, 0, "mirrordesk: attic restore");
    }
    git::ReferencePtr result(rawResult);
    if (rc < 0)
        return context.fail(command, git::lastError(rc, QStringLiteral("cannot restore %1").arg(target)));
    if (!added.isEmpty()) {
        if (auto saved = context.stateStore().changeStatus(attic->mirror.name, {}, std::nullopt, added); !saved)
            context.error(QStringLiteral("mirrordesk %1: %2").arg(command, saved.error().message));
    }
    context.note(QStringLiteral("restored %1 to %2%3").arg(target, entry.oid,
        (target.startsWith(QLatin1String("refs/heads/")) || target.startsWith(QLatin1String("refs/tags/"))) && attic->mirror.shape == Shape::Pull
            ? QStringLiteral(" (the next update makes it follow the source again)") : QString()));
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
    const auto attic = parseAndOpen(context, parser, command, arguments, &code);
    if (!attic)
        return code;
    int days = attic->config.settings.atticRetentionDays;
    if (parser.isSet(QStringLiteral("older-than"))) {
        bool ok = false;
        days = parser.value(QStringLiteral("older-than")).toInt(&ok);
        if (!ok || days < 0 || days > 36500)
            return context.usage(command, QStringLiteral("--older-than: \"%1\" is not a number of days").arg(parser.value(QStringLiteral("older-than"))));
    }
    const QList<AtticEntry> expired = expiredAttic(attic->entries, days, QDateTime::currentDateTimeUtc());
    if (expired.isEmpty()) {
        context.note(QStringLiteral("nothing to purge"));
        return ExitOk;
    }
    CacheLock lock(attic->cachePath);
    if (!lockCache(context, command, lock, &code))
        return code;
    auto prepared = prepareCache(attic->cachePath);
    if (!prepared)
        return context.fail(command, prepared.error());
    const QStringList removed = removeAtticRefs(prepared->get(), expired);
    prepared->reset();
    if (auto saved = context.stateStore().changeStatus(attic->mirror.name, {}, std::nullopt, {}, removed); !saved)
        context.error(QStringLiteral("mirrordesk %1: %2").arg(command, saved.error().message));
    const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
    if (!git.isEmpty()) {
        QProcess gc;
        gc.start(git, {QStringLiteral("-C"), attic->cachePath, QStringLiteral("gc"), QStringLiteral("--prune=now"), QStringLiteral("--quiet")});
        if (!gc.waitForFinished(-1) || gc.exitCode() != 0)
            context.error(QStringLiteral("mirrordesk %1: repacking the cache failed: %2")
                              .arg(command, QString::fromUtf8(gc.readAllStandardError()).trimmed()));
    } else {
        context.note(QStringLiteral("git is not installed: the purged objects stay in the cache's packs"));
    }
    context.note(QStringLiteral("purged %1 attic %2").arg(removed.size()).arg(removed.size() == 1 ? QStringLiteral("entry") : QStringLiteral("entries")));
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
                                                                : QStringLiteral("unknown subcommand \"%1\"").arg(sub));
}

} // namespace md::cli
