#include "security/GitUrl.h"

#include "util/Scrub.h"

#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <optional>

namespace md {

QString GitUrl::ambiguityWarning() const
{
    if (m_kind != Kind::Scp)
        return {};
    qsizetype digits = 0;
    while (digits < m_path.size() && m_path.at(digits).isDigit())
        ++digits;
    if (digits == 0 || digits >= m_path.size() || m_path.at(digits) != QLatin1Char('/'))
        return {};
    const QString port = m_path.left(digits);
    const QString rest = m_path.mid(digits);
    return QStringLiteral("\"%1\" is read as git reads it: SSH to %2 on port 22, path \"%3\"; for port %4 write "
                          "ssh://%2:%4%5 or git://%2:%4%5")
        .arg(scrubbed(), m_host, m_path, port, rest);
}

namespace {

const QString kMask = QStringLiteral("*****");

Error urlError(const QString &message)
{
    return Error{ErrorCategory::Config, message, {}, 0, 0};
}

bool hasControlOrSpace(const QString &text)
{
    for (QChar c : text) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

bool isSshFamily(const QString &scheme)
{
    return scheme == QLatin1String("ssh") || scheme == QLatin1String("git+ssh")
        || scheme == QLatin1String("ssh+git");
}

bool hasControl(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

const QString kAccepted = QStringLiteral("use https, http, ssh, git, file, user@host:path or a local path");

// What git would not read as a plain location, refused before anything else looks at the text:
// - "<transport>::<address>" (a "::" before the first "/", outside an IPv6 host's brackets): git
//   runs the remote helper git-remote-<transport> for it ("ext::sh -c …" runs a command), and
//   "host::path" is read the same way, so every such form is refused;
// - a scheme that is not a git transport, written with a single colon ("javascript:…",
//   "data:…"): git would take it for an SCP-style host name. An SCP-style address on a host of
//   that name is still written user@host:path or ssh://host/path.
std::optional<Error> refuseTransport(const QString &text)
{
    bool bracket = false;
    for (qsizetype i = 0; i + 1 < text.size() && text.at(i) != QLatin1Char('/'); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('['))
            bracket = true;
        else if (c == QLatin1Char(']'))
            bracket = false;
        else if (!bracket && c == QLatin1Char(':') && text.at(i + 1) == QLatin1Char(':'))
            return urlError(QStringLiteral("uses git's remote-helper form \"%1::…\", which makes git run a helper "
                                           "program (ext:: runs any command); %2")
                                .arg(quoteInput(text.left(i), 40), kAccepted));
    }
    static const char *const kNotTransports[] = {"javascript", "vbscript", "data", "mailto", "about", "blob", "ftp",
                                                 "ftps", "sftp", "rsync", "svn", "telnet", "ldap", "tel", "urn",
                                                 "news", "irc", "gopher", "ws", "wss", "smb", "nfs", "view-source"};
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon > 0 && !text.contains(QLatin1String("://"))) {
        const QString prefix = text.left(colon).toLower();
        for (const char *scheme : kNotTransports) {
            if (prefix == QLatin1String(scheme))
                return urlError(QStringLiteral("starts with \"%1:\", a URL scheme git cannot fetch from; %2").arg(prefix, kAccepted));
        }
    }
    return std::nullopt;
}

// "user:secret@host…" without a scheme: in the first "/"-separated segment, a ":" with no "@"
// before it and an "@" after it ("user:pw@host:path", "user:pw@host/path", "u:pw@host").
bool looksLikeSchemelessPassword(const QString &text)
{
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    const QStringView segment = QStringView(text).left(slash < 0 ? text.size() : slash);
    const qsizetype colon = segment.indexOf(QLatin1Char(':'));
    if (colon <= 0 || segment.left(colon).contains(QLatin1Char('@')))
        return false;
    return segment.mid(colon + 1).contains(QLatin1Char('@'));
}

} // namespace

int GitUrl::effectivePort() const
{
    if (m_port > 0)
        return m_port;
    switch (m_kind) {
    case Kind::Http: return 80;
    case Kind::Https: return 443;
    case Kind::Git: return 9418;
    case Kind::Ssh:
    case Kind::Scp: return 22;
    case Kind::Local:
    case Kind::File: return -1;
    }
    return -1;
}

Result<GitUrl> GitUrl::parse(const QString &text)
{
    GitUrl url;
    url.m_original = text;
    if (text.trimmed().isEmpty())
        return urlError(QStringLiteral("is empty"));
    if (text.size() > kMaxLength)
        return urlError(QStringLiteral("is longer than %1 characters").arg(kMaxLength));
    if (text != text.trimmed())
        return urlError(QStringLiteral("has leading or trailing spaces"));
    if (auto refused = refuseTransport(text))
        return *refused;

    static const QRegularExpression schemeRe(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const auto schemeMatch = schemeRe.match(text);
    if (schemeMatch.hasMatch()) {
        const QString scheme = schemeMatch.captured(1).toLower();
        if (scheme == QLatin1String("https"))
            url.m_kind = Kind::Https;
        else if (scheme == QLatin1String("http"))
            url.m_kind = Kind::Http;
        else if (scheme == QLatin1String("git"))
            url.m_kind = Kind::Git;
        else if (isSshFamily(scheme))
            url.m_kind = Kind::Ssh;
        else if (scheme == QLatin1String("file"))
            url.m_kind = Kind::File;
        else
            return urlError(QStringLiteral("unsupported scheme \"%1\" (use https, http, ssh, git, "
                                           "file, user@host:path or a local path)")
                                .arg(quoteInput(scheme, 40)));
        url.m_scheme = scheme;
        if (hasControlOrSpace(text))
            return urlError(QStringLiteral("contains spaces or control characters"));

        // One "@" at most before the path: "git@[fe80::1%25x:@h]" reads differently to QUrl, to
        // git and to a person, and whatever stands before the last "@" may be a secret.
        {
            const qsizetype authorityStart = text.indexOf(QStringLiteral("://")) + 3;
            const qsizetype slash = text.indexOf(QLatin1Char('/'), authorityStart);
            const QString authority = text.mid(authorityStart, slash < 0 ? -1 : slash - authorityStart);
            if (authority.count(QLatin1Char('@')) > 1)
                return urlError(QStringLiteral("has more than one @ before the path"));
        }
        const QUrl parsed(text, QUrl::StrictMode);
        if (!parsed.isValid()) {
            // QUrl's own error text may quote the URL, password included: say it our way.
            return urlError(QStringLiteral("is not a valid URL (check the host, the port and "
                                           "characters such as %, [ and ])"));
        }
        url.m_user = parsed.userName(QUrl::FullyDecoded);
        url.m_password = parsed.password(QUrl::FullyDecoded);
        // QUrl takes user info up to the last "@", so "git@[fe80::1%25x:@h]" would give the user
        // "git@[fe80": an "@" or a bracket in a user name is a malformed address, refused.
        for (const QChar c : {QLatin1Char('@'), QLatin1Char('['), QLatin1Char(']')}) {
            if (url.m_user.contains(c) || url.m_password.contains(c))
                return urlError(QStringLiteral("has a malformed user name (an @ or a bracket before the host)"));
        }
        url.m_host = parsed.host(QUrl::FullyDecoded).toLower();
        url.m_port = parsed.port(-1);
        url.m_path = parsed.path(QUrl::FullyDecoded);
        if (parsed.hasQuery() || parsed.hasFragment())
            return urlError(QStringLiteral("must not have a query (?) or fragment (#)"));
        if (url.m_kind == Kind::File) {
            if (!url.m_host.isEmpty() && url.m_host != QLatin1String("localhost"))
                return urlError(QStringLiteral("file URLs cannot name a remote host"));
            if (url.m_path.isEmpty() || url.m_path == QLatin1String("/"))
                return urlError(QStringLiteral("has no repository path"));
            return url;
        }
        if (url.m_host.isEmpty())
            return urlError(QStringLiteral("has no host"));
        if (url.m_port == 0)
            return urlError(QStringLiteral("has an invalid port"));
        if (url.m_path.isEmpty() || url.m_path == QLatin1String("/"))
            return urlError(QStringLiteral("has no repository path"));
        return url;
    }

    if (text.contains(QLatin1String("://")))
        return urlError(QStringLiteral("has a malformed scheme before \"://\""));

    // git's rule: a colon with no slash before it is an SCP-style address, not a path.
    // An IPv6 host is bracketed ("git@[::1]:path"): look for the colon after the bracket.
    const int bracket = text.indexOf(QLatin1Char('['));
    const int closing = bracket >= 0 ? text.indexOf(QLatin1Char(']'), bracket) : -1;
    const int colon = text.indexOf(QLatin1Char(':'), closing >= 0 ? closing : 0);
    const int slash = text.indexOf(QLatin1Char('/'));
    // "C:/…" or "C:\\…" only: "u:pw@host" is an SCP-style address with a one-letter user.
    const bool windowsDrive = colon == 1 && text.at(0).isLetter()
        && (text.size() == 2 || text.at(2) == QLatin1Char('/') || text.at(2) == QLatin1Char('\\'));
    static const QRegularExpression mistypedScheme(QStringLiteral("^(https?|git|ssh|file)(:/?[^/]|//)"), QRegularExpression::CaseInsensitiveOption);
    if (mistypedScheme.match(text).hasMatch())
        return urlError(QStringLiteral("looks like a URL with a mistyped \"://\""));
    // Refused as an address and as a local path alike (a target path is not checked for existence).
    if (!windowsDrive && looksLikeSchemelessPassword(text))
        return urlError(QStringLiteral("holds a password (a \":\" before the \"@\" of user@host); an SCP-style address "
                                       "cannot carry a password (store it in a credential)"));
    if (colon > 0 && (slash < 0 || colon < slash) && !windowsDrive) {
        url.m_kind = Kind::Scp;
        QString hostPart = text.left(colon);
        url.m_path = text.mid(colon + 1);
        if (hasControlOrSpace(text))
            return urlError(QStringLiteral("contains spaces or control characters"));
        const int at = hostPart.lastIndexOf(QLatin1Char('@'));
        if (at >= 0) {
            url.m_user = hostPart.left(at);
            hostPart = hostPart.mid(at + 1);
            if (url.m_user.isEmpty())
                return urlError(QStringLiteral("has an empty user name before \"@\""));
            if (url.m_user.startsWith(QLatin1Char('-')))
                return urlError(QStringLiteral("has a user name starting with \"-\""));
        }
        if (hostPart.startsWith(QLatin1Char('[')) && hostPart.endsWith(QLatin1Char(']')))
            hostPart = hostPart.mid(1, hostPart.size() - 2);
        if (hostPart.isEmpty())
            return urlError(QStringLiteral("has no host before \":\""));
        static const QRegularExpression hostRe(QStringLiteral("^[A-Za-z0-9._:-]+$"));
        if (!hostRe.match(hostPart).hasMatch())
            return urlError(QStringLiteral("has an invalid host \"%1\"").arg(quoteInput(hostPart)));
        if (hostPart.startsWith(QLatin1Char('-')))
            return urlError(QStringLiteral("has a host starting with \"-\""));
        url.m_host = hostPart.toLower();
        if (url.m_path.isEmpty())
            return urlError(QStringLiteral("has no repository path after \":\""));
        return url;
    }

    if (hasControl(text))
        return urlError(QStringLiteral("contains control characters"));
    url.m_kind = Kind::Local;
    url.m_path = text;
    return url;
}

QString GitUrl::hostPort() const
{
    if (isLocal())
        return {};
    const QString host = m_host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(m_host) : m_host;
    return QStringLiteral("%1:%2").arg(host).arg(effectivePort());
}

QString GitUrl::withoutCredentials() const
{
    switch (m_kind) {
    case Kind::Local:
        return m_path;
    case Kind::Scp: {
        const QString host = m_host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(m_host) : m_host;
        return (m_user.isEmpty() ? QString() : m_user + QLatin1Char('@')) + host + QLatin1Char(':') + m_path;
    }
    default: {
        QUrl url(m_original, QUrl::StrictMode);
        url.setPassword(QString());
        // SSH needs its login name in the URL; for every other scheme the user is a credential.
        if (m_kind != Kind::Ssh)
            url.setUserName(QString());
        return url.toString(QUrl::FullyEncoded);
    }
    }
}

QString GitUrl::scrubbed() const
{
    if (m_kind == Kind::Local || m_kind == Kind::Scp)
        return withoutCredentials();
    if (m_user.isEmpty() && m_password.isEmpty())
        return m_original;
    QUrl url(m_original, QUrl::StrictMode);
    if (m_kind == Kind::Ssh) {
        if (!m_password.isEmpty())
            url.setPassword(kMask);
    } else {
        url.setUserName(kMask);
        url.setPassword(kMask);
    }
    return url.toString(QUrl::FullyEncoded);
}

QString GitUrl::scrub(const QString &location)
{
    const auto parsed = parse(location);
    if (parsed)
        return parsed->scrubbed();
    // A location is one word, spaces included: scrubText() masks per whitespace-separated word,
    // which would show a password typed with a space ("https://u:my secret@host/r" does not
    // parse, and error messages quote it). Everything up to the location's last "@" after
    // "scheme://" is user info, as scrubText() has it within a word.
    static const QRegularExpression urlUserInfo(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)@"),
                                                QRegularExpression::DotMatchesEverythingOption);
    if (const auto m = urlUserInfo.match(location); m.hasMatch()) {
        const QString userInfo = m.captured(2);
        QString masked = kMask + QLatin1Char(':') + kMask;
        if (isSshFamily(m.captured(1).toLower())) {
            const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
            masked = colon < 0 ? userInfo : userInfo.left(colon) + QLatin1Char(':') + kMask;
        }
        // The rest as free text is scrubbed (a "?private_token=…" after the host).
        return scrubText(location.left(m.capturedStart(2)) + masked + location.mid(m.capturedEnd(2)));
    }
    // The rest is masked as free text is: an SCP-style address typed with a password
    // ("user:secret@host:path") shows as "user:*****@host:path", spaces in the secret and all.
    static const QRegularExpression scpPassword(QStringLiteral("^([^:/@\\s]+):[^/]*@"));
    QString masked = scrubText(location);
    masked.replace(scpPassword, QStringLiteral("\\1:") + kMask + QLatin1Char('@'));
    return masked;
}

QString GitUrl::scrubText(const QString &text)
{
    return md::scrubText(text);
}

} // namespace md
