#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QString>

#include <optional>

// Reading and writing the app's own files (config, state, secret files, locks) safely
// (DESIGN section 3, "Only what is ours"): nothing is read from a device, a FIFO or a file past a
// size limit, and nothing is written through a symbolic link or onto anything but a regular file.
namespace md::safefile {

// What is at a path, without following a final symbolic link.
enum class Kind { Missing, Regular, Directory, Link, Other };
Kind kindOf(const QString &path);

// Reads a regular file (a link to a regular file is followed), refusing a device, a FIFO, a
// socket, a folder or a file larger than maxBytes (that error's detail holds kTooLargeKey: the
// size). nullopt when nothing is at the path. `what` names the file in errors ("config file",
// "state file", …).
inline constexpr const char *kTooLargeKey = "too_large_bytes";
Result<std::optional<QByteArray>> readRegular(const QString &path, qint64 maxBytes, const QString &what);

// Ok when nothing or a regular file is at `path`; otherwise (a link, a folder, a device, a FIFO)
// an error saying what is there and that it is not written.
Status checkWritable(const QString &path, const QString &what);

// Synced: flushed to disk (fdatasync) before the rename, for what cannot be re-derived (config,
// run history, attic index). Unsynced: still atomic (a temporary file renamed over the old one)
// but not flushed, for what the next run re-derives (a check result): no disk wait per mirror.
enum class Durability { Synced, Unsynced };
// Replaces `path` atomically, creating its folder, after checkWritable(). A link in the file's
// place is refused, never written through.
Status writeAtomically(const QString &path, const QByteArray &data, const QString &what, Durability durability = Durability::Synced);

// "12 MB" for messages.
QString sizeText(qint64 bytes);

} // namespace md::safefile
