#include "platform/Platform.h"

#include <QFile>
#include <QFileDevice>
#include <QDir>
#include <QFileInfo>

#include <QDeadlineTimer>
#include <QLockFile>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifdef Q_OS_UNIX
#include <csignal>
#include <functional>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#endif
#endif
#ifdef Q_OS_WIN
#include <fcntl.h>
#include <io.h>
#include <windows.h>
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
    if (m_fd < 0) {
        // Never through a link, never a device or a FIFO (O_NONBLOCK: opening a FIFO must not hang).
        m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
        struct stat info {};
        if (m_fd >= 0 && (::fstat(m_fd, &info) != 0 || !S_ISREG(info.st_mode))) {
            ::close(m_fd);
            m_fd = -1;
            return false;
        }
        if (m_fd < 0)
            return false;
    }
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

FileType fileTypeOf(const QString &path, bool followLinks)
{
#ifdef Q_OS_UNIX
    struct stat info {};
    const QByteArray name = QFile::encodeName(path);
    if ((followLinks ? ::stat(name.constData(), &info) : ::lstat(name.constData(), &info)) != 0)
        return FileType::Missing;
    if (S_ISLNK(info.st_mode))
        return FileType::Link;
    if (S_ISREG(info.st_mode))
        return FileType::Regular;
    if (S_ISDIR(info.st_mode))
        return FileType::Directory;
    return FileType::Other;
#else
    const QFileInfo info(path);
    if (!followLinks && info.isSymLink())
        return FileType::Link;
    if (!info.exists())
        return FileType::Missing;
    if (info.isDir())
        return FileType::Directory;
    return info.isFile() ? FileType::Regular : FileType::Other;
#endif
}

OpenedFile openRegularForReading(const QString &path)
{
    OpenedFile opened;
#ifdef Q_OS_UNIX
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        opened.error = QString::fromLocal8Bit(::strerror(errno));
        return opened;
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        opened.notRegular = !S_ISDIR(info.st_mode);
        opened.error = QStringLiteral("not a regular file");
        ::close(fd);
        return opened;
    }
    // Opened O_RDONLY | O_NONBLOCK (O_CLOEXEC is a descriptor flag): back to plain blocking reads.
    ::fcntl(fd, F_SETFL, O_RDONLY);
    opened.fd = fd;
    opened.size = static_cast<qint64>(info.st_size);
#else
    const QFileInfo info(path);
    if (!info.isFile()) {
        opened.notRegular = info.exists() && !info.isDir();
        opened.error = QStringLiteral("not a regular file");
        return opened;
    }
    const int fd = ::_wopen(reinterpret_cast<const wchar_t *>(path.utf16()), _O_RDONLY | _O_BINARY);
    if (fd < 0) {
        opened.error = QStringLiteral("cannot open");
        return opened;
    }
    opened.fd = fd;
    opened.size = info.size();
#endif
    return opened;
}

bool readDescriptor(int fd, qint64 sizeHint, qint64 maxBytes, QByteArray *data, QString *error)
{
    data->clear();
    const qint64 cap = maxBytes + 1;
    qint64 want = std::min(std::max<qint64>(sizeHint, 0) + 1, cap);
    data->resize(want);
    qint64 total = 0;
    while (total < cap) {
        if (total == data->size())
            data->resize(std::min(cap, std::max<qint64>(2 * total, 4096)));
        const qint64 room = data->size() - total;
#ifdef Q_OS_UNIX
        const qint64 got = ::read(fd, data->data() + total, static_cast<size_t>(room));
#else
        const qint64 got = ::_read(fd, data->data() + total, static_cast<unsigned int>(std::min<qint64>(room, 1 << 30)));
#endif
        if (got < 0) {
            if (errno == EINTR)
                continue;
            *error = QString::fromLocal8Bit(std::strerror(errno));
            data->clear();
            return false;
        }
        if (got == 0)
            break;
        total += got;
        // A regular file that gives less than asked is at its end: no second call to hear it.
        if (got < room && total == sizeHint)
            break;
    }
    data->resize(total);
    return true;
}

