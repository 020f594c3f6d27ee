#include "mirror/JobPreparer.h"

#include "platform/Platform.h"
#include "security/GitUrl.h"
#include "security/Keychain.h"

namespace md {

JobPreparer::JobPreparer(QObject *parent)
    : QObject(parent)
{
    m_worker.setMaxThreadCount(1); // one batch at a time, in order
}

namespace {

// The keychain credentials the batch's mirrors use, each once, by the credential's own name.
QStringList keychainCredentials(const Config &config, const QList<Mirror> &mirrors)
{
    QStringList names;
    QSet<QString> seen;
    for (const Mirror &mirror : mirrors) {
        for (const QString &name : {mirror.source.credential, mirror.target.credential}) {
            if (name.isEmpty())
                continue;
            const Credential *credential = config.credential(name);
            if (!credential)
                continue;
            const Credential *passphrase = credential->passphraseCredential.isEmpty()
                ? nullptr : config.credential(credential->passphraseCredential);
            for (const Credential *c : {credential, passphrase}) {
                if (!c || c->secretSource.kind != SecretSource::Kind::Keychain || seen.contains(c->name.toLower()))
                    continue;
                seen.insert(c->name.toLower());
                names.append(c->name);
            }
        }
    }
    return names;
}

QList<Result<MirrorJob>> makeJobs(const Config &config, const QList<Mirror> &mirrors, SecretCache secrets,
                                  const std::optional<ProtectedPaths> &cachePaths)
{
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
    return jobs;
}

} // namespace

void JobPreparer::prepare(const Config &config, const QList<Mirror> &mirrors, Done done, std::optional<ProtectedPaths> cachePaths)
{
    const QStringList fromKeychain = keychainCredentials(config, mirrors);
    if (fromKeychain.isEmpty()) {
        build(config, mirrors, std::move(done), std::move(cachePaths), {}, false);
        return;
    }
    // One asynchronous read per keychain credential, all at once, on this (the event loop's)
    // thread; the jobs are built when every answer is in.
    keychain::read(fromKeychain, this, [config, mirrors, done = std::move(done), cachePaths](QHash<QString, Result<QByteArray>> read) {
        SecretCache secrets;
        for (auto it = read.begin(); it != read.end(); ++it)
            secrets.insert(it.key(), it.value());
        done(makeJobs(config, mirrors, std::move(secrets), cachePaths));
    });
}

void JobPreparer::prepareOnWorker(const Config &config, const QList<Mirror> &mirrors, Done done, std::optional<ProtectedPaths> cachePaths)
{
    const QStringList fromKeychain = keychainCredentials(config, mirrors);
    if (fromKeychain.isEmpty()) {
        build(config, mirrors, std::move(done), std::move(cachePaths), {}, true);
        return;
    }
    keychain::read(fromKeychain, this, [this, config, mirrors, done = std::move(done), cachePaths](QHash<QString, Result<QByteArray>> read) {
        SecretCache secrets;
        for (auto it = read.begin(); it != read.end(); ++it)
            secrets.insert(it.key(), it.value());
        build(config, mirrors, done, cachePaths, std::move(secrets), true);
    });
}

void JobPreparer::build(const Config &config, const QList<Mirror> &mirrors, Done done, std::optional<ProtectedPaths> cachePaths,
                        SecretCache secrets, bool onWorker)
{
    if (onWorker) {
        m_worker.start([this, config, mirrors, done = std::move(done), cachePaths = std::move(cachePaths), secrets = std::move(secrets)] {
            if (m_lowPriority.load())
                platform::lowerCurrentThreadPriority(); // the event loop's thread goes first
            done(makeJobs(config, mirrors, secrets, cachePaths));
        });
        return;
    }
    // Delivered from the event loop even when nothing was asked of the keychain: never re-entrantly.
    QMetaObject::invokeMethod(this, [config, mirrors, done = std::move(done), cachePaths, secrets = std::move(secrets)] {
        done(makeJobs(config, mirrors, secrets, cachePaths));
    }, Qt::QueuedConnection);
}

void JobPreparer::waitForWorker()
{
    m_worker.waitForDone();
}

} // namespace md
