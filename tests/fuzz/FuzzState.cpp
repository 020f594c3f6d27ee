// libFuzzer target: the state reader, a mirror's state file (<state>/<name>.json): the status
// record (md::statusFromJson), the run history (md::runFromJson) and the attic index
// (md::atticEntryFromJson), read the way StateStore reads them, and through StateStore itself
// (the input written to a state file in a folder made once per process).
// Invariants: whatever was read writes back (statusToJson, runToJson, atticEntryToJson) into JSON
// that reads again, to the same values after one round (the second round changes nothing);
// StateStore reads the file as the functions read the document; the attic's listing and
// retention keep what they must (checkAtticLists).

#include "FuzzCommon.h"

#include "mirror/Attic.h"
#include "mirror/StateStore.h"
#include "mirror/StatusRecord.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {

const QString kMirror = QStringLiteral("group/fuzz");

QString json(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

void checkStatus(const QJsonObject &object)
{
    const auto status = md::statusFromJson(object);
    if (!status)
        return;
    const QJsonObject written = md::statusToJson(*status);
    const auto again = md::statusFromJson(written);
    MD_FUZZ_CHECK(again.ok(), (again ? QString() : again.error().text()) + QStringLiteral("\n") + json(written));
    MD_FUZZ_CHECK(md::statusToJson(*again) == written, json(object) + QStringLiteral("\n-> ") + json(written));
}

void checkRun(const QJsonObject &object, const QString &path)
{
    const auto run = md::runFromJson(object, path);
    if (!run)
        return;
    const QJsonObject written = md::runToJson(*run);
    const auto again = md::runFromJson(written, path);
    MD_FUZZ_CHECK(again.ok(), (again ? QString() : again.error().text()) + QStringLiteral("\n") + json(written));
    MD_FUZZ_CHECK(md::runToJson(*again) == written, json(object) + QStringLiteral("\n-> ") + json(written));
}

void checkAtticEntry(const QJsonObject &object)
{
    const auto entry = md::atticEntryFromJson(object);
    if (!entry)
        return;
    MD_FUZZ_CHECK(entry->atticRef().startsWith(QLatin1String(md::kAtticPrefix)), entry->id);
    const auto again = md::atticEntryFromJson(md::atticEntryToJson(*entry));
    MD_FUZZ_CHECK(again.has_value() && *again == *entry, json(object) + QStringLiteral("\n-> ") + json(md::atticEntryToJson(*entry)));
}

// In memory (tmpfs) where the system has it: the fuzzer writes a file for every input.
QString tempTemplate()
{
    const QString shm = QStringLiteral("/dev/shm");
    const QString base = QFileInfo(shm).isDir() && QFileInfo(shm).isWritable() ? shm : QDir::tempPath();
    return base + QStringLiteral("/mirrordesk-fuzz-state-XXXXXX");
}

// "Nothing lost": the attic lists every attic ref, newest first, and retention never takes the
// newest kAtticKeepPerRef entries of a ref, nor one younger than the retention.
void checkAtticLists(const QList<md::AtticEntry> &index)
{
    QList<md::RefTip> refs;
    for (const md::AtticEntry &entry : index)
        refs.append(md::RefTip{entry.atticRef(), entry.oid, QString()});
    const QList<md::AtticEntry> listed = md::listAttic(refs, index);
    MD_FUZZ_CHECK(listed.size() == index.size(), QString::number(listed.size()));
    for (qsizetype i = 1; i < listed.size(); ++i)
        MD_FUZZ_CHECK(listed.at(i - 1).when >= listed.at(i).when, listed.at(i).id);

    const QDateTime now(QDate(2024, 6, 1), QTime(0, 0), Qt::UTC);
    const int days = 30;
    const QList<md::AtticEntry> expired = md::expiredAttic(index, days, now);
    QHash<QString, int> count, removed;
    for (const md::AtticEntry &entry : index)
        ++count[entry.ref];
    for (const md::AtticEntry &entry : expired) {
        MD_FUZZ_CHECK(index.contains(entry), entry.id);
        MD_FUZZ_CHECK(entry.when < now.addDays(-days), entry.id);
        ++removed[entry.ref];
    }
    for (auto it = count.cbegin(); it != count.cend(); ++it)
        MD_FUZZ_CHECK(it.value() - removed.value(it.key()) >= std::min(it.value(), md::kAtticKeepPerRef), it.key());
}

struct StateFolder {
    QTemporaryDir dir{tempTemplate()};
    md::StateStore store{dir.path()};
};

// Made once per process, removed when it exits.
StateFolder &stateFolder()
{
    static StateFolder folder;
    if (!folder.dir.isValid())
        md::fuzz::fail("a temporary folder for the state file", folder.dir.errorString());
    return folder;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    md::fuzz::quietQt();
    (void)stateFolder();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    // The document as StateStore::read() takes it: JSON, an object (or nothing at all).
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(input, &error);
    bool readable = error.error == QJsonParseError::NoError && (document.isNull() || document.isObject());
    const QJsonObject root = document.object();
    // Valid JSON of the wrong shape is damaged too (StateStore keeps it aside).
    const auto wrongType = [&root](const char *key, QJsonValue::Type type) {
        const QJsonValue value = root.value(QLatin1String(key));
        return !value.isUndefined() && value.type() != type;
    };
    if (wrongType("status", QJsonValue::Object) || wrongType("history", QJsonValue::Array) || wrongType("attic", QJsonValue::Array))
        readable = false;
    if (readable) {
        checkStatus(root.value(QStringLiteral("status")).toObject());
        const QJsonArray history = root.value(QStringLiteral("history")).toArray();
        for (qsizetype i = 0; i < history.size(); ++i)
            checkRun(history.at(i).toObject(), QStringLiteral("history[%1]").arg(i));
        QList<md::AtticEntry> attic;
        for (const QJsonValue &value : root.value(QStringLiteral("attic")).toArray()) {
            checkAtticEntry(value.toObject());
            if (auto entry = md::atticEntryFromJson(value.toObject()))
                attic.append(*entry);
        }
        checkAtticLists(attic);
    }

    // The same bytes through StateStore, from a file.
    StateFolder &folder = stateFolder();
    // A new file each time, not a truncated one: ext4 writes a file truncated and rewritten back
    // to disk on close (auto_da_alloc), which made the fuzzer wait on the disk.
    QFile file(folder.store.fileOf(kMirror));
    file.remove();
    if (!file.open(QIODevice::WriteOnly) || file.write(input) != input.size())
        md::fuzz::fail("writing the state file", file.errorString());
    file.close();
    const auto status = folder.store.status(kMirror);
    const auto history = folder.store.history(kMirror);
    const auto attic = folder.store.atticIndex(kMirror);
    MD_FUZZ_CHECK(attic.ok() == readable, QString::fromUtf8(input));
    if (status) {
        const auto direct = md::statusFromJson(root.value(QStringLiteral("status")).toObject());
        MD_FUZZ_CHECK(direct.ok() && *direct == *status, QString::fromUtf8(input));
    }
    if (history)
        MD_FUZZ_CHECK(history->size() == root.value(QStringLiteral("history")).toArray().size(), QString::fromUtf8(input));
    return 0;
}
