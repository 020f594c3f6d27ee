// core/providers against the forge fixture (tests/fixtures/ProviderServer): real HTTP on loopback,
// the client driven on this test's event loop. Each provider's pages, fields and flags; ETag
// revalidation; rate limits and Retry-After; 401, 404, 5xx, malformed JSON; redirects to another
// host; cancel and timeouts; TLS with and without the CA; protected branches; creating
// repositories; Bitbucket Server's content hashes. No error message ever holds the token.

#include "providers/Provider.h"

#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ProviderServer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace md;
using namespace md::providers;
using namespace md::fixtures;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kToken = QByteArrayLiteral("s3cr3t-TOKEN-4242-do-not-leak");

// A callback's result, and how often it came.
template <typename T>
struct Outcome {
    std::optional<Result<T>> result;
    int calls = 0;

    std::function<void(Result<T>)> callback()
    {
        return [this](Result<T> value) {
            ++calls;
            result = std::move(value);
        };
    }
};

Provider providerOf(ForgeApi api)
{
    switch (api) {
    case ForgeApi::GitHub:
        return Provider::GitHub;
    case ForgeApi::GitLab:
        return Provider::GitLab;
    case ForgeApi::BitbucketCloud:
        return Provider::BitbucketCloud;
    case ForgeApi::BitbucketServer:
        return Provider::BitbucketServer;
    }
    return Provider::GitHub;
}

// The owner each API's tests list.
QString ownerOf(ForgeApi api)
{
    switch (api) {
    case ForgeApi::GitHub:
        return u"acme"_s;
    case ForgeApi::GitLab:
        return u"grp"_s;
    case ForgeApi::BitbucketCloud:
        return u"ws"_s;
    case ForgeApi::BitbucketServer:
        return u"PRJ"_s;
    }
    return {};
}

// The field the fixture's WrongType fault breaks, as the client names it for item `index`.
QString brokenField(ForgeApi api, int index)
{
    switch (api) {
    case ForgeApi::GitHub:
        return u"[%1].full_name"_s.arg(index);
    case ForgeApi::GitLab:
        return u"[%1].path_with_namespace"_s.arg(index);
    case ForgeApi::BitbucketCloud:
        return u"values[%1].full_name"_s.arg(index);
    case ForgeApi::BitbucketServer:
        return u"values[%1].slug"_s.arg(index);
    }
    return {};
}

// The error's message for a QVERIFY2 (evaluated whether or not the check fails).
template <typename T>
QString why(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

// `git rev-parse --is-bare-repository` in `path` ("true" for a bare repository).
QString isBare(const QString &path)
{
    QProcess git;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys()) {
        if (key.startsWith(u"GIT_"_s))
            environment.remove(key);
    }
    git.setProcessEnvironment(environment);
    git.setWorkingDirectory(path);
    git.start(u"git"_s, {u"rev-parse"_s, u"--is-bare-repository"_s});
    git.waitForFinished(30000);
    return QString::fromUtf8(git.readAllStandardOutput()).trimmed();
}

QList<FixtureRepo> makeRepos(int count, const QString &prefix = u"repo"_s)
{
    QList<FixtureRepo> repos;
    for (int i = 0; i < count; ++i) {
        FixtureRepo repo;
        repo.name = u"%1-%2"_s.arg(prefix).arg(i, 4, 10, QChar(u'0'));
        repo.cloneUrl = u"git://127.0.0.1:9/%1.git"_s.arg(repo.name);
        repo.contentHash = u"hash-%1"_s.arg(i);
        repos << repo;
    }
    return repos;
}

void addApiRows()
{
    QTest::addColumn<ForgeApi>("api");
    QTest::newRow("github") << ForgeApi::GitHub;
    QTest::newRow("gitlab") << ForgeApi::GitLab;
    QTest::newRow("bitbucket-cloud") << ForgeApi::BitbucketCloud;
    QTest::newRow("bitbucket-server") << ForgeApi::BitbucketServer;
}

// The requests that read a page of the repository listing (not the BBS mirroring API's).
QList<FixtureRequest> listingRequests(const ProviderServer &server)
{
    QList<FixtureRequest> found;
    for (const FixtureRequest &request : server.requests()) {
        if (!request.path.contains(u"/rest/mirroring/"_s))
            found << request;
    }
    return found;
}

} // namespace

Q_DECLARE_METATYPE(ForgeApi)

class TestProviders : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void names();
    void listsEveryPageInOrder_data() { addApiRows(); }
    void listsEveryPageInOrder();
    void flags_data() { addApiRows(); }
    void flags();
    void gitHubUserFallback();
    void gitLabSubgroupsKeepTheirPath();
    void gitLabXNextPageWithoutLink();
    void bitbucketBasicAuth_data();
    void bitbucketBasicAuth();
    void emptyOwner_data() { addApiRows(); }
    void emptyOwner();
    void fiveThousandRepositories();

    void etagRevalidation_data() { addApiRows(); }
    void etagRevalidation();
    void etagSeesUpstreamChanges();

    void rateLimitWaitsAndResumes();
    void retryAfter();
    void rateLimitResetTooFar();
    void unauthorized_data() { addApiRows(); }
    void unauthorized();
    void unknownOwner_data() { addApiRows(); }
    void unknownOwner();
    void serverErrorsRetried();
    void serverErrorsExhausted();
    void truncatedJson();
    void wrongTypeNamesTheField_data() { addApiRows(); }
    void wrongTypeNamesTheField();
    void missingFieldNamed();
    void oversizedAnswer();

    void redirectToAnotherHostRefused();
    void sameHostRedirectFollowed();
    void nextPageOnAnotherHostRefused_data();
    void nextPageOnAnotherHostRefused();
    void serverAnswersWhileTestThreadBlocks();
    void cancelIsInterruptedOnce();
    void noProgressTimesOut();
    void connectionRefused();
    void tls();
    void badAccess();

    void protectedBranches();
    void createGitLab();
    void createBitbucketServer();
    void createUnsupported();
    void bitbucketServerContentHashes();
    void clonesFromListedUrl();

