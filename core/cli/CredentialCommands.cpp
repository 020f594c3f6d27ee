// credential add|edit|rename|remove|list: named, shared credentials. The config holds only where
// a secret lives (keychain, env:VAR, file:PATH), never the secret; --secret-stdin stores one in
// the OS keychain.
#include "cli/Commands.h"
#include "ops/CredentialOps.h"
#include "platform/Platform.h"
#include "security/Keychain.h"
#include "security/SshKey.h"
#include "util/Scrub.h"

#include <QFileInfo>
#include <QJsonArray>

namespace md::cli {

namespace {

// A credential command the keychain cannot serve (unavailable, locked, silent) is refused as
// typed: nothing changed, exit 2, and the message names the env:/file: alternatives. (A sync
// that cannot read its secret is a failed run instead: exit 1.)
int failChange(CliContext &context, const QString &command, Error error)
{
    if (error.category == ErrorCategory::Keychain) {
        context.error(QStringLiteral("mirrordesk %1: %2").arg(command, error.text()));
        return ExitUsage;
    }
    return context.fail(command, error);
}

void addCredentialOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("kind"), QStringLiteral("password, token, ssh_key or ssh_agent (default token)."), QStringLiteral("KIND")},
        {QStringLiteral("username"), QStringLiteral("The user name sent with the secret (required for password)."), QStringLiteral("USER")},
        {QStringLiteral("secret-env"), QStringLiteral("Read the secret from this environment variable at sync time."), QStringLiteral("VAR")},
        {QStringLiteral("secret-file"), QStringLiteral("Read the secret from this owner-only file at sync time."), QStringLiteral("PATH")},
        {QStringLiteral("passphrase-credential"), QStringLiteral("ssh_key: the credential whose secret is the key's "
                                                                 "passphrase (asked for on a terminal when not given)."),
         QStringLiteral("NAME")},
        {QStringLiteral("secret-stdin"), QStringLiteral("Store the secret in the OS keychain: typed on the terminal (not "
                                                        "echoed) or piped in. The default place for a secret.")},
    });
}

Status applyCredentialOptions(CliContext &context, const QCommandLineParser &parser, Credential &credential, bool adding)
{
    for (const char *single : {"kind", "username", "secret-env", "secret-file", "passphrase-credential"}) {
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
    if (parser.isSet(QStringLiteral("passphrase-credential")))
        credential.passphraseCredential = parser.value(QStringLiteral("passphrase-credential"));
    const bool env = parser.isSet(QStringLiteral("secret-env"));
    const bool file = parser.isSet(QStringLiteral("secret-file"));
    const bool stdinSecret = parser.isSet(QStringLiteral("secret-stdin"));
    if (int(env) + int(file) + int(stdinSecret) > 1)
        return Error::usage(QStringLiteral("give one of --secret-stdin, --secret-env and --secret-file"));
    if (env) {
        auto source = SecretSource::parse(QStringLiteral("env:") + parser.value(QStringLiteral("secret-env")), QStringLiteral("--secret-env"));
        if (!source)
            return source.error();
        credential.secretSource = *source;
        static bool noted = false; // the change may be applied twice (checked, then saved): say it once
        if (!qEnvironmentVariableIsSet(source->value.toLocal8Bit().constData()) && !noted) {
            noted = true;
            context.note(QStringLiteral("note: the variable %1 is not set here; it must be set wherever MirrorDesk syncs").arg(source->value));
        }
    } else if (file) {
        const QString path = QFileInfo(parser.value(QStringLiteral("secret-file"))).absoluteFilePath();
        if (auto status = checkSecretFile(path); !status)
            return Error::config(QStringLiteral("--secret-file"), status.error().message);
        if (QFileInfo(path).size() == 0)
            return Error::config(QStringLiteral("--secret-file"), QStringLiteral("secret file %1 is empty").arg(path));
        credential.secretSource = SecretSource{SecretSource::Kind::File, path};
    }
    if (credential.kind == CredentialKind::SshAgent && (env || file || stdinSecret))
        return Error::usage(QStringLiteral("an ssh_agent credential has no secret (the agent holds the key); drop "
                                           "--secret-stdin/--secret-env/--secret-file"));
    if (credential.kind == CredentialKind::SshAgent)
        credential.secretSource = {};
    else if (adding && credential.secretSource.kind == SecretSource::Kind::None && !stdinSecret)
        return Error::usage(QStringLiteral("a %1 credential needs a secret: --secret-stdin (stored in the OS keychain), "
                                           "--secret-env VAR or --secret-file PATH")
                                .arg(credentialKindName(credential.kind)));
    return {};
}

// Reads the secret for --secret-stdin: a key keeps its line ends, a token or password loses them.
Result<QByteArray> secretFromStdin(CliContext &context, const QString &name, CredentialKind kind)
{
    const bool key = kind == CredentialKind::SshKey;
    auto secret = context.readSecretInput(key ? QStringLiteral("Private key for credential %1 (paste it; reading stops after its "
                                                               "-----END line, or at Ctrl+D): ").arg(name)
                                              : QStringLiteral("Secret for credential %1: ").arg(name),
                                          key);
    if (!secret)
        return secret.error();
    if (!key) {
        for (const char c : *secret) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                return Error::usage(QStringLiteral("--secret-stdin: the secret holds a line break or control character; a "
                                                   "password or token is one line"));
        }
    }
    return secret;
}

