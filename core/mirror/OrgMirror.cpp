#include "mirror/OrgMirror.h"

#include "util/EnumNames.h"
#include "util/JsonReader.h"
#include "util/Names.h"
#include "util/Scrub.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

#include <re2/re2.h>

namespace md {

namespace {

constexpr std::pair<GonePolicy, const char *> kGone[] = {
    {GonePolicy::Keep, "keep"},
    {GonePolicy::Disable, "disable"},
};

constexpr qsizetype kMaxOrgRegexLength = 4096;

// An http(s) URL without credentials, query or fragment.
Status validateApiUrl(const QString &text, const QString &field, const char *what)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) || url.host().isEmpty())
        return Error::config(field, QStringLiteral("\"%1\" is not an http:// or https:// URL of %2").arg(quoteInput(text), QLatin1String(what)));
    if (!url.userInfo().isEmpty())
        return Error::config(field, QStringLiteral("\"%1\" carries credentials; name a credential instead").arg(quoteInput(text)));
    if (url.hasQuery() || url.hasFragment())
        return Error::config(field, QStringLiteral("\"%1\" must not have a query or fragment").arg(quoteInput(text)));
    return {};
}

bool validSegment(const QString &segment)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_~][A-Za-z0-9._~-]*$"));
    return segment.size() <= 255 && re.match(segment).hasMatch();
}

Status validateOwner(const OrgMirror &org, const QString &field)
{
    if (org.owner.isEmpty())
        return Error::config(field, QStringLiteral("is empty: name the organisation, user, group, workspace or project"));
    const QStringList segments = org.owner.split(QLatin1Char('/'));
    if (segments.size() > 1 && org.provider != providers::Provider::GitLab)
        return Error::config(field, QStringLiteral("\"%1\" has a \"/\"; only a GitLab group path has several parts").arg(quoteInput(org.owner)));
    for (const QString &segment : segments) {
        if (!validSegment(segment) || segment == QLatin1String(".."))
            return Error::config(field, QStringLiteral("\"%1\" is not a valid owner name (letters, digits, \".\", \"_\", \"-\", \"~\"%2)")
                                            .arg(quoteInput(org.owner), org.provider == providers::Provider::GitLab
                                                                            ? QStringLiteral("; parts joined by \"/\"")
                                                                            : QString()));
    }
    return {};
}

} // namespace

QString goneName(GonePolicy policy) { return enumName(policy, kGone); }
std::optional<GonePolicy> goneFromName(const QString &name) { return enumFromName(name, kGone); }

QString OrgMirror::effectiveApiUrl() const
{
    QString url = apiUrl.isEmpty() ? providers::defaultApiUrl(provider) : apiUrl;
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url;
}

QString pathBelowOwner(const QString &fullName, const QString &owner)
{
    if (fullName.size() > owner.size() && fullName.startsWith(owner, Qt::CaseInsensitive) && fullName.at(owner.size()) == QLatin1Char('/'))
        return fullName.mid(owner.size() + 1);
    return fullName;
}

Result<TargetNamespace> parseTargetUrl(const QString &text, const QString &field)
{
    if (auto status = validateApiUrl(text, field, "a GitLab group or Bitbucket Server project"); !status)
        return status.error();
    const QUrl url(text);
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    QString base = url.scheme() + QStringLiteral("://") + url.host();
    if (url.port() > 0)
        base += QLatin1Char(':') + QString::number(url.port());
    TargetNamespace target;
    static const QRegularExpression bbs(QStringLiteral("^(.*)/projects/([^/]+)$"));
    if (const auto match = bbs.match(path); match.hasMatch()) {
        target.provider = providers::Provider::BitbucketServer;
        target.webBase = base + match.captured(1);
        target.apiUrl = target.webBase;
        target.ns = match.captured(2);
    } else {
        target.provider = providers::Provider::GitLab;
        target.webBase = base;
        target.apiUrl = base + QStringLiteral("/api/v4");
        target.ns = path.mid(1);
    }
    if (target.ns.isEmpty())
        return Error::config(field, QStringLiteral("\"%1\" names no group or project: give https://HOST/GROUP[/SUBGROUP] (GitLab) or "
                                                   "https://HOST/projects/KEY (Bitbucket Server)")
                                        .arg(quoteInput(text)));
    for (const QString &segment : target.ns.split(QLatin1Char('/'))) {
        if (!validSegment(segment))
            return Error::config(field, QStringLiteral("\"%1\": \"%2\" is not a valid group or project name").arg(quoteInput(text), quoteInput(segment)));
    }
    return target;
}

