#include "mirror/RefWriter.h"

#include "git/GitError.h"
#include "git/Oid.h"
#include "mirror/PullSync.h"

namespace md {

namespace {

int invalidOid(const QString &ref)
{
    git_error_set_str(GIT_ERROR_INVALID, QStringLiteral("the plan for %1 has no valid oid").arg(ref).toUtf8().constData());
    return GIT_EINVALID;
}

// Keeps the old tip in the attic; returns libgit2's code.
int keepInAttic(git_repository *repository, const PlannedRef &planned, const git_oid &old, const QString &side,
                const QDateTime &startedAt, const QString &run, AppliedRefs &applied)
{
    auto kept = keepTipInAttic(repository, planned.ref, old, planned.reason, side, startedAt, run);
    if (!kept)
        return kept.error().gitCode < 0 ? kept.error().gitCode : -1;
    applied.atticAdded.append(*kept);
    return 0;
}

int deleteMatching(git_repository *repository, const QByteArray &name, const git_oid &expected)
{
    git_reference *raw = nullptr;
    int rc = git_reference_lookup(&raw, repository, name.constData());
    git::ReferencePtr current(raw);
    if (rc < 0)
        return rc;
    if (!git_oid_equal(git_reference_target(current.get()), &expected)) {
        git_error_set_str(GIT_ERROR_REFERENCE, "the ref moved since it was planned");
        return GIT_EMODIFIED;
    }
    return git_reference_delete(current.get());
}

int writeMatching(git_repository *repository, const QByteArray &name, const git_oid &target, const git_oid *expected,
                  const char *why)
{
    git_reference *raw = nullptr;
    const int rc = expected ? git_reference_create_matching(&raw, repository, name.constData(), &target, 1, expected, why)
                            : git_reference_create(&raw, repository, name.constData(), &target, 0, why);
    git::ReferencePtr written(raw);
    return rc;
}

// Writes one planned ref; returns libgit2's code (0 for actions that write nothing).
int applyOne(git_repository *repository, const PlannedRef &planned, const QString &side, const QDateTime &startedAt,
             const QString &run, AppliedRefs &applied)
{
    const QByteArray name = planned.ref.toUtf8();
    const auto oldOid = git::parseOid(planned.oldOid);
    const auto newOid = git::parseOid(planned.newOid);
    switch (planned.action) {
    case RefAction::Force:
    case RefAction::Delete: {
        if (!oldOid || (planned.action == RefAction::Force && !newOid))
            return invalidOid(planned.ref);
        if (const int rc = keepInAttic(repository, planned, *oldOid, side, startedAt, run, applied); rc < 0)
            return rc;
        if (planned.action == RefAction::Delete)
            return deleteMatching(repository, name, *oldOid);
        return writeMatching(repository, name, *newOid, &*oldOid, "mirrordesk: forced");
    }
    case RefAction::FastForward:
        if (!oldOid || !newOid)
            return invalidOid(planned.ref);
        return writeMatching(repository, name, *newOid, &*oldOid, "mirrordesk: fast-forward");
    case RefAction::Create:
        if (!newOid)
            return invalidOid(planned.ref);
        return writeMatching(repository, name, *newOid, nullptr, "mirrordesk: created");
    case RefAction::SkipDiverged:
    case RefAction::Rejected:
    case RefAction::UpToDate:
    case RefAction::Filtered:
        break;
    }
    return 0;
}

} // namespace

Result<AtticEntry> keepTipInAttic(git_repository *repository, const QString &ref, const git_oid &oid, const QString &why,
                                  const QString &side, const QDateTime &startedAt, const QString &run)
{
    const QString atticName = atticRefName(startedAt, run, side, ref);
    git_reference *raw = nullptr;
    const int rc = git_reference_create(&raw, repository, atticName.toUtf8().constData(), &oid, 0, "mirrordesk: attic");
    git::ReferencePtr kept(raw);
    if (rc < 0)
        return git::lastError(rc, QStringLiteral("cannot keep %1 in the attic").arg(ref));
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &oid);
    auto entry = parseAtticRef(atticName, QString::fromLatin1(hex));
    if (!entry)
        return Error{ErrorCategory::Rejected, QStringLiteral("cannot keep %1 in the attic: bad attic name").arg(ref), {}, 0, 0};
    entry->why = why;
    return *entry;
}

