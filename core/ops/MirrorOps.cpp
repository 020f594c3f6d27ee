#include "ops/MirrorOps.h"

#include "mirror/CacheGuard.h"
#include "mirror/CacheLock.h"
#include "security/GitUrl.h"
#include "util/Names.h"
#include "util/SafeFile.h"
#include "util/Scrub.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace md {

namespace {

Error runningError(const QString &name, const CacheLock &lock)
{
    if (lock.failure())
        return *lock.failure();
    return Error{ErrorCategory::Io,
                 QStringLiteral("mirror \"%1\" is being updated by %2; try again when it has finished").arg(name, lock.holder()),
                 {}, 0, 0};
}

// Mirror `index` of `config` may use its cache path: by real path against everything else
// (checkCachePaths) and by what is there now (inspectCache).
Status checkCache(const Config &config, int index, const ProtectedPaths &paths)
{
    const auto refused = checkCachePaths(config, paths);
    if (refused.at(index))
        return *refused.at(index);
    const Mirror &mirror = config.mirrors.at(index);
    if (auto kind = inspectCache(config.cachePathOf(mirror), mirror.name); !kind)
        return kind.error();
    return {};
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

// Names are unique ignoring case: the mirror `name` would be, unless it is the one at `self`.
Status checkNameFree(const Config &config, const QString &name, int self, const QString &field)
{
    const int clash = config.indexOfMirror(name);
    if (clash >= 0 && clash != self)
        return Error::config(field, QStringLiteral("a mirror named \"%1\" already exists (names are compared ignoring case)")
                                        .arg(config.mirrors.at(clash).name));
    return {};
}

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

ProtectedPaths MirrorOps::protectedPaths() const
{
    return md::protectedPaths(m_store.path(), m_state.dir());
}

Result<Config> MirrorOps::add(const Mirror &mirror)
{
    if (auto status = checkLocalSource(mirror, true); !status)
        return status.error();
    return m_store.modify([&](Config &config) -> Status {
        if (auto status = checkNameFree(config, mirror.name, -1, QStringLiteral("name")); !status)
            return status;
        config.mirrors.append(mirror);
        if (auto status = validateMirror(mirror); !status)
            return status;
        return checkCache(config, static_cast<int>(config.mirrors.size()) - 1, protectedPaths());
    });
}

Result<QList<MirrorOps::AddedOne>> MirrorOps::addMany(const QList<Mirror> &mirrors)
{
    QList<AddedOne> results;
    auto saved = m_store.modify([&](Config &config) -> Status {
        results.clear();
        const Config before = config;
        QList<int> added; // index in `results` of each mirror appended, in order
        for (const Mirror &mirror : mirrors) {
            AddedOne one{mirror.name};
            if (auto status = checkLocalSource(mirror, true); !status)
                one.error = status.error();
            else if (auto free = checkNameFree(config, mirror.name, -1, QStringLiteral("name")); !free)
                one.error = free.error();
            else if (auto valid = validateMirror(mirror); !valid)
                one.error = valid.error();
            if (!one.error) {
                config.mirrors.append(mirror);
                added.append(static_cast<int>(results.size()));
            }
            results.append(one);
        }
        // The caches, by real path against everything they may not overlap, once for the batch;
        // then each on disk (a new or empty folder, or a cache of ours for that name).
        const qsizetype first = before.mirrors.size();
        const auto refused = checkCachePaths(config, protectedPaths());
        QList<qsizetype> drop;
        for (qsizetype i = first; i < config.mirrors.size(); ++i) {
            AddedOne &one = results[added.at(i - first)];
            if (refused.at(i)) {
                one.error = *refused.at(i);
            } else if (auto kind = inspectCache(config.cachePathOf(config.mirrors.at(i)), config.mirrors.at(i).name); !kind) {
                one.error = kind.error();
            }
            if (one.error)
                drop.append(i);
        }
        for (auto it = drop.rbegin(); it != drop.rend(); ++it)
            config.mirrors.removeAt(*it);
        // What the whole config checks with them in: when it refuses, find who by adding them one
        // by one (rare: the cheap checks above catch what a single mirror gets wrong).
        if (config.validateEdit(before))
            return {};
        Config candidate = before;
        for (AddedOne &one : results) {
            if (one.error)
                continue;
            const int at = config.indexOfMirror(one.name);
            if (auto status = validateMirrorInConfig(candidate, config.mirrors.at(at)); !status)
                one.error = status.error();
            else
                candidate.mirrors.append(config.mirrors.at(at));
        }
        config = candidate;
        return {};
    });
    if (!saved)
        return saved.error();
    return results;
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
        const Mirror before = config.mirrors.at(index);
        config.mirrors[index] = edited;
        if (auto status = config.validate(); !status)
            return status;
        // The cache path (or a local source it may not overlap) changed: check it as add does.
        const QString newCache = config.cachePathOf(edited);
        if (newCache != oldCache || edited.source.url != before.source.url) {
            if (auto status = checkCache(config, index, protectedPaths()); !status)
                return status;
        }
        return cacheMove.prepare(edited.name, oldCache, newCache);
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
    QString oldCache;
    bool stateMoved = false;
    bool remarked = false;
    CacheMove cacheMove;
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(from);
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(from)));
        if (auto status = checkNameFree(config, to, index, QStringLiteral("NEW")); !status)
            return status;
        Mirror &mirror = config.mirrors[index];
        oldName = mirror.name;
        oldCache = config.cachePathOf(mirror);
        mirror.name = to;
        if (auto status = config.validate(); !status)
            return status;
        if (auto status = cacheMove.prepare(oldName, oldCache, config.cachePathOf(mirror), true); !status)
            return status;
        // The cache's marker names its mirror: it follows the rename.
        const QString cacheNow = config.cachePathOf(mirror);
        if (cacheOwner(cacheNow) == oldName) {
            if (auto status = markCache(cacheNow, mirror.name); !status) {
                cacheMove.rollback();
                return status;
            }
            remarked = true;
        }
        if (auto status = m_state.rename(oldName, mirror.name); !status) {
            cacheMove.rollback();
            if (remarked)
                (void)markCache(oldCache, oldName);
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
        if (remarked)
            (void)markCache(oldCache, oldName);
        return saved.error();
    }
    return Edited{*saved, cacheMove.movedTo()};
}

