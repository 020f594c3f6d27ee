#include "mirror/Config.h"

#include "mirror/Paths.h"
#include "security/GitUrl.h"
#include "security/HostKey.h"
#include "util/JsonReader.h"
#include "util/Scrub.h"

#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

// `side` is "source" or "target" of mirrors[index]; the field is named only for an error.
template <typename Lookup>
Status checkEndpointCredential(const Lookup &credentialOf, const Endpoint &endpoint, int index, const char *side)
{
    if (endpoint.credential.isEmpty())
        return {};
    auto field = [index, side] { return mirrorField(index, QLatin1String(side) + QStringLiteral(".credential")); };
    const Credential *credential = credentialOf(endpoint.credential);
    if (!credential)
        return Error::config(field(), QStringLiteral("no credential named \"%1\" (add it with mirrordesk credential add)")
                                        .arg(quoteInput(endpoint.credential)));
    const auto url = GitUrl::parse(endpoint.url);
    if (!url)
        return {};
    const bool sshCredential = credential->kind == CredentialKind::SshKey || credential->kind == CredentialKind::SshAgent;
    if (url->isSsh() && !sshCredential)
        return Error::config(field(), QStringLiteral("credential \"%1\" is a %2 credential; an SSH URL needs an ssh_key or "
                                                   "ssh_agent credential")
                                        .arg(credential->name, credentialKindName(credential->kind)));
    if (!url->isSsh() && sshCredential)
        return Error::config(field(), QStringLiteral("credential \"%1\" is an SSH credential; this URL is not SSH")
                                        .arg(credential->name));
    return {};
}

QString localPathOf(const GitUrl &url)
{
    return QDir::cleanPath(url.kind() == GitUrl::Kind::File ? QUrl(url.original()).toLocalFile() : url.path());
}

// False for what GitUrl::parse() can never read as a local path: empty text and URLs with a
// scheme other than file:// (the cheap test spares parsing every remote URL of every mirror).
bool mayBeLocal(const QString &url)
{
    if (url.isEmpty())
        return false;
    return !url.contains(QLatin1String("://")) || url.startsWith(QLatin1String("file://"), Qt::CaseInsensitive);
}

// The form pathsOverlap() compares: two paths overlap when one key is a prefix of the other.
QString overlapKey(const QString &path)
{
    return QDir::cleanPath(path).toLower() + QLatin1Char('/');
}

} // namespace

// For each claim from `firstChecked` on, the smallest index of an earlier claim whose path
// overlaps its path (is it, lies inside it or contains it), or -1: the answer of comparing each
// such claim with every claim before it, in O(n log n) instead of O(n²). The paths are clean
// (QDir::cleanPath), so overlapKey() needs no second cleaning.
//
// The keys are sorted; a key's prefixes come before it, and every key between a prefix and the key
// shares that prefix, so a walk in sorted order with a stack of the keys that are prefixes of the
// current one meets each key's ancestors on the stack and its descendants right after it. Equal
// keys form one node. Each node carries the smallest claim index among itself and its ancestors
// (set when pushed) and among its descendants (gathered from its children as they are popped); a
// claim's answer is the smaller of the two when it is below the claim's own index.
QList<qsizetype> firstOverlaps(const QStringList &cleanPaths, qsizetype firstChecked, Qt::CaseSensitivity cs)
{
    const qsizetype n = cleanPaths.size();
    struct Entry {
        QString key;
        qsizetype claim;
        bool operator<(const Entry &other) const
        {
            const int c = key.compare(other.key);
            return c < 0 || (c == 0 && claim < other.claim);
        }
    };
    std::vector<Entry> entries;
    entries.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        entries.push_back({(cs == Qt::CaseInsensitive ? cleanPaths.at(i).toLower() : cleanPaths.at(i)) + QLatin1Char('/'), i});
    std::sort(entries.begin(), entries.end());

    constexpr qsizetype kNone = std::numeric_limits<qsizetype>::max();
    struct Node {
        qsizetype begin, end; // the node's claims: entries[begin, end), smallest index first
        qsizetype upMin;      // smallest claim index of the node and its ancestors
        qsizetype downMin;    // smallest claim index of its descendants
    };
    QList<qsizetype> result(n - firstChecked, -1);
    std::vector<Node> stack;
    auto pop = [&]() {
        const Node node = stack.back();
        stack.pop_back();
        const qsizetype best = std::min(node.upMin, node.downMin);
        for (qsizetype k = node.begin; k < node.end; ++k) {
            const qsizetype claim = entries[k].claim;
            if (claim >= firstChecked && best < claim)
                result[claim - firstChecked] = best;
        }
        if (!stack.empty())
            stack.back().downMin = std::min({stack.back().downMin, node.downMin, entries[node.begin].claim});
    };
    for (qsizetype begin = 0; begin < n;) {
        const QString &key = entries[begin].key;
        qsizetype end = begin + 1;
        while (end < n && entries[end].key == key)
            ++end;
        while (!stack.empty() && !key.startsWith(entries[stack.back().begin].key))
            pop();
        const qsizetype up = std::min(entries[begin].claim, stack.empty() ? kNone : stack.back().upMin);
        stack.push_back({begin, end, up, kNone});
        begin = end;
    }
    while (!stack.empty())
        pop();
    return result;
}

