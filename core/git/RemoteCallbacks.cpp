#include "git/RemoteCallbacks.h"

#include "util/Scrub.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QtEndian>

namespace md::git {

RemoteCallbacks::RemoteCallbacks(const RemoteAccess &access, const std::atomic<bool> *cancel)
    : m_access(access)
    , m_cancel(cancel)
    , m_lastProgressMs(QDateTime::currentMSecsSinceEpoch())
{
}

void RemoteCallbacks::install(git_remote_callbacks &callbacks)
{
    callbacks.credentials = credentialTrampoline;
    callbacks.certificate_check = certificateTrampoline;
    callbacks.transfer_progress = transferTrampoline;
    callbacks.sideband_progress = sidebandTrampoline;
    callbacks.push_update_reference = pushUpdateTrampoline;
    callbacks.push_transfer_progress = pushProgressTrampoline;
    callbacks.pack_progress = packProgressTrampoline;
    callbacks.payload = this;
}

RemoteCallbacks::Progress RemoteCallbacks::progress() const
{
    return Progress{m_receivedObjects.load(), m_totalObjects.load(), m_receivedBytes.load()};
}

int RemoteCallbacks::transferTrampoline(const git_indexer_progress *stats, void *payload)
{
    // No exception can leave here: atomics, arithmetic and a sink call wrapped in try/catch.
    auto *self = static_cast<RemoteCallbacks *>(payload);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    self->m_lastProgressMs.store(now);
    if (self->m_cancel && self->m_cancel->load()) {
        git_error_set_str(GIT_ERROR_CALLBACK, "cancelled");
        return -1;
    }
    if (now - self->m_lastSampleMs.load() >= 100 || stats->received_objects == stats->total_objects) {
        self->m_lastSampleMs.store(now);
        self->m_receivedObjects.store(stats->received_objects);
        self->m_totalObjects.store(stats->total_objects);
        self->m_receivedBytes.store(stats->received_bytes);
        if (self->m_sink) {
            try {
                self->m_sink(Progress{stats->received_objects, stats->total_objects, stats->received_bytes});
            } catch (...) { // nothing may leave a libgit2 callback; a lost sample is harmless
            }
        }
    }
    return 0;
}

int RemoteCallbacks::keepAlive()
{
    m_lastProgressMs.store(QDateTime::currentMSecsSinceEpoch());
    if (m_cancel && m_cancel->load()) {
        git_error_set_str(GIT_ERROR_CALLBACK, "cancelled");
        return -1;
    }
    return 0;
}

int RemoteCallbacks::sidebandTrampoline(const char *text, int length, void *payload)
{
    auto *self = static_cast<RemoteCallbacks *>(payload);
    constexpr int kMaxSideband = 64 * 1024;
    try {
        if (text && length > 0 && self->m_sideband.size() < kMaxSideband)
            self->m_sideband.append(text, std::min(length, kMaxSideband - static_cast<int>(self->m_sideband.size())));
    } catch (...) { // nothing may leave a libgit2 callback; the host's text is advisory
    }
    return self->keepAlive();
}

int RemoteCallbacks::pushUpdateTrampoline(const char *refname, const char *status, void *payload)
{
    auto *self = static_cast<RemoteCallbacks *>(payload);
    try {
        self->m_pushStatuses.append(PushStatus{QString::fromUtf8(refname ? refname : ""), status ? QString::fromUtf8(status) : QString()});
    } catch (...) {
        return -1;
    }
    return 0;
}

int RemoteCallbacks::pushProgressTrampoline(unsigned int, unsigned int, size_t, void *payload)
{
    return static_cast<RemoteCallbacks *>(payload)->keepAlive();
}

int RemoteCallbacks::packProgressTrampoline(int, uint32_t, uint32_t, void *payload)
{
    return static_cast<RemoteCallbacks *>(payload)->keepAlive();
}

QString RemoteCallbacks::takeSideband()
{
    // Progress lines end in \r and repeat; keep each distinct line once, control characters shown.
    QStringList lines;
    for (QString line : QString::fromUtf8(m_sideband).split(QRegularExpression(QStringLiteral("[\r\n]+")), Qt::SkipEmptyParts)) {
        line = printable(scrubText(line.trimmed()), 500);
        if (!line.isEmpty() && !lines.contains(line))
            lines.append(line);
    }
    m_sideband.clear();
    return lines.join(QLatin1Char('\n'));
}

QList<RemoteCallbacks::PushStatus> RemoteCallbacks::takePushStatuses()
{
    QList<PushStatus> statuses;
    statuses.swap(m_pushStatuses);
    return statuses;
}

int RemoteCallbacks::fail(ErrorCategory category, const QString &message, int code)
{
    return fail(Error{category, message, {}, 0, 0}, code);
}

int RemoteCallbacks::fail(Error error, int code)
{
    m_problem = std::move(error);
    git_error_set_str(GIT_ERROR_CALLBACK, m_problem.message.toUtf8().constData());
    return code;
}

Error RemoteCallbacks::problemError(int code) const
{
    Error error = m_problem;
    error.gitClass = GIT_ERROR_CALLBACK;
    error.gitCode = code;
    return error;
}

int RemoteCallbacks::credentialTrampoline(git_credential **out, const char *url, const char *usernameFromUrl,
                                          unsigned int allowedTypes, void *payload)
{
    try {
        auto *self = static_cast<RemoteCallbacks *>(payload);
        // A secret is only ever sent to the host it belongs to.
        const QString asked = self->m_access.hostPortOf ? self->m_access.hostPortOf(QString::fromUtf8(url ? url : "")) : QString();
        if (!self->m_access.hostPortOf || (!self->m_access.hostPort.isEmpty() && !asked.isEmpty() && asked != self->m_access.hostPort))
            return self->fail(ErrorCategory::Auth, QStringLiteral("%1 asked for credentials on behalf of another host (%2); not sent")
                                                      .arg(self->m_access.displayUrl, asked.isEmpty() ? QStringLiteral("unknown") : asked), GIT_EAUTH);
        return self->credential(out, usernameFromUrl, allowedTypes);
    } catch (...) {
        return static_cast<RemoteCallbacks *>(payload)->fail(ErrorCategory::Auth, QStringLiteral("internal error in the credential callback"), GIT_EUSER);
    }
}

int RemoteCallbacks::certificateTrampoline(git_cert *cert, int valid, const char *host, void *payload)
{
    try {
        return static_cast<RemoteCallbacks *>(payload)->certificate(cert, valid, host);
    } catch (...) {
        return static_cast<RemoteCallbacks *>(payload)->fail(ErrorCategory::HostKey, QStringLiteral("internal error in the certificate callback"), GIT_ECERTIFICATE);
    }
}

int RemoteCallbacks::credential(git_credential **out, const char *usernameFromUrl, unsigned int allowedTypes)
{
    if (m_cancel && m_cancel->load())
        return fail(ErrorCategory::Network, QStringLiteral("cancelled"), GIT_EUSER);
    // SSH first asks for the login name alone: answer it without counting an attempt.
    if (allowedTypes == GIT_CREDENTIAL_USERNAME) {
        const QByteArray login = usernameFromUrl && *usernameFromUrl ? QByteArray(usernameFromUrl)
                                                                      : (m_access.credential.username.isEmpty() ? QByteArrayLiteral("git") : m_access.credential.username.toUtf8());
        return git_credential_username_new(out, login.constData());
    }
    // libgit2 asks again (up to 15 times) after a refusal: a second request means the first
    // answer was refused.
    if (++m_credentialCalls > 1)
        return fail(ErrorCategory::Auth, QStringLiteral("authentication failed for %1").arg(m_access.displayUrl), GIT_EAUTH);
    const ResolvedCredential &c = m_access.credential;
    if (!c.present)
        return fail(ErrorCategory::Auth, QStringLiteral("%1 asks for authentication, but this side has no credential").arg(m_access.displayUrl), GIT_EAUTH);
    // SSH: the URL's login wins (libgit2 refuses a name that differs from the one it asked with);
    // HTTP: the credential's user name wins (URLs carry none).
    const bool ssh = c.kind == CredentialKind::SshKey || c.kind == CredentialKind::SshAgent;
    const QString fromUrl = QString::fromUtf8(usernameFromUrl ? usernameFromUrl : "");
    const QByteArray user = (ssh && !fromUrl.isEmpty() ? fromUrl : (c.username.isEmpty() ? fromUrl : c.username)).toUtf8();
    switch (c.kind) {
    case CredentialKind::Password:
    case CredentialKind::Token: {
        if (!(allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
            break;
        // A token without a user name: forges accept any non-empty one for token auth.
        const QByteArray name = user.isEmpty() ? QByteArrayLiteral("x-access-token") : user;
        return git_credential_userpass_plaintext_new(out, name.constData(), c.secret.constData());
    }
    case CredentialKind::SshKey:
        if (!(allowedTypes & GIT_CREDENTIAL_SSH_MEMORY) && !(allowedTypes & GIT_CREDENTIAL_SSH_KEY))
            break;
        return git_credential_ssh_key_memory_new(out, user.isEmpty() ? "git" : user.constData(), nullptr, c.secret.constData(),
                                                 c.passphrase.isEmpty() ? nullptr : c.passphrase.constData());
    case CredentialKind::SshAgent:
        if (!(allowedTypes & GIT_CREDENTIAL_SSH_KEY))
            break;
        // libssh2 would say only "no auth sock variable" (and libgit2 files that under SSH, not auth).
        if (qEnvironmentVariableIsEmpty("SSH_AUTH_SOCK"))
            return fail(ErrorCategory::Auth, QStringLiteral("%1: the ssh_agent credential needs a running ssh-agent, but SSH_AUTH_SOCK is not set")
                                                 .arg(m_access.displayUrl), GIT_EAUTH);
        return git_credential_ssh_key_from_agent(out, user.isEmpty() ? "git" : user.constData());
    }
    return fail(ErrorCategory::Auth, QStringLiteral("%1 does not accept a %2 credential").arg(m_access.displayUrl, credentialKindName(c.kind)), GIT_EAUTH);
}

int RemoteCallbacks::certificate(git_cert *cert, int, const char *host)
{
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
        return GIT_PASSTHROUGH; // TLS: libgit2's own verification stays in charge
    const auto *hostKey = reinterpret_cast<const git_cert_hostkey *>(cert);
    if (!(hostKey->type & GIT_CERT_SSH_RAW))
        return fail(ErrorCategory::HostKey, QStringLiteral("the SSH host key of %1 cannot be checked").arg(QString::fromUtf8(host)), GIT_ECERTIFICATE);
    const QByteArray offered(hostKey->hostkey, static_cast<qsizetype>(hostKey->hostkey_len));
    if (!m_access.verifyHostKey)
        return fail(ErrorCategory::HostKey, QStringLiteral("no host-key rule for %1: refused").arg(m_access.hostPort), GIT_ECERTIFICATE);
    const Status verdict = m_access.verifyHostKey(offered);
    if (verdict)
        return 0;
    return fail(verdict.error(), GIT_ECERTIFICATE);
}

git_proxy_options RemoteAccess::proxyOptions(QByteArray &storage) const
{
    git_proxy_options options;
    git_proxy_options_init(&options, GIT_PROXY_OPTIONS_VERSION);
    if (proxy.isEmpty()) {
        options.type = GIT_PROXY_AUTO;
    } else {
        storage = proxy.toUtf8();
        options.type = GIT_PROXY_SPECIFIED;
        options.url = storage.constData();
    }
    return options;
}

bool RemoteAccess::proxyIgnored() const
{
    return !proxy.isEmpty() && !url.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

QString RemoteAccess::proxyNote() const
{
    if (proxy.isEmpty() || proxyIgnored())
        return QString();
    return QStringLiteral(" (through the proxy %1)").arg(scrubProxy(proxy));
}

} // namespace md::git
