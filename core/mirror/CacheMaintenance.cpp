#include "mirror/CacheMaintenance.h"
#include "platform/Platform.h"

#include "git/GitError.h"
#include "mirror/CacheGuard.h"
#include "util/Log.h"
#include "util/SafeFile.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace md {

namespace {

constexpr int kPackLimit = 20;
constexpr int kLooseRefLimit = 100;

} // namespace

void discardNewCache(const QString &cachePath, CacheKind before)
{
    if (before != CacheKind::Missing && before != CacheKind::Empty)
        return;
    if (safefile::kindOf(cachePath) != safefile::Kind::Directory)
        return;
    QDir dir(cachePath);
    if (before == CacheKind::Missing) {
        qCInfo(lcState) << "removing the cache this failed run created" << cachePath;
        dir.removeRecursively();
        return;
    }
    for (const QFileInfo &entry : dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        if (entry.isDir() && !entry.isSymLink())
            QDir(entry.filePath()).removeRecursively();
        else
            QFile::remove(entry.filePath());
    }
}

Result<git::RepositoryPtr> prepareCache(const QString &cachePath, const QString &owner, CacheOpen open)
{
    // Only what is ours: a new or empty folder, or a cache MirrorDesk made for this mirror.
    auto kind = inspectCache(cachePath, owner);
    if (!kind)
        return kind.error();
    if (*kind == CacheKind::Missing && open == CacheOpen::Existing)
        return Error::io(QStringLiteral("the cache %1 does not exist (the mirror has not been updated yet)").arg(cachePath));
    // Debris of a killed run, in a cache we made: lock files and temporary packs nobody holds (we
    // hold the cache lock). They live at the top (HEAD.lock, config.lock, packed-refs.lock), under
    // refs/ and in objects/pack; loose-object folders are not walked (a big cache has thousands).
    if (*kind == CacheKind::Ours || *kind == CacheKind::Unmarked) {
        const QStringList patterns{QStringLiteral("*.lock"), QStringLiteral("pack_git2_*"), QStringLiteral("tmp_pack_*")};
        const std::pair<QString, QDirIterator::IteratorFlag> places[] = {
            {cachePath, QDirIterator::NoIteratorFlags},
            {cachePath + QStringLiteral("/refs"), QDirIterator::Subdirectories},
            {cachePath + QStringLiteral("/objects/pack"), QDirIterator::NoIteratorFlags},
        };
        for (const auto &[dir, flags] : places) {
            // Regular files only (a link named *.lock is not ours to remove), no links followed.
            QDirIterator it(dir, patterns, QDir::Files | QDir::Hidden | QDir::NoSymLinks, flags);
            while (it.hasNext()) {
                const QString path = it.next();
                qCInfo(lcState) << "removing debris" << path;
                QFile::remove(path);
            }
        }
    }
    git_repository *raw = nullptr;
    const QByteArray path = QDir::toNativeSeparators(cachePath).toUtf8();
    int rc = 0;
    if (*kind == CacheKind::Missing || *kind == CacheKind::Empty) {
        QDir().mkpath(QFileInfo(cachePath).absolutePath());
        rc = git_repository_init(&raw, path.constData(), 1);
    } else {
        rc = git_repository_open_bare(&raw, path.constData());
    }
    if (rc < 0)
        return git::lastError(rc, QStringLiteral("cannot open the cache %1").arg(cachePath));
    git::RepositoryPtr repository(raw);
    if (*kind != CacheKind::Ours) {
        if (auto marked = markCache(cachePath, owner); !marked)
            return marked.error();
    }
    git_config *rawConfig = nullptr;
    if ((rc = git_repository_config(&rawConfig, repository.get())) < 0)
        return git::lastError(rc, QStringLiteral("cannot read the cache's config"));
    git::ConfigPtr config(rawConfig);
    // Hidden from listings (not secret: a client that knows an oid can still fetch it). Written
    // only when missing, so a no-op run rewrites no file.
    git::Buf current;
    const bool hidden = git_config_get_string_buf(&current.buf, config.get(), "transfer.hideRefs") == 0
        && qstrcmp(current.buf.ptr, "refs/mirrordesk") == 0;
    if (!hidden && (rc = git_config_set_string(config.get(), "transfer.hideRefs", "refs/mirrordesk")) < 0)
        return git::lastError(rc, QStringLiteral("cannot configure the cache"));
    return repository;
}

QStringList removeAtticRefs(git_repository *repository, const QList<AtticEntry> &entries)
{
    QStringList removed;
    for (const AtticEntry &entry : entries) {
        git_reference *raw = nullptr;
        if (git_reference_lookup(&raw, repository, entry.atticRef().toUtf8().constData()) < 0)
            continue;
        git::ReferencePtr ref(raw);
        git_oid expected;
        // Only the entry as listed: a ref that changed meanwhile is left alone.
        if (entry.oid.size() == GIT_OID_HEXSZ && git_oid_fromstrn(&expected, entry.oid.toLatin1().constData(), GIT_OID_HEXSZ) == 0
            && git_oid_equal(git_reference_target(ref.get()), &expected) && git_reference_delete(ref.get()) == 0)
            removed.append(entry.id);
    }
    return removed;
}

