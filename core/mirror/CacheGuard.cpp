#include "mirror/CacheGuard.h"

#include "git/GitError.h"
#include "git/GitLibrary.h"
#include "git/GitPtr.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"
#include "util/SafeFile.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QUrl>

namespace md {

namespace {

constexpr Qt::CaseSensitivity kFileNameCase =
#if defined(Q_OS_WIN) || defined(Q_OS_MACOS)
    Qt::CaseInsensitive;
#else
    Qt::CaseSensitive;
#endif

// `inner` is `outer` or lies inside it (both clean and absolute).
bool isSameOrInside(const QString &inner, const QString &outer)
{
    if (outer == QLatin1String("/"))
        return true;
    return inner.compare(outer, kFileNameCase) == 0
        || (inner.size() > outer.size() && inner.at(outer.size()) == QLatin1Char('/') && inner.startsWith(outer, kFileNameCase));
}

Error refused(const QString &path, const QString &why)
{
    return Error::config(QStringLiteral("cache_path"), QStringLiteral("%1 %2").arg(path, why));
}

QString realPathOf(const QString &path, QHash<QString, QString> *memo, int depth)
{
    const QString clean = QDir::cleanPath(QDir::isAbsolutePath(path) ? path : QDir::current().absoluteFilePath(path));
    if (clean == QLatin1String("/") || depth > 40)
        return clean;
    if (memo) {
        if (const auto it = memo->constFind(clean); it != memo->cend())
            return *it;
    }
    const QFileInfo info(clean);
    QString real;
    if (info.exists()) {
        real = info.canonicalFilePath();
    } else if (info.isSymLink()) {
        real = realPathOf(info.symLinkTarget(), memo, depth + 1); // a link to nothing yet
    } else {
        const QString parent = realPathOf(info.absolutePath(), memo, depth + 1);
        real = parent == QLatin1String("/") ? QLatin1Char('/') + info.fileName() : parent + QLatin1Char('/') + info.fileName();
    }
    if (real.isEmpty())
        real = clean;
    if (memo)
        memo->insert(clean, real);
    return real;
}

// The local repository path of an endpoint, or empty.
QString localRepositoryOf(const Endpoint &endpoint)
{
    if (endpoint.url.isEmpty() || (endpoint.url.contains(QLatin1String("://")) && !endpoint.url.startsWith(QLatin1String("file://"), Qt::CaseInsensitive)))
        return {};
    const auto url = GitUrl::parse(endpoint.url);
    if (!url || !url->isLocal())
        return {};
    return url->kind() == GitUrl::Kind::File ? QUrl(url->original()).toLocalFile() : url->path();
}

} // namespace

ProtectedPaths protectedPaths(const QString &configFile, const QString &stateDir)
{
    ProtectedPaths paths{configFile, stateDir, {}};
    for (const QString &home : {QDir::homePath(), platform::userHome()}) {
        if (!home.isEmpty() && !paths.homes.contains(home))
            paths.homes.append(home);
    }
    return paths;
}

QString realPathOf(const QString &path, QHash<QString, QString> *memo)
{
    return realPathOf(path, memo, 0);
}

QList<std::optional<Error>> checkCachePaths(const Config &config, const ProtectedPaths &paths)
{
    QHash<QString, QString> memo;
    QStringList homes;
    for (const QString &home : paths.homes)
        homes.append(realPathOf(home, &memo));
    const QString configFolder = paths.configFile.isEmpty() ? QString() : realPathOf(QFileInfo(paths.configFile).absolutePath(), &memo);
    const QString stateDir = paths.stateDir.isEmpty() ? QString() : realPathOf(paths.stateDir, &memo);

    // Claims: every local repository first, then the caches; firstOverlaps() finds, for each cache,
    // the first earlier claim it overlaps. A mirror's own local source counts too.
    struct Claim {
        int mirror;
        bool local;
    };
    QStringList claimPaths;
    QList<Claim> claims;
    const QString root = config.cacheRoot();
    for (int i = 0; i < config.mirrors.size(); ++i) {
        const Mirror &m = config.mirrors.at(i);
        for (const Endpoint *endpoint : {&m.source, &m.target}) {
            if (const QString local = localRepositoryOf(*endpoint); !local.isEmpty()) {
                claimPaths.append(realPathOf(local, &memo));
                claims.append({i, true});
            }
        }
    }
    const qsizetype firstCache = claimPaths.size();
    QStringList caches;
    for (int i = 0; i < config.mirrors.size(); ++i) {
        caches.append(realPathOf(config.mirrors.at(i).effectiveCachePath(root), &memo));
        claimPaths.append(caches.last());
        claims.append({i, false});
    }
    const QList<qsizetype> overlaps = firstOverlaps(claimPaths, firstCache, kFileNameCase);

    QList<std::optional<Error>> result;
    result.reserve(config.mirrors.size());
    for (int i = 0; i < config.mirrors.size(); ++i) {
        const QString shown = config.cachePathOf(config.mirrors.at(i));
        const QString &real = caches.at(i);
        const QString via = real.compare(QDir::cleanPath(shown), kFileNameCase) == 0 ? QString() : QStringLiteral(" (really %1)").arg(real);
        std::optional<Error> error;
        if (real == QLatin1String("/"))
            error = refused(shown + via, QStringLiteral("is the root folder; a cache must be a folder of its own"));
        for (const QString &home : homes) {
            if (!error && isSameOrInside(home, real))
                error = refused(shown + via, QStringLiteral("is the home folder %1 or a folder above it; a cache must be a folder of its own").arg(home));
        }
        if (!error && !configFolder.isEmpty() && isSameOrInside(configFolder, real))
            error = refused(shown + via, QStringLiteral("holds the config file %1; a cache must be a folder of its own").arg(paths.configFile));
        if (!error && !stateDir.isEmpty() && (isSameOrInside(stateDir, real) || isSameOrInside(real, stateDir)))
            error = refused(shown + via, QStringLiteral("overlaps the state folder %1").arg(paths.stateDir));
        if (!error) {
            // Against earlier claims (firstOverlaps), and local repositories of later mirrors too.
            const qsizetype other = overlaps.at(i);
            if (other >= 0 && !(claims.at(other).mirror == i && !claims.at(other).local)) {
                const Claim &claim = claims.at(other);
                const QString owner = claim.local ? QStringLiteral("the local repository of mirror \"%1\"")
                                                  : QStringLiteral("the cache of mirror \"%1\"");
                error = refused(shown + via, QStringLiteral("overlaps %1 (%2)").arg(owner.arg(config.mirrors.at(claim.mirror).name),
                                                                                    claimPaths.at(other)));
            }
        }
        result.append(error);
    }
    // A cache overlapping a later cache is found from the later one's side; name it on both.
    for (int i = 0; i < config.mirrors.size(); ++i) {
        const qsizetype other = overlaps.at(i);
        if (other >= firstCache && !result.at(claims.at(other).mirror))
            result[claims.at(other).mirror] = refused(config.cachePathOf(config.mirrors.at(claims.at(other).mirror)),
                                                      QStringLiteral("overlaps the cache of mirror \"%1\" (%2)")
                                                          .arg(config.mirrors.at(i).name, caches.at(i)));
    }
    return result;
}

QString cacheOwner(const QString &path)
{
    const QString configFile = path + QStringLiteral("/config");
    if (safefile::kindOf(configFile) != safefile::Kind::Regular)
        return {};
    const git::GitInit init;
    git_config *raw = nullptr;
    if (git_config_open_ondisk(&raw, QFile::encodeName(configFile).constData()) < 0)
        return {};
    git::ConfigPtr config(raw);
    git::Buf value;
    if (git_config_get_string_buf(&value.buf, config.get(), kCacheMarkerKey) < 0)
        return {};
    return QString::fromUtf8(value.buf.ptr);
}

Result<CacheKind> inspectCache(const QString &path, const QString &owner)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        if (info.isSymLink())
            return refused(path, QStringLiteral("is a symbolic link to nothing; point it at a folder or choose another path"));
        return CacheKind::Missing;
    }
    if (!info.isDir())
        return refused(path, QStringLiteral("is a file, not a folder"));
    const QDir dir(path);
    const QStringList entries = dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    if (entries.isEmpty())
        return CacheKind::Empty;
    const QString configFile = path + QStringLiteral("/config");
    const bool repository = entries.contains(QStringLiteral("HEAD")) && entries.contains(QStringLiteral("objects"))
        && entries.contains(QStringLiteral("refs")) && safefile::kindOf(configFile) == safefile::Kind::Regular;
    if (repository) {
        const git::GitInit init;
        git_config *raw = nullptr;
        if (git_config_open_ondisk(&raw, QFile::encodeName(configFile).constData()) == 0) {
            git::ConfigPtr config(raw);
            git::Buf marker;
            if (git_config_get_string_buf(&marker.buf, config.get(), kCacheMarkerKey) == 0) {
                const QString markedFor = QString::fromUtf8(marker.buf.ptr);
                if (markedFor == owner)
                    return CacheKind::Ours;
                return refused(path, QStringLiteral("is the cache of another mirror (\"%1\"); choose another path").arg(markedFor));
            }
            int bare = 0;
            git::Buf hidden;
            const bool ourHide = git_config_get_string_buf(&hidden.buf, config.get(), "transfer.hideRefs") == 0
                && qstrcmp(hidden.buf.ptr, "refs/mirrordesk") == 0;
            if (ourHide && git_config_get_bool(&bare, config.get(), "core.bare") == 0 && bare)
                return CacheKind::Unmarked;
        }
        return refused(path, QStringLiteral("is a git repository MirrorDesk did not create; it is left alone (import adopts "
                                            "an existing `git clone --mirror` repository)"));
    }
    if (entries.contains(QStringLiteral(".git")))
        return refused(path, QStringLiteral("is the working tree of a git repository; it is left alone"));
    return refused(path, QStringLiteral("is a folder with other files in it (%1 entries); a cache must be a new or empty "
                                        "folder, or a cache MirrorDesk made").arg(entries.size()));
}

