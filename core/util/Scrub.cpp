#include "util/Scrub.h"

#include <QRegularExpression>

namespace md {

namespace {

const QString kMask = QStringLiteral("*****");

bool isSshFamily(const QString &scheme)
{
    return scheme == QLatin1String("ssh") || scheme == QLatin1String("git+ssh")
        || scheme == QLatin1String("ssh+git");
}

} // namespace

QString scrubText(const QString &text)
{
    // For every "scheme://", everything up to the last "@" of that word is user info (passwords
    // may hold "/", "?", "#" or "@"): mask it, keeping only an SSH login name. Over-masking a
    // path that holds "@" is the safe mistake.
    static const QRegularExpression scheme(QStringLiteral("([A-Za-z][A-Za-z0-9+.-]*)://"));
    QString result;
    qsizetype last = 0;
    auto it = scheme.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() < last)
            continue;
        qsizetype end = m.capturedEnd();
        while (end < text.size() && !text.at(end).isSpace())
            ++end;
        const QString word = text.mid(m.capturedEnd(), end - m.capturedEnd());
        const qsizetype at = word.lastIndexOf(QLatin1Char('@'));
        result += text.mid(last, m.capturedEnd() - last);
        if (at < 0) {
            result += word;
        } else {
            const QString userInfo = word.left(at);
            QString masked = kMask + QLatin1Char(':') + kMask;
            if (isSshFamily(m.captured(1).toLower())) {
                const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
                masked = colon < 0 ? userInfo : userInfo.left(colon) + QLatin1Char(':') + kMask;
            }
            result += masked + word.mid(at);
        }
        last = end;
    }
    result += text.mid(last);
    return result;
}

} // namespace md