private:
    ProviderAccess access(ForgeApi api) const;
    Result<Listing> list(const ProviderAccess &access, const QString &owner, PageCache *cache = nullptr,
                         QList<ListProgress> *progress = nullptr);
    // No error message, field or detail says the token.
    void checkNoToken(const Error &error);

    ProviderServer m_server;
    QTemporaryDir m_tmp;
};

void TestProviders::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestProviders::init()
{
    m_server.clearFaults();
    m_server.clearRequests();
    m_server.setPageSize(100);
    m_server.setGitLabLinkHeader(true);
    m_server.setMirroringApi(true);
    m_server.setToken(kToken);
}

ProviderAccess TestProviders::access(ForgeApi api) const
{
    ProviderAccess access;
    access.provider = providerOf(api);
    access.apiUrl = m_server.apiUrl(api);
    access.token = kToken;
    access.timeoutMs = 10000;
    access.backoffBaseMs = 10;
    access.maxServerRetries = 3;
    access.maxRateLimitWaitSeconds = 30;
    return access;
}

Result<Listing> TestProviders::list(const ProviderAccess &access, const QString &owner, PageCache *cache, QList<ListProgress> *progress)
{
    ProviderClient client(access);
    Outcome<Listing> outcome;
    client.listRepositories(owner, cache, [progress](const ListProgress &p) {
        if (progress)
            progress->append(p);
    }, outcome.callback());
    // Never delivered inside the call that started it.
    if (outcome.calls != 0)
        return Error{ErrorCategory::None, u"the callback came inside listRepositories()"_s, {}, 0, 0};
    if (!QTest::qWaitFor([&] { return outcome.result.has_value(); }, 30000))
        return Error{ErrorCategory::None, u"no answer within 30 s"_s, {}, 0, 0};
    QTest::qWait(1); // anything more would come now
    if (outcome.calls != 1)
        return Error{ErrorCategory::None, u"the callback came %1 times"_s.arg(outcome.calls), {}, 0, 0};
    if (!outcome.result->ok())
        checkNoToken(outcome.result->error());
    return *outcome.result;
}

void TestProviders::checkNoToken(const Error &error)
{
    const QString detail = QString::fromUtf8(QJsonDocument(error.detail).toJson());
    for (const QString &text : {error.message, error.field, detail}) {
        QVERIFY2(!text.contains(QString::fromUtf8(kToken)), qPrintable(text));
        QVERIFY2(!text.contains(u"wrong-token"_s), qPrintable(text));
        QVERIFY2(!text.contains(QString::fromLatin1(kToken.toBase64())), qPrintable(text));
    }
}

void TestProviders::names()
{
    for (Provider provider : {Provider::GitHub, Provider::GitLab, Provider::BitbucketCloud, Provider::BitbucketServer})
        QCOMPARE(providerFromName(providerName(provider)), provider);
    QCOMPARE(providerName(Provider::BitbucketServer), u"bitbucket-server"_s);
    QVERIFY(!providerFromName(u"gitea"_s));
    QCOMPARE(defaultApiUrl(Provider::GitHub), u"https://api.github.com"_s);
    QVERIFY(defaultApiUrl(Provider::BitbucketServer).isEmpty());
    QVERIFY(canCreateRepositories(Provider::GitLab) && canCreateRepositories(Provider::BitbucketServer));
    QVERIFY(!canCreateRepositories(Provider::GitHub) && !canCreateRepositories(Provider::BitbucketCloud));
}

void TestProviders::listsEveryPageInOrder()
{
    QFETCH(ForgeApi, api);
    const QString owner = ownerOf(api);
    const QList<FixtureRepo> repos = makeRepos(250);
    m_server.setRepositories(api, owner, repos);

    QList<ListProgress> progress;
    auto listed = list(access(api), owner, nullptr, &progress);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 250);
    for (int i = 0; i < 250; ++i) {
        const RemoteRepository &repository = listed->repositories.at(i);
        QCOMPARE(repository.fullName, owner + u'/' + repos.at(i).name);
        QCOMPARE(repository.cloneUrl, repos.at(i).cloneUrl);
        QVERIFY(!repository.sshUrl.isEmpty());
        QCOMPARE(repository.defaultBranch, u"main"_s);
        QVERIFY(!repository.archived && !repository.fork);
        if (api == ForgeApi::GitLab || api == ForgeApi::BitbucketServer)
            QVERIFY(repository.id > 0);
    }
    QCOMPARE(listed->stats.pages, 3);
    QCOMPARE(listed->stats.notModified, 0);

    const QList<FixtureRequest> pages = listingRequests(m_server);
    QCOMPARE(pages.size(), 3);
    for (const FixtureRequest &request : pages) {
        QVERIFY2(request.authorized, qPrintable(request.path));
        QCOMPARE(request.status, 200);
        QVERIFY(request.query.contains(u"100"_s)); // per_page / pagelen / limit
    }
    QCOMPARE(pages.at(1).page(), 2);
    QCOMPARE(pages.at(2).page(), 3);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().pages, 3);
    QCOMPARE(progress.last().repositories, 250);
}

void TestProviders::flags()
{
    QFETCH(ForgeApi, api);
    const QString owner = ownerOf(api);
    QList<FixtureRepo> repos = makeRepos(3);
    repos[0].archived = true;
    repos[1].fork = true;
    repos[2].defaultBranch.clear(); // an empty repository
    m_server.setRepositories(api, owner, repos);
    auto listed = list(access(api), owner);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 3);
    // Bitbucket Cloud has no archived flag.
    QCOMPARE(listed->repositories[0].archived, api != ForgeApi::BitbucketCloud);
    QVERIFY(!listed->repositories[0].fork);
    QVERIFY(listed->repositories[1].fork);
    QVERIFY(!listed->repositories[1].archived);
    QVERIFY(listed->repositories[2].defaultBranch.isEmpty());
}