bool pathsOverlap(const QString &a, const QString &b)
{
    const QString x = overlapKey(a);
    const QString y = overlapKey(b);
    return x.startsWith(y) || y.startsWith(x);
}

int Config::indexOfMirror(const QString &name) const { return indexByName(mirrors, name); }
int Config::indexOfCredential(const QString &name) const { return indexByName(credentials, name); }
int Config::indexOfOrg(const QString &name) const { return indexByName(orgs, name); }

const OrgMirror *Config::org(const QString &name) const
{
    const int index = indexOfOrg(name);
    return index < 0 ? nullptr : &orgs.at(index);
}

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

namespace {

// The orgs: each valid, unique names ignoring case, their credentials present and of a kind that
// carries a token; every mirror that names an org names one that exists.
template <typename CredentialOf>
Status validateOrgs(const Config &config, const CredentialOf &credentialOf)
{
    QHash<QString, int> orgByName;
    for (int i = 0; i < config.orgs.size(); ++i) {
        const OrgMirror &org = config.orgs.at(i);
        const QString field = QStringLiteral("orgs[%1]").arg(i);
        if (auto status = validateOrg(org, field); !status)
            return status;
        const QString folded = org.name.toCaseFolded();
        if (const auto it = orgByName.constFind(folded); it != orgByName.cend())
            return Error::config(field + QStringLiteral(".name"),
                                 QStringLiteral("an org named \"%1\" already exists").arg(config.orgs.at(*it).name));
        orgByName.insert(folded, i);
        const std::pair<QString, QString> used[] = {{org.credential, field + QStringLiteral(".credential")},
                                                    {org.target.credential, field + QStringLiteral(".target.credential")}};
        for (const auto &[name, credentialField] : used) {
            if (name.isEmpty())
                continue;
            const Credential *credential = credentialOf(name);
            if (!credential)
                return Error::config(credentialField, QStringLiteral("no credential named \"%1\" (add it with mirrordesk credential add)")
                                                          .arg(quoteInput(name)));
            if (credential->kind != CredentialKind::Token && credential->kind != CredentialKind::Password)
                return Error::config(credentialField, QStringLiteral("credential \"%1\" is a %2 credential; an API needs a token or password")
                                                          .arg(credential->name, credentialKindName(credential->kind)));
        }
    }
    for (int i = 0; i < config.mirrors.size(); ++i) {
        const Mirror &m = config.mirrors.at(i);
        if (m.org.isEmpty() && m.orgRepository.isEmpty())
            continue;
        if (!orgByName.contains(m.org.toCaseFolded()))
            return Error::config(QStringLiteral("mirrors[%1].org").arg(i), QStringLiteral("no org named \"%1\"").arg(quoteInput(m.org)));
        if (m.orgRepository.isEmpty())
            return Error::config(QStringLiteral("mirrors[%1].org_repository").arg(i), QStringLiteral("is empty"));
    }
    return {};
}

// Config::validate(), skipping validateMirror() for the mirrors `checked(i)` says passed it
// already (the cross checks always run in full): the result is the same.
template <typename Checked>
Status validateConfig(const Config &config, const Checked &checked)
{
    const QList<Credential> &credentials = config.credentials;
    const QMap<QString, QStringList> &hostKeys = config.hostKeys;
    const QList<Mirror> &mirrors = config.mirrors;
    // Names are unique ignoring case: one hash of the folded names, filled in order, finds for each
    // entry the first earlier one with its name (the one the error names).
    QHash<QString, int> credentialByName;
    credentialByName.reserve(credentials.size());
    for (int i = 0; i < credentials.size(); ++i) {
        const QString field = QStringLiteral("credentials[%1]").arg(i);
        if (auto status = validateCredential(credentials.at(i), field); !status)
            return status;
        const QString folded = credentials.at(i).name.toCaseFolded();
        if (const auto it = credentialByName.constFind(folded); it != credentialByName.cend())
            return Error::config(field + QStringLiteral(".name"),
                                 QStringLiteral("a credential named \"%1\" already exists").arg(credentials.at(*it).name));
        credentialByName.insert(folded, i);
    }
    // A key's passphrase credential exists and holds a password or token.
    for (int i = 0; i < credentials.size(); ++i) {
        const Credential &c = credentials.at(i);
        if (c.passphraseCredential.isEmpty())
            continue;
        const QString field = QStringLiteral("credentials[%1].passphrase_credential").arg(i);
        const auto it = credentialByName.constFind(c.passphraseCredential.toCaseFolded());
        if (it == credentialByName.cend())
            return Error::config(field, QStringLiteral("no credential named \"%1\"").arg(quoteInput(c.passphraseCredential)));
        const CredentialKind kind = credentials.at(*it).kind;
        if (kind != CredentialKind::Password && kind != CredentialKind::Token)
            return Error::config(field, QStringLiteral("credential \"%1\" is a %2 credential; a passphrase is a password or token "
                                                       "credential")
                                            .arg(credentials.at(*it).name, credentialKindName(kind)));
    }
    for (auto it = hostKeys.begin(); it != hostKeys.end(); ++it) {
        const QString field = QStringLiteral("host_keys.%1").arg(quoteInput(it.key()));
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
    // `remove --delete-cache` or a prune in one must not touch the other. The claims, in the order
    // they are checked: every local repository (source before target, by mirror), then the caches
    // by mirror. A cache is checked against the claims listed before its own.
    struct Claim {
        QString path;
        int mirror;
        bool local;
    };
    QList<Claim> claims;
    for (int i = 0; i < mirrors.size(); ++i) {
        const Mirror &m = mirrors.at(i);
        for (const Endpoint *endpoint : {&m.source, &m.target}) {
            if (!mayBeLocal(endpoint->url))
                continue;
            const auto url = GitUrl::parse(endpoint->url);
            if (url && url->isLocal())
                claims.append({localPathOf(*url), i, true});
        }
    }
    const qsizetype firstCache = claims.size();
    const QString root = config.cacheRoot();
    for (int i = 0; i < mirrors.size(); ++i)
        claims.append({mirrors.at(i).effectiveCachePath(root), i, false});
    QStringList paths;
    paths.reserve(claims.size());
    for (const Claim &claim : claims)
        paths.append(claim.path);
    const QList<qsizetype> overlaps = firstOverlaps(paths, firstCache);

    QHash<QString, int> mirrorByName;
    mirrorByName.reserve(mirrors.size());
    // Config::credential() without its scan: the names are unique ignoring case by now.
    auto credentialOf = [&credentials, &credentialByName](const QString &name) -> const Credential * {
        const auto it = credentialByName.constFind(name.toCaseFolded());
        return it == credentialByName.cend() ? nullptr : &credentials.at(*it);
    };
    for (int i = 0; i < mirrors.size(); ++i) {
        const Mirror &m = mirrors.at(i);
        // The field prefix is built only to name an error.
        if (!checked(i) && !validateMirror(m))
            return validateMirror(m, QStringLiteral("mirrors[%1]").arg(i));
        const QString folded = m.name.toCaseFolded();
        if (const auto it = mirrorByName.constFind(folded); it != mirrorByName.cend())
            return Error::config(mirrorField(i, QStringLiteral("name")),
                                 QStringLiteral("a mirror named \"%1\" already exists (names are compared "
                                                "ignoring case)").arg(mirrors.at(*it).name));
        mirrorByName.insert(folded, i);
        if (auto status = checkEndpointCredential(credentialOf, m.source, i, "source"); !status)
            return status;
        if (auto status = checkEndpointCredential(credentialOf, m.target, i, "target"); !status)
            return status;
        if (const qsizetype other = overlaps.at(i); other >= 0) {
            const Claim &claim = claims.at(other);
            const QString owner = claim.local ? QStringLiteral("the local repository of mirror \"%1\"")
                                              : QStringLiteral("the cache of mirror \"%1\"");
            return Error::config(mirrorField(i, QStringLiteral("cache_path")),
                                 QStringLiteral("%1 overlaps %2 (%3)")
                                     .arg(quoteInput(claims.at(firstCache + i).path), owner.arg(mirrors.at(claim.mirror).name),
                                          quoteInput(claim.path)));
        }
    }
    return validateOrgs(config, credentialOf);
}

} // namespace

Status Config::validate() const
{
    return validateConfig(*this, [](int) { return false; });
}

Status Config::validateEdit(const Config &before) const
{
    // A mirror equal to one of `before` passed validateMirror() there: look at the same index
    // first (edit, add, rename), then by name (a removal shifts the rest).
    QHash<QString, qsizetype> beforeByName;
    auto unchanged = [&](int i) {
        const Mirror &m = mirrors.at(i);
        if (i < before.mirrors.size() && before.mirrors.at(i) == m)
            return true;
        if (beforeByName.isEmpty()) {
            beforeByName.reserve(before.mirrors.size());
            for (qsizetype j = 0; j < before.mirrors.size(); ++j)
                beforeByName.insert(before.mirrors.at(j).name, j);
        }
        const auto it = beforeByName.constFind(m.name);
        return it != beforeByName.cend() && before.mirrors.at(*it) == m;
    };
    return validateConfig(*this, unchanged);
}

namespace {

// configToJson() writes what QJsonDocument::toJson(Indented) writes for the QJsonObject built
// from mirrorToJson() and its siblings (keys sorted, four spaces an indent), but the mirrors, all
// but a few lines of the file, go straight from the structs to text: building and printing a
// QJsonObject per mirror was most of the cost of a one-field edit of 10,000 mirrors.
// TestConfigStore checks that the bytes are the same; a field added to mirrorToJson() goes here too.

void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    const bool plain = std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x80; });
    if (plain) {
        for (QChar c : text) {
            const char ch = static_cast<char>(c.unicode());
            if (ch == '"' || ch == '\\')
                out += '\\';
            out += ch;
        }
    } else {
        // Control characters and non-ASCII text (rare here): escaped by Qt itself.
        const QByteArray quoted = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact); // ["…"]
        out += QByteArrayView(quoted).sliced(2, quoted.size() - 4);
    }
    out += '"';
}

