// libFuzzer target: the protocol-v2 lister's parsers (core/git/V2Protocol.h), which read what a
// server sends: PktReader, AdvertisementParser (HTTP and git:// forms) and LsRefsParser.
// The first input byte picks the chunk size the bytes are fed in (a parser must give the same
// verdict however the stream is cut) and the form (HTTP or git://), the second where the
// advertisement ends in a git:// session; the rest is the server's answer. It is read as an
// HTTP body is (an advertisement, and a listing, each fed to the end), and as the git://
// transport reads a session (the advertisement, then the listing from the same reader).
// Invariants: no crash, no unbounded buffering (a reader never holds more than it was fed); a
// listing that parses holds at most the refs limit, unique names git accepts under the
// prefixes asked for (or HEAD), 40 lowercase hex oids and peeled oids, and a headTarget under
// refs/; the verdict does not depend on the chunk size.

#include "FuzzCommon.h"

#include "git/RefName.h"
#include "git/V2Protocol.h"

#include <QSet>

#include <cstddef>
#include <cstdint>

using namespace md::git::v2;

namespace {

constexpr qsizetype kMaxRefs = 64;
const QStringList kPrefixes{QStringLiteral("refs/heads/"), QStringLiteral("refs/tags/")};

bool isOid(const QString &text)
{
    if (text.size() != 40)
        return false;
    for (QChar c : text) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

void checkListing(const md::git::RemoteListing &listing)
{
    MD_FUZZ_CHECK(listing.refs.size() <= kMaxRefs, QString::number(listing.refs.size()));
    QSet<QString> names;
    for (const md::RefTip &tip : listing.refs) {
        MD_FUZZ_CHECK(!names.contains(tip.name), tip.name);
        names.insert(tip.name);
        MD_FUZZ_CHECK(tip.name == QLatin1String("HEAD") || tip.name.startsWith(kPrefixes[0]) || tip.name.startsWith(kPrefixes[1]), tip.name);
        MD_FUZZ_CHECK(md::git::invalidRefNameReason(tip.name).isEmpty(), tip.name);
        MD_FUZZ_CHECK(isOid(tip.oid), tip.oid);
        MD_FUZZ_CHECK(tip.peeled.isEmpty() || isOid(tip.peeled), tip.peeled);
    }
    MD_FUZZ_CHECK(listing.headTarget.isEmpty() || (listing.headTarget.startsWith(QLatin1String("refs/"))
                                                   && md::git::invalidRefNameReason(listing.headTarget).isEmpty()),
                  listing.headTarget);
}

// Feeds all of `data` in chunks of `chunk` bytes, as the HTTP transport feeds a body (a parser
// that was done fails on what follows), unless the parser fails first.
template <typename Parser>
Step feedAll(PktReader &reader, Parser &parser, const QByteArray &data, qsizetype chunk)
{
    Step step = parser.feed(reader); // what the reader already holds
    for (qsizetype at = 0; step != Step::Failed && at < data.size(); at += chunk) {
        reader.feed(data.mid(at, chunk));
        MD_FUZZ_CHECK(reader.pending() <= data.size() + chunk, QString::number(reader.pending()));
        step = parser.feed(reader);
    }
    return step;
}

// What the parsers made of a whole stream: it must not depend on how the stream was cut.
struct Verdict {
    Step advertisement = Step::NeedMore; // the HTTP transport's reading of a GET body
    bool v2 = false;
    Step listing = Step::NeedMore;       // a POST body (or what follows over git://)
    qsizetype refs = -1;
    bool operator==(const Verdict &) const = default;
};

QString describe(const Verdict &verdict)
{
    return QStringLiteral("advertisement %1%2, listing %3 (%4 refs)")
        .arg(int(verdict.advertisement))
        .arg(verdict.v2 ? QStringLiteral(" v2") : QString())
        .arg(int(verdict.listing))
        .arg(verdict.refs);
}

Verdict parse(const QByteArray &data, qsizetype chunk, bool http)
{
    Verdict verdict;
    {
        PktReader reader;
        AdvertisementParser advertisement(http);
        verdict.advertisement = feedAll(reader, advertisement, data, chunk);
        MD_FUZZ_CHECK(verdict.advertisement != Step::Failed || !advertisement.error().isEmpty(), QString());
        verdict.v2 = advertisement.isV2();
    }
    PktReader reader;
    LsRefsParser refs(kPrefixes, kMaxRefs);
    verdict.listing = feedAll(reader, refs, data, chunk);
    MD_FUZZ_CHECK(verdict.listing != Step::Failed || !refs.error().isEmpty(), QString());
    if (verdict.listing == Step::Done) {
        const md::git::RemoteListing listing = refs.takeListing();
        checkListing(listing);
        verdict.refs = listing.refs.size();
    }
    return verdict;
}

// As the git:// transport reads: the advertisement (the first `split` bytes) to its flush, then,
// once the command is sent, the listing from the same reader.
void parseSession(const QByteArray &data, qsizetype split, qsizetype chunk)
{
    PktReader reader;
    AdvertisementParser advertisement(false);
    const QByteArray first = data.left(split);
    Step step = Step::NeedMore;
    for (qsizetype at = 0; step == Step::NeedMore && at < first.size(); at += chunk) {
        reader.feed(first.mid(at, chunk));
        step = advertisement.feed(reader);
    }
    if (step != Step::Done || !advertisement.isV2() || reader.pending() > 0)
        return;
    LsRefsParser refs(kPrefixes, kMaxRefs);
    step = Step::NeedMore;
    const QByteArray rest = data.mid(split);
    for (qsizetype at = 0; step == Step::NeedMore && at < rest.size(); at += chunk) {
        reader.feed(rest.mid(at, chunk));
        MD_FUZZ_CHECK(reader.pending() <= rest.size() + chunk, QString::number(reader.pending()));
        step = refs.feed(reader);
    }
    if (step == Step::Done)
        checkListing(refs.takeListing());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    md::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    if (size < 2 || size > 256 * 1024)
        return 0;
    const bool http = bytes[0] & 0x80;
    const qsizetype chunk = 1 + (bytes[0] & 0x7f);
    const QByteArray data(reinterpret_cast<const char *>(bytes) + 2, static_cast<qsizetype>(size - 2));
    const Verdict cut = parse(data, chunk, http);
    const Verdict whole = parse(data, data.size() + 1, http);
    MD_FUZZ_CHECK(cut == whole, QStringLiteral("chunk %1 gave another verdict than the whole input: %2 / %3").arg(chunk).arg(describe(cut), describe(whole)));
    // Where the advertisement ends in the session: byte 1 as a fraction of the input.
    parseSession(data, data.size() * bytes[1] / 255, chunk);
    return 0;
}
