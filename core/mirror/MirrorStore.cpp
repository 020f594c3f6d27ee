#include "mirror/MirrorStore.h"

#include "platform/Platform.h"
#include "util/Log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QSaveFile>

namespace md {

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
    QFile file(m_path);
    if (!file.exists())
        return Config{};
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCategory::Config, QStringLiteral("cannot read config file %1: %2").arg(m_path, file.errorString()), {}, 0, 0};
    auto config = configFromJson(file.readAll());
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
    QLockFile lock(m_path + QStringLiteral(".lock"));
    lock.setStaleLockTime(60 * 1000);
    if (!lock.tryLock(lockTimeoutMs)) {
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
    if (auto status = save(config); !status)
        return status.error();
    qCInfo(lcConfig) << "saved" << m_path;
    return config;
}

Status MirrorStore::save(const Config &config)
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::io(QStringLiteral("cannot write config file %1: %2").arg(m_path, file.errorString()));
    const QByteArray data = configToJson(config);
    if (file.write(data) != data.size() || !platform::syncToDisk(file)) {
        file.cancelWriting();
        return Error::io(QStringLiteral("cannot write config file %1: %2").arg(m_path, file.errorString()));
    }
    if (!file.commit())
        return Error::io(QStringLiteral("cannot save config file %1: %2").arg(m_path, file.errorString()));
    return {};
}

} // namespace md
