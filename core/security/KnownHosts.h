#pragma once

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

} // namespace md