void lowerCurrentThreadPriority()
{
    thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
#if defined(Q_OS_LINUX)
    // Nice values are per thread on Linux (PRIO_PROCESS with a thread id); raising one needs no
    // privilege. QThread::setPriority() cannot: SCHED_OTHER has one static priority.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0)
        (void)::setpriority(PRIO_PROCESS, tid, std::min(current + 10, 19));
#elif defined(Q_OS_WIN)
    ::SetThreadPriority(::GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
#endif
}

void closeDescriptor(int fd)
{
#ifdef Q_OS_UNIX
    ::close(fd);
#else
    ::_close(fd);
#endif
}

int openForAppending(const QString &path, QString *problem)
{
#ifdef Q_OS_UNIX
    // Never through a link (a log in a shared folder must not append to whatever a link names).
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0600);
    if (fd < 0) {
        *problem = errno == ENXIO ? QStringLiteral("it is a FIFO nobody reads")
            : errno == ELOOP      ? QStringLiteral("it is a symbolic link; give the file itself")
                                  : QString::fromLocal8Bit(::strerror(errno));
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
#else
    Q_UNUSED(path);
    problem->clear();
    return -1;
#endif
}

bool hasDisplay()
{
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return true;
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
#else
    return true;
#endif
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

SecretPipe::~SecretPipe()
{
    close();
}

bool SecretPipe::isAvailable()
{
#ifdef Q_OS_UNIX
    return true;
#else
    return false;
#endif
}

bool SecretPipe::fill(const QByteArray &secret, QString *problem)
{
#ifdef Q_OS_UNIX
    close();
    if (secret.size() > 60000) { // a pipe holds 64 KB: filled before the child starts, it must not block
        *problem = QStringLiteral("the secret is too large to hand over");
        return false;
    }
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        *problem = QStringLiteral("cannot create a pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    qsizetype written = 0;
    while (written < secret.size()) {
        const ssize_t n = ::write(fds[1], secret.constData() + written, static_cast<size_t>(secret.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *problem = QStringLiteral("cannot write to a pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            ::close(fds[0]);
            ::close(fds[1]);
            return false;
        }
        written += n;
    }
    ::close(fds[1]);
    m_readFd = fds[0];
    return true;
#else
    Q_UNUSED(secret);
    *problem = QStringLiteral("secret pipes are not available on this platform");
    return false;
#endif
}

void SecretPipe::attach(QProcess &process) const
{
    prepareChild(process, m_readFd);
}

void prepareChild(QProcess &process, int secretFd)
{
#ifdef Q_OS_UNIX
    process.setChildProcessModifier([secretFd] {
#ifdef Q_OS_LINUX
        // A MirrorDesk killed mid-transfer takes its git with it: no orphan keeps pushing while
        // the next run plans.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (secretFd >= 0)
            ::dup2(secretFd, 3); // dup2 clears close-on-exec on the copy
    });
#else
    Q_UNUSED(process);
    Q_UNUSED(secretFd);
#endif
}

void SecretPipe::close()
{
#ifdef Q_OS_UNIX
    if (m_readFd >= 0)
        ::close(m_readFd);
#endif
    m_readFd = -1;
}

bool stdinIsTerminal()
{
#ifdef Q_OS_UNIX
    return ::isatty(STDIN_FILENO) == 1;
#else
    return false;
#endif
}

namespace {

// Reads from the terminal with echo off (type-ahead dropped before the prompt shows, as getpass
// does), line by line, until `done` says so or input ends.
QByteArray readWithoutEcho(const QString &prompt, const std::function<bool(const QByteArray &line)> &done)
{
    QByteArray text;
#ifdef Q_OS_UNIX
    termios saved{};
    const bool haveTerminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (haveTerminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    const QByteArray shown = prompt.toLocal8Bit();
    (void)!::write(STDERR_FILENO, shown.constData(), size_t(shown.size()));
    QByteArray line;
    char c = 0;
    while (text.size() + line.size() < 64 * 1024) {
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { // end of input (Ctrl+D)
            text += line;
            break;
        }
        line.append(c);
        if (c != '\n')
            continue;
        text += line;
        const bool finished = done(line);
        line.clear();
        if (finished)
            break;
    }
    if (haveTerminal)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
#else
    Q_UNUSED(prompt);
    Q_UNUSED(done);
#endif
    return text;
}

} // namespace

QByteArray readLineWithoutEcho(const QString &prompt)
{
    QByteArray line = readWithoutEcho(prompt, [](const QByteArray &) { return true; });
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    return line;
}

QByteArray readBlockWithoutEcho(const QString &prompt, const QByteArray &endMarker)
{
    return readWithoutEcho(prompt, [&endMarker](const QByteArray &line) { return line.trimmed().startsWith(endMarker); });
}

} // namespace md::platform
