#include "util/Scrub.h"

#include <algorithm>

namespace md {

namespace {

const QString kMask = QStringLiteral("*****");

bool isAsciiLetter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

bool isAsciiDigit(QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); }

bool isSchemeChar(QChar c)
{
    return isAsciiLetter(c) || isAsciiDigit(c) || c == QLatin1Char('+') || c == QLatin1Char('.') || c == QLatin1Char('-');
}

bool isKeyChar(QChar c)
{
    return isAsciiLetter(c) || isAsciiDigit(c) || c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char('-');
}

bool equalsIgnoringCase(QStringView text, QLatin1String word)
{
    return text.compare(word, Qt::CaseInsensitive) == 0;
}

bool endsWithIgnoringCase(QStringView text, QLatin1String word)
{
    return text.endsWith(word, Qt::CaseInsensitive);
}

bool isSshFamily(QStringView scheme)
{
    return equalsIgnoringCase(scheme, QLatin1String("ssh")) || equalsIgnoringCase(scheme, QLatin1String("git+ssh"))
        || equalsIgnoringCase(scheme, QLatin1String("ssh+git"));
}

// The start of the scheme that ends at `end` (just before its ":"): the run of scheme characters
// before it, from its first letter; `end` when there is none.
qsizetype schemeStart(QStringView word, qsizetype end)
{
    qsizetype start = end;
    while (start > 0 && isSchemeChar(word.at(start - 1)))
        --start;
    while (start < end && !isAsciiLetter(word.at(start)))
        ++start;
    return start;
}

// User info of a URL: masked whole, except an SSH login name.
void appendMaskedUserInfo(QString &out, QStringView userInfo, bool keepLogin)
{
    if (!keepLogin) {
        out += kMask + QLatin1Char(':') + kMask;
        return;
    }
    const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
    if (colon < 0) {
        out += userInfo;
        return;
    }
    out += userInfo.left(colon);
    out += QLatin1Char(':') + kMask;
}

// A word without "scheme://" before its last "@": a mistyped scheme ("https:/u:pw@h") or an
// SCP-style / schemeless address ("u:pw@host:path", "u:pw@proxy:3128").
void appendPlainWord(QString &out, QStringView word)
{
    const qsizetype at = word.lastIndexOf(QLatin1Char('@'));
    const qsizetype colon = word.indexOf(QLatin1Char(':'));
    if (at < 0 || colon < 0 || colon > at) {
        out += word;
        return;
    }
    const qsizetype start = schemeStart(word, colon);
    if (start < colon && colon + 1 < word.size() && word.at(colon + 1) == QLatin1Char('/')) {
        qsizetype userInfo = colon + 1;
        while (userInfo < at && word.at(userInfo) == QLatin1Char('/'))
            ++userInfo;
        out += word.left(userInfo);
        appendMaskedUserInfo(out, word.mid(userInfo, at - userInfo), isSshFamily(word.mid(start, colon - start)));
        out += word.mid(at);
        return;
    }
    out += word.left(colon + 1);
    out += kMask;
    out += word.mid(at);
}

// User info in one whitespace-free word.
void appendUserInfoScrubbed(QString &out, QStringView word)
{
    const qsizetype at = word.lastIndexOf(QLatin1Char('@'));
    if (at < 0) {
        out += word;
        return;
    }
    const qsizetype separator = word.indexOf(QLatin1String("://"));
    if (separator < 0 || separator > at) {
        appendPlainWord(out, word);
        return;
    }
    // Everything up to the last "@" after "scheme://" is user info: passwords may hold "/", "?",
    // "#" or "@". What stands before the scheme gets the plain rule.
    const qsizetype start = schemeStart(word, separator);
    appendPlainWord(out, word.left(start));
    out += word.mid(start, separator + 3 - start);
    appendMaskedUserInfo(out, word.mid(separator + 3, at - separator - 3), isSshFamily(word.mid(start, separator - start)));
    out += word.mid(at);
}

bool isSecretKey(QStringView key)
{
    if (key.isEmpty() || !isAsciiLetter(key.at(0)))
        return false;
    for (const char *suffix : {"token", "secret", "password", "passwd", "pwd", "key"}) {
        if (endsWithIgnoringCase(key, QLatin1String(suffix)))
            return true;
    }
    for (const char *name : {"pass", "sig", "signature", "auth", "authorization", "credential", "credentials"}) {
        if (equalsIgnoringCase(key, QLatin1String(name)))
            return true;
    }
    return false;
}

bool endsValue(QChar c)
{
    return QStringView(u"&;,#\"')]}>").contains(c);
}

// "key=value" parameters whose key names a secret ("?token=…", "&private_token=…").
QString scrubParameters(const QString &word)
{
    if (!word.contains(QLatin1Char('=')))
        return word;
    QString out;
    out.reserve(word.size());
    qsizetype keyStart = 0;
    qsizetype i = 0;
    while (i < word.size()) {
        const QChar c = word.at(i);
        if (isKeyChar(c)) {
            out += c;
            ++i;
            continue;
        }
        out += c;
        ++i;
        if (c == QLatin1Char('=') && isSecretKey(QStringView(word).mid(keyStart, i - 1 - keyStart))) {
            qsizetype end = i;
            while (end < word.size() && !endsValue(word.at(end)))
                ++end;
            if (end > i && QStringView(word).mid(i, end - i) != kMask)
                out += kMask;
            else
                out += QStringView(word).mid(i, end - i);
            i = end;
        }
        keyStart = i;
    }
    return out;
}

QString scrubWord(QStringView word)
{
    QString out;
    out.reserve(word.size());
    appendUserInfoScrubbed(out, word);
    return scrubParameters(out);
}

// "Authorization:", "Proxy-Authorization:", "Private-Token:", "X-Gitlab-Token:": the next word
// (after an auth scheme name such as "Basic") is a secret.
bool isSecretHeader(QStringView word)
{
    if (!word.endsWith(QLatin1Char(':')))
        return false;
    const QStringView name = word.chopped(1);
    return endsWithIgnoringCase(name, QLatin1String("authorization")) || endsWithIgnoringCase(name, QLatin1String("token"))
        || endsWithIgnoringCase(name, QLatin1String("secret"));
}

bool isAuthScheme(QStringView word)
{
    for (const char *scheme : {"basic", "bearer", "token", "digest", "negotiate"}) {
        if (equalsIgnoringCase(word, QLatin1String(scheme)))
            return true;
    }
    return false;
}

} // namespace

