#pragma once

// The org mirroring preview (DESIGN section 4): a pure comparison of the provider's list with the
// existing mirrors, one row per repository with the action a Run would take. Changes nothing.

#include "mirror/Config.h"
#include "providers/Provider.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>

namespace md {

enum class OrgAction { Create, Update, UpToDate, Filtered, Gone, Clash };
QString orgActionName(OrgAction action); // create, update, up_to_date, filtered, gone, clash
std::optional<OrgAction> orgActionFromName(const QString &name);

// Why a row has its action, as data (the CLI words it in English, the window with tr()).
enum class OrgReason {
    None,
    Regex,          // filtered: the name does not match the regex
    Archived,       // filtered: archived, and archived repositories are not included
    Fork,           // filtered: a fork, and forks are not included
    InvalidName,    // clash: the repository's path is no valid mirror name
    NameTaken,      // clash: a mirror of that name exists and is not this repository's
    DuplicateName,  // clash: another repository of the listing maps to the same name (ignoring case)
    NeverSynced,    // update: its mirror has no successful update yet
    LastFailed,     // update: its mirror's last update failed
    Changed,        // update: the provider's content hash moved since the last successful update
    Behind,         // update: its mirror's last check said behind
    NotListed,      // gone: its mirror exists but the provider no longer lists it
    InvalidCloneUrl, // clash: the clone URL is a local path, file:// or not a git URL
};
QString orgReasonName(OrgReason reason); // "regex", "archived", …, "" for None
QString orgReasonText(OrgReason reason, const OrgMirror &org);

// What the preview knows of an existing mirror of the org (read from its state, no network).
struct OrgMirrorState {
    bool everSucceeded = false;  // last_successful_update_at is set
    bool lastFailed = false;     // update_status failed
    bool behind = false;         // its last check, newer than its last update, said behind or diverged
    QString syncedContentHash = {}; // the provider's content hash at its last successful update (Bitbucket Server)
};

struct OrgRow {
    providers::RemoteRepository repository = {};
    QString mirror = {};     // the mirror's name (made or to make)
    OrgAction action = OrgAction::Create;
    OrgReason reason = OrgReason::None;
};

struct OrgPreview {
    QString org = {};
    QList<OrgRow> rows = {};
    QMap<OrgAction, int> summary() const;
};

// <org>/<full_name>: the name of the mirror made for a repository.
QString orgMirrorName(const OrgMirror &org, const providers::RemoteRepository &repository);

// The preview. `states` holds the state of the org's existing mirrors by name (folded or not:
// looked up ignoring case); a mirror without an entry counts as never synced.
OrgPreview previewOrg(const OrgMirror &org, const QList<providers::RemoteRepository> &listed, const Config &config,
                      const QHash<QString, OrgMirrorState> &states);

// Whether an API's token may be sent with a clone URL: the same scheme, host and port as the API,
// or the public services' pairs (api.github.com -> github.com, api.bitbucket.org -> bitbucket.org).
// A listing names any URL it likes; the token must not follow it to another host.
bool credentialMayGoTo(const QString &apiUrl, const QString &cloneUrl);
// A clone URL a listing may name: a remote git URL, never a local path or file://.
bool isRemoteCloneUrl(const QString &cloneUrl);

// The mirror a Run adds for a repository: a pull mirror with its cache at <dir>/<full_name>.git
// for a folder target; a relay to `targetCloneUrl` (the created repository) for a forge target.
Mirror mirrorForRepository(const OrgMirror &org, const providers::RemoteRepository &repository, const QString &targetCloneUrl = {});

// The row as JSON ("full_name", "clone_url" scrubbed, "mirror", "action", "reason").
QJsonObject orgRowToJson(const OrgRow &row, const OrgMirror &org);
QJsonObject orgSummaryToJson(const QMap<OrgAction, int> &summary);

} // namespace md
