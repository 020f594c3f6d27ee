#pragma once

// One operation of a ProviderClient (internal to core/providers): a Job runs its requests through
// Exchanges, reads paginated answers with the shared pager (conditional requests through the
// PageCache, Link / X-Next-Page / body-named next pages, the origin of every page checked), and
// ends exactly once — with its result, an error, or Interrupted on cancel() — by posting its
// callback to the client's context object. Errors pass through one place (fail()) which masks the
// token should a server have echoed it.

#include "providers/ProviderHttp.h"

#include <QPointer>
#include <QSet>

#include <functional>
#include <optional>

namespace md::providers::detail {

// A page as the pager hands it to its reader.
struct Page {
    int number = 0; // 1-based
    QUrl url = {};
    QByteArray body = {};
    // The next page the answer's headers name (Link rel="next", GitLab's X-Next-Page), or, on a
    // 304 without them, the one the cached answer named. Readers whose API names the next page in
    // the body ignore it.
    QByteArray headerNext = {};
    bool notModified = false;
};

// What the pager does with an answer that is neither 2xx nor 304.
struct StatusVerdict {
    enum class Kind { Fail, Restart, Stop };
    Kind kind = Kind::Fail;
    Error error = {};
    QUrl restart = {}; // Restart: read the pages from here instead (page numbers start over)

    static StatusVerdict failWith(Error error) { return {Kind::Fail, std::move(error), {}}; }
    static StatusVerdict restartAt(QUrl url) { return {Kind::Restart, {}, std::move(url)}; }
    static StatusVerdict stop() { return {Kind::Stop, {}, {}}; }
};

// The common reading of an HTTP error answer (401 Auth, 403/404 NotFound, other Network), for
// `what` ("the repositories of \"acme\" on api.github.com"); the server's own message, if its
// body has one, is quoted.
Error statusError(const Session &session, const HttpResponse &response, const QString &what);
// The "message" a forge put in an error body (GitLab's message, BBS's errors[0].message, GitHub's
// message, Bitbucket Cloud's error.message), printable and cut; empty when none.
QString serverMessage(const QByteArray &body);
// The rel="next" target of a Link header; empty when none.
QByteArray linkNext(const QByteArray &link);
// The next page the headers of `response` name (Link, else X-Next-Page on the same URL); empty when none.
QByteArray headerNext(const HttpResponse &response);
// `text` as one percent-encoded path segment ("/" encoded too: GitLab's "group%2Fsub").
QByteArray segment(const QString &text);
// A repository's "a/b/c" path as percent-encoded segments joined by "/".
QByteArray segments(const QString &path);

class Job : public QObject {
    Q_OBJECT
public:
    // `context` receives the posted callbacks (the client's; they are dropped with it). `what`
    // names the operation in messages: "the repositories of \"acme\" on api.github.com".
    Job(Session &session, QObject *context, QString what);
    ~Job() override;

    // Starts on the next turn of the event loop (never inside the caller's call).
    void begin();
    // Stops what runs and ends with Interrupted; nothing more once the job has ended.
    void cancel();
    bool hasEnded() const { return m_ended; }

protected:
    virtual void start() = 0;
    // Ends the job with `error` (the typed subclass posts its callback).
    virtual void deliverError(Error error) = 0;
    // A rate-limit wait began (until valid) or ended (until invalid).
    virtual void waiting(const QDateTime &until, const QString &message);

    // Sends one request; an answer (2xx, 304, 4xx) goes to `then`, an error ends the job.
    void send(HttpRequest request, std::function<void(HttpResponse)> then);
    // Ends the job with an error (token masked, URLs scrubbed), once.
    void fail(Error error);
    // Marks the job ended and schedules its deletion; false if it had already ended.
    bool end();
    // Posts `call` to the context object's thread (dropped if the context is gone).
    void post(std::function<void()> call);

    struct Pages {
        QUrl first = {};
        PageCache *cache = nullptr; // may be null: no conditional requests
        QString what = {};          // "the repositories of \"acme\" on host"; pages are "page N of <what>"
        // Reads one page; answers the next page's URL (percent-encoded, absolute or relative to the
        // page's), empty on the last page.
        std::function<Result<QByteArray>(const Page &)> read = {};
        // A non-2xx, non-304 answer; unset: statusError().
        std::function<StatusVerdict(const HttpResponse &, int pageNumber)> onStatus = {};
        std::function<void(const Page &)> progress = {}; // after each page read
        std::function<void()> done = {};
    };
    // Reads every page from pages.first until a page names no next one, then calls done.
    void fetchPages(Pages pages);
    // The cache keys of the pages read by this job (for pruning a cache after a full listing).
    const QSet<QString> &pagesRead() const { return m_pagesRead; }

