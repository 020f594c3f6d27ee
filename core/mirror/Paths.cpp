#include "mirror/Paths.h"

#include <QDir>
#include <QStandardPaths>

namespace md::paths {

namespace {

QString absolute(const QString &path)
{
    return QDir::cleanPath(QDir::current().absoluteFilePath(path));
}

QString dataLocation()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

} // namespace

QString configFile(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return absolute(explicitPath);
    const QString fromEnv = qEnvironmentVariable("MIRRORDESK_CONFIG");
    if (!fromEnv.isEmpty())
        return absolute(fromEnv);
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/mirrors.json");
}

QString stateDir(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return absolute(explicitPath);
    const QString fromEnv = qEnvironmentVariable("MIRRORDESK_STATE_DIR");
    if (!fromEnv.isEmpty())
        return absolute(fromEnv);
    return dataLocation() + QStringLiteral("/state");
}

QString defaultCacheRoot()
{
    return dataLocation() + QStringLiteral("/caches");
}

} // namespace md::paths
