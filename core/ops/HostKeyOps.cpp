#include "ops/HostKeyOps.h"

#include "security/GitUrl.h"
#include "security/KnownHosts.h"
#include "util/SafeFile.h"
#include "util/Scrub.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>

namespace md {

namespace {

Error notFound(const QString &message)
{
    return Error{ErrorCategory::NotFound, message, {}, 0, 0};
}

// Whether `fingerprint` (already checked for shape) names `key`.
bool fingerprintMatches(const HostKey &key, const QString &fingerprint)
{
    if (fingerprint.startsWith(QLatin1String("SHA256:")))
        return key.sha256Fingerprint() == fingerprint;
    QString md5 = fingerprint.toLower();
    if (md5.startsWith(QLatin1String("md5:")))
        md5 = md5.mid(4);
    return key.md5Fingerprint().mid(4) == md5;
}

bool fingerprintShaped(const QString &fingerprint)
{
    static const QRegularExpression sha(QStringLiteral("^SHA256:[A-Za-z0-9+/]{43}$"));
    static const QRegularExpression md5(QStringLiteral("^(?:[Mm][Dd]5:)?[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15}$"));
    return sha.match(fingerprint).hasMatch() || md5.match(fingerprint).hasMatch();
}

constexpr qint64 kMaxKnownHostsBytes = 16 * 1024 * 1024;

} // namespace

HostKeyOps::HostKeyOps(QString configPath)
    : m_store(std::move(configPath))
{
}

Result<HostKeyOps::Pinned> HostKeyOps::pin(const QString &host, const QStringList &rawLines)
{
    auto hostPort = normalizeHostPort(host);
    if (!hostPort)
        return Error::usage(hostPort.error().message);
    if (rawLines.isEmpty())
        return Error::usage(QStringLiteral("no OpenSSH public-key line for %1 found (expected \"TYPE BASE64 [COMMENT]\")").arg(*hostPort));
    Pinned pinned{*hostPort, {}};
    QStringList lines;
    for (const QString &raw : rawLines) {
        auto key = HostKey::parseLine(raw);
        if (!key)
            return Error::usage(key.error().message);
        if (!lines.contains(key->toLine())) {
            lines.append(key->toLine());
            pinned.keys.append(*key);
        }
    }
    auto saved = m_store.modify([&](Config &config) -> Status {
        config.hostKeys.insert(*hostPort, lines);
        return {};
    });
    if (!saved)
        return saved.error();
    return pinned;
}

Result<HostKeyOps::Added> HostKeyOps::add(const QString &host, const QStringList &rawLines)
{
    auto hostPort = normalizeHostPort(host);
    if (!hostPort)
        return Error::usage(hostPort.error().message);
    if (rawLines.isEmpty())
        return Error::usage(QStringLiteral("no OpenSSH public-key line for %1 found (expected \"TYPE BASE64 [COMMENT]\")").arg(*hostPort));
    QList<HostKey> offered;
    for (const QString &raw : rawLines) {
        auto key = HostKey::parseLine(raw);
        if (!key)
            return Error::usage(key.error().message);
        offered.append(*key);
    }
    Added added{*hostPort, {}, 0};
    auto saved = m_store.modify([&](Config &config) -> Status {
        QStringList lines = config.hostKeys.value(*hostPort);
        added.keys.clear();
        added.added = 0;
        for (const QString &line : lines) {
            if (const auto key = HostKey::parseLine(line)) // validated on load
                added.keys.append(*key);
        }
        for (const HostKey &key : offered) {
            const bool pinned = std::any_of(added.keys.cbegin(), added.keys.cend(), [&](const HostKey &k) { return k.blob == key.blob; });
            if (pinned)
                continue;
            lines.append(key.toLine());
            added.keys.append(key);
            ++added.added;
        }
        config.hostKeys.insert(*hostPort, lines);
        return {};
    });
    if (!saved)
        return saved.error();
    return added;
}

Result<DetectReport> HostKeyOps::detect(const QString &location, const std::atomic<bool> *cancel)
{
    return detectHostKeys(location, kDetectTimeoutMs, cancel);
}

Result<QString> HostKeyOps::hostPortOf(const QString &location)
{
    return detectHostPort(location);
}

Result<QList<HostKeyOps::HostEntry>> HostKeyOps::list(const std::optional<QString> &host) const
{
    QString only;
    if (host) {
        auto hostPort = normalizeHostPort(*host);
        if (!hostPort)
            return Error::usage(hostPort.error().message);
        only = *hostPort;
    }
    const auto config = m_store.load();
    if (!config)
        return config.error();
    if (!only.isEmpty() && !config->hostKeys.contains(only))
        return Error{ErrorCategory::NotFound, QStringLiteral("no keys are pinned for %1").arg(only), {}, 0, 0};
    QList<HostEntry> hosts;
    for (auto it = config->hostKeys.begin(); it != config->hostKeys.end(); ++it) {
        if (!only.isEmpty() && it.key() != only)
            continue;
        HostEntry entry{it.key(), {}};
        for (const QString &line : it.value()) {
            if (const auto key = HostKey::parseLine(line)) // validated on load
                entry.keys.append(*key);
        }
        hosts.append(entry);
    }
    return hosts;
}

Result<HostKeyOps::Removed> HostKeyOps::remove(const QString &host, const std::optional<QString> &fingerprint)
{
    auto hostPort = normalizeHostPort(host);
    if (!hostPort)
        return Error::usage(hostPort.error().message);
    const QString print = fingerprint ? fingerprint->trimmed() : QString();
    if (fingerprint && !fingerprintShaped(print))
        return Error::usage(QStringLiteral("\"%1\" is not a key fingerprint (expected SHA256:… as ssh-keygen -l prints it, or MD5:aa:bb:…)")
                                .arg(quoteInput(print, 80)));
    Removed removed{*hostPort, {}, false, {}};
    auto saved = m_store.modify([&](Config &config) -> Status {
        if (!config.hostKeys.contains(*hostPort))
            return notFound(QStringLiteral("no keys are pinned for %1").arg(*hostPort));
        QStringList kept;
        QStringList pinnedPrints;
        for (const QString &line : config.hostKeys.value(*hostPort)) {
            const auto key = HostKey::parseLine(line); // validated on load
            if (key)
                pinnedPrints.append(key->sha256Fingerprint());
            if (key && (!fingerprint || fingerprintMatches(*key, print)))
                removed.keys.append(*key);
            else
                kept.append(line);
        }
        if (removed.keys.isEmpty())
            return notFound(QStringLiteral("no key pinned for %1 has the fingerprint %2 (pinned: %3)")
                                .arg(*hostPort, quoteInput(print, 80), pinnedPrints.join(QStringLiteral(", "))));
        if (kept.isEmpty()) {
            config.hostKeys.remove(*hostPort);
            removed.hostGone = true;
        } else {
            config.hostKeys.insert(*hostPort, kept);
        }
        for (const Mirror &mirror : config.mirrors) {
            for (const Endpoint *side : {&mirror.source, &mirror.target}) {
                const auto url = GitUrl::parse(side->url);
                if (!side->url.isEmpty() && url && url->isSsh() && url->hostPort() == *hostPort && !removed.usedBy.contains(mirror.name))
                    removed.usedBy.append(mirror.name);
            }
        }
        return {};
    });
    if (!saved)
        return saved.error();
    return removed;
}

std::optional<HostKeyOps::Refusal> HostKeyOps::refusalOf(ErrorCategory category, const QJsonObject &detail)
{
    if (category != ErrorCategory::HostKey || detail.isEmpty())
        return std::nullopt;
    const auto hostPort = normalizeHostPort(detail.value(QStringLiteral("host")).toString());
    const auto offered = HostKey::parseLine(detail.value(QStringLiteral("offered")).toObject().value(QStringLiteral("line")).toString());
    if (!hostPort || !offered)
        return std::nullopt;
    Refusal refusal;
    refusal.hostPort = *hostPort;
    refusal.offered = *offered;
    refusal.changed = detail.value(QStringLiteral("reason")).toString() == QLatin1String("changed");
    refusal.typeNotPinned = detail.value(QStringLiteral("reason")).toString() == QLatin1String("type_not_pinned");
    for (const QJsonValue &pinned : detail.value(QStringLiteral("pinned")).toArray()) {
        if (const auto key = HostKey::parseLine(pinned.toObject().value(QStringLiteral("line")).toString()))
            refusal.pinned.append(*key);
    }
    return refusal;
}

std::optional<HostKeyOps::Refusal> HostKeyOps::refusalOf(const StatusRecord &status)
{
    const bool checkIsNewer = status.lastCheck && (!status.lastUpdateAt.isValid() || status.lastCheck->checkedAt >= status.lastUpdateAt);
    if (checkIsNewer)
        return refusalOf(status.lastCheck->errorCategory, status.lastCheck->errorDetail);
    if (status.updateStatus != UpdateStatus::Failed)
        return std::nullopt;
    return refusalOf(status.errorCategory, status.errorDetail);
}

int HostKeyOps::ImportReport::addedKeys() const
{
    int count = 0;
    for (const Imported &host : hosts)
        count += static_cast<int>(host.added.size());
    return count;
}

QString HostKeyOps::defaultKnownHostsFile()
{
    const QString home = qEnvironmentVariable("HOME");
    return home.isEmpty() ? QString() : QDir(home).filePath(QStringLiteral(".ssh/known_hosts"));
}

Result<HostKeyOps::ImportReport> HostKeyOps::importKnownHosts(const QString &file)
{
    if (file.isEmpty())
        return Error::usage(QStringLiteral("no known_hosts file given, and HOME is not set"));
    const auto data = safefile::readRegular(file, kMaxKnownHostsBytes, QStringLiteral("known_hosts file"));
    if (!data)
        return data.error();
    if (!*data)
        return notFound(QStringLiteral("there is no known_hosts file %1").arg(quoteInput(file, 200)));
    return importKnownHostsText(QString::fromUtf8(**data), file);
}

Result<HostKeyOps::ImportReport> HostKeyOps::importKnownHostsText(const QString &text, const QString &source)
{
    const KnownHostsFile parsed = parseKnownHosts(text);
    ImportReport report;
    report.source = source;
    report.hashedLines = parsed.hashedLines;
    report.notes = parsed.notes;
    report.problems = parsed.problems;
    if (parsed.hashedLines > 0)
        report.notes.append(QStringLiteral("skipped %1 line(s) with a hashed host name (\"|1|…\", written by HashKnownHosts): a hash "
                                           "cannot be turned back into the host it names; for those hosts, run mirrordesk hostkeys "
                                           "detect HOST[:PORT] and pin what it shows with mirrordesk hostkeys pin")
                                .arg(parsed.hashedLines));
    auto saved = m_store.modify([&](Config &config) -> Status {
        QMap<QString, qsizetype> index; // host:port -> position in report.hosts
        bool changed = false;
        for (const KnownHostsEntry &entry : parsed.entries) {
            const auto revokedHere = std::find_if(parsed.revoked.cbegin(), parsed.revoked.cend(),
                                                  [&](const KnownHostsEntry &r) { return r.key.blob == entry.key.blob; });
            if (revokedHere != parsed.revoked.cend()) {
                report.notes.append(QStringLiteral("line %1: not pinned: the same file marks this key @revoked (line %2)")
                                        .arg(entry.line)
                                        .arg(revokedHere->line));
                continue;
            }
            for (const QString &hostPort : entry.hostPorts) {
                if (!index.contains(hostPort)) {
                    index.insert(hostPort, report.hosts.size());
                    report.hosts.append(Imported{hostPort, {}, 0});
                }
                Imported &host = report.hosts[index.value(hostPort)];
                QStringList lines = config.hostKeys.value(hostPort);
                const bool pinned = std::any_of(lines.cbegin(), lines.cend(), [&](const QString &line) {
                    const auto key = HostKey::parseLine(line);
                    return key && key->blob == entry.key.blob;
                });
                if (pinned) {
                    ++host.alreadyPinned;
                    continue;
                }
                lines.append(entry.key.toLine());
                config.hostKeys.insert(hostPort, lines);
                host.added.append(entry.key);
                changed = true;
            }
        }
        // A key marked @revoked that is pinned: say where, the admin decides (hostkeys remove).
        for (const KnownHostsEntry &revoked : parsed.revoked) {
            bool pinnedSomewhere = false;
            for (auto it = config.hostKeys.cbegin(); it != config.hostKeys.cend(); ++it) {
                for (const QString &line : it.value()) {
                    const auto key = HostKey::parseLine(line);
                    if (!key || key->blob != revoked.key.blob)
                        continue;
                    pinnedSomewhere = true;
                    report.problems.append(QStringLiteral("line %1: the key %2 is marked @revoked, and it is pinned for %3; unpin it "
                                                          "with mirrordesk hostkeys remove %3 %2")
                                               .arg(revoked.line)
                                               .arg(revoked.key.sha256Fingerprint(), it.key()));
                }
            }
            if (!pinnedSomewhere)
                report.notes.append(QStringLiteral("line %1: skipped an @revoked key (%2): a revoked key is never pinned")
                                        .arg(revoked.line)
                                        .arg(revoked.key.sha256Fingerprint()));
        }
        // Nothing added: end the edit without writing (not even an empty config where none was).
        if (!changed)
            return Error{ErrorCategory::None, QStringLiteral("unchanged"), {}, 0, 0};
        return {};
    });
    if (!saved && saved.error().category != ErrorCategory::None)
        return saved.error();
    return report;
}

} // namespace md
