#include "security/Credential.h"

#include "util/SafeFile.h"

#include "util/Names.h"
#include "platform/Platform.h"
#include "util/EnumNames.h"
#include "util/JsonReader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace md {

Result<SecretSource> SecretSource::parse(const QString &text, const QString &field)
{
    SecretSource source;
    if (text.isEmpty())
        return source;
    if (text == QLatin1String("keychain")) {
        source.kind = Kind::Keychain;
        return source;
    }
    if (text.startsWith(QLatin1String("env:"))) {
        source.kind = Kind::Env;
        source.value = text.mid(4);
        static const QRegularExpression varRe(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        // Never echo the value: a token pasted where a variable name belongs must not be printed.
        if (!varRe.match(source.value).hasMatch())
            return Error::config(field, QStringLiteral("expects the name of an environment variable (letters, digits and _), "
                                                       "not a secret"));
        static const QRegularExpression tokenLike(QStringLiteral("^(ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|glpat|xox[abp]|ATBB)"));
        if (source.value.size() > 64 || tokenLike.match(source.value).hasMatch())
            return Error::config(field, QStringLiteral("looks like a secret, not the name of an environment variable"));
        return source;
    }
    if (text.startsWith(QLatin1String("file:"))) {
        source.kind = Kind::File;
        source.value = text.mid(5);
        if (!QDir::isAbsolutePath(source.value))
            return Error::config(field, QStringLiteral("the secret file path must be absolute"));
        return source;
    }
    return Error::config(field, QStringLiteral("\"%1\" is not a secret source (keychain, env:VAR or file:/path)").arg(text));
}

QString SecretSource::toString() const
{
    switch (kind) {
    case Kind::None: return {};
    case Kind::Keychain: return QStringLiteral("keychain");
    case Kind::Env: return QStringLiteral("env:") + value;
    case Kind::File: return QStringLiteral("file:") + value;
    }
    return {};
}

Status validateCredential(const Credential &c, const QString &prefix)
{
    if (auto status = validateCredentialName(c.name, joinField(prefix, QStringLiteral("name"))); !status)
        return status;
    const QString sourceField = joinField(prefix, QStringLiteral("secret_source"));
    if (c.kind == CredentialKind::SshAgent) {
        if (c.secretSource.kind != SecretSource::Kind::None)
            return Error::config(sourceField, QStringLiteral("an ssh_agent credential has no secret (the agent holds the key)"));
    } else if (c.secretSource.kind == SecretSource::Kind::None) {
        return Error::config(sourceField, QStringLiteral("a %1 credential needs a secret source (keychain, env:VAR or file:/path)")
                                              .arg(credentialKindName(c.kind)));
    }
    if (!c.passphraseCredential.isEmpty()) {
        const QString field = joinField(prefix, QStringLiteral("passphrase_credential"));
        if (c.kind != CredentialKind::SshKey)
            return Error::config(field, QStringLiteral("only an ssh_key credential has a passphrase"));
        if (auto status = validateCredentialName(c.passphraseCredential, field); !status)
            return status;
        if (c.passphraseCredential.compare(c.name, Qt::CaseInsensitive) == 0)
            return Error::config(field, QStringLiteral("a key cannot be its own passphrase"));
    }
    if (c.kind == CredentialKind::Password && c.username.isEmpty())
        return Error::config(joinField(prefix, QStringLiteral("username")), QStringLiteral("a password credential needs a username"));
    if (c.username.size() > 256)
        return Error::config(joinField(prefix, QStringLiteral("username")), QStringLiteral("is longer than 256 characters"));
    for (QChar ch : c.username) {
        if (ch.isSpace() || ch.category() == QChar::Other_Control || ch == QLatin1Char(':') || ch == QLatin1Char('@'))
            return Error::config(joinField(prefix, QStringLiteral("username")),
                                 QStringLiteral("contains a space, control character, \":\" or \"@\""));
    }
    return {};
}

QJsonObject credentialToJson(const Credential &c)
{
    QJsonObject object{
        {QStringLiteral("name"), c.name},
        {QStringLiteral("kind"), credentialKindName(c.kind)},
    };
    if (!c.username.isEmpty())
        object.insert(QStringLiteral("username"), c.username);
    if (c.secretSource.kind != SecretSource::Kind::None)
        object.insert(QStringLiteral("secret_source"), c.secretSource.toString());
    if (!c.passphraseCredential.isEmpty())
        object.insert(QStringLiteral("passphrase_credential"), c.passphraseCredential);
    return object;
}

Result<Credential> credentialFromJson(const QJsonObject &object, const QString &path)
{
    JsonReader reader(object, path);
    Credential c;
    c.name = reader.string(QStringLiteral("name"));
    const QString kind = reader.string(QStringLiteral("kind"));
    if (auto parsed = credentialKindFromName(kind))
        c.kind = *parsed;
    else
        reader.fail(QStringLiteral("kind"), QStringLiteral("\"%1\" is not one of password, token, ssh_key, ssh_agent").arg(kind));
    c.username = reader.string(QStringLiteral("username"));
    const QString source = reader.string(QStringLiteral("secret_source"));
    c.passphraseCredential = reader.string(QStringLiteral("passphrase_credential"));
    if (auto status = reader.finish(); !status)
        return status.error();
    auto parsedSource = SecretSource::parse(source, reader.fieldPath(QStringLiteral("secret_source")));
    if (!parsedSource)
        return parsedSource.error();
    c.secretSource = *parsedSource;
    if (auto status = validateCredential(c, path); !status)
        return status.error();
    return c;
}

Status checkSecretFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{ErrorCategory::Config, QStringLiteral("secret file %1 does not exist").arg(path), {}, 0, 0};
    if (!info.isFile())
        return Error{ErrorCategory::Config, QStringLiteral("secret file %1 is not a regular file").arg(path), {}, 0, 0};
    const auto groupOrOther = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (info.permissions() & groupOrOther)
        return Error{ErrorCategory::Config,
                     QStringLiteral("secret file %1 is readable by others; make it owner-only (chmod 600)").arg(path), {}, 0, 0};
    if (!platform::isOwnedByCurrentUser(path))
        return Error{ErrorCategory::Config,
                     QStringLiteral("secret file %1 is not owned by the user running MirrorDesk").arg(path), {}, 0, 0};
    return {};
}