void TestProviders::gitHubUserFallback()
{
    m_server.setRepositories(ForgeApi::GitHub, u"alice"_s, makeRepos(150, u"dot"_s), true);
    auto listed = list(access(ForgeApi::GitHub), u"alice"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 150);
    QCOMPARE(listed->repositories.first().fullName, u"alice/dot-0000"_s);
    const QList<FixtureRequest> requests = m_server.requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[0].path, u"/github/api/v3/orgs/alice/repos"_s);
    QCOMPARE(requests[0].status, 404);
    QCOMPARE(requests[1].path, u"/github/api/v3/users/alice/repos"_s);
    QVERIFY(requests[2].path.startsWith(u"/github/api/v3/user/"_s)); // GitHub's Link names /user/{id}/repos
    QCOMPARE(listed->stats.pages, 2);
}

void TestProviders::gitLabSubgroupsKeepTheirPath()
{
    QList<FixtureRepo> repos = makeRepos(3);
    repos[1].name = u"sub/tool"_s;
    repos[2].name = u"sub/deeper/lib"_s;
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, repos);
    auto listed = list(access(ForgeApi::GitLab), u"grp"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QStringList names;
    for (const RemoteRepository &repository : listed->repositories)
        names << repository.fullName;
    QCOMPARE(names, QStringList({u"grp/repo-0000"_s, u"grp/sub/tool"_s, u"grp/sub/deeper/lib"_s}));
    QVERIFY(m_server.requests().first().query.contains(u"include_subgroups=true"_s));

    // A subgroup as the owner: its path url-encoded as one segment.
    m_server.clearRequests();
    auto sub = list(access(ForgeApi::GitLab), u"grp/sub"_s);
    QVERIFY2(sub.ok(), qPrintable(why(sub)));
    QCOMPARE(sub->repositories.size(), 2);
    QCOMPARE(sub->repositories[1].fullName, u"grp/sub/deeper/lib"_s);
    QCOMPARE(m_server.requests().first().path, u"/gitlab/api/v4/groups/grp%2Fsub/projects"_s);
}

void TestProviders::gitLabXNextPageWithoutLink()
{
    m_server.setGitLabLinkHeader(false);
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, makeRepos(230));
    auto listed = list(access(ForgeApi::GitLab), u"grp"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 230);
    QCOMPARE(listed->repositories.last().fullName, u"grp/repo-0229"_s);
    QCOMPARE(listed->stats.pages, 3);
}

void TestProviders::bitbucketBasicAuth_data()
{
    QTest::addColumn<ForgeApi>("api");
    QTest::newRow("bitbucket-cloud") << ForgeApi::BitbucketCloud;
    QTest::newRow("bitbucket-server") << ForgeApi::BitbucketServer;
}

void TestProviders::bitbucketBasicAuth()
{
    QFETCH(ForgeApi, api);
    m_server.setToken(kToken, u"alice"_s);
    const QString owner = ownerOf(api);
    m_server.setRepositories(api, owner, makeRepos(2));
    ProviderAccess withUser = access(api);
    withUser.username = u"alice"_s;
    auto listed = list(withUser, owner);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    // The API reports "http://alice@127.0.0.1:…"; the credentials are stripped.
    QCOMPARE(listed->repositories[0].cloneUrl, makeRepos(1)[0].cloneUrl);
    QVERIFY(m_server.requests().first().authorization.startsWith("Basic "));

    // Without the user name the token goes as a bearer token, which this server refuses.
    auto refused = list(access(api), owner);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().category, ErrorCategory::Auth);
}

