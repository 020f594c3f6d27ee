#include "ops/SourceBranches.h"

#include "git/GitLibrary.h"
#include "git/RemoteLister.h"
#include "mirror/RefFilter.h"
#include "security/GitUrl.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include "security/SshKey.h"

#include <QThreadPool>

#include <algorithm>

namespace md {

BranchSelection selectBranches(const Mirror &mirror, const QList<RefTip> &refs)
{
    static const QLatin1String heads("refs/heads/");
    const RefFilter filter(mirror);
    BranchSelection selection;
    for (const RefTip &tip : refs) {
        if (!tip.name.startsWith(heads))
            continue;
        BranchChoice choice;
        choice.name = tip.name.mid(heads.size());
        choice.selected = filter.classify(tip.name, &choice.reason) == RefFilter::Verdict::Mirrored;
        if (choice.selected) {
            choice.reason.clear();
            ++selection.selected;
        }
        selection.branches.append(choice);
    }
    std::sort(selection.branches.begin(), selection.branches.end(),
              [](const BranchChoice &a, const BranchChoice &b) { return a.name < b.name; });
    return selection;
}

SourceLister::SourceLister(QObject *parent)
    : QObject(parent)
    , m_preparer(new JobPreparer(this))
{
}

SourceLister::~SourceLister()
{
    cancel();
}

void SourceLister::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
    m_cancel.reset();
    ++m_generation;
    m_busy = false;
}

void SourceLister::finish(quint64 generation, Result<SourceRefs> result, const Done &done)
{
    if (generation != m_generation)
        return; // cancelled, or a newer listing runs
    m_busy = false;
    m_cancel.reset();
    if (!result) {
        Error error = result.error();
        error.message = GitUrl::scrubText(error.message);
        done(error);
        return;
    }
    done(std::move(result));
}

void SourceLister::list(const Config &config, const Mirror &mirror, Done done)
{
    cancel();
    const quint64 generation = m_generation;
    auto flag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = flag;
    m_busy = true;
    // Only the source is listed: the job is prepared for a pull mirror of the same source, so a
    // target's secret is not read for it.
    Mirror probe = mirror;
    probe.shape = Shape::Pull;
    probe.target = Endpoint{};
    QPointer<SourceLister> self(this);
    m_preparer->prepare(config, {probe}, [self, generation, flag, done](QList<Result<MirrorJob>> jobs) {
        if (!self || generation != self->m_generation)
            return;
        if (jobs.isEmpty() || !jobs.first()) {
            self->finish(generation, jobs.isEmpty() ? Error::usage(QStringLiteral("nothing to list")) : jobs.first().error(), done);
            return;
        }
        // Initialised once per process (no option changes: the engine sets those while no job runs).
        if (auto status = git::GitLibrary::initialize(git::GitOptions{}); !status) {
            self->finish(generation, status.error(), done);
            return;
        }
        const git::RemoteAccess access = jobs.first()->source;
        git::StreamLimits limits = checkLimits(jobs.first()->limits);
        QThreadPool::globalInstance()->start([self, generation, flag, done, access, limits]() mutable {
            limits.cancel = flag.get(); // `flag` lives as long as this task
            auto listed = git::listMirroredRefs(access, limits);
            releaseThreadCryptoState();
            Result<SourceRefs> result = listed ? Result<SourceRefs>(SourceRefs{listed->refs, listed->headTarget, access.displayUrl})
                                               : Result<SourceRefs>(listed.error());
            QMetaObject::invokeMethod(qApp, [self, generation, done, result = std::move(result)]() mutable {
                if (self)
                    self->finish(generation, std::move(result), done);
            }, Qt::QueuedConnection);
        });
    });
}

} // namespace md
