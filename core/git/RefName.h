#pragma once

#include <QString>

namespace md::git {

// Why `name` is not a ref name git accepts (git check-ref-format; libgit2's
// git_reference_name_is_valid gives the verdict), e.g. "contains \"..\"", or empty when it is
// valid. A server may advertise any bytes as a name ("refs/heads/../../etc", control characters,
// "x.lock"): such a ref is never fetched, written or counted. Pure; callable on any thread.
QString invalidRefNameReason(const QString &name);

} // namespace md::git
