#include "mirror/MirrorStore.h"

#include "platform/Platform.h"
#include "util/Log.h"
#include "util/SafeFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>

namespace md {

namespace {
// A config of 10,000 mirrors is about 6 MB.
constexpr qint64 kConfigFileLimit = 64 * 1024 * 1024;
} // namespace

MirrorStore::MirrorStore(QString path)
    : m_path(std::move(path))
{
}

bool MirrorStore::exists() const
{
    return QFileInfo::exists(m_path);
}

Result<Config> MirrorStore::load() const
{
    auto data = readBytes();
    if (!data)
        return data.error();
    return parse(*data);
}

Result<std::optional<QByteArray>> MirrorStore::readBytes() const
{
    auto data = safefile::readRegular(m_path, kConfigFileLimit, QStringLiteral("config file"));
    if (!data) {
        Error error = data.error();
        error.category = ErrorCategory::Config;
        return error;
    }
    return data;
}

Result<Config> MirrorStore::parse(const std::optional<QByteArray> &data) const
{
    if (!data)
        return Config{};
    auto config = configFromJson(*data);
    if (!config) {
        Error error = config.error();
        error.message = QStringLiteral("config file %1 is invalid (left unchanged): %2").arg(m_path, error.text());
        error.field.clear();
        return error;
    }
    return config;
}

Result<Config> MirrorStore::modify(const std::function<Status(Config &)> &edit, int lockTimeoutMs)
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return Error::io(QStringLiteral("cannot create the config folder %1").arg(info.absolutePath()));
    if (auto status = safefile::checkWritable(m_path, QStringLiteral("config file")); !status)
        return status.error();
    if (auto status = safefile::checkWritable(m_path + QStringLiteral(".lock"), QStringLiteral("config lock file")); !status)
        return status.error();
    QLockFile lock(m_path + QStringLiteral(".lock"));
    lock.setStaleLockTime(60 * 1000);
    if (!lock.tryLock(lockTimeoutMs)) {
        // A folder we may not write is no other process's lock.
        if (lock.error() == QLockFile::PermissionError)
            return Error::io(QStringLiteral("cannot create the config lock file %1.lock: permission denied (nothing was changed)").arg(m_path));
        if (lock.error() == QLockFile::UnknownError)
            return Error::io(QStringLiteral("cannot create the config lock file %1.lock (nothing was changed)").arg(m_path));
        qint64 pid = 0;
        QString host, app;
        lock.getLockInfo(&pid, &host, &app);
        return Error::io(QStringLiteral("the config file is locked by another MirrorDesk process (pid %1); try again").arg(pid));
    }
    auto current = load();
    if (!current)
        return current.error();
    Config config = *current;
    if (auto status = edit(config); !status)
        return status.error();
    if (auto status = config.validateEdit(*current); !status)
        return status.error();
    if (config == *current && exists())
        return config;
    // A file of an older schema version is upgraded by this first edit: the old file is kept
    // beside it (mirrors.json.v1), and the user is told.
    QString keptAs;
    if (current->readSchemaVersion < Config::kSchemaVersion && exists()) {
        keptAs = m_path + QStringLiteral(".v%1").arg(current->readSchemaVersion);
        auto bytes = readBytes();
        if (!bytes)
            return bytes.error();
        if (auto status = safefile::writeAtomically(keptAs, bytes->value_or(QByteArray()), QStringLiteral("config backup")); !status)
            return status.error();
    }
    if (auto status = save(config); !status)
        return status.error();
    config.readSchemaVersion = Config::kSchemaVersion;
    if (!keptAs.isEmpty()) {
        const QString notice = QStringLiteral("the config file was upgraded from schema version %1 to %2 (the old file is kept as %3)")
                                   .arg(current->readSchemaVersion)
                                   .arg(Config::kSchemaVersion)
                                   .arg(keptAs);
        qCInfo(lcConfig).noquote() << notice;
        if (noticeHandler())
            noticeHandler()(notice);
    }
    qCInfo(lcConfig) << "saved" << m_path;
    return config;
}

std::function<void(const QString &)> &MirrorStore::noticeHandler()
{
    static std::function<void(const QString &)> handler;
    return handler;
}

void MirrorStore::setNoticeHandler(std::function<void(const QString &)> handler)
{
    noticeHandler() = std::move(handler);
}

Status MirrorStore::save(const Config &config)
{
    return safefile::writeAtomically(m_path, configToJson(config), QStringLiteral("config file"));
}

} // namespace md