Result<MirrorOps::Removed> MirrorOps::remove(const QString &name, bool deleteCache)
{
    Removed removed;
    std::unique_ptr<CacheLock> lock;
    bool cacheIsLink = false;
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfMirror(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(name)));
        const Mirror &mirror = config.mirrors.at(index);
        removed.cachePath = config.cachePathOf(mirror);
        lock = std::make_unique<CacheLock>(removed.cachePath);
        if (!lock->tryLock())
            return runningError(mirror.name, *lock);
        if (deleteCache) {
            // Only a cache MirrorDesk made for this mirror is deleted; a link, never what it points at.
            cacheIsLink = safefile::kindOf(removed.cachePath) == safefile::Kind::Link;
            auto kind = inspectCache(removed.cachePath, mirror.name);
            if (!kind)
                return Error::io(QStringLiteral("not deleting the cache: %1").arg(kind.error().message));
        }
        removed.name = mirror.name;
        removed.mirror = mirror;
        config.mirrors.removeAt(index);
        return {};
    });
    if (!saved)
        return saved.error();
    removed.config = *saved;
    if (auto status = m_state.remove(removed.name); !status)
        removed.stateError = status.error();
    if (deleteCache && cacheIsLink) {
        if (!QFile::remove(removed.cachePath))
            return Error::io(QStringLiteral("removed the mirror, but could not remove the link %1").arg(removed.cachePath));
        removed.cacheDeleted = true;
        removed.linkOnly = true;
    } else if (deleteCache && QFileInfo::exists(removed.cachePath)) {
        // removeRecursively() removes links inside the cache, never what they point at.
        if (!QDir(removed.cachePath).removeRecursively())
            return Error::io(QStringLiteral("removed the mirror, but could not delete its cache %1").arg(removed.cachePath));
        removed.cacheDeleted = true;
    } else {
        removed.cacheExists = QFileInfo::exists(removed.cachePath);
    }
    return removed;
}

