#include "ops/OrgOps.h"

#include "mirror/StateStore.h"
#include "ops/MirrorOps.h"
#include "util/Log.h"
#include "util/SafeFile.h"
#include "util/Scrub.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace md {

Q_LOGGING_CATEGORY(lcOrg, "mirrordesk.org")

namespace {

constexpr qint64 kMaxOrgStateBytes = 16 * 1024 * 1024;
constexpr qint64 kMaxPagesBytes = 256 * 1024 * 1024;

QString encodedName(const QString &org)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(org));
}

Result<QJsonObject> readJsonObject(const QString &path, qint64 maxBytes, const QString &what)
{
    auto bytes = safefile::readRegular(path, maxBytes, what);
    if (!bytes)
        return bytes.error();
    if (!*bytes)
        return QJsonObject{};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(**bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::io(QStringLiteral("%1 %2 is damaged (not a JSON object); remove it to start afresh").arg(what, path));
    return document.object();
}

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

// ---- OrgStateStore ----------------------------------------------------------------------------

OrgStateStore::OrgStateStore(QString stateDir)
    : m_dir(QDir(stateDir).filePath(QStringLiteral("orgs")))
{
}

QString OrgStateStore::fileOf(const QString &org) const { return QDir(m_dir).filePath(encodedName(org) + QStringLiteral(".json")); }
QString OrgStateStore::pagesFileOf(const QString &org) const
{
    return QDir(m_dir).filePath(encodedName(org) + QStringLiteral(".pages"));
}

namespace {

const QByteArray kPagesMagic = QByteArrayLiteral("mirrordesk-page-cache 1\n");

// The page cache as written before format 1 (one JSON object, bodies as JSON strings).
QString legacyPagesFile(const QString &pagesFile)
{
    return pagesFile + QStringLiteral(".json");
}

} // namespace

Result<OrgState> OrgStateStore::load(const QString &org) const
{
    auto object = readJsonObject(fileOf(org), kMaxOrgStateBytes, QStringLiteral("org state file"));
    if (!object)
        return object.error();
    OrgState state;
    state.lastDiscoveryAt = parseIsoTime(object->value(QStringLiteral("last_discovery_at")).toString());
    state.lastRunAt = parseIsoTime(object->value(QStringLiteral("last_run_at")).toString());
    state.listed = object->value(QStringLiteral("listed")).toInt();
    const QJsonObject summary = object->value(QStringLiteral("summary")).toObject();
    for (auto it = summary.begin(); it != summary.end(); ++it) {
        if (auto action = orgActionFromName(it.key()))
            state.summary.insert(*action, it.value().toInt());
    }
    state.lastError = object->value(QStringLiteral("last_error")).toString();
    const QString category = object->value(QStringLiteral("error_category")).toString();
    for (ErrorCategory c : {ErrorCategory::Network, ErrorCategory::Timeout, ErrorCategory::Auth, ErrorCategory::Tls, ErrorCategory::NotFound,
                            ErrorCategory::Config, ErrorCategory::Keychain, ErrorCategory::Interrupted, ErrorCategory::Io, ErrorCategory::Usage}) {
        if (errorCategoryName(c) == category)
            state.errorCategory = c;
    }
    const QJsonObject hashes = object->value(QStringLiteral("synced_content_hash")).toObject();
    for (auto it = hashes.begin(); it != hashes.end(); ++it)
        state.syncedContentHash.insert(it.key(), it.value().toString());
    for (const QJsonValue &gone : object->value(QStringLiteral("gone")).toArray())
        state.gone.append(gone.toString());
    return state;
}

Status OrgStateStore::save(const QString &org, const OrgState &state)
{
    QJsonObject hashes;
    for (auto it = state.syncedContentHash.begin(); it != state.syncedContentHash.end(); ++it)
        hashes.insert(it.key(), it.value());
    QJsonObject object{
        {QStringLiteral("last_discovery_at"), isoTime(state.lastDiscoveryAt)},
        {QStringLiteral("last_run_at"), isoTime(state.lastRunAt)},
        {QStringLiteral("listed"), state.listed},
        {QStringLiteral("summary"), orgSummaryToJson(state.summary)},
        {QStringLiteral("last_error"), scrubText(state.lastError)},
        {QStringLiteral("error_category"), state.errorCategory == ErrorCategory::None ? QString() : errorCategoryName(state.errorCategory)},
        {QStringLiteral("synced_content_hash"), hashes},
        {QStringLiteral("gone"), QJsonArray::fromStringList(state.gone)},
    };
    return safefile::writeAtomically(fileOf(org), QJsonDocument(object).toJson(QJsonDocument::Indented), QStringLiteral("org state file"));
}

Result<providers::PageCache> OrgStateStore::loadPages(const QString &org) const
{
    providers::PageCache cache;
    const QString path = pagesFileOf(org);
    // Only a cache: whatever is wrong with it is dropped (the next listing asks for every page again).
    auto dropped = [&](const QString &why) {
        qCWarning(lcOrg).noquote() << QStringLiteral("org page cache %1 %2; dropped").arg(path, why);
        return providers::PageCache{};
    };
    auto bytes = safefile::readRegular(path, kMaxPagesBytes, QStringLiteral("org page cache"));
    if (!bytes)
        return dropped(bytes.error().message);
    if (!*bytes)
        return cache;
    const QByteArray &data = **bytes;
    const qsizetype indexEnd = data.startsWith(kPagesMagic) ? data.indexOf('\n', kPagesMagic.size()) : -1;
    if (indexEnd < 0)
        return dropped(QStringLiteral("is not a page cache of this version"));
    QJsonParseError error;
    const QJsonDocument index = QJsonDocument::fromJson(data.mid(kPagesMagic.size(), indexEnd - kPagesMagic.size()), &error);
    if (error.error != QJsonParseError::NoError || !index.isArray())
        return dropped(QStringLiteral("has a damaged index"));
    qsizetype at = indexEnd + 1;
    for (const QJsonValue &value : index.array()) {
        const QJsonObject page = value.toObject();
        const qint64 size = page.value(QStringLiteral("bytes")).toInteger(-1);
        if (size < 0 || size > data.size() - at)
            return dropped(QStringLiteral("is cut short"));
        cache.pages.insert(page.value(QStringLiteral("url")).toString(),
                           providers::PageCache::Page{page.value(QStringLiteral("etag")).toString().toUtf8(), data.mid(at, size),
                                                      page.value(QStringLiteral("next")).toString().toUtf8()});
        at += size;
    }
    if (at != data.size())
        return dropped(QStringLiteral("holds more than its index says"));
    return cache;
}

Status OrgStateStore::savePages(const QString &org, const providers::PageCache &pages)
{
    QJsonArray index;
    qsizetype total = 0;
    for (auto it = pages.pages.begin(); it != pages.pages.end(); ++it) {
        index.append(QJsonObject{{QStringLiteral("url"), it.key()},
                                 {QStringLiteral("etag"), QString::fromUtf8(it->etag)},
                                 {QStringLiteral("next"), QString::fromUtf8(it->next)},
                                 {QStringLiteral("bytes"), qint64(it->body.size())}});
        total += it->body.size();
    }
    QByteArray data = kPagesMagic + QJsonDocument(index).toJson(QJsonDocument::Compact) + '\n';
    data.reserve(data.size() + total);
    for (auto it = pages.pages.begin(); it != pages.pages.end(); ++it) // the same order as the index
        data += it->body;
    const QString path = pagesFileOf(org);
    if (auto status = safefile::writeAtomically(path, data, QStringLiteral("org page cache"), safefile::Durability::Unsynced); !status)
        return status;
    if (const QString legacy = legacyPagesFile(path); safefile::kindOf(legacy) == safefile::Kind::Regular)
        QFile::remove(legacy);
    return {};
}

Status OrgStateStore::remove(const QString &org)
{
    for (const QString &path : {fileOf(org), pagesFileOf(org), legacyPagesFile(pagesFileOf(org))}) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return Error::io(QStringLiteral("cannot remove %1").arg(path));
    }
    return {};
}

