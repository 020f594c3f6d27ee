#pragma once

#include "git/GitLibrary.h"
#include "util/Result.h"

#include <QJsonObject>

namespace md {

// The app-wide settings of DESIGN section 3, one object in the config. Empty strings mean
// "the default": cache_root under the app's data folder, proxy auto-detected (GIT_PROXY_AUTO).
struct Settings {
    int concurrency = 8;
    int perHostConcurrency = 8;
    int defaultIntervalMinutes = 5;
    QString cacheRoot;
    QString proxy;
    QString caFile;
    int connectTimeoutSeconds = 30;
    int stallTimeoutSeconds = 600;
    int runTimeoutSeconds = 3 * 3600;
    int atticRetentionDays = 90;
    bool massChangeGuard = true;

    bool operator==(const Settings &) const = default;
};

// The settings libgit2 takes process-wide.
inline git::GitOptions gitOptions(const Settings &settings)
{
    return git::GitOptions{settings.caFile};
}

QJsonObject settingsToJson(const Settings &settings);
Result<Settings> settingsFromJson(const QJsonObject &object, const QString &path);

} // namespace md
