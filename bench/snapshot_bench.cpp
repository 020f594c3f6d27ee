// snapshot_bench — what the window's reload and a Check All cost in core, without the window:
// N mirrors (default 10,000) with three state files each in a temporary folder (BenchFleet), then
// the median of R runs (default 5) of
//   - MirrorStore::load (the config alone), loadSnapshot (config and every state: the window's
//     first read), refreshStatuses (every state again);
//   - reloadSnapshot when the config has not changed (a watcher event for the save's lock or
//     temporary file), and after a one-field edit (MirrorOps::edit, timed too), diffSnapshots;
//   - RunOps::check of all N on a QCoreApplication loop against 127.0.0.1:9 (refused at once, no
//     server needed): the check() call itself, the event loop's longest stall (10 ms watchdog) and
//     the wall time until the report. The event loop is the window's UI thread in the app.
// Usage: snapshot_bench [N=10000] [--runs R] [--no-check]. Figures only.
#include "BenchFleet.h"

#include "mirror/MirrorStore.h"
#include "mirror/SyncEngine.h"
#include "ops/MirrorOps.h"
#include "ops/RunOps.h"
#include "ops/Snapshot.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>

using namespace Qt::StringLiterals;
using namespace md::bench;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// Median wall time in ms of `runs` calls of `work` (`setup` untimed before each).
double median(int runs, const std::function<void()> &work, const std::function<void()> &setup = {})
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        if (setup)
            setup();
        QElapsedTimer timer;
        timer.start();
        work();
        times.append(timer.nsecsElapsed() / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

void row(const QString &what, double ms)
{
    out() << what.leftJustified(58) << QString::number(ms, 'f', 1).rightJustified(9) << " ms" << Qt::endl;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "mirrordesk.*.info=false;mirrordesk.*.debug=false;mirrordesk.*.warning=false");
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments().mid(1);
    int n = 10000;
    int runs = 5;
    bool runCheck = true;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == u"--runs"_s && i + 1 < args.size())
            runs = std::max(1, args.at(++i).toInt());
        else if (args.at(i) == u"--no-check"_s)
            runCheck = false;
        else if (args.at(i).toInt() > 0)
            n = args.at(i).toInt();
        else {
            std::fprintf(stderr, "usage: snapshot_bench [N=10000] [--runs R=5] [--no-check]\n");
            return 2;
        }
    }
    QTemporaryDir dir(QDir::tempPath() + u"/mdsnapshotbench-XXXXXX"_s);
    if (!dir.isValid() || !generateFleet(dir.path(), n, {u"git://127.0.0.1:9"_s}, n)) {
        std::fprintf(stderr, "cannot write the fleet\n");
        return 1;
    }
    const QString configPath = dir.filePath(u"mirrors.json"_s);
    const QString stateDir = dir.filePath(u"state"_s);
    out() << "== snapshot_bench: " << n << " mirrors, 3 state files each, median of " << runs << " runs, "
          << std::thread::hardware_concurrency() << " cores, " << QDateTime::currentDateTimeUtc().toString(Qt::ISODate) << Qt::endl;

    md::Snapshot snapshot;
    row(u"MirrorStore::load (config only)"_s, median(runs, [&] { (void)md::MirrorStore(configPath).load(); }));
    row(u"loadSnapshot (config + every state)"_s, median(runs, [&] { snapshot = md::loadSnapshot(configPath, stateDir); }));
    if (snapshot.mirrors.size() != n) {
        std::fprintf(stderr, "loadSnapshot: %lld mirrors, expected %d\n", static_cast<long long>(snapshot.mirrors.size()), n);
        return 1;
    }
    row(u"refreshStatuses (every state again)"_s, median(runs, [&] { (void)md::refreshStatuses(*snapshot.config, stateDir); }));
    bool unchanged = false;
    row(u"reloadSnapshot, config unchanged"_s, median(runs, [&] { (void)md::reloadSnapshot(configPath, stateDir, snapshot, &unchanged); }));
    if (!unchanged)
        out() << "  (unexpected: the config read as changed)" << Qt::endl;

    // One field of the mirror in the middle, alternating 7 and 8 so each run saves.
    int interval = 6;
    const QString target = nameOf(n / 2);
    md::MirrorOps ops(configPath, stateDir);
    row(u"MirrorOps::edit, one field (what `mirrordesk edit` runs)"_s, median(runs, [&] {
        interval = interval == 7 ? 8 : 7;
        (void)ops.edit(target, [&](md::Mirror &m) {
            m.intervalMinutes = interval;
            return md::Status{};
        }, false);
    }));
    md::Snapshot edited;
    md::Snapshot before = snapshot;
    row(u"reloadSnapshot after that edit (previous given)"_s, median(runs, [&] { edited = md::reloadSnapshot(configPath, stateDir, before); },
                                                                  [&] {
                                                                      interval = interval == 7 ? 8 : 7;
                                                                      (void)ops.edit(target, [&](md::Mirror &m) {
                                                                          m.intervalMinutes = interval;
                                                                          return md::Status{};
                                                                      }, false);
                                                                  }));
    row(u"  the same edit read by loadSnapshot (every state)"_s, median(runs, [&] { (void)md::loadSnapshot(configPath, stateDir); }));
    md::SnapshotDiff diff;
    row(u"diffSnapshots"_s, median(runs, [&] { diff = md::diffSnapshots(before, edited); }));
    out() << "  diff: " << diff.changed.size() << " changed, " << diff.added.size() << " added, " << diff.removed.size() << " removed" << Qt::endl;
    out() << "memory: " << memoryText() << Qt::endl;

    if (runCheck) {
        md::SyncEngine engine(stateDir);
        md::RunOps runOps(engine, stateDir);
        Watchdog watchdog;
        std::optional<md::RunReport> report;
        watchdog.reset();
        QElapsedTimer clock;
        clock.start();
        const auto started = runOps.check(*snapshot.config, {}, [&](const md::RunReport &r) { report = r; });
        const qint64 callMs = clock.elapsed();
        if (!started) {
            std::fprintf(stderr, "check: %s\n", qPrintable(started.error().text()));
            return 1;
        }
        const bool done = waitFor([&] { return report.has_value(); }, 30 * 60 * 1000);
        out() << "\n-- RunOps::check of all " << n << " (127.0.0.1:9, refused)\n"
              << "check() call:                " << callMs << " ms\n"
              << "report after:                " << (done ? QString::number(clock.elapsed()) + u" ms"_s : u"not within 30 min"_s) << "\n"
              << "event loop's longest stall:  " << QString::number(watchdog.longestMs(), 'f', 1) << " ms (" << watchdog.stallsText() << ")\n"
              << "memory: " << memoryText() << Qt::endl;
        if (!done)
            return 1;
    }
    return 0;
}
