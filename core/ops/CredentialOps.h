#pragma once

#include "mirror/MirrorStore.h"
#include "security/SshKey.h"

#include <QObject>

#include <functional>
#include <optional>

namespace md {

// Named, shared credentials (DESIGN section 3), for every front end: add, edit, rename, remove
// (refused, naming them, while mirrors use it, unless forced), list with the mirrors using each.
// A secret passes here only on its way into the OS keychain (key "mirrordesk/<credential>"):
// the config holds only where a secret lives.
//
// The keychain is asynchronous: the calls taking a `context` return at once and call `done`
// later on the context's thread (the event loop's), once. Keychain and config change together:
// a secret is written before the config names it, and deleted only after the config no longer
// does, so a failure on either side leaves the credential as it was.
class CredentialOps {
public:
    using Done = std::function<void(Status)>;

    explicit CredentialOps(QString configPath);

    // Config only (env:/file: sources, ssh_agent, or keychain without a new secret).
    Status add(const Credential &credential);
    Status edit(const QString &name, const std::function<Status(Credential &)> &change);

    // Adds `credential` with its secret stored in the keychain (its source becomes keychain).
    void addWithSecret(Credential credential, const QByteArray &secret, QObject *context, Done done);
    // Applies `change`; with `secret`, stores it in the keychain and makes keychain the source.
    // A credential that leaves the keychain for env:/file: has its keychain entry deleted.
    void editWithSecret(const QString &name, std::function<Status(Credential &)> change, std::optional<QByteArray> secret,
                        QObject *context, Done done);
    // Renames a credential; every mirror using it follows, and a keychain secret moves with it.
    void rename(const QString &from, const QString &to, QObject *context, Done done);

    // Removes a credential and deletes its keychain secret. While mirrors use it, refused with
    // their names unless `force` (the error's detail {"used_by": [names]}): then those mirrors
    // lose the credential (they are named in `detached`).
    struct Removed {
        QString name;
        QStringList detached; // mirrors that no longer name the credential
    };
    void remove(const QString &name, bool force, QObject *context, std::function<void(Result<Removed>)> done);

    struct Listed {
        Credential credential;
        QStringList usedBy; // mirror names
        QStringList passphraseOf = {}; // ssh_key credentials whose passphrase this one holds
    };
    Result<QList<Listed>> list() const;

    // The mirrors whose source or target uses the credential (names compared ignoring case).
    static QStringList usersOf(const Config &config, const QString &credential);

    // The rules a new or changed credential must pass, without touching the config: what a form
    // checks as the user types. validateCredential, and a name none of `others` has (ignoring
    // case; the names of the other credentials). Errors name their field ("name", "username",
    // "secret_source", "passphrase_credential").
    static Status validate(const Credential &credential, const QStringList &others);

    // The kind of a keychain error ("no_entry", "locked", "denied", "unavailable", "timeout"), or
    // empty for any other error (security/Keychain.h, keychain::errorKind).
    static QString keychainErrorKind(const Error &error);
    // Its short reason without advice (keychain::errorSummary), else the error's message.
    static QString keychainErrorSummary(const Error &error);

    // Reads the secret of credential `name` from its source: the keychain asynchronously, an
    // env: or file: source at once (delivered later all the same). E.g. a key's passphrase.
    void secretOf(const QString &name, QObject *context, std::function<void(Result<QByteArray>)> done) const;

    // SSH user keys (DESIGN section 5). A private key about to be stored is read strictly
    // (inspectPrivateKey), re-armoured as OpenSSH writes it (canonicalPrivateKeyText), and, when
    // encrypted, its passphrase is checked offline (checkPassphrase).
    struct CheckedKey {
        QByteArray text; // the canonical text: what is stored
        PrivateKeyInfo info;
    };
    // The pure check. `passphrase`: the passphrase of an encrypted key, when known. Usage errors
    // with a detail a front end words itself: {"ssh_key": "not_encrypted"} when
    // `passphraseCredentialNamed` for a key that is not encrypted; {"ssh_key":
    // "passphrase_needed", "cipher": …} for an encrypted key without a passphrase. Else
    // inspectPrivateKey's errors (config) and checkPassphrase's (auth: a wrong passphrase).
    static Result<CheckedKey> checkKey(const QByteArray &text, const std::optional<QByteArray> &passphrase,
                                       bool passphraseCredentialNamed);
    static bool isPassphraseNeeded(const Error &error);
    static bool isNotEncrypted(const Error &error);
    // checkKey with the passphrase `passphrase`, else the secret of the credential
    // `credential.passphraseCredential` names (read with secretOf).
    void checkKeyFor(const Credential &credential, QByteArray text, std::optional<QByteArray> passphrase, QObject *context,
                     std::function<void(Result<CheckedKey>)> done) const;
    // Reads and checks the key of a file: source (an ssh_key credential whose key stays in a
    // file): a key MirrorDesk cannot use is refused before it is named. Ok for other sources.
    void checkKeySource(const Credential &credential, QObject *context, Done done) const;

    // The name of the credential holding the passphrase of key `keyName` when one is typed in:
    // "<keyName>-passphrase" (a token credential in the keychain).
    static QString passphraseCredentialName(const QString &keyName);

    // Adds the ssh_key credential `credential` with the private key `keyText` stored in the
    // keychain, after checkKeyFor. An encrypted key's passphrase is `newPassphrase` (stored in
    // the keychain as the token credential passphraseCredentialName(name), which the key then
    // names, and removed again if the key cannot be added), or the secret of the credential that
    // `credential.passphraseCredential` names.
    void addSshKey(Credential credential, const QByteArray &keyText, std::optional<QByteArray> newPassphrase, QObject *context,
                   Done done);
    // Replaces the key of ssh_key credential `name` (applying `change` too), as addSshKey checks
    // it; a `newPassphrase` is stored in passphraseCredentialName(name) (made, or replaced).
    void editSshKey(const QString &name, std::function<Status(Credential &)> change, const QByteArray &keyText,
                    std::optional<QByteArray> newPassphrase, QObject *context, Done done);

    // Generates an ed25519 key pair (generateEd25519) and adds it as the ssh_key credential `name`
    // with the private key in the keychain. `done` gets the public half (privateKeyText empty):
    // the line to add as a deploy key.
    void generateSshKey(const QString &name, const QString &comment, QObject *context,
                        std::function<void(Result<GeneratedKey>)> done);
    // The public key of ssh_key credential `name`, read from where its secret lives.
    void publicKeyOf(const QString &name, QObject *context, std::function<void(Result<PrivateKeyInfo>)> done) const;

private:
    QString m_path;
    MirrorStore m_store;
};

} // namespace md
