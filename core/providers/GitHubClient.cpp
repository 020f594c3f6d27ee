// GitHub and GitHub Enterprise (REST v3): an organisation's repositories, a user's when the
// organisation does not exist, and a repository's protected branches. Pages by the Link header.

#include "providers/ProviderJob.h"
#include "providers/ProviderJson.h"

namespace md::providers::detail {

namespace {

class GitHubDialect final : public Dialect {
public:
    QString ownerNoun() const override { return QStringLiteral("organisation or user"); }

    QUrl listUrl(const Session &session, const QString &owner) const override
    {
        return session.url("/orgs/" + segment(owner) + "/repos", "per_page=100");
    }

    // /orgs/{org} answers 404 for a user: list the user's repositories instead (their public
    // ones, as GitHub shows them to this token).
    std::optional<QUrl> fallbackUrl(const Session &session, const QString &owner, const QUrl &failed) const override
    {
        if (!failed.path(QUrl::FullyEncoded).startsWith(session.base().path(QUrl::FullyEncoded) + QStringLiteral("/orgs/")))
            return std::nullopt;
        return session.url("/users/" + segment(owner) + "/repos", "per_page=100");
    }

    Result<QByteArray> readPage(const Page &page, const QString &context, Listed &out) const override
    {
        JsonFields json(context);
        const auto document = json.parse(page.body);
        if (!document)
            return json.error();
        const QJsonArray items = json.topArray(*document);
        for (qsizetype i = 0; i < items.size() && json.ok(); ++i) {
            const QString path = JsonFields::index(QString(), i);
            const QJsonObject item = json.element(items.at(i), path);
            RemoteRepository repository;
            repository.fullName = json.requiredString(item, QStringLiteral("full_name"), path);
            repository.cloneUrl = withoutCredentials(json.requiredString(item, QStringLiteral("clone_url"), path));
            repository.sshUrl = json.optionalString(item, QStringLiteral("ssh_url"), path);
            repository.defaultBranch = json.optionalString(item, QStringLiteral("default_branch"), path);
            repository.archived = json.optionalBool(item, QStringLiteral("archived"), path);
            repository.fork = json.optionalBool(item, QStringLiteral("fork"), path);
            out.repositories.append(std::move(repository));
        }
        if (!json.ok())
            return json.error();
        return page.headerNext;
    }
};

} // namespace

const Dialect &gitHubDialect()
{
    static const GitHubDialect dialect;
    return dialect;
}

QUrl gitHubProtectedBranchesUrl(const Session &session, const RemoteRepository &repository)
{
    return session.url("/repos/" + segments(repository.fullName) + "/branches", "protected=true&per_page=100");
}

// [{"name": "main", "commit": {…}, "protected": true}, …]: names GitHub matched against its
// fnmatch rules; each is a pattern for exactly itself in our dialect (see Provider.h).
Result<QByteArray> readGitHubBranchNames(const Page &page, const QString &context, QStringList &out)
{
    JsonFields json(context);
    const auto document = json.parse(page.body);
    if (!document)
        return json.error();
    const QJsonArray items = json.topArray(*document);
    for (qsizetype i = 0; i < items.size() && json.ok(); ++i) {
        const QString path = JsonFields::index(QString(), i);
        const QString name = json.requiredString(json.element(items.at(i), path), QStringLiteral("name"), path);
        if (json.ok() && name.contains(QLatin1Char('*')))
            json.fail(JsonFields::join(path, QStringLiteral("name")), QStringLiteral("holds a \"*\", which no branch name can"));
        if (json.ok())
            out << name;
    }
    if (!json.ok())
        return json.error();
    return page.headerNext;
}

} // namespace md::providers::detail
