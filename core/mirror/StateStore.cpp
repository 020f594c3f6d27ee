#include "mirror/StateStore.h"

#include "util/Names.h"
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
    // QSaveFile::commit() flushes the data to disk (fdatasync) before the rename: no second sync.
    if (file.write(data) != data.size()) {
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

QString StateStore::fileOf(const QString &mirror) const
{
    return m_dir + QLatin1Char('/') + encodeNameForFile(mirror) + QStringLiteral(".json");
}

QString StateStore::lockOf(const QString &mirror) const
{
    return m_dir + QStringLiteral("/.locks/") + encodeNameForFile(mirror) + QStringLiteral(".lock");
}

Result<QJsonObject> StateStore::read(const QString &mirror) const
{
    auto document = readJson(fileOf(mirror));
    if (!document)
        return document.error();
    if (!document->isNull() && !document->isObject())
        return Error::io(QStringLiteral("state file %1 is damaged: not a JSON object").arg(fileOf(mirror)));
    return document->object();
}

Status StateStore::write(const QString &mirror, const QJsonObject &root)
{
    return writeFileAtomically(fileOf(mirror), QJsonDocument(root).toJson(QJsonDocument::Compact));
}

Result<StatusRecord> StateStore::status(const QString &mirror) const
{
    auto root = read(mirror);
    if (!root)
        return root.error();
    auto status = statusFromJson(root->value(QStringLiteral("status")).toObject());
    if (!status)
        return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(fileOf(mirror), status.error().text()));
    return status;
}

Status StateStore::saveStatus(const QString &mirror, const StatusRecord &status)
{
    auto changed = changeStatus(mirror, [&status](StatusRecord &current) { current = status; });
    return changed ? Status{} : Status(changed.error());
}

Result<QList<AtticEntry>> StateStore::atticIndex(const QString &mirror) const
{
    auto root = read(mirror);
    if (!root)
        return root.error();
    QList<AtticEntry> entries;
    for (const QJsonValue &value : root->value(QStringLiteral("attic")).toArray()) {
        if (auto entry = atticEntryFromJson(value.toObject()))
            entries.append(*entry);
    }
    return entries;
}

Result<StatusRecord> StateStore::changeStatus(const QString &mirror, const std::function<void(StatusRecord &)> &change,
                                              const std::optional<RunRecord> &run, const QList<AtticEntry> &atticAdded,
                                              const QStringList &atticRemoved)
{
    // One writer at a time per state file, across processes: a check (no cache lock) and an
    // update (under the cache lock) of the same mirror never lose each other's fields.
    if (!QDir().mkpath(m_dir + QStringLiteral("/.locks")))
        return Error::io(QStringLiteral("cannot create folder %1").arg(m_dir));
    platform::FileLock lock(lockOf(mirror));
    if (!lock.lock(10000))
        return Error::io(QStringLiteral("state file %1 stays locked by another process").arg(fileOf(mirror)));
    auto root = read(mirror);
    QJsonObject updated = root ? *root : QJsonObject{};
    if (!root)
        qCWarning(lcState) << "replacing a damaged state file:" << root.error().message;
    auto current = statusFromJson(updated.value(QStringLiteral("status")).toObject());
    StatusRecord status = current ? *current : StatusRecord{};
    if (change)
        change(status);
    updated.insert(QStringLiteral("status"), statusToJson(status));
    if (run) {
        QJsonArray history = updated.value(QStringLiteral("history")).toArray();
        history.append(runToJson(*run));
        while (history.size() > kHistoryLimit)
            history.removeFirst();
        updated.insert(QStringLiteral("history"), history);
    }
    if (!atticAdded.isEmpty() || !atticRemoved.isEmpty()) {
        QJsonArray kept;
        for (const QJsonValue &value : updated.value(QStringLiteral("attic")).toArray()) {
            if (!atticRemoved.contains(value.toObject().value(QStringLiteral("entry")).toString()))
                kept.append(value);
        }
        for (const AtticEntry &entry : atticAdded)
            kept.append(atticEntryToJson(entry));
        updated.insert(QStringLiteral("attic"), kept);
    }
    if (auto written = write(mirror, updated); !written)
        return written.error();
    return status;
}

Result<QList<RunRecord>> StateStore::history(const QString &mirror) const
{
    auto root = read(mirror);
    if (!root)
        return root.error();
    QList<RunRecord> runs;
    const QJsonArray array = root->value(QStringLiteral("history")).toArray();
    for (int i = 0; i < array.size(); ++i) {
        auto run = runFromJson(array.at(i).toObject(), QStringLiteral("history[%1]").arg(i));
        if (!run)
            return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(fileOf(mirror), run.error().text()));
        runs.append(*run);
    }
    return runs;
}

Status StateStore::appendRun(const QString &mirror, const RunRecord &run)
{
    auto changed = changeStatus(mirror, {}, run);
    return changed ? Status{} : Status(changed.error());
}

Status StateStore::rename(const QString &from, const QString &to)
{
    const QString source = fileOf(from);
    const QString target = fileOf(to);
    if (!QFile::exists(source) || source == target)
        return {};
    if (QFile::exists(target) && source.compare(target, Qt::CaseInsensitive) != 0)
        return Error::io(QStringLiteral("cannot move state file %1: %2 already exists").arg(source, target));
    if (!QFile::rename(source, target))
        return Error::io(QStringLiteral("cannot move state file %1 to %2").arg(source, target));
    QFile::remove(lockOf(from));
    return {};
}

Status StateStore::remove(const QString &mirror)
{
    const QString path = fileOf(mirror);
    if (QFile::exists(path) && !QFile::remove(path))
        return Error::io(QStringLiteral("cannot remove state file %1").arg(path));
    QFile::remove(lockOf(mirror));
    return {};
}

} // namespace md