Result<MirrorClone> inspectMirrorClone(const QString &path)
{
    auto refuse = [&path](const QString &why) { return Error::config(QString(), QStringLiteral("%1 %2; left untouched").arg(path, why)); };
    const QFileInfo info(path);
    if (!info.exists())
        return refuse(QStringLiteral("does not exist"));
    if (!info.isDir())
        return refuse(QStringLiteral("is not a folder"));
    const QString configFile = path + QStringLiteral("/config");
    if (!QFileInfo(path + QStringLiteral("/HEAD")).isFile() || !QFileInfo(path + QStringLiteral("/objects")).isDir()
        || safefile::kindOf(configFile) != safefile::Kind::Regular)
        return refuse(QStringLiteral("is not a bare git repository (no HEAD, objects/ and config)"));
    const git::GitInit init;
    git_config *raw = nullptr;
    if (git_config_open_ondisk(&raw, QFile::encodeName(configFile).constData()) < 0)
        return refuse(QStringLiteral("has a config git cannot read"));
    git::ConfigPtr config(raw);
    int bare = 0;
    if (git_config_get_bool(&bare, config.get(), "core.bare") < 0 || !bare)
        return refuse(QStringLiteral("is not a bare repository (a working clone is not a mirror)"));
    int mirror = 0;
    bool mirrorSpec = git_config_get_bool(&mirror, config.get(), "remote.origin.mirror") == 0 && mirror;
    git_config_iterator *rawIterator = nullptr;
    if (!mirrorSpec && git_config_multivar_iterator_new(&rawIterator, config.get(), "remote.origin.fetch", nullptr) == 0) {
        std::unique_ptr<git_config_iterator, void (*)(git_config_iterator *)> iterator(rawIterator, git_config_iterator_free);
        git_config_entry *entry = nullptr;
        while (git_config_next(&entry, iterator.get()) == 0) {
            if (qstrcmp(entry->value, "+refs/*:refs/*") == 0)
                mirrorSpec = true;
        }
    }
    if (!mirrorSpec)
        return refuse(QStringLiteral("has no mirror fetch refspec (remote.origin.mirror or +refs/*:refs/*): not made by "
                                     "git clone --mirror"));
    git::Buf url;
    if (git_config_get_string_buf(&url.buf, config.get(), "remote.origin.url") < 0 || !url.buf.ptr || !*url.buf.ptr)
        return refuse(QStringLiteral("has no remote.origin.url"));
    MirrorClone clone;
    clone.path = realPathOf(path);
    clone.sourceUrl = QString::fromUtf8(url.buf.ptr);
    git::Buf marker;
    if (git_config_get_string_buf(&marker.buf, config.get(), kCacheMarkerKey) == 0)
        clone.owner = QString::fromUtf8(marker.buf.ptr);
    return clone;
}

