#pragma once

#include "mirror/Config.h"
#include "mirror/JobPreparer.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>

namespace md {

// One branch a source advertises, and whether the mirror's filter (RefFilter, the engine's own)
// selects it.
struct BranchChoice {
    QString name;          // the short name ("main", "release/1.0")
    bool selected = false;
    QString reason = {};   // why not, when not selected (outside the filter, or a name git refuses)
};

struct BranchSelection {
    QList<BranchChoice> branches; // sorted by name
    int selected = 0;
};

// The branches among `refs` (refs/heads/*) with the filter of `mirror` applied. Pure.
BranchSelection selectBranches(const Mirror &mirror, const QList<RefTip> &refs);

// What a source advertised (HEAD, refs/heads/*, refs/tags/*).
struct SourceRefs {
    QList<RefTip> refs;
    QString headTarget;
    QString displayUrl; // scrubbed
};

// "Test connection": lists the source of a mirror as a check does (DESIGN section 2): the
// mirror's job is prepared by the JobPreparer (its credential's secret read there, a keychain
// read asynchronously; the host-key pins, the proxy and the settings' timeouts of `config`), and
// the source is listed with the engine's lister (protocol v2 where spoken) on the global thread
// pool, under a check's limits. `done` runs later on this object's thread, never when this
// object is gone; a newer list() or cancel() drops the answer of an older one, and the listing
// itself is told to stop (its cancel flag). The error is scrubbed.
class SourceLister : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(Result<SourceRefs>)>;

    explicit SourceLister(QObject *parent = nullptr);
    ~SourceLister() override;

    void list(const Config &config, const Mirror &mirror, Done done);
    void cancel();
    bool busy() const { return m_busy; }

private:
    void finish(quint64 generation, Result<SourceRefs> result, const Done &done);

    JobPreparer *m_preparer = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace md
