#pragma once

#include "mirror/Mirror.h"

#include <memory>

namespace re2 {
class RE2;
}

namespace md {

// Which refs a mirror moves (DESIGN section 3, "Ref rules"): only refs/heads/* and refs/tags/*;
// branches through protected_branches (GitLab's pattern dialect) or mirror_branch_regex (RE2,
// unanchored, on the short name); tags through mirror_tags.
class RefFilter {
public:
    enum class Verdict { Mirrored, Filtered, Rejected };

    explicit RefFilter(const Mirror &mirror);
    ~RefFilter();
    RefFilter(RefFilter &&) noexcept;
    RefFilter &operator=(RefFilter &&) noexcept;

    // Mirrored, Filtered (outside the mirror's filter) or Rejected (never mirrored: HEAD,
    // refs/pull/*, refs/merge-requests/*, peeled ^{} lines, names git refuses such as
    // "refs/heads/a..b", …). `reason` says why when not mirrored.
    Verdict classify(const QString &ref, QString *reason = nullptr) const;

    // GitLab's protected-branch dialect: `*` matches any run of characters, "/" included;
    // anchored at both ends; everything else literal.
    static bool matchesBranchPattern(const QString &pattern, const QString &branch);

private:
    bool branchSelected(const QString &branch) const;

    bool m_onlyProtected = false;
    QStringList m_patterns;
    std::unique_ptr<re2::RE2> m_regex;
    TagPolicy m_tags = TagPolicy::All;
};

} // namespace md
