#include "ops/CredentialOps.h"

#include "security/Keychain.h"
#include "util/Names.h"
#include "util/Scrub.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>

#include <memory>

namespace md {

namespace {

Error noSuchCredential(const QString &name)
{
    return Error::usage(QStringLiteral("no credential named \"%1\"").arg(quoteInput(name)));
}

// Runs `edit` on a copy of the current config and validates the result, changing nothing: what
// a keychain write is checked against before it happens.
Status tryEdit(const MirrorStore &store, const std::function<Status(Config &)> &edit)
{
    const auto loaded = store.load();
    if (!loaded)
        return loaded.error();
    Config config = *loaded;
    if (auto status = edit(config); !status)
        return status;
    return config.validateEdit(*loaded);
}

// Deferred delivery on the context's thread, so `done` never runs inside the call.
void later(QObject *context, CredentialOps::Done done, Status status)
{
    QMetaObject::invokeMethod(context, [done = std::move(done), status = std::move(status)] { done(status); }, Qt::QueuedConnection);
}

Status addTo(Config &config, const Credential &credential)
{
    QStringList others;
    for (const Credential &c : config.credentials)
        others.append(c.name);
    if (auto status = CredentialOps::validate(credential, others); !status)
        return status;
    config.credentials.append(credential);
    return {};
}

} // namespace

CredentialOps::CredentialOps(QString configPath)
    : m_path(configPath)
    , m_store(std::move(configPath))
{
}

Status CredentialOps::validate(const Credential &credential, const QStringList &others)
{
    for (const QString &other : others) {
        if (other.compare(credential.name, Qt::CaseInsensitive) == 0)
            return Error::config(QStringLiteral("name"), QStringLiteral("a credential named \"%1\" already exists").arg(other));
    }
    if (auto status = validateCredential(credential); !status)
        return status;
    // A secret file is checked when a credential names it (every front end): it exists, is a
    // regular file owned by this user with no group or other permissions, and is not empty.
    if (credential.secretSource.kind == SecretSource::Kind::File) {
        const QString field = QStringLiteral("secret_source");
        if (auto status = checkSecretFile(credential.secretSource.value); !status)
            return Error::config(field, status.error().message);
        if (QFileInfo(credential.secretSource.value).size() == 0)
            return Error::config(field, QStringLiteral("secret file %1 is empty").arg(credential.secretSource.value));
    }
    return {};
}

QString CredentialOps::keychainErrorKind(const Error &error)
{
    return keychain::errorKind(error);
}

QString CredentialOps::keychainErrorSummary(const Error &error)
{
    return keychain::errorSummary(error);
}

QStringList CredentialOps::usersOf(const Config &config, const QString &credential)
{
    QStringList users;
    for (const Credential &c : config.credentials) {
        if (c.passphraseCredential.compare(credential, Qt::CaseInsensitive) == 0)
            users.append(QStringLiteral("credential ") + c.name);
    }
    for (const Mirror &m : config.mirrors) {
        if (m.source.credential.compare(credential, Qt::CaseInsensitive) == 0
            || m.target.credential.compare(credential, Qt::CaseInsensitive) == 0)
            users.append(m.name);
    }
    return users;
}

Status CredentialOps::add(const Credential &credential)
{
    auto saved = m_store.modify([&](Config &config) { return addTo(config, credential); });
    if (!saved)
        return saved.error();
    return {};
}

Status CredentialOps::edit(const QString &name, const std::function<Status(Credential &)> &change)
{
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfCredential(name);
        if (index < 0)
            return noSuchCredential(name);
        Credential &credential = config.credentials[index];
        if (auto status = change(credential); !status)
            return status;
        return CredentialOps::validate(credential, {});
    });
    if (!saved)
        return saved.error();
    return {};
}

void CredentialOps::addWithSecret(Credential credential, const QByteArray &secret, QObject *context, Done done)
{
    credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
    if (auto checked = tryEdit(m_store, [&](Config &config) { return addTo(config, credential); }); !checked) {
        later(context, std::move(done), checked);
        return;
    }
    const QString path = m_path;
    keychain::write(credential.name, secret, context, [path, credential, context, done = std::move(done)](Status written) {
        if (!written) {
            done(written);
            return;
        }
        auto saved = MirrorStore(path).modify([&](Config &config) { return addTo(config, credential); });
        if (saved) {
            done(Status{});
            return;
        }
        // The config refused it after all (changed meanwhile): take the secret back out.
        keychain::remove(credential.name, context, [done, error = saved.error()](Status) { done(error); });
    });
}

