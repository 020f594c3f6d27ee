#include "ops/UrlSecrets.h"

#include "mirror/Config.h"
#include "ops/CredentialOps.h"
#include "security/GitUrl.h"
#include "security/Keychain.h"

#include <QRegularExpression>

#include <memory>

namespace md {

namespace {

// A user name alone that is really a token (`https://ghp_…@github.com/…`): a known prefix, or
// long and random-looking. A plain user name ("alice") is no secret and is refused as before.
bool looksLikeToken(const QString &user)
{
    static const QRegularExpression prefix(QStringLiteral("^(ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|glpat-|gldt-|ATBB|xox[abp]-)"));
    static const QRegularExpression random(QStringLiteral("^[A-Za-z0-9_\\-]{20,}$"));
    return prefix.match(user).hasMatch() || random.match(user).hasMatch();
}

QString freeCredentialName(const Config &config, const QString &mirror, const QString &side, const QStringList &taken)
{
    QString base = mirror;
    base.replace(QLatin1Char('/'), QLatin1Char('-'));
    base = base.left(80) + QLatin1Char('-') + side;
    QString name = base;
    for (int n = 2; config.indexOfCredential(name) >= 0 || taken.contains(name, Qt::CaseInsensitive); ++n)
        name = base + QLatin1Char('-') + QString::number(n);
    return name;
}

void undo(const QString &configPath, QStringList names, QObject *context, std::function<void()> then)
{
    if (names.isEmpty()) {
        then();
        return;
    }
    const QString name = names.takeFirst();
    CredentialOps(configPath).remove(name, true, context, [configPath, names, context, then](Result<CredentialOps::Removed>) {
        undo(configPath, names, context, then);
    });
}

} // namespace

namespace {

// The URL carries a secret takeUrlSecrets() takes out: an HTTP(S) password, or a user name that
// is a token. An SSH login or nothing secret is left for validation to judge.
bool carriesSecret(const GitUrl &url)
{
    const bool typedUser = !url.userName().isEmpty();
    // Only HTTP(S) sends a user and password; git:// has no authentication, SSH uses keys.
    const bool http = url.kind() == GitUrl::Kind::Http || url.kind() == GitUrl::Kind::Https;
    if (!http || (!url.hasPassword() && !(typedUser && looksLikeToken(url.userName()))))
        return false;
    return typedUser || url.hasPassword();
}

} // namespace

bool carriesUrlSecrets(const Mirror &mirror, const QStringList &sides)
{
    for (const QString &side : sides) {
        const Endpoint &endpoint = side == QLatin1String("target") ? mirror.target : mirror.source;
        if (endpoint.url.isEmpty())
            continue;
        if (const auto url = GitUrl::parse(endpoint.url); url && carriesSecret(*url))
            return true;
    }
    return false;
}

Result<QList<UrlSecret>> takeUrlSecrets(Mirror &mirror, const Config &config, const QStringList &sides, const Mirror *before)
{
    QList<UrlSecret> found;
    QStringList taken;
    for (const QString &side : sides) {
        Endpoint &endpoint = side == QLatin1String("target") ? mirror.target : mirror.source;
        if (endpoint.url.isEmpty())
            continue;
        const auto url = GitUrl::parse(endpoint.url);
        if (!url)
            continue; // validation names the problem later
        if (!carriesSecret(*url))
            continue;
        const QString field = side + QStringLiteral(".url");
        if (!endpoint.credential.isEmpty())
            return Error::config(field, QStringLiteral("\"%1\" carries credentials and the %2 also names credential \"%3\"; "
                                                       "give one or the other")
                                            .arg(url->scrubbed(), side, endpoint.credential));
        UrlSecret secret;
        secret.side = side;
        secret.cleanUrl = url->withoutCredentials();
        secret.credential.name = freeCredentialName(config, mirror.name, side, taken);
        if (before) {
            const QString own = (side == QLatin1String("target") ? before->target : before->source).credential;
            const Credential *existing = own.isEmpty() ? nullptr : config.credential(own);
            if (existing && existing->secretSource.kind == SecretSource::Kind::Keychain
                && CredentialOps::usersOf(config, existing->name) == QStringList{before->name}) {
                secret.credential.name = existing->name;
                secret.replaces = true;
            }
        }
        taken.append(secret.credential.name);
        if (url->hasPassword()) {
            secret.credential.kind = CredentialKind::Password;
            secret.credential.username = url->userName();
            secret.secret = url->password().toUtf8();
            if (secret.credential.username.isEmpty())
                secret.credential.kind = CredentialKind::Token;
        } else {
            secret.credential.kind = CredentialKind::Token;
            secret.secret = url->userName().toUtf8();
        }
        secret.credential.secretSource = SecretSource{SecretSource::Kind::Keychain, {}};
        if (auto status = validateCredential(secret.credential, field); !status)
            return status.error();
        endpoint.url = secret.cleanUrl;
        endpoint.credential = secret.credential.name;
        found.append(secret);
    }
    return found;
}

namespace {

struct Storing {
    QString configPath;
    QList<UrlSecret> left;
    QStringList added;
    std::function<Status()> apply;
    QObject *context = nullptr;
    std::function<void(Status)> done;
};

Error withoutKeychainAdvice(const UrlSecret &secret, Error error)
{
    const bool password = secret.credential.kind == CredentialKind::Password;
    error.message = QStringLiteral("the %1 URL carries a %2, which MirrorDesk moves into the OS keychain, but %3. Nothing was "
                                   "changed. Without a keychain, make the credential yourself and name it: mirrordesk credential "
                                   "add %4 --kind %5%6 --secret-env VAR (or --secret-file PATH), then --%1 %7 --%1-credential %4")
                        .arg(secret.side, password ? QStringLiteral("password") : QStringLiteral("token"), keychain::errorSummary(error),
                             secret.credential.name, credentialKindName(secret.credential.kind),
                             password ? QStringLiteral(" --username ") + secret.credential.username : QString(),
                             GitUrl::scrub(secret.cleanUrl));
    // The command is refused as typed (exit 2 on the command line): the fix is to type another.
    error.category = ErrorCategory::Config;
    error.field = secret.side + QStringLiteral(".url");
    return error;
}

void storeNext(std::shared_ptr<Storing> state)
{
    if (state->left.isEmpty()) {
        Status applied = state->apply();
        if (applied) {
            state->done(applied);
            return;
        }
        undo(state->configPath, state->added, state->context, [state, applied] { state->done(applied); });
        return;
    }
    const UrlSecret secret = state->left.takeFirst();
    auto stored = [state, secret](Status status) {
        if (!status) {
            Error error = status.error();
            if (error.category == ErrorCategory::Keychain)
                error = withoutKeychainAdvice(secret, error);
            undo(state->configPath, state->added, state->context, [state, error] { state->done(error); });
            return;
        }
        if (!secret.replaces)
            state->added.append(secret.credential.name);
        storeNext(state);
    };
    CredentialOps ops(state->configPath);
    if (secret.replaces) {
        ops.editWithSecret(secret.credential.name, [secret](Credential &credential) {
            credential.kind = secret.credential.kind;
            credential.username = secret.credential.username;
            return Status{};
        }, secret.secret, state->context, stored);
        return;
    }
    ops.addWithSecret(secret.credential, secret.secret, state->context, stored);
}

} // namespace

void applyWithUrlSecrets(const QString &configPath, QList<UrlSecret> secrets, std::function<Status()> apply, QObject *context,
                         std::function<void(Status)> done)
{
    auto state = std::make_shared<Storing>();
    state->configPath = configPath;
    state->left = std::move(secrets);
    state->apply = std::move(apply);
    state->context = context;
    state->done = std::move(done);
    if (state->left.isEmpty()) {
        QMetaObject::invokeMethod(context, [state] { storeNext(state); }, Qt::QueuedConnection);
        return;
    }
    storeNext(state);
}

} // namespace md
