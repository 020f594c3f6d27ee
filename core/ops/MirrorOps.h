#pragma once

#include "mirror/CacheGuard.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <functional>

namespace md {

// The operations that change mirrors in the config (DESIGN section 2, MirrorOps), shared by the
// command line and the window: add, edit, rename (config entry, state and a default-placed cache
// move together, rolled back when the config cannot be saved) and remove (the cache kept unless
// asked, and deleted only when it is a repository). A mirror being synced (its cache locked by
// any MirrorDesk process) is not moved or removed.
// The checks `add` (originalName empty) or `edit` and `rename` (of the mirror originalName) make
// before touching the disk, on a whole mirror as a form holds it: its name (free ignoring case),
// its own fields (validateMirror), and what the whole config checks with it in (credentials that
// exist and fit the URL, cache paths and local repositories that do not overlap). The error's
// field is the mirror's own ("name", "source.url", "cache_path"), also when the clash is found on
// another mirror. Pure: reads no file (what is on disk is checked when saving).
Status validateMirrorInConfig(const Config &config, const Mirror &mirror, const QString &originalName = {});

class MirrorOps {
public:
    MirrorOps(QString configPath, QString stateDir);

    // Adds `mirror` (a local source must be an existing folder).
    Result<Config> add(const Mirror &mirror);

    // Adds several mirrors in one config write (an org Run): each is checked as add() checks it,
    // and one refused is left out with its error while the others are saved. The result has one
    // entry per mirror, in order (no error: added). An error of the whole (the config cannot be
    // read or saved) fails them all.
    struct AddedOne {
        QString name;
        std::optional<Error> error = {};
    };
    Result<QList<AddedOne>> addMany(const QList<Mirror> &mirrors);

    struct Edited {
        Config config;
        QString movedCacheTo; // where the cache went, when its path changed
    };
    // Applies `change` to the named mirror, validates the whole config and saves it; a changed
    // cache path moves the cache. `sourceTyped`: the source was typed now (a local one must exist).
    Result<Edited> edit(const QString &name, const std::function<Status(Mirror &)> &change, bool sourceTyped);
    Result<Edited> rename(const QString &from, const QString &to);
    // The window's OK of the mirror editor: `originalName` empty adds `mirror`; otherwise the
    // mirror of that name becomes `mirror` (renamed first when the name changed, then edited; a
    // failed edit renames it back). validateMirrorInConfig() runs first, so its errors name the
    // field; a source typed anew (a local one must exist) is one that differs from before.
    Result<Edited> save(const QString &originalName, const Mirror &mirror);

    struct Removed {
        QString name;
        Mirror mirror = {};            // as it was configured
        Config config = {};            // the config as saved without it
        QString cachePath;
        bool cacheDeleted = false;
        bool linkOnly = false;         // the cache path was a link: the link went, not what it points at
        bool cacheExists = false;      // kept (not asked to delete)
        std::optional<Error> stateError; // the mirror is gone, but its state could not be removed
    };
    Result<Removed> remove(const QString &name, bool deleteCache);

    // `import`: adopts existing `git clone --mirror` repositories, one pull mirror each, named
    // after the folder (without ".git"), with that repository as its cache (marked as ours). A
    // path that is not such a repository, whose URL carries a secret, whose name is taken or
    // whose real path overlaps what another mirror uses is refused and left untouched.
    struct Imported {
        QString path;            // as given
        QString name;            // the mirror made, when imported
        QString cachePath;       // its real path
        QString source;          // remote.origin.url, scrubbed
        std::optional<Error> refused;
    };
    // `apply` false: the same checks and answers, nothing marked or saved (the window's list to
    // confirm).
    Result<QList<Imported>> importClones(const QStringList &paths, bool apply = true);
    // The repositories to offer for a folder the user picked: the folder itself when it is a
    // mirror clone, else its subfolders (the cron script's ~/git/mirror/*.git), sorted.
    static QStringList importCandidates(const QString &folder);

private:
    ProtectedPaths protectedPaths() const;

    MirrorStore m_store;
    StateStore m_state;
};

} // namespace md