bool orgDiscoveryDue(const OrgMirror &org, const OrgState &state, const QDateTime &now)
{
    if (!org.syncNew)
        return false;
    if (!state.lastDiscoveryAt.isValid())
        return true;
    return state.lastDiscoveryAt.addSecs(qint64(org.effectiveIntervalMinutes()) * 60) <= now;
}

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
    bool onlyCreate = false;
    QPointer<RunOps> runs;
    ProgressFn progress;
    PreviewDone previewDone;
    RunDone runDone;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    QHash<QString, git::ResolvedCredential> secrets;
    providers::PageCache pages;
    providers::PageCache loadedPages; // as read from the state folder, to save only a changed cache
    providers::ProviderClient *client = nullptr;
    providers::ProviderClient *targetClient = nullptr;
    OrgState state;
    OrgPreview preview;
    QList<OrgRunRow> rows;
    QHash<QString, QString> targetUrls; // mirror name -> created target clone URL
    QList<qsizetype> toCreate;          // row indexes still to create on the target
    qsizetype createTotal = 0;
    bool finished = false;
};

OrgOps::OrgOps(QString configPath, QString stateDir, QObject *parent)
    : QObject(parent)
    , m_configPath(configPath)
    , m_stateDir(stateDir)
    , m_store(std::move(configPath))
    , m_states(stateDir)
    , m_preparer(new JobPreparer(this))
{
}

