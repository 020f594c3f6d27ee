#pragma once

#include <QLockFile>
#include <QString>

#include <memory>

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

    // Waits up to waitMs (0: try once). True when this object now holds the lock.
    bool tryLock(int waitMs = 0);
    void unlock();
    bool isLocked() const { return m_lock.isLocked(); }

    // "pid 1234 on host (mirrordesk)" of the current holder, for "skipped: running" messages.
    QString holder() const;
    QString lockPath() const { return m_path; }

    static QString lockPathFor(const QString &cachePath);

private:
    QString m_path;
    QLockFile m_lock;
};

} // namespace md
