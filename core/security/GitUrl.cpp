#include "security/GitUrl.h"

#include "util/Scrub.h"

#include <QRegularExpression>
#include <QUrl>

namespace md {

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
    if (text != text.trimmed())
        return urlError(QStringLiteral("has leading or trailing spaces"));

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
                                .arg(scheme));
        url.m_scheme = scheme;
        if (hasControlOrSpace(text))
            return urlError(QStringLiteral("contains spaces or control characters"));

        const QUrl parsed(text, QUrl::StrictMode);
        if (!parsed.isValid()) {
            // QUrl's own error text may quote the URL, password included: say it our way.
            return urlError(QStringLiteral("is not a valid URL (check the host, the port and "
                                           "characters such as %, [ and ])"));
        }
        url.m_user = parsed.userName(QUrl::FullyDecoded);
        url.m_password = parsed.password(QUrl::FullyDecoded);
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
    const bool windowsDrive = colon == 1 && text.at(0).isLetter();
    static const QRegularExpression mistypedScheme(QStringLiteral("^(https?|git|ssh|file)(:/?[^/]|//)"), QRegularExpression::CaseInsensitiveOption);
    if (mistypedScheme.match(text).hasMatch())
        return urlError(QStringLiteral("looks like a URL with a mistyped \"://\""));
    if (colon > 0 && (slash < 0 || colon < slash) && !windowsDrive) {
        url.m_kind = Kind::Scp;
        QString hostPart = text.left(colon);
        url.m_path = text.mid(colon + 1);
        static const QRegularExpression passwordLike(QStringLiteral("^[^/]*@[^/]*:"));
        if (passwordLike.match(url.m_path).hasMatch())
            return urlError(QStringLiteral("looks like user:password@host:path; an SCP-style address cannot carry a password "
                                           "(store it in a credential)"));
        if (hasControlOrSpace(text))
            return urlError(QStringLiteral("contains spaces or control characters"));
        const int at = hostPart.lastIndexOf(QLatin1Char('@'));
        if (at >= 0) {
            url.m_user = hostPart.left(at);
            hostPart = hostPart.mid(at + 1);
            if (url.m_user.isEmpty())
                return urlError(QStringLiteral("has an empty user name before \"@\""));
        }
        if (hostPart.startsWith(QLatin1Char('[')) && hostPart.endsWith(QLatin1Char(']')))
            hostPart = hostPart.mid(1, hostPart.size() - 2);
        if (hostPart.isEmpty())
            return urlError(QStringLiteral("has no host before \":\""));
        static const QRegularExpression hostRe(QStringLiteral("^[A-Za-z0-9._:-]+$"));
        if (!hostRe.match(hostPart).hasMatch())
            return urlError(QStringLiteral("has an invalid host \"%1\"").arg(hostPart));
        url.m_host = hostPart.toLower();
        if (url.m_path.isEmpty())
            return urlError(QStringLiteral("has no repository path after \":\""));
        return url;
    }

    if (text.contains(QChar(0)) || text.contains(QLatin1Char('\n')))
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
    // A location is one word, spaces included: scrubText() ends a URL at a space, which would show
    // a password typed with one ("https://u:my secret@host/r" does not parse, and error messages
    // quote it). Mask everything up to the location's last "@", as scrubText() does in a word.
    static const QRegularExpression urlUserInfo(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)@"),
                                                QRegularExpression::DotMatchesEverythingOption);
    if (const auto m = urlUserInfo.match(location); m.hasMatch()) {
        const QString userInfo = m.captured(2);
        QString masked = kMask + QLatin1Char(':') + kMask;
        if (isSshFamily(m.captured(1).toLower())) {
            const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
            masked = colon < 0 ? userInfo : userInfo.left(colon) + QLatin1Char(':') + kMask;
        }
        return location.left(m.capturedStart(2)) + masked + location.mid(m.capturedEnd(2));
    }
    // An SCP-style address typed with a password ("user:secret@host:path", spaces and all) does
    // not parse: mask what stands between the first ":" and the "@" all the same.
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
