#include "ops/OrgOps.h"

#include "mirror/StateStore.h"
#include "ops/MirrorOps.h"
#include "util/Log.h"
#include "util/Scrub.h"

#include <QSet>

namespace md {

Q_LOGGING_CATEGORY(lcOrg, "mirrordesk.org")

namespace {

// The secret-free access to a provider for an org's own API or its target's.
providers::ProviderAccess accessFor(providers::Provider provider, const QString &apiUrl, const git::ResolvedCredential *credential,
                                    const Config &config)
{
    providers::ProviderAccess access;
    access.provider = provider;
    access.apiUrl = apiUrl;
    access.caFile = config.settings.caFile;
    access.timeoutMs = config.settings.connectTimeoutSeconds * 1000;
    if (credential && credential->present) {
        access.token = credential->secret;
        // Bitbucket takes a user name and an app password (or a password); GitHub and GitLab a token alone.
        const bool basic = provider == providers::Provider::BitbucketCloud || provider == providers::Provider::BitbucketServer;
        if (basic && !credential->username.isEmpty())
            access.username = credential->username;
    }
    return access;
}

} // namespace

QMap<QString, int> OrgRunReport::results() const
{
    QMap<QString, int> counts;
    for (const OrgRunRow &row : rows)
        ++counts[row.result];
    return counts;
}

// ---- OrgOps -----------------------------------------------------------------------------------

struct OrgOps::Job {
    Config config;
    OrgMirror org;
    bool runIt = false;
    bool draft = false; // listRepositories: no state, no page cache, no preview
    OrgRunOptions options;
    QPointer<RunOps> runs;
    ProgressFn progress;
    PreviewDone previewDone;
    RunDone runDone;
    ListDone listDone;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    QHash<QString, git::ResolvedCredential> secrets;
    providers::PageCache pages;
    providers::PageCache loadedPages; // as read from the state folder, to save only a changed cache
    providers::ProviderClient *client = nullptr;
    providers::ProviderClient *targetClient = nullptr;
    OrgState state;
    QList<providers::RemoteRepository> listed;
    OrgPreview preview;
    QList<OrgRunRow> rows;
    QHash<QString, QString> targetUrls; // mirror name -> created target clone URL
    QList<qsizetype> toCreate;          // row indexes still to create on the target
    qsizetype createTotal = 0;
    QStringList syncing;                // the mirrors of the engine batch (folded names)
    int synced = 0;
    QObject *engineWatch = nullptr;     // the connection to the engine's signals while syncing
    bool finished = false;
};

namespace {

Error cancelledError()
{
    return Error{ErrorCategory::Interrupted, QStringLiteral("cancelled"), {}, 0, 0};
}

} // namespace

OrgOps::OrgOps(QString configPath, QString stateDir, QObject *parent)
    : QObject(parent)
    , m_configPath(configPath)
    , m_stateDir(stateDir)
    , m_store(std::move(configPath))
    , m_states(stateDir)
    , m_preparer(new JobPreparer(this))
{
    m_disk.setMaxThreadCount(1); // one disk step at a time, in order
}

OrgOps::~OrgOps()
{
    if (m_job) {
        m_job->cancelled->store(true);
        m_job->finished = true; // no callback from a destroyed object
    }
    // A disk step under way (a config write) ends; what it posts back is dropped with this object.
    m_disk.waitForDone();
}

template <typename Work, typename Then>
void OrgOps::onDisk(Work work, Then then)
{
    // `this` outlives the task (the destructor waits for it); the queued call is dropped if this
    // object is gone by the time it would run.
    m_disk.start([this, work = std::move(work), then = std::move(then)]() mutable {
        auto result = work();
        QMetaObject::invokeMethod(this, [then = std::move(then), result = std::move(result)]() mutable { then(std::move(result)); },
                                  Qt::QueuedConnection);
    });
}

bool OrgOps::busy() const { return m_job && !m_job->finished; }

QString OrgOps::defaultTargetName(const OrgMirror &org, const providers::RemoteRepository &repository)
{
    // A forge namespace is flat here: "sub/repo" below the owner becomes "sub-repo".
    QString name = pathBelowOwner(repository.fullName, org.owner);
    name.replace(QLatin1Char('/'), QLatin1Char('-'));
    return name;
}
Result<Config> OrgOps::add(const OrgMirror &org)
{
    return m_store.modify([&](Config &config) -> Status {
        if (const int clash = config.indexOfOrg(org.name); clash >= 0)
            return Error::config(QStringLiteral("name"), QStringLiteral("an org named \"%1\" already exists (names are compared ignoring case)")
                                                             .arg(config.orgs.at(clash).name));
        if (auto status = validateOrg(org); !status)
            return status;
        config.orgs.append(org);
        return {};
    });
}

Result<Config> OrgOps::edit(const QString &name, const std::function<Status(OrgMirror &)> &change)
{
    return m_store.modify([&](Config &config) -> Status {
        const int index = config.indexOfOrg(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no org named \"%1\"").arg(quoteInput(name)));
        OrgMirror edited = config.orgs.at(index);
        if (auto status = change(edited); !status)
            return status;
        if (edited.name.compare(config.orgs.at(index).name, Qt::CaseInsensitive) != 0)
            return Error::usage(QStringLiteral("an org cannot be renamed (its mirrors are named after it)"));
        if (auto status = validateOrg(edited); !status)
            return status;
        config.orgs[index] = edited;
        return {};
    });
}

