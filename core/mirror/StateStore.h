#pragma once

#include "mirror/Attic.h"
#include "mirror/StatusRecord.h"

#include <QJsonObject>

#include <functional>

namespace md {

// One state file per mirror in the state folder, `<name>.json` (the name encoded for the file
// system), holding the status record and the last 100 runs. Every write is atomic (QSaveFile).
// A mirror that never ran reads as an empty record.
class StateStore {
public:
    static constexpr int kHistoryLimit = 100;

    explicit StateStore(QString dir);

    const QString &dir() const { return m_dir; }

    Result<StatusRecord> status(const QString &mirror) const;
    Status saveStatus(const QString &mirror, const StatusRecord &status);

    Result<QList<RunRecord>> history(const QString &mirror) const;
    // Appends a run, keeping only the last kHistoryLimit runs.
    Status appendRun(const QString &mirror, const RunRecord &run);
    // Read-modify-write of a mirror's status (and, when given, a run appended to its history) in
    // one atomic write, under the state file's lock (`<file>.lock`) so that two processes never
    // lose each other's changes. Returns the status as written.
    // The attic index changes in the same write: entries added, entries (by id) removed.
    Result<StatusRecord> changeStatus(const QString &mirror, const std::function<void(StatusRecord &)> &change,
                                      const std::optional<RunRecord> &run = std::nullopt,
                                      const QList<AtticEntry> &atticAdded = {}, const QStringList &atticRemoved = {});

    // The attic index: why each old tip was kept (the attic refs in the cache are the truth).
    Result<QList<AtticEntry>> atticIndex(const QString &mirror) const;

    // Moves a mirror's state to its new name (for `rename`); refused when the new name has state.
    Status rename(const QString &from, const QString &to);
    // Removes a mirror's state (for `remove`).
    Status remove(const QString &mirror);

    QString fileOf(const QString &mirror) const;

private:
    QString lockOf(const QString &mirror) const; // <state>/.locks/<name>.lock
    Result<QJsonObject> read(const QString &mirror) const;
    Status write(const QString &mirror, const QJsonObject &root);

    QString m_dir;
};

// Writes a file atomically (QSaveFile, flushed to disk before the rename), creating its folder.
Status writeFileAtomically(const QString &path, const QByteArray &data);

} // namespace md
