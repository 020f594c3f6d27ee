#include "mirror/Settings.h"

#include "mirror/Mirror.h"
#include "util/JsonReader.h"

#include <QDir>

namespace md {

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
    JsonReader r(object, path);
    Settings s;
    s.concurrency = r.integer(QStringLiteral("concurrency"), s.concurrency, 1, 256);
    s.perHostConcurrency = r.integer(QStringLiteral("per_host_concurrency"), s.perHostConcurrency, 1, 256);
    s.defaultIntervalMinutes = r.integer(QStringLiteral("default_interval_minutes"), s.defaultIntervalMinutes, 1, 10080);
    s.cacheRoot = r.string(QStringLiteral("cache_root"));
    s.proxy = r.string(QStringLiteral("proxy"));
    s.caFile = r.string(QStringLiteral("ca_file"));
    s.connectTimeoutSeconds = r.integer(QStringLiteral("connect_timeout"), s.connectTimeoutSeconds, 1, 3600);
    s.stallTimeoutSeconds = r.integer(QStringLiteral("stall_timeout"), s.stallTimeoutSeconds, 1, 86400);
    s.runTimeoutSeconds = r.integer(QStringLiteral("run_timeout"), s.runTimeoutSeconds, 1, 7 * 86400);
    s.atticRetentionDays = r.integer(QStringLiteral("attic_retention_days"), s.atticRetentionDays, 1, 36500);
    s.massChangeGuard = r.boolean(QStringLiteral("mass_change_guard"), s.massChangeGuard);
    if (!s.cacheRoot.isEmpty() && !QDir::isAbsolutePath(s.cacheRoot))
        r.fail(QStringLiteral("cache_root"), QStringLiteral("must be an absolute path"));
    if (auto status = validateProxy(s.proxy, r.fieldPath(QStringLiteral("proxy"))); !status)
        r.fail(QStringLiteral("proxy"), status.error().message);
    if (!s.caFile.isEmpty() && !QDir::isAbsolutePath(s.caFile))
        r.fail(QStringLiteral("ca_file"), QStringLiteral("must be an absolute path"));
    if (auto status = r.finish(); !status)
        return status.error();
    return s;
}

} // namespace md
