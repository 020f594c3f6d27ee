// Bitbucket Cloud (API 2.0): a workspace's repositories, paged by the body's "next".

#include "providers/ProviderJob.h"
#include "providers/ProviderJson.h"

namespace md::providers::detail {

namespace {

class BitbucketCloudDialect final : public Dialect {
public:
    QString ownerNoun() const override { return QStringLiteral("workspace"); }

    QUrl listUrl(const Session &session, const QString &owner) const override
    {
        return session.url("/repositories/" + segment(owner), "pagelen=100");
    }

    // {"pagelen": 100, "page": 1, "size": 250, "values": […], "next": "https://…?page=2"}
    Result<QByteArray> readPage(const Page &page, const QString &context, Listed &out) const override
    {
        JsonFields json(context);
        const auto document = json.parse(page.body);
        if (!document)
            return json.error();
        const QJsonObject top = json.topObject(*document);
        const QJsonArray values = json.requiredArray(top, QStringLiteral("values"), QString());
        for (qsizetype i = 0; i < values.size() && json.ok(); ++i) {
            const QString path = JsonFields::index(QStringLiteral("values"), i);
            const QJsonObject item = json.element(values.at(i), path);
            RemoteRepository repository;
            repository.fullName = json.requiredString(item, QStringLiteral("full_name"), path);
            const QString linksPath = JsonFields::join(path, QStringLiteral("links"));
            const QJsonArray clone = json.requiredArray(json.requiredObject(item, QStringLiteral("links"), path), QStringLiteral("clone"), linksPath);
            const QString clonePath = JsonFields::join(linksPath, QStringLiteral("clone"));
            for (qsizetype c = 0; c < clone.size() && json.ok(); ++c) {
                const QString linkPath = JsonFields::index(clonePath, c);
                const QJsonObject link = json.element(clone.at(c), linkPath);
                const QString name = json.optionalString(link, QStringLiteral("name"), linkPath);
                if (name == QLatin1String("https"))
                    repository.cloneUrl = withoutCredentials(json.requiredString(link, QStringLiteral("href"), linkPath));
                else if (name == QLatin1String("ssh"))
                    repository.sshUrl = json.requiredString(link, QStringLiteral("href"), linkPath);
            }
            if (json.ok() && repository.cloneUrl.isEmpty())
                json.fail(clonePath, QStringLiteral("has no \"https\" link"));
            // null for an empty repository
            repository.defaultBranch = json.optionalString(json.optionalObject(item, QStringLiteral("mainbranch"), path),
                                                           QStringLiteral("name"), JsonFields::join(path, QStringLiteral("mainbranch")));
            repository.fork = JsonFields::present(item, QStringLiteral("parent"));
            // Bitbucket Cloud has no archived flag.
            if (json.ok())
                out.repositories.append(std::move(repository));
        }
        const QString next = json.optionalString(top, QStringLiteral("next"), QString());
        if (!json.ok())
            return json.error();
        if (next.isEmpty())
            return QByteArray();
        const QUrl nextUrl(next, QUrl::StrictMode);
        if (!nextUrl.isValid()) {
            json.fail(QStringLiteral("next"), QStringLiteral("is not a URL"));
            return json.error();
        }
        return nextUrl.toEncoded();
    }
};

} // namespace

const Dialect &bitbucketCloudDialect()
{
    static const BitbucketCloudDialect dialect;
    return dialect;
}

} // namespace md::providers::detail
