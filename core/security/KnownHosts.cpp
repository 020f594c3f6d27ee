#include "security/KnownHosts.h"

#include "util/Scrub.h"

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

KnownHostsFile parseKnownHosts(const QString &text)
{
    static const QRegularExpression space(QStringLiteral("\\s+"));
    KnownHostsFile result;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int number = static_cast<int>(i + 1);
        QStringList words = lines.at(i).split(space, Qt::SkipEmptyParts);
        if (words.isEmpty() || words.first().startsWith(QLatin1Char('#')))
            continue;
        auto problem = [&](const QString &why) { result.problems.append(QStringLiteral("line %1: %2").arg(number).arg(why)); };
        auto note = [&](const QString &why) { result.notes.append(QStringLiteral("line %1: %2").arg(number).arg(why)); };
        QString marker;
        if (words.first().startsWith(QLatin1Char('@'))) {
            marker = words.takeFirst();
            if (marker != QLatin1String("@revoked") && marker != QLatin1String("@cert-authority")) {
                problem(QStringLiteral("unknown marker \"%1\" (known_hosts has @revoked and @cert-authority)").arg(printable(marker, 40)));
                continue;
            }
        }
        if (words.size() < 3) {
            problem(words.size() < 2 ? QStringLiteral("no key after the host field (expected \"HOST TYPE BASE64\")")
                                     : QStringLiteral("no key data after the key type (expected \"HOST TYPE BASE64\")"));
            continue;
        }
        const QString hostField = words.takeFirst();
        const auto key = HostKey::parseLine(words.join(QLatin1Char(' ')));
        if (!key) {
            problem(key.error().message);
            continue;
        }
        if (marker == QLatin1String("@cert-authority")) {
            note(QStringLiteral("skipped an @cert-authority line: it names a CA that signs host certificates, and MirrorDesk "
                                "pins the hosts' own keys (libssh2 checks no host certificates)"));
            continue;
        }
        KnownHostsEntry entry;
        entry.line = number;
        entry.key = *key;
        if (marker == QLatin1String("@revoked")) {
            entry.hostPorts = hostField.split(QLatin1Char(','), Qt::SkipEmptyParts);
            result.revoked.append(entry);
            continue;
        }
        bool hashed = false;
        bool bad = false;
        for (const QString &pattern : hostField.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (pattern.startsWith(QLatin1String("|1|"))) {
                hashed = true;
            } else if (pattern.startsWith(QLatin1Char('!')) || pattern.contains(QLatin1Char('*')) || pattern.contains(QLatin1Char('?'))) {
                note(QStringLiteral("skipped the pattern \"%1\": a wildcard or negated pattern names no one host to pin")
                         .arg(printable(pattern, 80)));
            } else if (const auto hostPort = normalizeHostPort(pattern)) {
                if (!entry.hostPorts.contains(*hostPort))
                    entry.hostPorts.append(*hostPort);
            } else {
                problem(hostPort.error().message);
                bad = true;
                break;
            }
        }
        if (bad)
            continue;
        if (hashed && entry.hostPorts.isEmpty())
            ++result.hashedLines;
        if (!entry.hostPorts.isEmpty())
            result.entries.append(entry);
    }
    return result;
}

} // namespace md
