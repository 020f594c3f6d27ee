#include "git/GitLibrary.h"
#include "git/GitCliPush.h"

#include "git/GitError.h"
#include "git/TimeoutStream.h"
#include "git/V2Lister.h"
#include "platform/Platform.h"

#include <git2.h>

#include <mutex>

namespace md::git {

Status GitLibrary::initialize(const GitOptions &settings)
{
    static std::once_flag once;
    static Status initialized;
    std::call_once(once, [] {
        // libgit2 1.5.1 reads $HOME/.ssh/known_hosts: without HOME every SSH connection fails.
        if (qEnvironmentVariableIsEmpty("HOME"))
            qputenv("HOME", platform::userHome().toLocal8Bit());
        git_libgit2_init();
        git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
        git_libgit2_opts(GIT_OPT_SET_USER_AGENT, "MirrorDesk/" MIRRORDESK_VERSION);
        initialized = registerTimeoutStream();
    });
    if (!initialized)
        return initialized;
    if (!settings.caFile.isEmpty()) {
        if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, settings.caFile.toLocal8Bit().constData(), nullptr) < 0)
            return Error{ErrorCategory::Tls, lastError(-1, QStringLiteral("cannot use ca_file %1").arg(settings.caFile)).message, {}, 0, 0};
        // The protocol-v2 lister's HTTPS (Qt's TLS, not libgit2's) trusts the same extra CAs.
        if (auto status = setV2CaFile(settings.caFile); !status)
            return status;
        setGitCliCaFile(settings.caFile); // and the git binary's pushes
    }
    return {};
}

} // namespace md::git

namespace md::git {

GitInit::GitInit()
{
    git_libgit2_init();
}

GitInit::~GitInit()
{
    git_libgit2_shutdown();
}

} // namespace md::git
