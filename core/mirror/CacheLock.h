#pragma once

#include "util/Result.h"

#include <QLockFile>
#include <QString>

#include <memory>
#include <optional>

namespace md {

// One sync per mirror at a time across every MirrorDesk process (the window, cron, the service):
// a QLockFile beside the cache (`<cache>.lock`). A lock whose process died is taken over; a live
// one is never considered stale however long the sync runs.
class CacheLock {
public:
    explicit CacheLock(const QString &cachePath);
    ~CacheLock();
    CacheLock(const CacheLock &) = delete;
    CacheLock &operator=(const CacheLock &) = delete;

    // Waits up to waitMs (0: try once). True when this object now holds the lock. False when
    // another process holds it, or when the lock cannot be taken at all (failure() says why).
    bool tryLock(int waitMs = 0);
    // Why the last tryLock() failed when no other process holds the lock: the lock file cannot be
    // created (folder not writable, path too long) or something other than a lock file is there.
    const std::optional<Error> &failure() const { return m_failure; }
    void unlock();
    bool isLocked() const { return m_lock.isLocked(); }

    // "pid 1234 on host (mirrordesk)" of the current holder, for "skipped: running" messages.
    QString holder() const;
    QString lockPath() const { return m_path; }

    static QString lockPathFor(const QString &cachePath);

private:
    QString m_path;
    QLockFile m_lock;
    std::optional<Error> m_failure;
};

} // namespace md