// Git LFS content lives outside the repository: a mirror copies only the pointers. Say so.
int seedFromLocalPacks(const QString &cachePath, const QString &sourcePath)
{
    const QDir cachePacks(cachePath + QStringLiteral("/objects/pack"));
    if (!cachePacks.exists() || !cachePacks.entryList({QStringLiteral("*.pack")}, QDir::Files).isEmpty())
        return 0;
    const QString root = sourcePath.startsWith(QLatin1String("file://")) ? QUrl(sourcePath).toLocalFile() : sourcePath;
    QString objects = root + QStringLiteral("/objects/pack");
    if (!QFileInfo(objects).isDir())
        objects = root + QStringLiteral("/.git/objects/pack");
    const QDir sourcePacks(objects);
    if (!sourcePacks.exists())
        return 0;
    int linked = 0;
    for (const QString &pack : sourcePacks.entryList({QStringLiteral("pack-*.pack")}, QDir::Files)) {
        const QString base = pack.chopped(5);
        // The index last: a pack is used only once its .idx is there.
        if (!QFileInfo::exists(sourcePacks.filePath(base + QStringLiteral(".idx"))))
            continue;
        if (!platform::hardLink(sourcePacks.filePath(pack), cachePacks.filePath(pack)))
            continue;
        // Its reverse index and bitmap (what makes git count objects fast), where the source has them.
        for (const char *extra : {".rev", ".bitmap"}) {
            const QString name = base + QLatin1String(extra);
            if (QFileInfo::exists(sourcePacks.filePath(name)))
                platform::hardLink(sourcePacks.filePath(name), cachePacks.filePath(name));
        }
        if (!platform::hardLink(sourcePacks.filePath(base + QStringLiteral(".idx")), cachePacks.filePath(base + QStringLiteral(".idx")))) {
            QFile::remove(cachePacks.filePath(pack));
            continue;
        }
        ++linked;
    }
    return linked;
}

bool usesLfs(git_repository *repository, const QString &branch)
{
    if (branch.isEmpty())
        return false;
    git_object *object = nullptr;
    const QByteArray spec = (branch + QStringLiteral(":.gitattributes")).toUtf8();
    if (git_revparse_single(&object, repository, spec.constData()) < 0)
        return false;
    git::ObjectPtr owner(object);
    if (git_object_type(object) != GIT_OBJECT_BLOB)
        return false;
    const auto *blob = reinterpret_cast<git_blob *>(object);
    const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob)), static_cast<qsizetype>(git_blob_rawsize(blob)));
    return content.contains("filter=lfs");
}

// libgit2 writes every ref as a loose file: once there are many, pack them into packed-refs
// (libgit2's refdb compress; git itself does this in gc).
void packLooseRefs(git_repository *repository, const QString &cachePath, QStringList &warnings)
{
    int loose = 0;
    QDirIterator it(cachePath + QStringLiteral("/refs"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext() && loose <= kLooseRefLimit) {
        it.next();
        ++loose;
    }
    if (loose <= kLooseRefLimit)
        return;
    git_refdb *raw = nullptr;
    int rc = git_repository_refdb(&raw, repository);
    git::RefdbPtr refdb(raw);
    if (rc == 0)
        rc = git_refdb_compress(refdb.get());
    if (rc < 0)
        warnings.append(QStringLiteral("packing the cache's refs failed: %1").arg(git::lastError(rc, QString()).message));
}

// libgit2 adds one pack per fetch and has no gc: when packs pile up, let git repack and pack the
// refs (`git gc --auto` with a low pack limit). Without a git binary (a dependency of the
// package) the packs simply stay.
void maintain(const QString &cachePath, const git::StreamLimits &limits, QStringList &warnings)
{
    const int packs = static_cast<int>(QDir(cachePath + QStringLiteral("/objects/pack")).entryList({QStringLiteral("*.pack")}, QDir::Files).size());
    if (packs <= kPackLimit)
        return;
    const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
    if (git.isEmpty())
        return;
    QProcess gc;
    gc.start(git, {QStringLiteral("-C"), cachePath, QStringLiteral("-c"), QStringLiteral("gc.autoPackLimit=%1").arg(kPackLimit),
                   QStringLiteral("-c"), QStringLiteral("gc.autoDetach=false"), QStringLiteral("gc"), QStringLiteral("--auto"), QStringLiteral("--quiet")});
    // Bounded like the transfer: the run deadline and the cancel flag end it (git gc leaves the
    // repository valid when killed).
    while (!gc.waitForFinished(200)) {
        const bool late = limits.deadlineMs > 0 && QDateTime::currentMSecsSinceEpoch() >= limits.deadlineMs;
        if (late || (limits.cancel && limits.cancel->load()) || gc.state() == QProcess::NotRunning) {
            gc.kill();
            gc.waitForFinished(5000);
            warnings.append(QStringLiteral("repacking the cache was stopped at the run's limit"));
            return;
        }
    }
    if (gc.exitCode() != 0)
        warnings.append(QStringLiteral("repacking the cache failed: %1").arg(QString::fromUtf8(gc.readAllStandardError()).trimmed()));
}


void retainAttic(git_repository *repository, const QList<RefTip> &cacheRefs, const QList<AtticEntry> &added, int retentionDays,
                 QStringList &expired)
{
    QList<AtticEntry> attic = listAttic(cacheRefs, {});
    attic += added;
    expired = removeAtticRefs(repository, expiredAttic(attic, retentionDays, QDateTime::currentDateTimeUtc()));
}

} // namespace md