Result<OrgOps::Removed> OrgOps::remove(const QString &name, bool withMirrors)
{
    Removed removed;
    auto saved = m_store.modify([&](Config &config) -> Status {
        removed = Removed{};
        const int index = config.indexOfOrg(name);
        if (index < 0)
            return Error::usage(QStringLiteral("no org named \"%1\"").arg(quoteInput(name)));
        removed.org = config.orgs.takeAt(index);
        const QString folded = removed.org.name.toCaseFolded();
        QList<Mirror> kept;
        kept.reserve(config.mirrors.size());
        for (Mirror &m : config.mirrors) {
            if (m.org.toCaseFolded() != folded || m.org.isEmpty()) {
                kept.append(std::move(m));
                continue;
            }
            if (withMirrors) {
                removed.mirrorsRemoved.append(m.name);
                continue;
            }
            m.org.clear();
            m.orgRepository.clear();
            removed.mirrorsDetached.append(m.name);
            kept.append(std::move(m));
        }
        config.mirrors = std::move(kept);
        return {};
    });
    if (!saved)
        return saved.error();
    StateStore states(m_stateDir);
    for (const QString &mirror : removed.mirrorsRemoved) {
        if (auto status = states.remove(mirror); !status)
            qCWarning(lcOrg).noquote() << status.error().message;
    }
    if (auto status = m_states.remove(removed.org.name); !status)
        qCWarning(lcOrg).noquote() << status.error().message;
    return removed;
}

void OrgOps::cancel()
{
    if (!m_job || m_job->finished)
        return;
    m_job->cancelled->store(true);
    if (m_job->client)
        m_job->client->cancel();
    if (m_job->targetClient)
        m_job->targetClient->cancel();
    // The engine batch: each update still queued or running ends as interrupted.
    if (m_job->runs) {
        for (const QString &name : std::as_const(m_job->syncing))
            m_job->runs->engine().cancel(name);
    }
}

void OrgOps::preview(const Config &config, const QString &name, ProgressFn progress, PreviewDone done)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->progress = std::move(progress);
    job->previewDone = std::move(done);
    m_job = job;
    const OrgMirror *org = config.org(name);
    if (!org) {
        finish(job, Error::usage(QStringLiteral("no org named \"%1\"").arg(quoteInput(name))));
        return;
    }
    job->org = *org;
    list(job);
}

