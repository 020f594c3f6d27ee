#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QStringList>

namespace md {

// One pinned SSH host key: an OpenSSH public-key line ("ssh-ed25519 AAAA… comment").
struct HostKey {
    QString type;
    QByteArray blob; // the raw key blob, as the server sends it in the key exchange
    QString comment;

    static Result<HostKey> parseLine(const QString &line);
    QString toLine() const;
    QString sha256Fingerprint() const; // "SHA256:<base64 without padding>"
    QString md5Fingerprint() const;    // "MD5:aa:bb:…"
};

// Normalises "host", "host:port", "[host]:port" or "[v6addr]:port" to "host:port" (port 22 by
// default, host lower-case, IPv6 in brackets).
Result<QString> normalizeHostPort(const QString &text);

} // namespace md
