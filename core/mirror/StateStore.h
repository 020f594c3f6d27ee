#pragma once

#include "mirror/StatusRecord.h"

namespace md {

// Per-mirror state files in the state folder: `<name>.status.json` (the status record) and
// `<name>.history.json` (the last 100 runs), names encoded for the file system. Every write is
// atomic (QSaveFile). A mirror that never ran reads as an empty record.
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

    // Moves every state file of a mirror to its new name (for `rename`).
    Status rename(const QString &from, const QString &to);
    // Removes every state file of a mirror (for `remove`).
    Status remove(const QString &mirror);

    QStringList filesOf(const QString &mirror) const;

private:
    QString statusPath(const QString &mirror) const;
    QString historyPath(const QString &mirror) const;

    QString m_dir;
};

// Writes a file atomically (QSaveFile, flushed to disk before the rename), creating its folder.
Status writeFileAtomically(const QString &path, const QByteArray &data);

} // namespace md
