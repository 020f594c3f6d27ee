#pragma once

#include "mirror/MirrorStore.h"

namespace md {

// The app-wide settings of DESIGN section 3, for every front end (the window's Preferences).

// Replaces the config's settings with `settings`: under the config lock the file is read again,
// the settings checked (validateSettings, then settingsFileProblems: the CA file readable, the
// cache root a folder) and the whole config validated, then written atomically. Everything else
// in the file (mirrors, credentials, host keys) is kept as it is on disk now, whatever another
// process wrote there meanwhile. Refused with the file byte-for-byte unchanged: invalid settings
// (category config, `field` the setting's JSON key), a corrupt or unreadable config, a config
// that does not validate with them (e.g. a cache root overlapping a mirror's cache). Blocking:
// call it off the UI thread. Returns the saved config.
Result<Config> saveSettings(const QString &configPath, const Settings &settings);

} // namespace md
