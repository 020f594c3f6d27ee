#include "git/GitError.h"

#include "util/Scrub.h"

#include <git2.h>

namespace md::git {

ErrorCategory categorize(int code, int errorClass, const QString &message)
{
    const QString lower = message.toLower();
    if (lower.contains(QLatin1String("timed out")))
        return ErrorCategory::Timeout;
    // libgit2's SSH transport reports every refused or failed login as "error authenticating: …"
    // (class SSH, code -1): a wrong key, an agent that cannot be reached or holds no accepted key.
    if (code == GIT_EAUTH || lower.contains(QLatin1String("authentication")) || lower.contains(QLatin1String("error authenticating"))
        || (errorClass == GIT_ERROR_HTTP && lower.contains(QLatin1String("status code: 401"))))
        return ErrorCategory::Auth;
    if (code == GIT_ECERTIFICATE)
        return errorClass == GIT_ERROR_SSH || lower.contains(QLatin1String("host key")) ? ErrorCategory::HostKey : ErrorCategory::Tls;
    if (errorClass == GIT_ERROR_SSL)
        return ErrorCategory::Tls;
    if (code == GIT_ENOTFOUND || (errorClass == GIT_ERROR_HTTP && lower.contains(QLatin1String("status code: 404")))
        || lower.contains(QLatin1String("does not appear to be a git repository"))
        || lower.contains(QLatin1String("could not find repository")))
        return ErrorCategory::NotFound;
    return ErrorCategory::Network;
}

Error lastError(int code, const QString &what)
{
    const git_error *error = git_error_last();
    const int errorClass = error ? error->klass : 0;
    const QString message = error && error->message ? QString::fromUtf8(error->message) : QStringLiteral("unknown libgit2 error");
    Error result;
    result.category = categorize(code, errorClass, message);
    result.message = scrubText(what.isEmpty() ? message : what + QStringLiteral(": ") + message);
    result.gitClass = errorClass;
    result.gitCode = code;
    return result;
}

} // namespace md::git
