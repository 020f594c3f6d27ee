// Bitbucket Server / Data Center (REST 1.0): a project's repositories (paged by isLastPage /
// nextPageStart), their content hashes from the mirroring API where it answers, and creating a
// repository in a project.

#include "providers/ProviderJob.h"
#include "providers/ProviderJson.h"

#include <QJsonDocument>
#include <QUrlQuery>

namespace md::providers::detail {

namespace {

// {"size": 25, "limit": 100, "isLastPage": false, "values": […], "start": 0, "nextPageStart": 100}:
// the next page is the same URL with start=nextPageStart.
QByteArray nextStart(JsonFields &json, const QJsonObject &top, const QUrl &url)
{
    if (!JsonFields::present(top, QStringLiteral("isLastPage"))) {
        json.fail(QStringLiteral("isLastPage"), QStringLiteral("is missing"));
        return {};
    }
    if (json.optionalBool(top, QStringLiteral("isLastPage"), QString(), true))
        return {};
    const qint64 start = json.requiredInteger(top, QStringLiteral("nextPageStart"), QString());
    if (!json.ok())
        return {};
    QUrl next = url;
    QUrlQuery query(next);
    query.removeAllQueryItems(QStringLiteral("start"));
    query.addQueryItem(QStringLiteral("start"), QString::number(start));
    next.setQuery(query);
    return next.toEncoded();
}

// One repository object: {"slug", "id", "name", "project": {"key", "id", …}, "archived",
// "links": {"clone": [{"href", "name": "http"|"ssh"}], …}, "origin": {…} for a fork, …}.
RemoteRepository readRepository(JsonFields &json, const QJsonObject &item, const QString &path, qint64 *projectId)
{
    RemoteRepository repository;
    const QString slug = json.requiredString(item, QStringLiteral("slug"), path);
    repository.id = json.requiredInteger(item, QStringLiteral("id"), path);
    const QString projectPath = JsonFields::join(path, QStringLiteral("project"));
    const QJsonObject project = json.requiredObject(item, QStringLiteral("project"), path);
    const QString key = json.requiredString(project, QStringLiteral("key"), projectPath);
    const std::optional<qint64> numericProject = json.optionalInteger(project, QStringLiteral("id"), projectPath);
    if (projectId && numericProject)
        *projectId = *numericProject;
    repository.fullName = key + QLatin1Char('/') + slug;
    const QString linksPath = JsonFields::join(path, QStringLiteral("links"));
    const QJsonArray clone = json.requiredArray(json.requiredObject(item, QStringLiteral("links"), path), QStringLiteral("clone"), linksPath);
    const QString clonePath = JsonFields::join(linksPath, QStringLiteral("clone"));
    for (qsizetype c = 0; c < clone.size() && json.ok(); ++c) {
        const QString linkPath = JsonFields::index(clonePath, c);
        const QJsonObject link = json.element(clone.at(c), linkPath);
        const QString name = json.optionalString(link, QStringLiteral("name"), linkPath);
        if (name == QLatin1String("http") || name == QLatin1String("https"))
            repository.cloneUrl = withoutCredentials(json.requiredString(link, QStringLiteral("href"), linkPath));
        else if (name == QLatin1String("ssh"))
            repository.sshUrl = json.requiredString(link, QStringLiteral("href"), linkPath);
    }
    if (json.ok() && repository.cloneUrl.isEmpty())
        json.fail(clonePath, QStringLiteral("has no \"http\" link"));
    repository.archived = json.optionalBool(item, QStringLiteral("archived"), path); // Bitbucket 8.0 and later
    repository.fork = JsonFields::present(item, QStringLiteral("origin"));
    repository.defaultBranch = json.optionalString(item, QStringLiteral("defaultBranch"), path); // where offered
    return repository;
}

class BitbucketServerDialect final : public Dialect {
public:
    QString ownerNoun() const override { return QStringLiteral("project"); }

    QUrl listUrl(const Session &session, const QString &owner) const override
    {
        return session.url("/rest/api/1.0/projects/" + segment(owner) + "/repos", "limit=100&start=0");
    }

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
            RemoteRepository repository = readRepository(json, json.element(values.at(i), path), path, &out.projectId);
            if (json.ok())
                out.repositories.append(std::move(repository));
        }
        const QByteArray next = json.ok() ? nextStart(json, top, page.url) : QByteArray();
        if (!json.ok())
            return json.error();
        return next;
    }
};

// Bitbucket's slug of a new repository's name: lower case, each run of other characters than
// letters, digits, '.', '_' and '-' made one '-'.
QString slugOf(const QString &name)
{
    QString slug;
    bool dash = false;
    for (const QChar c : name.toLower()) {
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.')
            || c == QLatin1Char('_') || c == QLatin1Char('-')) {
            slug += c;
            dash = false;
        } else if (!dash) {
            slug += QLatin1Char('-');
            dash = true;
        }
    }
    while (slug.startsWith(QLatin1Char('-')))
        slug.remove(0, 1);
    while (slug.endsWith(QLatin1Char('-')))
        slug.chop(1);
    return slug;
}

