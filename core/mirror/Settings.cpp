#include "mirror/Settings.h"

#include "mirror/Mirror.h"
#include "util/JsonReader.h"
#include "util/SafeFile.h"

#include <QDir>
#include <QFileInfo>

#include <limits>

namespace md {

namespace {

// A bundle of every public CA is about 200 KB.
constexpr qint64 kCaFileLimit = 16 * 1024 * 1024;

void checkRange(QList<Error> &problems, const QString &field, int value, IntRange range, const QString &unit = {})
{
    if (value >= range.min && value <= range.max)
        return;
    QString message = QStringLiteral("must be between %1 and %2").arg(range.min).arg(range.max);
    if (!unit.isEmpty())
        message += QLatin1Char(' ') + unit;
    problems.append(Error::config(field, message));
}

} // namespace

QList<Error> settingsProblems(const Settings &s)
{
    namespace limits = settingsLimits;
    QList<Error> problems;
    checkRange(problems, QStringLiteral("concurrency"), s.concurrency, limits::concurrency);
    checkRange(problems, QStringLiteral("per_host_concurrency"), s.perHostConcurrency, limits::perHostConcurrency);
    checkRange(problems, QStringLiteral("default_interval_minutes"), s.defaultIntervalMinutes, limits::defaultIntervalMinutes,
               QStringLiteral("minutes (one week)"));
    if (!s.cacheRoot.isEmpty() && !QDir::isAbsolutePath(s.cacheRoot))
        problems.append(Error::config(QStringLiteral("cache_root"), QStringLiteral("must be an absolute path")));
    if (auto status = validateProxy(s.proxy, QStringLiteral("proxy")); !status)
        problems.append(status.error());
    if (!s.caFile.isEmpty() && !QDir::isAbsolutePath(s.caFile))
        problems.append(Error::config(QStringLiteral("ca_file"), QStringLiteral("must be an absolute path")));
    checkRange(problems, QStringLiteral("connect_timeout"), s.connectTimeoutSeconds, limits::connectTimeoutSeconds,
               QStringLiteral("seconds (one hour)"));
    checkRange(problems, QStringLiteral("stall_timeout"), s.stallTimeoutSeconds, limits::stallTimeoutSeconds,
               QStringLiteral("seconds (one day)"));
    checkRange(problems, QStringLiteral("run_timeout"), s.runTimeoutSeconds, limits::runTimeoutSeconds,
               QStringLiteral("seconds (one week)"));
    checkRange(problems, QStringLiteral("attic_retention_days"), s.atticRetentionDays, limits::atticRetentionDays,
               QStringLiteral("days"));
    return problems;
}

Status validateSettings(const Settings &settings)
{
    const QList<Error> problems = settingsProblems(settings);
    if (!problems.isEmpty())
        return problems.first();
    return {};
}

QList<Error> settingsFileProblems(const Settings &s)
{
    QList<Error> problems;
    if (!s.cacheRoot.isEmpty() && QDir::isAbsolutePath(s.cacheRoot)) {
        const QFileInfo root(s.cacheRoot);
        if (root.exists() && !root.isDir())
            problems.append(Error::config(QStringLiteral("cache_root"), QStringLiteral("%1 is not a folder").arg(s.cacheRoot)));
        else if (root.exists() && !root.isWritable())
            problems.append(Error::config(QStringLiteral("cache_root"), QStringLiteral("folder %1 is not writable").arg(s.cacheRoot)));
    }
    if (!s.caFile.isEmpty() && QDir::isAbsolutePath(s.caFile)) {
        const QString field = QStringLiteral("ca_file");
        auto data = safefile::readRegular(s.caFile, kCaFileLimit, QStringLiteral("CA file"));
        if (!data)
            problems.append(Error::config(field, data.error().message));
        else if (!*data)
            problems.append(Error::config(field, QStringLiteral("CA file %1 does not exist").arg(s.caFile)));
        else if (!(*data)->contains("-----BEGIN ") || !(*data)->contains("CERTIFICATE-----"))
            problems.append(Error::config(field, QStringLiteral("CA file %1 holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")
                                                     .arg(s.caFile)));
    }
    return problems;
}

QJsonObject settingsToJson(const Settings &s)
{
    QJsonObject object{
        {QStringLiteral("concurrency"), s.concurrency},
        {QStringLiteral("per_host_concurrency"), s.perHostConcurrency},
        {QStringLiteral("default_interval_minutes"), s.defaultIntervalMinutes},
        {QStringLiteral("connect_timeout"), s.connectTimeoutSeconds},
        {QStringLiteral("stall_timeout"), s.stallTimeoutSeconds},
        {QStringLiteral("run_timeout"), s.runTimeoutSeconds},
        {QStringLiteral("attic_retention_days"), s.atticRetentionDays},
        {QStringLiteral("mass_change_guard"), s.massChangeGuard},
    };
    if (!s.cacheRoot.isEmpty())
        object.insert(QStringLiteral("cache_root"), s.cacheRoot);
    if (!s.proxy.isEmpty())
        object.insert(QStringLiteral("proxy"), s.proxy);
    if (!s.caFile.isEmpty())
        object.insert(QStringLiteral("ca_file"), s.caFile);
    return object;
}

Result<Settings> settingsFromJson(const QJsonObject &object, const QString &path)
{
    // Whole numbers of any size are read here; their ranges, like every other rule, are
    // validateSettings()'s (the window's Preferences apply the same).
    constexpr int lowest = std::numeric_limits<int>::min();
    constexpr int highest = std::numeric_limits<int>::max();
    JsonReader r(object, path);
    Settings s;
    s.concurrency = r.integer(QStringLiteral("concurrency"), s.concurrency, lowest, highest);
    s.perHostConcurrency = r.integer(QStringLiteral("per_host_concurrency"), s.perHostConcurrency, lowest, highest);
    s.defaultIntervalMinutes = r.integer(QStringLiteral("default_interval_minutes"), s.defaultIntervalMinutes, lowest, highest);
    s.cacheRoot = r.string(QStringLiteral("cache_root"));
    s.proxy = r.string(QStringLiteral("proxy"));
    s.caFile = r.string(QStringLiteral("ca_file"));
    s.connectTimeoutSeconds = r.integer(QStringLiteral("connect_timeout"), s.connectTimeoutSeconds, lowest, highest);
    s.stallTimeoutSeconds = r.integer(QStringLiteral("stall_timeout"), s.stallTimeoutSeconds, lowest, highest);
    s.runTimeoutSeconds = r.integer(QStringLiteral("run_timeout"), s.runTimeoutSeconds, lowest, highest);
    s.atticRetentionDays = r.integer(QStringLiteral("attic_retention_days"), s.atticRetentionDays, lowest, highest);
    s.massChangeGuard = r.boolean(QStringLiteral("mass_change_guard"), s.massChangeGuard);
    if (auto status = validateSettings(s); !status)
        r.fail(status.error().field, status.error().message);
    if (auto status = r.finish(); !status)
        return status.error();
    return s;
}

} // namespace md
