#include "providers/Provider.h"

#include "providers/ProviderJob.h"
#include "util/Log.h"

namespace md::providers {

using namespace detail;

QString providerName(Provider provider)
{
    switch (provider) {
    case Provider::GitHub:
        return QStringLiteral("github");
    case Provider::GitLab:
        return QStringLiteral("gitlab");
    case Provider::BitbucketCloud:
        return QStringLiteral("bitbucket-cloud");
    case Provider::BitbucketServer:
        return QStringLiteral("bitbucket-server");
    }
    return {};
}

std::optional<Provider> providerFromName(const QString &name)
{
    for (Provider provider : {Provider::GitHub, Provider::GitLab, Provider::BitbucketCloud, Provider::BitbucketServer}) {
        if (providerName(provider) == name)
            return provider;
    }
    return std::nullopt;
}

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

namespace {

const Dialect &dialectFor(Provider provider)
{
    switch (provider) {
    case Provider::GitHub:
        break;
    case Provider::GitLab:
        return gitLabDialect();
    case Provider::BitbucketCloud:
        return bitbucketCloudDialect();
    case Provider::BitbucketServer:
        return bitbucketServerDialect();
    }
    return gitHubDialect();
}

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

// Every repository of an owner, page by page; Bitbucket Server's content hashes after them.
class ListJob final : public TypedJob<Listing> {
public:
    ListJob(Session &session, QObject *context, QString owner, PageCache *cache, ProgressFn progress, ListDone done)
        : TypedJob(session, context,
                   QStringLiteral("the repositories of the %1 %2 on %3")
                       .arg(dialectFor(session.access().provider).ownerNoun(), quoted(owner), session.host()),
                   std::move(done))
        , m_dialect(dialectFor(session.access().provider))
        , m_owner(std::move(owner))
        , m_cache(cache)
        , m_progressFn(std::move(progress))
    {
    }

protected:
    void start() override
    {
        QString bad = m_dialect.badOwner(m_owner);
        if (m_owner.trimmed().isEmpty())
            bad = QStringLiteral("no %1 given").arg(m_dialect.ownerNoun());
        else if (hasControlCharacters(m_owner))
            bad = QStringLiteral("the %1 name %2 holds control characters").arg(m_dialect.ownerNoun(), quoted(m_owner));
        if (!bad.isEmpty()) {
            fail(Error::config(QStringLiteral("owner"), bad));
            return;
        }
        Pages pages;
        pages.first = m_dialect.listUrl(m_session, m_owner);
        pages.cache = m_cache;
        pages.what = m_what;
        pages.read = [this](const Page &page) {
            ++m_stats.pages;
            if (page.notModified)
                ++m_stats.notModified;
            return m_dialect.readPage(page, QStringLiteral("%1, page %2").arg(m_what).arg(page.number), m_listed);
        };
        pages.onStatus = [this](const HttpResponse &response, int pageNumber) { return onStatus(response, pageNumber); };
        pages.progress = [this](const Page &page) {
            m_state.pages = m_stats.pages;
            m_state.notModified = m_stats.notModified;
            m_state.repositories = static_cast<int>(m_listed.repositories.size());
            m_state.message = QStringLiteral("read page %1 of %2 (%3 repositories so far%4)")
                                  .arg(page.number)
                                  .arg(m_what)
                                  .arg(m_state.repositories)
                                  .arg(page.notModified ? QStringLiteral(", unchanged") : QString());
            report();
        };
        pages.done = [this] { listed(); };
        fetchPages(std::move(pages));
    }