QString scrubText(const QString &text)
{
    QString out;
    out.reserve(text.size());
    enum class Next { Plain, HeaderValue, Secret } next = Next::Plain;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        if (text.at(i).isSpace()) {
            out += text.at(i++);
            continue;
        }
        qsizetype end = i;
        while (end < n && !text.at(end).isSpace())
            ++end;
        const QStringView word = QStringView(text).mid(i, end - i);
        i = end;
        if (next == Next::Secret || (next == Next::HeaderValue && !isAuthScheme(word))) {
            out += kMask;
            next = Next::Plain;
            continue;
        }
        if (next == Next::HeaderValue) { // "Basic", "Bearer": the secret follows
            out += word;
            next = Next::Secret;
            continue;
        }
        out += scrubWord(word);
        if (isSecretHeader(word))
            next = Next::HeaderValue;
        else if (equalsIgnoringCase(word, QLatin1String("bearer")))
            next = Next::Secret;
    }
    return out;
}

QString scrubProxy(const QString &proxy)
{
    const qsizetype at = proxy.lastIndexOf(QLatin1Char('@'));
    if (at < 0)
        return scrubText(proxy);
    const qsizetype separator = proxy.indexOf(QLatin1String("://"));
    const qsizetype start = separator >= 0 && separator < at ? separator + 3 : 0;
    return proxy.left(start) + kMask + proxy.mid(at);
}

namespace {

// `text` with control and bidirectional-format characters escaped, cut to `max` characters and
// "…(N characters)" when longer (N: `length`, the input's own length).
QString escapedAndCut(const QString &text, qsizetype max, qsizetype length)
{
    QString out;
    out.reserve(std::min(text.size(), max) + 32);
    qsizetype i = 0;
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        const ushort u = c.unicode();
        QString piece;
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0))
            piece = QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
        else if (c.category() == QChar::Other_Format || u == 0x2028 || u == 0x2029) // bidi overrides, zero-width, line separators
            piece = QStringLiteral("\\u%1").arg(u, 4, 16, QLatin1Char('0'));
        else if (c.isHighSurrogate() && i + 1 < text.size())
            piece = text.mid(i, 2);
        else
            piece = c;
        if (out.size() + piece.size() > max)
            break;
        out += piece;
        if (piece.size() == 2 && c.isHighSurrogate())
            ++i;
    }
    if (i < text.size())
        out += QStringLiteral("…(%1 characters)").arg(length);
    return out;
}

} // namespace

QString quoteInput(const QString &text, qsizetype max)
{
    return escapedAndCut(scrubText(text), max, text.size());
}

QString printable(const QString &text, qsizetype max)
{
    return escapedAndCut(text, max, text.size());
}

} // namespace md
