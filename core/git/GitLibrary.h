#pragma once

#include "util/Result.h"

namespace md::git {

// libgit2 initialised once per process, its global options set before any worker starts:
// fsync of the git directory, the CA file (libgit2's and the protocol-v2 lister's), the user
// agent, and the timeout socket stream.
// The process-wide options libgit2 takes (set only while no job runs).
struct GitOptions {
    QString caFile; // extra CA certificates for HTTPS; empty: the system's
};

class GitLibrary {
public:
    static Status initialize(const GitOptions &options);
};

// Keeps libgit2 initialised while it lives (git_libgit2_init is reference-counted), for the few
// calls made outside a sync (reading a cache's marker at add, edit, import and remove).
class GitInit {
public:
    GitInit();
    ~GitInit();
    GitInit(const GitInit &) = delete;
    GitInit &operator=(const GitInit &) = delete;
};

} // namespace md::git
