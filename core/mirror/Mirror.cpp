#include "mirror/Mirror.h"

#include "util/Names.h"
#include "security/GitUrl.h"
#include "util/EnumNames.h"
#include "util/JsonReader.h"
#include "util/Scrub.h"

#include <QDir>
#include <QUrl>

#include <re2/re2.h>

namespace md {

namespace {

const std::pair<Shape, const char *> kShapes[] = {
    {Shape::Pull, "pull"}, {Shape::Relay, "relay"}, {Shape::Push, "push"}};
const std::pair<PrunePolicy, const char *> kPrune[] = {
    {PrunePolicy::All, "all"}, {PrunePolicy::Merged, "merged"}, {PrunePolicy::None, "none"}};
const std::pair<TagPolicy, const char *> kTags[] = {
    {TagPolicy::All, "all"}, {TagPolicy::Reachable, "reachable"}, {TagPolicy::None, "none"}};

// Parses a URL and refuses one that carries a secret. The field is named only for an error.
Result<GitUrl> parseUrl(const QString &text, const QString &prefix, QLatin1String name)
{
    auto parsed = GitUrl::parse(text);
    if (!parsed)
        return Error::config(joinField(prefix, name), QStringLiteral("\"%1\" %2").arg(quoteInput(GitUrl::scrub(text)), parsed.error().message));
    // detail.reason tells a front end what to say without reading the message (the command line's advice).
    if (parsed->hasPassword()) {
        Error error = Error::config(joinField(prefix, name), QStringLiteral("\"%1\" contains a password; store it in a credential "
                                                                            "(mirrordesk credential add) and name that credential instead")
                                                                 .arg(quoteInput(parsed->scrubbed())));
        error.detail.insert(QStringLiteral("reason"), QStringLiteral("url_password"));
        return error;
    }
    if (!parsed->userName().isEmpty() && !parsed->isSsh()) {
        Error error = Error::config(joinField(prefix, name), QStringLiteral("\"%1\" contains a user name (or a short token) but no "
                                                                            "password; put it in a credential (mirrordesk credential add "
                                                                            "NAME --kind password --username USER --secret-stdin, or "
                                                                            "--kind token for a token) and name that credential with "
                                                                            "--source-credential/--target-credential")
                                                                 .arg(quoteInput(parsed->scrubbed())));
        error.detail.insert(QStringLiteral("reason"), QStringLiteral("url_user"));
        return error;
    }
    return parsed;
}

} // namespace

QString shapeName(Shape shape) { return enumName(shape, kShapes); }
std::optional<Shape> shapeFromName(const QString &name) { return enumFromName(name, kShapes); }
QString pruneName(PrunePolicy policy) { return enumName(policy, kPrune); }
std::optional<PrunePolicy> pruneFromName(const QString &name) { return enumFromName(name, kPrune); }
QString tagPolicyName(TagPolicy policy) { return enumName(policy, kTags); }
std::optional<TagPolicy> tagPolicyFromName(const QString &name) { return enumFromName(name, kTags); }

PrunePolicy Mirror::effectivePrune() const
{
    if (prune)
        return *prune;
    return shape == Shape::Pull ? PrunePolicy::All : PrunePolicy::Merged;
}

int Mirror::effectiveIntervalMinutes(int defaultIntervalMinutes) const
{
    return intervalMinutes.value_or(defaultIntervalMinutes);
}

QString Mirror::effectiveCachePath(const QString &cacheRoot) const
{
    if (!cachePath.isEmpty())
        return QDir::cleanPath(cachePath);
    return QDir::cleanPath(cacheRoot + QLatin1Char('/') + name + QStringLiteral(".git"));
}

Shape inferShape(const QString &sourceUrl, const QString &targetUrl, QString *why)
{
    auto say = [why](const QString &text) {
        if (why)
            *why = text;
    };
    if (targetUrl.isEmpty()) {
        say(QStringLiteral("pull (no target: the cache is the mirror)"));
        return Shape::Pull;
    }
    const auto source = GitUrl::parse(sourceUrl);
    if (source && source->isLocal()) {
        say(QStringLiteral("push (the source is a local repository, the target a remote)"));
        return Shape::Push;
    }
    say(QStringLiteral("relay (source and target are both remote)"));
    return Shape::Relay;
}

Status validateProxy(const QString &proxy, const QString &field)
{
    if (proxy.isEmpty())
        return {};
    const QUrl url(proxy, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || url.host().isEmpty() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return Error::config(field, QStringLiteral("\"%1\" is not a proxy URL (http://host:port or https://host:port)")
                                        .arg(quoteInput(scrubProxy(proxy))));
    if (!url.userInfo().isEmpty())
        return Error::config(field, QStringLiteral("proxy URLs must not contain credentials"));
    return {};
}

Status validateBranchPattern(const QString &pattern, const QString &field)
{
    if (pattern.isEmpty())
        return Error::config(field, QStringLiteral("a protected-branch pattern is empty"));
    if (pattern.startsWith(QLatin1String("refs/")))
        return Error::config(field, QStringLiteral("pattern \"%1\" must be a branch name, without \"refs/\"").arg(quoteInput(pattern)));
    for (QChar c : pattern) {
        if (c.isSpace() || c.category() == QChar::Other_Control || QStringLiteral("~^:?[\\").contains(c))
            return Error::config(field, QStringLiteral("pattern \"%1\" contains \"%2\", which a branch name cannot "
                                                       "contain (only \"*\" is a wildcard)")
                                            .arg(quoteInput(pattern), c.isSpace() ? QStringLiteral("a space") : quoteInput(QString(c))));
    }
    if (pattern.contains(QLatin1String("..")) || pattern.contains(QLatin1String("//"))
        || pattern.startsWith(QLatin1Char('/')) || pattern.endsWith(QLatin1Char('/'))
        || pattern.endsWith(QLatin1String(".lock")) || pattern.endsWith(QLatin1Char('.')))
        return Error::config(field, QStringLiteral("pattern \"%1\" can never match a valid branch name").arg(quoteInput(pattern)));
    return {};
}

Status validateBranchRegex(const QString &regex, const QString &field)
{
    if (regex.isEmpty())
        return {};
    if (regex.size() > kMaxBranchRegexLength)
        return Error::config(field, QStringLiteral("regular expression \"%1\" is longer than %2 characters")
                                        .arg(quoteInput(regex)).arg(kMaxBranchRegexLength));
    const QByteArray utf8 = regex.toUtf8();
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re(re2::StringPiece(utf8.constData(), static_cast<size_t>(utf8.size())), options);
    if (!re.ok())
        return Error::config(field, QStringLiteral("invalid regular expression \"%1\": %2")
                                        .arg(quoteInput(regex), quoteInput(QString::fromStdString(re.error()))));
    return {};
}

namespace {

// Whether two URLs name one repository: same scheme, host (ignoring case) and port, same path
// once a trailing "/" or ".git" is dropped.
bool sameRepository(const GitUrl &a, const GitUrl &b)
{
    auto path = [](QString p) {
        while (p.endsWith(QLatin1Char('/')))
            p.chop(1);
        if (p.endsWith(QLatin1String(".git")))
            p.chop(4);
        return p;
    };
    return a.isLocal() == b.isLocal() && a.hostPort().compare(b.hostPort(), Qt::CaseInsensitive) == 0 && path(a.path()) == path(b.path());
}

} // namespace

Status validateMirror(const Mirror &m, const QString &prefix)
{
    // Field names are built only for an error: this runs for every mirror on every load.
    auto field = [&prefix](const char *name) { return joinField(prefix, QLatin1String(name)); };
    if (auto status = validateMirrorName(m.name, field("name")); !status)
        return status;

    if (m.source.url.isEmpty())
        return Error::config(field("source.url"), QStringLiteral("a source is required"));
    const auto source = parseUrl(m.source.url, prefix, QLatin1String("source.url"));
    if (!source)
        return source.error();
    const bool sourceLocal = source->isLocal();

    switch (m.shape) {
    case Shape::Pull:
        if (!m.target.isEmpty())
            return Error::config(field("target.url"), QStringLiteral("a pull mirror has no target (the cache is the mirror); "
                                                                     "use shape relay or push to copy to a target"));
        break;
    case Shape::Relay:
    case Shape::Push:
        if (m.target.url.isEmpty())
            return Error::config(field("target.url"), QStringLiteral("a %1 mirror needs a target").arg(shapeName(m.shape)));
        if (auto target = parseUrl(m.target.url, prefix, QLatin1String("target.url")); !target)
            return target.error();
        else if (sameRepository(*source, *target))
            return Error::config(field("target.url"), QStringLiteral("the target is the source (%1): a mirror cannot push into the "
                                                                     "repository it copies").arg(target->scrubbed()));
        if (m.shape == Shape::Push && !sourceLocal)
            return Error::config(field("source.url"), QStringLiteral("a push mirror's source is a local repository path, "
                                                                     "not a remote URL (use shape relay)"));
        if (m.shape == Shape::Relay && sourceLocal)
            return Error::config(field("source.url"), QStringLiteral("a relay mirror's source is a remote URL; for a local "
                                                                     "repository use shape push"));
        break;
    }
    if (sourceLocal && !m.source.credential.isEmpty())
        return Error::config(field("source.credential"), QStringLiteral("a local source takes no credential"));
    if (!m.source.proxy.isEmpty()) {
        if (auto status = validateProxy(m.source.proxy, field("source.proxy")); !status)
            return status;
    }
    if (!m.target.proxy.isEmpty()) {
        if (auto status = validateProxy(m.target.proxy, field("target.proxy")); !status)
            return status;
    }

    if (m.intervalMinutes && (*m.intervalMinutes < 1 || *m.intervalMinutes > 10080))
        return Error::config(field("interval_minutes"), QStringLiteral("must be between 1 and 10080 (one week)"));
    if (m.minUpdateIntervalSeconds < 0 || m.minUpdateIntervalSeconds > 86400)
        return Error::config(field("min_update_interval_seconds"), QStringLiteral("must be between 0 and 86400"));

    if (!m.protectedBranches.isEmpty()) {
        const QString protectedField = field("protected_branches");
        for (const QString &pattern : m.protectedBranches) {
            if (auto status = validateBranchPattern(pattern, protectedField); !status)
                return status;
        }
    } else if (m.onlyProtectedBranches) {
        return Error::config(field("protected_branches"), QStringLiteral("only_protected_branches is on but no protected-branch "
                                                                         "pattern is given (it would mirror no branch)"));
    }
    if (!m.mirrorBranchRegex.isEmpty()) {
        if (m.onlyProtectedBranches)
            return Error::config(field("mirror_branch_regex"), QStringLiteral("cannot be combined with only_protected_branches "
                                                                              "(choose one filter, as GitLab does)"));
        if (auto status = validateBranchRegex(m.mirrorBranchRegex, field("mirror_branch_regex")); !status)
            return status;
    }

    if (m.shape != Shape::Pull && !m.mirrorOverwritesDivergedBranches)
        return Error::config(field("mirror_overwrites_diverged_branches"),
                             QStringLiteral("applies to pull mirrors only; for a %1 mirror use keep_divergent_refs")
                                 .arg(shapeName(m.shape)));
    if (m.shape == Shape::Pull && m.keepDivergentRefs)
        return Error::config(field("keep_divergent_refs"),
                             QStringLiteral("applies to relay and push mirrors only; for a pull mirror use "
                                            "mirror_overwrites_diverged_branches"));
    if (!m.cachePath.isEmpty() && !QDir::isAbsolutePath(m.cachePath))
        return Error::config(field("cache_path"), QStringLiteral("must be an absolute path"));
    return {};
}

namespace {

QJsonObject endpointToJson(const Endpoint &endpoint)
{
    QJsonObject object{{QStringLiteral("url"), endpoint.url}};
    if (!endpoint.credential.isEmpty())
        object.insert(QStringLiteral("credential"), endpoint.credential);
    if (!endpoint.proxy.isEmpty())
        object.insert(QStringLiteral("proxy"), endpoint.proxy);
    return object;
}

Endpoint endpointFromJson(JsonReader &parent, const QString &key, Status &status)
{
    JsonReader reader(parent.object(key), parent.fieldPath(key));
    Endpoint endpoint;
    endpoint.url = reader.string(QStringLiteral("url"));
    endpoint.credential = reader.string(QStringLiteral("credential"));
    endpoint.proxy = reader.string(QStringLiteral("proxy"));
    if (auto finished = reader.finish(); !finished && status)
        status = finished;
    return endpoint;
}

} // namespace

// configToJson() (Config.cpp) writes these same fields straight to text: change both together
// (TestConfigStore::writesWhatQtWrites compares them).
QJsonObject mirrorToJson(const Mirror &m)
{
    QJsonObject object{
        {QStringLiteral("name"), m.name},
        {QStringLiteral("shape"), shapeName(m.shape)},
        {QStringLiteral("source"), endpointToJson(m.source)},
        {QStringLiteral("enabled"), m.enabled},
        {QStringLiteral("min_update_interval_seconds"), m.minUpdateIntervalSeconds},
        {QStringLiteral("keep_divergent_refs"), m.keepDivergentRefs},
        {QStringLiteral("only_protected_branches"), m.onlyProtectedBranches},
        {QStringLiteral("protected_branches"), QJsonArray::fromStringList(m.protectedBranches)},
        {QStringLiteral("mirror_branch_regex"), m.mirrorBranchRegex},
        {QStringLiteral("mirror_overwrites_diverged_branches"), m.mirrorOverwritesDivergedBranches},
        {QStringLiteral("mirror_tags"), tagPolicyName(m.mirrorTags)},
    };
    if (m.shape != Shape::Pull)
        object.insert(QStringLiteral("target"), endpointToJson(m.target));
    if (!m.cachePath.isEmpty())
        object.insert(QStringLiteral("cache_path"), m.cachePath);
    if (m.intervalMinutes)
        object.insert(QStringLiteral("interval_minutes"), *m.intervalMinutes);
    if (m.prune)
        object.insert(QStringLiteral("prune"), pruneName(*m.prune));
    if (!m.org.isEmpty()) {
        object.insert(QStringLiteral("org"), m.org);
        object.insert(QStringLiteral("org_repository"), m.orgRepository);
    }
    return object;
}

Result<Mirror> mirrorFromJson(const QJsonObject &object, const QString &path)
{
    JsonReader reader(object, path);
    Mirror m;
    Status endpoints;
    m.name = reader.string(QStringLiteral("name"));
    const QString shape = reader.string(QStringLiteral("shape"));
    if (auto parsed = shapeFromName(shape))
        m.shape = *parsed;
    else
        reader.fail(QStringLiteral("shape"), QStringLiteral("\"%1\" is not one of pull, relay, push").arg(quoteInput(shape)));
    m.source = endpointFromJson(reader, QStringLiteral("source"), endpoints);
    m.target = endpointFromJson(reader, QStringLiteral("target"), endpoints);
    m.cachePath = reader.string(QStringLiteral("cache_path"));
    m.enabled = reader.boolean(QStringLiteral("enabled"), true);
    m.intervalMinutes = reader.optionalInteger(QStringLiteral("interval_minutes"), 1, 10080);
    m.minUpdateIntervalSeconds = reader.integer(QStringLiteral("min_update_interval_seconds"), 60, 0, 86400);
    m.keepDivergentRefs = reader.boolean(QStringLiteral("keep_divergent_refs"), false);
    m.onlyProtectedBranches = reader.boolean(QStringLiteral("only_protected_branches"), false);
    m.protectedBranches = reader.stringList(QStringLiteral("protected_branches"));
    m.mirrorBranchRegex = reader.string(QStringLiteral("mirror_branch_regex"));
    m.mirrorOverwritesDivergedBranches = reader.boolean(QStringLiteral("mirror_overwrites_diverged_branches"), true);
    if (auto prune = reader.optionalString(QStringLiteral("prune"))) {
        if (auto parsed = pruneFromName(*prune))
            m.prune = *parsed;
        else
            reader.fail(QStringLiteral("prune"), QStringLiteral("\"%1\" is not one of all, merged, none").arg(quoteInput(*prune)));
    }
    const QString tags = reader.string(QStringLiteral("mirror_tags"), QStringLiteral("all"));
    if (auto parsed = tagPolicyFromName(tags))
        m.mirrorTags = *parsed;
    else
        reader.fail(QStringLiteral("mirror_tags"), QStringLiteral("\"%1\" is not one of all, reachable, none").arg(quoteInput(tags)));
    m.org = reader.string(QStringLiteral("org"));
    m.orgRepository = reader.string(QStringLiteral("org_repository"));
    if (auto status = reader.finish(); !status)
        return status.error();
    if (!endpoints)
        return endpoints.error();
    if (auto status = validateMirror(m, path); !status)
        return status.error();
    return m;
}

} // namespace md
