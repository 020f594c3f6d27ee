#include "mirror/CacheLock.h"

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
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    return m_lock.tryLock(waitMs);
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
