#pragma once

#include "git/GitPtr.h"
#include "git/TimeoutStream.h"
#include "mirror/Attic.h"
#include "mirror/CacheGuard.h"

#include <QStringList>

namespace md {

// The "maintain" phase of a sync and the cache's own housekeeping (DESIGN section 3). Every
// function here runs with the cache lock held by the caller.

enum class CacheOpen { CreateIfMissing, Existing };

// Opens (or creates, in a missing or empty folder) the bare cache repository of mirror `owner`,
// refusing a path that is not that mirror's (inspectCache: a folder of other files, a repository
// MirrorDesk did not make, another mirror's cache). A cache it creates is marked; only a cache
// MirrorDesk made has the debris of a killed run removed (stale *.lock files, temporary packs).
// The attic is hidden from listings (transfer.hideRefs).
Result<git::RepositoryPtr> prepareCache(const QString &cachePath, const QString &owner, CacheOpen open = CacheOpen::CreateIfMissing);

// Undoes a cache this run created (it was missing or an empty folder before, `before`) when the
// run failed before writing any ref: a failed first update of an unreachable source leaves
// nothing behind. The repository must be closed. Links are removed, never followed; a folder the
// user made empty stays, emptied.
void discardNewCache(const QString &cachePath, CacheKind before);

// Removes the attic refs of these entries (each only while it still points at the entry's oid);
// returns the ids removed.
QStringList removeAtticRefs(git_repository *repository, const QList<AtticEntry> &entries);

// Retention: entries older than `retentionDays` go, the last five of each ref stay. `added` are
// this run's new entries (not in `cacheRefs` yet). `expired` receives the ids removed.
void retainAttic(git_repository *repository, const QList<RefTip> &cacheRefs, const QList<AtticEntry> &added, int retentionDays,
                 QStringList &expired);

// libgit2 writes every ref as a loose file: past 100, pack them (libgit2's refdb compress).
void packLooseRefs(git_repository *repository, const QString &cachePath, QStringList &warnings);

// libgit2 adds one pack per fetch and has no gc: past 20 packs, `git gc --auto`, bounded by the
// run's deadline and cancel flag (git leaves the repository valid when killed).
void maintain(const QString &cachePath, const git::StreamLimits &limits, QStringList &warnings);

// A new cache of a push mirror starts from hard links to the local source's pack files (as
// `git clone --local` does): packs are never modified, so the source is only read, and the first
// fetch then moves only what the packs lack. Only into a cache without packs; every link that
// cannot be made (another file system) is simply skipped. Returns the packs linked.
int seedFromLocalPacks(const QString &cachePath, const QString &sourcePath);

// Whether the branch's .gitattributes routes files through Git LFS (whose content a mirror does
// not copy).
bool usesLfs(git_repository *repository, const QString &branch);

} // namespace md