// A small document (settings, credentials, host keys) printed by Qt, indented to `level`.
void appendNested(QByteArray &out, const QJsonDocument &document, int level)
{
    QByteArray text = document.toJson(QJsonDocument::Indented);
    text.chop(1); // the document's final newline
    out += text.replace("\n", QByteArray("\n") + QByteArray(4 * level, ' '));
}

// One JSON object at `level`: key() before each value, end() after the last.
class ObjectWriter {
public:
    ObjectWriter(QByteArray &out, int level)
        : m_out(out)
        , m_level(level)
    {
        m_out += "{\n";
    }

    QByteArray &key(const char *name)
    {
        if (!m_first)
            m_out += ",\n";
        m_first = false;
        m_out.append(4 * (m_level + 1), ' ');
        m_out += '"';
        m_out += name;
        m_out += "\": ";
        return m_out;
    }
    void string(const char *name, const QString &value) { appendJsonString(key(name), value); }
    void boolean(const char *name, bool value) { key(name) += value ? "true" : "false"; }
    void integer(const char *name, int value) { key(name) += QByteArray::number(value); }
    void stringList(const char *name, const QStringList &values)
    {
        key(name) += "[\n";
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                m_out += ",\n";
            m_out.append(4 * (m_level + 2), ' ');
            appendJsonString(m_out, values.at(i));
        }
        if (!values.isEmpty())
            m_out += '\n';
        m_out.append(4 * (m_level + 1), ' ');
        m_out += ']';
    }
    void end()
    {
        if (!m_first)
            m_out += '\n';
        m_out.append(4 * m_level, ' ');
        m_out += '}';
    }
    int level() const { return m_level; }