void TestProviders::emptyOwner()
{
    QFETCH(ForgeApi, api);
    m_server.setRepositories(api, u"EMPTY"_s, {});
    auto listed = list(access(api), u"EMPTY"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QVERIFY(listed->repositories.isEmpty());
    QCOMPARE(listed->stats.pages, 1);
}

void TestProviders::fiveThousandRepositories()
{
    m_server.setRepositories(ForgeApi::GitHub, u"big"_s, makeRepos(5000));
    QElapsedTimer timer;
    timer.start();
    auto listed = list(access(ForgeApi::GitHub), u"big"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 5000);
    QCOMPARE(listed->stats.pages, 50);
    QCOMPARE(listed->repositories.last().fullName, u"big/repo-4999"_s);
    qInfo("5,000 repositories in 50 pages: %lld ms", static_cast<long long>(timer.elapsed()));
}

void TestProviders::etagRevalidation()
{
    QFETCH(ForgeApi, api);
    const QString owner = ownerOf(api);
    m_server.setRepositories(api, owner, makeRepos(250));
    PageCache cache;
    auto first = list(access(api), owner, &cache);
    QVERIFY2(first.ok(), qPrintable(why(first)));
    QVERIFY(!cache.pages.isEmpty());

    m_server.clearRequests();
    auto second = list(access(api), owner, &cache);
    QVERIFY2(second.ok(), qPrintable(why(second)));
    QCOMPARE(second->stats.pages, 3);
    QCOMPARE(second->stats.notModified, 3);
    QCOMPARE(second->repositories.size(), first->repositories.size());
    for (int i = 0; i < first->repositories.size(); ++i) {
        const RemoteRepository &a = first->repositories.at(i);
        const RemoteRepository &b = second->repositories.at(i);
        QCOMPARE(b.fullName, a.fullName);
        QCOMPARE(b.cloneUrl, a.cloneUrl);
        QCOMPARE(b.sshUrl, a.sshUrl);
        QCOMPARE(b.defaultBranch, a.defaultBranch);
        QCOMPARE(b.id, a.id);
        QCOMPARE(b.contentHash, a.contentHash);
    }
    // Every page of the second listing (the BBS hashes too) was conditional and answered 304.
    const QList<FixtureRequest> requests = m_server.requests();
    QVERIFY(requests.size() >= 3);
    for (const FixtureRequest &request : requests) {
        QVERIFY2(!request.ifNoneMatch.isEmpty(), qPrintable(request.path));
        QCOMPARE(request.status, 304);
    }
}

void TestProviders::etagSeesUpstreamChanges()
{
    // 200 repositories: two full pages. A repository added later makes a third page, while the
    // second page's body (and ETag) stays the same: its 304 must still lead to the new page.
    QList<FixtureRepo> repos = makeRepos(200);
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, repos);
    PageCache cache;
    auto first = list(access(ForgeApi::GitHub), u"acme"_s, &cache);
    QVERIFY2(first.ok(), qPrintable(why(first)));
    QCOMPARE(first->repositories.size(), 200);

    repos << makeRepos(1, u"new"_s);
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, repos);
    auto second = list(access(ForgeApi::GitHub), u"acme"_s, &cache);
    QVERIFY2(second.ok(), qPrintable(why(second)));
    QCOMPARE(second->repositories.size(), 201);
    QCOMPARE(second->repositories.last().fullName, u"acme/new-0000"_s);
    QCOMPARE(second->stats.pages, 3);
    QCOMPARE(second->stats.notModified, 2);

    // A repository removed from the first page changes every page.
    repos.removeFirst();
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, repos);
    auto third = list(access(ForgeApi::GitHub), u"acme"_s, &cache);
    QVERIFY2(third.ok(), qPrintable(why(third)));
    QCOMPARE(third->repositories.size(), 200);
    QCOMPARE(third->repositories.first().fullName, u"acme/repo-0001"_s);
    QCOMPARE(third->stats.notModified, 0);
    QCOMPARE(third->stats.pages, 2);
    QCOMPARE(cache.pages.size(), 2); // the third page's entry is gone
}

void TestProviders::rateLimitWaitsAndResumes()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(250));
    m_server.addFault({FixtureFault::Kind::RateLimit, {}, 2, 1, 2});
    QList<ListProgress> progress;
    QElapsedTimer timer;
    timer.start();
    const QDateTime before = QDateTime::currentDateTimeUtc();
    auto listed = list(access(ForgeApi::GitHub), u"acme"_s, nullptr, &progress);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 250);
    QCOMPARE(listed->stats.rateLimitWaits, 1);
    QVERIFY(timer.elapsed() >= 900); // it waited for the reset, and did not hammer
    const QList<FixtureRequest> pageTwo = m_server.requestsTo(u"/repos"_s);
    QCOMPARE(pageTwo.size(), 4); // page 1, page 2 (403), page 2 again, page 3

    const auto waiting = std::find_if(progress.begin(), progress.end(), [](const ListProgress &p) { return p.waitingUntil.isValid(); });
    QVERIFY(waiting != progress.end());
    QVERIFY2(waiting->message.contains(u"waiting for GitHub's rate limit"_s), qPrintable(waiting->message));
    QVERIFY2(waiting->message.contains(u"until "_s) && waiting->message.contains(u"UTC"_s), qPrintable(waiting->message));
    QVERIFY(waiting->waitingUntil >= before);
    QVERIFY(waiting->waitingUntil <= before.addSecs(5));
    QVERIFY(!progress.last().waitingUntil.isValid()); // resumed
}

void TestProviders::retryAfter()
{
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, makeRepos(10));
    m_server.addFault({FixtureFault::Kind::RetryAfter, {}, 1, 1, 1});
    QList<ListProgress> progress;
    auto listed = list(access(ForgeApi::GitLab), u"grp"_s, nullptr, &progress);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 10);
    QCOMPARE(listed->stats.rateLimitWaits, 1);
    QVERIFY(std::any_of(progress.begin(), progress.end(), [](const ListProgress &p) {
        return p.waitingUntil.isValid() && p.message.contains(u"waiting for GitLab's rate limit"_s);
    }));
    QCOMPARE(m_server.requests().size(), 2);
    QCOMPARE(m_server.requests().first().status, 429);
}

void TestProviders::rateLimitResetTooFar()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(10));
    m_server.addFault({FixtureFault::Kind::RateLimit, {}, 1, 1, 900});
    ProviderAccess impatient = access(ForgeApi::GitHub);
    impatient.maxRateLimitWaitSeconds = 60;
    QElapsedTimer timer;
    timer.start();
    auto listed = list(impatient, u"acme"_s);
    QVERIFY(!listed.ok());
    QVERIFY(timer.elapsed() < 5000); // no waiting for it
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"rate limit"_s) && listed.error().message.contains(u"UTC"_s),
             qPrintable(why(listed)));
    const QDateTime reset = QDateTime::fromString(listed.error().detail.value(u"rate_limit_reset"_s).toString(), Qt::ISODate);
    QVERIFY(reset.isValid());
    QVERIFY(reset > QDateTime::currentDateTimeUtc().addSecs(800));
    QVERIFY2(listed.error().message.contains(reset.toString(u"HH:mm:ss"_s)), qPrintable(why(listed)));
}

void TestProviders::unauthorized()
{
    QFETCH(ForgeApi, api);
    const QString owner = ownerOf(api);
    m_server.setRepositories(api, owner, makeRepos(3));
    ProviderAccess wrong = access(api);
    wrong.token = "wrong-token-0000";
    auto listed = list(wrong, owner);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Auth);
    QVERIFY2(listed.error().message.contains(u"127.0.0.1:%1"_s.arg(m_server.port())), qPrintable(why(listed)));
    QCOMPARE(listed.error().detail.value(u"http_status"_s).toInt(), 401);
    QVERIFY(!m_server.requests().first().authorized);
}

