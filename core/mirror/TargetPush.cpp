#include "mirror/TargetPush.h"

#include "git/Connection.h"
#include "git/GitCliPush.h"
#include "git/Oid.h"
#include "git/RemoteLister.h"
#include "mirror/RefWriter.h"
#include "util/Log.h"
#include "util/Scrub.h"

#include <QHash>

namespace md {

namespace {

QString shortRef(const QString &ref)
{
    if (ref.startsWith(QLatin1String("refs/heads/")))
        return ref.mid(11);
    if (ref.startsWith(QLatin1String("refs/tags/")))
        return ref.mid(10);
    return ref;
}

// The host's words on one line (a ref's message and -q's line stay one line each).
QString oneLine(const QString &text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts).join(QStringLiteral(" / "));
}

// What a server says when a ref moved under the push (receive-pack's own compare-and-swap).
bool movedUnderPush(const QString &message)
{
    return message.contains(QLatin1String("but expected")) || message.contains(QLatin1String("stale info"));
}

RefResult resultOf(const PushItem &item, RefOutcome outcome, const QString &message)
{
    return RefResult{item.ref, item.action, item.expectedOld, item.newOid, outcome, message, QStringLiteral("target")};
}

struct BatchAnswer {
    QList<RefResult> settled;  // refs decided by this batch (landed, lease refused, refused alone)
    QList<PushItem> refusedWhole; // a batch refused as a whole: to split and retry
    std::optional<Error> error;
};

// The per-ref answers of one push, settled or (a batch refused whole) to split.
void settle(const QList<PushItem> &send, const git::Connection::PushReport &report, BatchAnswer &answer, TargetPushOutcome &outcome)
{
    if (!report.hostText.isEmpty())
        outcome.hostText.append(report.hostText);
    QHash<QString, QString> statuses;
    for (const auto &status : report.refs)
        statuses.insert(status.ref, status.message);
    QList<RefResult> refused;
    for (const PushItem &item : send) {
        const auto status = statuses.constFind(item.ref);
        if (status == statuses.constEnd())
            refused.append(resultOf(item, RefOutcome::Rejected, QStringLiteral("the target did not report this ref")));
        else if (!status->isEmpty() && movedUnderPush(*status))
            refused.append(resultOf(item, RefOutcome::Rejected, QStringLiteral("moved on the target since it was planned; not overwritten")));
        else if (!status->isEmpty())
            refused.append(resultOf(item, RefOutcome::Rejected, printable(oneLine(*status), 500)));
        else
            answer.settled.append(resultOf(item, RefOutcome::Ok, item.reason));
    }
    if (send.size() > 1 && refused.size() == send.size()) {
        answer.refusedWhole = send; // all or nothing: find the refs that make the host refuse
        return;
    }
    // One ref refused (an update hook): the host's words are about it.
    if (refused.size() == 1 && !report.hostText.isEmpty())
        refused.first().message += QStringLiteral(": %1").arg(oneLine(report.hostText).left(1000));
    answer.settled += refused;
}

BatchAnswer failedBatch(const QList<PushItem> &items, const Error &error)
{
    BatchAnswer answer;
    for (const PushItem &item : items)
        answer.settled.append(resultOf(item, RefOutcome::Rejected, QStringLiteral("not pushed: %1").arg(error.message)));
    answer.error = error;
    return answer;
}

// One push with the git binary: git's own push connection checks each lease (--force-with-lease).
BatchAnswer pushBatchWithGit(const MirrorJob &job, const QList<PushItem> &items, TargetPushOutcome &outcome)
{
    ++outcome.connections;
    QList<git::LeasedRefspec> specs;
    for (const PushItem &item : items)
        specs.append(git::LeasedRefspec{item.source, item.ref, item.expectedOld});
    auto report = git::pushWithGit(job.cachePath, *job.target, job.limits, specs);
    if (!report)
        return failedBatch(items, report.error());
    // A delete refused as stale because someone deleted the ref already did what was planned; a
    // create or update that is already at its new tip likewise.
    bool staleSeen = false;
    for (auto &status : report->refs)
        staleSeen = staleSeen || status.message.contains(QLatin1String("stale info"));
    if (staleSeen) {
        if (auto now = git::listMirroredRefs(*job.target, job.limits)) {
            QHash<QString, QString> tips;
            for (const RefTip &tip : now->refs)
                tips.insert(tip.name, tip.oid);
            for (auto &status : report->refs) {
                if (!status.message.contains(QLatin1String("stale info")))
                    continue;
                const auto item = std::find_if(items.begin(), items.end(), [&](const PushItem &i) { return i.ref == status.ref; });
                if (item == items.end())
                    continue;
                const QString there = tips.value(item->ref);
                if ((item->source.isEmpty() && there.isEmpty()) || (!item->source.isEmpty() && there == item->newOid))
                    status.message.clear(); // done already
            }
        }
    }
    BatchAnswer answer;
    settle(items, *report, answer, outcome);
    return answer;
}

// One push with libgit2: its connection's advertisement is the lease of every item (libgit2
// sends the advertised tip as each ref's old value, so the server refuses a ref that moves after).
BatchAnswer pushBatch(git_repository *cache, const MirrorJob &job, const QList<PushItem> &items, TargetPushOutcome &outcome)
{
    if (git::canPushWithGit(*job.target))
        return pushBatchWithGit(job, items, outcome);
    BatchAnswer answer;
    git::Connection connection(*job.target, job.limits);
    ++outcome.connections;
    if (auto connected = connection.connectForPush(cache); !connected)
        return failedBatch(items, connected.error());
    auto listing = connection.list();
    if (!listing)
        return failedBatch(items, listing.error());
    QHash<QString, QString> advertised;
    for (const RefTip &tip : listing->refs)
        advertised.insert(tip.name, tip.oid);

    QList<PushItem> send;
    QList<QByteArray> refspecs;
    for (const PushItem &item : items) {
        const QString now = advertised.value(item.ref);
        if (now != item.expectedOld) {
            if (!item.source.isEmpty() && now == item.newOid) {
                answer.settled.append(resultOf(item, RefOutcome::Ok, QStringLiteral("already on the target")));
                continue;
            }
            if (item.source.isEmpty() && now.isEmpty()) {
                answer.settled.append(resultOf(item, RefOutcome::Ok, QStringLiteral("already gone from the target")));
                continue;
            }
            answer.settled.append(resultOf(item, RefOutcome::Rejected,
                                           QStringLiteral("moved on the target since it was planned (%1 → %2); not overwritten")
                                               .arg(item.expectedOld.isEmpty() ? QStringLiteral("(none)") : item.expectedOld.left(10),
                                                    now.isEmpty() ? QStringLiteral("(none)") : now.left(10))));
            continue;
        }
        send.append(item);
        refspecs.append(item.source.isEmpty() ? ':' + item.ref.toUtf8() : '+' + item.source.toUtf8() + ':' + item.ref.toUtf8());
    }
    if (send.isEmpty())
        return answer;
    auto report = connection.push(refspecs);
    if (!report) {
        BatchAnswer failed = failedBatch(send, report.error());
        failed.settled = answer.settled + failed.settled;
        return failed;
    }
    settle(send, *report, answer, outcome);
    return answer;
}

// Pushes `items` as one batch, splitting a batch refused whole in halves until each refusing
// ref is alone.
void pushSplitting(git_repository *cache, const MirrorJob &job, const QList<PushItem> &items, TargetPushOutcome &outcome)
{
    if (items.isEmpty() || outcome.error)
        return;
    BatchAnswer answer = pushBatch(cache, job, items, outcome);
    outcome.refs += answer.settled;
    if (answer.error) {
        outcome.error = answer.error;
        return;
    }
    if (answer.refusedWhole.isEmpty())
        return;
    qCInfo(lcSync) << "the target refused a batch of" << answer.refusedWhole.size() << "refs whole; splitting it";
    const qsizetype half = answer.refusedWhole.size() / 2;
    pushSplitting(cache, job, answer.refusedWhole.mid(0, half), outcome);
    pushSplitting(cache, job, answer.refusedWhole.mid(half), outcome);
}

} // namespace

