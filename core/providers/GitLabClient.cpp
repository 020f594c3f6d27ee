// GitLab (gitlab.com and self-managed, API v4): a group's projects with its subgroups', a
// project's protected branches, and creating a project in a group. Pages by Link or X-Next-Page.

#include "providers/ProviderJob.h"
#include "providers/ProviderJson.h"

#include <QJsonDocument>

namespace md::providers::detail {

namespace {

// One project object: the fields a listing and a create answer share.
RemoteRepository readProject(JsonFields &json, const QJsonObject &item, const QString &path)
{
    RemoteRepository repository;
    repository.fullName = json.requiredString(item, QStringLiteral("path_with_namespace"), path);
    repository.cloneUrl = withoutCredentials(json.requiredString(item, QStringLiteral("http_url_to_repo"), path));
    repository.sshUrl = json.optionalString(item, QStringLiteral("ssh_url_to_repo"), path);
    repository.defaultBranch = json.optionalString(item, QStringLiteral("default_branch"), path); // null when empty
    repository.archived = json.optionalBool(item, QStringLiteral("archived"), path);
    // Present (an object) only for a fork.
    repository.fork = JsonFields::present(item, QStringLiteral("forked_from_project"))
        && !json.optionalObject(item, QStringLiteral("forked_from_project"), path).isEmpty();
    repository.id = json.requiredInteger(item, QStringLiteral("id"), path);
    return repository;
}

class GitLabDialect final : public Dialect {
public:
    QString ownerNoun() const override { return QStringLiteral("group"); }

    QString badOwner(const QString &owner) const override
    {
        if (owner.startsWith(QLatin1Char('/')) || owner.endsWith(QLatin1Char('/')) || owner.contains(QLatin1String("//")))
            return QStringLiteral("%1 is not a valid group path").arg(quoted(owner));
        return {};
    }

    // Subgroups included; projects shared into the group from elsewhere left out (they live,
    // and are mirrored, under their own namespace).
    QUrl listUrl(const Session &session, const QString &owner) const override
    {
        return session.url("/groups/" + segment(owner) + "/projects", "include_subgroups=true&with_shared=false&per_page=100");
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
            RemoteRepository repository = readProject(json, json.element(items.at(i), path), path);
            if (json.ok())
                out.repositories.append(std::move(repository));
        }
        if (!json.ok())
            return json.error();
        return page.headerNext;
    }
};

// GET /groups/{path} for its id, POST /projects; "has already been taken" -> GET the project.
class CreateJob final : public TypedJob<RemoteRepository> {
public:
    CreateJob(Session &session, QObject *context, QString group, QString name, CreateDone done)
        : TypedJob(session, context, QStringLiteral("creating %1 in the group %2 on %3").arg(quoted(name), quoted(group), session.host()),
                   std::move(done))
        , m_group(std::move(group))
        , m_name(std::move(name))
    {
    }

protected:
    void start() override
    {
        const QStringList parts = m_name.split(QLatin1Char('/'));
        if (m_group.isEmpty() || m_name.isEmpty() || parts.contains(QString()) || m_group.startsWith(QLatin1Char('/'))
            || m_group.endsWith(QLatin1Char('/'))) {
            fail(Error::config(QStringLiteral("name"), QStringLiteral("cannot create %1 in %2: not a project path").arg(quoted(m_name), quoted(m_group))));
            return;
        }
        // "sub/repo": the project "repo" in the (existing) subgroup "group/sub".
        m_leaf = parts.last();
        m_namespace = parts.size() > 1 ? m_group + QLatin1Char('/') + QStringList(parts.mid(0, parts.size() - 1)).join(QLatin1Char('/')) : m_group;
        HttpRequest request;
        request.url = m_session.url("/groups/" + segment(m_namespace));
        request.what = QStringLiteral("the group %1").arg(quoted(m_namespace));
        send(std::move(request), [this](const HttpResponse &response) { onGroup(response); });
    }

private:
    void onGroup(const HttpResponse &response)
    {
        if (response.status == 403 || response.status == 404) {
            fail(httpError(ErrorCategory::NotFound,
                           QStringLiteral("no group %1 on %2, or the token cannot see it (HTTP %3)")
                               .arg(quoted(m_namespace), m_session.host())
                               .arg(response.status),
                           response.status));
            return;
        }
        if (response.status != 200) {
            fail(statusError(m_session, response, QStringLiteral("the group %1").arg(quoted(m_namespace))));
            return;
        }
        JsonFields json(QStringLiteral("the group %1 on %2").arg(quoted(m_namespace), m_session.host()));
        const auto document = json.parse(response.body);
        const qint64 id = document ? json.requiredInteger(json.topObject(*document), QStringLiteral("id"), QString()) : 0;
        if (!json.ok()) {
            fail(json.error());
            return;
        }
        QJsonObject body{{QStringLiteral("name"), m_leaf}, {QStringLiteral("path"), m_leaf}, {QStringLiteral("namespace_id"), id}};
        HttpRequest request;
        request.method = "POST";
        request.url = m_session.url("/projects");
        request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        request.what = m_what;
        send(std::move(request), [this](const HttpResponse &answer) { onCreated(answer); });
    }

