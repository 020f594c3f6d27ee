#include "mirror/RefFilter.h"

#include "git/RefName.h"

#include <re2/re2.h>

namespace md {

RefFilter::RefFilter(const Mirror &mirror)
    : m_onlyProtected(mirror.onlyProtectedBranches)
    , m_patterns(mirror.protectedBranches)
    , m_tags(mirror.mirrorTags)
{
    if (!mirror.mirrorBranchRegex.isEmpty()) {
        RE2::Options options;
        options.set_log_errors(false);
        const std::string pattern = mirror.mirrorBranchRegex.toStdString();
        m_regex = std::make_unique<re2::RE2>(pattern, options);
        // validateMirror refuses what RE2 refuses; an invalid one here selects nothing.
    }
}

RefFilter::~RefFilter() = default;
RefFilter::RefFilter(RefFilter &&) noexcept = default;
RefFilter &RefFilter::operator=(RefFilter &&) noexcept = default;

bool RefFilter::matchesBranchPattern(const QString &pattern, const QString &branch)
{
    // Iterative wildcard match with backtracking to the last '*': linear in practice, no regex.
    qsizetype p = 0, b = 0, star = -1, mark = 0;
    while (b < branch.size()) {
        if (p < pattern.size() && pattern.at(p) == QLatin1Char('*')) {
            star = p++;
            mark = b;
        } else if (p < pattern.size() && pattern.at(p) == branch.at(b)) {
            ++p;
            ++b;
        } else if (star >= 0) {
            p = star + 1;
            b = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern.at(p) == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

bool RefFilter::branchSelected(const QString &branch) const
{
    if (m_onlyProtected) {
        for (const QString &pattern : m_patterns) {
            if (matchesBranchPattern(pattern, branch))
                return true;
        }
        return false;
    }
    if (m_regex) {
        if (!m_regex->ok())
            return false;
        const std::string name = branch.toStdString();
        return RE2::PartialMatch(name, *m_regex);
    }
    return true;
}

RefFilter::Verdict RefFilter::classify(const QString &ref, QString *reason) const
{
    auto say = [reason](const QString &text) {
        if (reason)
            *reason = text;
    };
    if (ref.endsWith(QLatin1String("^{}"))) {
        say(QStringLiteral("peeled tag line"));
        return Verdict::Rejected;
    }
    // A name git would refuse (a server may advertise anything) is never fetched or written.
    if (ref.startsWith(QLatin1String("refs/heads/")) || ref.startsWith(QLatin1String("refs/tags/"))) {
        if (const QString why = git::invalidRefNameReason(ref); !why.isEmpty()) {
            say(QStringLiteral("invalid ref name: %1").arg(why));
            return Verdict::Rejected;
        }
    }
    if (ref.startsWith(QLatin1String("refs/heads/"))) {
        const QString branch = ref.mid(11);
        if (branchSelected(branch))
            return Verdict::Mirrored;
        say(m_onlyProtected ? QStringLiteral("not a protected branch") : QStringLiteral("does not match mirror_branch_regex"));
        return Verdict::Filtered;
    }
    if (ref.startsWith(QLatin1String("refs/tags/"))) {
        if (m_tags == TagPolicy::None) {
            say(QStringLiteral("tags are not mirrored (mirror_tags=none)"));
            return Verdict::Filtered;
        }
        return Verdict::Mirrored; // "reachable" is decided by the plan, which knows the ancestry
    }
    if (ref == QLatin1String("HEAD"))
        say(QStringLiteral("HEAD is not mirrored; the cache's HEAD follows the source's default branch"));
    else if (ref.startsWith(QLatin1String("refs/pull/")) || ref.startsWith(QLatin1String("refs/merge-requests/")))
        say(QStringLiteral("pull/merge request refs belong to the host"));
    else if (ref.startsWith(QLatin1String("refs/keep-around/")))
        say(QStringLiteral("host-internal ref"));
    else if (ref.startsWith(QLatin1String("refs/mirrordesk/")))
        say(QStringLiteral("MirrorDesk's own attic"));
    else
        say(QStringLiteral("only branches and tags are mirrored"));
    return Verdict::Rejected;
}

} // namespace md
