#pragma once

#include "security/Credential.h"

#include <QObject>

#include <functional>
#include <optional>

namespace md {

struct Config;
struct Mirror;

// URLs typed with credentials (`https://user:token@host/…`, DESIGN section 5), for add and edit
// in every front end: the secret moves into a new keychain credential and the stored URL carries
// none. Without a keychain the change is refused with how to make an env:/file: credential.
struct UrlSecret {
    QString side;     // "source" or "target"
    QString cleanUrl; // the URL without its credentials
    Credential credential; // the credential to create (name chosen free, source keychain)
    QByteArray secret;
    bool replaces = false; // the side's own keychain credential gets the new secret (edit)
};

// The credentials typed in the URLs of `mirror` (only the sides in `sides`): each found one is
// taken out of the mirror (URL cleaned, endpoint names the new credential). An SSH URL with a
// password, or a user name alone that is no token, is refused as before (a credential must be
// named instead). Nothing is stored yet. With `before` (an edit), a side whose credential was a
// keychain credential used by this mirror alone keeps that credential, with the new secret.
Result<QList<UrlSecret>> takeUrlSecrets(Mirror &mirror, const Config &config, const QStringList &sides,
                                        const Mirror *before = nullptr);
// Whether takeUrlSecrets() would find anything in those sides (no config needed to tell): a
// command reads the config for it only then.
bool carriesUrlSecrets(const Mirror &mirror, const QStringList &sides);

// Stores each secret in the keychain and adds its credential to the config, then runs `apply`
// (the mirror's add or edit). If anything fails, the credentials added here are removed again
// (config and keychain) and `done` gets the error; a keychain that cannot store says how to make
// an env:/file: credential instead. `done` runs later, on the context's thread.
void applyWithUrlSecrets(const QString &configPath, QList<UrlSecret> secrets, std::function<Status()> apply, QObject *context,
                         std::function<void(Status)> done);

} // namespace md