Result<QByteArray> readSecret(const SecretSource &source)
{
    switch (source.kind) {
    case SecretSource::Kind::Env: {
        if (!qEnvironmentVariableIsSet(source.value.toLocal8Bit().constData()))
            return Error{ErrorCategory::Config,
                         QStringLiteral("environment variable %1 is not set").arg(source.value), {}, 0, 0};
        return qgetenv(source.value.toLocal8Bit().constData());
    }
    case SecretSource::Kind::File: {
        if (auto status = checkSecretFile(source.value); !status)
            return status.error();
        // A secret (a token, a password, an SSH key) is a few KB at most.
        auto data = safefile::readRegular(source.value, 64 * 1024, QStringLiteral("secret file"));
        if (!data || !*data)
            return Error{ErrorCategory::Config, data ? QStringLiteral("secret file %1 does not exist").arg(source.value)
                                                     : data.error().message, {}, 0, 0};
        QByteArray secret = **data;
        while (secret.endsWith('\n') || secret.endsWith('\r'))
            secret.chop(1);
        return secret;
    }
    case SecretSource::Kind::Keychain:
        return Error{ErrorCategory::Keychain,
                     QStringLiteral("keychain secrets are read asynchronously by the keychain store"), {}, 0, 0};
    case SecretSource::Kind::None:
        break;
    }
    return Error{ErrorCategory::Config, QStringLiteral("this credential has no secret source"), {}, 0, 0};
}

} // namespace md
