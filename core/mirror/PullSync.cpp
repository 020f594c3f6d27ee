#include "mirror/PullSync.h"

#include "mirror/Attic.h"

#include "git/GitError.h"
#include "git/GitPtr.h"
#include "security/GitUrl.h"
#include "util/Log.h"

#include <QDir>
#include <QDateTime>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace md {

namespace {

constexpr int kPackLimit = 20;
constexpr int kLooseRefLimit = 100;

Error wrap(int code, const QString &what)
{
    return git::lastError(code, what);
}

bool toOid(const QString &text, git_oid *oid)
{
    return text.size() == GIT_OID_HEXSZ && git_oid_fromstrn(oid, text.toLatin1().constData(), GIT_OID_HEXSZ) == 0;
}

QList<RefTip> mirroredTips(const QList<RefTip> &refs)
{
    QList<RefTip> result;
    for (const RefTip &tip : refs) {
        if (tip.name.startsWith(QLatin1String("refs/heads/")) || tip.name.startsWith(QLatin1String("refs/tags/")))
            result.append(tip);
    }
    return result;
}

// Git LFS content lives outside the repository: a mirror copies only the pointers. Say so.
bool usesLfs(git_repository *repository, const QString &branch)
{
    if (branch.isEmpty())
        return false;
    git_object *object = nullptr;
    const QByteArray spec = (branch + QStringLiteral(":.gitattributes")).toUtf8();
    if (git_revparse_single(&object, repository, spec.constData()) < 0)
        return false;
    git::ObjectPtr owner(object);
    if (git_object_type(object) != GIT_OBJECT_BLOB)
        return false;
    const auto *blob = reinterpret_cast<git_blob *>(object);
    const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob)), static_cast<qsizetype>(git_blob_rawsize(blob)));
    return content.contains("filter=lfs");
}

// libgit2 writes every ref as a loose file: once there are many, pack them into packed-refs
// (libgit2's refdb compress; git itself does this in gc).
void packLooseRefs(git_repository *repository, const QString &cachePath, QStringList &warnings)
{
    int loose = 0;
    QDirIterator it(cachePath + QStringLiteral("/refs"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext() && loose <= kLooseRefLimit) {
        it.next();
        ++loose;
    }
    if (loose <= kLooseRefLimit)
        return;
    git_refdb *raw = nullptr;
    int rc = git_repository_refdb(&raw, repository);
    git::RefdbPtr refdb(raw);
    if (rc == 0)
        rc = git_refdb_compress(refdb.get());
    if (rc < 0)
        warnings.append(QStringLiteral("packing the cache's refs failed: %1").arg(git::lastError(rc, QString()).message));
}

// libgit2 adds one pack per fetch and has no gc: when packs pile up, let git repack and pack the
// refs (`git gc --auto` with a low pack limit). Without a git binary (a dependency of the
// package) the packs simply stay.
void maintain(const QString &cachePath, const git::StreamLimits &limits, QStringList &warnings)
{
    const int packs = static_cast<int>(QDir(cachePath + QStringLiteral("/objects/pack")).entryList({QStringLiteral("*.pack")}, QDir::Files).size());
    if (packs <= kPackLimit)
        return;
    const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
    if (git.isEmpty())
        return;
    QProcess gc;
    gc.start(git, {QStringLiteral("-C"), cachePath, QStringLiteral("-c"), QStringLiteral("gc.autoPackLimit=%1").arg(kPackLimit),
                   QStringLiteral("-c"), QStringLiteral("gc.autoDetach=false"), QStringLiteral("gc"), QStringLiteral("--auto"), QStringLiteral("--quiet")});
    // Bounded like the transfer: the run deadline and the cancel flag end it (git gc leaves the
    // repository valid when killed).
    while (!gc.waitForFinished(200)) {
        const bool late = limits.deadlineMs > 0 && QDateTime::currentMSecsSinceEpoch() >= limits.deadlineMs;
        if (late || (limits.cancel && limits.cancel->load()) || gc.state() == QProcess::NotRunning) {
            gc.kill();
            gc.waitForFinished(5000);
            warnings.append(QStringLiteral("repacking the cache was stopped at the run's limit"));
            return;
        }
    }
    if (gc.exitCode() != 0)
        warnings.append(QStringLiteral("repacking the cache failed: %1").arg(QString::fromUtf8(gc.readAllStandardError()).trimmed()));
}

} // namespace