private:
    QByteArray &m_out;
    int m_level;
    bool m_first = true;
};

void appendEndpoint(ObjectWriter &parent, const char *name, const Endpoint &endpoint)
{
    ObjectWriter object(parent.key(name), parent.level() + 1);
    if (!endpoint.credential.isEmpty())
        object.string("credential", endpoint.credential);
    if (!endpoint.proxy.isEmpty())
        object.string("proxy", endpoint.proxy);
    object.string("url", endpoint.url);
    object.end();
}

// mirrorToJson(m) as text, the keys in sorted order.
void appendMirror(QByteArray &out, const Mirror &m, int level)
{
    ObjectWriter object(out, level);
    if (!m.cachePath.isEmpty())
        object.string("cache_path", m.cachePath);
    object.boolean("enabled", m.enabled);
    if (m.intervalMinutes)
        object.integer("interval_minutes", *m.intervalMinutes);
    object.boolean("keep_divergent_refs", m.keepDivergentRefs);
    object.integer("min_update_interval_seconds", m.minUpdateIntervalSeconds);
    object.string("mirror_branch_regex", m.mirrorBranchRegex);
    object.boolean("mirror_overwrites_diverged_branches", m.mirrorOverwritesDivergedBranches);
    object.string("mirror_tags", tagPolicyName(m.mirrorTags));
    object.string("name", m.name);
    object.boolean("only_protected_branches", m.onlyProtectedBranches);
    if (!m.org.isEmpty()) {
        object.string("org", m.org);
        object.string("org_repository", m.orgRepository);
    }
    object.stringList("protected_branches", m.protectedBranches);
    if (m.prune)
        object.string("prune", pruneName(*m.prune));
    object.string("shape", shapeName(m.shape));
    appendEndpoint(object, "source", m.source);
    if (m.shape != Shape::Pull)
        appendEndpoint(object, "target", m.target);
    object.end();
}

} // namespace

