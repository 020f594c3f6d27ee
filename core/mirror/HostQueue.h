#pragma once

#include <QHash>
#include <QString>

#include <deque>
#include <functional>
#include <mutex>

class QThreadPool;

namespace md {

// Runs jobs on a QThreadPool with at most `perHost` of them per host at a time (DESIGN section
// 3, per_host_concurrency). A job waiting for its host holds no pool thread: when a job ends, the
// next one of its host is started, so mirrors of other hosts are never starved. Thread-safe;
// must outlive the jobs it started (wait for the pool, or clear() then wait).
class HostQueue {
public:
    HostQueue(QThreadPool &pool, int perHost);

    void start(const QString &host, std::function<void()> job);
    // Drops the jobs still waiting for their host (running ones finish).
    void clear();
    void setPerHost(int perHost);

private:
    void launch(const QString &host, std::function<void()> job);

    QThreadPool &m_pool;
    std::mutex m_mutex;
    int m_perHost;
    QHash<QString, int> m_running;
    QHash<QString, std::deque<std::function<void()>>> m_waiting;
};

} // namespace md