void TestProviders::unknownOwner()
{
    QFETCH(ForgeApi, api);
    auto listed = list(access(api), u"nobody"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::NotFound);
    const QString message = listed.error().message;
    QVERIFY2(message.contains(u"\"nobody\""_s), qPrintable(message));
    QVERIFY2(message.contains(u"127.0.0.1:%1"_s.arg(m_server.port())), qPrintable(message));
    QCOMPARE(listed.error().detail.value(u"http_status"_s).toInt(), 404);
    if (api == ForgeApi::GitHub) {
        QVERIFY2(message.contains(u"organisation or user"_s), qPrintable(message));
        QCOMPARE(m_server.requests().size(), 2); // /orgs, then /users
    }
}

void TestProviders::serverErrorsRetried()
{
    m_server.setRepositories(ForgeApi::BitbucketCloud, u"ws"_s, makeRepos(150));
    m_server.addFault({FixtureFault::Kind::ServerError, {}, 2, 2});
    auto listed = list(access(ForgeApi::BitbucketCloud), u"ws"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 150);
    QCOMPARE(listed->stats.serverRetries, 2);
    QCOMPARE(listed->stats.requests, 4);
    QCOMPARE(m_server.requests().at(1).status, 500);
    QCOMPARE(m_server.requests().at(2).status, 500);
}

void TestProviders::serverErrorsExhausted()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(5));
    m_server.addFault({FixtureFault::Kind::ServerError, {}, 0, 10});
    ProviderAccess access2 = access(ForgeApi::GitHub);
    access2.maxServerRetries = 2;
    auto listed = list(access2, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QCOMPARE(listed.error().detail.value(u"http_status"_s).toInt(), 500);
    QVERIFY2(listed.error().message.contains(u"HTTP 500"_s), qPrintable(why(listed)));
    QCOMPARE(m_server.requests().size(), 3); // the first try and two retries
}

void TestProviders::truncatedJson()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(150));
    m_server.addFault({FixtureFault::Kind::Truncated, {}, 2});
    auto listed = list(access(ForgeApi::GitHub), u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"page 2"_s) && listed.error().message.contains(u"not JSON"_s),
             qPrintable(why(listed)));
}

void TestProviders::wrongTypeNamesTheField()
{
    QFETCH(ForgeApi, api);
    const QString owner = ownerOf(api);
    m_server.setRepositories(api, owner, makeRepos(150));
    FixtureFault fault{FixtureFault::Kind::WrongType, {}, 2};
    fault.index = 3;
    m_server.addFault(fault);
    auto listed = list(access(api), owner);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    const QString message = listed.error().message;
    QVERIFY2(message.contains(u"page 2: %1 is a number, not a string"_s.arg(brokenField(api, 3))), qPrintable(message));
    QCOMPARE(listed.error().field, brokenField(api, 3));
}

void TestProviders::missingFieldNamed()
{
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, makeRepos(20));
    FixtureFault fault{FixtureFault::Kind::MissingField, {}, 1};
    fault.index = 7;
    m_server.addFault(fault);
    auto listed = list(access(ForgeApi::GitLab), u"grp"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"page 1: [7].path_with_namespace is missing"_s), qPrintable(why(listed)));
    QCOMPARE(listed.error().field, u"[7].path_with_namespace"_s);
}

void TestProviders::oversizedAnswer()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(50));
    ProviderAccess small = access(ForgeApi::GitHub);
    small.maxPageBytes = 4096;
    auto listed = list(small, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"more than"_s), qPrintable(why(listed)));
}

void TestProviders::redirectToAnotherHostRefused()
{
    ProviderServer other;
    QVERIFY2(other.start(), qPrintable(other.errorString()));
    other.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(3));
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(3));
    FixtureFault redirect{FixtureFault::Kind::Redirect, {}, 1};
    redirect.location = u"http://localhost:%1/github/api/v3/orgs/acme/repos"_s.arg(other.port());
    m_server.addFault(redirect);
    auto listed = list(access(ForgeApi::GitHub), u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"redirected"_s) && listed.error().message.contains(u"localhost:%1"_s.arg(other.port())),
             qPrintable(why(listed)));
    QCOMPARE(listed.error().detail.value(u"http_status"_s).toInt(), 302);
    // The other host saw nothing, least of all the token.
    for (const FixtureRequest &request : other.requests())
        QVERIFY(!request.carries(kToken));
    QVERIFY(other.requests().isEmpty());
}

void TestProviders::sameHostRedirectFollowed()
{
    m_server.setRepositories(ForgeApi::GitHub, u"renamed"_s, makeRepos(3, u"moved"_s));
    FixtureFault redirect{FixtureFault::Kind::Redirect, u"/orgs/old-name/"_s};
    redirect.location = m_server.apiUrl(ForgeApi::GitHub) + u"/orgs/renamed/repos"_s;
    m_server.addFault(redirect);
    auto listed = list(access(ForgeApi::GitHub), u"old-name"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 3);
    QCOMPARE(listed->repositories.first().fullName, u"renamed/moved-0000"_s);
    const QList<FixtureRequest> requests = m_server.requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].status, 302);
    QVERIFY(requests[1].authorized);
}

void TestProviders::nextPageOnAnotherHostRefused_data()
{
    QTest::addColumn<ForgeApi>("api");
    QTest::newRow("github") << ForgeApi::GitHub;                  // Link header
    QTest::newRow("gitlab") << ForgeApi::GitLab;                  // Link header
    QTest::newRow("bitbucket-cloud") << ForgeApi::BitbucketCloud; // "next" in the body
}

