#pragma once

// Forge REST clients for org mirroring (DESIGN section 4): GitHub (and Enterprise), GitLab
// (gitlab.com and self-managed), Bitbucket Cloud, Bitbucket Server / Data Center. Asynchronous over
// QNetworkAccessManager on the caller's event loop; callbacks are invoked on that thread, never
// re-entrantly from inside the call that started the request. The token is a secret: it is sent
// only to the API base URL's own host and never appears in a message, a log line or a detail.
//
// Every callback (progress and done) is posted to the caller's event loop, so a done callback may
// destroy the client. Destroying the client stops what runs without calling its callbacks.
//
// How each provider is asked (the token in a header, never in a URL):
// - GitHub: `Authorization: Bearer <token>`; GitHub Enterprise: apiUrl https://ghe.example/api/v3.
// - GitLab: `Authorization: Bearer <token>` (GitLab takes personal, project and group access
//   tokens there as well as OAuth tokens; `PRIVATE-TOKEN` would refuse the OAuth ones).
// - Bitbucket Cloud and Server: basic auth `username:token` (an app password / HTTP access token
//   with its user) when `username` is set, else `Authorization: Bearer <token>`.
// Bitbucket Server's apiUrl is the server's base URL (https://bitbucket.example, with its context
// path if any): the REST paths /rest/api/1.0/… and /rest/mirroring/latest/… are added to it (a
// trailing /rest/api/1.0 or /rest/api/latest typed by the user is dropped).
// Every request and every page link must stay on the apiUrl's origin (scheme, host and port): a
// redirect or a `next` link to another origin is refused, so the token never goes there. Redirects
// on the same origin are followed (GET only, at most 5).

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
    int timeoutMs = 30000;    // per request, without progress (0: no limit)
    int maxServerRetries = 3; // 5xx answers retried with backoff before the listing fails
    int maxRateLimitWaitSeconds = 3600; // a rate limit that resets later than this fails the listing
    int backoffBaseMs = 500;  // first 5xx backoff; doubles per retry
    qint64 maxPageBytes = 32 * 1024 * 1024; // one answer larger than this fails (a hostile server cannot exhaust memory)
    QString proxy = {};       // "host:port" or "http://host:port"; empty: the environment's (https_proxy, no_proxy)
};

// Conditional-request cache for pages: the URL of a page -> its ETag and body. The caller owns it
// and may persist it (OrgOps keeps one per org in the state folder) so a later listing revalidates
// with If-None-Match; a 304 answer reuses the stored body and, on GitHub, costs no rate limit.
struct PageCache {
    struct Page {
        QByteArray etag = {};
        QByteArray body = {};
        QByteArray next = {}; // the next page's URL the stored answer named (Link / next / nextPageStart), empty on the last
        bool operator==(const Page &) const = default;
    };
    QHash<QString, Page> pages = {};
    bool operator==(const PageCache &) const = default;
};

struct ListProgress {
    int pages = 0;           // pages received so far
    int notModified = 0;     // of which answered 304
    int repositories = 0;    // repositories received so far
    QDateTime waitingUntil = {}; // set while waiting for a rate limit to reset (or a Retry-After)
    QString message = {};    // what it does now, for the CLI's -v and the wizard ("waiting for GitHub's rate limit until 12:03:00 UTC")
};

struct ListStats {
    int pages = 0;          // pages of the repository list (Bitbucket Server's hash pages not counted)
    int notModified = 0;    // of which answered 304
    int requests = 0;       // every HTTP request sent (retries, fallbacks and hash pages included)
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
// Network with the page and the field named ("… page 2: [3].full_name is missing", Error::field
// "[3].full_name"); connect/TLS/timeout as Network/Tls/Timeout; an answer over maxPageBytes or a
// refused redirect -> Network; a bad apiUrl, caFile or token -> Config; a cancel -> Interrupted.
// Every HTTP error has detail {"http_status": N}. A rate limit (403/429 with X-RateLimit-Remaining:
// 0 (or GitLab's RateLimit-Remaining: 0), or Retry-After) waits until the reset, says so in progress
// (waitingUntil and message), and resumes; a reset later than maxRateLimitWaitSeconds from now fails
// with Network naming when it resets (detail "rate_limit_reset", ISO 8601 UTC).
class ProviderClient : public QObject {
    Q_OBJECT
public:
    explicit ProviderClient(ProviderAccess access, QObject *parent = nullptr);
    ~ProviderClient() override;

    // Every repository of the owner: a GitHub organisation or, if it is none, a user; a GitLab
    // group with its subgroups; a Bitbucket Cloud workspace; a Bitbucket Server project key. All
    // pages, in the provider's order. `cache` may be null; when given it is read and updated
    // (it must outlive the call, until done), and after a complete listing it holds exactly the
    // pages that listing read (an owner that shrank leaves no stale pages). Pages answered without
    // an ETag are not kept. GitHub: /orgs/{owner}/repos, and /users/{owner}/repos when that
    // answers 404 (a user's repositories as the API shows them to others: the public ones).
    // GitLab: /groups/{path}/projects with include_subgroups=true and with_shared=false.
    // Bitbucket Server: each repository's contentHash from the mirroring API where it answers
    // (a 403, 404 or 409 there is not an error: the hashes stay empty); a repository's defaultBranch
    // comes from there too (properties.defaultBranchId), the repos listing has none.
    void listRepositories(const QString &owner, PageCache *cache, ProgressFn progress, ListDone done);

    // The protected-branch patterns of one repository, converted to MirrorDesk's dialect
    // (DESIGN section 3: `*` matches any run including `/`). GitHub's fnmatch `*` stops at `/`,
    // so a GitHub pattern whose `*` would cross a `/` is narrowed: GitHub is asked for its
    // protected branches (GET /repos/{full_name}/branches?protected=true, all pages), which it has
    // already matched against its fnmatch rules, and each name comes back as a pattern for exactly
    // itself (a git branch name holds no `*`). So `release/*` on GitHub yields `release/1.0` and
    // `release/2.0` but never `release/x/y`, which GitHub's rule does not cover; a branch created
    // later is added when discovery runs again. GitLab: protected_branches names (its dialect
    // already, `release/*` kept as is). Bitbucket: empty list, no error.
    void protectedBranches(const RemoteRepository &repository, PatternsDone done);

    // Creates an empty repository `name` (may contain `/` for GitLab subgroups that exist) in the
    // target namespace: a GitLab group path, or a Bitbucket Server project key. An existing one
    // with that path is returned as is (not an error): a second Run is a no-op.
    // GitLab: GET /groups/{namespace[/dirs of name]} for its id, POST /projects {name, path,
    // namespace_id}; a 400 "has already been taken" -> GET /projects/{full path}. Bitbucket Server:
    // POST /rest/api/1.0/projects/{key}/repos {name, scmId: "git"}; a 409 -> GET the repository by
    // its slug (the name in lower case, each run of other characters than [a-z0-9._-] one "-").
    // GitHub and Bitbucket Cloud: a Config error (canCreateRepositories()).
    void createRepository(const QString &targetNamespace, const QString &name, CreateDone done);

    // Stops what runs (every operation of this client); each callback is called once with an
    // Interrupted error, posted like the others. Nothing more comes from an operation that ended.
    void cancel();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace md::providers
