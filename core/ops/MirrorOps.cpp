#include "ops/MirrorOps.h"

#include "mirror/CacheLock.h"
#include "security/GitUrl.h"
#include "util/Names.h"
#include "util/Scrub.h"

#include <QDir>
#include <QFileInfo>

namespace md {

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
    // `always`: hold the lock even when the path stays (a rename moves the mirror's state, which
    // a running sync is about to write under the old name).
    Status prepare(const QString &mirror, const QString &from, const QString &to, bool always = false)
    {
        if (from == to && !always)
            return {};
        m_lock = std::make_unique<CacheLock>(from);
        if (!m_lock->tryLock())
            return runningError(mirror, *m_lock);
        if (from == to)
            return {};
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

} // namespace

MirrorOps::MirrorOps(QString configPath, QString stateDir)
    : m_store(std::move(configPath))
    , m_state(std::move(stateDir))
{
}

Result<Config> MirrorOps::add(const Mirror &mirror)
{
    if (auto status = checkLocalSource(mirror, true); !status)
        return status.error();
    return m_store.modify([&](Config &config) -> Status {
        if (const Mirror *existing = config.mirror(mirror.name))
            return Error::config(QStringLiteral("name"), QStringLiteral("a mirror named \"%1\" already exists (names are "
                                                                        "compared ignoring case)").arg(existing->name));
        config.mirrors.append(mirror);
        return validateMirror(mirror);
    });
}

Result<MirrorOps::Edited> MirrorOps::edit(const QString &name, const std::function<Status(Mirror &)> &change, bool sourceTyped)
{
    CacheMove cacheMove;
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(name)));
        Mirror edited = config.mirrors.at(index);
        const QString oldCache = config.cachePathOf(edited);
        if (auto status = change(edited); !status)
            return status;
        if (auto status = checkLocalSource(edited, sourceTyped); !status)
            return status;
        config.mirrors[index] = edited;
        if (auto status = config.validate(); !status)
            return status;
        return cacheMove.prepare(edited.name, oldCache, config.cachePathOf(edited));
    });
    if (!saved) {
        cacheMove.rollback();
        return saved.error();
    }
    return Edited{*saved, cacheMove.movedTo()};
}

Result<MirrorOps::Edited> MirrorOps::rename(const QString &from, const QString &to)
{
    if (auto status = validateMirrorName(to, QStringLiteral("NEW")); !status)
        return status.error();
    QString oldName;
    bool stateMoved = false;
    CacheMove cacheMove;
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(from);
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(from)));
        const int clash = config.indexOfMirror(to);
        if (clash >= 0 && clash != index)
            return Error::config(QStringLiteral("NEW"), QStringLiteral("a mirror named \"%1\" already exists (names are "
                                                                       "compared ignoring case)").arg(config.mirrors.at(clash).name));
        Mirror &mirror = config.mirrors[index];
        oldName = mirror.name;
        const QString oldCache = config.cachePathOf(mirror);
        mirror.name = to;
        if (auto status = config.validate(); !status)
            return status;
        if (auto status = cacheMove.prepare(oldName, oldCache, config.cachePathOf(mirror), true); !status)
            return status;
        if (auto status = m_state.rename(oldName, mirror.name); !status) {
            cacheMove.rollback();
            return status;
        }
        stateMoved = true;
        return {};
    });
    if (!saved) {
        // The config was not written: put the files back where the config says they are.
        if (stateMoved)
            (void)m_state.rename(to, oldName);
        cacheMove.rollback();
        return saved.error();
    }
    return Edited{*saved, cacheMove.movedTo()};
}

Result<MirrorOps::Removed> MirrorOps::remove(const QString &name, bool deleteCache)
{
    Removed removed;
    std::unique_ptr<CacheLock> lock;
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(name)));
        removed.cachePath = config.cachePathOf(config.mirrors.at(index));
        lock = std::make_unique<CacheLock>(removed.cachePath);
        if (!lock->tryLock())
            return runningError(config.mirrors.at(index).name, *lock);
        if (deleteCache && QFileInfo::exists(removed.cachePath) && !looksLikeBareRepository(removed.cachePath))
            return Error::io(QStringLiteral("%1 does not look like a git repository; not deleting it").arg(removed.cachePath));
        removed.name = config.mirrors.at(index).name;
        config.mirrors.removeAt(index);
        return {};
    });
    if (!saved)
        return saved.error();
    if (auto status = m_state.remove(removed.name); !status)
        removed.stateError = status.error();
    if (deleteCache && QFileInfo::exists(removed.cachePath)) {
        if (!QDir(removed.cachePath).removeRecursively())
            return Error::io(QStringLiteral("removed the mirror, but could not delete its cache %1").arg(removed.cachePath));
        removed.cacheDeleted = true;
    } else {
        removed.cacheExists = QFileInfo::exists(removed.cachePath);
    }
    return removed;
}

} // namespace md