OrgOps::~OrgOps()
{
    if (m_job) {
        m_job->cancelled->store(true);
        m_job->finished = true; // no callback from a destroyed object
    }
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
}

void OrgOps::preview(const Config &config, const QString &name, ProgressFn progress, PreviewDone done)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->progress = std::move(progress);
    job->previewDone = std::move(done);
    const OrgMirror *org = config.org(name);
    if (!org) {
        job->finished = false;
        m_job = job;
        finish(job, Error::usage(QStringLiteral("no org named \"%1\"").arg(quoteInput(name))));
        return;
    }
    job->org = *org;
    m_job = job;
    list(job);
}

void OrgOps::run(const Config &config, const QString &name, RunOps *runs, ProgressFn progress, RunDone done, bool onlyCreate)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->runIt = true;
    job->onlyCreate = onlyCreate;
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

void OrgOps::resolveSecrets(const Config &config, const QStringList &credentials, const QString &apiUrl,
                            std::function<void(Result<QHash<QString, git::ResolvedCredential>>)> done)
{
    // The one place secrets are read (JobPreparer): a probe per credential, reaching the API's URL.
    QList<Mirror> probes;
    for (const QString &credential : credentials) {
        Mirror probe;
        probe.name = QStringLiteral("org-credential-probe");
        probe.shape = Shape::Pull;
        probe.source.url = apiUrl;
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
    if (auto state = m_states.load(job->org.name))
        job->state = *state;
    else
        qCWarning(lcOrg).noquote() << state.error().message;
    if (auto pages = m_states.loadPages(job->org.name))
        job->pages = *pages;
    job->loadedPages = job->pages; // implicitly shared: no copy of the bodies
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
            self->finish(job, Error{ErrorCategory::Interrupted, QStringLiteral("cancelled"), {}, 0, 0});
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
        job->client->listRepositories(job->org.owner, &job->pages, progress, [self, job](Result<providers::Listing> listing) {
            if (self && !job->finished)
                self->afterList(job, std::move(listing));
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
        if (error.category != ErrorCategory::Interrupted) {
            if (auto status = m_states.save(job->org.name, job->state); !status)
                qCWarning(lcOrg).noquote() << status.error().message;
        }
        finish(job, error);
        return;
    }
    // Every page answered 304 with the same next page: the cache on disk is what it was, not
    // rewritten (tens of MB for a large org).
    if (job->pages != job->loadedPages) {
        if (auto status = m_states.savePages(job->org.name, job->pages); !status)
            qCWarning(lcOrg).noquote() << status.error().message;
    }

    // What the preview knows of the org's mirrors: their state files (no network).
    StateStore states(m_stateDir);
    QHash<QString, OrgMirrorState> mirrorStates;
    const QString folded = job->org.name.toCaseFolded();
    for (const Mirror &m : job->config.mirrors) {
        if (m.org.isEmpty() || m.org.toCaseFolded() != folded)
            continue;
        OrgMirrorState s;
        if (auto status = states.status(m.name)) {
            s.everSucceeded = status->lastSuccessfulUpdateAt.isValid();
            s.lastFailed = status->updateStatus == UpdateStatus::Failed;
            if (auto check = currentCheck(*status))
                s.behind = check->state == CheckState::Behind || check->state == CheckState::Diverged;
        }
        s.syncedContentHash = job->state.syncedContentHash.value(m.name);
        mirrorStates.insert(m.name, s);
    }
    job->preview = previewOrg(job->org, listing->repositories, job->config, mirrorStates);
    job->state.listed = static_cast<int>(listing->repositories.size());
    job->state.summary = job->preview.summary();
    job->state.lastError.clear();
    job->state.errorCategory = ErrorCategory::None;
    job->state.gone.clear();
    for (const OrgRow &row : job->preview.rows) {
        if (row.action == OrgAction::Gone)
            job->state.gone.append(row.mirror);
    }
    if (auto status = m_states.save(job->org.name, job->state); !status)
        qCWarning(lcOrg).noquote() << status.error().message;

    if (!job->runIt) {
        finish(job);
        return;
    }
    for (const OrgRow &row : job->preview.rows)
        job->rows.append(OrgRunRow{row, {}, std::nullopt});
    for (qsizetype i = 0; i < job->rows.size(); ++i) {
        if (job->rows.at(i).row.action == OrgAction::Create)
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
        finish(job, Error{ErrorCategory::Interrupted, QStringLiteral("cancelled"), {}, 0, 0});
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
    // The new mirrors, in one config write.
    QList<Mirror> adds;
    QList<qsizetype> addRows;
    for (qsizetype i = 0; i < job->rows.size(); ++i) {
        OrgRunRow &row = job->rows[i];
        if (row.row.action != OrgAction::Create || row.error)
            continue;
        adds.append(mirrorForRepository(job->org, row.row.repository, job->targetUrls.value(row.row.mirror)));
        addRows.append(i);
    }
    if (job->progress)
        job->progress(OrgProgress{QStringLiteral("adding"), 0, int(adds.size()), {}});
    MirrorOps mirrors(m_configPath, m_stateDir);
    if (!adds.isEmpty()) {
        auto added = mirrors.addMany(adds);
        if (!added) {
            finish(job, added.error());
            return;
        }
        for (qsizetype k = 0; k < added->size(); ++k) {
            OrgRunRow &row = job->rows[addRows.at(k)];
            if (added->at(k).error) {
                row.result = QStringLiteral("failed");
                row.error = *added->at(k).error;
            }
        }
    }
    // Gone upstream: flagged (kept), or disabled when the org says so; never a cache deleted.
    QStringList disable;
    for (OrgRunRow &row : job->rows) {
        if (row.row.action != OrgAction::Gone)
            continue;
        row.result = job->org.gone == GonePolicy::Disable ? QStringLiteral("disabled") : QStringLiteral("kept");
        if (job->org.gone == GonePolicy::Disable)
            disable.append(row.row.mirror);
    }
    Config config;
    auto saved = m_store.modify([&disable](Config &c) -> Status {
        for (const QString &name : disable) {
            const int index = c.indexOfMirror(name);
            if (index >= 0)
                c.mirrors[index].enabled = false;
        }
        return {};
    });
    if (!saved) {
        finish(job, saved.error());
        return;
    }
    config = *saved;

    QStringList sync;
    for (OrgRunRow &row : job->rows) {
        if (!row.result.isEmpty())
            continue;
        switch (row.row.action) {
        case OrgAction::Create:
        case OrgAction::Update:
            if (job->onlyCreate)
                row.result = row.row.action == OrgAction::Create ? QStringLiteral("created") : QStringLiteral("skipped");
            else
                sync.append(row.row.mirror);
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
    if (sync.isEmpty() || !job->runs) {
        finish(job);
        return;
    }
    if (job->cancelled->load()) {
        finish(job, Error{ErrorCategory::Interrupted, QStringLiteral("cancelled"), {}, 0, 0});
        return;
    }
    if (job->progress)
        job->progress(OrgProgress{QStringLiteral("syncing"), 0, int(sync.size()), {}});
    QPointer<OrgOps> self(this);
    auto started = job->runs->update(config, sync, RunOps::UpdateOptions{}, [self, job](const RunReport &report) {
        if (!self || job->finished)
            return;
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
    if (job->client)
        job->client->deleteLater();
    if (job->targetClient)
        job->targetClient->deleteLater();
    job->client = nullptr;
    job->targetClient = nullptr;
    // Every callback runs later from the event loop, never inside the call that started it.
    QPointer<OrgOps> self(this);
    QMetaObject::invokeMethod(this, [self, job, error]() {
        if (job->runIt) {
            if (!error && self) {
                job->state.lastRunAt = QDateTime::currentDateTimeUtc();
                if (auto status = self->m_states.save(job->org.name, job->state); !status)
                    qCWarning(lcOrg).noquote() << status.error().message;
            }
            if (job->progress && !error)
                job->progress(OrgProgress{QStringLiteral("done"), int(job->rows.size()), int(job->rows.size()), {}});
            if (error)
                job->runDone(*error);
            else
                job->runDone(OrgRunReport{job->preview, job->rows});
        } else {
            if (error)
                job->previewDone(*error);
            else
                job->previewDone(job->preview);
        }
    }, Qt::QueuedConnection);
}

} // namespace md