// The words of the command line for the key errors CredentialOps::checkKey leaves to a front end.
Error keyError(Error error)
{
    if (CredentialOps::isNotEncrypted(error))
        error.message = QStringLiteral("the key is not encrypted: drop --passphrase-credential");
    else if (CredentialOps::isPassphraseNeeded(error))
        error.message = QStringLiteral("the key is encrypted (%1): give --passphrase-credential NAME (a password credential "
                                       "holding the passphrase), or run on a terminal to be asked for it")
                            .arg(error.detail.value(QStringLiteral("cipher")).toString());
    return error;
}

// An SSH private key about to be stored (or named in a file), checked as CredentialOps checks it:
// strictly read, an encrypted key's passphrase (from --passphrase-credential) checked offline.
// Returns the canonical text.
Result<QByteArray> checkedKey(CliContext &context, const Credential &credential, const QByteArray &text)
{
    Result<CredentialOps::CheckedKey> key = Error::io(QStringLiteral("the keychain did not answer"));
    key = context.await(key, [&](QObject *receiver, auto done) {
        CredentialOps(context.configPath).checkKeyFor(credential, text, std::nullopt, receiver, done);
    });
    if (!key) {
        Error error = keyError(key.error());
        if (error.field == QLatin1String("passphrase_credential"))
            error.field = QStringLiteral("--passphrase-credential");
        return error;
    }
    return key->text;
}

