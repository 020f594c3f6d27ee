#include "util/SafeFile.h"

#include "platform/Platform.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>

namespace md::safefile {

namespace {

QString kindText(Kind kind)
{
    switch (kind) {
    case Kind::Link: return QStringLiteral("a symbolic link");
    case Kind::Directory: return QStringLiteral("a folder");
    case Kind::Other: return QStringLiteral("not a regular file (a device, a FIFO or a socket)");
    case Kind::Missing:
    case Kind::Regular: break;
    }
    return {};
}

} // namespace

Kind kindOf(const QString &path)
{
    switch (platform::fileTypeOf(path, false)) {
    case platform::FileType::Missing: return Kind::Missing;
    case platform::FileType::Regular: return Kind::Regular;
    case platform::FileType::Directory: return Kind::Directory;
    case platform::FileType::Link: return Kind::Link;
    case platform::FileType::Other: return Kind::Other;
    }
    return Kind::Other;
}

QString sizeText(qint64 bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MB").arg(bytes / (1024 * 1024));
    if (bytes >= 1024)
        return QStringLiteral("%1 KB").arg(bytes / 1024);
    return QStringLiteral("%1 bytes").arg(bytes);
}

Result<std::optional<QByteArray>> readRegular(const QString &path, qint64 maxBytes, const QString &what)
{
    // Opened without blocking (a FIFO put in its place must not hang us) and checked on the open
    // descriptor, so what is read is what was checked. What is at the path is looked at only to
    // say why it could not be opened: a state read is open, fstat, read, close.
    auto opened = platform::openRegularForReading(path);
    if (!opened.fd) {
        const Kind kind = kindOf(path);
        if (kind == Kind::Missing)
            return std::optional<QByteArray>();
        if (opened.notRegular)
            return Error::io(QStringLiteral("%1 %2 is %3; not reading it").arg(what, path, kindText(Kind::Other)));
        if (kind == Kind::Link && !QFileInfo::exists(path))
            return Error::io(QStringLiteral("%1 %2 is a symbolic link to nothing").arg(what, path));
        if (kind == Kind::Directory)
            return Error::io(QStringLiteral("%1 %2 is a folder, not a file").arg(what, path));
        return Error::io(QStringLiteral("cannot read %1 %2: %3").arg(what, path, opened.error));
    }
    const int fd = *opened.fd;
    if (opened.size > maxBytes) {
        platform::closeDescriptor(fd);
        Error error = Error::io(QStringLiteral("%1 %2 is %3, more than the %4 this file may be; not reading it")
                                    .arg(what, path, sizeText(opened.size), sizeText(maxBytes)));
        error.detail.insert(QString::fromLatin1(kTooLargeKey), static_cast<double>(opened.size));
        return error;
    }
    // What the descriptor said, then whatever it grew by (up to the limit): never maxBytes
    // allocated up front (a 64 MB allocation per state read).
    QByteArray data;
    QString problem;
    const bool read = platform::readDescriptor(fd, opened.size, maxBytes, &data, &problem);
    platform::closeDescriptor(fd);
    if (!read)
        return Error::io(QStringLiteral("cannot read %1 %2: %3").arg(what, path, problem));
    if (data.size() > maxBytes)
        return Error::io(QStringLiteral("%1 %2 grew past %3 while being read").arg(what, path, sizeText(maxBytes)));
    return std::optional<QByteArray>(std::move(data));
}

Status checkWritable(const QString &path, const QString &what)
{
    const Kind kind = kindOf(path);
    if (kind == Kind::Missing || kind == Kind::Regular)
        return {};
    return Error::io(QStringLiteral("%1 %2 is %3; MirrorDesk does not write through it (nothing was changed)")
                         .arg(what, path, kindText(kind)));
}

Status writeAtomically(const QString &path, const QByteArray &data, const QString &what, Durability durability)
{
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return Error::io(QStringLiteral("cannot create folder %1").arg(folder));
    if (auto status = checkWritable(path, what); !status)
        return status;
    if (durability == Durability::Unsynced) {
        // A new file (O_EXCL, random name) in the same folder, renamed over the old one: readers
        // see the old or the new content, never a mix; a link at `path` is replaced, not followed.
        QTemporaryFile file(path + QStringLiteral(".XXXXXX"));
        file.setAutoRemove(true);
        if (!file.open() || file.write(data) != data.size() || !file.flush())
            return Error::io(QStringLiteral("cannot write %1 %2: %3").arg(what, path, file.errorString()));
        if (std::rename(QFile::encodeName(file.fileName()).constData(), QFile::encodeName(path).constData()) != 0)
            return Error::io(QStringLiteral("cannot save %1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno))));
        file.setAutoRemove(false);
        return {};
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::io(QStringLiteral("cannot write %1 %2: %3").arg(what, path, file.errorString()));
    // QSaveFile::commit() flushes the data to disk (fdatasync) before the rename.
    if (file.write(data) != data.size()) {
        file.cancelWriting();
        return Error::io(QStringLiteral("cannot write %1 %2: %3").arg(what, path, file.errorString()));
    }
    if (!file.commit())
        return Error::io(QStringLiteral("cannot save %1 %2: %3").arg(what, path, file.errorString()));
    return {};
}

} // namespace md::safefile
