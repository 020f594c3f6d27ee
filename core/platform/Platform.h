#pragma once

#include <QString>

class QFileDevice;

// The few OS-specific calls the engine needs, kept in one place (DESIGN: no POSIX-only calls
// outside a small platform file).
namespace md::platform {

// True when the file belongs to the user running this process (always true where the OS has no
// such notion).
bool isOwnedByCurrentUser(const QString &path);

// Flushes a file's data to stable storage before it is renamed into place.
bool syncToDisk(QFileDevice &file);

} // namespace md::platform
