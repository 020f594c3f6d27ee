#pragma once

// Internal to the protocol-v2 lister (V2Lister.cpp, V2Http.cpp, V2GitDaemon.cpp): the pieces
// both transports share. Not for use outside core/git.

#include "git/V2Lister.h"
#include "git/V2Protocol.h"

#include <QDateTime>
#include <QList>
#include <QSslCertificate>

namespace md::git::v2 {

// How often a blocked wait looks at the cancel flag, the deadline and the stall clock.
constexpr int kTickMs = 100;

// The clocks of one listRefsV2() call: connect, stall (time since the last byte), the run
// deadline and the cancel flag, and the bytes received against maxListingBytes.
class CallLimits {
public:
    CallLimits(const StreamLimits &limits, QString what);

    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }
    // Why the call must stop now (cancelled, deadline, connect or stall timeout), else empty.
    // `connecting`: no request has reached the server yet (the connect clock applies).
    QString expired(bool connecting) const;
    bool cancelled() const { return m_limits.cancel && m_limits.cancel->load(); }
    // Milliseconds a single wait may block (at most kTickMs).
    int sliceMs() const;

    void startConnecting() { m_connectStart = now(); }
    void activity() { m_lastActivity = now(); }
    // Counts received bytes; false once they pass maxListingBytes.
    bool received(qint64 bytes);
    qint64 bytesReceived() const { return m_bytes; }
    const StreamLimits &limits() const { return m_limits; }

    Error timeoutOrCancel(const QString &why, const QString &displayUrl) const;
    Error tooLarge(const QString &displayUrl) const;

private:
    StreamLimits m_limits;
    QString m_what;
    qint64 m_connectStart;
    qint64 m_lastActivity;
    qint64 m_bytes = 0;
};

// Error values of the lister.
Error unsupported(const QString &displayUrl, const QString &why);
Error failure(ErrorCategory category, const QString &message);
// A parser's failure: its message, category network (rejected or not_found for a server's ERR),
// with the invalid_ref_name detail when that was the reason.
Error parseFailure(const QString &displayUrl, const QString &phase, const QString &why, const QString &serverError,
                   bool invalidRefName, bool cut);

// What both transports require of a complete capability advertisement before asking ls-refs:
// nothing after its flush, v2, ls-refs, sha1. An error (unsupported or a parse failure), else
// nullopt and `objectFormat` set to the advertised format (empty: none advertised).
std::optional<Error> checkAdvertisement(const QString &displayUrl, const AdvertisementParser &advertisement,
                                        const PktReader &reader, QByteArray *objectFormat);

// The transports; `limits` counts what they read, whatever the outcome.
Result<RemoteListing> listOverHttp(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes);
Result<RemoteListing> listOverGit(const RemoteAccess &access, CallLimits &limits, const QStringList &prefixes);

// The CA certificates set by setV2CaFile() (empty: none).
QList<QSslCertificate> extraCaCertificates();

} // namespace md::git::v2