QByteArray configToJson(const Config &config)
{
    QJsonArray credentials;
    for (const Credential &c : config.credentials)
        credentials.append(credentialToJson(c));
    QJsonObject hostKeys;
    for (auto it = config.hostKeys.begin(); it != config.hostKeys.end(); ++it)
        hostKeys.insert(it.key(), QJsonArray::fromStringList(it.value()));

    QByteArray out;
    out.reserve(1024 + 512 * config.mirrors.size());
    ObjectWriter root(out, 0);
    appendNested(root.key("credentials"), QJsonDocument(credentials), 1);
    appendNested(root.key("host_keys"), QJsonDocument(hostKeys), 1);
    root.key("mirrors") += "[\n";
    for (qsizetype i = 0; i < config.mirrors.size(); ++i) {
        if (i > 0)
            out += ",\n";
        out.append(8, ' ');
        appendMirror(out, config.mirrors.at(i), 2);
    }
    if (!config.mirrors.isEmpty())
        out += '\n';
    out += "    ]";
    QJsonArray orgs;
    for (const OrgMirror &org : config.orgs)
        orgs.append(orgToJson(org));
    appendNested(root.key("orgs"), QJsonDocument(orgs), 1);
    root.integer("schema_version", Config::kSchemaVersion);
    appendNested(root.key("settings"), QJsonDocument(settingsToJson(config.settings)), 1);
    root.end();
    out += '\n';
    return out;
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
    if (version.toDouble() > Config::kSchemaVersion)
        return Error::config(QStringLiteral("schema_version"),
                             QStringLiteral("version %1 is not supported by this MirrorDesk (it reads version %2); "
                                            "use a newer MirrorDesk")
                                 .arg(version.toDouble())
                                 .arg(Config::kSchemaVersion));

    JsonReader reader(root, {});
    Config config;
    config.readSchemaVersion = reader.integer(QStringLiteral("schema_version"), 1, 1, Config::kSchemaVersion);
    auto settings = settingsFromJson(reader.object(QStringLiteral("settings")), QStringLiteral("settings"));
    const QJsonArray credentials = reader.array(QStringLiteral("credentials"));
    const QJsonObject hostKeys = reader.object(QStringLiteral("host_keys"));
    const QJsonArray mirrors = reader.array(QStringLiteral("mirrors"));
    // Version 1 knew no orgs: the key is refused there as any unknown key.
    const QJsonArray orgs = config.readSchemaVersion >= 2 ? reader.array(QStringLiteral("orgs")) : QJsonArray();
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
            return Error::config(QStringLiteral("host_keys.%1").arg(quoteInput(it.key())), QStringLiteral("must be a list of key lines"));
        QStringList lines;
        for (const QJsonValue &line : it.value().toArray()) {
            if (!line.isString())
                return Error::config(QStringLiteral("host_keys.%1").arg(quoteInput(it.key())), QStringLiteral("must be a list of key lines"));
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
    for (int i = 0; i < orgs.size(); ++i) {
        const QString field = QStringLiteral("orgs[%1]").arg(i);
        if (!orgs.at(i).isObject())
            return Error::config(field, QStringLiteral("must be an object"));
        auto org = orgFromJson(orgs.at(i).toObject(), field);
        if (!org)
            return org.error();
        config.orgs.append(*org);
    }
    // Each mirror passed validateMirror() in mirrorFromJson: only the cross checks are left.
    if (auto status = validateConfig(config, [](int) { return true; }); !status)
        return status.error();
    return config;
}

} // namespace md
