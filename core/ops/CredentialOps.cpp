#include "ops/CredentialOps.h"

#include "util/Scrub.h"

#include <QHash>

namespace md {

CredentialOps::CredentialOps(QString configPath)
    : m_store(std::move(configPath))
{
}

QStringList CredentialOps::usersOf(const Config &config, const QString &credential)
{
    QStringList users;
    for (const Mirror &m : config.mirrors) {
        if (m.source.credential.compare(credential, Qt::CaseInsensitive) == 0
            || m.target.credential.compare(credential, Qt::CaseInsensitive) == 0)
            users.append(m.name);
    }
    return users;
}

Status CredentialOps::add(const Credential &credential)
{
    auto saved = m_store.modify([&](Config &config) -> Status {
        if (const int index = config.indexOfCredential(credential.name); index >= 0)
            return Error::config(QStringLiteral("name"), QStringLiteral("a credential named \"%1\" already exists")
                                                             .arg(config.credentials.at(index).name));
        config.credentials.append(credential);
        return validateCredential(credential);
    });
    if (!saved)
        return saved.error();
    return {};
}

Status CredentialOps::edit(const QString &name, const std::function<Status(Credential &)> &change)
{
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfCredential(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no credential named \"%1\"").arg(quoteInput(name)));
        Credential &credential = config.credentials[index];
        if (auto status = change(credential); !status)
            return status;
        return validateCredential(credential);
    });
    if (!saved)
        return saved.error();
    return {};
}

Status CredentialOps::remove(const QString &name)
{
    auto saved = m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfCredential(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no credential named \"%1\"").arg(quoteInput(name)));
        const QStringList users = usersOf(config, config.credentials.at(index).name);
        if (!users.isEmpty())
            return Error::config(QStringLiteral("name"), QStringLiteral("credential \"%1\" is used by %2; change those mirrors first")
                                                             .arg(config.credentials.at(index).name, users.join(QStringLiteral(", "))));
        config.credentials.removeAt(index);
        return {};
    });
    if (!saved)
        return saved.error();
    return {};
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
    QList<Listed> listed;
    for (const Credential &c : config->credentials)
        listed.append(Listed{c, users.value(c.name.toLower())});
    return listed;
}

} // namespace md
