#include "git/RemoteLister.h"

#include "git/Connection.h"
#include "git/GitError.h"
#include "git/Oid.h"
#include "git/V2Lister.h"
#include "git/GitPtr.h"

#include <QDir>
#include <QFileInfo>

namespace md::git {

Result<RemoteListing> listRemote(const RemoteAccess &access, const StreamLimits &limits)
{
    Connection connection(access, limits);
    if (auto connected = connection.connectForFetch(nullptr); !connected)
        return connected.error();
    auto listing = connection.list();
    connection.disconnect();
    return listing;
}

Result<RemoteListing> listMirroredRefs(const RemoteAccess &access, const StreamLimits &limits, bool *usedV2)
{
    auto listing = listRefsV2(access, limits, mirroredRefPrefixes());
    const bool fallBack = !listing && (isV2Unsupported(listing.error()) || listing.error().detail.value(QStringLiteral("invalid_ref_name")).toBool());
    if (usedV2)
        *usedV2 = !fallBack;
    if (fallBack)
        return listRemote(access, limits);
    return listing;
}

Result<RepositoryPtr> openCache(const QString &repositoryPath)
{
    if (!QFileInfo::exists(repositoryPath))
        return RepositoryPtr();
    git_repository *raw = nullptr;
    if (const int rc = git_repository_open_bare(&raw, QDir::toNativeSeparators(repositoryPath).toUtf8().constData()); rc < 0)
        return lastError(rc, QStringLiteral("cannot open the cache %1").arg(repositoryPath));
    return RepositoryPtr(raw);
}

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

QString headTargetOf(git_repository *repository)
{
    git_reference *rawHead = nullptr;
    if (!repository || git_reference_lookup(&rawHead, repository, "HEAD") < 0)
        return {};
    const ReferencePtr head(rawHead);
    return git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC ? QString::fromUtf8(git_reference_symbolic_target(head.get()))
                                                                    : QString();
}

QString headTargetOf(const QString &repositoryPath)
{
    git_repository *raw = nullptr;
    if (!QFileInfo::exists(repositoryPath) || git_repository_open_bare(&raw, QDir::toNativeSeparators(repositoryPath).toUtf8().constData()) < 0)
        return {};
    const RepositoryPtr repository(raw);
    return headTargetOf(repository.get());
}

AncestryReader::AncestryReader(const QString &repositoryPath)
{
    git_repository *raw = nullptr;
    if (QFileInfo::exists(repositoryPath)
        && git_repository_open_bare(&raw, QDir::toNativeSeparators(repositoryPath).toUtf8().constData()) == 0) {
        m_owned.reset(raw);
        m_repository = raw;
    }
}

AncestryReader::AncestryReader(git_repository *borrowed)
    : m_repository(borrowed)
{
}

AncestryReader::~AncestryReader() = default;

bool AncestryReader::contains(const QString &oid) const
{
    const auto id = parseOid(oid);
    git_odb *raw = nullptr;
    if (!m_repository || !id || git_repository_odb(&raw, m_repository) < 0)
        return false;
    const OdbPtr odb(raw);
    return git_odb_exists(odb.get(), &*id) == 1;
}

std::optional<bool> AncestryReader::isAncestor(const QString &ancestor, const QString &descendant) const
{
    const auto a = parseOid(ancestor);
    const auto d = parseOid(descendant);
    if (!m_repository || !a || !d || !contains(ancestor) || !contains(descendant))
        return std::nullopt;
    if (git_oid_equal(&*a, &*d))
        return true;
    const int rc = git_graph_descendant_of(m_repository, &*d, &*a);
    if (rc < 0)
        return std::nullopt;
    return rc == 1;
}

} // namespace md::git
