#include "platform/Platform.h"

#include <QFileDevice>
#include <QFileInfo>

#ifdef Q_OS_UNIX
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

} // namespace md::platform
