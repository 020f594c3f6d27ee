#include "ops/OrgPlan.h"

#include "security/GitUrl.h"
#include "util/EnumNames.h"
#include "util/Names.h"
#include "util/Scrub.h"

#include <QDir>
#include <QUrl>

#include <re2/re2.h>

#include <memory>

namespace md {

namespace {

constexpr std::pair<OrgAction, const char *> kActions[] = {
    {OrgAction::Create, "create"},     {OrgAction::Update, "update"}, {OrgAction::UpToDate, "up_to_date"},
    {OrgAction::Filtered, "filtered"}, {OrgAction::Gone, "gone"},     {OrgAction::Clash, "clash"},
};

constexpr std::pair<OrgReason, const char *> kReasons[] = {
    {OrgReason::None, ""},
    {OrgReason::Regex, "regex"},
    {OrgReason::Archived, "archived"},
    {OrgReason::Fork, "fork"},
    {OrgReason::InvalidName, "invalid_name"},
    {OrgReason::NameTaken, "name_taken"},
    {OrgReason::DuplicateName, "duplicate_name"},
    {OrgReason::NeverSynced, "never_synced"},
    {OrgReason::LastFailed, "last_failed"},
    {OrgReason::Changed, "changed"},
    {OrgReason::Behind, "behind"},
    {OrgReason::NotListed, "not_listed"},
    {OrgReason::InvalidCloneUrl, "invalid_clone_url"},
};

} // namespace

QString orgActionName(OrgAction action) { return enumName(action, kActions); }
std::optional<OrgAction> orgActionFromName(const QString &name) { return enumFromName(name, kActions); }
QString orgReasonName(OrgReason reason) { return enumName(reason, kReasons); }

QString orgReasonText(OrgReason reason, const OrgMirror &org)
{
    switch (reason) {
    case OrgReason::None:
        return {};
    case OrgReason::Regex:
        return QStringLiteral("its name does not match the regex \"%1\"").arg(printable(org.regex));
    case OrgReason::Archived:
        return QStringLiteral("archived (include them with --include-archived)");
    case OrgReason::Fork:
        return QStringLiteral("a fork (include forks with --include-forks)");
    case OrgReason::InvalidName:
        return QStringLiteral("its path is not a valid mirror name");
    case OrgReason::InvalidCloneUrl:
        return QStringLiteral("its clone URL is not a remote git URL (http, https, git or ssh)");
    case OrgReason::NameTaken:
        return QStringLiteral("a mirror of that name exists and was not made for this repository");
    case OrgReason::DuplicateName:
        return QStringLiteral("another repository of the list has the same name ignoring case");
    case OrgReason::NeverSynced:
        return QStringLiteral("its mirror has not been updated successfully yet");
    case OrgReason::LastFailed:
        return QStringLiteral("its mirror's last update failed");
    case OrgReason::Changed:
        return QStringLiteral("changed upstream since its last update");
    case OrgReason::Behind:
        return QStringLiteral("its mirror's last check found it behind");
    case OrgReason::NotListed:
        return org.gone == GonePolicy::Disable ? QStringLiteral("no longer listed by the provider; its mirror is disabled (the cache is kept)")
                                               : QStringLiteral("no longer listed by the provider; its mirror is kept");
    }
    return {};
}

QMap<OrgAction, int> OrgPreview::summary() const
{
    QMap<OrgAction, int> counts;
    for (const auto &[action, name] : kActions)
        counts.insert(action, 0);
    for (const OrgRow &row : rows)
        ++counts[row.action];
    return counts;
}

QString orgMirrorName(const OrgMirror &org, const providers::RemoteRepository &repository)
{
    return org.name + QLatin1Char('/') + repository.fullName;
}

OrgPreview previewOrg(const OrgMirror &org, const QList<providers::RemoteRepository> &listed, const Config &config,
                      const QHash<QString, OrgMirrorState> &states)
{
    OrgPreview preview;
    preview.org = org.name;
    preview.rows.reserve(listed.size());

    std::unique_ptr<RE2> regex;
    if (!org.regex.isEmpty()) {
        const QByteArray pattern = org.regex.toUtf8();
        RE2::Options options;
        options.set_log_errors(false);
        regex = std::make_unique<RE2>(re2::StringPiece(pattern.constData(), static_cast<size_t>(pattern.size())), options);
    }
    // Existing mirrors by folded name, and the org's own by folded repository.
    QHash<QString, const Mirror *> mirrorByName;
    QHash<QString, const Mirror *> ownByRepository;
    mirrorByName.reserve(config.mirrors.size());
    const QString orgFolded = org.name.toCaseFolded();
    for (const Mirror &m : config.mirrors) {
        mirrorByName.insert(m.name.toCaseFolded(), &m);
        if (!m.org.isEmpty() && m.org.toCaseFolded() == orgFolded)
            ownByRepository.insert(m.orgRepository.toCaseFolded(), &m);
    }
    QHash<QString, OrgMirrorState> stateByName;
    stateByName.reserve(states.size());
    for (auto it = states.begin(); it != states.end(); ++it)
        stateByName.insert(it.key().toCaseFolded(), it.value());

    QSet<QString> seenNames;
    QSet<QString> listedRepositories;
    for (const providers::RemoteRepository &repository : listed) {
        OrgRow row;
        row.repository = repository;
        row.mirror = orgMirrorName(org, repository);
        const QString folded = row.mirror.toCaseFolded();
        listedRepositories.insert(repository.fullName.toCaseFolded());
        auto decide = [&]() {
            if (repository.archived && !org.includeArchived)
                return std::pair{OrgAction::Filtered, OrgReason::Archived};
            if (repository.fork && !org.includeForks)
                return std::pair{OrgAction::Filtered, OrgReason::Fork};
            if (regex) {
                const QByteArray path = pathBelowOwner(repository.fullName, org.owner).toUtf8();
                if (!RE2::PartialMatch(re2::StringPiece(path.constData(), static_cast<size_t>(path.size())), *regex))
                    return std::pair{OrgAction::Filtered, OrgReason::Regex};
            }
            if (!validateMirrorName(row.mirror))
                return std::pair{OrgAction::Clash, OrgReason::InvalidName};
            if (!isRemoteCloneUrl(repository.cloneUrl))
                return std::pair{OrgAction::Clash, OrgReason::InvalidCloneUrl};
            if (seenNames.contains(folded))
                return std::pair{OrgAction::Clash, OrgReason::DuplicateName};
            seenNames.insert(folded);
            const Mirror *existing = mirrorByName.value(folded);
            if (!existing)
                return std::pair{OrgAction::Create, OrgReason::None};
            if (existing->org.toCaseFolded() != orgFolded || existing->orgRepository.toCaseFolded() != repository.fullName.toCaseFolded())
                return std::pair{OrgAction::Clash, OrgReason::NameTaken};
            row.mirror = existing->name;
            const OrgMirrorState state = stateByName.value(folded);
            if (!state.everSucceeded)
                return std::pair{OrgAction::Update, OrgReason::NeverSynced};
            if (state.lastFailed)
                return std::pair{OrgAction::Update, OrgReason::LastFailed};
            if (!repository.contentHash.isEmpty() && repository.contentHash != state.syncedContentHash)
                return std::pair{OrgAction::Update, OrgReason::Changed};
            if (state.behind)
                return std::pair{OrgAction::Update, OrgReason::Behind};
            return std::pair{OrgAction::UpToDate, OrgReason::None};
        };
        std::tie(row.action, row.reason) = decide();
        preview.rows.append(std::move(row));
    }
    // The org's mirrors whose repository is no longer listed, in config order.
    for (const Mirror &m : config.mirrors) {
        if (m.org.isEmpty() || m.org.toCaseFolded() != orgFolded || listedRepositories.contains(m.orgRepository.toCaseFolded()))
            continue;
        OrgRow row;
        row.repository.fullName = m.orgRepository;
        row.repository.cloneUrl = m.source.url;
        row.mirror = m.name;
        row.action = OrgAction::Gone;
        row.reason = OrgReason::NotListed;
        preview.rows.append(std::move(row));
    }
    return preview;
}

bool credentialMayGoTo(const QString &apiUrl, const QString &cloneUrl)
{
    const QUrl api(apiUrl);
    const QUrl clone(cloneUrl);
    if (!api.isValid() || !clone.isValid() || (clone.scheme() != QLatin1String("https") && clone.scheme() != QLatin1String("http")))
        return false;
    const QString apiHost = api.host().toLower();
    const QString cloneHost = clone.host().toLower();
    const int defaultPort = clone.scheme() == QLatin1String("https") ? 443 : 80;
    if (apiHost == cloneHost && api.scheme() == clone.scheme() && api.port(defaultPort) == clone.port(defaultPort))
        return true;
    // The public services clone from the host their API is named after.
    const bool publicPair = (apiHost == QLatin1String("api.github.com") && cloneHost == QLatin1String("github.com")) ||
                            (apiHost == QLatin1String("api.bitbucket.org") && cloneHost == QLatin1String("bitbucket.org"));
    return publicPair && clone.scheme() == QLatin1String("https") && clone.port(443) == 443;
}

bool isRemoteCloneUrl(const QString &cloneUrl)
{
    const auto url = GitUrl::parse(cloneUrl);
    return url && !url->isLocal() && !cloneUrl.startsWith(QLatin1Char('-'));
}

Mirror mirrorForRepository(const OrgMirror &org, const providers::RemoteRepository &repository, const QString &targetCloneUrl)
{
    Mirror m;
    m.name = orgMirrorName(org, repository);
    m.source.url = repository.cloneUrl;
    // The token goes only where the API is: a clone URL on another host gets no credential.
    if (credentialMayGoTo(org.effectiveApiUrl(), repository.cloneUrl))
        m.source.credential = org.credential;
    m.org = org.name;
    m.orgRepository = repository.fullName;
    if (org.target.isDir()) {
        m.shape = Shape::Pull;
        m.cachePath = QDir::cleanPath(org.target.dir + QLatin1Char('/') + repository.fullName + QStringLiteral(".git"));
    } else {
        m.shape = Shape::Relay;
        m.target.url = targetCloneUrl;
        const auto target = parseTargetUrl(org.target.url);
        if (target && credentialMayGoTo(target->apiUrl, targetCloneUrl))
            m.target.credential = org.target.credential;
    }
    return m;
}

QJsonObject orgRowToJson(const OrgRow &row, const OrgMirror &org)
{
    return QJsonObject{
        {QStringLiteral("full_name"), row.repository.fullName},
        {QStringLiteral("clone_url"), scrubText(row.repository.cloneUrl)},
        {QStringLiteral("mirror"), row.mirror},
        {QStringLiteral("action"), orgActionName(row.action)},
        {QStringLiteral("reason"), orgReasonText(row.reason, org)},
        {QStringLiteral("reason_code"), orgReasonName(row.reason)},
    };
}

QJsonObject orgSummaryToJson(const QMap<OrgAction, int> &summary)
{
    QJsonObject object;
    for (auto it = summary.begin(); it != summary.end(); ++it)
        object.insert(orgActionName(it.key()), it.value());
    return object;
}

} // namespace md
