#include "mirror/JobPreparer.h"

#include "security/GitUrl.h"

namespace md {

JobPreparer::JobPreparer(QObject *parent)
    : QObject(parent)
{
}

void JobPreparer::prepare(const Config &config, const QList<Mirror> &mirrors, Done done)
{
    QMetaObject::invokeMethod(this, [config, mirrors, done = std::move(done)] {
        SecretCache secrets;
        QList<Result<MirrorJob>> jobs;
        jobs.reserve(mirrors.size());
        for (const Mirror &mirror : mirrors) {
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
