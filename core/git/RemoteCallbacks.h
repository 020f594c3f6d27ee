#pragma once

#include "git/CredentialKind.h"
#include "util/Result.h"

#include <QByteArray>
#include <QStringList>

#include <git2.h>

#include <atomic>
#include <functional>

namespace md::git {

// A credential with its secret already read (on the thread that owns the event loop, before the
// job starts): callbacks on pool threads never wait on a keychain or a file.
struct ResolvedCredential {
    bool present = false;
    CredentialKind kind = CredentialKind::Token;
    QString username;
    QByteArray secret;
    QByteArray passphrase; // an ssh_key's passphrase (empty: none)
};

// What a job needs to reach one side.
struct RemoteAccess {
    QString url;                  // credentials already stripped
    QString displayUrl;           // scrubbed, for messages
    ResolvedCredential credential;
    QString proxy;                // empty: GIT_PROXY_AUTO
    QString hostPort;
    // The SSH host-key decision for this side (the engine's pins): Ok to go on, else the
    // refusal (category host_key, with detail). Unset: every SSH host is refused.
    std::function<Status(const QByteArray &offeredBlob)> verifyHostKey;
    // host:port of a URL libgit2 asks credentials for (empty for local paths), so that a secret
    // is only ever sent to its own host. Unset: no credential is sent.
    std::function<QString(const QString &url)> hostPortOf;

    // libgit2's proxy options for this side: the configured proxy, else GIT_PROXY_AUTO (git
    // config http.proxy, then https_proxy/http_proxy). The URL points into `storage`, which must
    // outlive the options.
    git_proxy_options proxyOptions(QByteArray &storage) const;
    // Whether the configured proxy is used at all: libgit2 1.5 tunnels only https:// through a
    // proxy (HTTP CONNECT); http://, git:// and ssh:// connect directly.
    bool proxyIgnored() const;
    // " (through the proxy …)" for error messages when a configured proxy is in the way.
    QString proxyNote() const;
};

// libgit2 callbacks as static trampolines over this payload: they catch everything, honour the
// cancel flag, answer the credential request at most twice, and decide SSH host keys against the
// pins (never trust on first use). After a callback aborts, `problem` holds the real reason
// (libgit2's last error is stale by then).
class RemoteCallbacks {
public:
    RemoteCallbacks(const RemoteAccess &access, const std::atomic<bool> *cancel);

    void install(git_remote_callbacks &callbacks);
    const QString &problem() const { return m_problem.message; }
    ErrorCategory problemCategory() const { return m_problem.category; }
    // The whole error a callback aborted with (message, category, detail), libgit2 code set.
    Error problemError(int code) const;

    // When the transfer last made progress (ms since the epoch): the watchdog's stall clock.
    qint64 lastProgressMs() const { return m_lastProgressMs.load(); }
    // The latest transfer figures, sampled at most ten times a second.
    struct Progress {
        unsigned int receivedObjects = 0;
        unsigned int totalObjects = 0;
        size_t receivedBytes = 0;
    };
    Progress progress() const;
    // Called with each sample (at most ten a second) on the transferring thread; must not block.
    void setProgressSink(std::function<void(const Progress &)> sink) { m_sink = std::move(sink); }

    // Push: the host's own text from the sideband ("remote: …" lines, at most 64 KB) since the
    // last take, and each ref's status as the server reported it (empty message: accepted).
    QString takeSideband();
    struct PushStatus {
        QString ref;
        QString message; // empty: ok
    };
    QList<PushStatus> takePushStatuses();

private:
    static int credentialTrampoline(git_credential **out, const char *url, const char *usernameFromUrl,
                                    unsigned int allowedTypes, void *payload);
    static int certificateTrampoline(git_cert *cert, int valid, const char *host, void *payload);

    static int transferTrampoline(const git_indexer_progress *stats, void *payload);
    static int sidebandTrampoline(const char *text, int length, void *payload);
    static int pushUpdateTrampoline(const char *refname, const char *status, void *payload);
    static int pushProgressTrampoline(unsigned int current, unsigned int total, size_t bytes, void *payload);
    static int packProgressTrampoline(int stage, uint32_t current, uint32_t total, void *payload);
    int keepAlive(); // a sign of progress; -1 when cancelled

    int credential(git_credential **out, const char *usernameFromUrl, unsigned int allowedTypes);
    int certificate(git_cert *cert, int valid, const char *host);
    int fail(ErrorCategory category, const QString &message, int code);
    int fail(Error error, int code);

    const RemoteAccess &m_access;
    const std::atomic<bool> *m_cancel;
    int m_credentialCalls = 0;
    Error m_problem;
    std::atomic<qint64> m_lastProgressMs;
    std::atomic<qint64> m_lastSampleMs{0};
    std::function<void(const Progress &)> m_sink;
    std::atomic<unsigned int> m_receivedObjects{0};
    std::atomic<unsigned int> m_totalObjects{0};
    std::atomic<size_t> m_receivedBytes{0};
    QByteArray m_sideband;
    QList<PushStatus> m_pushStatuses;
};

} // namespace md::git
