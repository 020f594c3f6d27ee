#include "git/Connection.h"

#include "git/GitError.h"
#include "git/Oid.h"
#include "util/Scrub.h"

namespace md::git {

namespace {

// libgit2 quotes a proxy it cannot use ("malformed URL 'u:pw@proxy:3128'"), and with
// GIT_PROXY_AUTO that proxy comes from the environment, where a scheme is often left out: mask
// every proxy value this side may be using, user info and all (a proxy's user may be a token).
Error withProxiesMasked(Error error, const QString &configured)
{
    QStringList values{configured};
    for (const char *name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"})
        values.append(qEnvironmentVariable(name));
    for (const QString &value : values) {
        if (!value.contains(QLatin1Char('@')))
            continue;
        const QString masked = scrubProxy(value);
        error.message.replace(value, masked);
        error.message.replace(scrubText(value), masked);
    }
    return error;
}

// Refspecs as libgit2's git_strarray; the strings live as long as this object.
class RefspecArray {
public:
    explicit RefspecArray(const QList<QByteArray> &refspecs)
        : m_specs(refspecs)
    {
        m_pointers.reserve(static_cast<size_t>(m_specs.size()));
        for (QByteArray &spec : m_specs)
            m_pointers.push_back(spec.data());
    }
    git_strarray array() { return git_strarray{m_pointers.data(), m_pointers.size()}; }

private:
    QList<QByteArray> m_specs;
    std::vector<char *> m_pointers;
};

} // namespace

Connection::Connection(RemoteAccess access, const StreamLimits &limits)
    : m_access(std::move(access))
    , m_limits(limits)
    , m_scope(m_limits)
    , m_callbacks(m_access, m_limits.cancel)
    , m_watchdog(m_scope, m_limits, [this] { return m_callbacks.lastProgressMs(); })
{
}

Connection::~Connection()
{
    if (m_remote)
        git_remote_disconnect(m_remote.get());
    m_remote.reset(); // before the watchdog and the scope go
}

void Connection::setProgressSink(std::function<void(const RemoteCallbacks::Progress &)> sink)
{
    m_callbacks.setProgressSink(std::move(sink));
}

Error Connection::failure(int code, const QString &what) const
{
    // A transfer the watchdog cut short is a timeout, whatever libgit2 made of the closed socket.
    if (const QString reason = m_watchdog.firedReason(); !reason.isEmpty())
        return Error{ErrorCategory::Timeout, QStringLiteral("%1 timed out: %2").arg(m_access.displayUrl, reason), {}, 0, 0};
    if (const QString cut = m_scope.listingCut(); !cut.isEmpty())
        return Error{ErrorCategory::Network, QStringLiteral("%1: %2").arg(what, cut), {}, 0, 0};
    if (!m_callbacks.problem().isEmpty())
        return m_callbacks.problemError(code);
    return withProxiesMasked(lastError(code, what), m_access.proxy);
}

Status Connection::connectForFetch(git_repository *repository)
{
    return connectFor(repository, GIT_DIRECTION_FETCH);
}

Status Connection::connectForPush(git_repository *repository)
{
    return connectFor(repository, GIT_DIRECTION_PUSH);
}

Status Connection::connectFor(git_repository *repository, int direction)
{
    git_remote *raw = nullptr;
    const QByteArray url = m_access.url.toUtf8();
    // Anonymous, without url.<base>.insteadOf rewriting: the URL connected to is the one checked
    // (credentials, host-key pins are per URL). libgit2 1.5 also leaks, per config entry that does
    // not match its insteadOf pattern, the pcre2 match data of git_regexp_match() (20 KB with
    // pcre2 10.42): 160 KB per update here, 1 GB for an update of 10,000 mirrors.
    git_remote_create_options create;
    git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    create.repository = repository;
    create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
    const int created = repository ? git_remote_create_with_opts(&raw, url.constData(), &create)
                                   : git_remote_create_detached(&raw, url.constData());
    if (created < 0)
        return withProxiesMasked(lastError(created, QStringLiteral("cannot use %1").arg(m_access.displayUrl)), m_access.proxy);
    m_remote.reset(raw);
    git_remote_connect_options options;
    git_remote_connect_options_init(&options, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
    m_callbacks.install(options.callbacks);
    options.proxy_opts = m_access.proxyOptions(m_proxyUrl);
    options.follow_redirects = GIT_REMOTE_REDIRECT_NONE; // a secret never follows a redirect to another host
    // Connecting reads the ref advertisement: its size is bounded (StreamLimits::maxListingBytes).
    m_scope.setListing(true);
    const int rc = git_remote_connect_ext(m_remote.get(), static_cast<git_direction>(direction), &options);
    m_scope.setListing(false);
    if (rc < 0)
        return failure(rc, QStringLiteral("cannot connect to %1%2").arg(m_access.displayUrl, m_access.proxyNote()));
    return {};
}

Result<RemoteListing> Connection::list()
{
    const git_remote_head **heads = nullptr;
    size_t count = 0;
    if (const int rc = git_remote_ls(&heads, &count, m_remote.get()); rc < 0)
        return failure(rc, QStringLiteral("cannot list refs of %1").arg(m_access.displayUrl));
    if (m_limits.maxListedRefs > 0 && count > static_cast<size_t>(m_limits.maxListedRefs))
        return Error{ErrorCategory::Network,
                     QStringLiteral("%1 advertises %2 refs, more than the limit of %3; not listing them")
                         .arg(m_access.displayUrl).arg(count).arg(m_limits.maxListedRefs),
                     {}, 0, 0};
    RemoteListing listing;
    listing.refs.reserve(static_cast<qsizetype>(count));
    for (size_t i = 0; i < count; ++i) {
        const QString name = QString::fromUtf8(heads[i]->name);
        if (name == QLatin1String("HEAD") && heads[i]->symref_target)
            listing.headTarget = QString::fromUtf8(heads[i]->symref_target);
        // The commit an annotated tag points at is advertised right after the tag.
        if (name.endsWith(QLatin1String("^{}")) && !listing.refs.isEmpty()
            && listing.refs.last().name.size() + 3 == name.size() && name.startsWith(listing.refs.last().name)) {
            listing.refs.last().peeled = oidText(heads[i]->oid);
            continue;
        }
        if (name.endsWith(QLatin1String("^{}")))
            continue;
        listing.refs.append(RefTip{name, oidText(heads[i]->oid), QString()});
    }
    return listing;
}

Status Connection::download(const QList<QByteArray> &refspecs)
{
    RefspecArray specs(refspecs);
    const git_strarray array = specs.array();
    git_fetch_options fetch;
    git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
    m_callbacks.install(fetch.callbacks);
    fetch.proxy_opts = m_access.proxyOptions(m_proxyUrl);
    fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    fetch.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
    if (const int rc = git_remote_download(m_remote.get(), &array, &fetch); rc < 0)
        return failure(rc, QStringLiteral("cannot download from %1").arg(m_access.displayUrl));
    return {};
}

namespace {

// libgit2's packbuilder threads for a push (pb_parallelism): MIRRORDESK_PACK_THREADS when set
// (0 = one per core), else one per core.
unsigned int packThreads()
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue("MIRRORDESK_PACK_THREADS", &ok);
    return ok && value >= 0 && value <= 64 ? static_cast<unsigned int>(value) : 0;
}

} // namespace

Result<Connection::PushReport> Connection::push(const QList<QByteArray> &refspecs)
{
    RefspecArray specs(refspecs);
    const git_strarray array = specs.array();
    git_push_options options;
    git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION);
    m_callbacks.install(options.callbacks);
    options.proxy_opts = m_access.proxyOptions(m_proxyUrl);
    options.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
    options.pb_parallelism = packThreads();
    m_callbacks.takePushStatuses();
    m_callbacks.takeSideband();
    const int rc = git_remote_upload(m_remote.get(), &array, &options);
    PushReport report{m_callbacks.takePushStatuses(), m_callbacks.takeSideband()};
    if (rc < 0) {
        Error error = failure(rc, QStringLiteral("cannot push to %1").arg(m_access.displayUrl));
        if (!report.hostText.isEmpty())
            error.message += QStringLiteral("\n%1").arg(report.hostText);
        return error;
    }
    return report;
}

void Connection::disconnect()
{
    if (m_remote)
        git_remote_disconnect(m_remote.get());
}

QString Connection::proxyWarning() const
{
    if (!m_access.proxyIgnored())
        return {};
    return QStringLiteral("the proxy %1 is not used for %2: libgit2 sends only https:// through a proxy, so the source was "
                          "reached directly")
        .arg(scrubProxy(m_access.proxy), m_access.displayUrl);
}

} // namespace md::git