Result<git::RepositoryPtr> prepareCache(const QString &cachePath)
{
    // Debris of a killed run: lock files and temporary packs nobody holds (we hold the cache
    // lock). They live at the top (HEAD.lock, config.lock, packed-refs.lock), under refs/ and in
    // objects/pack; loose-object folders are not walked (a big cache has thousands of them).
    if (QFileInfo::exists(cachePath)) {
        const QStringList patterns{QStringLiteral("*.lock"), QStringLiteral("pack_git2_*"), QStringLiteral("tmp_pack_*")};
        const std::pair<QString, QDirIterator::IteratorFlag> places[] = {
            {cachePath, QDirIterator::NoIteratorFlags},
            {cachePath + QStringLiteral("/refs"), QDirIterator::Subdirectories},
            {cachePath + QStringLiteral("/objects/pack"), QDirIterator::NoIteratorFlags},
        };
        for (const auto &[dir, flags] : places) {
            QDirIterator it(dir, patterns, QDir::Files | QDir::Hidden, flags);
            while (it.hasNext()) {
                const QString path = it.next();
                qCInfo(lcState) << "removing debris" << path;
                QFile::remove(path);
            }
        }
    }
    git_repository *raw = nullptr;
    const QByteArray path = QDir::toNativeSeparators(cachePath).toUtf8();
    int rc = git_repository_open_bare(&raw, path.constData());
    if (rc == GIT_ENOTFOUND) {
        QDir().mkpath(QFileInfo(cachePath).absolutePath());
        rc = git_repository_init(&raw, path.constData(), 1);
    }
    if (rc < 0)
        return wrap(rc, QStringLiteral("cannot open the cache %1").arg(cachePath));
    git::RepositoryPtr repository(raw);
    git_config *rawConfig = nullptr;
    if ((rc = git_repository_config(&rawConfig, repository.get())) < 0)
        return wrap(rc, QStringLiteral("cannot read the cache's config"));
    git::ConfigPtr config(rawConfig);
    // Hidden from listings (not secret: a client that knows an oid can still fetch it). Written
    // only when missing, so a no-op run rewrites no file.
    git::Buf current;
    const bool hidden = git_config_get_string_buf(&current.buf, config.get(), "transfer.hideRefs") == 0
        && qstrcmp(current.buf.ptr, "refs/mirrordesk") == 0;
    if (!hidden && (rc = git_config_set_string(config.get(), "transfer.hideRefs", "refs/mirrordesk")) < 0)
        return wrap(rc, QStringLiteral("cannot configure the cache"));
    return repository;
}

QStringList removeAtticRefs(git_repository *repository, const QList<AtticEntry> &entries)
{
    QStringList removed;
    for (const AtticEntry &entry : entries) {
        git_reference *raw = nullptr;
        if (git_reference_lookup(&raw, repository, entry.atticRef().toUtf8().constData()) < 0)
            continue;
        git::ReferencePtr ref(raw);
        git_oid expected;
        // Only the entry as listed: a ref that changed meanwhile is left alone.
        if (toOid(entry.oid, &expected) && git_oid_equal(git_reference_target(ref.get()), &expected)
            && git_reference_delete(ref.get()) == 0)
            removed.append(entry.id);
    }
    return removed;
}