// POST …/projects/{key}/repos {"name", "scmId": "git"}; 409 -> GET the existing one.
class CreateJob final : public TypedJob<RemoteRepository> {
public:
    CreateJob(Session &session, QObject *context, QString key, QString name, CreateDone done)
        : TypedJob(session, context, QStringLiteral("creating %1 in the project %2 on %3").arg(quoted(name), quoted(key), session.host()),
                   std::move(done))
        , m_key(std::move(key))
        , m_name(std::move(name))
    {
    }

protected:
    void start() override
    {
        if (m_key.isEmpty() || m_key.contains(QLatin1Char('/')) || m_name.isEmpty() || m_name.contains(QLatin1Char('/'))
            || slugOf(m_name).isEmpty()) {
            fail(Error::config(QStringLiteral("name"),
                               QStringLiteral("cannot create %1 in %2: Bitbucket Server has one project level and no \"/\" in names")
                                   .arg(quoted(m_name), quoted(m_key))));
            return;
        }
        HttpRequest request;
        request.method = "POST";
        request.url = m_session.url("/rest/api/1.0/projects/" + segment(m_key) + "/repos");
        request.body = QJsonDocument(QJsonObject{{QStringLiteral("name"), m_name}, {QStringLiteral("scmId"), QStringLiteral("git")}})
                           .toJson(QJsonDocument::Compact);
        request.what = m_what;
        send(std::move(request), [this](const HttpResponse &response) { onCreated(response); });
    }

private:
    void onCreated(const HttpResponse &response)
    {
        if (response.status == 201 || response.status == 200) {
            deliver(response.body, QStringLiteral("the repository Bitbucket Server created"));
            return;
        }
        if (response.status == 409) { // "This repository URL is already taken by 'x' in 'KEY'"
            HttpRequest request;
            request.url = m_session.url("/rest/api/1.0/projects/" + segment(m_key) + "/repos/" + segment(slugOf(m_name)));
            request.what = QStringLiteral("the existing repository %1/%2").arg(m_key, slugOf(m_name));
            send(std::move(request), [this](const HttpResponse &answer) { onExisting(answer); });
            return;
        }
        if (response.status == 404) {
            fail(httpError(ErrorCategory::NotFound,
                           QStringLiteral("no project %1 on %2, or the token cannot see it (HTTP 404)").arg(quoted(m_key), m_session.host()), 404));
            return;
        }
        if (response.status == 400) {
            const QString said = serverMessage(response.body);
            fail(httpError(ErrorCategory::Rejected,
                           QStringLiteral("%1 refused %2 (HTTP 400)%3").arg(m_session.host(), m_what, said.isEmpty() ? QString() : QStringLiteral(": ") + said),
                           400));
            return;
        }
        fail(statusError(m_session, response, m_what));
    }

    void onExisting(const HttpResponse &response)
    {
        if (response.status != 200) {
            fail(statusError(m_session, response, QStringLiteral("the repository %1/%2, which Bitbucket Server says exists,").arg(m_key, slugOf(m_name))));
            return;
        }
        deliver(response.body, QStringLiteral("the existing repository %1/%2").arg(m_key, slugOf(m_name)));
    }

    void deliver(const QByteArray &body, const QString &what)
    {
        JsonFields json(QStringLiteral("%1 on %2").arg(what, m_session.host()));
        const auto document = json.parse(body);
        RemoteRepository repository = document ? readRepository(json, json.topObject(*document), QString(), nullptr) : RemoteRepository{};
        if (!json.ok()) {
            fail(json.error());
            return;
        }
        succeed(std::move(repository));
    }

    QString m_key;
    QString m_name;
};

} // namespace

const Dialect &bitbucketServerDialect()
{
    static const BitbucketServerDialect dialect;
    return dialect;
}

// The mirroring API's "Get hashes for repositories in project", keyed by the numeric project id.
QUrl bitbucketServerHashesUrl(const Session &session, qint64 projectId)
{
    return session.url("/rest/mirroring/latest/projects/" + QByteArray::number(projectId) + "/repos",
                       "includeDefaultBranch=true&limit=100&start=0");
}

// A page of EnrichedRepository: the repository's fields plus
// "properties": {"contentHash", "metadataHash", "defaultBranchId"}.
Result<QByteArray> readBitbucketServerHashes(const Page &page, const QString &context, QHash<qint64, ContentHash> &out)
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
        const qint64 id = json.requiredInteger(item, QStringLiteral("id"), path);
        const QString propertiesPath = JsonFields::join(path, QStringLiteral("properties"));
        const QJsonObject properties = json.optionalObject(item, QStringLiteral("properties"), path);
        ContentHash hash;
        hash.contentHash = json.optionalString(properties, QStringLiteral("contentHash"), propertiesPath);
        hash.defaultBranch = json.optionalString(properties, QStringLiteral("defaultBranchId"), propertiesPath);
        if (hash.defaultBranch.startsWith(QLatin1String("refs/heads/")))
            hash.defaultBranch.remove(0, 11);
        if (json.ok())
            out.insert(id, hash);
    }
    const QByteArray next = json.ok() ? nextStart(json, top, page.url) : QByteArray();
    if (!json.ok())
        return json.error();
    return next;
}

Job *createBitbucketServerRepository(Session &session, QObject *context, const QString &projectKey, const QString &name,
                                     CreateDone done)
{
    return new CreateJob(session, context, projectKey, name, std::move(done));
}

} // namespace md::providers::detail
