#include "mirror/Config.h"

#include "mirror/Paths.h"
#include "security/GitUrl.h"
#include "security/HostKey.h"
#include "util/JsonReader.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

#include <cmath>

namespace md {

namespace {

template <typename List>
int indexByName(const List &list, const QString &name)
{
    for (int i = 0; i < list.size(); ++i) {
        if (list.at(i).name == name)
            return i;
    }
    for (int i = 0; i < list.size(); ++i) {
        if (list.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

QString mirrorField(int index, const QString &field)
{
    return QStringLiteral("mirrors[%1].%2").arg(index).arg(field);
}

Status checkEndpointCredential(const Config &config, const Endpoint &endpoint, const QString &field)
{
    if (endpoint.credential.isEmpty())
        return {};
    const Credential *credential = config.credential(endpoint.credential);
    if (!credential)
        return Error::config(field, QStringLiteral("no credential named \"%1\" (add it with mirrordesk credential add)")
                                        .arg(endpoint.credential));
    const auto url = GitUrl::parse(endpoint.url);
    if (!url)
        return {};
    const bool sshCredential = credential->kind == CredentialKind::SshKey || credential->kind == CredentialKind::SshAgent;
    if (url->isSsh() && !sshCredential)
        return Error::config(field, QStringLiteral("credential \"%1\" is a %2 credential; an SSH URL needs an ssh_key or "
                                                   "ssh_agent credential")
                                        .arg(credential->name, credentialKindName(credential->kind)));
    if (!url->isSsh() && sshCredential)
        return Error::config(field, QStringLiteral("credential \"%1\" is an SSH credential; this URL is not SSH")
                                        .arg(credential->name));
    return {};
}

QString localPathOf(const GitUrl &url)
{
    return QDir::cleanPath(url.kind() == GitUrl::Kind::File ? QUrl(url.original()).toLocalFile() : url.path());
}

} // namespace

bool pathsOverlap(const QString &a, const QString &b)
{
    const QString x = QDir::cleanPath(a).toLower() + QLatin1Char('/');
    const QString y = QDir::cleanPath(b).toLower() + QLatin1Char('/');
    return x.startsWith(y) || y.startsWith(x);
}

int Config::indexOfMirror(const QString &name) const { return indexByName(mirrors, name); }
int Config::indexOfCredential(const QString &name) const { return indexByName(credentials, name); }

const Mirror *Config::mirror(const QString &name) const
{
    const int index = indexOfMirror(name);
    return index < 0 ? nullptr : &mirrors.at(index);
}

const Credential *Config::credential(const QString &name) const
{
    const int index = indexOfCredential(name);
    return index < 0 ? nullptr : &credentials.at(index);
}

QString Config::cacheRoot() const
{
    return settings.cacheRoot.isEmpty() ? paths::defaultCacheRoot() : QDir::cleanPath(settings.cacheRoot);
}

Status Config::validate() const
{
    for (int i = 0; i < credentials.size(); ++i) {
        const QString field = QStringLiteral("credentials[%1]").arg(i);
        if (auto status = validateCredential(credentials.at(i), field); !status)
            return status;
        for (int j = 0; j < i; ++j) {
            if (credentials.at(j).name.compare(credentials.at(i).name, Qt::CaseInsensitive) == 0)
                return Error::config(field + QStringLiteral(".name"),
                                     QStringLiteral("a credential named \"%1\" already exists").arg(credentials.at(j).name));
        }
    }
    for (auto it = hostKeys.begin(); it != hostKeys.end(); ++it) {
        const QString field = QStringLiteral("host_keys.%1").arg(it.key());
        auto normalized = normalizeHostPort(it.key());
        if (!normalized)
            return Error::config(field, normalized.error().message);
        if (*normalized != it.key())
            return Error::config(field, QStringLiteral("write the host as \"%1\"").arg(*normalized));
        if (it.value().isEmpty())
            return Error::config(field, QStringLiteral("has no keys"));
        for (const QString &line : it.value()) {
            if (auto key = HostKey::parseLine(line); !key)
                return Error::config(field, key.error().message);
        }
    }
    // Caches must never overlap each other or a local repository a mirror reads or writes: a
    // `remove --delete-cache` or a prune in one must not touch the other.
    struct Claim {
        QString path;
        QString owner;
    };
    QList<Claim> claims;
    for (const Mirror &m : mirrors) {
        for (const Endpoint *endpoint : {&m.source, &m.target}) {
            const auto url = GitUrl::parse(endpoint->url);
            if (url && url->isLocal())
                claims.append({localPathOf(*url), QStringLiteral("the local repository of mirror \"%1\"").arg(m.name)});
        }
    }
    for (int i = 0; i < mirrors.size(); ++i) {
        const Mirror &m = mirrors.at(i);
        if (auto status = validateMirror(m, QStringLiteral("mirrors[%1]").arg(i)); !status)
            return status;
        for (int j = 0; j < i; ++j) {
            if (mirrors.at(j).name.compare(m.name, Qt::CaseInsensitive) == 0)
                return Error::config(mirrorField(i, QStringLiteral("name")),
                                     QStringLiteral("a mirror named \"%1\" already exists (names are compared "
                                                    "ignoring case)").arg(mirrors.at(j).name));
        }
        if (auto status = checkEndpointCredential(*this, m.source, mirrorField(i, QStringLiteral("source.credential"))); !status)
            return status;
        if (auto status = checkEndpointCredential(*this, m.target, mirrorField(i, QStringLiteral("target.credential"))); !status)
            return status;
        const QString cache = cachePathOf(m);
        for (const Claim &claim : claims) {
            if (pathsOverlap(cache, claim.path))
                return Error::config(mirrorField(i, QStringLiteral("cache_path")),
                                     QStringLiteral("%1 overlaps %2 (%3)").arg(cache, claim.owner, claim.path));
        }
        claims.append({cache, QStringLiteral("the cache of mirror \"%1\"").arg(m.name)});
    }
    return {};
}

QByteArray configToJson(const Config &config)
{
    QJsonArray mirrors;
    for (const Mirror &m : config.mirrors)
        mirrors.append(mirrorToJson(m));
    QJsonArray credentials;
    for (const Credential &c : config.credentials)
        credentials.append(credentialToJson(c));
    QJsonObject hostKeys;
    for (auto it = config.hostKeys.begin(); it != config.hostKeys.end(); ++it)
        hostKeys.insert(it.key(), QJsonArray::fromStringList(it.value()));
    const QJsonObject root{
        {QStringLiteral("schema_version"), Config::kSchemaVersion},
        {QStringLiteral("settings"), settingsToJson(config.settings)},
        {QStringLiteral("credentials"), credentials},
        {QStringLiteral("host_keys"), hostKeys},
        {QStringLiteral("mirrors"), mirrors},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<Config> configFromJson(const QByteArray &data)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error::config({}, QStringLiteral("not valid JSON at byte %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    if (!document.isObject())
        return Error::config({}, QStringLiteral("the top level must be a JSON object"));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(QStringLiteral("schema_version"));
    if (version.isUndefined())
        return Error::config(QStringLiteral("schema_version"), QStringLiteral("is missing; this is not a MirrorDesk config file"));
    if (!version.isDouble() || version.toDouble() < 1 || version.toDouble() != std::floor(version.toDouble()))
        return Error::config(QStringLiteral("schema_version"), QStringLiteral("must be a whole number from 1"));
    if (version.toDouble() != Config::kSchemaVersion)
        return Error::config(QStringLiteral("schema_version"),
                             QStringLiteral("version %1 is not supported by this MirrorDesk (it reads version %2); "
                                            "use a newer MirrorDesk")
                                 .arg(version.toDouble())
                                 .arg(Config::kSchemaVersion));

    JsonReader reader(root, {});
    reader.integer(QStringLiteral("schema_version"), 1, 1, 1);
    Config config;
    auto settings = settingsFromJson(reader.object(QStringLiteral("settings")), QStringLiteral("settings"));
    const QJsonArray credentials = reader.array(QStringLiteral("credentials"));
    const QJsonObject hostKeys = reader.object(QStringLiteral("host_keys"));
    const QJsonArray mirrors = reader.array(QStringLiteral("mirrors"));
    if (auto status = reader.finish(); !status)
        return status.error();
    if (!settings)
        return settings.error();
    config.settings = *settings;

    for (int i = 0; i < credentials.size(); ++i) {
        const QString field = QStringLiteral("credentials[%1]").arg(i);
        if (!credentials.at(i).isObject())
            return Error::config(field, QStringLiteral("must be an object"));
        auto credential = credentialFromJson(credentials.at(i).toObject(), field);
        if (!credential)
            return credential.error();
        config.credentials.append(*credential);
    }
    for (auto it = hostKeys.begin(); it != hostKeys.end(); ++it) {
        if (!it.value().isArray())
            return Error::config(QStringLiteral("host_keys.%1").arg(it.key()), QStringLiteral("must be a list of key lines"));
        QStringList lines;
        for (const QJsonValue &line : it.value().toArray()) {
            if (!line.isString())
                return Error::config(QStringLiteral("host_keys.%1").arg(it.key()), QStringLiteral("must be a list of key lines"));
            lines.append(line.toString());
        }
        config.hostKeys.insert(it.key(), lines);
    }
    for (int i = 0; i < mirrors.size(); ++i) {
        const QString field = QStringLiteral("mirrors[%1]").arg(i);
        if (!mirrors.at(i).isObject())
            return Error::config(field, QStringLiteral("must be an object"));
        auto mirror = mirrorFromJson(mirrors.at(i).toObject(), field);
        if (!mirror)
            return mirror.error();
        config.mirrors.append(*mirror);
    }
    if (auto status = config.validate(); !status)
        return status.error();
    return config;
}

} // namespace md
