#include "git/V2Lister.h"

#include "git/V2Transport.h"
#include "util/Scrub.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QThread>

#include <memory>
#include <optional>

namespace md::git {

namespace {

thread_local qint64 t_lastBytes = 0;

QMutex &caMutex()
{
    static QMutex mutex;
    return mutex;
}

QList<QSslCertificate> &caCertificates()
{
    static QList<QSslCertificate> certificates; // under caMutex()
    return certificates;
}

QString seconds(qint64 ms)
{
    return QStringLiteral("%1 s").arg(static_cast<double>(ms) / 1000.0);
}

bool startsWithScheme(const QString &url, const char *scheme)
{
    return url.startsWith(QLatin1String(scheme), Qt::CaseInsensitive);
}

} // namespace

namespace v2 {

CallLimits::CallLimits(const StreamLimits &limits, QString what)
    : m_limits(limits)
    , m_what(std::move(what))
    , m_connectStart(now())
    , m_lastActivity(m_connectStart)
{
}

QString CallLimits::expired(bool connecting) const
{
    const qint64 at = now();
    if (cancelled())
        return QStringLiteral("cancelled");
    if (m_limits.deadlineMs > 0 && at >= m_limits.deadlineMs)
        return QStringLiteral("the run reached its time limit");
    if (connecting && m_limits.connectTimeoutMs > 0 && at - m_connectStart >= m_limits.connectTimeoutMs)
        return QStringLiteral("connecting to %1 took longer than %2").arg(m_what, seconds(m_limits.connectTimeoutMs));
    if (!connecting && m_limits.stallTimeoutMs > 0 && at - m_lastActivity >= m_limits.stallTimeoutMs)
        return QStringLiteral("no data from %1 for %2").arg(m_what, seconds(m_limits.stallTimeoutMs));
    return {};
}

int CallLimits::sliceMs() const
{
    if (m_limits.deadlineMs <= 0)
        return kTickMs;
    return static_cast<int>(std::clamp<qint64>(m_limits.deadlineMs - now(), 1, kTickMs));
}

bool CallLimits::received(qint64 bytes)
{
    m_bytes += bytes;
    m_lastActivity = now();
    return m_limits.maxListingBytes <= 0 || m_bytes <= m_limits.maxListingBytes;
}

Error CallLimits::timeoutOrCancel(const QString &why, const QString &displayUrl) const
{
    if (why == QLatin1String("cancelled")) {
        Error error = failure(ErrorCategory::Network, QStringLiteral("%1: cancelled").arg(displayUrl));
        error.detail.insert(QStringLiteral("cancelled"), true);
        return error;
    }
    return failure(ErrorCategory::Timeout, QStringLiteral("%1 timed out: %2").arg(displayUrl, why));
}

Error CallLimits::tooLarge(const QString &displayUrl) const
{
    return failure(ErrorCategory::Network,
                   QStringLiteral("%1: the ref listing passed %2 bytes; stopped reading it (a server that lists refs without "
                                  "end, or far more than any repository has)")
                       .arg(displayUrl)
                       .arg(m_limits.maxListingBytes));
}

Error unsupported(const QString &displayUrl, const QString &why)
{
    Error error = failure(ErrorCategory::Network, QStringLiteral("%1: protocol v2 not available: %2").arg(displayUrl, why));
    error.detail.insert(QStringLiteral("v2_unsupported"), true);
    return error;
}

Error failure(ErrorCategory category, const QString &message)
{
    return Error{category, scrubText(message), {}, 0, 0};
}

std::optional<Error> checkAdvertisement(const QString &displayUrl, const AdvertisementParser &advertisement,
                                        const PktReader &reader, QByteArray *objectFormat)
{
    if (!advertisement.isV2())
        return unsupported(displayUrl, QStringLiteral("the server answered with a protocol v0 advertisement"));
    if (reader.pending() > 0)
        return parseFailure(displayUrl, QStringLiteral("capability advertisement"), QStringLiteral("data after its flush"), {}, false, false);
    if (!advertisement.hasLsRefs())
        return unsupported(displayUrl, QStringLiteral("the server does not offer ls-refs"));
    *objectFormat = advertisement.objectFormat();
    if (!objectFormat->isEmpty() && *objectFormat != "sha1")
        return unsupported(displayUrl, QStringLiteral("the repository uses the object format %1")
                                           .arg(printable(QString::fromLatin1(*objectFormat), 40)));
    return std::nullopt;
}

Error parseFailure(const QString &displayUrl, const QString &phase, const QString &why, const QString &serverError,
                   bool invalidRefName, bool cut)
{
    if (cut)
        return failure(ErrorCategory::Network, QStringLiteral("%1 lists %2").arg(displayUrl, why));
    if (!serverError.isEmpty()) {
        const QString lower = serverError.toLower();
        const bool missing = lower.contains(QLatin1String("not found")) || lower.contains(QLatin1String("not exported"))
            || lower.contains(QLatin1String("does not appear to be a git repository")) || lower.contains(QLatin1String("no such"));
        return failure(missing ? ErrorCategory::NotFound : ErrorCategory::Rejected,
                       QStringLiteral("%1: %2: %3").arg(displayUrl, phase, why));
    }
    Error error = failure(ErrorCategory::Network, QStringLiteral("%1: malformed %2: %3").arg(displayUrl, phase, why));
    if (invalidRefName)
        error.detail.insert(QStringLiteral("invalid_ref_name"), true);
    return error;
}

QList<QSslCertificate> extraCaCertificates()
{
    QMutexLocker lock(&caMutex());
    return caCertificates();
}

} // namespace v2

Result<RemoteListing> listRefsV2(const RemoteAccess &access, const StreamLimits &limits, const QStringList &prefixes)
{
    t_lastBytes = 0;
    if (const QString why = v2::invalidPrefixReason(prefixes); !why.isEmpty())
        return Error::usage(QStringLiteral("cannot list refs of %1: %2").arg(access.displayUrl, why));
    const bool http = startsWithScheme(access.url, "http://") || startsWithScheme(access.url, "https://");
    if (!http && !startsWithScheme(access.url, "git://"))
        return v2::unsupported(access.displayUrl, QStringLiteral("only http://, https:// and git:// are listed over protocol v2"));
    v2::CallLimits call(limits, access.hostPort.isEmpty() ? access.displayUrl : access.hostPort);
    auto list = [&] { return http ? v2::listOverHttp(access, call, prefixes) : v2::listOverGit(access, call, prefixes); };
    // Both transports wait in a local event loop on this thread. Never on the main thread, where
    // it would re-enter the UI: there the call runs on a helper thread, and the caller blocks as
    // it would in listRemote().
    const QCoreApplication *application = QCoreApplication::instance();
    if (application && QThread::currentThread() == application->thread()) {
        std::optional<Result<RemoteListing>> result;
        std::unique_ptr<QThread> helper(QThread::create([&] { result.emplace(list()); }));
        helper->start();
        helper->wait();
        t_lastBytes = call.bytesReceived();
        return std::move(*result);
    }
    Result<RemoteListing> result = list();
    t_lastBytes = call.bytesReceived();
    return result;
}

QStringList mirroredRefPrefixes()
{
    return {QStringLiteral("refs/heads/"), QStringLiteral("refs/tags/")};
}

bool isV2Unsupported(const Error &error)
{
    return error.detail.value(QStringLiteral("v2_unsupported")).toBool();
}

qint64 lastV2BytesReceived()
{
    return t_lastBytes;
}

Status setV2CaFile(const QString &path)
{
    QList<QSslCertificate> certificates;
    if (!path.isEmpty()) {
        if (!QFileInfo(path).isFile())
            return Error{ErrorCategory::Tls, QStringLiteral("cannot use ca_file %1: no such file").arg(path), {}, 0, 0};
        certificates = QSslCertificate::fromPath(path, QSsl::Pem);
        if (certificates.isEmpty())
            return Error{ErrorCategory::Tls, QStringLiteral("cannot use ca_file %1: it holds no PEM certificate").arg(path), {}, 0, 0};
    }
    QMutexLocker lock(&caMutex());
    caCertificates() = certificates;
    return {};
}

} // namespace md::git
