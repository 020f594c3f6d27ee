#include "cli/MirrorOptions.h"

#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QDir>

namespace md::cli {

namespace {

struct BoolOption {
    const char *name;
    bool Mirror::*field;
    const char *help;
};

const BoolOption kBoolOptions[] = {
    {"enabled", &Mirror::enabled, "Sync this mirror on its schedule (default on)."},
    {"keep-divergent-refs", &Mirror::keepDivergentRefs,
     "Relay/push: skip target refs that diverged instead of overwriting, and delete nothing."},
    {"only-protected-branches", &Mirror::onlyProtectedBranches, "Mirror only branches matching --protected-branch."},
    {"mirror-overwrites-diverged-branches", &Mirror::mirrorOverwritesDivergedBranches,
     "Pull: force branches rewritten upstream, keeping the old tip in the attic (default on)."},
};

QString opt(const char *name) { return QString::fromLatin1(name); }

Error optionError(const QString &option, const QString &message)
{
    return Error::usage(QStringLiteral("--%1: %2").arg(option, message));
}

// Local paths are stored absolute: the config may be used from another working directory.
QString absoluteIfLocal(const QString &location)
{
    const auto url = GitUrl::parse(location);
    if (url && url->kind() == GitUrl::Kind::Local)
        return QDir::cleanPath(QDir::current().absoluteFilePath(location));
    return location;
}

Result<int> parseNumber(const QCommandLineParser &parser, const QString &option)
{
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok)
        return optionError(option, QStringLiteral("\"%1\" is not a whole number").arg(quoteInput(parser.value(option))));
    return value;
}

} // namespace

void addMirrorOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("source"), QStringLiteral("Where refs come from: a URL, user@host:path or a local path."), QStringLiteral("URL")},
        {QStringLiteral("target"), QStringLiteral("Where refs go (relay and push shapes); empty to clear."), QStringLiteral("URL")},
        {QStringLiteral("shape"), QStringLiteral("pull, relay or push (inferred from the URLs when omitted)."), QStringLiteral("SHAPE")},
        {QStringLiteral("cache"), QStringLiteral("The cache repository's path (default <cache_root>/<name>.git)."), QStringLiteral("PATH")},
        {QStringLiteral("source-credential"), QStringLiteral("Name of the credential for the source; empty to clear."), QStringLiteral("NAME")},
        {QStringLiteral("target-credential"), QStringLiteral("Name of the credential for the target; empty to clear."), QStringLiteral("NAME")},
        {QStringLiteral("source-proxy"), QStringLiteral("Proxy for the source (http://host:port); empty for the default."), QStringLiteral("URL")},
        {QStringLiteral("target-proxy"), QStringLiteral("Proxy for the target (http://host:port); empty for the default."), QStringLiteral("URL")},
        {{QStringLiteral("interval"), QStringLiteral("interval-minutes")}, QStringLiteral("Minutes between scheduled syncs (default: the settings' default, 5)."), QStringLiteral("MIN")},
        {QStringLiteral("min-update-interval-seconds"), QStringLiteral("Least time between manual updates (default 60)."), QStringLiteral("SEC")},
        {QStringLiteral("protected-branch"), QStringLiteral("A protected-branch pattern (* matches any run, / included); repeatable; on edit the list replaces the stored one. "
                                                           "With --only-protected-branches only matching branches are mirrored: for a pull mirror this "
                                                           "is a filter, not protection (a matching branch rewritten upstream is still forced, its old "
                                                           "tip kept in the attic, unless --no-mirror-overwrites-diverged-branches)."), QStringLiteral("PATTERN")},
        {QStringLiteral("no-protected-branches"), QStringLiteral("Clear the protected-branch patterns.")},
        {QStringLiteral("mirror-branch-regex"), QStringLiteral("Mirror only branches whose short name matches this RE2 regex (unanchored); empty to clear."), QStringLiteral("RE")},
        {QStringLiteral("prune"), QStringLiteral("What to delete when refs go away: all, merged or none (default all for pull, merged otherwise)."), QStringLiteral("POLICY")},
        {QStringLiteral("mirror-tags"), QStringLiteral("Which tags to mirror: all, reachable or none (default all)."), QStringLiteral("POLICY")},
    });
    for (const BoolOption &option : kBoolOptions) {
        parser.addOption({opt(option.name), QString::fromLatin1(option.help)});
        parser.addOption({QStringLiteral("no-") + opt(option.name), QStringLiteral("Turn --%1 off.").arg(opt(option.name))});
    }
}

