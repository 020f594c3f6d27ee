#pragma once

#include "mirror/Config.h"

#include <QHash>

namespace md {

// "Only what is ours" (DESIGN section 3): a cache path must be a new or empty folder or a cache
// MirrorDesk made, and may not overlap, by real path, another cache, a local repository of a
// mirror, the config, the state, the home folder or `/`. Checked at add, edit and import, and
// again before every sync.

// The files a cache may never be, hold or lie in.
struct ProtectedPaths {
    QString configFile; // may be empty (not known to the caller)
    QString stateDir;
    QStringList homes;  // the home folder ($HOME and the user database's); default: both
};
ProtectedPaths protectedPaths(const QString &configFile, const QString &stateDir);

// The path with every symbolic link resolved for the part that exists (the rest appended as
// written), absolute and clean. `memo` caches the answers for folders (many caches share one).
QString realPathOf(const QString &path, QHash<QString, QString> *memo = nullptr);

// For every mirror of `config`, in order, why its cache path may not be used (or nullopt):
// `/`, a home folder or a folder above one, the config's folder or one above it, the state
// folder (either way), another mirror's cache or any mirror's local repository (either way),
// all compared by real path and, on case-sensitive file systems, case-sensitively.
// O(n log n) in the number of mirrors.
QList<std::optional<Error>> checkCachePaths(const Config &config, const ProtectedPaths &paths);

// The marker a cache MirrorDesk made carries in its git config: `mirrordesk.cache = <mirror>`
// (a mirror's name is its identity: unique ignoring case; a rename rewrites the marker).
inline constexpr const char *kCacheMarkerKey = "mirrordesk.cache";

enum class CacheKind {
    Missing,    // nothing there yet: created at the first sync
    Empty,      // an empty folder: a cache is made in it
    Ours,       // a cache MirrorDesk made for this mirror
    Unmarked,   // a cache an earlier MirrorDesk made (transfer.hideRefs=refs/mirrordesk), not marked yet
};

// What is at `path` for mirror `owner`, or why it may not be used as that mirror's cache (a file,
// a folder of other files, a working tree, a repository MirrorDesk did not make, another
// mirror's cache). Reads only; follows a link to a folder (the real path was checked before).
Result<CacheKind> inspectCache(const QString &path, const QString &owner);

// The mirror named by a cache's marker, or empty (no marker, not a repository).
QString cacheOwner(const QString &path);

// Writes the marker into the cache at `path` (a bare repository); unmarkCache() takes it out
// again (an import whose config could not be saved).
Status markCache(const QString &path, const QString &owner);
Status unmarkCache(const QString &path);

// An existing `git clone --mirror` repository offered for adoption (`import`).
struct MirrorClone {
    QString path;      // its real path: the cache path of the mirror made for it
    QString sourceUrl; // remote.origin.url, as stored
    QString owner;     // the mirror its marker names, when it already carries one
};

// Checks that `path` is a bare repository with a mirror fetch refspec (`remote.origin.mirror` or
// `+refs/*:refs/*`) and a `remote.origin.url`, and reads them. Reads only.
Result<MirrorClone> inspectMirrorClone(const QString &path);

} // namespace md
