// hostkeys pin|list: SSH host keys pinned per host:port, shared by every mirror of that host.
#include "cli/Commands.h"
#include "security/HostKey.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace md::cli {

namespace {

bool looksLikeKeyType(const QString &token)
{
    return token.startsWith(QLatin1String("ssh-")) || token.startsWith(QLatin1String("ecdsa-"))
        || token.startsWith(QLatin1String("sk-"));
}

// Splits words into key lines. A key starts at a word shaped like a key type followed by key
// data (base64 of an SSH key starts with "AAAA"); other words, even a comment such as
// "ssh-host-key", belong to the current key. Each line is then parsed strictly.
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

int pin(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("hostkeys pin");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pin the SSH host keys of HOST (host, host:port or [host]:port; port 22 by default), replacing any keys pinned "
        "for it. Give every key the host offers, as OpenSSH public-key lines (\"ssh-ed25519 AAAA…\"), or \"-\" to read "
        "them from standard input (e.g. from ssh-keyscan)."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host (and port) the keys belong to."));
    parser.addPositionalArgument(QStringLiteral("LINE"), QStringLiteral("OpenSSH public-key lines, or -."), QStringLiteral("LINE…"));
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return context.usage(command, QStringLiteral("expected HOST and at least one key line"));
    auto host = normalizeHostPort(positional.takeFirst());
    if (!host)
        return context.usage(command, host.error().message);

    static const QRegularExpression space(QStringLiteral("\\s+"));
    QStringList rawLines;
    if (positional == QStringList{QStringLiteral("-")}) {
        // known_hosts / ssh-keyscan lines: a key is pinned only when the line's host field names
        // HOST; other hosts' keys, hashed host fields and @revoked/@cert-authority lines are skipped.
        const QString input = context.in().readAll();
        for (const QString &line : input.split(QLatin1Char('\n'))) {
            const QStringList words = line.split(space, Qt::SkipEmptyParts);
            if (words.isEmpty() || words.first().startsWith(QLatin1Char('#')))
                continue;
            if (words.first().startsWith(QLatin1Char('@'))) {
                context.note(QStringLiteral("skipped a %1 line: only plain host keys are pinned").arg(words.first()));
                continue;
            }
            if (!looksLikeKeyType(words.first())) {
                bool matches = false;
                bool hashed = false;
                for (const QString &entry : words.first().split(QLatin1Char(','))) {
                    hashed = hashed || entry.startsWith(QLatin1String("|1|"));
                    const auto entryHost = normalizeHostPort(entry);
                    matches = matches || (entryHost && *entryHost == *host);
                }
                if (!matches) {
                    context.note(hashed ? QStringLiteral("skipped a line with a hashed host name (it cannot be matched to %1)").arg(*host)
                                        : QStringLiteral("skipped the key of another host (%1)").arg(words.first()));
                    continue;
                }
                rawLines += splitKeyLines(words.mid(1));
                continue;
            }
            rawLines += splitKeyLines(words);
        }
    } else {
        QStringList words;
        for (const QString &argument : positional)
            words += argument.split(space, Qt::SkipEmptyParts);
        if (!words.isEmpty() && !looksLikeKeyType(words.first()))
            return context.usage(command, QStringLiteral("a key line starts with its type (e.g. ssh-ed25519); to read "
                                                         "known_hosts or ssh-keyscan lines, give - and pipe them in"));
        rawLines = splitKeyLines(words);
    }
    if (rawLines.isEmpty())
        return context.usage(command, QStringLiteral("no OpenSSH public-key line for %1 found (expected \"TYPE BASE64 [COMMENT]\")").arg(*host));
    QStringList lines;
    QStringList fingerprints;
    for (const QString &raw : rawLines) {
        auto key = HostKey::parseLine(raw);
        if (!key)
            return context.fail(command, Error::usage(key.error().message));
        if (!lines.contains(key->toLine())) {
            lines.append(key->toLine());
            fingerprints.append(QStringLiteral("%1 %2").arg(key->type, key->sha256Fingerprint()));
        }
    }
    auto saved = context.store().modify([&](Config &config) -> Status {
        config.hostKeys.insert(*host, lines);
        return {};
    });
    if (!saved)
        return context.fail(command, saved.error());
    for (const QString &fingerprint : fingerprints)
        context.verbose(QStringLiteral("pinned %1 %2").arg(*host, fingerprint));
    return ExitOk;
}

int list(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("hostkeys list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List pinned SSH host keys with their SHA256 and MD5 fingerprints."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("Only this host (and port)."), QStringLiteral("[HOST]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() > 1)
        return context.usage(command, QStringLiteral("expected at most one HOST"));
    QString only;
    if (!parser.positionalArguments().isEmpty()) {
        auto host = normalizeHostPort(parser.positionalArguments().first());
        if (!host)
            return context.usage(command, host.error().message);
        only = *host;
    }
    const auto config = context.loadConfig(command, &code);
    if (!config)
        return code;
    if (!only.isEmpty() && !config->hostKeys.contains(only)) {
        context.error(QStringLiteral("mirrordesk %1: no keys are pinned for %2").arg(command, only));
        return ExitAttention;
    }
    QJsonArray hosts;
    QList<QStringList> rows;
    for (auto it = config->hostKeys.begin(); it != config->hostKeys.end(); ++it) {
        if (!only.isEmpty() && it.key() != only)
            continue;
        QJsonArray keys;
        for (const QString &line : it.value()) {
            const auto key = HostKey::parseLine(line);
            if (!key)
                continue; // validated on load
            keys.append(QJsonObject{{QStringLiteral("type"), key->type},
                                    {QStringLiteral("line"), key->toLine()},
                                    {QStringLiteral("sha256"), key->sha256Fingerprint()},
                                    {QStringLiteral("md5"), key->md5Fingerprint()}});
            rows.append({it.key(), key->type, key->sha256Fingerprint(), key->md5Fingerprint()});
        }
        hosts.append(QJsonObject{{QStringLiteral("host"), it.key()}, {QStringLiteral("keys"), keys}});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("hosts"), hosts}});
    } else if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("HOST"), QStringLiteral("TYPE"), QStringLiteral("SHA256"), QStringLiteral("MD5")}, rows);
        context.out().flush();
    }
    return ExitOk;
}

} // namespace

int cmdHostKeys(CliContext &context, const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(QStringLiteral("mirrordesk hostkeys ") + sub);
    if (sub == QLatin1String("pin"))
        return pin(context, rest);
    if (sub == QLatin1String("list"))
        return list(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral("Usage: mirrordesk hostkeys pin HOST LINE… | hostkeys list [HOST] [--json]\n"
                                        "SSH host keys pinned per host:port. Run 'mirrordesk hostkeys pin --help' for more.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("hostkeys"), sub.isEmpty() ? QStringLiteral("expected pin or list")
                                                                   : QStringLiteral("unknown subcommand \"%1\"").arg(sub));
}

} // namespace md::cli
