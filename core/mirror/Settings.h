#pragma once

#include "git/GitLibrary.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QList>

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

// The allowed range of each whole-number setting, inclusive: the one rule the config file, the
// command line and the window's spin boxes share.
struct IntRange {
    int min = 0;
    int max = 0;
};
namespace settingsLimits {
inline constexpr IntRange concurrency{1, 256};
inline constexpr IntRange perHostConcurrency{1, 256};
inline constexpr IntRange defaultIntervalMinutes{1, 10080}; // one week
inline constexpr IntRange connectTimeoutSeconds{1, 3600};   // one hour
inline constexpr IntRange stallTimeoutSeconds{1, 86400};    // one day
inline constexpr IntRange runTimeoutSeconds{1, 7 * 86400};  // one week
inline constexpr IntRange atticRetentionDays{1, 36500};
} // namespace settingsLimits

// Every problem the values alone show (ranges, absolute paths, proxy URLs), in field order, each
// an Error::config whose `field` is the JSON key ("concurrency", "ca_file", …). Pure: no disk.
QList<Error> settingsProblems(const Settings &settings);
// The first of settingsProblems(), or ok. settingsFromJson() applies it to what it reads.
Status validateSettings(const Settings &settings);
// What only the disk can tell, for settings about to be saved: a ca_file that is set must be a
// readable file of PEM certificates; a cache_root that exists must be a folder. Fields as in
// settingsProblems(); paths that are not absolute are left to it. Touches the disk: call it off
// the UI thread. Not applied when reading the config (a CA file gone must not make it unreadable).
QList<Error> settingsFileProblems(const Settings &settings);

QJsonObject settingsToJson(const Settings &settings);
Result<Settings> settingsFromJson(const QJsonObject &object, const QString &path);

} // namespace md