SyncResult runPullSync(const CheckJob &job, const SyncOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    SyncResult result;
    auto finish = [&](std::optional<Error> error) {
        result.error = std::move(error);
        result.outcome = result.error ? QStringLiteral("failed") : QStringLiteral("ok");
        result.durationMs = timer.elapsed();
        return result;
    };

    if (options.dryRun && !QFileInfo::exists(job.cachePath)) {
        // Nothing to compare with: every mirrored ref would be created. Change nothing on disk.
        auto listing = git::listRemote(job.source, job.limits);
        if (!listing)
            return finish(listing.error());
        PullPlanInput input;
        input.source = listing->refs;
        input.sourceHeadTarget = listing->headTarget;
        input.allowMassChange = options.allowMassChange;
        input.massChangeGuard = options.massChangeGuard;
        result.plan = planPull(job.mirror, input, [](const QString &, const QString &) { return std::optional<bool>(); });
        result.warnings = result.plan.warnings;
        return finish(result.plan.failure);
    }
    auto prepared = prepareCache(job.cachePath);
    if (!prepared)
        return finish(prepared.error());
    git::RepositoryPtr repository = std::move(prepared).value();

    git::StreamLimitsScope scope(job.limits);
    git::RemoteCallbacks callbacks(job.source, job.limits.cancel);
    callbacks.setProgressSink(options.onProgress);
    git::Watchdog watchdog(scope, job.limits, [&callbacks] { return callbacks.lastProgressMs(); });
    // A transfer the watchdog cut short is a timeout, whatever libgit2 made of the closed socket.
    auto timedOut = [&](Error error) {
        if (const QString reason = watchdog.firedReason(); !reason.isEmpty())
            error = Error{ErrorCategory::Timeout, QStringLiteral("%1 timed out: %2").arg(job.source.displayUrl, reason), {}, 0, 0};
        return error;
    };
    git_remote *rawRemote = nullptr;
    if (const int rc = git_remote_create_anonymous(&rawRemote, repository.get(), job.source.url.toUtf8().constData()); rc < 0)
        return finish(wrap(rc, QStringLiteral("cannot use %1").arg(job.source.displayUrl)));
    git::RemotePtr remote(rawRemote);
    git_remote_callbacks remoteCallbacks;
    git_remote_init_callbacks(&remoteCallbacks, GIT_REMOTE_CALLBACKS_VERSION);
    callbacks.install(remoteCallbacks);
    QByteArray proxyUrl;
    const git_proxy_options proxy = job.source.proxyOptions(proxyUrl);
    if (job.source.proxyIgnored())
        result.warnings.append(QStringLiteral("the proxy %1 is not used for %2: libgit2 sends only https:// through a proxy, "
                                              "so the source was reached directly")
                                   .arg(GitUrl::scrub(job.source.proxy), job.source.displayUrl));
    auto callbackError = [&](int rc, const QString &what) -> Error {
        if (!callbacks.problem().isEmpty())
            return callbacks.problemError(rc);
        return timedOut(wrap(rc, what));
    };
    git_remote_connect_options connect;
    git_remote_connect_options_init(&connect, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
    connect.callbacks = remoteCallbacks;
    connect.proxy_opts = proxy;
    connect.follow_redirects = GIT_REMOTE_REDIRECT_NONE; // a secret never follows a redirect to another host
    if (const int rc = git_remote_connect_ext(remote.get(), GIT_DIRECTION_FETCH, &connect); rc < 0)
        return finish(callbackError(rc, QStringLiteral("cannot connect to %1%2").arg(job.source.displayUrl, job.source.proxyNote())));

    const git_remote_head **heads = nullptr;
    size_t count = 0;
    if (const int rc = git_remote_ls(&heads, &count, remote.get()); rc < 0)
        return finish(timedOut(wrap(rc, QStringLiteral("cannot list refs of %1").arg(job.source.displayUrl))));
    PullPlanInput input;
    input.allowMassChange = options.allowMassChange;
    input.massChangeGuard = options.massChangeGuard;
    for (size_t i = 0; i < count; ++i) {
        char oid[GIT_OID_HEXSZ + 1];
        git_oid_tostr(oid, sizeof oid, &heads[i]->oid);
        const QString name = QString::fromUtf8(heads[i]->name);
        if (name == QLatin1String("HEAD") && heads[i]->symref_target)
            input.sourceHeadTarget = QString::fromUtf8(heads[i]->symref_target);
        if (name.endsWith(QLatin1String("^{}"))) {
            // The commit an annotated tag points at (advertised right after the tag).
            if (!input.source.isEmpty() && input.source.last().name + QStringLiteral("^{}") == name)
                input.source.last().peeled = QString::fromLatin1(oid);
            continue;
        }
        input.source.append(RefTip{name, QString::fromLatin1(oid), QString()});
    }
    auto cacheRefs = git::listLocalRefs(repository.get());
    if (!cacheRefs)
        return finish(cacheRefs.error());
    input.cache = mirroredTips(*cacheRefs);

    // Download only what the cache lacks, for the refs the plan could move.
    const git::AncestryReader before(repository.get());
    const RefFilter filter(job.mirror);
    QList<QByteArray> refspecs;
    for (const RefTip &tip : input.source) {
        if (filter.classify(tip.name) == RefFilter::Verdict::Mirrored && !before.contains(tip.oid))
            refspecs.append(tip.name.toUtf8() + ':' + tip.name.toUtf8());
    }
    if (!refspecs.isEmpty()) { // a dry run downloads too (objects only) so it can tell fast-forwards from forces
        std::vector<char *> pointers;
        for (QByteArray &spec : refspecs)
            pointers.push_back(spec.data());
        const git_strarray array{pointers.data(), pointers.size()};
        git_fetch_options fetch;
        git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
        fetch.callbacks = remoteCallbacks;
        fetch.proxy_opts = proxy;
        fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
        fetch.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
        if (const int rc = git_remote_download(remote.get(), &array, &fetch); rc < 0)
            return finish(callbackError(rc, QStringLiteral("cannot download from %1").arg(job.source.displayUrl)));
    }
    git_remote_disconnect(remote.get());

    const git::AncestryReader cache(repository.get());
    result.plan = planPull(job.mirror, input, [&cache](const QString &a, const QString &d) { return cache.isAncestor(a, d); });
    result.warnings += result.plan.warnings;
    if (result.plan.failure)
        return finish(result.plan.failure);
    // A diverged default branch fails the run (GitLab's behaviour with overwrite off); other
    // diverged branches are reported and skipped.
    std::optional<Error> diverged;
    for (const PlannedRef &planned : result.plan.refs) {
        if (planned.action == RefAction::SkipDiverged && planned.ref == input.sourceHeadTarget)
            diverged = Error{ErrorCategory::Diverged, QStringLiteral("the default branch %1 has diverged from the mirror "
                                                                     "(mirror_overwrites_diverged_branches is off)").arg(planned.ref.mid(11)), {}, 0, 0};
        else if (planned.action == RefAction::SkipDiverged)
            result.warnings.append(QStringLiteral("%1 has diverged upstream and was not updated").arg(planned.ref.mid(11)));
    }
    if (options.dryRun)
        return finish(diverged);

    // Write refs: attic first, then compare-and-swap; deletes before creates.
    const QString run = QString::number(options.startedAt.toMSecsSinceEpoch() % 100000000, 36);
    QList<PlannedRef> ordered = result.plan.refs;
    std::stable_sort(ordered.begin(), ordered.end(), [](const PlannedRef &a, const PlannedRef &b) {
        return (a.action == RefAction::Delete) > (b.action == RefAction::Delete);
    });
    bool anyFailed = false;
    for (const PlannedRef &planned : ordered) {
        RefResult ref{planned.ref, refActionName(planned.action), planned.oldOid, planned.newOid, QStringLiteral("ok"), planned.reason};
        git_oid oldOid, newOid;
        const QByteArray name = planned.ref.toUtf8();
        int rc = 0;
        switch (planned.action) {
        case RefAction::Force:
        case RefAction::Delete: {
            toOid(planned.oldOid, &oldOid);
            git_reference *attic = nullptr;
            const QByteArray atticName = atticRefName(options.startedAt, run, QStringLiteral("cache"), planned.ref).toUtf8();
            rc = git_reference_create(&attic, repository.get(), atticName.constData(), &oldOid, 0, "mirrordesk: attic");
            git_reference_free(attic);
            if (rc < 0)
                break;
            if (auto entry = parseAtticRef(QString::fromUtf8(atticName), planned.oldOid)) {
                entry->why = planned.reason;
                result.atticAdded.append(*entry);
            }
            if (planned.action == RefAction::Delete) {
                git_reference *current = nullptr;
                rc = git_reference_lookup(&current, repository.get(), name.constData());
                if (rc == 0) {
                    rc = git_oid_equal(git_reference_target(current), &oldOid) ? git_reference_delete(current) : GIT_EMODIFIED;
                    git_reference_free(current);
                }
                break;
            }
            toOid(planned.newOid, &newOid);
            git_reference *updated = nullptr;
            rc = git_reference_create_matching(&updated, repository.get(), name.constData(), &newOid, 1, &oldOid, "mirrordesk: forced");
            git_reference_free(updated);
            break;
        }
        case RefAction::FastForward: {
            toOid(planned.oldOid, &oldOid);
            toOid(planned.newOid, &newOid);
            git_reference *updated = nullptr;
            rc = git_reference_create_matching(&updated, repository.get(), name.constData(), &newOid, 1, &oldOid, "mirrordesk: fast-forward");
            git_reference_free(updated);
            break;
        }
        case RefAction::Create: {
            toOid(planned.newOid, &newOid);
            git_reference *created = nullptr;
            rc = git_reference_create(&created, repository.get(), name.constData(), &newOid, 0, "mirrordesk: created");
            git_reference_free(created);
            break;
        }
        case RefAction::SkipDiverged:
            ref.result = QStringLiteral("skipped");
            break;
        case RefAction::Rejected:
            ref.result = QStringLiteral("rejected");
            break;
        case RefAction::UpToDate:
        case RefAction::Filtered:
            break;
        }
        if (rc < 0) {
            anyFailed = true;
            ref.result = QStringLiteral("rejected");
            ref.message = git::lastError(rc, QString()).message;
        }
        result.refs.append(ref);
    }
    // HEAD follows the source's default branch when the cache has it.
    if (!input.sourceHeadTarget.isEmpty()) {
        const QByteArray wanted = input.sourceHeadTarget.toUtf8();
        git_reference *rawHead = nullptr;
        git_reference *rawTarget = nullptr;
        const bool already = git_reference_lookup(&rawHead, repository.get(), "HEAD") == 0
            && git_reference_type(rawHead) == GIT_REFERENCE_SYMBOLIC && qstrcmp(git_reference_symbolic_target(rawHead), wanted.constData()) == 0;
        git::ReferencePtr head(rawHead);
        const bool exists = git_reference_lookup(&rawTarget, repository.get(), wanted.constData()) == 0;
        git::ReferencePtr target(rawTarget);
        git_reference *rawMoved = nullptr;
        if (!already && exists && git_reference_symbolic_create(&rawMoved, repository.get(), "HEAD", wanted.constData(), 1, "mirrordesk: HEAD") < 0)
            result.warnings.append(QStringLiteral("the cache's HEAD could not follow %1: %2").arg(input.sourceHeadTarget, git::lastError(-1, QString()).message));
        git::ReferencePtr moved(rawMoved);
    }
    // Retention: attic entries older than attic_retention_days go, the last five of a ref stay.
    QList<AtticEntry> attic = listAttic(*cacheRefs, {});
    attic += result.atticAdded;
    result.atticExpired = removeAtticRefs(repository.get(), expiredAttic(attic, options.atticRetentionDays, QDateTime::currentDateTimeUtc()));
    if (result.plan.changesAnything() || !result.atticExpired.isEmpty())
        packLooseRefs(repository.get(), job.cachePath, result.warnings);
    if (!refspecs.isEmpty())
        maintain(job.cachePath, job.limits, result.warnings);
    if (usesLfs(repository.get(), input.sourceHeadTarget))
        result.warnings.append(QStringLiteral("LFS objects are not mirrored (the default branch uses Git LFS)"));
    if (anyFailed)
        return finish(Error{ErrorCategory::Rejected, QStringLiteral("some refs could not be written to the cache"), {}, 0, 0});
    return finish(diverged);
}

} // namespace md
