#include "mirror/Checker.h"

#include "mirror/RefPlan.h"

#include "security/GitUrl.h"
#include "security/HostKeyCheck.h"
#include "util/Log.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QMap>

#include "git/GitPtr.h"
#include "git/RemoteLister.h"

namespace md {

namespace {

QMap<QString, QString> mirroredSet(const QList<RefTip> &refs, const RefFilter &filter)
{
    QMap<QString, QString> set;
    for (const RefTip &tip : refs) {
        if (filter.classify(tip.name) == RefFilter::Verdict::Mirrored)
            set.insert(tip.name, tip.oid);
    }
    return set;
}

CheckRecord unreachable(CheckRecord record, const Error &error)
{
    record.state = CheckState::Unreachable;
    record.errorCategory = error.category;
    record.error = GitUrl::scrubText(error.message);
    record.errorDetail = error.detail;
    return record;
}

} // namespace

Result<git::RemoteAccess> resolveAccess(const Config &config, const Endpoint &endpoint, SecretCache *secrets)
{
    auto url = GitUrl::parse(endpoint.url);
    if (!url)
        return Error::config(QStringLiteral("url"), url.error().message);
    git::RemoteAccess access;
    access.url = url->withoutCredentials();
    access.displayUrl = url->scrubbed();
    access.hostPort = url->hostPort();
    access.proxy = endpoint.proxy.isEmpty() ? config.settings.proxy : endpoint.proxy;
    if (url->isSsh()) {
        access.verifyHostKey = [hostPort = access.hostPort, pins = config.hostKeys.value(access.hostPort)](const QByteArray &offered) {
            return checkHostKey(hostPort, pins, offered);
        };
    }
    access.hostPortOf = [](const QString &asked) {
        const auto parsed = GitUrl::parse(asked);
        return parsed && !parsed->isLocal() ? parsed->hostPort() : QString();
    };
    if (!endpoint.credential.isEmpty()) {
        const Credential *credential = config.credential(endpoint.credential);
        if (!credential)
            return Error::config(QStringLiteral("credential"), QStringLiteral("no credential named \"%1\"").arg(endpoint.credential));
        access.credential.present = true;
        access.credential.kind = credential->kind;
        access.credential.username = credential->username;
        if (credential->kind != CredentialKind::SshAgent) {
            const auto cached = secrets ? secrets->constFind(credential->name) : SecretCache::const_iterator();
            Result<QByteArray> secret = secrets && cached != secrets->cend() ? *cached : readSecret(credential->secretSource);
            if (secrets && cached == secrets->cend())
                secrets->insert(credential->name, secret);
            if (!secret) {
                Error error = secret.error();
                // Keychain messages name the credential already.
                if (error.category != ErrorCategory::Keychain)
                    error.message = QStringLiteral("credential \"%1\": %2").arg(credential->name, error.message);
                return error;
            }
            access.credential.secret = *secret;
        }
        if (!credential->passphraseCredential.isEmpty()) {
            const Credential *holder = config.credential(credential->passphraseCredential);
            if (!holder)
                return Error::config(QStringLiteral("credential"), QStringLiteral("no credential named \"%1\" (the passphrase of \"%2\")")
                                                                       .arg(credential->passphraseCredential, credential->name));
            const auto cached = secrets ? secrets->constFind(holder->name) : SecretCache::const_iterator();
            Result<QByteArray> passphrase = secrets && cached != secrets->cend() ? *cached : readSecret(holder->secretSource);
            if (secrets && cached == secrets->cend())
                secrets->insert(holder->name, passphrase);
            if (!passphrase) {
                Error error = passphrase.error();
                if (error.category != ErrorCategory::Keychain)
                    error.message = QStringLiteral("credential \"%1\" (the passphrase of \"%2\"): %3")
                                        .arg(holder->name, credential->name, error.message);
                return error;
            }
            access.credential.passphrase = *passphrase;
        }
    }
    return access;
}

Result<MirrorJob> makeMirrorJob(const Config &config, const Mirror &mirror, SecretCache *secrets)
{
    MirrorJob job;
    job.mirror = mirror;
    job.cachePath = config.cachePathOf(mirror);
    auto source = resolveAccess(config, mirror.source, secrets);
    if (!source)
        return source.error();
    job.source = *source;
    if (mirror.shape != Shape::Pull) {
        auto target = resolveAccess(config, mirror.target, secrets);
        if (!target)
            return target.error();
        job.target = *target;
    }
    job.limits.connectTimeoutMs = config.settings.connectTimeoutSeconds * 1000;
    job.limits.stallTimeoutMs = config.settings.stallTimeoutSeconds * 1000;
    return job;
}

git::StreamLimits checkLimits(git::StreamLimits limits, int timeoutSeconds)
{
    const int seconds = timeoutSeconds > 0 ? timeoutSeconds : kDefaultCheckTimeoutSeconds;
    const int ms = seconds * 1000;
    limits.stallTimeoutMs = limits.stallTimeoutMs > 0 ? std::min(limits.stallTimeoutMs, ms) : ms;
    limits.deadlineMs = QDateTime::currentMSecsSinceEpoch() + qint64(seconds) * 1000;
    return limits;
}

QString refFingerprint(const QList<RefTip> &refs, const RefFilter &filter)
{
    const QMap<QString, QString> set = mirroredSet(refs, filter);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (auto it = set.begin(); it != set.end(); ++it)
        hash.addData((it.key() + QLatin1Char(' ') + it.value() + QLatin1Char('\n')).toUtf8());
    return QString::fromLatin1(hash.result().toHex());
}

namespace {

int severity(CheckState state)
{
    switch (state) {
    case CheckState::None: return 0;
    case CheckState::InSync: return 1;
    case CheckState::Empty: return 2;
    case CheckState::Behind: return 3;
    case CheckState::Diverged: return 4;
    case CheckState::Unreachable: return 5;
    }
    return 0;
}

// A relay's or push mirror's check: source ↔ cache (the cache follows the source exactly), then
// cache ↔ target under the push rules (planPush: what an update would push). The row's state is
// the worse of the two.
CheckRecord checkRelay(const MirrorJob &job, CheckRecord record, const QList<RefTip> &sourceRefs, const QString &sourceHead,
                       git_repository *repository, const RefFilter &filter)
{
    // record.sourceFingerprint and sourceHead: set by runCheck.
    auto cache = repository ? git::listLocalRefs(repository) : Result<QList<RefTip>>(QList<RefTip>{});
    if (!cache)
        return unreachable(record, cache.error());
    const QMap<QString, QString> sourceSet = mirroredSet(sourceRefs, filter);
    const QMap<QString, QString> cacheSet = mirroredSet(*cache, filter);
    const QString cacheHead = repository ? git::headTargetOf(repository) : QString();

    CheckStage first;
    if (sourceSet == cacheSet && (sourceHead.isEmpty() || sourceHead == cacheHead || !sourceSet.contains(sourceHead))) {
        first.state = CheckState::InSync;
    } else {
        first.state = CheckState::Behind;
        int differ = 0;
        for (auto it = sourceSet.begin(); it != sourceSet.end(); ++it)
            differ += cacheSet.value(it.key()) != it.value() ? 1 : 0;
        for (auto it = cacheSet.begin(); it != cacheSet.end(); ++it)
            differ += sourceSet.contains(it.key()) ? 0 : 1;
        first.error = differ > 0 ? QStringLiteral("%1 refs of the source differ from the cache").arg(differ)
                                 : QStringLiteral("the default branch changed: the source's HEAD is %1").arg(sourceHead);
    }
    record.sourceCache = first;

    CheckStage second;
    auto target = git::listMirroredRefs(*job.target, job.limits);
    if (!target) {
        second.state = CheckState::Unreachable;
        second.errorCategory = target.error().category;
        second.error = target.error().message;
        second.errorDetail = target.error().detail;
    } else {
        record.targetFingerprint = refFingerprint(target->refs, filter);
        record.targetHead = target->headTarget;
        PushPlanInput input;
        input.source = *cache;
        input.target = target->refs;
        input.sourceHeadTarget = cacheHead.isEmpty() ? sourceHead : cacheHead;
        input.targetHeadTarget = target->headTarget;
        input.massChangeGuard = false;
        input.allowEmptySource = true;
        const git::AncestryReader reader(repository);
        const RefPlan plan = planPush(job.mirror, input, [&reader](const QString &a, const QString &d) { return reader.isAncestor(a, d); });
        record.warnings = plan.warnings;
        QStringList diverged, changes;
        for (const PlannedRef &p : plan.refs) {
            if (p.action == RefAction::SkipDiverged || p.action == RefAction::Force)
                diverged.append(p.ref);
            else if (p.action == RefAction::Create || p.action == RefAction::FastForward || p.action == RefAction::Delete)
                changes.append(p.ref);
        }
        if (!diverged.isEmpty()) {
            second.state = CheckState::Diverged;
            second.error = QStringLiteral("%1 %2 diverged on the target").arg(diverged.mid(0, 5).join(QStringLiteral(", ")),
                                                                              diverged.size() == 1 ? QStringLiteral("has") : QStringLiteral("have"));
        } else if (!changes.isEmpty()) {
            second.state = CheckState::Behind;
            second.error = QStringLiteral("%1 refs to push to the target").arg(changes.size());
        } else {
            second.state = CheckState::InSync;
        }
    }
    record.cacheTarget = second;

    if (sourceSet.isEmpty()) {
        record.state = CheckState::Empty;
        if (!cacheSet.isEmpty()) {
            const Error guard = emptySourceGuard(static_cast<int>(cacheSet.size()));
            record.errorCategory = guard.category;
            record.error = guard.message;
        }
        return record;
    }
    const CheckStage &worse = severity(second.state) > severity(first.state) ? second : first;
    record.state = worse.state;
    record.errorCategory = worse.errorCategory;
    record.error = worse.error;
    record.errorDetail = worse.errorDetail;
    return record;
}

} // namespace

CheckRecord runCheck(const MirrorJob &job)
{
    const RefFilter filter(job.mirror);
    CheckRecord record;
    record.checkedAt = QDateTime::currentDateTimeUtc();

    auto source = git::listMirroredRefs(job.source, job.limits);
    if (!source)
        return unreachable(record, source.error());
    // The cache, opened once for its refs, its HEAD and the ancestry answers (each open reads
    // its config files again). A missing cache reads as empty.
    auto opened = git::openCache(job.cachePath);
    if (!opened)
        return unreachable(record, opened.error());
    const git::RepositoryPtr repository = std::move(opened).value();
    QList<RefTip> sourceRefs = source->refs;
    if (job.mirror.mirrorTags == TagPolicy::Reachable) {
        // As the plan does: a tag counts only when its commit is reachable from a mirrored branch
        // (decidable when the cache has the objects; otherwise the tag counts and shows as behind).
        const git::AncestryReader cache(repository.get());
        QStringList branchTips;
        for (const RefTip &tip : sourceRefs) {
            if (tip.name.startsWith(QLatin1String("refs/heads/")) && filter.classify(tip.name) == RefFilter::Verdict::Mirrored)
                branchTips.append(tip.oid);
        }
        sourceRefs.erase(std::remove_if(sourceRefs.begin(), sourceRefs.end(), [&](const RefTip &tip) {
            if (!tip.name.startsWith(QLatin1String("refs/tags/")))
                return false;
            const QString commit = tip.peeled.isEmpty() ? tip.oid : tip.peeled;
            if (!cache.contains(commit))
                return false;
            return std::none_of(branchTips.begin(), branchTips.end(), [&](const QString &branch) {
                return branch == commit || cache.isAncestor(commit, branch).value_or(false);
            });
        }), sourceRefs.end());
    }
    record.sourceFingerprint = refFingerprint(sourceRefs, filter);
    record.sourceHead = source->headTarget;
    const QMap<QString, QString> sourceSet = mirroredSet(sourceRefs, filter);

    if (job.target)
        return checkRelay(job, std::move(record), sourceRefs, source->headTarget, repository.get(), filter);
    QList<RefTip> otherRefs;
    {
        auto cache = repository ? git::listLocalRefs(repository.get()) : Result<QList<RefTip>>(QList<RefTip>{});
        if (!cache)
            return unreachable(record, cache.error());
        otherRefs = *cache;
        record.targetHead = git::headTargetOf(repository.get());
    }
    record.targetFingerprint = refFingerprint(otherRefs, filter);
    const QMap<QString, QString> otherSet = mirroredSet(otherRefs, filter);

    if (sourceSet.isEmpty()) {
        record.state = CheckState::Empty;
        if (!otherSet.isEmpty()) {
            // An update would refuse this (the empty-source guard): say so, it needs a decision.
            const Error guard = emptySourceGuard(static_cast<int>(otherSet.size()));
            record.errorCategory = guard.category;
            record.error = guard.message;
        }
        return record;
    }
    // A pull cache's HEAD follows the source's default branch: a different one is a change to make.
    const bool headDiffers = !job.target && !record.sourceHead.isEmpty() && record.sourceHead != record.targetHead
        && sourceSet.contains(record.sourceHead);
    if (sourceSet == otherSet) {
        record.state = headDiffers ? CheckState::Behind : CheckState::InSync;
        if (headDiffers)
            record.error = QStringLiteral("the default branch changed: the source's HEAD is %1, the mirror's %2")
                               .arg(record.sourceHead, record.targetHead.isEmpty() ? QStringLiteral("(none)") : record.targetHead);
        return record;
    }
    // Diverged only when provable from the cache's objects.
    const git::AncestryReader cache(repository.get());
    for (auto it = sourceSet.begin(); it != sourceSet.end(); ++it) {
        const auto other = otherSet.constFind(it.key());
        if (other == otherSet.constEnd() || *other == it.value() || it.key().startsWith(QLatin1String("refs/tags/")))
            continue;
        if (job.target && !cache.contains(*other)) {
            record.state = CheckState::Diverged;
            record.error = QStringLiteral("%1 on the target is not known to the cache").arg(it.key());
            return record;
        }
        // Pull: the source's tip is in the cache but is not a descendant of the cached tip.
        // Relay/push: the target's tip is not an ancestor of the source's tip.
        const auto forward = cache.isAncestor(*other, it.value());
        if (forward.has_value() && !*forward) {
            record.state = CheckState::Diverged;
            record.error = QStringLiteral("%1 has diverged").arg(it.key());
            return record;
        }
    }
    record.state = CheckState::Behind;
    return record;
}

} // namespace md