int credentialChange(CliContext &context, const QString &sub, const QStringList &arguments)
{
    const QString command = QStringLiteral("credential ") + sub;
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The credential's name."));
    if (sub == QLatin1String("add")) {
        parser.setApplicationDescription(QStringLiteral("Add a named credential that mirrors refer to with --source-credential "
                                                        "or --target-credential. The secret goes to the OS keychain with "
                                                        "--secret-stdin, or stays in a variable or file the config names."));
        addCredentialOptions(parser);
    } else if (sub == QLatin1String("edit")) {
        parser.setApplicationDescription(QStringLiteral("Change a credential; every mirror using it follows. --secret-stdin "
                                                        "replaces the secret in the OS keychain."));
        addCredentialOptions(parser);
    } else {
        parser.setApplicationDescription(QStringLiteral("Remove a credential and delete its keychain secret. Refused while "
                                                        "mirrors use it, unless --force (they then have no credential)."));
        parser.addOption({QStringLiteral("force"), QStringLiteral("Remove it even from the mirrors that use it, and even when its "
                                                                  "keychain secret cannot be deleted (it is then left there).")});
    }
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one NAME"));
    const QString name = parser.positionalArguments().first();
    CredentialOps ops(context.configPath);

    if (sub == QLatin1String("remove")) {
        const auto removed = context.await(Result<CredentialOps::Removed>(Error::io(QStringLiteral("no answer"))),
                                           [&](QObject *receiver, auto done) {
                                               ops.remove(name, parser.isSet(QStringLiteral("force")), receiver, done);
                                           });
        if (!removed)
            return failChange(context, command, removed.error());
        if (!removed->detached.isEmpty())
            context.note(QStringLiteral("mirrors left without a credential: %1").arg(removed->detached.join(QStringLiteral(", "))));
        return ExitOk;
    }

    const bool stdinSecret = parser.isSet(QStringLiteral("secret-stdin"));
    Status saved;
    if (sub == QLatin1String("add")) {
        Credential credential;
        credential.name = name;
        saved = applyCredentialOptions(context, parser, credential, true);
        if (saved && stdinSecret) {
            Credential stored = credential;
            stored.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
            if (auto status = validateCredential(stored); !status)
                return failChange(context, command, status.error());
            if (const auto config = context.store().load(); config && config->credential(name))
                return failChange(context, command, Error::config(QStringLiteral("name"), QStringLiteral("a credential named \"%1\" already exists")
                                                                                    .arg(config->credential(name)->name)));
            auto secret = secretFromStdin(context, name, credential.kind);
            if (!secret)
                return failChange(context, command, secret.error());
            if (credential.kind != CredentialKind::SshKey) {
                saved = context.await(saved, [&](QObject *receiver, auto done) {
                    ops.addWithSecret(credential, *secret, receiver, done);
                });
            } else {
                // An encrypted key without --passphrase-credential: its passphrase is asked for on a
                // terminal; CredentialOps checks it and keeps it as a credential of its own.
                std::optional<QByteArray> askedPassphrase;
                if (credential.passphraseCredential.isEmpty()) {
                    const auto plain = CredentialOps::checkKey(*secret, std::nullopt, false);
                    if (!plain && (!CredentialOps::isPassphraseNeeded(plain.error()) || !platform::stdinIsTerminal()))
                        return failChange(context, command, keyError(plain.error()));
                    if (!plain) {
                        const auto info = inspectPrivateKey(*secret);
                        askedPassphrase = platform::readLineWithoutEcho(
                            QStringLiteral("Passphrase of the key (%1): ").arg(info ? info->sha256Fingerprint : QString()));
                    }
                }
                saved = context.await(saved, [&](QObject *receiver, auto done) {
                    ops.addSshKey(credential, *secret, askedPassphrase, receiver, done);
                });
                if (!saved) {
                    Error error = keyError(saved.error());
                    if (error.field == QLatin1String("passphrase_credential"))
                        error.field = QStringLiteral("--passphrase-credential");
                    saved = error;
                }
            }
        } else if (saved) {
            if (credential.kind == CredentialKind::SshKey && credential.secretSource.kind == SecretSource::Kind::File) {
                // The key file is read now too: a key MirrorDesk cannot use is refused at once.
                auto text = readSecret(credential.secretSource);
                if (!text)
                    return failChange(context, command, text.error());
                if (auto key = checkedKey(context, credential, *text); !key)
                    return failChange(context, command, key.error());
            }
            saved = ops.add(credential);
        }
    } else {
        std::optional<QByteArray> secret;
        if (stdinSecret) {
            const auto config = context.store().load();
            if (!config)
                return failChange(context, command, config.error());
            const Credential *existing = config->credential(name);
            if (!existing)
                return context.usage(command, QStringLiteral("no credential named \"%1\"").arg(quoteInput(name)));
            CredentialKind kind = existing->kind;
            if (parser.isSet(QStringLiteral("kind")))
                kind = credentialKindFromName(parser.value(QStringLiteral("kind"))).value_or(kind);
            if (kind != CredentialKind::SshAgent) {
                auto read = secretFromStdin(context, existing->name, kind);
                if (!read)
                    return failChange(context, command, read.error());
                secret = *read;
                if (kind == CredentialKind::SshKey) {
                    Credential edited = *existing;
                    edited.kind = kind;
                    if (parser.isSet(QStringLiteral("passphrase-credential")))
                        edited.passphraseCredential = parser.value(QStringLiteral("passphrase-credential"));
                    auto key = checkedKey(context, edited, *secret);
                    if (!key)
                        return failChange(context, command, key.error());
                    secret = *key;
                }
            }
        }
        auto change = [&context, &parser](Credential &credential) { return applyCredentialOptions(context, parser, credential, false); };
        saved = context.await(saved, [&](QObject *receiver, auto done) {
            ops.editWithSecret(name, change, secret, receiver, done);
        });
    }
    if (!saved)
        return failChange(context, command, saved.error());
    return ExitOk;
}

