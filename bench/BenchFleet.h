#pragma once

// Shared by the benches built with the libraries (window_bench, snapshot_bench): a fleet of N
// mirrors with their state written as MirrorDesk writes it, a UI-thread watchdog, waiting on an
// event loop, and the process's memory. Figures only: nothing here passes or fails on time.

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace md::bench {

// "org-K/repo-M", 25 per org (as config_bench.sh and make_fleet.py name them).
QString nameOf(int k);

// DIR/mirrors.json with N pull mirrors (configToJson, cache root DIR/caches), mirror k's source
// `<urls[k % urls.size()]>/r<k % repos>.git`, and three state files per mirror in StateStore's
// layout: a finished status, a 5-run history, an in-sync last check. False if a write failed.
bool generateFleet(const QString &dir, int n, const QStringList &urls, int repos);

// The longest gap between two ticks of a 10 ms timer since the last reset(): how long the thread
// that owns it was busy at most (a tick more than 10 ms late means it was busy, or waited for a
// core). Each stall over 30 ms is kept with that thread's own CPU time in it.
class Watchdog : public QObject {
public:
    Watchdog();
    void reset();
    // Counts the time since the last tick too (a phase may end in the middle of a stall).
    double longestMs() const;
    qint64 ticks() const { return m_ticks; }
    // The longest stalls of the phase (over 30 ms), longest first: "D ms at T ms (cpu C)".
    QString stallsText(int count = 5) const;

private:
    struct Stall {
        qint64 start; // since the phase began, ns
        qint64 length;
        qint64 cpu;   // the thread's CPU time in it
    };
    static qint64 threadCpuNs();
    static constexpr qint64 kNotedNs = 30 * 1000 * 1000;

    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_last = 0;
    qint64 m_longest = 0;
    qint64 m_ticks = 0;
    qint64 m_phase = 0;
    qint64 m_lastCpu = 0;
    QList<Stall> m_stalls;
};

// Runs an event loop until `done()` (asked every 5 ms) or `timeoutMs` (false then). The thread
// sleeps in between, as an application's own loop does: a loop of processEvents() calls would
// spin, and a spinning thread is preempted by the scheduler like any busy one (10 ms gaps).
bool waitFor(const std::function<bool()> &done, int timeoutMs);

// "VmHWM …, VmRSS …" of this process (Linux /proc/self/status; "-" elsewhere).
QString memoryText();

} // namespace md::bench