void CredentialOps::editWithSecret(const QString &name, std::function<Status(Credential &)> change, std::optional<QByteArray> secret,
                                   QObject *context, Done done)
{
    auto edit = [name, change, keychainSource = secret.has_value()](Config &config, std::optional<Credential> *before) -> Status {
        const int index = config.indexOfCredential(name);
        if (index < 0)
            return noSuchCredential(name);
        Credential &credential = config.credentials[index];
        if (before)
            *before = credential;
        if (auto status = change(credential); !status)
            return status;
        if (keychainSource)
            credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
        return CredentialOps::validate(credential, {});
    };
    std::optional<Credential> before;
    if (auto checked = tryEdit(m_store, [&](Config &config) { return edit(config, &before); }); !checked) {
        later(context, std::move(done), checked);
        return;
    }
    const QString path = m_path;
    // Saves the config; then deletes a keychain entry the credential no longer uses.
    auto save = [path, edit, context, done](bool wroteSecret) {
        std::optional<Credential> old;
        auto saved = MirrorStore(path).modify([&](Config &config) { return edit(config, &old); });
        if (!saved) {
            done(saved.error());
            return;
        }
        const Credential *now = saved->credential(old ? old->name : QString());
        const bool leftKeychain = old && old->secretSource.kind == SecretSource::Kind::Keychain
            && (!now || now->secretSource.kind != SecretSource::Kind::Keychain);
        if (!leftKeychain || wroteSecret) {
            done(Status{});
            return;
        }
        keychain::remove(old->name, context, [done, name = old->name](Status removed) {
            if (!removed) {
                Error error = removed.error();
                error.message = QStringLiteral("credential \"%1\" changed, but its old secret is still in the keychain (%2): %3")
                                    .arg(name, keychain::keyOf(name), error.message);
                done(error);
                return;
            }
            done(Status{});
        });
    };
    if (!secret) {
        save(false);
        return;
    }
    keychain::write(before->name, *secret, context, [save, done](Status written) {
        if (!written) {
            done(written); // nothing changed: the config still names the old source
            return;
        }
        save(true);
    });
}

void CredentialOps::rename(const QString &from, const QString &to, QObject *context, Done done)
{
    auto edit = [from, to](Config &config, std::optional<Credential> *before) -> Status {
        const int index = config.indexOfCredential(from);
        if (index < 0)
            return noSuchCredential(from);
        if (auto status = validateCredentialName(to, QStringLiteral("name")); !status)
            return status;
        const int other = config.indexOfCredential(to);
        if (other >= 0 && other != index)
            return Error::config(QStringLiteral("name"), QStringLiteral("a credential named \"%1\" already exists")
                                                             .arg(config.credentials.at(other).name));
        const Credential &credential = config.credentials.at(index);
        if (before)
            *before = credential;
        const QString oldName = credential.name;
        for (Mirror &m : config.mirrors) {
            for (Endpoint *endpoint : {&m.source, &m.target}) {
                if (endpoint->credential.compare(oldName, Qt::CaseInsensitive) == 0)
                    endpoint->credential = to;
            }
        }
        for (Credential &c : config.credentials) {
            if (c.passphraseCredential.compare(oldName, Qt::CaseInsensitive) == 0)
                c.passphraseCredential = to;
        }
        config.credentials[index].name = to;
        return {};
    };
    std::optional<Credential> before;
    if (auto checked = tryEdit(m_store, [&](Config &config) { return edit(config, &before); }); !checked) {
        later(context, std::move(done), checked);
        return;
    }
    const QString path = m_path;
    auto save = [path, edit]() -> Status {
        auto saved = MirrorStore(path).modify([&](Config &config) { return edit(config, nullptr); });
        return saved ? Status{} : Status(saved.error());
    };
    if (before->secretSource.kind != SecretSource::Kind::Keychain || before->name == to) {
        later(context, std::move(done), save());
        return;
    }
    // Copy the secret to the new key, switch the config, then delete the old key.
    const QString oldName = before->name;
    keychain::read({oldName}, context, [oldName, to, save, context, done = std::move(done)](QHash<QString, Result<QByteArray>> read) {
        const Result<QByteArray> secret = read.value(oldName, Error{ErrorCategory::Keychain, QStringLiteral("no answer"), {}, 0, 0});
        if (!secret) {
            done(secret.error());
            return;
        }
        keychain::write(to, *secret, context, [oldName, to, save, context, done](Status written) {
            if (!written) {
                done(written);
                return;
            }
            if (auto saved = save(); !saved) {
                keychain::remove(to, context, [done, saved](Status) { done(saved); });
                return;
            }
            keychain::remove(oldName, context, [done, oldName](Status removed) {
                if (!removed) {
                    Error error = removed.error();
                    error.message = QStringLiteral("renamed, but the old keychain entry %1 is still there: %2")
                                        .arg(keychain::keyOf(oldName), error.message);
                    done(error);
                    return;
                }
                done(Status{});
            });
        });
    });
}

