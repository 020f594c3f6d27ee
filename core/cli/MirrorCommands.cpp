// add, edit, rename, remove: the commands that change mirrors in the config.
#include "cli/Commands.h"
#include "cli/MirrorOptions.h"
#include "mirror/CacheLock.h"
#include "util/Names.h"
#include "security/GitUrl.h"

#include <QDir>
#include <QFileInfo>

namespace md::cli {

namespace {

Error runningError(const QString &name, const CacheLock &lock)
{
    return Error{ErrorCategory::Io,
                 QStringLiteral("mirror \"%1\" is being updated by %2; try again when it has finished").arg(name, lock.holder()),
                 {}, 0, 0};
}

// A cache we may delete: missing, or a bare repository (HEAD, objects/, refs/).
bool looksLikeBareRepository(const QString &path)
{
    const QDir dir(path);
    return dir.exists(QStringLiteral("HEAD")) && dir.exists(QStringLiteral("objects")) && dir.exists(QStringLiteral("refs"));
}

// Moves a mirror's cache when its path changes (rename, edit --cache), holding the cache's lock
// until the config is saved, and moving it back when the save fails.
class CacheMove {
public:
    Status prepare(const QString &mirror, const QString &from, const QString &to)
    {
        if (from == to)
            return {};
        m_lock = std::make_unique<CacheLock>(from);
        if (!m_lock->tryLock())
            return runningError(mirror, *m_lock);
        if (QFileInfo::exists(to))
            return Error::io(QStringLiteral("something is already at %1 (a cache left by a removed mirror?); move or "
                                            "delete it first").arg(to));
        if (!QFileInfo::exists(from))
            return {};
        if (!QDir().mkpath(QFileInfo(to).absolutePath()) || !QDir().rename(from, to))
            return Error::io(QStringLiteral("cannot move the cache from %1 to %2").arg(from, to));
        m_from = from;
        m_to = to;
        return {};
    }

    void rollback()
    {
        if (!m_to.isEmpty() && QDir().rename(m_to, m_from))
            m_to.clear();
    }

    QString movedTo() const { return m_to; }

private:
    std::unique_ptr<CacheLock> m_lock;
    QString m_from;
    QString m_to;
};

// A local source (push, or pull from a path) must be an existing folder when it is typed in.
Status checkLocalSource(const Mirror &mirror, bool typed)
{
    const auto url = GitUrl::parse(mirror.source.url);
    if (!typed || !url || url->kind() != GitUrl::Kind::Local)
        return {};
    if (!QFileInfo(mirror.source.url).isDir())
        return Error::config(QStringLiteral("source.url"), QStringLiteral("%1 is not a folder").arg(mirror.source.url));
    return {};
}

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
    if (auto status = checkLocalSource(mirror, true); !status)
        return context.fail(command, status.error());

    auto saved = context.store().modify([&](Config &config) -> Status {
        if (const Mirror *existing = config.mirror(mirror.name))
            return Error::config(QStringLiteral("name"), QStringLiteral("a mirror named \"%1\" already exists (names are "
                                                                        "compared ignoring case)").arg(existing->name));
        config.mirrors.append(mirror);
        return validateMirror(mirror);
    });
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
    CacheMove cacheMove;
    auto saved = context.store().modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(names.first());
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(names.first()));
        Mirror edited = config.mirrors.at(index);
        const QString oldCache = config.cachePathOf(edited);
        if (auto status = applyMirrorOptions(parser, edited, false, &notes); !status)
            return status;
        if (auto status = checkLocalSource(edited, parser.isSet(QStringLiteral("source"))); !status)
            return status;
        config.mirrors[index] = edited;
        if (auto status = config.validate(); !status)
            return status;
        return cacheMove.prepare(edited.name, oldCache, config.cachePathOf(edited));
    });
    if (!saved) {
        cacheMove.rollback();
        return context.fail(command, saved.error());
    }
    if (!cacheMove.movedTo().isEmpty())
        notes.append(QStringLiteral("moved the cache to %1").arg(cacheMove.movedTo()));
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
    if (auto status = validateMirrorName(names.at(1), QStringLiteral("NEW")); !status)
        return context.fail(command, status.error());

    StateStore state = context.stateStore();
    QString oldName;
    bool stateMoved = false;
    CacheMove cacheMove;
    auto saved = context.store().modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(names.at(0));
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(names.at(0)));
        const int clash = config.indexOfMirror(names.at(1));
        if (clash >= 0 && clash != index)
            return Error::config(QStringLiteral("NEW"), QStringLiteral("a mirror named \"%1\" already exists (names are "
                                                                       "compared ignoring case)").arg(config.mirrors.at(clash).name));
        Mirror &mirror = config.mirrors[index];
        oldName = mirror.name;
        const QString oldCache = config.cachePathOf(mirror);
        mirror.name = names.at(1);
        if (auto status = config.validate(); !status)
            return status;
        if (auto status = cacheMove.prepare(oldName, oldCache, config.cachePathOf(mirror)); !status)
            return status;
        if (auto status = state.rename(oldName, mirror.name); !status) {
            cacheMove.rollback();
            return status;
        }
        stateMoved = true;
        return {};
    });
    if (!saved) {
        // The config was not written: put the files back where the config says they are.
        if (stateMoved)
            (void)state.rename(names.at(1), oldName);
        cacheMove.rollback();
        return context.fail(command, saved.error());
    }
    if (!cacheMove.movedTo().isEmpty())
        context.verbose(QStringLiteral("moved the cache to %1").arg(cacheMove.movedTo()));
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

    QString cachePath;
    QString removedName;
    std::unique_ptr<CacheLock> lock;
    auto saved = context.store().modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(names.first());
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(names.first()));
        cachePath = config.cachePathOf(config.mirrors.at(index));
        lock = std::make_unique<CacheLock>(cachePath);
        if (!lock->tryLock())
            return runningError(config.mirrors.at(index).name, *lock);
        if (deleteCache && QFileInfo::exists(cachePath) && !looksLikeBareRepository(cachePath))
            return Error::io(QStringLiteral("%1 does not look like a git repository; not deleting it").arg(cachePath));
        removedName = config.mirrors.at(index).name;
        config.mirrors.removeAt(index);
        return {};
    });
    if (!saved)
        return context.fail(command, saved.error());
    int code = ExitOk;
    if (auto status = context.stateStore().remove(removedName); !status)
        code = context.fail(command, status.error());
    if (deleteCache && QFileInfo::exists(cachePath)) {
        if (!QDir(cachePath).removeRecursively())
            return context.fail(command, Error::io(QStringLiteral("removed the mirror, but could not delete its cache %1").arg(cachePath)));
        context.verbose(QStringLiteral("deleted the cache %1").arg(cachePath));
    } else if (QFileInfo::exists(cachePath)) {
        context.verbose(QStringLiteral("kept the cache %1").arg(cachePath));
    }
    return code;
}

} // namespace md::cli
