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
    return QDir(m_dir).filePath(encodedName(org) + QStringLiteral(".pages.json"));
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

Result<providers::PageCache> OrgStateStore::loadPages(const QString &org) const
{
    auto object = readJsonObject(pagesFileOf(org), kMaxPagesBytes, QStringLiteral("org page cache"));
    providers::PageCache cache;
    if (!object) {
        // Only a cache: a damaged one is dropped (the next listing asks for every page again).
        qCWarning(lcOrg).noquote() << object.error().message;
        return cache;
    }
    for (auto it = object->begin(); it != object->end(); ++it) {
        const QJsonObject page = it.value().toObject();
        cache.pages.insert(it.key(), providers::PageCache::Page{page.value(QStringLiteral("etag")).toString().toUtf8(),
                                                                page.value(QStringLiteral("body")).toString().toUtf8(),
                                                                page.value(QStringLiteral("next")).toString().toUtf8()});
    }
    return cache;
}

Status OrgStateStore::savePages(const QString &org, const providers::PageCache &pages)
{
    QJsonObject object;
    for (auto it = pages.pages.begin(); it != pages.pages.end(); ++it) {
        object.insert(it.key(), QJsonObject{{QStringLiteral("etag"), QString::fromUtf8(it->etag)},
                                            {QStringLiteral("body"), QString::fromUtf8(it->body)},
                                            {QStringLiteral("next"), QString::fromUtf8(it->next)}});
    }
    return safefile::writeAtomically(pagesFileOf(org), QJsonDocument(object).toJson(QJsonDocument::Compact), QStringLiteral("org page cache"),
                                     safefile::Durability::Unsynced);
}

Status OrgStateStore::remove(const QString &org)
{
    for (const QString &path : {fileOf(org), pagesFileOf(org)}) {
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
