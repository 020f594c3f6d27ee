// hostkeys detect|list|pin|remove|import-known-hosts: SSH host keys pinned per host:port, shared
// by every mirror of that host.
#include "cli/Commands.h"
#include "ops/HostKeyOps.h"
#include "security/HostKeyDetect.h"
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

QJsonObject keyJson(const HostKey &key)
{
    return QJsonObject{{QStringLiteral("type"), key.type},
                       {QStringLiteral("sha256"), key.sha256Fingerprint()},
                       {QStringLiteral("md5"), key.md5Fingerprint()},
                       {QStringLiteral("line"), key.toLine()}};
}

int detect(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("hostkeys detect");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Show the SSH host keys a server offers, with their SHA256 and MD5 fingerprints, asking once per key type libssh2 "
        "can negotiate (ssh-ed25519, ecdsa-sha2-nistp256/384/521). Nothing is pinned and no login is tried: compare the "
        "fingerprints with the ones the host's admin publishes, then pin the keys with the command it prints. "
        "Ends after %1 seconds.").arg(HostKeyOps::kDetectTimeoutMs / 1000));
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("An ssh:// URL, an SCP-style address (user@host:path, port 22) "
                                                                       "or host[:port] / [host]:port."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one URL or HOST[:PORT]"));
    const auto report = HostKeyOps::detect(parser.positionalArguments().first());
    if (!report) {
        if (report.error().category == ErrorCategory::Usage)
            return context.usage(command, report.error().message);
        context.error(QStringLiteral("mirrordesk %1: %2").arg(command, errorText(report.error())));
        for (const QJsonValue &note : report.error().detail.value(QStringLiteral("notes")).toArray())
            context.note(QStringLiteral("note: %1").arg(note.toString()));
        return ExitAttention;
    }
    // Each offered key against what is pinned for the host: pinned, not pinned, or a pinned key of
    // its type differs (changed).
    QList<HostKey> pins;
    if (const auto config = context.store().load(); config) {
        for (const QString &line : config->hostKeys.value(report->hostPort)) {
            if (auto key = HostKey::parseLine(line))
                pins.append(*key);
        }
    }
    auto pinState = [&pins](const HostKey &key) {
        bool sameType = false;
        for (const HostKey &pin : pins) {
            if (pin.blob == key.blob)
                return QStringLiteral("pinned");
            sameType = sameType || pin.type == key.type;
        }
        return sameType ? QStringLiteral("changed") : QStringLiteral("not pinned");
    };
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray keys;
        for (const HostKey &key : report->keys) {
            QJsonObject object = keyJson(key);
            object.insert(QStringLiteral("pinned"), pinState(key));
            keys.append(object);
        }
        context.printJson({{QStringLiteral("format_version"), 1},
                           {QStringLiteral("host"), report->hostPort},
                           {QStringLiteral("keys"), keys},
                           {QStringLiteral("notes"), QJsonArray::fromStringList(report->notes)}});
        return ExitOk;
    }
    QList<QStringList> rows;
    QStringList quotedLines;
    int pinnedCount = 0;
    int changedCount = 0;
    for (const HostKey &key : report->keys) {
        const QString state = pinState(key);
        pinnedCount += state == QLatin1String("pinned");
        changedCount += state == QLatin1String("changed");
        rows.append({key.type, key.sha256Fingerprint(), key.md5Fingerprint(), state});
        quotedLines.append(QStringLiteral("'%1'").arg(key.toLine()));
    }
    QTextStream &out = context.out();
    out << QStringLiteral("%1 offers %2 host key(s):\n").arg(report->hostPort).arg(report->keys.size());
    out << formatTable({QStringLiteral("TYPE"), QStringLiteral("SHA256"), QStringLiteral("MD5"), QStringLiteral("PINNED")}, rows);
    for (const QString &note : report->notes)
        out << QStringLiteral("note: %1\n").arg(note);
    if (changedCount > 0)
        out << QStringLiteral("WARNING: %1 key(s) differ from the key of the same type pinned for %2: the host key changed, or "
                              "something is in the middle. Ask the host's admin before pinning anything.\n")
                   .arg(changedCount)
                   .arg(report->hostPort);
    if (pinnedCount == report->keys.size()) {
        out << QStringLiteral("Every key it offers is pinned.\n");
    } else {
        out << QStringLiteral("This command pins nothing. Compare the fingerprints with the ones the host's admin publishes; if "
                              "they match, pin the keys (this replaces the keys pinned for the host) with:\n"
                              "  mirrordesk hostkeys pin %1 %2\n")
                   .arg(report->hostPort, quotedLines.join(QLatin1Char(' ')));
    }
    out.flush();
    return ExitOk;
}