Status validateOrgRegex(const QString &regex, const QString &field)
{
    if (regex.isEmpty())
        return {};
    if (regex.size() > kMaxOrgRegexLength)
        return Error::config(field, QStringLiteral("regular expression is longer than %1 characters").arg(kMaxOrgRegexLength));
    const QByteArray utf8 = regex.toUtf8();
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re(re2::StringPiece(utf8.constData(), static_cast<size_t>(utf8.size())), options);
    if (re.ok())
        return {};
    // RE2 names the offending part (error_arg); its place in the pattern is the position.
    const QString part = QString::fromStdString(re.error_arg());
    qsizetype at = part.isEmpty() ? -1 : regex.indexOf(part);
    if (at < 0 && re.error_code() == RE2::ErrorMissingParen)
        at = regex.size();
    Error error = Error::config(field, QStringLiteral("invalid regular expression \"%1\"%2: %3")
                                           .arg(quoteInput(regex),
                                                at >= 0 ? QStringLiteral(" at position %1").arg(at + 1) : QString(),
                                                quoteInput(QString::fromStdString(re.error()))));
    if (at >= 0)
        error.detail.insert(QStringLiteral("position"), static_cast<int>(at + 1));
    error.detail.insert(QStringLiteral("reason"), QString::fromStdString(re.error())); // RE2's words, for the window's message
    return error;
}

Status validateOrg(const OrgMirror &org, const QString &prefix)
{
    auto field = [&prefix](const char *name) { return joinField(prefix, QLatin1String(name)); };
    if (auto status = validateMirrorName(org.name, field("name")); !status)
        return status;
    if (org.provider == providers::Provider::BitbucketServer && org.apiUrl.isEmpty())
        return Error::config(field("api_url"), QStringLiteral("is required for Bitbucket Server (its base URL, e.g. https://bitbucket.example)"));
    if (!org.apiUrl.isEmpty()) {
        if (auto status = validateApiUrl(org.apiUrl, field("api_url"), "the provider's API"); !status)
            return status;
    }
    if (auto status = validateOwner(org, field("owner")); !status)
        return status;
    if (!org.credential.isEmpty()) {
        if (auto status = validateCredentialName(org.credential, field("credential")); !status)
            return status;
    }
    if (auto status = validateOrgRegex(org.regex, field("regex")); !status)
        return status;
    const QString targetField = field("target");
    if (org.target.isDir() == !org.target.url.isEmpty())
        return Error::config(targetField, QStringLiteral("give either a folder (dir) or a forge namespace (url), not %1")
                                              .arg(org.target.isDir() ? QStringLiteral("both") : QStringLiteral("neither")));
    if (org.target.isDir()) {
        if (!QDir::isAbsolutePath(org.target.dir))
            return Error::config(joinField(targetField, QStringLiteral("dir")), QStringLiteral("must be an absolute path"));
        if (QDir::cleanPath(org.target.dir) == QDir::rootPath())
            return Error::config(joinField(targetField, QStringLiteral("dir")), QStringLiteral("must not be the root folder"));
        if (!org.target.credential.isEmpty())
            return Error::config(joinField(targetField, QStringLiteral("credential")), QStringLiteral("applies to a target url only"));
    } else {
        auto parsed = parseTargetUrl(org.target.url, joinField(targetField, QStringLiteral("url")));
        if (!parsed)
            return parsed.error();
        if (org.target.credential.isEmpty())
            return Error::config(joinField(targetField, QStringLiteral("credential")),
                                 QStringLiteral("is required with a target url (the token that creates repositories and pushes)"));
        if (auto status = validateCredentialName(org.target.credential, joinField(targetField, QStringLiteral("credential"))); !status)
            return status;
    }
    if (org.intervalMinutes && (*org.intervalMinutes < 1 || *org.intervalMinutes > 10080))
        return Error::config(field("interval_minutes"), QStringLiteral("must be from 1 to 10080"));
    return {};
}