void CredentialOps::remove(const QString &name, bool force, QObject *context, std::function<void(Result<Removed>)> done)
{
    auto edit = [name, force](Config &config, Removed *removed, std::optional<Credential> *gone) -> Status {
        const int index = config.indexOfCredential(name);
        if (index < 0)
            return noSuchCredential(name);
        const Credential credential = config.credentials.at(index);
        const QStringList users = usersOf(config, credential.name);
        if (!users.isEmpty() && !force) {
            Error refused = Error::config(QStringLiteral("name"), QStringLiteral("credential \"%1\" is used by %2; change those "
                                                                                 "first, or give --force to remove it from them")
                                                                      .arg(credential.name, users.join(QStringLiteral(", "))));
            refused.detail.insert(QStringLiteral("used_by"), QJsonArray::fromStringList(users)); // for a front end's own words
            return refused;
        }
        for (Mirror &m : config.mirrors) {
            for (Endpoint *endpoint : {&m.source, &m.target}) {
                if (endpoint->credential.compare(credential.name, Qt::CaseInsensitive) == 0)
                    endpoint->credential.clear();
            }
        }
        for (Credential &c : config.credentials) {
            if (c.passphraseCredential.compare(credential.name, Qt::CaseInsensitive) == 0)
                c.passphraseCredential.clear();
        }
        config.credentials.removeAt(index);
        if (removed)
            *removed = Removed{credential.name, users};
        if (gone)
            *gone = credential;
        return {};
    };
    auto deliver = [context, done](Result<Removed> result) {
        QMetaObject::invokeMethod(context, [done, result] { done(result); }, Qt::QueuedConnection);
    };
    std::optional<Credential> gone;
    if (auto checked = tryEdit(m_store, [&](Config &config) { return edit(config, nullptr, &gone); }); !checked) {
        deliver(checked.error());
        return;
    }
    const QString path = m_path;
    auto save = [path, edit](std::optional<Error> secretLeft) -> Result<Removed> {
        Removed removed;
        auto saved = MirrorStore(path).modify([&](Config &config) { return edit(config, &removed, nullptr); });
        if (!saved)
            return saved.error();
        if (secretLeft)
            return *secretLeft;
        return removed;
    };
    if (gone->secretSource.kind != SecretSource::Kind::Keychain) {
        deliver(save(std::nullopt));
        return;
    }
    // The secret goes first: a keychain that cannot delete it (locked, unavailable) leaves the
    // credential as it was, unless forced.
    keychain::remove(gone->name, context, [save, force, done, name = gone->name](Status deleted) {
        if (deleted) {
            done(save(std::nullopt));
            return;
        }
        Error error = deleted.error();
        if (!force) {
            error.message = QStringLiteral("credential \"%1\" was not removed: %2. Unlock the keychain and try again, or give "
                                           "--force to remove it from the config and leave the secret (%3) in the keychain")
                                .arg(name, error.message, keychain::keyOf(name));
            done(error);
            return;
        }
        error.message = QStringLiteral("credential \"%1\" removed from the config, but its secret is still in the keychain (%2): %3")
                            .arg(name, keychain::keyOf(name), error.message);
        done(save(error));
    });
}

Result<QList<CredentialOps::Listed>> CredentialOps::list() const
{
    const auto config = m_store.load();
    if (!config)
        return config.error();
    // One pass over the mirrors, not one per credential.
    QHash<QString, QStringList> users;
    for (const Mirror &m : config->mirrors) {
        for (const QString &credential : {m.source.credential, m.target.credential}) {
            if (credential.isEmpty())
                continue;
            QStringList &list = users[credential.toLower()];
            if (!list.contains(m.name))
                list.append(m.name);
        }
    }
    QHash<QString, QStringList> keys;
    for (const Credential &c : config->credentials) {
        if (!c.passphraseCredential.isEmpty())
            keys[c.passphraseCredential.toLower()].append(c.name);
    }
    QList<Listed> listed;
    for (const Credential &c : config->credentials)
        listed.append(Listed{c, users.value(c.name.toLower()), keys.value(c.name.toLower())});
    return listed;
}

} // namespace md
