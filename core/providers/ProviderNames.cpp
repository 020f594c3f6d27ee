#include "providers/Provider.h"

#include "util/EnumNames.h"

namespace md::providers {

namespace {
constexpr std::pair<Provider, const char *> kProviders[] = {
    {Provider::GitHub, "github"},
    {Provider::GitLab, "gitlab"},
    {Provider::BitbucketCloud, "bitbucket-cloud"},
    {Provider::BitbucketServer, "bitbucket-server"},
};
} // namespace

QString providerName(Provider provider) { return enumName(provider, kProviders); }
std::optional<Provider> providerFromName(const QString &name) { return enumFromName(name, kProviders); }

QString defaultApiUrl(Provider provider)
{
    switch (provider) {
    case Provider::GitHub:
        return QStringLiteral("https://api.github.com");
    case Provider::GitLab:
        return QStringLiteral("https://gitlab.com/api/v4");
    case Provider::BitbucketCloud:
        return QStringLiteral("https://api.bitbucket.org/2.0");
    case Provider::BitbucketServer:
        break;
    }
    return {};
}

bool canCreateRepositories(Provider provider)
{
    return provider == Provider::GitLab || provider == Provider::BitbucketServer;
}

} // namespace md::providers
