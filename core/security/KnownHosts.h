#pragma once

#include "security/HostKey.h"

#include <QList>
#include <QStringList>

namespace md {

// Parsing of the host-key lines an admin pastes or pipes in (DESIGN section 5): OpenSSH
// public-key lines, and known_hosts / ssh-keyscan lines whose host field must name the host.

// Whether a word is shaped like an OpenSSH key type (ssh-*, ecdsa-*, sk-*).
bool looksLikeKeyType(const QString &word);

// Splits words into key lines. A key starts at a word shaped like a key type followed by key data
// (base64 of an SSH key starts with "AAAA"); other words, even a comment such as
// "ssh-host-key", belong to the current key. Lines are parsed strictly afterwards (HostKey).
QStringList splitKeyLines(const QStringList &words);

// known_hosts / ssh-keyscan text: a key is kept only when its line's host field names `hostPort`
// (normalised host:port); other hosts' keys, hashed host fields and @revoked/@cert-authority
// lines are skipped, each with a note saying why. Bare key lines are kept.
struct KnownHostsLines {
    QStringList lines;
    QStringList notes;
};
KnownHostsLines keyLinesForHost(const QString &text, const QString &hostPort);

// A whole known_hosts file (OpenSSH's format, sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), for import.
// Each plain host entry ("host", "[host]:port", comma-separated lists) names its host:port
// (normalised). What cannot become a pin is said per line: hashed host fields ("|1|salt|hash",
// HashKnownHosts yes) cannot be turned back into a name and are only counted; wildcard ("*", "?")
// and negated ("!") patterns match many hosts or none; @cert-authority lines hold a CA key
// (libssh2 checks no host certificates); @revoked lines are listed in `revoked` so the caller can
// say whether such a key is pinned. Malformed lines (no key, a bad key, a bad host) are problems,
// each "line N: why".
struct KnownHostsEntry {
    int line = 0;
    QStringList hostPorts;
    HostKey key;
};
struct KnownHostsFile {
    QList<KnownHostsEntry> entries;
    QList<KnownHostsEntry> revoked; // hostPorts as written (patterns too), key parsed
    int hashedLines = 0;
    QStringList notes;    // "line N: …" for what is skipped on purpose
    QStringList problems; // "line N: …" for malformed lines
};
KnownHostsFile parseKnownHosts(const QString &text);

} // namespace md
