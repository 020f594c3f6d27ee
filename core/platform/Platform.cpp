#include "platform/Platform.h"

#include <QFileDevice>
#include <QDir>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <csignal>
#include <pwd.h>
#include <unistd.h>
#endif

namespace md::platform {

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
