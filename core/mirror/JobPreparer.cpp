#include "mirror/JobPreparer.h"

#include "security/GitUrl.h"

namespace md {

JobPreparer::JobPreparer(QObject *parent)
    : QObject(parent)
{
}

void JobPreparer::prepare(const Config &config, const QList<Mirror> &mirrors, Done done, std::optional<ProtectedPaths> cachePaths)
{
    QMetaObject::invokeMethod(this, [config, mirrors, done = std::move(done), cachePaths] {
        SecretCache secrets;
        QList<Result<MirrorJob>> jobs;
        jobs.reserve(mirrors.size());
        QHash<QString, Error> refusedCaches;
        if (cachePaths) {
            const auto refused = checkCachePaths(config, *cachePaths);
            for (qsizetype i = 0; i < refused.size(); ++i) {
                if (refused.at(i))
                    refusedCaches.insert(config.mirrors.at(i).name, *refused.at(i));
            }
        }
        for (const Mirror &mirror : mirrors) {
            if (const auto it = refusedCaches.constFind(mirror.name); it != refusedCaches.cend()) {
                Error error = *it;
                error.message = GitUrl::scrubText(error.text());
                error.field.clear();
                jobs.append(error);
                continue;
            }
            auto job = makeMirrorJob(config, mirror, &secrets);
            if (!job) {
                Error error = job.error();
                error.message = GitUrl::scrubText(error.text());
                error.field.clear();
                jobs.append(error);
                continue;
            }
            jobs.append(std::move(job));
        }
        done(std::move(jobs));
    }, Qt::QueuedConnection);
}

} // namespace md
