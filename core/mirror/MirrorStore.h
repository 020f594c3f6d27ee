#pragma once

#include "mirror/Config.h"

#include <functional>

namespace md {

// The config file (mirrors.json). Reads never change it. Writes happen only on explicit edits:
// under a config lock the file is read again, the edit applied, the result validated and written
// atomically (QSaveFile), so two processes editing at once lose nothing. A corrupt file or one of
// an unknown schema version is refused and left byte-for-byte untouched.
class MirrorStore {
public:
    explicit MirrorStore(QString path);

    const QString &path() const { return m_path; }
    bool exists() const;

    // A missing file reads as an empty config.
    Result<Config> load() const;
    // load() in two steps, for a reader that compares the bytes with those it read before
    // (a reload that finds the file as it was parses nothing): the file's bytes (nullopt: no
    // file), then the config they hold.
    Result<std::optional<QByteArray>> readBytes() const;
    Result<Config> parse(const std::optional<QByteArray> &data) const;

    // Applies `edit` to the current config under the lock and saves it when the edit succeeds
    // and the result is valid. Returns the saved config.
    Result<Config> modify(const std::function<Status(Config &)> &edit, int lockTimeoutMs = 30000);

    // Told once when an edit upgrades an older file's schema version (the CLI prints it, the
    // window shows it). Set before any edit runs; called on the editing thread.
    static void setNoticeHandler(std::function<void(const QString &)> handler);

private:
    static std::function<void(const QString &)> &noticeHandler();
    Status save(const Config &config);

    QString m_path;
};

} // namespace md