void OrgOps::run(const Config &config, const QString &name, RunOps *runs, ProgressFn progress, RunDone done, OrgRunOptions options)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->runIt = true;
    job->options = std::move(options);
    job->runs = runs;
    job->progress = std::move(progress);
    job->runDone = std::move(done);
    m_job = job;
    const OrgMirror *org = config.org(name);
    if (!org) {
        finish(job, Error::usage(QStringLiteral("no org named \"%1\"").arg(quoteInput(name))));
        return;
    }
    job->org = *org;
    list(job);
}

void OrgOps::listRepositories(const Config &config, const OrgMirror &org, ProgressFn progress, ListDone done)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->org = org;
    job->draft = true;
    job->progress = std::move(progress);
    job->listDone = std::move(done);
    m_job = job;
    startListing(job);
}

void OrgOps::resolveSecrets(const Config &config, const QStringList &credentials, const QString &apiUrl,
                            std::function<void(Result<QHash<QString, git::ResolvedCredential>>)> done)
{
    // The one place secrets are read (JobPreparer): a probe per credential, reaching the API's URL.
    QList<Mirror> probes;
    for (const QString &credential : credentials) {
        Mirror probe;
        probe.name = QStringLiteral("org-credential-probe");
        probe.shape = Shape::Pull;
        // Only the credential matters; a repository path keeps the URL check of a mirror happy
        // (an API base URL such as https://HOST has none).
        QString url = apiUrl;
        while (url.endsWith(QLatin1Char('/')))
            url.chop(1);
        probe.source.url = url + QStringLiteral("/mirrordesk-credential-probe.git");
        probe.source.credential = credential;
        probes.append(probe);
    }
    if (probes.isEmpty()) {
        QMetaObject::invokeMethod(this, [done] { done(QHash<QString, git::ResolvedCredential>{}); }, Qt::QueuedConnection);
        return;
    }
    m_preparer->prepare(config, probes, [credentials, done](QList<Result<MirrorJob>> jobs) {
        QHash<QString, git::ResolvedCredential> resolved;
        for (qsizetype i = 0; i < jobs.size() && i < credentials.size(); ++i) {
            if (!jobs.at(i)) {
                Error error = jobs.at(i).error();
                error.message = QStringLiteral("credential \"%1\": %2").arg(credentials.at(i), error.message);
                done(error);
                return;
            }
            resolved.insert(credentials.at(i), jobs.at(i)->source.credential);
        }
        done(resolved);
    });
}

void OrgOps::list(std::shared_ptr<Job> job)
{
    struct Loaded {
        OrgState state;
        providers::PageCache pages;
    };
    onDisk([stateDir = m_stateDir, org = job->org.name] {
        const OrgStateStore states(stateDir);
        Loaded loaded;
        if (auto state = states.load(org))
            loaded.state = *state;
        else
            qCWarning(lcOrg).noquote() << state.error().message;
        if (auto pages = states.loadPages(org))
            loaded.pages = *pages;
        return loaded;
    }, [this, job](Loaded loaded) {
        if (job->finished)
            return;
        job->state = std::move(loaded.state);
        job->pages = std::move(loaded.pages);
        job->loadedPages = job->pages; // implicitly shared: no copy of the bodies
        startListing(job);
    });
}

void OrgOps::startListing(std::shared_ptr<Job> job)
{
    QStringList credentials;
    if (!job->org.credential.isEmpty())
        credentials.append(job->org.credential);
    QPointer<OrgOps> self(this);
    resolveSecrets(job->config, credentials, job->org.effectiveApiUrl(), [self, job](Result<QHash<QString, git::ResolvedCredential>> secrets) {
        if (!self || job->finished)
            return;
        if (!secrets) {
            self->finish(job, secrets.error());
            return;
        }
        if (job->cancelled->load()) {
            self->finish(job, cancelledError());
            return;
        }
        job->secrets = *secrets;
        const git::ResolvedCredential *credential =
            job->org.credential.isEmpty() ? nullptr : &job->secrets[job->org.credential];
        job->client = new providers::ProviderClient(accessFor(job->org.provider, job->org.effectiveApiUrl(), credential, job->config), self);
        auto progress = [self, job](const providers::ListProgress &listing) {
            if (self && !job->finished && job->progress)
                job->progress(OrgProgress{QStringLiteral("listing"), listing.pages, 0, listing});
        };
        job->client->listRepositories(job->org.owner, job->draft ? nullptr : &job->pages, progress,
                                      [self, job](Result<providers::Listing> listing) {
            if (!self || job->finished)
                return;
            if (!job->draft) {
                self->afterList(job, std::move(listing));
                return;
            }
            if (!listing) {
                Error error = listing.error();
                error.message = scrubText(error.message);
                self->finish(job, error);
                return;
            }
            job->listed = listing->repositories;
            self->finish(job);
        });
    });
}