int remove(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("hostkeys remove");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Unpin the SSH host keys of HOST (host, host:port or [host]:port; port 22 by default): every key, or only the one "
        "with FINGERPRINT (SHA256:… as ssh-keygen -l and hostkeys list print it, or MD5:aa:bb:…). Mirrors on that host are "
        "refused until its keys are pinned again."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host (and port)."));
    parser.addPositionalArgument(QStringLiteral("FINGERPRINT"), QStringLiteral("Only the key with this fingerprint."), QStringLiteral("[FINGERPRINT]"));
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty() || positional.size() > 2)
        return context.usage(command, QStringLiteral("expected HOST and at most one FINGERPRINT"));
    const auto removed = HostKeyOps(context.configPath)
                             .remove(positional.first(), positional.size() == 2 ? std::optional<QString>(positional.at(1)) : std::nullopt);
    if (!removed) {
        if (removed.error().category == ErrorCategory::Usage)
            return context.usage(command, removed.error().message);
        if (removed.error().category == ErrorCategory::NotFound) {
            context.error(QStringLiteral("mirrordesk %1: %2").arg(command, removed.error().message));
            return ExitAttention;
        }
        return context.fail(command, removed.error());
    }
    for (const HostKey &key : removed->keys)
        context.verbose(QStringLiteral("unpinned %1 %2 %3").arg(removed->hostPort, key.type, key.sha256Fingerprint()));
    if (removed->hostGone && !removed->usedBy.isEmpty())
        context.note(QStringLiteral("mirrordesk %1: no key is pinned for %2 any more: %3 will be refused there until its keys are pinned again")
                         .arg(command, removed->hostPort, removed->usedBy.join(QStringLiteral(", "))));
    return ExitOk;
}

int importKnownHosts(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("hostkeys import-known-hosts");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Pin the host keys of an OpenSSH known_hosts file (default $HOME/.ssh/known_hosts; - reads standard input): every "
        "plain host entry (host, [host]:port, comma-separated names) becomes a pin of its host:port, added to the keys "
        "pinned there. Hashed entries (|1|…) cannot name their host and are skipped (use hostkeys detect and pin for "
        "them), as are wildcard patterns and @cert-authority lines; @revoked keys are never pinned. Malformed lines are "
        "named by line number and the others are imported; the exit code is then 1."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The known_hosts file."), QStringLiteral("[FILE]"));
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return context.usage(command, QStringLiteral("expected at most one FILE"));
    HostKeyOps ops(context.configPath);
    const QString file = positional.isEmpty() ? HostKeyOps::defaultKnownHostsFile() : positional.first();
    const auto report = file == QLatin1String("-") ? ops.importKnownHostsText(context.in().readAll(), QStringLiteral("standard input"))
                                                   : ops.importKnownHosts(file);
    if (!report) {
        if (report.error().category == ErrorCategory::Usage)
            return context.usage(command, report.error().message);
        if (report.error().category == ErrorCategory::NotFound || report.error().category == ErrorCategory::Io) {
            context.error(QStringLiteral("mirrordesk %1: %2").arg(command, report.error().message));
            return ExitAttention;
        }
        return context.fail(command, report.error());
    }
    for (const QString &note : report->notes)
        context.note(QStringLiteral("mirrordesk %1: %2").arg(command, note));
    for (const QString &problem : report->problems)
        context.error(QStringLiteral("mirrordesk %1: %2: %3").arg(command, quoteInput(report->source, 200), problem));
    int already = 0;
    for (const HostKeyOps::Imported &host : report->hosts) {
        already += host.alreadyPinned;
        for (const HostKey &key : host.added)
            context.verbose(QStringLiteral("pinned %1 %2 %3").arg(host.hostPort, key.type, key.sha256Fingerprint()));
    }
    if (report->hosts.isEmpty()) {
        context.error(QStringLiteral("mirrordesk %1: %2 holds no plain host entry to pin").arg(command, quoteInput(report->source, 200)));
        return ExitAttention;
    }
    context.note(QStringLiteral("mirrordesk %1: pinned %2 new key(s) for %3 host(s)%4")
                     .arg(command)
                     .arg(report->addedKeys())
                     .arg(report->hosts.size())
                     .arg(already > 0 ? QStringLiteral(" (%1 already pinned)").arg(already) : QString()));
    return report->problems.isEmpty() ? ExitOk : ExitAttention;
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
    if (sub == QLatin1String("detect"))
        return detect(context, rest);
    if (sub == QLatin1String("remove"))
        return remove(context, rest);
    if (sub == QLatin1String("import-known-hosts"))
        return importKnownHosts(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral("Usage: mirrordesk hostkeys detect URL [--json] | hostkeys list [HOST] [--json]\n"
                                        "                          | hostkeys pin HOST[:PORT] LINE…|- | hostkeys remove HOST[:PORT] [FINGERPRINT]\n"
                                        "                          | hostkeys import-known-hosts [FILE]\n"
                                        "SSH host keys pinned per host:port. Run 'mirrordesk hostkeys SUBCOMMAND --help' for more.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("hostkeys"), sub.isEmpty() ? QStringLiteral("expected detect, list, pin, remove or import-known-hosts")
                                                                   : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

} // namespace md::cli