Status validateMirrorInConfig(const Config &config, const Mirror &mirror, const QString &originalName)
{
    int self = -1;
    if (!originalName.isEmpty()) {
        self = config.indexOfMirror(originalName);
        if (self < 0)
            return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(originalName)));
    }
    if (auto status = validateMirrorName(mirror.name); !status)
        return status;
    if (auto status = checkNameFree(config, mirror.name, self, QStringLiteral("name")); !status)
        return status;
    if (auto status = validateMirror(mirror); !status)
        return status;
    // The whole config with this mirror in it, the mirror last: the cross checks (credentials,
    // overlapping paths) then report on it. The others passed before and are not checked again.
    Config candidate = config;
    if (self >= 0)
        candidate.mirrors.removeAt(self);
    candidate.mirrors.append(mirror);
    const Status whole = candidate.validateEdit(config);
    if (whole)
        return {};
    Error error = whole.error();
    const QString own = QStringLiteral("mirrors[%1].").arg(candidate.mirrors.size() - 1);
    if (error.field.startsWith(own)) {
        error.field = error.field.mid(own.size());
    } else if (error.field.startsWith(QLatin1String("mirrors["))) {
        // Another mirror's cache overlaps a local repository this mirror names (local paths are
        // claimed before every cache).
        const auto source = GitUrl::parse(mirror.source.url);
        error.field = source && source->isLocal() ? QStringLiteral("source.url") : QStringLiteral("target.url");
    }
    return error;
}

Result<MirrorOps::Edited> MirrorOps::save(const QString &originalName, const Mirror &mirror)
{
    const auto config = m_store.load();
    if (!config)
        return config.error();
    if (auto status = validateMirrorInConfig(*config, mirror, originalName); !status)
        return status.error();
    if (originalName.isEmpty()) {
        auto added = add(mirror);
        if (!added)
            return added.error();
        return Edited{*added, {}};
    }
    const Mirror before = *config->mirror(originalName);
    QString movedTo;
    const bool renaming = before.name != mirror.name;
    if (renaming) {
        auto renamed = rename(before.name, mirror.name);
        if (!renamed) {
            Error error = renamed.error();
            if (error.field == QLatin1String("NEW"))
                error.field = QStringLiteral("name");
            return error;
        }
        movedTo = renamed->movedCacheTo;
    }
    auto edited = edit(mirror.name, [&mirror](Mirror &m) -> Status {
        m = mirror;
        return {};
    }, mirror.source.url != before.source.url);
    if (!edited) {
        if (renaming)
            (void)rename(mirror.name, before.name); // the edit failed: the whole change is refused
        return edited.error();
    }
    if (edited->movedCacheTo.isEmpty())
        edited->movedCacheTo = movedTo;
    return edited;
}

QStringList MirrorOps::importCandidates(const QString &folder)
{
    if (inspectMirrorClone(folder))
        return {folder};
    QStringList paths;
    const QDir dir(folder);
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        paths.append(dir.filePath(name));
    return paths;
}