QString atticRunId(const QDateTime &startedAt, const QString &prefix)
{
    return prefix + QString::number(startedAt.toMSecsSinceEpoch() % 100000000, 36);
}

AppliedRefs applyRefPlan(git_repository *repository, const QList<PlannedRef> &plan, const QString &side,
                         const QDateTime &startedAt, const QString &run)
{
    QList<PlannedRef> ordered = plan;
    std::stable_sort(ordered.begin(), ordered.end(), [](const PlannedRef &a, const PlannedRef &b) {
        return (a.action == RefAction::Delete) > (b.action == RefAction::Delete);
    });
    AppliedRefs applied;
    for (const PlannedRef &planned : ordered) {
        RefResult ref{planned.ref, planned.action, planned.oldOid, planned.newOid, RefOutcome::Ok, planned.reason};
        if (planned.action == RefAction::SkipDiverged)
            ref.result = RefOutcome::Skipped;
        else if (planned.action == RefAction::Rejected)
            ref.result = RefOutcome::Rejected;
        if (const int rc = applyOne(repository, planned, side, startedAt, run, applied); rc < 0) {
            applied.anyFailed = true;
            ref.result = RefOutcome::Rejected;
            ref.message = git::lastError(rc, QString()).message;
        }
        applied.refs.append(ref);
    }
    return applied;
}

QString followSourceHead(git_repository *repository, const QString &headTarget)
{
    if (headTarget.isEmpty())
        return {};
    const QByteArray wanted = headTarget.toUtf8();
    git_reference *rawHead = nullptr;
    const bool found = git_reference_lookup(&rawHead, repository, "HEAD") == 0;
    git::ReferencePtr head(rawHead);
    if (found && git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC
        && qstrcmp(git_reference_symbolic_target(head.get()), wanted.constData()) == 0)
        return {};
    git_reference *rawTarget = nullptr;
    const bool exists = git_reference_lookup(&rawTarget, repository, wanted.constData()) == 0;
    git::ReferencePtr target(rawTarget);
    if (!exists)
        return {};
    git_reference *rawMoved = nullptr;
    const int rc = git_reference_symbolic_create(&rawMoved, repository, "HEAD", wanted.constData(), 1, "mirrordesk: HEAD");
    git::ReferencePtr moved(rawMoved);
    if (rc < 0)
        return QStringLiteral("the cache's HEAD could not follow %1: %2").arg(headTarget, git::lastError(rc, QString()).message);
    return {};
}

bool isRestorableRefName(const QString &ref)
{
    int valid = 0;
    return ref.startsWith(QLatin1String("refs/")) && !ref.startsWith(QLatin1String("refs/mirrordesk/"))
        && git_reference_name_is_valid(&valid, ref.toUtf8().constData()) == 0 && valid;
}

Result<RestoreResult> restoreAtticEntry(const QString &cachePath, const QString &owner, const AtticEntry &entry, const QString &targetRef)
{
    auto prepared = prepareCache(cachePath, owner, CacheOpen::Existing);
    if (!prepared)
        return prepared.error();
    git_repository *repository = prepared->get();
    PlannedRef planned{targetRef, RefAction::Create, QString(), entry.oid,
                       QStringLiteral("replaced by attic restore of %1").arg(entry.id)};
    git_reference *raw = nullptr;
    const int rc = git_reference_lookup(&raw, repository, targetRef.toUtf8().constData());
    git::ReferencePtr current(raw);
    if (rc == 0) {
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof hex, git_reference_target(current.get()));
        planned.oldOid = QString::fromLatin1(hex);
        if (planned.oldOid == entry.oid)
            return RestoreResult{true, {}};
        planned.action = RefAction::Force; // nothing lost: the tip it replaces goes to the attic first
    } else if (rc != GIT_ENOTFOUND) {
        return git::lastError(rc, QStringLiteral("cannot read %1").arg(targetRef));
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const AppliedRefs applied = applyRefPlan(repository, {planned}, QStringLiteral("cache"), now, atticRunId(now, QStringLiteral("restore")));
    if (applied.anyFailed)
        return Error{ErrorCategory::Rejected, QStringLiteral("cannot restore %1: %2").arg(targetRef, applied.refs.value(0).message), {}, 0, 0};
    return RestoreResult{false, applied.atticAdded};
}

} // namespace md