void OrgOps::afterList(std::shared_ptr<Job> job, Result<providers::Listing> listing)
{
    job->state.lastDiscoveryAt = QDateTime::currentDateTimeUtc();
    if (!listing) {
        Error error = listing.error();
        error.message = scrubText(error.message);
        job->state.lastError = error.message;
        job->state.errorCategory = error.category;
        if (error.category == ErrorCategory::Interrupted) {
            finish(job, error);
            return;
        }
        onDisk([stateDir = m_stateDir, org = job->org.name, state = job->state] {
            if (auto status = OrgStateStore(stateDir).save(org, state); !status)
                qCWarning(lcOrg).noquote() << status.error().message;
            return true;
        }, [this, job, error](bool) { finish(job, error); });
        return;
    }

    // On the disk worker: the page cache saved, the org's mirrors' states read (no network), the
    // comparison, and the org's state saved.
    struct Compared {
        OrgPreview preview;
        OrgState state;
    };
    // Every page answered 304 with the same next page: the cache on disk is what it was, not
    // rewritten (tens of MB for a large org).
    const bool pagesChanged = job->pages != job->loadedPages;
    onDisk([stateDir = m_stateDir, org = job->org, config = job->config, state = job->state, pages = job->pages, pagesChanged,
            repositories = listing->repositories]() mutable {
        OrgStateStore orgStates(stateDir);
        if (pagesChanged) {
            if (auto status = orgStates.savePages(org.name, pages); !status)
                qCWarning(lcOrg).noquote() << status.error().message;
        }
        const StateStore states(stateDir);
        QHash<QString, OrgMirrorState> mirrorStates;
        const QString folded = org.name.toCaseFolded();
        for (const Mirror &m : std::as_const(config.mirrors)) {
            if (m.org.isEmpty() || m.org.toCaseFolded() != folded)
                continue;
            OrgMirrorState s;
            if (auto status = states.status(m.name)) {
                s.everSucceeded = status->lastSuccessfulUpdateAt.isValid();
                s.lastFailed = status->updateStatus == UpdateStatus::Failed;
                if (auto check = currentCheck(*status))
                    s.behind = check->state == CheckState::Behind || check->state == CheckState::Diverged;
            }
            s.syncedContentHash = state.syncedContentHash.value(m.name);
            mirrorStates.insert(m.name, s);
        }
        Compared compared{previewOrg(org, repositories, config, mirrorStates), state};
        OrgState &s = compared.state;
        s.listed = static_cast<int>(repositories.size());
        s.summary = compared.preview.summary();
        s.lastError.clear();
        s.errorCategory = ErrorCategory::None;
        s.gone.clear();
        for (const OrgRow &row : std::as_const(compared.preview.rows)) {
            if (row.action == OrgAction::Gone)
                s.gone.append(row.mirror);
        }
        if (auto status = orgStates.save(org.name, s); !status)
            qCWarning(lcOrg).noquote() << status.error().message;
        return compared;
    }, [this, job](Compared compared) {
        if (job->finished)
            return;
        job->preview = std::move(compared.preview);
        job->state = std::move(compared.state);
        if (job->runIt)
            plan(job);
        else
            finish(job);
    });
}

