#pragma once

#include <QProcess>
#include <QString>

#include <atomic>

#include <optional>

class QFileDevice;

// The few OS-specific calls the engine needs, kept in one place (DESIGN: no POSIX-only calls
// outside a small platform file).
namespace md::platform {

// True when the file belongs to the user running this process (always true where the OS has no
// such notion).
bool isOwnedByCurrentUser(const QString &path);

// The current user's home folder from the user database (for when HOME is unset, e.g. a service).
QString userHome();

// What is at a path; with followLinks false a symbolic link is reported as Link (lstat).
enum class FileType { Missing, Regular, Directory, Link, Other };
FileType fileTypeOf(const QString &path, bool followLinks);

// Opens a file for reading without blocking on a FIFO and checks, on the open descriptor, that it
// is a regular file (a final link is followed). `fd` is set on success, with the file's size.
struct OpenedFile {
    std::optional<int> fd;
    bool notRegular = false;
    qint64 size = 0;
    QString error;
};
OpenedFile openRegularForReading(const QString &path);
void closeDescriptor(int fd);
// Reads an open descriptor to its end, at most `maxBytes + 1` bytes (one more than allowed tells
// the caller the file is larger), starting with one read of `sizeHint + 1` bytes (the size fstat
// gave: a file that did not change is read in one call). False with *error on a read error.
bool readDescriptor(int fd, qint64 sizeHint, qint64 maxBytes, QByteArray *data, QString *error);

// Opens a file for appending (created 0600 if missing) without blocking on a FIFO that has no
// reader. Returns the descriptor, or -1 with *problem set; -1 with *problem empty where the
// platform has no such call (the caller opens it itself).
int openForAppending(const QString &path, QString *problem);

// Lowers the calling thread's scheduling priority a little, once per thread (later calls do
// nothing): for the engine's pool threads, so that a batch of thousands of jobs, mostly waiting on
// the network but with bursts of CPU (job building, ref listing, JSON), never takes the cores from
// the event loop's thread (the window). Linux: nice +10 for the thread alone (the window's
// longest stall at the start of a Check All of 10,000 mirrors: 116 ms unchanged, 70 ms at +5,
// 45-55 ms at +10); Windows: below normal; elsewhere nothing.
void lowerCurrentThreadPriority();

// False when the window cannot start: no QT_QPA_PLATFORM and, on X11/Wayland systems, neither
// DISPLAY nor WAYLAND_DISPLAY set (Qt would abort).
bool hasDisplay();

// Flushes a file's data to stable storage before it is renamed into place.
bool syncToDisk(QFileDevice &file);

// An exclusive advisory lock on a small lock file (flock on Unix), held while the object lives:
// cheap (no write, no sync), released by the OS if the process dies, and exclusive between
// threads of one process too (each lock opens its own descriptor). The file stays in place.
class FileLock {
public:
    explicit FileLock(const QString &path);
    ~FileLock();
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;

    // Waits up to waitMs for the lock. True when held.
    bool lock(int waitMs);

private:
    QString m_path;
    int m_fd = -1;
    bool m_locked = false;
    void *m_fallback = nullptr; // a QLockFile where flock is not available
};

// Prepares a child process before start(): on Linux it is killed when the thread that started it
// ends (a MirrorDesk killed mid-transfer leaves no git running); `secretFd` >= 0 becomes its fd 3.
void prepareChild(QProcess &process, int secretFd = -1);

// A secret handed to a child process on its file descriptor 3 through a pipe: never its command
// line, its environment or a file. The pipe is filled (at most 60,000 bytes) and its write end
// closed before the child starts; attach() makes the child's fd 3 the read end. Unix only
// (isAvailable() false elsewhere: callers take another route).
class SecretPipe {
public:
    SecretPipe() = default;
    ~SecretPipe();
    SecretPipe(const SecretPipe &) = delete;
    SecretPipe &operator=(const SecretPipe &) = delete;

    static bool isAvailable();
    bool fill(const QByteArray &secret, QString *problem);
    // Sets the QProcess's child modifier (before start()).
    void attach(QProcess &process) const;
    // Closes the parent's copy of the read end (after the child started).
    void close();

private:
    int m_readFd = -1;
};

// Whether standard input is a terminal (a secret is then asked for without echo).
bool stdinIsTerminal();
// Asks for one line on the terminal with echo off: `prompt` goes to stderr, the line (without its
// newline) comes back. Empty on end of input. Echo is restored before returning, also on error.
QByteArray readLineWithoutEcho(const QString &prompt);
// The same for a pasted block (an SSH private key): lines, with their newlines, until a line that
// starts with `endMarker` (kept) or the end of input (Ctrl+D). At most 64 KB.
QByteArray readBlockWithoutEcho(const QString &prompt, const QByteArray &endMarker);

// SIGINT/SIGTERM set a flag that running jobs watch (their streams and callbacks stop at the next
// poll slice), so an interrupted command leaves every repository valid and exits 130/143.
void installInterruptHandlers();
// The flag the handlers set (jobs pass it as their cancel flag).
const std::atomic<bool> *interruptFlag();
// The signal that interrupted us (SIGINT, SIGTERM), or 0.
int interruptSignal();

} // namespace md::platform