    void waiting(const QDateTime &until, const QString &message) override
    {
        m_state.waitingUntil = until;
        m_state.message = message;
        report();
    }

private:
    StatusVerdict onStatus(const HttpResponse &response, int pageNumber)
    {
        if (response.status == 404 && pageNumber == 1 && !m_fellBack) {
            if (std::optional<QUrl> other = m_dialect.fallbackUrl(m_session, m_owner, response.url)) {
                m_fellBack = true;
                qCInfo(lcProviders).noquote() << QStringLiteral("no organisation %1 on %2; listing the user's repositories")
                                                     .arg(quoted(m_owner), m_session.host());
                return StatusVerdict::restartAt(*other);
            }
        }
        if (response.status == 403 || response.status == 404) {
            return StatusVerdict::failWith(httpError(ErrorCategory::NotFound,
                                                     QStringLiteral("no %1 %2 on %3, or the token cannot see it (HTTP %4)")
                                                         .arg(m_dialect.ownerNoun(), quoted(m_owner), m_session.host())
                                                         .arg(response.status),
                                                     response.status));
        }
        return StatusVerdict::failWith(statusError(m_session, response, QStringLiteral("page %1 of %2").arg(pageNumber).arg(m_what)));
    }

    void listed()
    {
        if (m_session.access().provider != Provider::BitbucketServer || m_listed.repositories.isEmpty() || m_listed.projectId == 0) {
            complete();
            return;
        }
        // Bitbucket Server: the content hashes, where the mirroring API answers.
        Pages pages;
        pages.first = bitbucketServerHashesUrl(m_session, m_listed.projectId);
        pages.cache = m_cache;
        pages.what = QStringLiteral("the content hashes of the project %1 on %2").arg(quoted(m_owner), m_session.host());
        pages.read = [this, what = pages.what](const Page &page) {
            return readBitbucketServerHashes(page, QStringLiteral("%1, page %2").arg(what).arg(page.number), m_hashes);
        };
        pages.onStatus = [this, what = pages.what](const HttpResponse &response, int pageNumber) {
            // 404: no mirroring API (Server without Data Center); 409: "mirroring is not available";
            // 403: not for this token. The hashes are a help, not a need.
            if (response.status == 403 || response.status == 404 || response.status == 409) {
                qCInfo(lcProviders).noquote() << QStringLiteral("no mirroring API on %1 (HTTP %2); content hashes left empty")
                                                     .arg(m_session.host())
                                                     .arg(response.status);
                m_hashes.clear();
                return StatusVerdict::stop();
            }
            return StatusVerdict::failWith(statusError(m_session, response, QStringLiteral("page %1 of %2").arg(pageNumber).arg(what)));
        };
        pages.done = [this] {
            for (RemoteRepository &repository : m_listed.repositories) {
                const auto it = m_hashes.constFind(repository.id);
                if (it == m_hashes.constEnd())
                    continue;
                repository.contentHash = it->contentHash;
                if (repository.defaultBranch.isEmpty())
                    repository.defaultBranch = it->defaultBranch;
            }
            complete();
        };
        fetchPages(std::move(pages));
    }

    void complete()
    {
        // The cache keeps exactly the pages this listing read: an owner that shrank leaves no
        // stale pages behind.
        if (m_cache) {
            for (auto it = m_cache->pages.begin(); it != m_cache->pages.end();) {
                if (pagesRead().contains(it.key()))
                    ++it;
                else
                    it = m_cache->pages.erase(it);
            }
        }
        m_stats.requests = m_counters.requests;
        m_stats.rateLimitWaits = m_counters.rateLimitWaits;
        m_stats.serverRetries = m_counters.serverRetries;
        qCInfo(lcProviders).noquote() << QStringLiteral("%1: %2 repositories in %3 pages (%4 unchanged), %5 requests")
                                             .arg(m_what)
                                             .arg(m_listed.repositories.size())
                                             .arg(m_stats.pages)
                                             .arg(m_stats.notModified)
                                             .arg(m_stats.requests);
        succeed(Listing{std::move(m_listed.repositories), m_stats});
    }

    void report()
    {
        if (!m_progressFn)
            return;
        post([progress = m_progressFn, state = m_state] { progress(state); });
    }

