#include "mirror/HostQueue.h"

#include "security/SshKey.h"

#include <QThreadPool>

namespace md {

HostQueue::HostQueue(QThreadPool &pool, int perHost)
    : m_pool(pool)
    , m_perHost(std::max(1, perHost))
{
}

void HostQueue::setPerHost(int perHost)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    m_perHost = std::max(1, perHost);
}

void HostQueue::start(const QString &host, std::function<void()> job)
{
    {
        std::lock_guard<std::mutex> guard(m_mutex);
        if (m_running.value(host) >= m_perHost) {
            m_waiting[host].push_back(std::move(job));
            return;
        }
        ++m_running[host];
    }
    launch(host, std::move(job));
}

void HostQueue::launch(const QString &host, std::function<void()> job)
{
    m_pool.start([this, host, job = std::move(job)] {
        job();
        releaseThreadCryptoState();
        std::function<void()> next;
        {
            std::lock_guard<std::mutex> guard(m_mutex);
            auto waiting = m_waiting.find(host);
            if (waiting != m_waiting.end() && !waiting->empty()) {
                next = std::move(waiting->front());
                waiting->pop_front();
            } else {
                --m_running[host];
            }
        }
        if (next)
            launch(host, std::move(next)); // the host's slot passes to its next job
    });
}

void HostQueue::clear()
{
    std::lock_guard<std::mutex> guard(m_mutex);
    m_waiting.clear();
}

} // namespace md
