#pragma once

#include "mirror/Attic.h"
#include "mirror/StatusRecord.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>

namespace md {

// Three small files per mirror in the state folder (the name encoded for the file system):
// `<name>.json` the status record and the attic index, `<name>+history.json` the last 100 runs
// (compacted: only refs that moved or failed, counts for the rest, a size budget), and
// `<name>+check.json` the last check. `status` reads the first and the last only, so it costs
// O(mirrors) whatever the history holds. Every write is atomic; the check's is not flushed to
// disk (the next check re-derives it). A mirror that never ran reads as an empty record. A state
// of the older one-file layout is read as it is and moved apart on its next write.
class StateStore {
public:
    static constexpr int kHistoryLimit = 100;
    static constexpr qsizetype kHistoryBudgetBytes = 512 * 1024;

    explicit StateStore(QString dir);

    const QString &dir() const { return m_dir; }

    enum CheckRead { WithCheck, WithoutCheck };
    Result<StatusRecord> status(const QString &mirror, CheckRead check = WithCheck) const;
    Status saveStatus(const QString &mirror, const StatusRecord &status);

    Result<QList<RunRecord>> history(const QString &mirror) const;
    // The last check alone, in its own file (no lock, not flushed: re-derivable).
    Status saveCheck(const QString &mirror, const CheckRecord &check);
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
    QString historyFileOf(const QString &mirror) const;
    QString checkFileOf(const QString &mirror) const;
    // Every file of a mirror's state (status, history, check).
    QStringList filesOf(const QString &mirror) const;

private:
    QString lockOf(const QString &mirror) const; // <state>/.locks/<name>.lock
    Result<QJsonObject> read(const QString &mirror) const;
    Status write(const QString &mirror, const QJsonObject &root);
    std::optional<CheckRecord> lastCheck(const QString &mirror, const QJsonObject &root) const;
    Result<QJsonArray> readHistory(const QString &mirror, const QJsonObject &root) const;
    Status appendToHistory(const QString &mirror, const QJsonObject &root, const RunRecord &run);
    Status moveHistory(const QString &mirror, const QJsonObject &root);

    QString m_dir;
};

// Writes a file atomically (QSaveFile, flushed to disk before the rename), creating its folder.
Status writeFileAtomically(const QString &path, const QByteArray &data);

} // namespace md
