#include "security/KnownHosts.h"

#include "security/HostKey.h"

#include <QRegularExpression>

namespace md {

bool looksLikeKeyType(const QString &token)
{
    return token.startsWith(QLatin1String("ssh-")) || token.startsWith(QLatin1String("ecdsa-"))
        || token.startsWith(QLatin1String("sk-"));
}

QStringList splitKeyLines(const QStringList &words)
{
    QStringList lines;
    QStringList current;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const bool startsKey = looksLikeKeyType(words.at(i)) && i + 1 < words.size()
            && words.at(i + 1).startsWith(QLatin1String("AAAA"));
        if (startsKey || current.isEmpty()) {
            if (!current.isEmpty())
                lines.append(current.join(QLatin1Char(' ')));
            current = {words.at(i)};
        } else {
            current.append(words.at(i));
        }
    }
    if (!current.isEmpty())
        lines.append(current.join(QLatin1Char(' ')));
    return lines;
}

KnownHostsLines keyLinesForHost(const QString &text, const QString &hostPort)
{
    static const QRegularExpression space(QStringLiteral("\\s+"));
    KnownHostsLines result;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        const QStringList words = line.split(space, Qt::SkipEmptyParts);
        if (words.isEmpty() || words.first().startsWith(QLatin1Char('#')))
            continue;
        if (words.first().startsWith(QLatin1Char('@'))) {
            result.notes.append(QStringLiteral("skipped a %1 line: only plain host keys are pinned").arg(words.first()));
            continue;
        }
        if (looksLikeKeyType(words.first())) {
            result.lines += splitKeyLines(words);
            continue;
        }
        bool matches = false;
        bool hashed = false;
        for (const QString &entry : words.first().split(QLatin1Char(','))) {
            hashed = hashed || entry.startsWith(QLatin1String("|1|"));
            const auto entryHost = normalizeHostPort(entry);
            matches = matches || (entryHost && *entryHost == hostPort);
        }
        if (!matches) {
            result.notes.append(hashed ? QStringLiteral("skipped a line with a hashed host name (it cannot be matched to %1)").arg(hostPort)
                                       : QStringLiteral("skipped the key of another host (%1)").arg(words.first()));
            continue;
        }
        result.lines += splitKeyLines(words.mid(1));
    }
    return result;
}

} // namespace md
