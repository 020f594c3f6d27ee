#pragma once

#include "util/Result.h"

#include <QString>

namespace md {

// A repository location as an admin types it: a URL (https, http, git, ssh, file), an
// SCP-style address (`git@host:group/project.git`, as git accepts it) or a local path.
// Parsing names what is wrong; the parsed value can print itself scrubbed of credentials.
// Refused, with the reason: git's "<transport>::<address>" remote-helper form (any "::" before
// the first "/", so "ext::sh -c …", "fd::17" and "host::path" alike), a single-colon scheme that
// is no git transport ("javascript:…", "data:…"), a mistyped "://" ("https:/…"), a password
// without a scheme ("user:pw@host:path", "user:pw@host/path", as an address or as a path), a
// host or user starting with "-", control characters, and anything longer than kMaxLength.
// "foo:bar" stays what git reads it as: host foo, path bar.
class GitUrl {
public:
    enum class Kind { Local, File, Http, Https, Git, Ssh, Scp };
    // Longer locations are refused (a URL or path is never near this; a 50 MB paste is a mistake).
    static constexpr qsizetype kMaxLength = 4096;

    static Result<GitUrl> parse(const QString &text);

    Kind kind() const { return m_kind; }
    bool isLocal() const { return m_kind == Kind::Local || m_kind == Kind::File; }
    bool isSsh() const { return m_kind == Kind::Ssh || m_kind == Kind::Scp; }
    QString original() const { return m_original; }
    QString host() const { return m_host; }
    int port() const { return m_port; } // -1 when not given
    int effectivePort() const;
    QString userName() const { return m_user; }
    bool hasPassword() const { return !m_password.isEmpty(); }
    // The password typed in the URL (decoded): only to move it into a credential, never to show.
    QString password() const { return m_password; }
    QString path() const { return m_path; }
    // A warning when git's reading of the address is probably not what was meant, else empty:
    // "127.0.0.1:19418/x.git" is SCP-style SSH to port 22 with the path "19418/x.git", not a port.
    QString ambiguityWarning() const;

    // `host:port` (IPv6 hosts in brackets) for host-key pins and per-host limits; empty for local.
    QString hostPort() const;
    // The location with every credential removed: what libgit2 may see.
    QString withoutCredentials() const;
    // The location safe to show or log.
    QString scrubbed() const;

    // A location as typed, safe to show: parsed and scrubbed, or scrubbed as text if it does not parse.
    static QString scrub(const QString &location);
    // Scrubs every URL with credentials found in free text (error messages, log lines).
    static QString scrubText(const QString &text);

private:
    QString m_original;
    Kind m_kind = Kind::Local;
    QString m_scheme;
    QString m_user;
    QString m_password;
    QString m_host;
    int m_port = -1;
    QString m_path;
};

} // namespace md
