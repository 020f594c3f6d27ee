#include "mirror/StateStore.h"

#include "mirror/Names.h"
#include "platform/Platform.h"
#include "util/Log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace md {

namespace {

Result<QJsonDocument> readJson(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return QJsonDocument();
    if (!file.open(QIODevice::ReadOnly))
        return Error::io(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(path, error.errorString()));
    return document;
}

} // namespace

Status writeFileAtomically(const QString &path, const QByteArray &data)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Error::io(QStringLiteral("cannot create folder %1").arg(QFileInfo(path).absolutePath()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::io(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (file.write(data) != data.size() || !platform::syncToDisk(file)) {
        file.cancelWriting();
        return Error::io(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
    if (!file.commit())
        return Error::io(QStringLiteral("cannot save %1: %2").arg(path, file.errorString()));
    return {};
}

StateStore::StateStore(QString dir)
    : m_dir(std::move(dir))
{
}

QString StateStore::statusPath(const QString &mirror) const
{
    return m_dir + QLatin1Char('/') + encodeNameForFile(mirror) + QStringLiteral(".status.json");
}

QString StateStore::historyPath(const QString &mirror) const
{
    return m_dir + QLatin1Char('/') + encodeNameForFile(mirror) + QStringLiteral(".history.json");
}

QStringList StateStore::filesOf(const QString &mirror) const
{
    return {statusPath(mirror), historyPath(mirror)};
}

Result<StatusRecord> StateStore::status(const QString &mirror) const
{
    auto document = readJson(statusPath(mirror));
    if (!document)
        return document.error();
    if (document->isNull())
        return StatusRecord{};
    auto status = statusFromJson(document->object());
    if (!status)
        return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(statusPath(mirror), status.error().text()));
    return status;
}

Status StateStore::saveStatus(const QString &mirror, const StatusRecord &status)
{
    return writeFileAtomically(statusPath(mirror), QJsonDocument(statusToJson(status)).toJson(QJsonDocument::Indented));
}

Result<QList<RunRecord>> StateStore::history(const QString &mirror) const
{
    auto document = readJson(historyPath(mirror));
    if (!document)
        return document.error();
    QList<RunRecord> runs;
    const QJsonArray array = document->object().value(QStringLiteral("runs")).toArray();
    for (int i = 0; i < array.size(); ++i) {
        auto run = runFromJson(array.at(i).toObject(), QStringLiteral("runs[%1]").arg(i));
        if (!run)
            return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(historyPath(mirror), run.error().text()));
        runs.append(*run);
    }
    return runs;
}

Status StateStore::appendRun(const QString &mirror, const RunRecord &run)
{
    auto runs = history(mirror);
    QList<RunRecord> kept = runs ? *runs : QList<RunRecord>{};
    if (!runs)
        qCWarning(lcState) << "starting a new run history:" << runs.error().message;
    kept.append(run);
    while (kept.size() > kHistoryLimit)
        kept.removeFirst();
    QJsonArray array;
    for (const RunRecord &r : kept)
        array.append(runToJson(r));
    const QJsonObject root{{QStringLiteral("runs"), array}};
    return writeFileAtomically(historyPath(mirror), QJsonDocument(root).toJson(QJsonDocument::Compact));
}

Status StateStore::rename(const QString &from, const QString &to)
{
    const QStringList sources = filesOf(from);
    const QStringList targets = filesOf(to);
    for (int i = 0; i < sources.size(); ++i) {
        if (!QFile::exists(sources.at(i)))
            continue;
        QFile::remove(targets.at(i));
        if (!QFile::rename(sources.at(i), targets.at(i)))
            return Error::io(QStringLiteral("cannot move state file %1 to %2").arg(sources.at(i), targets.at(i)));
    }
    return {};
}

Status StateStore::remove(const QString &mirror)
{
    for (const QString &path : filesOf(mirror)) {
        if (QFile::exists(path) && !QFile::remove(path))
            return Error::io(QStringLiteral("cannot remove state file %1").arg(path));
    }
    return {};
}

} // namespace md
