#include "security/HostKey.h"

#include "util/Scrub.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QRegularExpression>
#include <QtEndian>

namespace md {

namespace {

const QStringList kKeyTypes = {
    QStringLiteral("ssh-ed25519"),
    QStringLiteral("ecdsa-sha2-nistp256"),
    QStringLiteral("ecdsa-sha2-nistp384"),
    QStringLiteral("ecdsa-sha2-nistp521"),
    QStringLiteral("ssh-rsa"),
    QStringLiteral("ssh-dss"),
    QStringLiteral("sk-ssh-ed25519@openssh.com"),
    QStringLiteral("sk-ecdsa-sha2-nistp256@openssh.com"),
};

Error keyError(const QString &message)
{
    return Error{ErrorCategory::Config, message, {}, 0, 0};
}

} // namespace

Result<HostKey> HostKey::parseLine(const QString &line)
{
    const QStringList parts = line.trimmed().split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (parts.size() < 2)
        return keyError(QStringLiteral("\"%1\" is not an OpenSSH public-key line (\"TYPE BASE64 [COMMENT]\")").arg(quoteInput(line, 80)));
    HostKey key;
    key.type = parts.at(0);
    if (!kKeyTypes.contains(key.type))
        return keyError(QStringLiteral("unknown key type \"%1\" (expected one of %2)").arg(quoteInput(key.type, 80), kKeyTypes.join(QStringLiteral(", "))));
    const auto decoded = QByteArray::fromBase64Encoding(parts.at(1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < 4)
        return keyError(QStringLiteral("the key data of the %1 key is not valid base64").arg(key.type));
    key.blob = decoded.decoded;
    // The blob starts with its own type as an SSH string: uint32 length, then the name.
    const quint32 nameLength = qFromBigEndian<quint32>(key.blob.constData());
    if (nameLength > static_cast<quint32>(key.blob.size() - 4)
        || QString::fromLatin1(key.blob.mid(4, static_cast<qsizetype>(nameLength))) != key.type)
        return keyError(QStringLiteral("the key data does not hold a %1 key").arg(key.type));
    key.comment = parts.mid(2).join(QLatin1Char(' '));
    return key;
}

QString HostKey::toLine() const
{
    QString line = type + QLatin1Char(' ') + QString::fromLatin1(blob.toBase64());
    if (!comment.isEmpty())
        line += QLatin1Char(' ') + comment;
    return line;
}

QString HostKey::sha256Fingerprint() const
{
    QByteArray b64 = QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toBase64(QByteArray::OmitTrailingEquals);
    return QStringLiteral("SHA256:") + QString::fromLatin1(b64);
}

QString HostKey::md5Fingerprint() const
{
    return QStringLiteral("MD5:") + QString::fromLatin1(QCryptographicHash::hash(blob, QCryptographicHash::Md5).toHex(':'));
}

Result<QString> normalizeHostPort(const QString &text)
{
    QString host = text.trimmed();
    int port = 22;
    // Keys are pinned per host: a login (or a password, shown masked) before "@" is never part of it.
    if (host.contains(QLatin1Char('@')))
        return keyError(QStringLiteral("\"%1\" holds a user name before \"@\"; give only the host "
                                       "(host, host:port or [host]:port)")
                            .arg(quoteInput(text.trimmed())));
    static const QRegularExpression bracketed(QStringLiteral("^\\[([^\\]]+)\\](?::(\\d+))?$"));
    static const QRegularExpression plain(QStringLiteral("^([^:\\[\\]]+)(?::(\\d+))?$"));
    QRegularExpressionMatch match = bracketed.match(host);
    if (!match.hasMatch())
        match = plain.match(host);
    if (!match.hasMatch()) {
        if (QHostAddress(host).protocol() == QAbstractSocket::IPv6Protocol)
            return QStringLiteral("[%1]:22").arg(host.toLower());
        return keyError(QStringLiteral("\"%1\" is not a host, host:port or [host]:port").arg(quoteInput(text)));
    }
    host = match.captured(1).toLower();
    if (!match.captured(2).isEmpty()) {
        bool ok = false;
        port = match.captured(2).toInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return keyError(QStringLiteral("\"%1\" has an invalid port").arg(quoteInput(text)));
    }
    static const QRegularExpression hostRe(QStringLiteral("^[a-z0-9._:-]+$"));
    if (host.size() > 253 || !hostRe.match(host).hasMatch()) // 253: the longest DNS name
        return keyError(QStringLiteral("\"%1\" is not a valid host name").arg(quoteInput(match.captured(1))));
    if (host.contains(QLatin1Char(':')))
        host = QStringLiteral("[%1]").arg(host);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

} // namespace md