void OrgOps::plan(std::shared_ptr<Job> job)
{
    if (job->cancelled->load()) {
        finish(job, cancelledError());
        return;
    }
    QSet<QString> skip;
    for (const QString &fullName : std::as_const(job->options.skip))
        skip.insert(fullName.toCaseFolded());
    for (const OrgRow &row : std::as_const(job->preview.rows)) {
        OrgRunRow runRow{row, {}, std::nullopt};
        const bool leftOut = row.action == OrgAction::Create || row.action == OrgAction::Update;
        if (leftOut && skip.contains(row.repository.fullName.toCaseFolded()))
            runRow.result = QStringLiteral("skipped");
        job->rows.append(runRow);
    }
    for (qsizetype i = 0; i < job->rows.size(); ++i) {
        if (job->rows.at(i).row.action == OrgAction::Create && job->rows.at(i).result.isEmpty())
            job->toCreate.append(i);
    }
    job->createTotal = job->toCreate.size();
    if (job->org.target.isDir() || job->toCreate.isEmpty()) {
        addAndSync(job);
        return;
    }
    // A forge target: its token, then each missing repository created through its API.
    auto target = parseTargetUrl(job->org.target.url);
    if (!target) {
        finish(job, target.error());
        return;
    }
    QPointer<OrgOps> self(this);
    const TargetNamespace ns = *target;
    resolveSecrets(job->config, {job->org.target.credential}, ns.apiUrl,
                   [self, job, ns](Result<QHash<QString, git::ResolvedCredential>> secrets) {
                       if (!self || job->finished)
                           return;
                       if (!secrets) {
                           self->finish(job, secrets.error());
                           return;
                       }
                       const git::ResolvedCredential credential = secrets->value(job->org.target.credential);
                       job->targetClient = new providers::ProviderClient(accessFor(ns.provider, ns.apiUrl, &credential, job->config), self);
                       self->createNext(job);
                   });
}

void OrgOps::createNext(std::shared_ptr<Job> job)
{
    if (job->cancelled->load()) {
        finish(job, cancelledError());
        return;
    }
    if (job->toCreate.isEmpty()) {
        addAndSync(job);
        return;
    }
    const qsizetype index = job->toCreate.takeFirst();
    if (job->progress)
        job->progress(OrgProgress{QStringLiteral("creating"), int(job->createTotal - job->toCreate.size() - 1), int(job->createTotal), {}});
    const TargetNamespace ns = *parseTargetUrl(job->org.target.url);
    const QString name = defaultTargetName(job->org, job->rows.at(index).row.repository);
    QPointer<OrgOps> self(this);
    job->targetClient->createRepository(ns.ns, name, [self, job, index](Result<providers::RemoteRepository> created) {
        if (!self || job->finished)
            return;
        OrgRunRow &row = job->rows[index];
        if (!created) {
            if (created.error().category == ErrorCategory::Interrupted) {
                self->finish(job, created.error());
                return;
            }
            row.result = QStringLiteral("failed");
            Error error = created.error();
            error.message = scrubText(QStringLiteral("cannot create the target repository: %1").arg(error.message));
            row.error = error;
        } else {
            job->targetUrls.insert(row.row.mirror, created->cloneUrl);
        }
        self->createNext(job);
    });
}

