// CredentialOps for SSH user keys (DESIGN section 5): the strict reading of a key about to be
// stored, its passphrase check, generation, and the public half of a stored key. Shared by the
// command line (credential add/edit, ssh-keygen) and the window's credentials dialog.
#include "ops/CredentialOps.h"

#include "security/Keychain.h"
#include "util/Scrub.h"

#include <QPointer>
#include <QThreadPool>

#include <memory>

namespace md {

namespace {

template <typename T>
void deliver(QObject *context, std::function<void(T)> done, T value)
{
    QMetaObject::invokeMethod(context, [done = std::move(done), value = std::move(value)] { done(value); }, Qt::QueuedConnection);
}

Error keyUsage(const QString &message, const QString &why)
{
    Error error = Error::usage(message);
    error.detail.insert(QStringLiteral("ssh_key"), why);
    return error;
}

} // namespace

QString CredentialOps::passphraseCredentialName(const QString &keyName)
{
    return keyName + QStringLiteral("-passphrase");
}

bool CredentialOps::isPassphraseNeeded(const Error &error)
{
    return error.detail.value(QStringLiteral("ssh_key")).toString() == QLatin1String("passphrase_needed");
}

bool CredentialOps::isNotEncrypted(const Error &error)
{
    return error.detail.value(QStringLiteral("ssh_key")).toString() == QLatin1String("not_encrypted");
}

Result<CredentialOps::CheckedKey> CredentialOps::checkKey(const QByteArray &text, const std::optional<QByteArray> &passphrase,
                                                          bool passphraseCredentialNamed)
{
    auto info = inspectPrivateKey(text);
    if (!info)
        return info.error();
    auto canonical = canonicalPrivateKeyText(text);
    if (!canonical)
        return canonical.error();
    CheckedKey key{*canonical, *info};
    if (!info->encrypted) {
        if (passphraseCredentialNamed)
            return keyUsage(QStringLiteral("the key is not encrypted: it has no passphrase"), QStringLiteral("not_encrypted"));
        return key;
    }
    if (!passphrase) {
        Error error = keyUsage(QStringLiteral("the key is encrypted (%1): its passphrase is needed").arg(info->cipher),
                               QStringLiteral("passphrase_needed"));
        error.detail.insert(QStringLiteral("cipher"), info->cipher);
        return error;
    }
    if (auto status = checkPassphrase(key.text, *passphrase); !status)
        return status.error();
    return key;
}

void CredentialOps::secretOf(const QString &name, QObject *context, std::function<void(Result<QByteArray>)> done) const
{
    const auto config = m_store.load();
    if (!config) {
        deliver<Result<QByteArray>>(context, std::move(done), config.error());
        return;
    }
    const Credential *holder = config->credential(name);
    if (!holder) {
        deliver<Result<QByteArray>>(context, std::move(done),
                                    Error::config(QStringLiteral("passphrase_credential"),
                                                  QStringLiteral("no credential named \"%1\"").arg(quoteInput(name))));
        return;
    }
    if (holder->secretSource.kind != SecretSource::Kind::Keychain) {
        deliver<Result<QByteArray>>(context, std::move(done), readSecret(holder->secretSource));
        return;
    }
    keychain::read({holder->name}, context, [done = std::move(done), key = holder->name](QHash<QString, Result<QByteArray>> read) {
        done(read.value(key, Error::io(QStringLiteral("the keychain did not answer"))));
    });
}

void CredentialOps::checkKeyFor(const Credential &credential, QByteArray text, std::optional<QByteArray> passphrase,
                                QObject *context, std::function<void(Result<CheckedKey>)> done) const
{
    const bool named = !credential.passphraseCredential.isEmpty();
    // The strict read is quick; the passphrase check (bcrypt_pbkdf) takes a while: on the pool,
    // so the caller's event loop (the window's) is never held up by it.
    auto key = checkKey(text, std::nullopt, named && !passphrase);
    if (key || !isPassphraseNeeded(key.error()) || (!named && !passphrase)) {
        deliver(context, std::move(done), std::move(key));
        return;
    }
    auto checkOnPool = [context, text](QByteArray secret, std::function<void(Result<CheckedKey>)> reply) {
        QPointer<QObject> guard(context);
        QThreadPool::globalInstance()->start([guard, text, secret, reply] {
            Result<CheckedKey> checked = checkKey(text, secret, false);
            releaseThreadCryptoState();
            if (guard)
                QMetaObject::invokeMethod(guard.data(), [reply, checked] { reply(checked); }, Qt::QueuedConnection);
        });
    };
    if (passphrase) {
        checkOnPool(*passphrase, std::move(done));
        return;
    }
    secretOf(credential.passphraseCredential, context, [checkOnPool, done = std::move(done)](Result<QByteArray> secret) {
        if (!secret) {
            done(secret.error());
            return;
        }
        checkOnPool(*secret, done);
    });
}

void CredentialOps::checkKeySource(const Credential &credential, QObject *context, Done done) const
{
    if (credential.kind != CredentialKind::SshKey || credential.secretSource.kind != SecretSource::Kind::File) {
        deliver(context, std::move(done), Status{});
        return;
    }
    const auto text = readSecret(credential.secretSource);
    if (!text) {
        deliver(context, std::move(done), Status(text.error()));
        return;
    }
    checkKeyFor(credential, *text, std::nullopt, context, [done = std::move(done)](Result<CheckedKey> key) {
        done(key ? Status{} : Status(key.error()));
    });
}

void CredentialOps::addSshKey(Credential credential, const QByteArray &keyText, std::optional<QByteArray> newPassphrase,
                              QObject *context, Done done)
{
    credential.kind = CredentialKind::SshKey;
    credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
    Credential passphrase;
    if (newPassphrase) {
        if (!credential.passphraseCredential.isEmpty()) {
            deliver(context, std::move(done), Status(Error::usage(QStringLiteral("give a passphrase or a passphrase credential, not both"))));
            return;
        }
        passphrase.name = passphraseCredentialName(credential.name);
        passphrase.kind = CredentialKind::Token;
        passphrase.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
    }
    // Everything the config will refuse is refused before the keychain is touched.
    const auto loaded = m_store.load();
    if (!loaded) {
        deliver(context, std::move(done), Status(loaded.error()));
        return;
    }
    {
        Config config = *loaded;
        QStringList names;
        for (const Credential &c : config.credentials)
            names.append(c.name);
        Status checked = validate(credential, names);
        if (checked && newPassphrase) {
            names.append(credential.name);
            checked = validate(passphrase, names);
            if (checked) {
                config.credentials.append(passphrase);
                Credential named = credential;
                named.passphraseCredential = passphrase.name;
                config.credentials.append(named);
                checked = config.validateEdit(*loaded);
            }
        }
        if (!checked) {
            deliver(context, std::move(done), checked);
            return;
        }
    }
    const QString path = m_path;
    checkKeyFor(credential, keyText, newPassphrase, context,
                [path, credential, passphrase, newPassphrase, context, done = std::move(done)](Result<CheckedKey> key) mutable {
        if (!key) {
            done(key.error());
            return;
        }
        auto ops = std::make_shared<CredentialOps>(path);
        if (!key->info.encrypted)
            newPassphrase.reset(); // a key without a passphrase has none to store
        if (!newPassphrase) {
            ops->addWithSecret(credential, key->text, context, [ops, done](Status status) { done(status); });
            return;
        }
        credential.passphraseCredential = passphrase.name;
        ops->addWithSecret(passphrase, *newPassphrase, context,
                           [ops, credential, passphrase, text = key->text, context, done](Status stored) {
            if (!stored) {
                done(stored);
                return;
            }
            ops->addWithSecret(credential, text, context, [ops, passphrase, context, done](Status added) {
                if (added) {
                    done(added);
                    return;
                }
                // The key was refused after all: take its passphrase back out.
                ops->remove(passphrase.name, true, context, [done, added](Result<Removed>) { done(added); });
            });
        });
    });
}

void CredentialOps::editSshKey(const QString &name, std::function<Status(Credential &)> change, const QByteArray &keyText,
                               std::optional<QByteArray> newPassphrase, QObject *context, Done done)
{
    const auto loaded = m_store.load();
    if (!loaded) {
        deliver(context, std::move(done), Status(loaded.error()));
        return;
    }
    const Credential *existing = loaded->credential(name);
    if (!existing) {
        deliver(context, std::move(done),
                Status(Error::usage(QStringLiteral("no credential named \"%1\"").arg(quoteInput(name)))));
        return;
    }
    Credential edited = *existing;
    if (auto status = change(edited); !status) {
        deliver(context, std::move(done), status);
        return;
    }
    const QString passphraseName = passphraseCredentialName(existing->name);
    const bool passphraseExists = loaded->credential(passphraseName) != nullptr;
    if (newPassphrase)
        edited.passphraseCredential.clear();
    const QString path = m_path;
    checkKeyFor(edited, keyText, newPassphrase, context,
                [path, name, change, passphraseName, passphraseExists, newPassphrase, context, done = std::move(done)](Result<CheckedKey> key) mutable {
        if (!key) {
            done(key.error());
            return;
        }
        if (!key->info.encrypted)
            newPassphrase.reset();
        auto ops = std::make_shared<CredentialOps>(path);
        auto editKey = [ops, name, change, passphraseName, named = newPassphrase.has_value(), text = key->text, context, done] {
            auto changeKey = [change, passphraseName, named](Credential &credential) -> Status {
                if (auto status = change(credential); !status)
                    return status;
                credential.kind = CredentialKind::SshKey;
                if (named)
                    credential.passphraseCredential = passphraseName;
                return {};
            };
            ops->editWithSecret(name, changeKey, text, context, [ops, done](Status status) { done(status); });
        };
        if (!newPassphrase) {
            editKey();
            return;
        }
        auto stored = [editKey, done](Status status) {
            if (!status) {
                done(status);
                return;
            }
            editKey();
        };
        if (passphraseExists) {
            ops->editWithSecret(passphraseName, [](Credential &) { return Status{}; }, *newPassphrase, context, stored);
        } else {
            Credential passphrase;
            passphrase.name = passphraseName;
            passphrase.kind = CredentialKind::Token;
            ops->addWithSecret(passphrase, *newPassphrase, context, stored);
        }
    });
}

void CredentialOps::generateSshKey(const QString &name, const QString &comment, QObject *context,
                                   std::function<void(Result<GeneratedKey>)> done)
{
    Credential credential;
    credential.name = name;
    credential.kind = CredentialKind::SshKey;
    credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
    if (auto status = validateCredential(credential); !status) {
        deliver<Result<GeneratedKey>>(context, std::move(done), status.error());
        return;
    }
    auto key = generateEd25519(comment);
    if (!key) {
        deliver<Result<GeneratedKey>>(context, std::move(done), key.error());
        return;
    }
    GeneratedKey shown = *key;
    shown.privateKeyText.clear();
    addWithSecret(credential, key->privateKeyText, context, [done = std::move(done), shown](Status status) {
        if (!status) {
            done(status.error());
            return;
        }
        done(shown);
    });
}

void CredentialOps::publicKeyOf(const QString &name, QObject *context, std::function<void(Result<PrivateKeyInfo>)> done) const
{
    const auto config = m_store.load();
    if (!config) {
        deliver<Result<PrivateKeyInfo>>(context, std::move(done), config.error());
        return;
    }
    const Credential *credential = config->credential(name);
    if (!credential || credential->kind != CredentialKind::SshKey) {
        deliver<Result<PrivateKeyInfo>>(context, std::move(done),
                                        Error::usage(QStringLiteral("no ssh_key credential named \"%1\"").arg(quoteInput(name))));
        return;
    }
    secretOf(credential->name, context, [done = std::move(done)](Result<QByteArray> text) {
        if (!text) {
            done(text.error());
            return;
        }
        done(inspectPrivateKey(*text));
    });
}

} // namespace md
