#pragma once

#include "mirror/Checker.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"

#include <QObject>

#include <functional>

namespace md {

// The attic of each mirror (DESIGN section 3, "Nothing lost"), for every front end: list the old
// tips kept before refs were forced or deleted, restore one (a ref it replaces is kept first,
// compare-and-swap), purge old entries. Writes happen under the mirror's cache lock; a mirror
// being synced is refused. Purge's repack (`git gc`) runs as a child process without blocking
// the caller's thread; its result arrives on the event loop.
class AtticOps : public QObject {
    Q_OBJECT
public:
    AtticOps(QString configPath, QString stateDir, QObject *parent = nullptr);

    struct Listing {
        Mirror mirror;
        QString cachePath;
        int retentionDays = 90;
        QList<AtticEntry> entries; // newest first, a total order
    };
    Result<Listing> list(const QString &mirror) const;

    struct Restored {
        Mirror mirror;
        QString ref;
        QString oid;
        bool alreadyThere = false;
        bool followsSource = false; // a pull mirror's branch or tag: the next update moves it back
        bool onTarget = false;      // a target entry: pushed back to the target
        std::optional<Error> indexError; // restored, but the attic index could not be written
    };
    // `entry` as `attic list` shows it (with or without refs/mirrordesk/attic/); `as` empty: the
    // entry's own ref. A target entry is pushed with `prepared` (the mirror's job from the
    // JobPreparer, keychain secrets read) when given, else with a job whose secrets are read here
    // (env:/file: only).
    Result<Restored> restore(const QString &mirror, const QString &entry, const QString &as,
                             const std::optional<Result<MirrorJob>> &prepared = std::nullopt);

    struct Purged {
        int removed = 0;
        QStringList problems; // the index or the repack failed (the refs are gone all the same)
        bool repacked = false;
        bool nothingToPurge = false;
        bool gitMissing = false;
    };
    using PurgeDone = std::function<void(const Result<Purged> &)>;
    // Removes the entries older than `days` (nullopt: attic_retention_days), always keeping the
    // last five of each ref, then repacks. `done` is called from the event loop.
    void purge(const QString &mirror, std::optional<int> days, PurgeDone done);

private:
    MirrorStore m_store;
    StateStore m_state;
};

} // namespace md
