#pragma once

#include "util/Result.h"

namespace md::git {

// Turns a failed libgit2 call into an error value: libgit2's class, code and message read with
// git_error_last() on this (the failing) thread, a category, URLs scrubbed. `what` says what was
// being done ("listing refs of origin").
Error lastError(int code, const QString &what);

// Categorises a libgit2 failure (exposed for tests).
ErrorCategory categorize(int code, int errorClass, const QString &message);

} // namespace md::git
