#pragma once

// An org mirror's state between its runs (DESIGN section 4) and where it is kept.

#include "ops/OrgPlan.h"
#include "providers/Provider.h"
#include "util/Result.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QStringList>

namespace md {

// What is known of an org between runs: <state>/orgs/<name>.json (and its page cache beside it,
// <name>.pages, for conditional requests). Never holds a secret.
struct OrgState {
    QDateTime lastDiscoveryAt = {};
    QDateTime lastRunAt = {};
    int listed = 0;
    QMap<OrgAction, int> summary = {};
    QString lastError = {};
    ErrorCategory errorCategory = ErrorCategory::None;
    QHash<QString, QString> syncedContentHash = {}; // mirror name -> the provider's content hash at its last successful org update
    QStringList gone = {};                          // the org's mirrors no longer listed upstream
    bool operator==(const OrgState &) const = default;
};

class OrgStateStore {
public:
    explicit OrgStateStore(QString stateDir);
    Result<OrgState> load(const QString &org) const; // none yet: an empty state
    Status save(const QString &org, const OrgState &state);
    // The page cache. A missing, damaged or older-format one loads as empty (the next listing
    // asks for every page again). Its format is binary-safe and cheap to read: a first line
    // "mirrordesk-page-cache 1", a second line with a compact JSON array of
    // {"url", "etag", "next", "bytes"}, then the bodies, raw and in that order. (It used to be
    // one JSON object with the bodies as JSON strings, <name>.pages.json: for 5,000 GitHub
    // repositories, 29 MB of escaped quotes that took most of a preview's time to parse and
    // write; that file is removed when the new one is written.)
    Result<providers::PageCache> loadPages(const QString &org) const;
    Status savePages(const QString &org, const providers::PageCache &pages);
    Status remove(const QString &org);
    QString fileOf(const QString &org) const;
    QString pagesFileOf(const QString &org) const;

private:
    QString m_dir;
};

// Whether the org's discovery is due at `now` (sync_new on, never discovered or its interval passed).
bool orgDiscoveryDue(const OrgMirror &org, const OrgState &state, const QDateTime &now);

} // namespace md