TargetPushOutcome pushToTarget(git_repository *cache, const MirrorJob &job, const QList<PushItem> &items, const QString &firstAlone)
{
    TargetPushOutcome outcome;
    QList<PushItem> first, deletes, rest;
    for (const PushItem &item : items) {
        if (!firstAlone.isEmpty() && item.ref == firstAlone && !item.source.isEmpty())
            first.append(item);
        else if (item.source.isEmpty())
            deletes.append(item);
        else
            rest.append(item);
    }
    pushSplitting(cache, job, first, outcome);
    for (const QList<PushItem> *list : {&deletes, &rest}) {
        for (qsizetype at = 0; at < list->size(); at += kPushBatch)
            pushSplitting(cache, job, list->mid(at, kPushBatch), outcome);
    }
    if (outcome.error) {
        // Whatever the failed push left unreached is reported as not pushed too.
        QSet<QString> reported;
        for (const RefResult &ref : outcome.refs)
            reported.insert(ref.ref);
        for (const PushItem &item : items) {
            if (!reported.contains(item.ref))
                outcome.refs.append(resultOf(item, RefOutcome::Rejected, QStringLiteral("not pushed: the push failed before it")));
        }
    }
    return outcome;
}

QList<RefResult> keepTargetTips(git_repository *cache, const MirrorJob &job, const QList<PlannedRef> &plan,
                                const QDateTime &startedAt, const QString &run, QList<AtticEntry> &atticAdded)
{
    QList<PlannedRef> needed;
    QList<QByteArray> fetch;
    {
        const git::AncestryReader reader(cache);
        for (const PlannedRef &planned : plan) {
            if (planned.action != RefAction::Force && planned.action != RefAction::Delete)
                continue;
            needed.append(planned);
            if (!reader.contains(planned.oldOid))
                fetch.append(planned.ref.toUtf8());
        }
    }
    QString fetchProblem;
    if (!fetch.isEmpty()) {
        // By name, as the target advertises it now: a ref that moved meanwhile brings another tip,
        // and its push is refused below (its planned old tip is not kept).
        git::Connection connection(*job.target, job.limits);
        Status fetched = connection.connectForFetch(cache);
        if (fetched)
            fetched = connection.download(fetch);
        if (!fetched)
            fetchProblem = fetched.error().message;
    }
    QList<RefResult> refused;
    const git::AncestryReader reader(cache);
    for (const PlannedRef &planned : needed) {
        const auto oid = git::parseOid(planned.oldOid);
        QString problem;
        if (!oid || !reader.contains(planned.oldOid)) {
            problem = fetchProblem.isEmpty() ? QStringLiteral("its tip on the target (%1) could not be fetched for the attic").arg(planned.oldOid.left(10))
                                             : QStringLiteral("its tip on the target could not be fetched for the attic: %1").arg(fetchProblem);
        } else if (auto kept = keepTipInAttic(cache, planned.ref, *oid, planned.reason, QStringLiteral("target"), startedAt, run); !kept) {
            problem = kept.error().message;
        } else {
            atticAdded.append(*kept);
            continue;
        }
        refused.append(RefResult{planned.ref, planned.action, planned.oldOid, planned.newOid, RefOutcome::Rejected,
                                 problem + QStringLiteral("; not overwritten"), QStringLiteral("target")});
    }
    return refused;
}

