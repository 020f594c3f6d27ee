#pragma once

#include "mirror/SyncEngine.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace md {

// Selects mirrors by name, the one rule for every front end: each once, in the order given,
// names compared ignoring case (as they are unique ignoring case); no name means every mirror.
// An unknown name is a usage error naming it.
Result<QList<Mirror>> selectMirrors(const Config &config, const QStringList &names);

// std::optional's reading interface over a value kept on the heap (shared, immutable): a batch of
// 10,000 entries waiting for their results takes 3 MB instead of 22 MB (an inline CheckOutcome and
// UpdateOutcome are 1.5 KB), which Check All used to fault in on the window's thread.
template <typename T>
class SharedOptional {
public:
    SharedOptional() = default;
    SharedOptional(std::nullopt_t) {}
    SharedOptional(const T &value) : m_value(std::make_shared<const T>(value)) {}
    SharedOptional(T &&value) : m_value(std::make_shared<const T>(std::move(value))) {}
    SharedOptional(const std::optional<T> &value) : m_value(value ? std::make_shared<const T>(*value) : nullptr) {}

    bool has_value() const { return m_value != nullptr; }
    explicit operator bool() const { return has_value(); }
    const T &operator*() const { return *m_value; }
    const T *operator->() const { return m_value.get(); }
    const T &value() const
    {
        if (!m_value)
            throw std::bad_optional_access();
        return *m_value;
    }
    T value_or(T fallback) const { return m_value ? *m_value : std::move(fallback); }
    void reset() { m_value.reset(); }

private:
    std::shared_ptr<const T> m_value;
};

// One selected mirror's line in a batch report.
struct RunEntry {
    Mirror mirror;
    SkipReason skip = SkipReason::None;
    QString skipText;                       // the reason in words ("disabled", "not due until …", "running (…)")
    SharedOptional<CheckOutcome> check;     // a check's result (also for a setup error)
    SharedOptional<UpdateOutcome> update;   // an update's or plan's result
    // The recorded status as `update --due` read it to decide (with its check), for a mirror that
    // then did not run: a report need not read the state again.
    SharedOptional<StatusRecord> recorded = {};
};

struct RunReport {
    QList<RunEntry> entries;
};

// What a check batch asks of each of its jobs.
struct CheckOptions {
    int timeoutSeconds = 0; // each mirror's whole check (0: kDefaultCheckTimeoutSeconds)
};

// The runs every front end shares (DESIGN section 2, RunOps): choose the mirrors, skip what must
// not run (disabled unless named, not due for --due, busy), hand the rest to the SyncEngine as one
// batch, and report every selected mirror once when its batch is over. Plan = update --dry-run.
// Lives on the engine's thread; `done` is always called later, from the event loop.
class RunOps : public QObject {
    Q_OBJECT
public:
    RunOps(SyncEngine &engine, QString stateDir, QObject *parent = nullptr);

    struct UpdateOptions {
        bool due = false; // only mirrors whose next run is due (the scheduler's decision)
        BatchOptions batch;
    };
    using Done = std::function<void(const RunReport &)>;

    // Check the named mirrors (every mirror when none is named; disabled ones are then skipped).
    // Returns how many were started.
    Result<int> check(const Config &config, const QStringList &names, Done done = {}, const CheckOptions &options = {});
    // Update (or plan, with batch.dryRun) the named mirrors, as `check` selects them.
    Result<int> update(const Config &config, const QStringList &names, const UpdateOptions &options, Done done = {});
    // "Update now" of one mirror (the window's button, later webhooks): refused, with the reason,
    // while it is busy in this process or its min_update_interval_seconds since the last Update
    // now has not passed. A mirror another process is updating ends as skipped: running.
    Status updateNow(const Config &config, const QString &name);
    // The start of the mirror's last Update now in this process (invalid: none): with
    // decideManualUpdate, when the next one is allowed.
    QDateTime lastManualUpdate(const QString &name) const { return m_lastManualUpdate.value(name); }
    // The engine the batches run on (its signals report each job; cancel() stops one).
    SyncEngine &engine() const { return m_engine; }

private:
    struct Batch {
        QList<RunEntry> entries;
        QHash<QString, qsizetype> waiting; // name -> index of an entry still running
        Done done;
    };
    Result<int> startBatch(JobKind kind, const Config &config, QList<RunEntry> entries, const BatchOptions &options, Done done);
    void onFinished(const QString &name, const std::optional<CheckOutcome> &check, const std::optional<UpdateOutcome> &update);
    void complete(std::shared_ptr<Batch> batch);

    SyncEngine &m_engine;
    QString m_stateDir;
    QHash<QString, std::shared_ptr<Batch>> m_running; // name -> its batch
    QHash<QString, QDateTime> m_lastManualUpdate;     // name -> start of its last Update now
};

} // namespace md
