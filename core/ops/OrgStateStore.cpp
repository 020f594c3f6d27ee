#include "ops/OrgStateStore.h"

#include "mirror/StatusRecord.h"
#include "util/Log.h"
#include "util/SafeFile.h"
#include "util/Scrub.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace md {

Q_DECLARE_LOGGING_CATEGORY(lcOrg)

namespace {

constexpr qint64 kMaxOrgStateBytes = 16 * 1024 * 1024;
constexpr qint64 kMaxPagesBytes = 256 * 1024 * 1024;

QString encodedName(const QString &org)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(org));
}

Result<QJsonObject> readJsonObject(const QString &path, qint64 maxBytes, const QString &what)
{
    auto bytes = safefile::readRegular(path, maxBytes, what);
    if (!bytes)
        return bytes.error();
    if (!*bytes)
        return QJsonObject{};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(**bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::io(QStringLiteral("%1 %2 is damaged (not a JSON object); remove it to start afresh").arg(what, path));
    return document.object();
}

} // namespace

OrgStateStore::OrgStateStore(QString stateDir)
    : m_dir(QDir(stateDir).filePath(QStringLiteral("orgs")))
{
}

QString OrgStateStore::fileOf(const QString &org) const { return QDir(m_dir).filePath(encodedName(org) + QStringLiteral(".json")); }
QString OrgStateStore::pagesFileOf(const QString &org) const
{
    return QDir(m_dir).filePath(encodedName(org) + QStringLiteral(".pages"));
}

Result<OrgState> OrgStateStore::load(const QString &org) const
{
    auto object = readJsonObject(fileOf(org), kMaxOrgStateBytes, QStringLiteral("org state file"));
    if (!object)
        return object.error();
    OrgState state;
    state.lastDiscoveryAt = parseIsoTime(object->value(QStringLiteral("last_discovery_at")).toString());
    state.lastRunAt = parseIsoTime(object->value(QStringLiteral("last_run_at")).toString());
    state.listed = object->value(QStringLiteral("listed")).toInt();
    const QJsonObject summary = object->value(QStringLiteral("summary")).toObject();
    for (auto it = summary.begin(); it != summary.end(); ++it) {
        if (auto action = orgActionFromName(it.key()))
            state.summary.insert(*action, it.value().toInt());
    }
    state.lastError = object->value(QStringLiteral("last_error")).toString();
    const QString category = object->value(QStringLiteral("error_category")).toString();
    for (ErrorCategory c : {ErrorCategory::Network, ErrorCategory::Timeout, ErrorCategory::Auth, ErrorCategory::Tls, ErrorCategory::NotFound,
                            ErrorCategory::Config, ErrorCategory::Keychain, ErrorCategory::Interrupted, ErrorCategory::Io, ErrorCategory::Usage}) {
        if (errorCategoryName(c) == category)
            state.errorCategory = c;
    }
    const QJsonObject hashes = object->value(QStringLiteral("synced_content_hash")).toObject();
    for (auto it = hashes.begin(); it != hashes.end(); ++it)
        state.syncedContentHash.insert(it.key(), it.value().toString());
    for (const QJsonValue &gone : object->value(QStringLiteral("gone")).toArray())
        state.gone.append(gone.toString());
    return state;
}

Status OrgStateStore::save(const QString &org, const OrgState &state)
{
    QJsonObject hashes;
    for (auto it = state.syncedContentHash.begin(); it != state.syncedContentHash.end(); ++it)
        hashes.insert(it.key(), it.value());
    QJsonObject object{
        {QStringLiteral("last_discovery_at"), isoTime(state.lastDiscoveryAt)},
        {QStringLiteral("last_run_at"), isoTime(state.lastRunAt)},
        {QStringLiteral("listed"), state.listed},
        {QStringLiteral("summary"), orgSummaryToJson(state.summary)},
        {QStringLiteral("last_error"), scrubText(state.lastError)},
        {QStringLiteral("error_category"), state.errorCategory == ErrorCategory::None ? QString() : errorCategoryName(state.errorCategory)},
        {QStringLiteral("synced_content_hash"), hashes},
        {QStringLiteral("gone"), QJsonArray::fromStringList(state.gone)},
    };
    return safefile::writeAtomically(fileOf(org), QJsonDocument(object).toJson(QJsonDocument::Indented), QStringLiteral("org state file"));
}

