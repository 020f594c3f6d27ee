#include "ops/AtticOps.h"

#include "git/GitLibrary.h"
#include "git/RemoteLister.h"
#include "mirror/CacheLock.h"
#include "mirror/CacheMaintenance.h"
#include "mirror/RefWriter.h"
#include "mirror/RelaySync.h"
#include "util/Scrub.h"

#include <QProcess>
#include <QStandardPaths>

namespace md {

namespace {

Error busy(const CacheLock &lock)
{
    return Error{ErrorCategory::Io, QStringLiteral("the mirror is being synced (%1); try again when it has finished").arg(lock.holder()),
                 {}, 0, 0};
}

} // namespace

AtticOps::AtticOps(QString configPath, QString stateDir, QObject *parent)
    : QObject(parent)
    , m_store(std::move(configPath))
    , m_state(std::move(stateDir))
{
}

Result<AtticOps::Listing> AtticOps::list(const QString &name) const
{
    const auto config = m_store.load();
    if (!config)
        return config.error();
    const Mirror *mirror = config->mirror(name);
    if (!mirror)
        return Error::usage(QStringLiteral("no mirror named \"%1\"").arg(quoteInput(name)));
    if (auto status = git::GitLibrary::initialize(gitOptions(config->settings)); !status)
        return status.error();
    Listing listing{*mirror, config->cachePathOf(*mirror), config->settings.atticRetentionDays, {}};
    auto refs = git::listLocalRefs(listing.cachePath);
    if (!refs)
        return refs.error();
    const auto index = m_state.atticIndex(mirror->name);
    listing.entries = listAttic(*refs, index ? *index : QList<AtticEntry>{});
    return listing;
}

Result<AtticOps::Restored> AtticOps::restore(const QString &name, const QString &entryName, const QString &as,
                                              const std::optional<Result<MirrorJob>> &prepared)
{
    auto attic = list(name);
    if (!attic)
        return attic.error();
    const QString id = entryName.startsWith(QLatin1String(kAtticPrefix)) ? entryName.mid(qsizetype(qstrlen(kAtticPrefix))) : entryName;
    const auto found = std::find_if(attic->entries.begin(), attic->entries.end(), [&](const AtticEntry &e) { return e.id == id; });
    if (found == attic->entries.end())
        return Error::usage(QStringLiteral("%1 has no attic entry \"%2\" (see mirrordesk attic list %1)").arg(attic->mirror.name, quoteInput(id)));
    const AtticEntry entry = *found;
    const QString target = as.isEmpty() ? entry.ref : as;
    if (!isRestorableRefName(target))
        return Error::usage(QStringLiteral("--as: \"%1\" is not a ref name MirrorDesk can restore into "
                                           "(a full name under refs/, outside refs/mirrordesk/)").arg(quoteInput(target)));
    CacheLock lock(attic->cachePath);
    if (!lock.tryLock(0))
        return busy(lock);
    Result<RestoreResult> restored = RestoreResult{};
    if (entry.side == QLatin1String("target")) {
        // Pushed back to the target (the network, on this thread: the command line's restore).
        const auto config = m_store.load();
        if (!config)
            return config.error();
        auto job = prepared ? *prepared : makeMirrorJob(*config, attic->mirror);
        if (!job)
            return job.error();
        restored = restoreTargetEntry(*job, entry, target);
    } else {
        restored = restoreAtticEntry(attic->cachePath, attic->mirror.name, entry, target);
    }
    if (!restored)
        return restored.error();
    Restored result;
    result.mirror = attic->mirror;
    result.ref = target;
    result.oid = entry.oid;
    result.alreadyThere = restored->alreadyThere;
    result.followsSource = (target.startsWith(QLatin1String("refs/heads/")) || target.startsWith(QLatin1String("refs/tags/")))
        && (attic->mirror.shape == Shape::Pull || (entry.side == QLatin1String("target") && !attic->mirror.keepDivergentRefs));
    result.onTarget = entry.side == QLatin1String("target");
    if (!restored->atticAdded.isEmpty()) {
        if (auto saved = m_state.changeStatus(attic->mirror.name, {}, std::nullopt, restored->atticAdded); !saved)
            result.indexError = saved.error();
    }
    return result;
}

void AtticOps::purge(const QString &name, std::optional<int> days, PurgeDone done)
{
    auto finish = [this, done](Result<Purged> result) {
        QMetaObject::invokeMethod(this, [done, result] { done(result); }, Qt::QueuedConnection);
    };
    auto attic = list(name);
    if (!attic)
        return finish(attic.error());
    const QList<AtticEntry> expired = expiredAttic(attic->entries, days.value_or(attic->retentionDays), QDateTime::currentDateTimeUtc());
    Purged purged;
    if (expired.isEmpty()) {
        purged.nothingToPurge = true;
        return finish(purged);
    }
    auto lock = std::make_shared<CacheLock>(attic->cachePath);
    if (!lock->tryLock(0))
        return finish(busy(*lock));
    QStringList removed;
    {
        auto prepared = prepareCache(attic->cachePath, attic->mirror.name, CacheOpen::Existing);
        if (!prepared)
            return finish(prepared.error());
        removed = removeAtticRefs(prepared->get(), expired);
    }
    purged.removed = static_cast<int>(removed.size());
    if (auto saved = m_state.changeStatus(attic->mirror.name, {}, std::nullopt, {}, removed); !saved)
        purged.problems.append(saved.error().message);
    const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
    if (git.isEmpty()) {
        purged.gitMissing = true;
        return finish(purged);
    }
    // The repack runs as a child process; the cache stays locked until it ends.
    auto *gc = new QProcess(this);
    connect(gc, &QProcess::finished, this, [gc, lock, purged, done](int exitCode, QProcess::ExitStatus exitStatus) mutable {
        if (exitStatus != QProcess::NormalExit || exitCode != 0)
            purged.problems.append(QStringLiteral("repacking the cache failed: %1").arg(QString::fromUtf8(gc->readAllStandardError()).trimmed()));
        else
            purged.repacked = true;
        gc->deleteLater();
        done(purged);
    });
    connect(gc, &QProcess::errorOccurred, this, [gc, lock, purged, done](QProcess::ProcessError error) mutable {
        if (error != QProcess::FailedToStart)
            return; // finished() reports the rest
        purged.problems.append(QStringLiteral("repacking the cache failed: %1").arg(gc->errorString()));
        gc->deleteLater();
        done(purged);
    });
    gc->start(git, {QStringLiteral("-C"), attic->cachePath, QStringLiteral("gc"), QStringLiteral("--prune=now"), QStringLiteral("--quiet")});
}

} // namespace md
