#pragma once

#include "util/Result.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace md {

enum class Shape { Pull, Relay, Push };
enum class PrunePolicy { All, Merged, None };
enum class TagPolicy { All, Reachable, None };

QString shapeName(Shape shape);
std::optional<Shape> shapeFromName(const QString &name);
QString pruneName(PrunePolicy policy);
std::optional<PrunePolicy> pruneFromName(const QString &name);
QString tagPolicyName(TagPolicy policy);
std::optional<TagPolicy> tagPolicyFromName(const QString &name);

// One side of a mirror. `credential` is the *name* of a shared credential; never a secret.
struct Endpoint {
    QString url;
    QString credential;
    QString proxy;

    bool isEmpty() const { return url.isEmpty() && credential.isEmpty() && proxy.isEmpty(); }
    bool operator==(const Endpoint &) const = default;
};

// A mirror as configured (DESIGN section 3). Optional fields left unset follow their defaults:
// interval_minutes follows Settings::defaultIntervalMinutes, prune follows the shape.
struct Mirror {
    QString name;
    Shape shape = Shape::Pull;
    Endpoint source;
    Endpoint target;
    QString cachePath; // empty: <cache_root>/<name>.git
    bool enabled = true;
    std::optional<int> intervalMinutes;
    int minUpdateIntervalSeconds = 60;
    bool keepDivergentRefs = false;
    bool onlyProtectedBranches = false;
    QStringList protectedBranches;
    QString mirrorBranchRegex;
    bool mirrorOverwritesDivergedBranches = true;
    std::optional<PrunePolicy> prune;
    TagPolicy mirrorTags = TagPolicy::All;
    // Made by an org mirror: the org's name and the repository's full name at the provider.
    QString org = {};
    QString orgRepository = {};

    PrunePolicy effectivePrune() const;
    int effectiveIntervalMinutes(int defaultIntervalMinutes) const;
    QString effectiveCachePath(const QString &cacheRoot) const;

    bool operator==(const Mirror &) const = default;
};

// The shape the URLs suggest: no target → pull; a local source and a remote target → push;
// otherwise relay. `why` says what was chosen and why, for the user.
Shape inferShape(const QString &sourceUrl, const QString &targetUrl, QString *why = nullptr);

// Checks every field of one mirror on its own (name, shape against endpoints, URLs, filters,
// numbers). `field` prefixes the field names in errors, e.g. "mirrors[3]".
Status validateMirror(const Mirror &mirror, const QString &field = {});

// Checks a protected-branch pattern in GitLab's dialect (`*` matches any run of characters).
Status validateBranchPattern(const QString &pattern, const QString &field);
// Checks a proxy URL (http(s)://host[:port], no credentials); empty means the default.
Status validateProxy(const QString &proxy, const QString &field);
// Checks mirror_branch_regex with RE2, refusing what RE2 refuses and anything longer than
// kMaxBranchRegexLength (a branch filter is never near it; a huge paste is a mistake).
constexpr qsizetype kMaxBranchRegexLength = 4096;
Status validateBranchRegex(const QString &regex, const QString &field);

QJsonObject mirrorToJson(const Mirror &mirror);
Result<Mirror> mirrorFromJson(const QJsonObject &object, const QString &path);

} // namespace md
