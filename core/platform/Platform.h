#pragma once

#include <QString>

#include <atomic>

class QFileDevice;

// The few OS-specific calls the engine needs, kept in one place (DESIGN: no POSIX-only calls
// outside a small platform file).
namespace md::platform {

// True when the file belongs to the user running this process (always true where the OS has no
// such notion).
bool isOwnedByCurrentUser(const QString &path);

// The current user's home folder from the user database (for when HOME is unset, e.g. a service).
QString userHome();

// Flushes a file's data to stable storage before it is renamed into place.
bool syncToDisk(QFileDevice &file);

// SIGINT/SIGTERM set a flag that running jobs watch (their streams and callbacks stop at the next
// poll slice), so an interrupted command leaves every repository valid and exits 130/143.
void installInterruptHandlers();
// The flag the handlers set (jobs pass it as their cancel flag).
const std::atomic<bool> *interruptFlag();
// The signal that interrupted us (SIGINT, SIGTERM), or 0.
int interruptSignal();

} // namespace md::platform