    void onCreated(const HttpResponse &response)
    {
        if (response.status == 201 || response.status == 200) {
            deliverProject(response.body, QStringLiteral("the project GitLab created"));
            return;
        }
        // {"message": {"name": ["has already been taken"], "path": ["has already been taken"]}}
        if (response.status == 400 && response.body.contains("has already been taken")) {
            HttpRequest request;
            request.url = m_session.url("/projects/" + segment(fullPath()));
            request.what = QStringLiteral("the existing project %1").arg(quoted(fullPath()));
            send(std::move(request), [this](const HttpResponse &answer) { onExisting(answer); });
            return;
        }
        if (response.status == 400 || response.status == 409 || response.status == 422) {
            const QString said = serverMessage(response.body);
            fail(httpError(ErrorCategory::Rejected,
                           QStringLiteral("%1 refused %2 (HTTP %3)%4")
                               .arg(m_session.host(), m_what)
                               .arg(response.status)
                               .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said),
                           response.status));
            return;
        }
        fail(statusError(m_session, response, m_what));
    }

    void onExisting(const HttpResponse &response)
    {
        if (response.status != 200) {
            fail(statusError(m_session, response, QStringLiteral("the project %1, which GitLab says exists,").arg(quoted(fullPath()))));
            return;
        }
        deliverProject(response.body, QStringLiteral("the existing project %1").arg(quoted(fullPath())));
    }

    void deliverProject(const QByteArray &body, const QString &what)
    {
        Result<RemoteRepository> project = readGitLabProject(body, QStringLiteral("%1 on %2").arg(what, m_session.host()));
        if (!project) {
            fail(project.error());
            return;
        }
        succeed(std::move(project).value());
    }

    QString fullPath() const { return m_namespace + QLatin1Char('/') + m_leaf; }

    QString m_group;
    QString m_name;
    QString m_namespace;
    QString m_leaf;
};

} // namespace

const Dialect &gitLabDialect()
{
    static const GitLabDialect dialect;
    return dialect;
}

Result<RemoteRepository> readGitLabProject(const QByteArray &body, const QString &context)
{
    JsonFields json(context);
    const auto document = json.parse(body);
    if (!document)
        return json.error();
    RemoteRepository repository = readProject(json, json.topObject(*document), QString());
    if (!json.ok())
        return json.error();
    return repository;
}

QUrl gitLabProtectedBranchesUrl(const Session &session, const RemoteRepository &repository)
{
    const QByteArray project = repository.id > 0 ? QByteArray::number(repository.id) : segment(repository.fullName);
    return session.url("/projects/" + project + "/protected_branches", "per_page=100");
}

// [{"id": 1, "name": "release/*", "push_access_levels": […], …}]: GitLab's wildcard names are
// already our dialect.
Result<QByteArray> readGitLabProtectedBranches(const Page &page, const QString &context, QStringList &out)
{
    JsonFields json(context);
    const auto document = json.parse(page.body);
    if (!document)
        return json.error();
    const QJsonArray items = json.topArray(*document);
    for (qsizetype i = 0; i < items.size() && json.ok(); ++i) {
        const QString path = JsonFields::index(QString(), i);
        const QString name = json.requiredString(json.element(items.at(i), path), QStringLiteral("name"), path);
        if (json.ok())
            out << name;
    }
    if (!json.ok())
        return json.error();
    return page.headerNext;
}

Job *createGitLabRepository(Session &session, QObject *context, const QString &group, const QString &name, CreateDone done)
{
    return new CreateJob(session, context, group, name, std::move(done));
}

} // namespace md::providers::detail
