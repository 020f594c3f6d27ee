#pragma once

#include "util/Result.h"

namespace md::git {

// libgit2 initialised once per process, its global options set before any worker starts:
// fsync of the git directory, the CA file, the user agent, and the timeout socket stream.
// The process-wide options libgit2 takes (set only while no job runs).
struct GitOptions {
    QString caFile; // extra CA certificates for HTTPS; empty: the system's
};

class GitLibrary {
public:
    static Status initialize(const GitOptions &options);
};

} // namespace md::git