HostRefusal classifyHostRefusal(const QString &text)
{
    const QString t = text.toLower();
    if (t.contains(QLatin1String("protected branch")) || t.contains(QLatin1String("protected branches")) || t.contains(QLatin1String("gh006"))
        || t.contains(QLatin1String("protected ref")))
        return {ErrorCategory::Protected,
                QStringLiteral("the target protects this branch: allow the mirror's user to force-push to it, unprotect it, or "
                               "leave it out with a branch filter")};
    if (t.contains(QLatin1String("secret")) || t.contains(QLatin1String("gh013")))
        return {ErrorCategory::Rejected,
                QStringLiteral("the host's secret scanning refused the push: remove the secret from the history, or allow it on the host")};
    if (t.contains(QLatin1String("lfs")) || t.contains(QLatin1String("gh008")))
        return {ErrorCategory::Rejected,
                QStringLiteral("the target wants the Git LFS objects, which MirrorDesk does not mirror: push them with "
                               "`git lfs push --all`, or turn LFS off for the target project")};
    if ((t.contains(QLatin1String("size")) && (t.contains(QLatin1String("exceed")) || t.contains(QLatin1String("limit")) || t.contains(QLatin1String("too large"))))
        || t.contains(QLatin1String("gh001")) || t.contains(QLatin1String("large files")))
        return {ErrorCategory::Rejected,
                QStringLiteral("the target's push size limit refused it: raise the limit on the host, or push the history in parts")};
    return {};
}

