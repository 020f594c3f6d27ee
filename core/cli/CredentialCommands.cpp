// credential add|edit|remove|list: named, shared credentials. The config holds only where a
// secret lives (env:VAR, file:PATH), never the secret.
#include "cli/Commands.h"
#include "ops/CredentialOps.h"
#include "util/Scrub.h"

#include <QFileInfo>
#include <QJsonArray>

namespace md::cli {

namespace {

void addCredentialOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("kind"), QStringLiteral("password, token, ssh_key or ssh_agent (default token)."), QStringLiteral("KIND")},
        {QStringLiteral("username"), QStringLiteral("The user name sent with the secret (required for password)."), QStringLiteral("USER")},
        {QStringLiteral("secret-env"), QStringLiteral("Read the secret from this environment variable at sync time."), QStringLiteral("VAR")},
        {QStringLiteral("secret-file"), QStringLiteral("Read the secret from this owner-only file at sync time."), QStringLiteral("PATH")},
    });
}

Status applyCredentialOptions(CliContext &context, const QCommandLineParser &parser, Credential &credential, bool adding)
{
    for (const char *single : {"kind", "username", "secret-env", "secret-file"}) {
        if (parser.values(QString::fromLatin1(single)).size() > 1)
            return Error::usage(QStringLiteral("--%1 given more than once").arg(QString::fromLatin1(single)));
    }
    if (parser.isSet(QStringLiteral("kind"))) {
        const auto kind = credentialKindFromName(parser.value(QStringLiteral("kind")));
        if (!kind)
            return Error::usage(QStringLiteral("--kind: \"%1\" is not one of password, token, ssh_key, ssh_agent")
                                    .arg(quoteInput(parser.value(QStringLiteral("kind")))));
        credential.kind = *kind;
    }
    if (parser.isSet(QStringLiteral("username")))
        credential.username = parser.value(QStringLiteral("username"));
    const bool env = parser.isSet(QStringLiteral("secret-env"));
    const bool file = parser.isSet(QStringLiteral("secret-file"));
    if (env && file)
        return Error::usage(QStringLiteral("give either --secret-env or --secret-file, not both"));
    if (env) {
        auto source = SecretSource::parse(QStringLiteral("env:") + parser.value(QStringLiteral("secret-env")), QStringLiteral("--secret-env"));
        if (!source)
            return source.error();
        credential.secretSource = *source;
        if (!qEnvironmentVariableIsSet(source->value.toLocal8Bit().constData()))
            context.note(QStringLiteral("note: the variable %1 is not set here; it must be set wherever MirrorDesk syncs").arg(source->value));
    } else if (file) {
        const QString path = QFileInfo(parser.value(QStringLiteral("secret-file"))).absoluteFilePath();
        if (auto status = checkSecretFile(path); !status)
            return Error::config(QStringLiteral("--secret-file"), status.error().message);
        credential.secretSource = SecretSource{SecretSource::Kind::File, path};
    }
    if (credential.kind == CredentialKind::SshAgent && (env || file))
        return Error::usage(QStringLiteral("an ssh_agent credential has no secret (the agent holds the key); drop --secret-env/--secret-file"));
    if (credential.kind == CredentialKind::SshAgent)
        credential.secretSource = {};
    else if (adding && credential.secretSource.kind == SecretSource::Kind::None)
        return Error::usage(QStringLiteral("a %1 credential needs --secret-env VAR or --secret-file PATH (storing secrets "
                                           "in the OS keychain is not available in this version)")
                                .arg(credentialKindName(credential.kind)));
    return {};
}

int credentialChange(CliContext &context, const QString &sub, const QStringList &arguments)
{
    const QString command = QStringLiteral("credential ") + sub;
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The credential's name."));
    if (sub == QLatin1String("add")) {
        parser.setApplicationDescription(QStringLiteral("Add a named credential that mirrors refer to with --source-credential "
                                                        "or --target-credential."));
        addCredentialOptions(parser);
    } else if (sub == QLatin1String("edit")) {
        parser.setApplicationDescription(QStringLiteral("Change a credential; every mirror using it follows."));
        addCredentialOptions(parser);
    } else {
        parser.setApplicationDescription(QStringLiteral("Remove a credential no mirror uses."));
    }
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    const QString name = parser.positionalArguments().first();

    Status saved;
    CredentialOps ops(context.configPath);
    if (sub == QLatin1String("add")) {
        Credential credential;
        credential.name = name;
        saved = applyCredentialOptions(context, parser, credential, true);
        if (saved)
            saved = ops.add(credential);
    } else if (sub == QLatin1String("edit")) {
        saved = ops.edit(name, [&](Credential &credential) { return applyCredentialOptions(context, parser, credential, false); });
    } else {
        saved = ops.remove(name);
    }
    if (!saved)
        return context.fail(command, saved.error());
    return ExitOk;
}

int credentialList(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("credential list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List credentials: name, kind, user, where the secret lives, and the "
                                                    "mirrors using each. Secrets are never shown."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty())
        return context.usage(command, QStringLiteral("takes no arguments"));
    const auto listed = CredentialOps(context.configPath).list();
    if (!listed)
        return context.fail(command, listed.error());
    QJsonArray items;
    QList<QStringList> rows;
    for (const CredentialOps::Listed &entry : *listed) {
        const Credential &c = entry.credential;
        const QStringList &users = entry.usedBy;
        QJsonObject item = credentialToJson(c);
        item.insert(QStringLiteral("used_by"), QJsonArray::fromStringList(users));
        items.append(item);
        rows.append({c.name, credentialKindName(c.kind), c.username.isEmpty() ? QStringLiteral("-") : c.username,
                     c.secretSource.kind == SecretSource::Kind::None ? QStringLiteral("-") : c.secretSource.toString(),
                     users.isEmpty() ? QStringLiteral("-") : users.join(QLatin1Char(','))});
    }
    if (parser.isSet(QStringLiteral("json"))) {
        context.printJson({{QStringLiteral("format_version"), 1}, {QStringLiteral("credentials"), items}});
    } else if (!rows.isEmpty()) {
        context.out() << formatTable({QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("USERNAME"),
                                      QStringLiteral("SECRET"), QStringLiteral("USED BY")},
                                     rows);
        context.out().flush();
    }
    return ExitOk;
}

} // namespace

int cmdCredential(CliContext &context, const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(QStringLiteral("mirrordesk credential ") + sub);
    if (sub == QLatin1String("add") || sub == QLatin1String("edit") || sub == QLatin1String("remove"))
        return credentialChange(context, sub, rest);
    if (sub == QLatin1String("list"))
        return credentialList(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral("Usage: mirrordesk credential add|edit|remove|list [NAME] [options]\n"
                                        "Named credentials shared by mirrors. Run 'mirrordesk credential add --help' "
                                        "for the options.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("credential"), sub.isEmpty() ? QStringLiteral("expected add, edit, remove or list")
                                                                     : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

} // namespace md::cli
