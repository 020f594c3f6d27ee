#include "ops/SettingsOps.h"

namespace md {

Result<Config> saveSettings(const QString &configPath, const Settings &settings)
{
    // The values first: nothing is locked or read for settings that can never be saved.
    if (auto status = validateSettings(settings); !status)
        return status.error();
    if (const QList<Error> problems = settingsFileProblems(settings); !problems.isEmpty())
        return problems.first();
    return MirrorStore(configPath).modify([&](Config &config) -> Status {
        config.settings = settings;
        return {};
    });
}

} // namespace md
