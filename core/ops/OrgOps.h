#pragma once

// Org mirroring's operations (DESIGN section 4, OrgOps), shared by the command line and the window:
// the org definitions in the config (add, edit, remove), and the asynchronous preview, run and
// discovery ("sync new") over the providers' REST clients and the one engine (RunOps).

#include "mirror/JobPreparer.h"
#include "mirror/MirrorStore.h"
#include "ops/OrgPlan.h"
#include "ops/OrgStateStore.h"
#include "ops/RunOps.h"
#include "providers/Provider.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace md {

struct OrgRunRow {
    OrgRow row = {};
    // created, updated, up_to_date, filtered, clash, kept (gone, kept), disabled (gone, disabled), failed, skipped
    QString result = {};
    std::optional<Error> error = {};
};

struct OrgRunReport {
    OrgPreview preview = {};
    QList<OrgRunRow> rows = {};
    QMap<QString, int> results() const; // result -> count
};

struct OrgProgress {
    QString phase = {};   // "listing", "creating", "adding", "syncing", "done"
    int done = 0;         // syncing: the updates finished so far
    int total = 0;
    providers::ListProgress listing = {};
};

// What a Run leaves out or holds back.
struct OrgRunOptions {
    // Sync new: the new repositories' mirrors are added and nothing is updated (the schedule
    // runs the new mirrors: they are due at once).
    bool onlyCreate = false;
    // Repositories (full names as listed, compared ignoring case) the run leaves alone: a
    // repository to create is not created and gets no mirror, one to update is not updated. Their
    // rows end as "skipped". The wizard's unticked rows.
    QStringList skip = {};
};

// The asynchronous operations (preview, run, listRepositories) read and write the config and the
// state folder on this object's own disk worker (one task at a time, in order), never on the
// thread that calls them: the window calls them on its UI thread (DESIGN section 2). Their
// callbacks come on the caller's thread, from the event loop. add, edit and remove are
// synchronous: the window calls them on a worker.
class OrgOps : public QObject {
    Q_OBJECT
public:
    OrgOps(QString configPath, QString stateDir, QObject *parent = nullptr);
    ~OrgOps() override;

    // The definitions. add refuses a name taken ignoring case; edit applies `change` and
    // validates; remove detaches the org's mirrors (they become ordinary mirrors) or, with
    // `withMirrors`, removes them from the config too (their caches are always kept).
    Result<Config> add(const OrgMirror &org);
    Result<Config> edit(const QString &name, const std::function<Status(OrgMirror &)> &change);
    struct Removed {
        OrgMirror org = {};
        QStringList mirrorsRemoved = {};
        QStringList mirrorsDetached = {};
    };
    Result<Removed> remove(const QString &name, bool withMirrors);

    using ProgressFn = std::function<void(const OrgProgress &)>;
    using PreviewDone = std::function<void(Result<OrgPreview>)>;
    using RunDone = std::function<void(Result<OrgRunReport>)>;
    using ListDone = std::function<void(Result<QList<providers::RemoteRepository>>)>;

    // Every repository the provider lists for `org` (a definition being written, not necessarily
    // in `config`: its credential is read from `config`), as the preview would list them; nothing
    // is read from or written to the config or the state folder. For the wizard's live count
    // (previewOrg over the result, with each change of the filter). `done` is called later, once.
    void listRepositories(const Config &config, const OrgMirror &org, ProgressFn progress, ListDone done);

    // Lists the org's repositories and compares them with the mirrors of `config` (no change to
    // the config; the org's state records the discovery). `done` is called later, once.
    void preview(const Config &config, const QString &name, ProgressFn progress, PreviewDone done);

    // Preview, then apply it: create the target repositories a forge target lacks, add the
    // mirrors (one config write), disable gone ones when the org says so, and run the first
    // update of the new ones and the update of those behind on `runs`' engine (progress
    // "syncing" counts the updates finished). A failure of one repository is recorded on its row
    // and the run goes on. See OrgRunOptions for sync new (onlyCreate) and skipped repositories.
    void run(const Config &config, const QString &name, RunOps *runs, ProgressFn progress, RunDone done, OrgRunOptions options = {});

    // Stops what runs (listing, creating, the engine batch's updates): `done` gets an
    // Interrupted error or the rows reached so far.
    void cancel();
    bool busy() const;

    static QString defaultTargetName(const OrgMirror &org, const providers::RemoteRepository &repository);

private:
    struct Job;
    template <typename Work, typename Then>
    void onDisk(Work work, Then then);
    void list(std::shared_ptr<Job> job);
    void startListing(std::shared_ptr<Job> job);
    void afterList(std::shared_ptr<Job> job, Result<providers::Listing> listing);
    void plan(std::shared_ptr<Job> job);
    void createNext(std::shared_ptr<Job> job);
    void addAndSync(std::shared_ptr<Job> job);
    void sync(std::shared_ptr<Job> job, const Config &config);
    void finish(std::shared_ptr<Job> job, std::optional<Error> error = std::nullopt);
    void resolveSecrets(const Config &config, const QStringList &credentials, const QString &apiUrl,
                        std::function<void(Result<QHash<QString, git::ResolvedCredential>>)> done);

    QString m_configPath;
    QString m_stateDir;
    MirrorStore m_store;
    OrgStateStore m_states;
    JobPreparer *m_preparer = nullptr;
    std::shared_ptr<Job> m_job;
    QThreadPool m_disk;
};

} // namespace md