Status applyMirrorOptions(const QCommandLineParser &parser, Mirror &m, bool adding, QStringList *notes)
{
    auto isSet = [&parser](const char *name) { return parser.isSet(opt(name)); };
    auto value = [&parser](const char *name) { return parser.value(opt(name)); };
    for (const char *single : {"source", "target", "shape", "cache", "source-credential", "target-credential",
                               "source-proxy", "target-proxy", "interval", "min-update-interval-seconds",
                               "mirror-branch-regex", "prune", "mirror-tags"}) {
        if (parser.values(opt(single)).size() > 1)
            return optionError(opt(single), QStringLiteral("given more than once"));
    }

    for (const BoolOption &option : kBoolOptions) {
        const bool on = parser.isSet(opt(option.name));
        const bool off = parser.isSet(QStringLiteral("no-") + opt(option.name));
        if (on && off)
            return optionError(opt(option.name), QStringLiteral("cannot be combined with --no-%1").arg(opt(option.name)));
        if (on || off)
            m.*(option.field) = on;
    }

    if (isSet("source"))
        m.source.url = absoluteIfLocal(value("source"));
    if (isSet("target"))
        m.target.url = value("target").isEmpty() ? QString() : absoluteIfLocal(value("target"));
    for (const char *side : {"source", "target"}) {
        if (!isSet(side) || !notes)
            continue;
        if (const auto url = GitUrl::parse(value(side)); url && !url->ambiguityWarning().isEmpty())
            notes->append(QStringLiteral("warning: --%1: %2").arg(QLatin1String(side), url->ambiguityWarning()));
    }
    if (isSet("source-credential"))
        m.source.credential = value("source-credential");
    if (isSet("target-credential"))
        m.target.credential = value("target-credential");
    if (isSet("source-proxy"))
        m.source.proxy = value("source-proxy");
    if (isSet("target-proxy"))
        m.target.proxy = value("target-proxy");
    if (m.target.url.isEmpty()) {
        for (const char *option : {"target-credential", "target-proxy"}) {
            if (isSet(option) && !value(option).isEmpty())
                return optionError(opt(option), QStringLiteral("this mirror has no target"));
        }
        m.target = Endpoint{};
    }

    if (isSet("shape")) {
        const auto shape = shapeFromName(value("shape"));
        if (!shape)
            return optionError(QStringLiteral("shape"), QStringLiteral("\"%1\" is not one of pull, relay, push").arg(quoteInput(value("shape"))));
        m.shape = *shape;
    } else if (adding || isSet("source") || isSet("target")) {
        QString why;
        const Shape inferred = inferShape(m.source.url, m.target.url, &why);
        if (adding || inferred != m.shape) {
            m.shape = inferred;
            if (notes)
                notes->append(QStringLiteral("shape: %1; give --shape to choose another").arg(why));
        }
    }

    if (isSet("cache"))
        m.cachePath = value("cache").isEmpty() ? QString() : QDir::cleanPath(QDir::current().absoluteFilePath(value("cache")));

    if (isSet("interval")) {
        auto minutes = parseNumber(parser, QStringLiteral("interval"));
        if (!minutes)
            return minutes.error();
        m.intervalMinutes = *minutes;
    }
    if (isSet("min-update-interval-seconds")) {
        auto seconds = parseNumber(parser, QStringLiteral("min-update-interval-seconds"));
        if (!seconds)
            return seconds.error();
        m.minUpdateIntervalSeconds = *seconds;
    }
    if (isSet("protected-branch") && isSet("no-protected-branches"))
        return optionError(QStringLiteral("protected-branch"), QStringLiteral("cannot be combined with --no-protected-branches"));
    if (isSet("protected-branch"))
        m.protectedBranches = parser.values(QStringLiteral("protected-branch"));
    if (isSet("no-protected-branches"))
        m.protectedBranches.clear();
    if (isSet("mirror-branch-regex"))
        m.mirrorBranchRegex = value("mirror-branch-regex");
    if (isSet("prune")) {
        const auto prune = pruneFromName(value("prune"));
        if (!prune)
            return optionError(QStringLiteral("prune"), QStringLiteral("\"%1\" is not one of all, merged, none").arg(quoteInput(value("prune"))));
        m.prune = *prune;
    }
    if (isSet("mirror-tags")) {
        const auto tags = tagPolicyFromName(value("mirror-tags"));
        if (!tags)
            return optionError(QStringLiteral("mirror-tags"), QStringLiteral("\"%1\" is not one of all, reachable, none").arg(quoteInput(value("mirror-tags"))));
        m.mirrorTags = *tags;
    }
    return {};
}

} // namespace md::cli