Status markCache(const QString &path, const QString &owner)
{
    const QString configFile = path + QStringLiteral("/config");
    if (auto status = safefile::checkWritable(configFile, QStringLiteral("cache config file")); !status)
        return status;
    const git::GitInit init;
    git_config *raw = nullptr;
    int rc = git_config_open_ondisk(&raw, QFile::encodeName(configFile).constData());
    if (rc < 0)
        return git::lastError(rc, QStringLiteral("cannot open the cache's config %1").arg(configFile));
    git::ConfigPtr config(raw);
    if ((rc = git_config_set_string(config.get(), kCacheMarkerKey, owner.toUtf8().constData())) < 0)
        return git::lastError(rc, QStringLiteral("cannot mark the cache %1").arg(path));
    return {};
}

Status unmarkCache(const QString &path)
{
    const QString configFile = path + QStringLiteral("/config");
    if (auto status = safefile::checkWritable(configFile, QStringLiteral("cache config file")); !status)
        return status;
    const git::GitInit init;
    git_config *raw = nullptr;
    int rc = git_config_open_ondisk(&raw, QFile::encodeName(configFile).constData());
    if (rc < 0)
        return git::lastError(rc, QStringLiteral("cannot open the cache's config %1").arg(configFile));
    git::ConfigPtr config(raw);
    if ((rc = git_config_delete_entry(config.get(), kCacheMarkerKey)) < 0 && rc != GIT_ENOTFOUND)
        return git::lastError(rc, QStringLiteral("cannot unmark the cache %1").arg(path));
    return {};
}

} // namespace md