int credentialRename(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("credential rename");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Rename a credential: every mirror using it follows, and a keychain "
                                                    "secret moves to the new name."));
    parser.addPositionalArgument(QStringLiteral("OLD"), QStringLiteral("The credential's name."));
    parser.addPositionalArgument(QStringLiteral("NEW"), QStringLiteral("Its new name."));
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 2)
        return context.usage(command, QStringLiteral("expected OLD and NEW"));
    Status saved;
    CredentialOps ops(context.configPath);
    saved = context.await(saved, [&](QObject *receiver, auto done) {
        ops.rename(parser.positionalArguments().at(0), parser.positionalArguments().at(1), receiver, done);
    });
    if (!saved)
        return failChange(context, command, saved.error());
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
        return failChange(context, command, listed.error());
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

int cmdSshKeygen(CliContext &context, const QStringList &arguments)
{
    const QString command = QStringLiteral("ssh-keygen");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Generate an ed25519 SSH key for CREDENTIAL: the private key goes straight into the OS keychain (a new ssh_key "
        "credential), the public key is printed, to add as a deploy key on the host. With --public, print the public "
        "key of an existing ssh_key credential instead."));
    parser.addPositionalArgument(QStringLiteral("CREDENTIAL"), QStringLiteral("The new credential's name."));
    parser.addOption({QStringLiteral("comment"), QStringLiteral("The key's comment (default: mirrordesk-CREDENTIAL)."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("public"), QStringLiteral("Print the public key of an existing ssh_key credential.")});
    int code = ExitOk;
    if (!parseCommand(context, parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1)
        return context.usage(command, QStringLiteral("expected one CREDENTIAL"));
    const QString name = parser.positionalArguments().first();
    const auto config = context.store().load();
    if (!config)
        return failChange(context, command, config.error());
    if (parser.isSet(QStringLiteral("public"))) {
        const Credential *existing = config->credential(name);
        if (!existing || existing->kind != CredentialKind::SshKey)
            return context.usage(command, QStringLiteral("no ssh_key credential named \"%1\"").arg(quoteInput(name)));
        Result<PrivateKeyInfo> info = Error::io(QStringLiteral("the keychain did not answer"));
        info = context.await(info, [&](QObject *receiver, auto done) {
            CredentialOps(context.configPath).publicKeyOf(existing->name, receiver, done);
        });
        if (!info)
            return failChange(context, command, info.error());
        context.out() << info->publicLine << '\n';
        context.out().flush();
        return ExitOk;
    }
    Credential credential;
    credential.name = name;
    credential.kind = CredentialKind::SshKey;
    credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
    if (auto status = validateCredential(credential); !status)
        return failChange(context, command, status.error());
    if (const Credential *existing = config->credential(name))
        return failChange(context, command, Error::config(QStringLiteral("name"), QStringLiteral("a credential named \"%1\" already exists; "
                                                                                        "remove it first or pick another name")
                                                                            .arg(existing->name)));
    const QString comment = parser.isSet(QStringLiteral("comment")) ? parser.value(QStringLiteral("comment")) : QStringLiteral("mirrordesk-") + name;
    Result<GeneratedKey> key = Error::io(QStringLiteral("the keychain did not answer"));
    key = context.await(key, [&](QObject *receiver, auto done) {
        CredentialOps(context.configPath).generateSshKey(name, comment, receiver, done);
    });
    if (!key)
        return failChange(context, command, key.error());
    context.out() << key->publicLine << '\n';
    context.out().flush();
    context.note(QStringLiteral("stored the private key in the keychain as credential %1 (%2); add the public key above as a "
                                "deploy key, then name the credential with --source-credential or --target-credential")
                     .arg(name, key->sha256Fingerprint));
    return ExitOk;
}

int cmdCredential(CliContext &context, const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(QStringLiteral("mirrordesk credential ") + sub);
    if (sub == QLatin1String("add") || sub == QLatin1String("edit") || sub == QLatin1String("remove"))
        return credentialChange(context, sub, rest);
    if (sub == QLatin1String("list"))
        return credentialList(context, rest);
    if (sub == QLatin1String("rename"))
        return credentialRename(context, rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        context.out() << QStringLiteral("Usage: mirrordesk credential add|edit|rename|remove|list [NAME] [options]\n"
                                        "Named credentials shared by mirrors. Run 'mirrordesk credential add --help' "
                                        "for the options.\n");
        context.out().flush();
        return ExitOk;
    }
    return context.usage(QStringLiteral("credential"), sub.isEmpty() ? QStringLiteral("expected add, edit, rename, remove or list")
                                                                     : QStringLiteral("unknown subcommand \"%1\"").arg(quoteInput(sub)));
}

} // namespace md::cli
