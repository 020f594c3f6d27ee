#pragma once

// An org mirror (DESIGN section 4): a whole GitHub organisation or user, GitLab group (with its
// subgroups), Bitbucket Cloud workspace or Bitbucket Server project, mirrored repository by
// repository. A value type in the config (`orgs`); the mirrors it makes are ordinary mirrors that
// name their org (Mirror::org, Mirror::orgRepository).

#include "providers/Provider.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace md {

enum class GonePolicy { Keep, Disable };
QString goneName(GonePolicy policy);
std::optional<GonePolicy> goneFromName(const QString &name);

// Where the org's repositories go: a local folder tree (one pull mirror per repository, its cache
// at <dir>/<full_name>.git), or a namespace on a forge (a GitLab group or a Bitbucket Server
// project, given by its web URL) where missing repositories are created and each mirror is a relay.
struct OrgTarget {
    QString dir = {};        // absolute path
    QString url = {};        // https://gitlab.example/group/sub, https://bbs.example/projects/KEY
    QString credential = {}; // the target's API token (and push credential); with url only

    bool isDir() const { return !dir.isEmpty(); }
    bool operator==(const OrgTarget &) const = default;
};

// The forge a target URL names: its provider, REST base URL and namespace (group path or project key).
struct TargetNamespace {
    providers::Provider provider = providers::Provider::GitLab;
    QString apiUrl = {};
    QString ns = {};
    QString webBase = {}; // scheme://host[:port][/context]
};
// https://host[/context]/projects/KEY[/] is a Bitbucket Server project; any other
// https://host/group[/sub…] a GitLab group (gitlab.com or self-managed at the host's root).
Result<TargetNamespace> parseTargetUrl(const QString &url, const QString &field = QStringLiteral("target.url"));

struct OrgMirror {
    static constexpr int kDefaultDiscoveryMinutes = 60;

    QString name = {};       // mirror-name rules; the org's mirrors are named <name>/<full_name>
    providers::Provider provider = providers::Provider::GitHub;
    QString apiUrl = {};     // empty: the provider's public API
    QString owner = {};      // organisation/user, group path, workspace, project key
    QString credential = {}; // the API token's credential (kind token or password); empty: anonymous
    QString regex = {};      // RE2, unanchored, on the repository's path below the owner; empty: all
    bool includeArchived = false;
    bool includeForks = false;
    OrgTarget target = {};
    bool syncNew = false;
    GonePolicy gone = GonePolicy::Keep;
    std::optional<int> intervalMinutes = {}; // discovery interval with sync_new; default 60

    QString effectiveApiUrl() const;
    int effectiveIntervalMinutes() const { return intervalMinutes.value_or(kDefaultDiscoveryMinutes); }
    bool operator==(const OrgMirror &) const = default;
};

// The repository's path below the owner ("group/sub/repo" with owner "group" -> "sub/repo"): what
// the regex is matched against.
QString pathBelowOwner(const QString &fullName, const QString &owner);

// An RE2 pattern as the org's filter: refused with the position of the offending part (also in
// the error's detail: "position", 1-based, when RE2 names the part; "reason", RE2's message).
Status validateOrgRegex(const QString &regex, const QString &field);
Status validateOrg(const OrgMirror &org, const QString &field = {});
QJsonObject orgToJson(const OrgMirror &org);
Result<OrgMirror> orgFromJson(const QJsonObject &object, const QString &path);

} // namespace md
