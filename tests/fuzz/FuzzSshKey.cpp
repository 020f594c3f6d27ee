// libFuzzer target: the SSH private-key reader, md::inspectPrivateKey() and
// md::canonicalPrivateKeyText() (core/security/SshKey.h): the text a user pastes.
// Invariants: no crash, no read past the end (ASan); an accepted key's public line parses as a
// public key with the same type and fingerprint, and its canonical text reads back the same; a
// refused text's message never quotes a base64 line of the input (a key); every refusal is a
// Config error. checkPassphrase() is left out: it runs libssh2's bcrypt, seconds per input.

#include "FuzzCommon.h"

#include "security/HostKey.h"
#include "security/SshKey.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {

bool quotesInput(const QString &message, const QByteArray &input)
{
    for (const QByteArray &raw : input.split('\n')) {
        const QByteArray line = raw.trimmed();
        const bool base64 = std::all_of(line.begin(), line.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                   || c == '=';
        });
        if (line.size() >= 20 && base64 && message.contains(QString::fromLatin1(line)))
            return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    md::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto info = md::inspectPrivateKey(text);
    const auto canonical = md::canonicalPrivateKeyText(text);
    MD_FUZZ_CHECK(info.ok() == canonical.ok(), QString::fromLatin1(text.toBase64()));
    if (!info) {
        MD_FUZZ_CHECK(info.error().category == md::ErrorCategory::Config, info.error().message);
        MD_FUZZ_CHECK(!quotesInput(info.error().message, text), info.error().message);
        return 0;
    }

    const auto key = md::HostKey::parseLine(info->publicLine);
    MD_FUZZ_CHECK(key.ok(), info->publicLine);
    MD_FUZZ_CHECK(key->type == info->type, info->publicLine);
    MD_FUZZ_CHECK(key->sha256Fingerprint() == info->sha256Fingerprint, info->publicLine);
    MD_FUZZ_CHECK(info->encrypted == (info->cipher != QLatin1String("none")), info->cipher);
    MD_FUZZ_CHECK(md::isPassphraseNeeded(*info) == info->encrypted, info->cipher);
    MD_FUZZ_CHECK(!info->encrypted || info->comment.isEmpty(), info->comment);

    const auto again = md::inspectPrivateKey(*canonical);
    MD_FUZZ_CHECK(again.ok(), QStringLiteral("the canonical text is refused"));
    MD_FUZZ_CHECK(again->publicLine == info->publicLine && again->type == info->type
                      && again->encrypted == info->encrypted && again->cipher == info->cipher,
                  info->publicLine);
    const auto twice = md::canonicalPrivateKeyText(*canonical);
    MD_FUZZ_CHECK(twice.ok() && *twice == *canonical, QStringLiteral("the canonical text is not stable"));
    return 0;
}