std::optional<Error> targetPushError(const QList<RefResult> &refs, const QStringList &hostText)
{
    QStringList refused, diverged;
    for (const RefResult &ref : refs) {
        if (ref.side != QLatin1String("target"))
            continue;
        if (ref.action == RefAction::SkipDiverged)
            diverged.append(shortRef(ref.ref));
        else if (ref.result == RefOutcome::Rejected && ref.action != RefAction::Rejected)
            refused.append(QStringLiteral("%1 (%2)").arg(shortRef(ref.ref), ref.message));
    }
    if (refused.isEmpty() && diverged.isEmpty())
        return std::nullopt;
    QStringList parts;
    ErrorCategory category = ErrorCategory::Diverged;
    if (!refused.isEmpty()) {
        // Each refused ref is judged by its own words (a protected branch beside an update hook's
        // refusal makes only the first "protected"); the hints once each.
        QStringList hints;
        category = ErrorCategory::Rejected;
        for (const QString &text : refused) {
            const HostRefusal refusal = classifyHostRefusal(text);
            if (refusal.category == ErrorCategory::Protected)
                category = ErrorCategory::Protected;
            if (!refusal.hint.isEmpty() && !hints.contains(refusal.hint))
                hints.append(refusal.hint);
        }
        // What the host said that no ref's message carries already.
        QStringList lines;
        const QString all = refused.join(QLatin1Char('\n'));
        for (const QString &text : hostText) {
            for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
                if (!lines.contains(line) && !all.contains(line))
                    lines.append(line);
            }
        }
        if (hints.isEmpty() && !lines.isEmpty()) {
            const HostRefusal refusal = classifyHostRefusal(lines.join(QLatin1Char('\n')));
            category = refusal.category;
            if (!refusal.hint.isEmpty())
                hints.append(refusal.hint);
        }
        constexpr int kNamed = 10;
        QString names = refused.mid(0, kNamed).join(QStringLiteral(", "));
        if (refused.size() > kNamed)
            names += QStringLiteral(" and %1 more").arg(refused.size() - kNamed);
        parts.append(QStringLiteral("the target refused %1 %2: %3").arg(refused.size()).arg(refused.size() == 1 ? QStringLiteral("ref") : QStringLiteral("refs"), names));
        if (!lines.isEmpty())
            parts.append(QStringLiteral("the host said: %1").arg(lines.join(QStringLiteral(" / ")).left(2000)));
        for (const QString &hint : hints)
            parts.append(QStringLiteral("hint: %1").arg(hint));
    }
    if (!diverged.isEmpty())
        parts.append(QStringLiteral("some refs have diverged: %1 (keep_divergent_refs: not updated on the target)").arg(diverged.join(QStringLiteral(", "))));
    return Error{category, parts.join(QStringLiteral("; ")), {}, 0, 0};
}

} // namespace md
