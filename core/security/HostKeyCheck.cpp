#include "security/HostKeyCheck.h"

#include "security/HostKey.h"

#include <QJsonArray>

#include <algorithm>
#include <QtEndian>

namespace md {

namespace {

QJsonObject keyJson(const HostKey &key)
{
    return QJsonObject{{QStringLiteral("type"), key.type},
                       {QStringLiteral("line"), key.toLine()},
                       {QStringLiteral("sha256"), key.sha256Fingerprint()},
                       {QStringLiteral("md5"), key.md5Fingerprint()}};
}

} // namespace

Status checkHostKey(const QString &hostPort, const QStringList &pinnedLines, const QByteArray &offeredBlob)
{
    HostKey offered;
    offered.blob = offeredBlob;
    const quint32 nameLength = offeredBlob.size() >= 4 ? qFromBigEndian<quint32>(offeredBlob.constData()) : 0;
    offered.type = QString::fromLatin1(offeredBlob.mid(4, static_cast<qsizetype>(nameLength)));
    QList<HostKey> pinned;
    for (const QString &line : pinnedLines) {
        if (const auto key = HostKey::parseLine(line)) {
            if (key->blob == offeredBlob)
                return {};
            pinned.append(*key);
        }
    }
    Error error;
    error.category = ErrorCategory::HostKey;
    QJsonArray pinnedJson;
    QStringList pinnedPrints;
    for (const HostKey &key : pinned) {
        pinnedJson.append(keyJson(key));
        pinnedPrints.append(key.type + QLatin1Char(' ') + key.sha256Fingerprint());
    }
    // Pins of other types only: the host may simply have offered a type nobody pinned (libssh2
    // asks for ecdsa before ed25519 when no known_hosts says otherwise). That is no proof of a
    // change, and no proof of the contrary either: said as such.
    const bool typeNotPinned = !pinned.isEmpty()
        && std::none_of(pinned.cbegin(), pinned.cend(), [&offered](const HostKey &key) { return key.type == offered.type; });
    const QString reason = pinned.isEmpty() ? QStringLiteral("unknown_host")
        : typeNotPinned                    ? QStringLiteral("type_not_pinned")
                                           : QStringLiteral("changed");
    error.detail = QJsonObject{{QStringLiteral("host"), hostPort},
                               {QStringLiteral("reason"), reason},
                               {QStringLiteral("offered"), keyJson(offered)},
                               {QStringLiteral("pinned"), pinnedJson}};
    if (pinned.isEmpty())
        error.message = QStringLiteral("unknown SSH host %1: its %2 key is %3 (%4)")
                            .arg(hostPort, offered.type, offered.sha256Fingerprint(), offered.md5Fingerprint());
    else if (typeNotPinned)
        error.message = QStringLiteral("no %2 key is pinned for %1: it offered %2 %3 (%4), pinned are %5. If that is the host's "
                                       "own key (check its fingerprint with the host's admin), pin it too: every key a host "
                                       "offers must be pinned")
                            .arg(hostPort, offered.type, offered.sha256Fingerprint(), offered.md5Fingerprint(),
                                 pinnedPrints.join(QStringLiteral(", ")));
    else
        error.message = QStringLiteral("host key changed for %1: it offered %2 %3, pinned are %4")
                            .arg(hostPort, offered.type, offered.sha256Fingerprint(), pinnedPrints.join(QStringLiteral(", ")));
    return error;
}

} // namespace md