QJsonObject orgToJson(const OrgMirror &org)
{
    QJsonObject target;
    if (org.target.isDir()) {
        target.insert(QStringLiteral("dir"), org.target.dir);
    } else {
        target.insert(QStringLiteral("url"), org.target.url);
        target.insert(QStringLiteral("credential"), org.target.credential);
    }
    QJsonObject object{
        {QStringLiteral("name"), org.name},
        {QStringLiteral("provider"), providers::providerName(org.provider)},
        {QStringLiteral("owner"), org.owner},
        {QStringLiteral("regex"), org.regex},
        {QStringLiteral("include_archived"), org.includeArchived},
        {QStringLiteral("include_forks"), org.includeForks},
        {QStringLiteral("target"), target},
        {QStringLiteral("sync_new"), org.syncNew},
        {QStringLiteral("gone"), goneName(org.gone)},
    };
    if (!org.apiUrl.isEmpty())
        object.insert(QStringLiteral("api_url"), org.apiUrl);
    if (!org.credential.isEmpty())
        object.insert(QStringLiteral("credential"), org.credential);
    if (org.intervalMinutes)
        object.insert(QStringLiteral("interval_minutes"), *org.intervalMinutes);
    return object;
}

Result<OrgMirror> orgFromJson(const QJsonObject &object, const QString &path)
{
    JsonReader reader(object, path);
    OrgMirror org;
    org.name = reader.string(QStringLiteral("name"));
    const QString provider = reader.string(QStringLiteral("provider"));
    if (auto parsed = providers::providerFromName(provider))
        org.provider = *parsed;
    else
        reader.fail(QStringLiteral("provider"),
                    QStringLiteral("\"%1\" is not one of github, gitlab, bitbucket-cloud, bitbucket-server").arg(quoteInput(provider)));
    org.apiUrl = reader.string(QStringLiteral("api_url"));
    org.owner = reader.string(QStringLiteral("owner"));
    org.credential = reader.string(QStringLiteral("credential"));
    org.regex = reader.string(QStringLiteral("regex"));
    org.includeArchived = reader.boolean(QStringLiteral("include_archived"), false);
    org.includeForks = reader.boolean(QStringLiteral("include_forks"), false);
    const QJsonObject target = reader.object(QStringLiteral("target"));
    org.syncNew = reader.boolean(QStringLiteral("sync_new"), false);
    const QString gone = reader.string(QStringLiteral("gone"), QStringLiteral("keep"));
    if (auto parsed = goneFromName(gone))
        org.gone = *parsed;
    else
        reader.fail(QStringLiteral("gone"), QStringLiteral("\"%1\" is not one of keep, disable").arg(quoteInput(gone)));
    org.intervalMinutes = reader.optionalInteger(QStringLiteral("interval_minutes"), 1, 10080);
    if (auto status = reader.finish(); !status)
        return status.error();
    JsonReader targetReader(target, joinField(path, QStringLiteral("target")));
    org.target.dir = targetReader.string(QStringLiteral("dir"));
    org.target.url = targetReader.string(QStringLiteral("url"));
    org.target.credential = targetReader.string(QStringLiteral("credential"));
    if (auto status = targetReader.finish(); !status)
        return status.error();
    if (auto status = validateOrg(org, path); !status)
        return status.error();
    return org;
}

} // namespace md
