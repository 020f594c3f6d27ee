#pragma once

#include "security/HostKey.h"
#include "util/Result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>

namespace md {

// Detecting a server's SSH host keys (DESIGN section 5, "Detect host keys"), with libssh2 itself:
// one connection per host-key type libssh2 can negotiate (ssh-ed25519, ecdsa-sha2-nistp256/384/
// 521), each asking for that type only, so every key the server offers of those types is seen.
// Nothing is pinned and nothing is authenticated: the connection ends after the key exchange.
// The admin compares the fingerprints with the host's published ones and pins them
// (HostKeyOps::pin).

struct DetectReport {
    QString hostPort;    // normalised "host:port", as keys are pinned
    QList<HostKey> keys; // what the server offered, in the order asked (no comment)
    QStringList notes;   // e.g. that this libssh2 cannot negotiate RSA host keys
};

// The host:port a location names, for detect: an ssh:// URL, an SCP-style address
// ("git@host:path", port 22), "host", "host:port" or "[host]:port". Other URLs (https://, git://,
// local paths) are refused: only SSH has host keys. A usage error says what is wrong.
Result<QString> detectHostPort(const QString &location);

// Connects to `location` once per key type and returns the keys it offered. Blocking (name
// resolution, connects and key exchanges): call it off a UI thread, e.g. from a QThread or
// std::thread, and hand the result back by a queued signal. `timeoutMs` bounds the whole detect
// (every connect and key exchange; the name lookup, getaddrinfo, is the system resolver's own
// business); `cancel`, when given and set, ends a connect or key exchange within 0.2 s. Errors: usage (a bad
// location), network (cannot resolve or connect, or the server ends the connection), timeout,
// host_key (the server offered no key of a type libssh2 can negotiate).
Result<DetectReport> detectHostKeys(const QString &location, int timeoutMs, const std::atomic<bool> *cancel = nullptr);

} // namespace md
