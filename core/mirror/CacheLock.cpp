#include "mirror/CacheLock.h"

#include "util/SafeFile.h"

#include <QDir>
#include <QFileInfo>

namespace md {

QString CacheLock::lockPathFor(const QString &cachePath)
{
    QString path = QDir::cleanPath(cachePath);
    return path + QStringLiteral(".lock");
}

CacheLock::CacheLock(const QString &cachePath)
    : m_path(lockPathFor(cachePath))
    , m_lock(m_path)
{
    m_lock.setStaleLockTime(0);
}

CacheLock::~CacheLock() = default;

bool CacheLock::tryLock(int waitMs)
{
    m_failure.reset();
    const QString folder = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(folder)) {
        m_failure = Error::io(QStringLiteral("cannot create the folder %1 for the cache's lock file").arg(folder));
        return false;
    }
    if (auto status = safefile::checkWritable(m_path, QStringLiteral("cache lock file")); !status) {
        m_failure = status.error();
        return false;
    }
    if (m_lock.tryLock(waitMs))
        return true;
    switch (m_lock.error()) {
    case QLockFile::NoError:
    case QLockFile::LockFailedError:
        break; // held by a live process
    case QLockFile::PermissionError:
        m_failure = Error::io(QStringLiteral("cannot create the lock file %1: permission denied (the folder is not writable)").arg(m_path));
        break;
    case QLockFile::UnknownError:
        m_failure = Error::io(QStringLiteral("cannot create the lock file %1 (is the path too long, or the disk full?)").arg(m_path));
        break;
    }
    return false;
}

void CacheLock::unlock()
{
    m_lock.unlock();
}

QString CacheLock::holder() const
{
    qint64 pid = 0;
    QString host;
    QString app;
    if (!m_lock.getLockInfo(&pid, &host, &app))
        return QStringLiteral("another process");
    return QStringLiteral("pid %1 on %2 (%3)").arg(pid).arg(host, app.isEmpty() ? QStringLiteral("?") : app);
}

} // namespace md
