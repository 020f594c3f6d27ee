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

// The history file is written within a 512 KB budget: one many times that size was not written
// by MirrorDesk and is set aside like a damaged file rather than read into memory.
constexpr qint64 kHistoryFileLimit = 4 * 1024 * 1024;

Result<QJsonDocument> readJson(const QString &path, qint64 limit = kStateFileLimit)
{
    auto data = safefile::readRegular(path, limit, QStringLiteral("state file"));
    if (!data) {
        // A regular file past the limit: damaged, set aside like any other (a link to one is refused).
        if (const QJsonValue size = data.error().detail.value(QLatin1String(safefile::kTooLargeKey));
            size.isDouble() && safefile::kindOf(path) == safefile::Kind::Regular)
            return damaged(path, QStringLiteral("it is %1, more than a state file may be").arg(safefile::sizeText(static_cast<qint64>(size.toDouble()))));
        return data.error();
    }
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
    for (const auto &[key, type] : {std::pair{"status", QJsonValue::Object}, {"history", QJsonValue::Array}, {"attic", QJsonValue::Array},
                                    {"last_check", QJsonValue::Object}}) {
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

// "+" never appears in an encoded name (it would be %2B), so these never meet another mirror's file.
QString StateStore::historyFileOf(const QString &mirror) const
{
    return m_dir + QLatin1Char('/') + encodeNameForFile(mirror) + QStringLiteral("+history.json");
}

QString StateStore::checkFileOf(const QString &mirror) const
{
    return m_dir + QLatin1Char('/') + encodeNameForFile(mirror) + QStringLiteral("+check.json");
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

namespace {

Result<CheckRecord> checkFromJson(const QJsonObject &object)
{
    // The check record is read through the status reader, which owns the field rules.
    auto status = statusFromJson(QJsonObject{{QStringLiteral("last_check"), object}});
    if (!status)
        return status.error();
    return status->lastCheck.value_or(CheckRecord{});
}

QJsonObject checkToJson(const CheckRecord &check)
{
    StatusRecord status;
    status.lastCheck = check;
    return statusToJson(status).value(QStringLiteral("last_check")).toObject();
}

} // namespace

std::optional<CheckRecord> StateStore::lastCheck(const QString &mirror, const QJsonObject &root) const
{
    // The check file; a state written before it existed kept the check in the status.
    auto document = readJson(checkFileOf(mirror));
    if (document && document->object().contains(QStringLiteral("last_check"))) {
        if (auto check = checkFromJson(document->object().value(QStringLiteral("last_check")).toObject()))
            return *check;
    } else if (!document) {
        // Re-derivable: a damaged check is no check, replaced by the next one.
        qCWarning(lcState) << document.error().message;
    }
    if (root.value(QStringLiteral("status")).toObject().contains(QStringLiteral("last_check"))) {
        if (auto status = statusFromJson(root.value(QStringLiteral("status")).toObject()))
            return status->lastCheck;
    }
    return std::nullopt;
}

Result<StatusRecord> StateStore::status(const QString &mirror, CheckRead check) const
{
    auto root = read(mirror);
    if (!root)
        return root.error();
    auto status = statusFromJson(root->value(QStringLiteral("status")).toObject());
    if (!status)
        return Error::io(QStringLiteral("state file %1 is damaged: %2").arg(fileOf(mirror), status.error().text()));
    status->lastCheck = check == WithCheck ? lastCheck(mirror, *root) : std::nullopt;
    return status;
}

Status StateStore::saveCheck(const QString &mirror, const CheckRecord &check)
{
    // No state lock and no disk flush: a check result is re-derivable by the next check, and it
    // lives in its own file, so it never races an update's status write.
    const QJsonObject root{{QStringLiteral("last_check"), checkToJson(check)}};
    return safefile::writeAtomically(checkFileOf(mirror), QJsonDocument(root).toJson(QJsonDocument::Compact),
                                     QStringLiteral("check file"), safefile::Durability::Unsynced);
}

Status StateStore::saveStatus(const QString &mirror, const StatusRecord &status)
{
    auto changed = changeStatus(mirror, [&status](StatusRecord &current) { current = status; });
    if (!changed)
        return changed.error();
    if (status.lastCheck)
        return saveCheck(mirror, *status.lastCheck);
    return {};
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

Result<QJsonArray> StateStore::readHistory(const QString &mirror, const QJsonObject &root) const
{
    auto document = readJson(historyFileOf(mirror), kHistoryFileLimit);
    if (!document)
        return document.error();
    if (!document->isNull())
        return document->object().value(QStringLiteral("history")).toArray();
    return root.value(QStringLiteral("history")).toArray(); // a state written before the history file
}

Status StateStore::appendToHistory(const QString &mirror, const QJsonObject &root, const RunRecord &run)
{
    auto history = readHistory(mirror, root);
    QJsonArray runs;
    if (history) {
        runs = *history;
    } else if (isDamaged(history.error())) {
        const QString aside = QStringLiteral("%1.damaged-%2").arg(historyFileOf(mirror), QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzzZ")));
        if (!QFile::rename(historyFileOf(mirror), aside))
            return Error::io(QStringLiteral("%1, and it could not be set aside as %2; nothing was written").arg(history.error().message, aside));
        qCWarning(lcState) << history.error().message << "- set aside as" << aside;
    } else {
        return history.error();
    }
    runs.append(runToJson(run));
    while (runs.size() > kHistoryLimit)
        runs.removeFirst();
    // Older runs written before runs were compacted are compacted now, so a history that once
    // grew large shrinks on its next write.
    for (qsizetype i = 0; i + 1 < runs.size(); ++i) {
        const QJsonObject object = runs.at(i).toObject();
        if (object.contains(QStringLiteral("ref_counts")))
            continue;
        if (auto old = runFromJson(object, QStringLiteral("history[%1]").arg(i)))
            runs[i] = runToJson(compactRun(*old, old->refs));
    }
    QByteArray data = QJsonDocument(QJsonObject{{QStringLiteral("history"), runs}}).toJson(QJsonDocument::Compact);
    // The history's budget: past it, the oldest runs lose their ref lines (their counts stay).
    for (qsizetype i = 0; data.size() > kHistoryBudgetBytes && i + 1 < runs.size(); ++i) {
        QJsonObject object = runs.at(i).toObject();
        const qsizetype listed = object.value(QStringLiteral("refs")).toArray().size();
        if (listed == 0)
            continue;
        object.insert(QStringLiteral("refs"), QJsonArray());
        object.insert(QStringLiteral("refs_omitted"), object.value(QStringLiteral("refs_omitted")).toInt() + listed);
        runs[i] = object;
        data = QJsonDocument(QJsonObject{{QStringLiteral("history"), runs}}).toJson(QJsonDocument::Compact);
    }
    return safefile::writeAtomically(historyFileOf(mirror), data, QStringLiteral("history file"));
}

Result<StatusRecord> StateStore::changeStatus(const QString &mirror, const std::function<void(StatusRecord &)> &change,
                                              const std::optional<RunRecord> &run, const QList<AtticEntry> &atticAdded,
                                              const QStringList &atticRemoved)
{
    // One writer at a time per state file, across processes: two updates, an attic restore and
    // a purge of the same mirror never lose each other's fields.
    if (!QDir().mkpath(m_dir + QStringLiteral("/.locks")))
        return Error::io(QStringLiteral("cannot create folder %1").arg(m_dir));
    if (auto status = safefile::checkWritable(lockOf(mirror), QStringLiteral("state lock file")); !status)
        return status.error();
    if (auto status = safefile::checkWritable(fileOf(mirror), QStringLiteral("state file")); !status)
        return status.error();
    if (run) {
        if (auto status = safefile::checkWritable(historyFileOf(mirror), QStringLiteral("history file")); !status)
            return status.error();
    }
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
    // The check lives in its own file; one still in the status (an older state) moves there.
    const std::optional<CheckRecord> check = lastCheck(mirror, updated);
    const bool checkInStatus = status.lastCheck.has_value();
    status.lastCheck = check;
    if (change)
        change(status);
    if (checkInStatus || status.lastCheck != check) {
        if (status.lastCheck) {
            if (auto saved = saveCheck(mirror, *status.lastCheck); !saved)
                return saved.error();
        }
    }
    // The run goes into the history file first: a crash between the two writes leaves a run the
    // status does not mention yet, never a status pointing at a run that is not there.
    const bool historyInStatus = updated.contains(QStringLiteral("history"));
    if (run || historyInStatus) {
        if (auto written = run ? appendToHistory(mirror, updated, *run) : moveHistory(mirror, updated); !written)
            return written.error();
        updated.remove(QStringLiteral("history"));
    }
    StatusRecord stored = status;
    stored.lastCheck.reset();
    updated.insert(QStringLiteral("status"), statusToJson(stored));
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

Status StateStore::moveHistory(const QString &mirror, const QJsonObject &root)
{
    // An older state's history, moved to the history file unchanged (compacted on its next run).
    if (safefile::kindOf(historyFileOf(mirror)) != safefile::Kind::Missing)
        return {}; // the history file wins; the copy in the status is dropped
    const QJsonObject history{{QStringLiteral("history"), root.value(QStringLiteral("history")).toArray()}};
    return safefile::writeAtomically(historyFileOf(mirror), QJsonDocument(history).toJson(QJsonDocument::Compact), QStringLiteral("history file"));
}

Result<QList<RunRecord>> StateStore::history(const QString &mirror) const
{
    auto root = read(mirror);
    if (!root)
        return root.error();
    auto array = readHistory(mirror, *root);
    if (!array)
        return array.error();
    QList<RunRecord> runs;
    for (int i = 0; i < array->size(); ++i) {
        auto run = runFromJson(array->at(i).toObject(), QStringLiteral("history[%1]").arg(i));
        if (!run)
            return Error::io(QStringLiteral("history file %1 is damaged: %2").arg(historyFileOf(mirror), run.error().text()));
        runs.append(*run);
    }
    return runs;
}

Status StateStore::appendRun(const QString &mirror, const RunRecord &run)
{
    auto changed = changeStatus(mirror, {}, run);
    return changed ? Status{} : Status(changed.error());
}

QStringList StateStore::filesOf(const QString &mirror) const
{
    return {fileOf(mirror), historyFileOf(mirror), checkFileOf(mirror)};
}

Status StateStore::rename(const QString &from, const QString &to)
{
    const QStringList sources = filesOf(from);
    const QStringList targets = filesOf(to);
    if (sources == targets)
        return {};
    for (qsizetype i = 0; i < sources.size(); ++i) {
        if (QFile::exists(targets[i]) && sources[i].compare(targets[i], Qt::CaseInsensitive) != 0)
            return Error::io(QStringLiteral("cannot move state file %1: %2 already exists").arg(sources[i], targets[i]));
    }
    // The history and check first: the status file is what says the mirror has state.
    for (qsizetype i = sources.size() - 1; i >= 0; --i) {
        if (QFile::exists(sources[i]) && !QFile::rename(sources[i], targets[i]))
            return Error::io(QStringLiteral("cannot move state file %1 to %2").arg(sources[i], targets[i]));
    }
    QFile::remove(lockOf(from));
    return {};
}

Status StateStore::remove(const QString &mirror)
{
    for (const QString &path : filesOf(mirror)) {
        if (QFile::exists(path) && !QFile::remove(path))
            return Error::io(QStringLiteral("cannot remove state file %1").arg(path));
    }
    QFile::remove(lockOf(mirror));
    return {};
}

} // namespace md
