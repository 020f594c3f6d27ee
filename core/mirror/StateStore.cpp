#include "mirror/StateStore.h"

#include "util/Names.h"
#include "platform/Platform.h"
#include "util/Log.h"
#include "util/SafeFile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace md {

namespace {

// A state file larger than this is damaged (a mirror's state stays well under 1 MB): it is set
// aside like any other damaged file, not read into memory.
constexpr qint64 kStateFileLimit = 64 * 1024 * 1024;

// A state file that is there but cannot be used as it is: unparsable or too large. Such a file
// is set aside before a new one is written; a link or a device is refused instead.
Error damaged(const QString &path, const QString &why)
{
    Error error = Error::io(QStringLiteral("state file %1 is damaged: %2").arg(path, why));
    error.detail.insert(QStringLiteral("damaged"), true);
    return error;
}

bool isDamaged(const Error &error)
{
    return error.detail.value(QStringLiteral("damaged")).toBool();
}

Result<QJsonDocument> readJson(const QString &path)
{
    if (const auto size = QFileInfo(path).size(); size > kStateFileLimit && safefile::kindOf(path) == safefile::Kind::Regular)
        return damaged(path, QStringLiteral("it is %1, more than a state file may be").arg(safefile::sizeText(size)));
    auto data = safefile::readRegular(path, kStateFileLimit, QStringLiteral("state file"));
    if (!data)
        return data.error();
    if (!*data)
        return QJsonDocument();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(**data, &error);
    if (error.error != QJsonParseError::NoError)
        return damaged(path, error.errorString());
    if (!document.isNull() && !document.isObject())
        return damaged(path, QStringLiteral("not a JSON object"));
    // Valid JSON of the wrong shape is damaged too: kept aside, not silently replaced.
    const QJsonObject root = document.object();
    for (const auto &[key, type] : {std::pair{"status", QJsonValue::Object}, {"history", QJsonValue::Array}, {"attic", QJsonValue::Array}}) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (!value.isUndefined() && value.type() != type)
            return damaged(path, QStringLiteral("\"%1\" is not a JSON %2").arg(QLatin1String(key), type == QJsonValue::Object ? QStringLiteral("object") : QStringLiteral("array")));
    }
    return document;
}

} // namespace

Status writeFileAtomically(const QString &path, const QByteArray &data)
{
    return safefile::writeAtomically(path, data, QStringLiteral("file"));
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
    return document->object();
}

Status StateStore::write(const QString &mirror, const QJsonObject &root)
{
    return safefile::writeAtomically(fileOf(mirror), QJsonDocument(root).toJson(QJsonDocument::Compact), QStringLiteral("state file"));
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
    if (auto status = safefile::checkWritable(lockOf(mirror), QStringLiteral("state lock file")); !status)
        return status.error();
    if (auto status = safefile::checkWritable(fileOf(mirror), QStringLiteral("state file")); !status)
        return status.error();
    platform::FileLock lock(lockOf(mirror));
    if (!lock.lock(10000))
        return Error::io(QStringLiteral("state file %1 stays locked by another process").arg(fileOf(mirror)));
    auto root = read(mirror);
    if (!root && !isDamaged(root.error()))
        return root.error();
    QJsonObject updated = root ? *root : QJsonObject{};
    if (!root) {
        // Kept aside, not overwritten: its history may still matter to someone.
        const QString aside = QStringLiteral("%1.damaged-%2").arg(fileOf(mirror), QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzzZ")));
        if (!QFile::rename(fileOf(mirror), aside))
            return Error::io(QStringLiteral("%1, and it could not be set aside as %2; nothing was written").arg(root.error().message, aside));
        qCWarning(lcState) << root.error().message << "- set aside as" << aside;
    }
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
