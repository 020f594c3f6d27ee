#include "platform/Platform.h"

#include <QFile>
#include <QFileDevice>
#include <QDir>
#include <QFileInfo>

#include <QDeadlineTimer>
#include <QLockFile>
#include <QThread>

#ifdef Q_OS_UNIX
#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace md::platform {

FileLock::FileLock(const QString &path)
    : m_path(path)
{
}

FileLock::~FileLock()
{
#ifdef Q_OS_UNIX
    if (m_fd >= 0)
        ::close(m_fd); // releases the flock
#endif
    delete static_cast<QLockFile *>(m_fallback);
}

bool FileLock::lock(int waitMs)
{
    if (m_locked)
        return true;
#ifdef Q_OS_UNIX
    if (m_fd < 0)
        m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd >= 0) {
        const QDeadlineTimer deadline(waitMs);
        while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR)
                return false;
            if (deadline.hasExpired())
                return false;
            QThread::msleep(5);
        }
        m_locked = true;
        return true;
    }
#endif
    auto *fallback = static_cast<QLockFile *>(m_fallback);
    if (!fallback)
        m_fallback = fallback = new QLockFile(m_path);
    m_locked = fallback->tryLock(waitMs);
    return m_locked;
}

bool isOwnedByCurrentUser(const QString &path)
{
#ifdef Q_OS_UNIX
    return QFileInfo(path).ownerId() == static_cast<uint>(::getuid());
#else
    Q_UNUSED(path);
    return true;
#endif
}

QString userHome()
{
#ifdef Q_OS_UNIX
    if (const passwd *entry = ::getpwuid(::getuid()); entry && entry->pw_dir)
        return QString::fromLocal8Bit(entry->pw_dir);
#endif
    return QDir::homePath();
}

bool syncToDisk(QFileDevice &file)
{
    if (!file.flush())
        return false;
#ifdef Q_OS_UNIX
    return ::fsync(file.handle()) == 0;
#else
    return true;
#endif
}

namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};

#ifdef Q_OS_UNIX
void onInterrupt(int signal)
{
    g_signal.store(signal);
    g_interrupted.store(true);
}
#endif
} // namespace

void installInterruptHandlers()
{
#ifdef Q_OS_UNIX
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
#endif
}

const std::atomic<bool> *interruptFlag()
{
    return &g_interrupted;
}

int interruptSignal()
{
    return g_signal.load();
}

} // namespace md::platform
