#include "ops/Snapshot.h"

#include "security/GitUrl.h"

namespace md {

QList<MirrorView> refreshStatuses(const Config &config, const QString &stateDir)
{
    const StateStore state(stateDir);
    QList<MirrorView> views;
    views.reserve(config.mirrors.size());
    const QString cacheRoot = config.cacheRoot();
    for (const Mirror &mirror : config.mirrors) {
        MirrorView view;
        view.mirror = mirror;
        view.sourceDisplay = GitUrl::scrub(mirror.source.url);
        view.targetDisplay = mirror.target.url.isEmpty() ? QString() : GitUrl::scrub(mirror.target.url);
        view.cachePath = mirror.effectiveCachePath(cacheRoot);
        view.intervalMinutes = mirror.effectiveIntervalMinutes(config.settings.defaultIntervalMinutes);
        if (auto status = state.status(mirror.name)) {
            view.status = *status;
        } else {
            view.status.updateStatus = UpdateStatus::Failed;
            view.status.lastError = status.error().message;
            view.statusProblem = status.error().message;
        }
        views.append(std::move(view));
    }
    return views;
}

Snapshot loadSnapshot(const QString &configPath, const QString &stateDir)
{
    Snapshot snapshot;
    auto config = MirrorStore(configPath).load();
    if (!config) {
        snapshot.error = config.error();
        return snapshot;
    }
    snapshot.mirrors = refreshStatuses(*config, stateDir);
    snapshot.config = std::move(config).value();
    return snapshot;
}

} // namespace md