Result<QList<MirrorOps::Imported>> MirrorOps::importClones(const QStringList &paths, bool apply)
{
    QList<Imported> results;
    QList<std::optional<MirrorClone>> clones;
    for (const QString &path : paths) {
        Imported imported;
        imported.path = path;
        auto clone = inspectMirrorClone(path);
        if (clone) {
            imported.cachePath = clone->path;
            imported.source = GitUrl::scrub(clone->sourceUrl);
            clones.append(*clone);
        } else {
            imported.refused = clone.error();
            clones.append(std::nullopt);
        }
        results.append(imported);
    }
    std::vector<std::unique_ptr<CacheLock>> locks;
    QStringList marked;
    const std::function<Status(Config &)> adopt = [&](Config &config) -> Status {
        QList<int> added(results.size(), -1);
        auto refuse = [&](qsizetype i, const QString &why) {
            results[i].refused = Error::config(QString(), QStringLiteral("%1 %2; left untouched").arg(results.at(i).path, why));
        };
        for (qsizetype i = 0; i < results.size(); ++i) {
            if (!clones.at(i))
                continue;
            const MirrorClone &clone = *clones.at(i);
            QString name = QFileInfo(clone.path).fileName();
            if (name.endsWith(QLatin1String(".git")))
                name.chop(4);
            if (!clone.owner.isEmpty()) {
                if (const Mirror *owner = config.mirror(clone.owner)) {
                    refuse(i, QStringLiteral("is already the cache of mirror \"%1\"").arg(owner->name));
                    continue;
                }
                name = clone.owner; // a cache MirrorDesk made, imported again under its own name
            }
            if (auto status = validateMirrorName(name, QStringLiteral("name")); !status) {
                refuse(i, QStringLiteral("would be mirror \"%1\": %2").arg(name, status.error().message));
                continue;
            }
            if (const Mirror *existing = config.mirror(name)) {
                refuse(i, QStringLiteral("would be mirror \"%1\", but a mirror named \"%2\" already exists (names are compared "
                                         "ignoring case)").arg(name, existing->name));
                continue;
            }
            Mirror mirror;
            mirror.name = name;
            mirror.shape = Shape::Pull;
            mirror.source.url = clone.sourceUrl;
            mirror.cachePath = clone.path;
            if (auto status = validateMirror(mirror); !status) {
                refuse(i, QStringLiteral("cannot be mirror \"%1\": %2").arg(name, status.error().text()));
                continue;
            }
            config.mirrors.append(mirror);
            added[i] = static_cast<int>(config.mirrors.size()) - 1;
        }
        // By real path against everything else (and each other); the refused ones go again.
        const auto overlapping = checkCachePaths(config, protectedPaths());
        QList<int> drop;
        for (qsizetype i = 0; i < results.size(); ++i) {
            if (added.at(i) < 0)
                continue;
            if (const auto &why = overlapping.at(added.at(i))) {
                results[i].refused = Error::config(QString(), QStringLiteral("%1 left untouched: %2").arg(results.at(i).path, why->message));
                drop.append(added.at(i));
                continue;
            }
            if (!apply) {
                results[i].name = config.mirrors.at(added.at(i)).name;
                continue;
            }
            auto lock = std::make_unique<CacheLock>(clones.at(i)->path);
            if (!lock->tryLock()) {
                results[i].refused = runningError(config.mirrors.at(added.at(i)).name, *lock);
                drop.append(added.at(i));
                continue;
            }
            if (auto status = markCache(clones.at(i)->path, config.mirrors.at(added.at(i)).name); !status) {
                results[i].refused = status.error();
                drop.append(added.at(i));
                continue;
            }
            marked.append(clones.at(i)->path);
            locks.push_back(std::move(lock));
            results[i].name = config.mirrors.at(added.at(i)).name;
        }
        std::sort(drop.begin(), drop.end(), std::greater<int>());
        for (int index : drop)
            config.mirrors.removeAt(index);
        return {};
    };
    if (!apply) {
        // The same answers over the config as it is; nothing marked, nothing saved.
        auto config = m_store.load();
        if (!config)
            return config.error();
        Config copy = *config;
        if (auto status = adopt(copy); !status)
            return status.error();
        return results;
    }
    auto saved = m_store.modify(adopt);
    if (!saved) {
        for (const QString &path : marked)
            (void)unmarkCache(path);
        return saved.error();
    }
    return results;
}

} // namespace md
