// hostkeys pin|list: SSH host keys pinned per host:port, shared by every mirror of that host.
#include "cli/Commands.h"
#include "ops/HostKeyOps.h"
#include "security/KnownHosts.h"
#include "util/Scrub.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace md::cli {

namespace {

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
    const QString host = positional.takeFirst();
    const auto hostPort = normalizeHostPort(host);
    if (!hostPort)
        return context.usage(command, hostPort.error().message);
    static const QRegularExpression space(QStringLiteral("\\s+"));
    QStringList rawLines;
    if (positional == QStringList{QStringLiteral("-")}) {
        const KnownHostsLines parsed = keyLinesForHost(context.in().readAll(), *hostPort);
        for (const QString &note : parsed.notes)
            context.note(note);
        rawLines = parsed.lines;
    } else {
        QStringList words;
        for (const QString &argument : positional)
            words += argument.split(space, Qt::SkipEmptyParts);
        if (!words.isEmpty() && !looksLikeKeyType(words.first()))
            return context.usage(command, QStringLiteral("a key line starts with its type (e.g. ssh-ed25519); to read "
                                                         "known_hosts or ssh-keyscan lines, give - and pipe them in"));
        rawLines = splitKeyLines(words);
    }
    const auto pinned = HostKeyOps(context.configPath).pin(*hostPort, rawLines);
    if (!pinned) {
        if (pinned.error().category == ErrorCategory::Usage && rawLines.isEmpty())
            return context.usage(command, pinned.error().message);
        return context.fail(command, pinned.error());
    }
    for (const HostKey &key : pinned->keys)
        context.verbose(QStringLiteral("pinned %1 %2 %3").arg(pinned->hostPort, key.type, key.sha256Fingerprint()));
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
    const auto listed = HostKeyOps(context.configPath)
                            .list(parser.positionalArguments().isEmpty() ? std::nullopt
                                                                         : std::optional<QString>(parser.positionalArguments().first()));
    if (!listed) {
        if (listed.error().category == ErrorCategory::Usage)
            return context.usage(command, listed.error().message);
        if (listed.error().category == ErrorCategory::NotFound) {
            context.error(QStringLiteral("mirrordesk %1: %2").arg(command, listed.error().message));
            return ExitAttention;
        }
        return context.fail(command, listed.error());
    }
    QJsonArray hosts;
    QList<QStringList> rows;
    for (const HostKeyOps::HostEntry &entry : *listed) {
        QJsonArray keys;
        for (const HostKey &key : entry.keys) {
            keys.append(QJsonObject{{QStringLiteral("type"), key.type},
                                    {QStringLiteral("line"), key.toLine()},
                                    {QStringLiteral("sha256"), key.sha256Fingerprint()},
                                    {QStringLiteral("md5"), key.md5Fingerprint()}});
            rows.append({entry.hostPort, key.type, key.sha256Fingerprint(), key.md5Fingerprint()});
        }
        hosts.append(QJsonObject{{QStringLiteral("host"), entry.hostPort}, {QStringLiteral("keys"), keys}});
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
                                                                   : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

} // namespace md::cli
