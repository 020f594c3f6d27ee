// The words for the rules describeRules() decides (ops/MirrorRules.h): the mirror editor's
// "What a sync does".
#include "MirrorEditor.h"

#include "util/Scrub.h"

namespace md::ui {

QString MirrorEditor::ruleText(const MirrorRule &rule, Shape shape)
{
    using K = MirrorRuleKind;
    const QString byDefault = rule.isDefault ? QLatin1Char(' ') + tr("That is the default for a %1 mirror.").arg(shapeName(shape)) : QString();
    switch (rule.kind) {
    case K::PullIntoCache:
        return tr("Refs are fetched from the source into the cache, a bare repository: the cache is the mirror.");
    case K::RelayThroughCache:
        return tr("Refs are fetched from the source into the cache, which follows the source exactly, then pushed to the target.");
    case K::PushFromLocal:
        return tr("The local repository is only read, never written: its refs are fetched into the cache, then pushed to the target.");
    case K::AllBranches:
        return tr("Every branch is mirrored.");
    case K::ProtectedBranchesOnly:
        if (rule.items.isEmpty())
            return tr("No branch is mirrored: no protected-branch pattern is given.");
        return tr("Only branches matching %1 are mirrored; the others are never created, updated or deleted.")
            .arg(rule.items.join(QStringLiteral(", ")));
    case K::BranchesMatchingRegex:
        return tr("Only branches whose name matches “%1” (anywhere in the name) are mirrored; the others are never created, updated or "
                  "deleted.").arg(quoteInput(rule.text));
    case K::AllTags:
        return tr("Every tag is mirrored.");
    case K::ReachableTags:
        return tr("Only tags reachable from the mirrored branches are mirrored.");
    case K::NoTags:
        return tr("Tags are not mirrored.");
    case K::DivergedForced:
        return tr("A branch rewritten upstream is overwritten; its old tip is kept in the attic.");
    case K::DivergedSkipped:
        return tr("A branch rewritten upstream is reported and left as it was; when it is the default branch, the run fails.");
    case K::TargetDivergedSkipped:
        return tr("A ref that diverged on the target is left alone and named, and the run ends failed; every other ref is still "
                  "updated.");
    case K::TargetOverwritten:
        return tr("A ref that differs on the target is overwritten; its old tip is kept in the attic.");
    case K::GoneRemoved:
        return tr("Branches and tags deleted upstream are moved to the attic, then removed.") + byDefault;
    case K::GoneRemovedIfMerged:
        return tr("Branches and tags deleted upstream are moved to the attic, then removed, when merged into the default branch; "
                  "the others are kept.") + byDefault;
    case K::GoneKept:
        return tr("Branches and tags deleted upstream are kept.") + byDefault;
    case K::TargetOnlyRemoved:
        return tr("Branches and tags found only on the target are deleted there; their tips are kept in the attic.") + byDefault;
    case K::TargetOnlyRemovedIfMerged:
        return tr("Branches and tags found only on the target are deleted there when merged into the source's default branch "
                  "(their tips kept in the attic); the others are kept.") + byDefault;
    case K::TargetOnlyKept:
        return tr("Branches and tags found only on the target are kept.") + byDefault;
    case K::TargetNothingDeleted:
        return tr("Nothing is ever deleted on the target (keep divergent refs).");
    case K::Scheduled:
        return rule.isDefault ? tr("Synced every %n minute(s), the default interval.", nullptr, rule.number)
                              : tr("Synced every %n minute(s).", nullptr, rule.number);
    case K::NotScheduled:
        return tr("Not synced on a schedule (disabled); Update now still runs it.");
    case K::ManualInterval:
        return rule.number == 0 ? tr("Update now may run at any time.")
                                : tr("Update now runs at most once every %n second(s).", nullptr, rule.number);
    case K::AtticRetention:
        return tr("Attic entries are kept %n day(s), and always the last 5 of each ref.", nullptr, rule.number);
    case K::MassChangeGuard:
        return tr("A run that would delete or force more than 10 refs and 20 % of them waits for confirmation.");
    case K::NoMassChangeGuard:
        return tr("The mass-change guard is off: large deletions run without asking.");
    }
    return {};
}

} // namespace md::ui
