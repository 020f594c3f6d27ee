#pragma once

#include "mirror/MirrorStore.h"

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
    // their names unless `force`: then those mirrors lose the credential (they are named in
    // `detached`).
    struct Removed {
        QString name;
        QStringList detached; // mirrors that no longer name the credential
    };
    void remove(const QString &name, bool force, QObject *context, std::function<void(Result<Removed>)> done);

    struct Listed {
        Credential credential;
        QStringList usedBy; // mirror names
    };
    Result<QList<Listed>> list() const;

    // The mirrors whose source or target uses the credential (names compared ignoring case).
    static QStringList usersOf(const Config &config, const QString &credential);

private:
    QString m_path;
    MirrorStore m_store;
};

} // namespace md
