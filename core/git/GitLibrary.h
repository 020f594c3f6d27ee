#pragma once

#include "mirror/Settings.h"

namespace md::git {

// libgit2 initialised once per process, its global options set before any worker starts:
// fsync of the git directory, the CA file, the user agent, and the timeout socket stream.
class GitLibrary {
public:
    static Status initialize(const Settings &settings);
};

} // namespace md::git
