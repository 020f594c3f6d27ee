// libFuzzer target: the URL parser, md::GitUrl::parse(), and the scrubbers GitUrl::scrub(),
// GitUrl::scrubText() and md::scrubText() (core/util/Scrub.h).
// Invariants: a parsed URL carrying a password never shows it again, neither in scrubbed() nor
// in withoutCredentials() (what libgit2 sees), nor in the scrubbers' output for the text as typed
// or inside a log line; GitUrl::scrub() hides the secret of any location typed with one, even
// one that does not parse (error messages quote it).
// Checked for secrets of 4 characters or more that the rest of the URL does not hold anyway (a
// password "host" in https://u:host@host/x is no leak).

#include "FuzzCommon.h"

#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QRegularExpression>
#include <QUrl>

#include <cstddef>
#include <cstdint>

namespace {

// The user info as typed in "scheme://userinfo@rest": what stands before the last "@" ahead of
// the first "/" after "://" (`start`). Empty `userInfo` and `at` -1 when there is none.
struct TypedUserInfo {
    QString userInfo;
    qsizetype at = -1;
    // What follows the first ":" of the user info.
    QString secret() const
    {
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        return colon >= 0 ? userInfo.mid(colon + 1) : QString();
    }
};

TypedUserInfo typedUserInfo(const QString &text, qsizetype start)
{
    qsizetype end = text.indexOf(QLatin1Char('/'), start);
    if (end < 0)
        end = text.size();
    const qsizetype at = end > 0 ? text.lastIndexOf(QLatin1Char('@'), end - 1) : -1;
    if (at < start)
        return {};
    return {text.mid(start, at - start), at};
}

// The URL as typed with its user info cut out ("scheme://[user@]rest", keeping the user for
// SSH): the text the outputs may hold without leaking.
QString withoutUserInfo(const QString &text, qsizetype start, bool keepUser)
{
    const TypedUserInfo typed = typedUserInfo(text, start);
    if (typed.at < 0)
        return text;
    QString kept = text.left(start);
    if (keepUser)
        kept += typed.userInfo.left(typed.userInfo.indexOf(QLatin1Char(':'))) + QLatin1Char('@');
    return kept + text.mid(typed.at + 1);
}

bool holdsAny(const QString &text, const QStringList &needles)
{
    for (const QString &needle : needles) {
        if (!needle.isEmpty() && text.contains(needle))
            return true;
    }
    return false;
}

void checkNoPassword(const QString &text, const md::GitUrl &url)
{
    const QUrl qurl(text, QUrl::StrictMode);
    const QString decoded = qurl.password(QUrl::FullyDecoded);
    const QString encoded = qurl.password(QUrl::FullyEncoded);
    const qsizetype start = text.indexOf(QLatin1String("://")) + 3; // parsed: it has a scheme
    const QString typed = typedUserInfo(text, start).secret();

    QStringList secrets;
    for (const QString &secret : {decoded, encoded, typed}) {
        if (secret.size() < 4 || secret.contains(QLatin1Char('*')) || secrets.contains(secret))
            continue;
        secrets.append(secret);
    }
    if (secrets.isEmpty())
        return;

    const bool ssh = url.kind() == md::GitUrl::Kind::Ssh;
    const QString bare = withoutUserInfo(text, start, ssh);
    const QString bareAsQtPrintsIt = QUrl(bare, QUrl::StrictMode).toString(QUrl::FullyEncoded);
    // A secret the rest of the URL holds anyway cannot be told from it.
    // The shown user name is followed by ":" (then the mask): a password that is the end of
    // "user:" is no leak either (the fuzzer's case: "ssh://o\ufffdnaan\ufffd\ufffd:\ufffd:@…").
    QStringList innocent{bare, bareAsQtPrintsIt, url.host(), url.path(), url.userName() + QLatin1Char(':'),
                         qurl.host(QUrl::FullyEncoded), qurl.path(QUrl::FullyEncoded), qurl.userName(QUrl::FullyEncoded) + QLatin1Char(':')};
    QStringList leaking;
    for (const QString &secret : secrets) {
        bool inRest = false;
        for (const QString &part : innocent)
            inRest = inRest || part.contains(secret, Qt::CaseInsensitive); // hosts are shown lower-cased
        if (!inRest)
            leaking.append(secret);
    }
    if (leaking.isEmpty())
        return;

    const QString detail = QStringLiteral("url: %1\npassword: %2").arg(text, leaking.join(QStringLiteral(" | ")));
    const QString scrubbed = url.scrubbed();
    MD_FUZZ_CHECK(!holdsAny(scrubbed, leaking), detail + QStringLiteral("\nscrubbed(): ") + scrubbed);
    const QString plain = url.withoutCredentials();
    MD_FUZZ_CHECK(!holdsAny(plain, leaking), detail + QStringLiteral("\nwithoutCredentials(): ") + plain);
    const QString scrub = md::GitUrl::scrub(text);
    MD_FUZZ_CHECK(!holdsAny(scrub, leaking), detail + QStringLiteral("\nGitUrl::scrub(): ") + scrub);
    const QString prefix = QStringLiteral("fatal: cannot fetch from ");
    const QString suffix = QStringLiteral(": 403");
    const QString line = md::scrubText(prefix + text + suffix);
    // Only what stands for the URL counts: the message's own words may hold a short "secret"
    // (the fuzzer's case: password "anno", in "cannot").
    QString shown = line;
    if (shown.startsWith(prefix))
        shown = shown.mid(prefix.size());
    if (shown.endsWith(suffix))
        shown.chop(suffix.size());
    MD_FUZZ_CHECK(!holdsAny(shown, leaking), detail + QStringLiteral("\nscrubText(line): ") + line);
}

// Any location typed as "scheme://user:secret@rest", valid or not: GitUrl::scrub() (what error
// messages quote) never shows the secret.
void checkTypedSecret(const QString &text)
{
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
    const auto match = scheme.match(text);
    if (!match.hasMatch())
        return;
    const qsizetype start = match.capturedEnd();
    const TypedUserInfo typed = typedUserInfo(text, start);
    const QString secret = typed.secret();
    if (secret.size() < 4 || secret.contains(QLatin1Char('*')))
        return;
    // Hosts are shown lower-cased: a secret that is in the rest of the text in any case (the fuzzer
    // found "git://anon:nopass@opassetnOpasset/pt") is no leak.
    if (withoutUserInfo(text, start, true).contains(secret, Qt::CaseInsensitive))
        return;
    // Nor is one the shown "scheme://user:" holds (the fuzzer's case: a user name ending in the
    // password's first characters, "ssh+git://\ufffdp&\ufffd\ufffdice:\ufffdice:@…").
    const QString shownUser = text.left(start) + typed.userInfo.left(typed.userInfo.indexOf(QLatin1Char(':'))) + QLatin1Char(':');
    if (shownUser.contains(secret, Qt::CaseInsensitive))
        return;
    const QString scrubbed = md::GitUrl::scrub(text);
    MD_FUZZ_CHECK(!scrubbed.contains(secret),
                  QStringLiteral("location: %1\nsecret: %2\nGitUrl::scrub(): %3").arg(text, secret, scrubbed));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    md::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    const auto url = md::GitUrl::parse(text);
    if (url) {
        (void)url->hostPort();
        (void)url->effectivePort();
        (void)url->isLocal();
        if (url->hasPassword())
            checkNoPassword(text, *url);
        else {
            (void)url->scrubbed();
            (void)url->withoutCredentials();
        }
    }

    checkTypedSecret(text);

    // Any text: the scrubbers must cope, and the two spellings of scrubText agree.
    (void)md::GitUrl::scrub(text);
    const QString scrubbed = md::scrubText(text);
    MD_FUZZ_CHECK(md::GitUrl::scrubText(text) == scrubbed, text);
    (void)md::scrubText(scrubbed);
    return 0;
}