    Session &m_session;
    Counters m_counters;
    QString m_what;

private:
    void fetchPage(const QUrl &url);
    void onPage(const QUrl &url, const HttpResponse &response);

    QPointer<QObject> m_context;
    QPointer<Exchange> m_exchange;
    std::optional<Pages> m_pages;
    int m_pageNumber = 0;
    QSet<QString> m_pagesRead;
    bool m_ended = false;
};

// A job ending with a Result<T>.
template <typename T>
class TypedJob : public Job {
public:
    using Done = std::function<void(Result<T>)>;
    TypedJob(Session &session, QObject *context, QString what, Done done)
        : Job(session, context, std::move(what))
        , m_done(std::move(done))
    {
    }

protected:
    void succeed(T value) { deliver(Result<T>(std::move(value))); }
    void deliverError(Error error) override { deliver(Result<T>(std::move(error))); }

private:
    void deliver(Result<T> result)
    {
        if (!end())
            return;
        post([done = std::move(m_done), result = std::move(result)]() mutable {
            if (done)
                done(std::move(result));
        });
        m_done = nullptr;
    }

    Done m_done;
};

// ---- provider parts (one file each) -----------------------------------------------------------------

// What a listing has read so far.
struct Listed {
    QList<RemoteRepository> repositories = {};
    qint64 projectId = 0; // Bitbucket Server: the numeric id of the project (its repos' project.id)
};

// How one provider lists an owner's repositories.
class Dialect {
public:
    virtual ~Dialect() = default;
    // "organisation or user", "group", "workspace", "project"
    virtual QString ownerNoun() const = 0;
    // Owner names that cannot be this provider's (a "/" outside GitLab): an error message, else empty.
    virtual QString badOwner(const QString &owner) const;
    virtual QUrl listUrl(const Session &session, const QString &owner) const = 0;
    // A 404 for the first page of `failed`: where else to list from (GitHub: the user's), if anywhere.
    virtual std::optional<QUrl> fallbackUrl(const Session &session, const QString &owner, const QUrl &failed) const;
    // One page: its repositories appended to `out`, and the next page's URL (empty on the last).
    virtual Result<QByteArray> readPage(const Page &page, const QString &context, Listed &out) const = 0;
};

const Dialect &gitHubDialect();
const Dialect &gitLabDialect();
const Dialect &bitbucketCloudDialect();
const Dialect &bitbucketServerDialect();

// Clone URLs as the API gives them, credentials stripped ("https://user@bitbucket.org/…" too).
QString withoutCredentials(const QString &url);

// GitHub: protected branch names (GET /repos/{full_name}/branches?protected=true).
QUrl gitHubProtectedBranchesUrl(const Session &session, const RemoteRepository &repository);
Result<QByteArray> readGitHubBranchNames(const Page &page, const QString &context, QStringList &out);

// GitLab: protected branch patterns (GET /projects/{id}/protected_branches), creating projects.
QUrl gitLabProtectedBranchesUrl(const Session &session, const RemoteRepository &repository);
Result<QByteArray> readGitLabProtectedBranches(const Page &page, const QString &context, QStringList &out);
// One project object (a create's or a lookup's answer) as a repository.
Result<RemoteRepository> readGitLabProject(const QByteArray &body, const QString &context);
Job *createGitLabRepository(Session &session, QObject *context, const QString &group, const QString &name, CreateDone done);

// Bitbucket Server: the mirroring API's content hashes, creating repositories.
struct ContentHash {
    QString contentHash = {};
    QString defaultBranch = {}; // from properties.defaultBranchId ("refs/heads/main" -> "main")
};
QUrl bitbucketServerHashesUrl(const Session &session, qint64 projectId);
Result<QByteArray> readBitbucketServerHashes(const Page &page, const QString &context, QHash<qint64, ContentHash> &out);
Job *createBitbucketServerRepository(Session &session, QObject *context, const QString &projectKey, const QString &name,
                                     CreateDone done);

} // namespace md::providers::detail