void TestProviders::nextPageOnAnotherHostRefused()
{
    QFETCH(ForgeApi, api);
    ProviderServer other;
    QVERIFY2(other.start(), qPrintable(other.errorString()));
    const QString owner = ownerOf(api);
    m_server.setRepositories(api, owner, makeRepos(150));
    other.setRepositories(api, owner, makeRepos(150));
    FixtureFault foreign{FixtureFault::Kind::ForeignNext, {}, 1};
    foreign.location = u"http://localhost:%1"_s.arg(other.port());
    m_server.addFault(foreign);
    auto listed = list(access(api), owner);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"another host"_s), qPrintable(why(listed)));
    QVERIFY(other.requests().isEmpty());
}

void TestProviders::serverAnswersWhileTestThreadBlocks()
{
    // As a CLI test does: this thread blocks in waitForFinished() while a child process asks.
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(3));
    QProcess child;
    child.start(u"python3"_s, {u"-c"_s,
                               u"import sys, urllib.request\n"
                               u"r = urllib.request.Request(sys.argv[1], headers={'Authorization': 'Bearer ' + sys.argv[2]})\n"
                               u"print(urllib.request.urlopen(r).status)\n"_s,
                               m_server.apiUrl(ForgeApi::GitHub) + u"/orgs/acme/repos?per_page=100"_s, QString::fromUtf8(kToken)});
    QVERIFY(child.waitForFinished(30000));
    QCOMPARE(QString::fromUtf8(child.readAllStandardOutput()).trimmed(), u"200"_s);
    QCOMPARE(m_server.requests().size(), 1);
    QVERIFY(m_server.requests().first().authorized);
}

void TestProviders::cancelIsInterruptedOnce()
{
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(150));
    m_server.addFault({FixtureFault::Kind::Hold, {}, 2});
    ProviderClient client(access(ForgeApi::GitHub));
    Outcome<Listing> outcome;
    client.listRepositories(u"acme"_s, nullptr, {}, outcome.callback());
    QTRY_COMPARE_WITH_TIMEOUT(m_server.requests().size(), 2, 10000); // page 2 asked, and held
    QCOMPARE(outcome.calls, 0);
    client.cancel();
    QCOMPARE(outcome.calls, 0); // posted, not called inside cancel()
    QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 5000);
    client.cancel();
    QTest::qWait(100);
    QCOMPARE(outcome.calls, 1);
    QVERIFY(!outcome.result->ok());
    QCOMPARE(outcome.result->error().category, ErrorCategory::Interrupted);
    checkNoToken(outcome.result->error());

    // The client still works after a cancel.
    Outcome<Listing> again;
    client.listRepositories(u"acme"_s, nullptr, {}, again.callback());
    QTRY_COMPARE_WITH_TIMEOUT(again.calls, 1, 10000);
    QVERIFY(again.result->ok());
    QCOMPARE(again.result->value().repositories.size(), 150);
}

void TestProviders::noProgressTimesOut()
{
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, makeRepos(5));
    m_server.addFault({FixtureFault::Kind::Hold, {}, 1});
    ProviderAccess quick = access(ForgeApi::GitLab);
    quick.timeoutMs = 300;
    QElapsedTimer timer;
    timer.start();
    auto listed = list(quick, u"grp"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Timeout);
    QVERIFY(timer.elapsed() >= 250 && timer.elapsed() < 5000);
    QVERIFY2(listed.error().message.contains(u"no progress"_s), qPrintable(why(listed)));
}

void TestProviders::connectionRefused()
{
    ProviderServer gone;
    QVERIFY(gone.start());
    const QString url = gone.apiUrl(ForgeApi::GitHub);
    gone.stop();
    ProviderAccess refused = access(ForgeApi::GitHub);
    refused.apiUrl = url;
    auto listed = list(refused, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Network);
    QVERIFY2(listed.error().message.contains(u"cannot reach"_s), qPrintable(why(listed)));
}

void TestProviders::tls()
{
    ProviderServer secure;
    QVERIFY2(secure.start(true), qPrintable(secure.errorString()));
    secure.setToken(kToken);
    secure.setRepositories(ForgeApi::GitHub, u"acme"_s, makeRepos(3));
    ProviderAccess https = access(ForgeApi::GitHub);
    https.apiUrl = secure.apiUrl(ForgeApi::GitHub);
    QVERIFY(https.apiUrl.startsWith(u"https://"_s));

    // The test CA is not trusted: the handshake fails, and nothing is sent.
    auto untrusted = list(https, u"acme"_s);
    QVERIFY(!untrusted.ok());
    QCOMPARE(untrusted.error().category, ErrorCategory::Tls);
    QVERIFY(secure.requests().isEmpty());

    // With the CA file: listed.
    https.caFile = secure.caFile();
    auto trusted = list(https, u"acme"_s);
    QVERIFY2(trusted.ok(), qPrintable(why(trusted)));
    QCOMPARE(trusted->repositories.size(), 3);
    QVERIFY(secure.requests().first().authorized);
}

void TestProviders::badAccess()
{
    ProviderAccess withCredentials = access(ForgeApi::GitHub);
    withCredentials.apiUrl = u"https://user:%1@api.example/v3"_s.arg(QString::fromUtf8(kToken));
    auto listed = list(withCredentials, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Config);
    QCOMPARE(listed.error().field, u"api_url"_s);

    ProviderAccess noServer = access(ForgeApi::BitbucketServer);
    noServer.apiUrl.clear();
    listed = list(noServer, u"PRJ"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Config);

    ProviderAccess lineBreak = access(ForgeApi::GitHub);
    lineBreak.token = "abc\r\nX-Evil: 1";
    listed = list(lineBreak, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Config);

    ProviderAccess missingCa = access(ForgeApi::GitHub);
    missingCa.caFile = m_tmp.filePath(u"no-such-ca.pem"_s);
    listed = list(missingCa, u"acme"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().field, u"ca_file"_s);

    listed = list(access(ForgeApi::GitHub), u"a/b"_s);
    QVERIFY(!listed.ok());
    QCOMPARE(listed.error().category, ErrorCategory::Config);
    QVERIFY(m_server.requests().isEmpty());
}