namespace {

const QByteArray kPagesMagic = QByteArrayLiteral("mirrordesk-page-cache 1\n");

// The page cache as written before format 1 (one JSON object, bodies as JSON strings).
QString legacyPagesFile(const QString &pagesFile)
{
    return pagesFile + QStringLiteral(".json");
}

} // namespace

Result<providers::PageCache> OrgStateStore::loadPages(const QString &org) const
{
    providers::PageCache cache;
    const QString path = pagesFileOf(org);
    // Only a cache: whatever is wrong with it is dropped (the next listing asks for every page again).
    auto dropped = [&](const QString &why) {
        qCWarning(lcOrg).noquote() << QStringLiteral("org page cache %1 %2; dropped").arg(path, why);
        return providers::PageCache{};
    };
    auto bytes = safefile::readRegular(path, kMaxPagesBytes, QStringLiteral("org page cache"));
    if (!bytes)
        return dropped(bytes.error().message);
    if (!*bytes)
        return cache;
    const QByteArray &data = **bytes;
    const qsizetype indexEnd = data.startsWith(kPagesMagic) ? data.indexOf('\n', kPagesMagic.size()) : -1;
    if (indexEnd < 0)
        return dropped(QStringLiteral("is not a page cache of this version"));
    QJsonParseError error;
    const QJsonDocument index = QJsonDocument::fromJson(data.mid(kPagesMagic.size(), indexEnd - kPagesMagic.size()), &error);
    if (error.error != QJsonParseError::NoError || !index.isArray())
        return dropped(QStringLiteral("has a damaged index"));
    qsizetype at = indexEnd + 1;
    for (const QJsonValue &value : index.array()) {
        const QJsonObject page = value.toObject();
        const qint64 size = page.value(QStringLiteral("bytes")).toInteger(-1);
        if (size < 0 || size > data.size() - at)
            return dropped(QStringLiteral("is cut short"));
        cache.pages.insert(page.value(QStringLiteral("url")).toString(),
                           providers::PageCache::Page{page.value(QStringLiteral("etag")).toString().toUtf8(), data.mid(at, size),
                                                      page.value(QStringLiteral("next")).toString().toUtf8()});
        at += size;
    }
    if (at != data.size())
        return dropped(QStringLiteral("holds more than its index says"));
    return cache;
}

Status OrgStateStore::savePages(const QString &org, const providers::PageCache &pages)
{
    QJsonArray index;
    qsizetype total = 0;
    for (auto it = pages.pages.begin(); it != pages.pages.end(); ++it) {
        index.append(QJsonObject{{QStringLiteral("url"), it.key()},
                                 {QStringLiteral("etag"), QString::fromUtf8(it->etag)},
                                 {QStringLiteral("next"), QString::fromUtf8(it->next)},
                                 {QStringLiteral("bytes"), qint64(it->body.size())}});
        total += it->body.size();
    }
    QByteArray data = kPagesMagic + QJsonDocument(index).toJson(QJsonDocument::Compact) + '\n';
    data.reserve(data.size() + total);
    for (auto it = pages.pages.begin(); it != pages.pages.end(); ++it) // the same order as the index
        data += it->body;
    const QString path = pagesFileOf(org);
    if (auto status = safefile::writeAtomically(path, data, QStringLiteral("org page cache"), safefile::Durability::Unsynced); !status)
        return status;
    if (const QString legacy = legacyPagesFile(path); safefile::kindOf(legacy) == safefile::Kind::Regular)
        QFile::remove(legacy);
    return {};
}

Status OrgStateStore::remove(const QString &org)
{
    for (const QString &path : {fileOf(org), pagesFileOf(org), legacyPagesFile(pagesFileOf(org))}) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return Error::io(QStringLiteral("cannot remove %1").arg(path));
    }
    return {};
}

bool orgDiscoveryDue(const OrgMirror &org, const OrgState &state, const QDateTime &now)
{
    if (!org.syncNew)
        return false;
    if (!state.lastDiscoveryAt.isValid())
        return true;
    return state.lastDiscoveryAt.addSecs(qint64(org.effectiveIntervalMinutes()) * 60) <= now;
}

} // namespace md
