#pragma once

#include "git/CredentialKind.h"
#include "util/Result.h"

#include <QJsonObject>

#include <optional>

namespace md {


// Where a credential's secret lives: the OS keychain (`keychain`), an environment variable
// (`env:VAR`) or a file readable by its owner alone (`file:/abs/path`). Never the secret itself.
struct SecretSource {
    enum class Kind { None, Keychain, Env, File };
    Kind kind = Kind::None;
    QString value; // the variable name or the file path

    static Result<SecretSource> parse(const QString &text, const QString &field);
    QString toString() const;
    bool operator==(const SecretSource &) const = default;
};

// A named, shared credential (DESIGN section 3). Mirrors reference it by name.
struct Credential {
    QString name;
    CredentialKind kind = CredentialKind::Token;
    QString username;
    SecretSource secretSource;
    // ssh_key only: the credential (password or token) whose secret is the key's passphrase.
    QString passphraseCredential = {};

    bool operator==(const Credential &) const = default;
};

Status validateCredential(const Credential &credential, const QString &field = {});
QJsonObject credentialToJson(const Credential &credential);
Result<Credential> credentialFromJson(const QJsonObject &object, const QString &path);

// Reads the secret of an env: or file: source (the keychain is read asynchronously elsewhere).
// A file must be a regular file owned by the current user with no group or other permissions;
// that is checked on every read. Error messages never contain the secret.
Result<QByteArray> readSecret(const SecretSource &source);

// Checks a file: source without reading the secret (exists, regular, owner-only).
Status checkSecretFile(const QString &path);

} // namespace md