void TestProviders::protectedBranches()
{
    QList<FixtureRepo> repos = makeRepos(1);
    repos[0].name = u"tool"_s;
    repos[0].protectedBranches = {u"main"_s, u"release/1.0"_s, u"release/2.0"_s};
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, repos);
    m_server.setPageSize(2); // two pages of branches
    {
        ProviderClient client(access(ForgeApi::GitHub));
        Outcome<QStringList> outcome;
        RemoteRepository repository;
        repository.fullName = u"acme/tool"_s;
        client.protectedBranches(repository, outcome.callback());
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10000);
        QVERIFY2(outcome.result->ok(), qPrintable(why(*outcome.result)));
        QCOMPARE(outcome.result->value(), QStringList({u"main"_s, u"release/1.0"_s, u"release/2.0"_s}));
        QCOMPARE(m_server.requests().size(), 2);
        QVERIFY(m_server.requests().first().query.contains(u"protected=true"_s));
        QCOMPARE(m_server.requests().first().path, u"/github/api/v3/repos/acme/tool/branches"_s);
    }
    m_server.setPageSize(100);
    repos[0].name = u"sub/tool"_s;
    repos[0].protectedBranches = {u"main"_s, u"release/*"_s};
    m_server.setRepositories(ForgeApi::GitLab, u"grp"_s, repos);
    {
        auto listed = list(access(ForgeApi::GitLab), u"grp"_s);
        QVERIFY2(listed.ok(), qPrintable(why(listed)));
        ProviderClient client(access(ForgeApi::GitLab));
        Outcome<QStringList> outcome;
        client.protectedBranches(listed->repositories.first(), outcome.callback());
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10000);
        QVERIFY2(outcome.result->ok(), qPrintable(why(*outcome.result)));
        QCOMPARE(outcome.result->value(), QStringList({u"main"_s, u"release/*"_s}));
        QVERIFY(m_server.requests().last().path.endsWith(u"/projects/%1/protected_branches"_s.arg(listed->repositories.first().id)));
    }
    for (ForgeApi api : {ForgeApi::BitbucketCloud, ForgeApi::BitbucketServer}) {
        m_server.clearRequests();
        ProviderClient client(access(api));
        Outcome<QStringList> outcome;
        RemoteRepository repository;
        repository.fullName = u"x/y"_s;
        client.protectedBranches(repository, outcome.callback());
        QCOMPARE(outcome.calls, 0);
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 5000);
        QVERIFY(outcome.result->ok());
        QVERIFY(outcome.result->value().isEmpty());
        QVERIFY(m_server.requests().isEmpty());
    }
}

void TestProviders::createGitLab()
{
    const QString root = m_tmp.filePath(u"gitlab-created"_s);
    m_server.setCreateRoot(root, u"git://127.0.0.1:9/{path}.git"_s);
    FixtureRepo existing = makeRepos(1).first();
    existing.name = u"sub/existing"_s;
    m_server.setRepositories(ForgeApi::GitLab, u"target"_s, {existing});
    ProviderClient client(access(ForgeApi::GitLab));

    Outcome<RemoteRepository> created;
    client.createRepository(u"target"_s, u"fresh"_s, created.callback());
    QTRY_COMPARE_WITH_TIMEOUT(created.calls, 1, 15000);
    QVERIFY2(created.result->ok(), qPrintable(why(*created.result)));
    const RemoteRepository repository = created.result->value();
    QCOMPARE(repository.fullName, u"target/fresh"_s);
    QCOMPARE(repository.cloneUrl, u"git://127.0.0.1:9/target/fresh.git"_s);
    QVERIFY(repository.id > 0);
    QVERIFY(QFileInfo(root + u"/target/fresh.git/HEAD"_s).isFile());
    QCOMPARE(isBare(root + u"/target/fresh.git"_s), u"true"_s);

    // A second create answers the same repository (GitLab: 400 "has already been taken").
    m_server.clearRequests();
    Outcome<RemoteRepository> again;
    client.createRepository(u"target"_s, u"fresh"_s, again.callback());
    QTRY_COMPARE_WITH_TIMEOUT(again.calls, 1, 15000);
    QVERIFY2(again.result->ok(), qPrintable(why(*again.result)));
    QCOMPARE(again.result->value().fullName, repository.fullName);
    QCOMPARE(again.result->value().id, repository.id);
    QCOMPARE(again.result->value().cloneUrl, repository.cloneUrl);
    const QList<FixtureRequest> requests = m_server.requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[0].path, u"/gitlab/api/v4/groups/target"_s);
    QCOMPARE(requests[1].method, u"POST"_s);
    QCOMPARE(requests[1].status, 400);
    QCOMPARE(requests[2].path, u"/gitlab/api/v4/projects/target%2Ffresh"_s);

    // Into an existing subgroup; and the created ones are listed.
    Outcome<RemoteRepository> nested;
    client.createRepository(u"target"_s, u"sub/tool"_s, nested.callback());
    QTRY_COMPARE_WITH_TIMEOUT(nested.calls, 1, 15000);
    QVERIFY2(nested.result->ok(), qPrintable(why(*nested.result)));
    QCOMPARE(nested.result->value().fullName, u"target/sub/tool"_s);
    QVERIFY(QFileInfo(root + u"/target/sub/tool.git/HEAD"_s).isFile());
    auto listed = list(access(ForgeApi::GitLab), u"target"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 3);

    // A group that does not exist.
    Outcome<RemoteRepository> missing;
    client.createRepository(u"nowhere"_s, u"x"_s, missing.callback());
    QTRY_COMPARE_WITH_TIMEOUT(missing.calls, 1, 15000);
    QVERIFY(!missing.result->ok());
    QCOMPARE(missing.result->error().category, ErrorCategory::NotFound);
    QVERIFY(missing.result->error().message.contains(u"\"nowhere\""_s));
    checkNoToken(missing.result->error());
}

