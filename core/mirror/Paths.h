#pragma once

#include <QString>

namespace md::paths {

// Where things live (DESIGN section 3). An explicit value (a command-line option) wins, then
// the environment variable, then the platform default.
QString configFile(const QString &explicitPath = {});   // $MIRRORDESK_CONFIG, <AppConfigLocation>/mirrors.json
QString stateDir(const QString &explicitPath = {});     // $MIRRORDESK_STATE_DIR, <AppLocalDataLocation>/state
QString defaultCacheRoot();                             // <AppLocalDataLocation>/caches

} // namespace md::paths
