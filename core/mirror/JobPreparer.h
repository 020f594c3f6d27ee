#pragma once

#include "mirror/CacheGuard.h"
#include "mirror/Checker.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>

namespace md {

// Job preparation, one asynchronous step per batch (DESIGN section 2): every mirror's job is
// built with its secrets read, each credential resolved once for the whole batch, and the
// results are delivered on this object's thread by a queued call, never re-entrantly and never
// from a pool thread. This is the one place where secret reads happen before jobs start (the
// keychain's asynchronous reads go here too).
class JobPreparer : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(QList<Result<MirrorJob>>)>;

    explicit JobPreparer(QObject *parent = nullptr);

    // `done` receives one result per mirror, in order. With `cachePaths`, each mirror's cache
    // path is checked by real path against everything it may not overlap (checkCachePaths, once
    // for the whole batch: O(n log n)), and a refused one fails its job: for updates.
    void prepare(const Config &config, const QList<Mirror> &mirrors, Done done,
                 std::optional<ProtectedPaths> cachePaths = std::nullopt);

    // prepare(), but the jobs are built (secret files read, cache paths resolved by real path) on
    // this object's own worker thread and `done` is called there: batch after batch, in the order
    // asked, never two at once. For a caller that hands the jobs on to thread-safe queues
    // (SyncEngine): building 10,000 jobs then costs the event loop nothing. Keychain reads still
    // start on this object's thread (QtKeychain's jobs live there).
    void prepareOnWorker(const Config &config, const QList<Mirror> &mirrors, Done done,
                         std::optional<ProtectedPaths> cachePaths = std::nullopt);
    // Waits until the worker has delivered every batch handed to it.
    void waitForWorker();
    // The worker runs below the priority of this object's thread (default true; see
    // SyncEngine::setLowPriorityWorkers()).
    void setLowPriority(bool low) { m_lowPriority = low; }

private:
    void build(const Config &config, const QList<Mirror> &mirrors, Done done, std::optional<ProtectedPaths> cachePaths,
               SecretCache secrets, bool onWorker);

    QThreadPool m_worker;
    std::atomic<bool> m_lowPriority{true};
};

} // namespace md