void OrgOps::addAndSync(std::shared_ptr<Job> job)
{
    // The new mirrors, in one config write; gone ones disabled when the org says so (flagged
    // otherwise; a cache is never deleted). On the disk worker.
    QList<Mirror> adds;
    QList<qsizetype> addRows;
    for (qsizetype i = 0; i < job->rows.size(); ++i) {
        const OrgRunRow &row = job->rows.at(i);
        if (row.row.action != OrgAction::Create || !row.result.isEmpty())
            continue;
        adds.append(mirrorForRepository(job->org, row.row.repository, job->targetUrls.value(row.row.mirror)));
        addRows.append(i);
    }
    QStringList disable;
    for (OrgRunRow &row : job->rows) {
        if (row.row.action != OrgAction::Gone)
            continue;
        row.result = job->org.gone == GonePolicy::Disable ? QStringLiteral("disabled") : QStringLiteral("kept");
        if (job->org.gone == GonePolicy::Disable)
            disable.append(row.row.mirror);
    }
    // The mass-change guard for orgs: a listing that suddenly lacks more than max(10, 20 %) of the
    // org's mirrors (a changed owner, a token that sees less) disables none of them; they are
    // kept and flagged, and the rows say why.
    qsizetype orgMirrors = 0;
    for (const Mirror &m : std::as_const(job->config.mirrors))
        orgMirrors += m.org.compare(job->org.name, Qt::CaseInsensitive) == 0 ? 1 : 0;
    if (disable.size() > std::max<qsizetype>(10, orgMirrors / 5)) {
        const QString why = QStringLiteral("%1 of the org's %2 mirrors are no longer listed at once; none is disabled (the mass-change "
                                           "guard): check the org's owner and token, or disable them by hand")
                                .arg(disable.size())
                                .arg(orgMirrors);
        for (OrgRunRow &row : job->rows) {
            if (row.row.action == OrgAction::Gone) {
                row.result = QStringLiteral("kept");
                row.error = Error{ErrorCategory::Guard, why, {}, 0, 0};
            }
        }
        disable.clear();
    }
    if (job->progress)
        job->progress(OrgProgress{QStringLiteral("adding"), 0, int(adds.size()), {}});
    struct Added {
        std::optional<Error> error;
        QList<MirrorOps::AddedOne> added;
        Config config;
    };
    onDisk([configPath = m_configPath, stateDir = m_stateDir, adds, disable] {
        Added result;
        if (!adds.isEmpty()) {
            auto added = MirrorOps(configPath, stateDir).addMany(adds);
            if (!added) {
                result.error = added.error();
                return result;
            }
            result.added = *added;
        }
        auto saved = MirrorStore(configPath).modify([&disable](Config &c) -> Status {
            for (const QString &name : disable) {
                const int index = c.indexOfMirror(name);
                if (index >= 0)
                    c.mirrors[index].enabled = false;
            }
            return {};
        });
        if (saved)
            result.config = *saved;
        else
            result.error = saved.error();
        return result;
    }, [this, job, addRows](Added added) {
        if (job->finished)
            return;
        if (added.error) {
            finish(job, *added.error);
            return;
        }
        for (qsizetype k = 0; k < added.added.size() && k < addRows.size(); ++k) {
            OrgRunRow &row = job->rows[addRows.at(k)];
            if (added.added.at(k).error) {
                row.result = QStringLiteral("failed");
                row.error = *added.added.at(k).error;
            }
        }
        sync(job, added.config);
    });
}