    const Dialect &m_dialect;
    QString m_owner;
    PageCache *m_cache = nullptr;
    ProgressFn m_progressFn;
    ListProgress m_state;
    ListStats m_stats;
    Listed m_listed;
    QHash<qint64, ContentHash> m_hashes;
    bool m_fellBack = false;
};

// A repository's protected-branch patterns (GitHub, GitLab), all pages; Bitbucket: none.
class PatternsJob final : public TypedJob<QStringList> {
public:
    PatternsJob(Session &session, QObject *context, RemoteRepository repository, PatternsDone done)
        : TypedJob(session, context, QStringLiteral("the protected branches of %1 on %2").arg(quoted(repository.fullName), session.host()),
                   std::move(done))
        , m_repository(std::move(repository))
    {
    }

protected:
    void start() override
    {
        const Provider provider = m_session.access().provider;
        if (provider == Provider::BitbucketCloud || provider == Provider::BitbucketServer) {
            succeed({});
            return;
        }
        if (m_repository.fullName.isEmpty() || m_repository.fullName.startsWith(QLatin1Char('/'))) {
            fail(Error::config(QStringLiteral("repository"), QStringLiteral("no repository named for its protected branches")));
            return;
        }
        Pages pages;
        pages.what = m_what;
        if (provider == Provider::GitHub) {
            pages.first = gitHubProtectedBranchesUrl(m_session, m_repository);
            pages.read = [this](const Page &page) {
                return readGitHubBranchNames(page, QStringLiteral("%1, page %2").arg(m_what).arg(page.number), m_patterns);
            };
        } else {
            pages.first = gitLabProtectedBranchesUrl(m_session, m_repository);
            pages.read = [this](const Page &page) {
                return readGitLabProtectedBranches(page, QStringLiteral("%1, page %2").arg(m_what).arg(page.number), m_patterns);
            };
        }
        pages.done = [this] {
            m_patterns.removeDuplicates();
            succeed(m_patterns);
        };
        fetchPages(std::move(pages));
    }

private:
    RemoteRepository m_repository;
    QStringList m_patterns;
};

// Ends with an error found before any request.
class RefusedJob final : public TypedJob<RemoteRepository> {
public:
    RefusedJob(Session &session, QObject *context, Error error, CreateDone done)
        : TypedJob(session, context, error.message, std::move(done))
        , m_error(std::move(error))
    {
    }

protected:
    void start() override { fail(m_error); }

private:
    Error m_error;
};

} // namespace

struct ProviderClient::Private {
    explicit Private(ProviderAccess access)
        : session(std::move(access))
    {
    }

    void run(Job *job) { job->begin(); }

    Session session;
    // The jobs' parent and where their callbacks are posted. Declared after the session, so it
    // (with every job and reply) goes first.
    QObject context;
};

ProviderClient::ProviderClient(ProviderAccess access, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(std::move(access)))
{
}

ProviderClient::~ProviderClient() = default;

void ProviderClient::listRepositories(const QString &owner, PageCache *cache, ProgressFn progress, ListDone done)
{
    d->run(new ListJob(d->session, &d->context, owner, cache, std::move(progress), std::move(done)));
}

void ProviderClient::protectedBranches(const RemoteRepository &repository, PatternsDone done)
{
    d->run(new PatternsJob(d->session, &d->context, repository, std::move(done)));
}

void ProviderClient::createRepository(const QString &targetNamespace, const QString &name, CreateDone done)
{
    switch (d->session.access().provider) {
    case Provider::GitLab:
        d->run(createGitLabRepository(d->session, &d->context, targetNamespace, name, std::move(done)));
        return;
    case Provider::BitbucketServer:
        d->run(createBitbucketServerRepository(d->session, &d->context, targetNamespace, name, std::move(done)));
        return;
    case Provider::GitHub:
    case Provider::BitbucketCloud:
        break;
    }
    d->run(new RefusedJob(d->session, &d->context,
                          Error::config(QStringLiteral("target"),
                                        QStringLiteral("repositories are created only on GitLab and Bitbucket Server targets, not on %1")
                                            .arg(d->session.title())),
                          std::move(done)));
}

void ProviderClient::cancel()
{
    const QList<Job *> jobs = d->context.findChildren<Job *>(Qt::FindDirectChildrenOnly);
    for (Job *job : jobs)
        job->cancel();
}

} // namespace md::providers
