#include "util/Result.h"

namespace md {

QString errorCategoryName(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::None: return {};
    case ErrorCategory::Network: return QStringLiteral("network");
    case ErrorCategory::Timeout: return QStringLiteral("timeout");
    case ErrorCategory::Auth: return QStringLiteral("auth");
    case ErrorCategory::HostKey: return QStringLiteral("host_key");
    case ErrorCategory::Tls: return QStringLiteral("tls");
    case ErrorCategory::NotFound: return QStringLiteral("not_found");
    case ErrorCategory::Protected: return QStringLiteral("protected");
    case ErrorCategory::Rejected: return QStringLiteral("rejected");
    case ErrorCategory::Diverged: return QStringLiteral("diverged");
    case ErrorCategory::Guard: return QStringLiteral("guard");
    case ErrorCategory::Config: return QStringLiteral("config");
    case ErrorCategory::Keychain: return QStringLiteral("keychain");
    case ErrorCategory::Usage: return QStringLiteral("usage");
    case ErrorCategory::Interrupted: return QStringLiteral("interrupted");
    case ErrorCategory::Io: return QStringLiteral("io");
    }
    return {};
}

QString Error::text() const
{
    if (field.isEmpty())
        return message;
    return field + QStringLiteral(": ") + message;
}

} // namespace md
