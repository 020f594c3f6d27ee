#include "BenchFleet.h"

#include "mirror/Config.h"
#include "mirror/StatusRecord.h"
#include "util/Names.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <ctime>

using namespace Qt::StringLiterals;

namespace md::bench {

namespace {

QString procStatus(const char *key)
{
    QFile file(u"/proc/self/status"_s);
    if (!file.open(QIODevice::ReadOnly))
        return u"-"_s;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key))
            return QString::fromLatin1(line.mid(qstrlen(key)).simplified());
    }
    return u"-"_s;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

} // namespace

QString memoryText()
{
    return u"VmHWM %1, VmRSS %2"_s.arg(procStatus("VmHWM:"), procStatus("VmRSS:"));
}

QString nameOf(int k)
{
    return u"org-%1/repo-%2"_s.arg(k / 25 + 1).arg(k % 25 + 1);
}

// The config and three state files per mirror, as MirrorDesk writes them.
bool generateFleet(const QString &dir, int n, const QStringList &urls, int repos)
{
    md::Config config;
    config.settings.cacheRoot = dir + u"/caches"_s;
    config.mirrors.reserve(n);
    for (int k = 0; k < n; ++k) {
        md::Mirror mirror;
        mirror.name = nameOf(k);
        mirror.source.url = urls.at(k % urls.size()) + u"/r%1.git"_s.arg(k % repos);
        config.mirrors.append(mirror);
    }
    if (!writeFile(dir + u"/mirrors.json"_s, md::configToJson(config)))
        return false;

    // Two minutes ago: with the default 5-minute interval nothing is due while the bench runs (the
    // window is the scheduler; a fleet that is all due would start 10,000 updates at its first tick).
    const QDateTime at = QDateTime::currentDateTimeUtc().addSecs(-120);
    md::StatusRecord status;
    status.updateStatus = md::UpdateStatus::Finished;
    status.lastUpdateStartedAt = at;
    status.lastUpdateAt = at.addMSecs(17);
    status.lastSuccessfulUpdateAt = at.addMSecs(17);
    QJsonArray runs;
    for (int r = 0; r < 5; ++r) {
        md::RunRecord run;
        run.startedAt = at.addSecs(-300 * (5 - r));
        run.durationMs = 17 + r;
        run.refCounts.insert(md::RefAction::UpToDate, 2);
        runs.append(md::runToJson(run));
    }
    md::StatusRecord withCheck;
    md::CheckRecord check;
    check.state = md::CheckState::InSync;
    check.checkedAt = at.addSecs(60);
    check.sourceFingerprint = check.targetFingerprint = u"31d09906208123ee759cf88ada1ae01d0dc2aa7ca7f65566680f61cfd376f482"_s;
    check.sourceHead = check.targetHead = u"refs/heads/main"_s;
    withCheck.lastCheck = check;
    const QByteArray statusFile = QJsonDocument(QJsonObject{{u"status"_s, md::statusToJson(status)}}).toJson(QJsonDocument::Compact);
    const QByteArray historyFile = QJsonDocument(QJsonObject{{u"history"_s, runs}}).toJson(QJsonDocument::Compact);
    const QByteArray checkFile = QJsonDocument(QJsonObject{{u"last_check"_s, md::statusToJson(withCheck).value(u"last_check"_s)}})
                                     .toJson(QJsonDocument::Compact);
    const QString state = dir + u"/state/"_s;
    if (!QDir().mkpath(state + u".locks"_s))
        return false;
    for (int k = 0; k < n; ++k) {
        const QString base = state + md::encodeNameForFile(nameOf(k));
        if (!writeFile(base + u".json"_s, statusFile) || !writeFile(base + u"+history.json"_s, historyFile)
            || !writeFile(base + u"+check.json"_s, checkFile))
            return false;
    }
    return true;
}

Watchdog::Watchdog()
{
    m_clock.start();
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(10);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        m_longest = std::max(m_longest, now - m_last);
        if (now - m_last > kNotedNs)
            m_stalls.append({m_last - m_phase, now - m_last, cpu - m_lastCpu});
        m_last = now;
        m_lastCpu = cpu;
        ++m_ticks;
    });
    m_timer.start();
}

void Watchdog::reset()
{
    m_last = m_phase = m_clock.nsecsElapsed();
    m_lastCpu = threadCpuNs();
    m_longest = 0;
    m_ticks = 0;
    m_stalls.clear();
}

double Watchdog::longestMs() const
{
    return std::max(m_longest, m_clock.nsecsElapsed() - m_last) / 1e6;
}

QString Watchdog::stallsText(int count) const
{
    QList<Stall> stalls = m_stalls;
    std::sort(stalls.begin(), stalls.end(), [](const Stall &a, const Stall &b) { return a.length > b.length; });
    QStringList parts;
    for (qsizetype i = 0; i < stalls.size() && i < count; ++i)
        parts.append(u"%1 ms at %2 ms (cpu %3)"_s.arg(stalls.at(i).length / 1000000).arg(stalls.at(i).start / 1000000).arg(stalls.at(i).cpu / 1000000));
    return parts.isEmpty() ? u"none over 30 ms"_s : u"%1 over 30 ms; longest: %2"_s.arg(stalls.size()).arg(parts.join(u", "_s));
}

qint64 Watchdog::threadCpuNs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    const QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer check;
    check.setInterval(5);
    bool met = false;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            met = true;
            loop.quit();
        } else if (deadline.hasExpired()) {
            loop.quit();
        }
    });
    check.start();
    loop.exec();
    return met;
}

} // namespace md::bench
