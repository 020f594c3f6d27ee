#include "ops/Snapshot.h"

#include "security/GitUrl.h"

#include <QCryptographicHash>
#include <QHash>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace md {

namespace {

// Runs work(begin, end) over [0, n) in chunks on up to idealThreadCount threads (this one among
// them), each taking the next chunk when done with one. Threads of its own, never a shared
// pool's: the caller may itself be a pool job, and waiting in a pool for that pool can hang.
template <typename Work>
void parallelChunks(qsizetype n, const Work &work)
{
    constexpr qsizetype kChunk = 256;
    const qsizetype chunks = (n + kChunk - 1) / kChunk;
    const qsizetype threads = std::min<qsizetype>(std::clamp(QThread::idealThreadCount(), 1, 8), chunks);
    std::atomic<qsizetype> next{0};
    auto run = [&] {
        for (qsizetype chunk = next++; chunk < chunks; chunk = next++)
            work(chunk * kChunk, std::min(n, (chunk + 1) * kChunk));
    };
    std::vector<std::thread> helpers;
    for (qsizetype t = 1; t < threads; ++t)
        helpers.emplace_back(run);
    run();
    for (std::thread &helper : helpers)
        helper.join();
}

void setDisplay(MirrorView &view, const Config &config, const QString &cacheRoot)
{
    const Mirror &mirror = view.mirror;
    view.sourceDisplay = GitUrl::scrub(mirror.source.url);
    view.targetDisplay = mirror.target.url.isEmpty() ? QString() : GitUrl::scrub(mirror.target.url);
    view.cachePath = mirror.effectiveCachePath(cacheRoot);
    view.intervalMinutes = mirror.effectiveIntervalMinutes(config.settings.defaultIntervalMinutes);
}

void readStatus(MirrorView &view, const StateStore &state)
{
    if (auto status = state.status(view.mirror.name)) {
        view.status = std::move(status).value();
        view.statusProblem.clear();
    } else {
        view.status = StatusRecord{};
        view.status.updateStatus = UpdateStatus::Failed;
        view.status.lastError = status.error().message;
        view.statusProblem = status.error().message;
    }
}

QByteArray digestOf(const std::optional<QByteArray> &data)
{
    return data ? QCryptographicHash::hash(*data, QCryptographicHash::Sha1) : QByteArray();
}

Snapshot failed(Error error)
{
    Snapshot snapshot;
    snapshot.error = std::move(error);
    return snapshot;
}

} // namespace

QList<MirrorView> refreshStatuses(const Config &config, const QString &stateDir)
{
    const StateStore state(stateDir);
    const QString cacheRoot = config.cacheRoot();
    QList<MirrorView> views(config.mirrors.size());
    MirrorView *out = views.data(); // detached once, here: the threads write disjoint elements
    parallelChunks(views.size(), [&](qsizetype begin, qsizetype end) {
        for (qsizetype i = begin; i < end; ++i) {
            out[i].mirror = config.mirrors.at(i);
            setDisplay(out[i], config, cacheRoot);
            readStatus(out[i], state);
        }
    });
    return views;
}

Snapshot loadSnapshot(const QString &configPath, const QString &stateDir)
{
    return reloadSnapshot(configPath, stateDir, Snapshot{});
}

Snapshot reloadSnapshot(const QString &configPath, const QString &stateDir, const Snapshot &previous, bool *unchanged)
{
    if (unchanged)
        *unchanged = false;
    const MirrorStore store(configPath);
    auto data = store.readBytes();
    if (!data)
        return failed(data.error());
    const QByteArray digest = digestOf(*data);
    if (previous.config && !previous.configDigest.isEmpty() && digest == previous.configDigest) {
        if (unchanged)
            *unchanged = true;
        return previous;
    }
    auto config = store.parse(*data);
    if (!config)
        return failed(config.error());

    Snapshot snapshot;
    snapshot.configDigest = digest;
    if (!previous.config) {
        snapshot.mirrors = refreshStatuses(*config, stateDir);
        snapshot.config = std::move(config).value();
        return snapshot;
    }
    // Kept names keep their status; the display is reused when nothing it depends on changed.
    const Config &before = *previous.config;
    const QString cacheRoot = config->cacheRoot();
    const bool sameDefaults = before.cacheRoot() == cacheRoot
        && before.settings.defaultIntervalMinutes == config->settings.defaultIntervalMinutes;
    QHash<QString, qsizetype> known;
    known.reserve(previous.mirrors.size());
    for (qsizetype i = 0; i < previous.mirrors.size(); ++i)
        known.insert(previous.mirrors.at(i).mirror.name, i);
    QList<MirrorView> views;
    views.reserve(config->mirrors.size());
    QList<qsizetype> unread;
    for (const Mirror &mirror : std::as_const(config->mirrors)) {
        const auto it = known.constFind(mirror.name);
        if (it == known.cend()) {
            MirrorView view;
            view.mirror = mirror;
            setDisplay(view, *config, cacheRoot);
            unread.append(views.size());
            views.append(std::move(view));
            continue;
        }
        MirrorView view = previous.mirrors.at(*it);
        if (!(sameDefaults && view.mirror == mirror)) {
            view.mirror = mirror;
            setDisplay(view, *config, cacheRoot);
        }
        views.append(std::move(view));
    }
    const StateStore state(stateDir);
    MirrorView *out = views.data();
    parallelChunks(unread.size(), [&](qsizetype begin, qsizetype end) {
        for (qsizetype i = begin; i < end; ++i)
            readStatus(out[unread.at(i)], state);
    });
    snapshot.mirrors = std::move(views);
    snapshot.config = std::move(config).value();
    return snapshot;
}

MirrorView viewOf(const Config &config, const Mirror &mirror)
{
    MirrorView view;
    view.mirror = mirror;
    setDisplay(view, config, config.cacheRoot());
    return view;
}

void readStatuses(const QList<MirrorView *> &views, const QString &stateDir)
{
    const StateStore state(stateDir);
    parallelChunks(views.size(), [&](qsizetype begin, qsizetype end) {
        for (qsizetype i = begin; i < end; ++i)
            readStatus(*views.at(i), state);
    });
}

SnapshotDiff diffSnapshots(const Snapshot &before, const Snapshot &after)
{
    SnapshotDiff diff;
    diff.configChanged = before.config != after.config;
    QHash<QString, int> index;
    index.reserve(before.mirrors.size());
    for (int i = 0; i < before.mirrors.size(); ++i)
        index.insert(before.mirrors.at(i).mirror.name, i);
    std::vector<bool> kept(before.mirrors.size(), false);
    for (int i = 0; i < after.mirrors.size(); ++i) {
        const MirrorView &view = after.mirrors.at(i);
        const auto it = index.constFind(view.mirror.name);
        if (it == index.cend()) {
            diff.added.append(i);
            continue;
        }
        kept[*it] = true;
        if (!before.mirrors.at(*it).sameDisplay(view))
            diff.changed.append({*it, i});
    }
    for (int i = 0; i < before.mirrors.size(); ++i) {
        if (!kept[i])
            diff.removed.append(i);
    }
    return diff;
}

} // namespace md