void TestProviders::createBitbucketServer()
{
    const QString root = m_tmp.filePath(u"bbs-created"_s);
    m_server.setCreateRoot(root, u"http://127.0.0.1:9/scm/{path}.git"_s);
    m_server.setRepositories(ForgeApi::BitbucketServer, u"TGT"_s, {});
    ProviderClient client(access(ForgeApi::BitbucketServer));

    Outcome<RemoteRepository> created;
    client.createRepository(u"TGT"_s, u"New Repo"_s, created.callback());
    QTRY_COMPARE_WITH_TIMEOUT(created.calls, 1, 15000);
    QVERIFY2(created.result->ok(), qPrintable(why(*created.result)));
    const RemoteRepository repository = created.result->value();
    QCOMPARE(repository.fullName, u"TGT/new-repo"_s);
    QCOMPARE(repository.cloneUrl, u"http://127.0.0.1:9/scm/tgt/new-repo.git"_s);
    QCOMPARE(isBare(root + u"/tgt/new-repo.git"_s), u"true"_s);

    m_server.clearRequests();
    Outcome<RemoteRepository> again;
    client.createRepository(u"TGT"_s, u"New Repo"_s, again.callback());
    QTRY_COMPARE_WITH_TIMEOUT(again.calls, 1, 15000);
    QVERIFY2(again.result->ok(), qPrintable(why(*again.result)));
    QCOMPARE(again.result->value().fullName, repository.fullName);
    QCOMPARE(again.result->value().id, repository.id);
    const QList<FixtureRequest> requests = m_server.requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].status, 409);
    QCOMPARE(requests[1].path, u"/bbs/rest/api/1.0/projects/TGT/repos/new-repo"_s);

    Outcome<RemoteRepository> nested;
    client.createRepository(u"TGT"_s, u"a/b"_s, nested.callback());
    QTRY_COMPARE_WITH_TIMEOUT(nested.calls, 1, 15000);
    QVERIFY(!nested.result->ok());
    QCOMPARE(nested.result->error().category, ErrorCategory::Config);
    checkNoToken(nested.result->error());
}

void TestProviders::createUnsupported()
{
    ProviderClient client(access(ForgeApi::GitHub));
    Outcome<RemoteRepository> outcome;
    client.createRepository(u"acme"_s, u"x"_s, outcome.callback());
    QCOMPARE(outcome.calls, 0);
    QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 5000);
    QVERIFY(!outcome.result->ok());
    QCOMPARE(outcome.result->error().category, ErrorCategory::Config);
    checkNoToken(outcome.result->error());
    QVERIFY(m_server.requests().isEmpty());
}

void TestProviders::bitbucketServerContentHashes()
{
    QList<FixtureRepo> repos = makeRepos(130);
    repos[5].defaultBranch = u"develop"_s;
    m_server.setRepositories(ForgeApi::BitbucketServer, u"PRJ"_s, repos);
    auto listed = list(access(ForgeApi::BitbucketServer), u"PRJ"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QCOMPARE(listed->repositories.size(), 130);
    for (int i = 0; i < 130; ++i)
        QCOMPARE(listed->repositories[i].contentHash, repos[i].contentHash);
    QCOMPARE(listed->repositories[5].defaultBranch, u"develop"_s); // from properties.defaultBranchId
    const QList<FixtureRequest> hashes = m_server.requestsTo(u"/rest/mirroring/latest/projects/"_s);
    QCOMPARE(hashes.size(), 2);
    QCOMPARE(listed->stats.pages, 2);
    QCOMPARE(listed->stats.requests, 4);

    // No mirroring API (404): no hashes, no error.
    m_server.setMirroringApi(false);
    m_server.clearRequests();
    auto without = list(access(ForgeApi::BitbucketServer), u"PRJ"_s);
    QVERIFY2(without.ok(), qPrintable(why(without)));
    QCOMPARE(without->repositories.size(), 130);
    for (const RemoteRepository &repository : without->repositories)
        QVERIFY(repository.contentHash.isEmpty());
    QCOMPARE(m_server.requestsTo(u"/rest/mirroring/"_s).size(), 1);
    QCOMPARE(m_server.requestsTo(u"/rest/mirroring/"_s).first().status, 404);
}

void TestProviders::clonesFromListedUrl()
{
    // The clone URLs the fixture reports are the test's: here a real repository behind git daemon.
    const QString base = m_tmp.filePath(u"daemon"_s);
    QString work;
    QVERIFY_THROWS_NO_EXCEPTION(work = GitRepoBuilder::initWork(m_tmp.filePath(u"work"_s)));
    QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"README"_s, u"hello\n"_s, u"first"_s));
    QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + u"/acme/tool.git"_s));
    QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, base + u"/acme/tool.git"_s, {u"main"_s}));
    GitDaemonServer daemon;
    QVERIFY2(daemon.start(base), qPrintable(daemon.errorString()));
    FixtureRepo repo;
    repo.name = u"tool"_s;
    repo.cloneUrl = daemon.url(u"acme/tool.git"_s);
    m_server.setRepositories(ForgeApi::GitHub, u"acme"_s, {repo});
    auto listed = list(access(ForgeApi::GitHub), u"acme"_s);
    QVERIFY2(listed.ok(), qPrintable(why(listed)));
    QMap<QString, QString> refs;
    QVERIFY_THROWS_NO_EXCEPTION(refs = GitRepoBuilder::lsRemote(listed->repositories.first().cloneUrl));
    QVERIFY(refs.contains(u"refs/heads/main"_s));
}

QTEST_GUILESS_MAIN(TestProviders)
#include "TestProviders.moc"
