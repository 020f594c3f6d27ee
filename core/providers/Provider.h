#pragma once

// Forge REST clients for org mirroring (DESIGN section 4): GitHub (and Enterprise), GitLab
// (gitlab.com and self-managed), Bitbucket Cloud, Bitbucket Server / Data Center. Asynchronous over
// QNetworkAccessManager on the caller's event loop; callbacks are invoked on that thread, never
// re-entrantly from inside the call that started the request. The token is a secret: it is sent
// only to the API base URL's own host and never appears in a message, a log line or a detail.

#include "util/Result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace md::providers {

enum class Provider { GitHub, GitLab, BitbucketCloud, BitbucketServer };

QString providerName(Provider provider);                           // "github", "gitlab", "bitbucket-cloud", "bitbucket-server"
std::optional<Provider> providerFromName(const QString &name);     // the names above
QString defaultApiUrl(Provider provider);                          // empty for Bitbucket Server (no public default)
bool canCreateRepositories(Provider provider);                     // GitLab and Bitbucket Server

// One repository as the provider lists it.
struct RemoteRepository {
    // The path below the owner's host, group paths kept: "org/repo" (GitHub), "group/sub/repo"
    // (GitLab path_with_namespace), "workspace/slug" (Bitbucket Cloud), "PROJECT/slug" (Bitbucket
    // Server: the project key, then the slug).
    QString fullName = {};
    QString cloneUrl = {};      // HTTP(S) clone URL as the API gives it, credentials stripped
    QString sshUrl = {};        // may be empty
    QString defaultBranch = {}; // may be empty (empty repository)
    bool archived = false;
    bool fork = false;
    QString contentHash = {};   // Bitbucket Server mirroring API's contentHash, else empty
    qint64 id = 0;              // the provider's numeric id where it has one (GitLab, BBS), else 0
};

// Where and how to reach the API. `token` is the secret read from the org's credential.
struct ProviderAccess {
    Provider provider = Provider::GitHub;
    QString apiUrl = {};      // base URL without trailing slash (e.g. https://api.github.com, https://gitlab.example/api/v4)
    QString username = {};    // Bitbucket basic auth (app password) or BBS basic; empty: the token is a bearer token
    QByteArray token = {};    // empty: anonymous
    QString caFile = {};      // extra CA certificates (the global ca_file setting)
    int timeoutMs = 30000;    // per request, without progress
    int maxServerRetries = 3; // 5xx answers retried with backoff before the listing fails
    int maxRateLimitWaitSeconds = 3600; // a rate limit that resets later than this fails the listing
    int backoffBaseMs = 500;  // first 5xx backoff; doubles per retry
};

// Conditional-request cache for pages: the URL of a page -> its ETag and body. The caller owns it
// and may persist it (OrgOps keeps one per org in the state folder) so a later listing revalidates
// with If-None-Match; a 304 answer reuses the stored body and, on GitHub, costs no rate limit.
struct PageCache {
    struct Page {
        QByteArray etag = {};
        QByteArray body = {};
        QByteArray next = {}; // the next page's URL the stored answer named (Link / next / nextPageStart), empty on the last
    };
    QHash<QString, Page> pages = {};
};

struct ListProgress {
    int pages = 0;           // pages received so far
    int notModified = 0;     // of which answered 304
    int repositories = 0;    // repositories received so far
    QDateTime waitingUntil = {}; // set while waiting for a rate limit to reset (or a Retry-After)
    QString message = {};    // what it does now, for the CLI's -v and the wizard ("waiting for GitHub's rate limit until 12:03:00 UTC")
};

struct ListStats {
    int pages = 0;
    int notModified = 0;
    int requests = 0;
    int rateLimitWaits = 0;
    int serverRetries = 0;
};

struct Listing {
    QList<RemoteRepository> repositories = {};
    ListStats stats = {};
};

using ListDone = std::function<void(Result<Listing>)>;
using ProgressFn = std::function<void(const ListProgress &)>;
using PatternsDone = std::function<void(Result<QStringList>)>;
using CreateDone = std::function<void(Result<RemoteRepository>)>;

// Errors (ErrorCategory, message naming the owner or repository and the API host, never the token):
// 401 -> Auth ("the token was refused"); 403 without a rate limit, 404 -> NotFound (owner named:
// "no organisation or user \"acme\" on api.github.com, or the token cannot see it"); 5xx retried
// with backoff, then Network with detail {"http_status": N}; malformed JSON or a missing field ->
// Network with the field named ("repositories[3].full_name is missing"); connect/TLS/timeout as
// Network/Tls/Timeout; a cancel -> Interrupted. A rate limit (403/429 with X-RateLimit-Remaining: 0,
// or Retry-After) waits until the reset, says so in progress, and resumes.
class ProviderClient : public QObject {
    Q_OBJECT
public:
    explicit ProviderClient(ProviderAccess access, QObject *parent = nullptr);
    ~ProviderClient() override;

    // Every repository of the owner: a GitHub organisation or, if it is none, a user; a GitLab
    // group with its subgroups; a Bitbucket Cloud workspace; a Bitbucket Server project key. All
    // pages, in the provider's order. `cache` may be null; when given it is read and updated.
    // Bitbucket Server: each repository's contentHash from the mirroring API where it answers
    // (a 404 there is not an error: the hashes stay empty).
    void listRepositories(const QString &owner, PageCache *cache, ProgressFn progress, ListDone done);

    // The protected-branch patterns of one repository, converted to MirrorDesk's dialect
    // (DESIGN section 3: `*` matches any run including `/`). GitHub's fnmatch `*` stops at `/`,
    // so a GitHub pattern whose `*` would cross a `/` is narrowed (say how in the implementation).
    // GitLab: protected_branches names (its dialect already). Bitbucket: empty list, no error.
    void protectedBranches(const RemoteRepository &repository, PatternsDone done);

    // Creates an empty repository `name` (may contain `/` for GitLab subgroups that exist) in the
    // target namespace: a GitLab group path, or a Bitbucket Server project key. An existing one
    // with that path is returned as is (not an error): a second Run is a no-op.
    void createRepository(const QString &targetNamespace, const QString &name, CreateDone done);

    // Stops what runs; its callback is called once with an Interrupted error.
    void cancel();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace md::providers