void OrgOps::sync(std::shared_ptr<Job> job, const Config &config)
{
    QStringList toSync;
    for (OrgRunRow &row : job->rows) {
        if (!row.result.isEmpty())
            continue;
        switch (row.row.action) {
        case OrgAction::Create:
        case OrgAction::Update:
            if (job->options.onlyCreate)
                row.result = row.row.action == OrgAction::Create ? QStringLiteral("created") : QStringLiteral("skipped");
            else
                toSync.append(row.row.mirror);
            break;
        case OrgAction::UpToDate:
            row.result = QStringLiteral("up_to_date");
            break;
        case OrgAction::Filtered:
            row.result = QStringLiteral("filtered");
            break;
        case OrgAction::Clash:
            row.result = QStringLiteral("clash");
            break;
        case OrgAction::Gone:
            break;
        }
    }
    if (toSync.isEmpty() || !job->runs) {
        finish(job);
        return;
    }
    if (job->cancelled->load()) {
        finish(job, cancelledError());
        return;
    }
    if (job->progress)
        job->progress(OrgProgress{QStringLiteral("syncing"), 0, int(toSync.size()), {}});
    QPointer<OrgOps> self(this);
    for (const QString &name : std::as_const(toSync))
        job->syncing.append(name.toCaseFolded());
    // Each update that ends moves the progress on.
    job->engineWatch = new QObject(this);
    connect(&job->runs->engine(), &SyncEngine::updateFinished, job->engineWatch, [job](const QString &name, const UpdateOutcome &) {
        if (job->finished || !job->syncing.contains(name.toCaseFolded()))
            return;
        ++job->synced;
        if (job->progress)
            job->progress(OrgProgress{QStringLiteral("syncing"), job->synced, int(job->syncing.size()), {}});
    });
    auto started = job->runs->update(config, toSync, RunOps::UpdateOptions{}, [self, job](const RunReport &report) {
        if (!self || job->finished)
            return;
        // The batch is over: every update has ended (the last one's signal may reach RunOps first).
        if (const int total = static_cast<int>(job->syncing.size()); job->synced < total && job->progress) {
            job->synced = total;
            job->progress(OrgProgress{QStringLiteral("syncing"), total, total, {}});
        }
        QHash<QString, const RunEntry *> byName;
        for (const RunEntry &entry : report.entries)
            byName.insert(entry.mirror.name.toCaseFolded(), &entry);
        for (OrgRunRow &row : job->rows) {
            if (!row.result.isEmpty())
                continue;
            const RunEntry *entry = byName.value(row.row.mirror.toCaseFolded());
            const bool created = row.row.action == OrgAction::Create;
            if (!entry || !entry->update) {
                row.result = QStringLiteral("skipped");
                if (entry && !entry->skipText.isEmpty())
                    row.error = Error{ErrorCategory::None, entry->skipText, {}, 0, 0};
                continue;
            }
            const UpdateOutcome &outcome = *entry->update;
            if (outcome.skipReason != SkipReason::None) {
                row.result = QStringLiteral("skipped");
                row.error = Error{outcome.skipReason == SkipReason::Interrupted ? ErrorCategory::Interrupted : ErrorCategory::None, outcome.skipped, {}, 0, 0};
            } else if (outcome.result.error) {
                row.result = QStringLiteral("failed");
                row.error = *outcome.result.error;
                row.error->message = scrubText(row.error->message);
            } else {
                row.result = created ? QStringLiteral("created") : QStringLiteral("updated");
                if (!row.row.repository.contentHash.isEmpty())
                    job->state.syncedContentHash.insert(row.row.mirror, row.row.repository.contentHash);
            }
        }
        self->finish(job);
    });
    if (!started)
        finish(job, started.error());
}

void OrgOps::finish(std::shared_ptr<Job> job, std::optional<Error> error)
{
    if (job->finished)
        return;
    job->finished = true;
    for (providers::ProviderClient *client : {job->client, job->targetClient}) {
        if (client)
            client->deleteLater();
    }
    job->client = nullptr;
    job->targetClient = nullptr;
    delete job->engineWatch;
    job->engineWatch = nullptr;
    // Every callback runs later from the event loop, never inside the call that started it.
    auto deliver = [job, error] {
        if (job->runIt) {
            if (job->progress && !error)
                job->progress(OrgProgress{QStringLiteral("done"), int(job->rows.size()), int(job->rows.size()), {}});
            if (error)
                job->runDone(*error);
            else
                job->runDone(OrgRunReport{job->preview, job->rows});
        } else if (job->draft) {
            if (error)
                job->listDone(*error);
            else
                job->listDone(job->listed);
        } else {
            if (error)
                job->previewDone(*error);
            else
                job->previewDone(job->preview);
        }
    };
    if (job->runIt && !error) {
        // The run's end recorded in the org's state first (on the disk worker).
        job->state.lastRunAt = QDateTime::currentDateTimeUtc();
        onDisk([stateDir = m_stateDir, org = job->org.name, state = job->state] {
            if (auto status = OrgStateStore(stateDir).save(org, state); !status)
                qCWarning(lcOrg).noquote() << status.error().message;
            return true;
        }, [deliver](bool) { deliver(); });
        return;
    }
    QMetaObject::invokeMethod(this, deliver, Qt::QueuedConnection);
}

} // namespace md
