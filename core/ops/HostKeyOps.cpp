#include "ops/HostKeyOps.h"

namespace md {

HostKeyOps::HostKeyOps(QString configPath)
    : m_store(std::move(configPath))
{
}

Result<HostKeyOps::Pinned> HostKeyOps::pin(const QString &host, const QStringList &rawLines)
{
    auto hostPort = normalizeHostPort(host);
    if (!hostPort)
        return Error::usage(hostPort.error().message);
    if (rawLines.isEmpty())
        return Error::usage(QStringLiteral("no OpenSSH public-key line for %1 found (expected \"TYPE BASE64 [COMMENT]\")").arg(*hostPort));
    Pinned pinned{*hostPort, {}};
    QStringList lines;
    for (const QString &raw : rawLines) {
        auto key = HostKey::parseLine(raw);
        if (!key)
            return Error::usage(key.error().message);
        if (!lines.contains(key->toLine())) {
            lines.append(key->toLine());
            pinned.keys.append(*key);
        }
    }
    auto saved = m_store.modify([&](Config &config) -> Status {
        config.hostKeys.insert(*hostPort, lines);
        return {};
    });
    if (!saved)
        return saved.error();
    return pinned;
}

Result<QList<HostKeyOps::HostEntry>> HostKeyOps::list(const std::optional<QString> &host) const
{
    QString only;
    if (host) {
        auto hostPort = normalizeHostPort(*host);
        if (!hostPort)
            return Error::usage(hostPort.error().message);
        only = *hostPort;
    }
    const auto config = m_store.load();
    if (!config)
        return config.error();
    if (!only.isEmpty() && !config->hostKeys.contains(only))
        return Error{ErrorCategory::NotFound, QStringLiteral("no keys are pinned for %1").arg(only), {}, 0, 0};
    QList<HostEntry> hosts;
    for (auto it = config->hostKeys.begin(); it != config->hostKeys.end(); ++it) {
        if (!only.isEmpty() && it.key() != only)
            continue;
        HostEntry entry{it.key(), {}};
        for (const QString &line : it.value()) {
            if (const auto key = HostKey::parseLine(line)) // validated on load
                entry.keys.append(*key);
        }
        hosts.append(entry);
    }
    return hosts;
}

} // namespace md
