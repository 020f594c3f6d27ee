#include "git/RemoteLister.h"

#include "git/GitError.h"
#include "git/GitPtr.h"

#include <QDir>
#include <QFileInfo>

namespace md::git {

namespace {

QString oidText(const git_oid &oid)
{
    char text[GIT_OID_HEXSZ + 1];
    git_oid_tostr(text, sizeof text, &oid);
    return QString::fromLatin1(text);
}

bool parseOid(const QString &text, git_oid *oid)
{
    return git_oid_fromstrn(oid, text.toLatin1().constData(), static_cast<size_t>(text.size())) == 0 && text.size() == GIT_OID_HEXSZ;
}

} // namespace

namespace {
Result<RemoteListing> listRemoteGuarded(const RemoteAccess &access, const StreamLimits &limits, RemoteCallbacks &callbacks);
}

Result<RemoteListing> listRemote(const RemoteAccess &access, const StreamLimits &limits)
{
    StreamLimitsScope scope(limits);
    RemoteCallbacks callbacks(access, limits.cancel);
    std::optional<Result<RemoteListing>> result;
    QString fired;
    {
        Watchdog watchdog(scope, limits, [&callbacks] { return callbacks.lastProgressMs(); });
        result = listRemoteGuarded(access, limits, callbacks);
        fired = watchdog.firedReason();
    }
    if (!result->ok() && !fired.isEmpty())
        return Error{ErrorCategory::Timeout, QStringLiteral("listing refs of %1 timed out: %2").arg(access.displayUrl, fired), {}, 0, 0};
    return *result;
}

namespace {
Result<RemoteListing> listRemoteGuarded(const RemoteAccess &access, const StreamLimits &, RemoteCallbacks &callbacks)
{
    git_remote *raw = nullptr;
    if (const int rc = git_remote_create_detached(&raw, access.url.toUtf8().constData()); rc < 0)
        return lastError(rc, QStringLiteral("cannot use %1").arg(access.displayUrl));
    RemotePtr remote(raw);

    git_remote_connect_options options;
    git_remote_connect_options_init(&options, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
    callbacks.install(options.callbacks);
    options.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
    QByteArray proxy;
    options.proxy_opts = access.proxyOptions(proxy);
    if (const int rc = git_remote_connect_ext(remote.get(), GIT_DIRECTION_FETCH, &options); rc < 0) {
        if (!callbacks.problem().isEmpty())
            return callbacks.problemError(rc);
        return lastError(rc, QStringLiteral("cannot list refs of %1%2").arg(access.displayUrl, access.proxyNote()));
    }
    const git_remote_head **heads = nullptr;
    size_t count = 0;
    if (const int rc = git_remote_ls(&heads, &count, remote.get()); rc < 0)
        return lastError(rc, QStringLiteral("cannot list refs of %1").arg(access.displayUrl));
    RemoteListing listing;
    for (size_t i = 0; i < count; ++i) {
        const QString name = QString::fromUtf8(heads[i]->name);
        if (name == QLatin1String("HEAD") && heads[i]->symref_target)
            listing.headTarget = QString::fromUtf8(heads[i]->symref_target);
        if (name.endsWith(QLatin1String("^{}")) && !listing.refs.isEmpty()
            && listing.refs.last().name + QStringLiteral("^{}") == name) {
            listing.refs.last().peeled = oidText(heads[i]->oid);
            continue;
        }
        listing.refs.append(RefTip{name, oidText(heads[i]->oid), QString()});
    }
    git_remote_disconnect(remote.get());
    return listing;
}
} // namespace

Result<QList<RefTip>> listLocalRefs(const QString &repositoryPath)
{
    QList<RefTip> refs;
    if (!QFileInfo::exists(repositoryPath))
        return refs;
    git_repository *raw = nullptr;
    if (const int rc = git_repository_open_bare(&raw, QDir::toNativeSeparators(repositoryPath).toUtf8().constData()); rc < 0)
        return lastError(rc, QStringLiteral("cannot open the cache %1").arg(repositoryPath));
    RepositoryPtr repository(raw);
    return listLocalRefs(repository.get());
}

Result<QList<RefTip>> listLocalRefs(git_repository *repository)
{
    QList<RefTip> refs;
    git_reference_iterator *rawIterator = nullptr;
    if (const int rc = git_reference_iterator_glob_new(&rawIterator, repository, "refs/*"); rc < 0)
        return lastError(rc, QStringLiteral("cannot list the cache's refs"));
    ReferenceIteratorPtr iterator(rawIterator);
    git_reference *rawRef = nullptr;
    int next = 0;
    while ((next = git_reference_next(&rawRef, iterator.get())) == 0) {
        ReferencePtr ref(rawRef);
        if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT)
            continue;
        RefTip tip{QString::fromUtf8(git_reference_name(ref.get())), oidText(*git_reference_target(ref.get())), QString()};
        git_object *peeled = nullptr;
        if (tip.name.startsWith(QLatin1String("refs/tags/")) && git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT) == 0) {
            ObjectPtr owner(peeled);
            const QString commit = oidText(*git_object_id(peeled));
            if (commit != tip.oid)
                tip.peeled = commit;
        }
        refs.append(tip);
    }
    if (next != GIT_ITEROVER) // a partial listing would make a wrong plan
        return lastError(next, QStringLiteral("cannot list the cache's refs"));
    return refs;
}

AncestryReader::AncestryReader(const QString &repositoryPath)
{
    if (QFileInfo::exists(repositoryPath))
        git_repository_open_bare(&m_repository, QDir::toNativeSeparators(repositoryPath).toUtf8().constData());
}

AncestryReader::AncestryReader(git_repository *borrowed)
    : m_repository(borrowed)
    , m_owned(false)
{
}

AncestryReader::~AncestryReader()
{
    if (m_owned)
        git_repository_free(m_repository);
}

bool AncestryReader::contains(const QString &oid) const
{
    git_oid id;
    git_odb *odb = nullptr;
    if (!m_repository || !parseOid(oid, &id) || git_repository_odb(&odb, m_repository) < 0)
        return false;
    const bool exists = git_odb_exists(odb, &id) == 1;
    git_odb_free(odb);
    return exists;
}

std::optional<bool> AncestryReader::isAncestor(const QString &ancestor, const QString &descendant) const
{
    git_oid a, d;
    if (!m_repository || !parseOid(ancestor, &a) || !parseOid(descendant, &d) || !contains(ancestor) || !contains(descendant))
        return std::nullopt;
    if (git_oid_equal(&a, &d))
        return true;
    const int rc = git_graph_descendant_of(m_repository, &d, &a);
    if (rc < 0)
        return std::nullopt;
    return rc == 1;
}

} // namespace md::git
