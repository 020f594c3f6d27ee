#include "util/LogFile.h"

#include "platform/Platform.h"

#include <QDateTime>
#include <QFile>
#include <QMutex>

namespace md {

namespace {

QMutex g_mutex;
QFile *g_file = nullptr;
QtMessageHandler g_previous = nullptr;
LogFile::Scrubber g_scrub; // set while a file is open

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "critical";
    case QtFatalMsg: return "fatal";
    }
    return "?";
}

// Under g_mutex.
void writeLine(const char *level, const char *category, const QString &message)
{
    const QString line = QStringLiteral("%1 %2 %3: %4\n")
                             .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), QString::fromLatin1(level),
                                  QString::fromLatin1(category ? category : "default"), (g_scrub ? g_scrub(message) : message));
    g_file->write(line.toUtf8());
    g_file->flush();
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker locker(&g_mutex);
        if (g_file)
            writeLine(levelName(type), context.category, message);
    }
    if (g_previous && (type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg))
        g_previous(type, context, (g_scrub ? g_scrub(message) : message));
}

} // namespace

QString LogFile::open(const QString &path, Scrubber scrubber)
{
    auto file = std::make_unique<QFile>(path);
    // Opened without blocking: a FIFO nobody reads is refused instead of hanging the command
    // (one with a reader, e.g. /dev/stdout in a pipe, is fine).
    QString problem;
    const int fd = platform::openForAppending(path, &problem);
    if (fd < 0 && !problem.isEmpty())
        return QStringLiteral("cannot open log file %1: %2").arg(path, problem);
    const bool opened = fd >= 0 ? file->open(fd, QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text, QFileDevice::AutoCloseHandle)
                                : file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
    if (!opened)
        return QStringLiteral("cannot open log file %1: %2").arg(path, file->errorString());
    QMutexLocker locker(&g_mutex);
    if (g_file)
        return QStringLiteral("a log file is already open");
    g_file = file.release();
    g_scrub = std::move(scrubber);
    g_previous = qInstallMessageHandler(handler);
    m_open = true;
    return {};
}

void LogFile::append(const QString &text, const char *category)
{
    QMutexLocker locker(&g_mutex);
    if (!g_file)
        return;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        writeLine("info", category, line);
}

LogFile::~LogFile()
{
    if (!m_open)
        return;
    qInstallMessageHandler(g_previous);
    QMutexLocker locker(&g_mutex);
    delete g_file;
    g_file = nullptr;
    g_previous = nullptr;
    g_scrub = {};
}

} // namespace md
