#include "git/V2Protocol.h"

#include "git/RefName.h"
#include "util/Scrub.h"

#include <QStringDecoder>

#include <algorithm>

namespace md::git::v2 {

namespace {

const QByteArray kAgent = QByteArrayLiteral("agent=mirrordesk/" MIRRORDESK_VERSION);
constexpr qsizetype kMaxPrefixLength = 1024;

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// 40 hex digits, lowered; nullopt when `text` is anything else or the null id.
std::optional<QString> parseObjectId(const QByteArray &text)
{
    if (text.size() != 40)
        return std::nullopt;
    QByteArray lowered = text.toLower();
    if (!std::all_of(lowered.cbegin(), lowered.cend(), [](char c) { return hexValue(c) >= 0; }))
        return std::nullopt;
    if (std::all_of(lowered.cbegin(), lowered.cend(), [](char c) { return c == '0'; }))
        return std::nullopt;
    return QString::fromLatin1(lowered);
}

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

bool isErrLine(const QByteArray &payload)
{
    return payload.startsWith("ERR ");
}

} // namespace

QString quoted(const QByteArray &bytes)
{
    QString out;
    for (qsizetype i = 0; i < bytes.size() && out.size() < 60; ++i) {
        const auto c = static_cast<unsigned char>(bytes.at(i));
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out += QLatin1Char(static_cast<char>(c));
        else
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
    if (out.size() >= 60)
        out += QStringLiteral("…");
    return QStringLiteral("\"%1\"").arg(out);
}

QByteArray pktLine(const QByteArray &payload)
{
    return QByteArray::number(payload.size() + 4, 16).rightJustified(4, '0') + payload;
}

QString invalidPrefixReason(const QStringList &prefixes)
{
    for (const QString &prefix : prefixes) {
        if (prefix.isEmpty())
            return QStringLiteral("an empty ref prefix");
        if (prefix.size() > kMaxPrefixLength)
            return QStringLiteral("a ref prefix longer than %1 characters").arg(kMaxPrefixLength);
        if (std::any_of(prefix.cbegin(), prefix.cend(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; }))
            return QStringLiteral("a ref prefix with a control character");
    }
    return {};
}

QByteArray lsRefsRequest(const QStringList &prefixes, bool sendObjectFormat)
{
    QByteArray body = pktLine("command=ls-refs\n") + pktLine(kAgent + '\n');
    if (sendObjectFormat)
        body += pktLine("object-format=sha1\n");
    body += delimPkt() + pktLine("symrefs\n") + pktLine("peel\n");
    if (!prefixes.isEmpty()) {
        // HEAD comes back with its symref target; the rest only under the prefixes asked for.
        body += pktLine("ref-prefix HEAD\n");
        for (const QString &prefix : prefixes)
            body += pktLine("ref-prefix " + prefix.toUtf8() + '\n');
    }
    return body + flushPkt();
}

void PktReader::feed(const QByteArray &bytes)
{
    if (!m_error.isEmpty())
        return;
    if (m_pos > 0) { // drop what was consumed before growing
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer += bytes;
}

std::optional<PktReader::Packet> PktReader::next()
{
    if (!m_error.isEmpty() || m_buffer.size() - m_pos < 4)
        return std::nullopt;
    int length = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexValue(m_buffer.at(m_pos + i));
        if (digit < 0) {
            m_error = QStringLiteral("a pkt-line length that is not four hex digits: %1").arg(quoted(m_buffer.mid(m_pos, 4)));
            return std::nullopt;
        }
        length = length * 16 + digit;
    }
    if (length < 4) {
        if (length == 3) {
            m_error = QStringLiteral("a pkt-line of length 0003");
            return std::nullopt;
        }
        m_pos += 4;
        return Packet{length == 0 ? Kind::Flush : length == 1 ? Kind::Delim : Kind::ResponseEnd, {}};
    }
    if (length > kMaxPktLength) {
        m_error = QStringLiteral("a pkt-line of %1 bytes, more than the protocol's %2").arg(length).arg(kMaxPktLength);
        return std::nullopt;
    }
    if (m_buffer.size() - m_pos < length)
        return std::nullopt;
    QByteArray payload = m_buffer.mid(m_pos + 4, length - 4);
    m_pos += length;
    if (payload.endsWith('\n'))
        payload.chop(1);
    return Packet{Kind::Data, std::move(payload)};
}

Step AdvertisementParser::fail(const QString &why)
{
    m_error = why;
    return Step::Failed;
}

Step AdvertisementParser::feed(PktReader &reader)
{
    if (m_done && !m_v2) // a v0 advertisement goes on; what it says is not read here
        return Step::Done;
    if (m_done) // the v2 advertisement ended at its flush: not a byte may follow
        return reader.pending() > 0 ? fail(QStringLiteral("data after its flush")) : Step::Done;
    while (auto packet = reader.next()) {
        const QByteArray &payload = packet->payload;
        if (packet->kind == PktReader::Kind::Data && isErrLine(payload)) {
            m_serverError = printable(QString::fromUtf8(payload.mid(4)), 200);
            return fail(QStringLiteral("the server said: %1").arg(m_serverError));
        }
        switch (m_phase) {
        case Phase::Start:
            if (m_http && packet->kind == PktReader::Kind::Data && payload == "# service=git-upload-pack") {
                m_phase = Phase::AfterService;
                continue;
            }
            if (packet->kind == PktReader::Kind::Data && payload == "version 2") {
                m_v2 = true;
                m_phase = Phase::Capabilities;
                continue;
            }
            m_done = true;
            return Step::Done; // a v0 advertisement (or no version line at all): not v2
        case Phase::AfterService:
            if (packet->kind != PktReader::Kind::Flush)
                return fail(QStringLiteral("no flush after the \"# service\" line"));
            m_phase = Phase::Start;
            m_http = false; // a second service line is not expected
            continue;
        case Phase::Capabilities:
            if (packet->kind == PktReader::Kind::Flush) {
                m_done = true; // the server now waits for a command: it sends nothing more
                return reader.pending() > 0 ? fail(QStringLiteral("data after its flush")) : Step::Done;
            }
            if (packet->kind != PktReader::Kind::Data)
                return fail(QStringLiteral("a delimiter inside the capability advertisement"));
            if (payload.isEmpty())
                return fail(QStringLiteral("an empty capability line"));
            const qsizetype equals = payload.indexOf('=');
            const QByteArray key = equals < 0 ? payload : payload.left(equals);
            if (key == "ls-refs")
                m_lsRefs = true;
            else if (key == "object-format")
                m_objectFormat = equals < 0 ? QByteArray() : payload.mid(equals + 1);
            continue;
        }
    }
    if (!reader.error().isEmpty())
        return fail(reader.error());
    return Step::NeedMore;
}

LsRefsParser::LsRefsParser(const QStringList &prefixes, qsizetype maxRefs)
    : m_maxRefs(maxRefs)
{
    for (const QString &prefix : prefixes)
        m_prefixes.append(prefix.toUtf8());
}

Step LsRefsParser::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = why;
    return Step::Failed;
}

bool LsRefsParser::wanted(const QByteArray &name) const
{
    if (m_prefixes.isEmpty() || name == "HEAD")
        return true;
    return std::any_of(m_prefixes.cbegin(), m_prefixes.cend(), [&name](const QByteArray &prefix) { return name.startsWith(prefix); });
}

Step LsRefsParser::feed(PktReader &reader)
{
    while (auto packet = reader.next()) {
        if (m_flushed) {
            if (packet->kind == PktReader::Kind::ResponseEnd)
                continue;
            return fail(QStringLiteral("data after the end of the ref listing"));
        }
        switch (packet->kind) {
        case PktReader::Kind::Flush:
            m_flushed = true;
            continue;
        case PktReader::Kind::Delim:
        case PktReader::Kind::ResponseEnd:
            return fail(QStringLiteral("a delimiter inside the ref listing"));
        case PktReader::Kind::Data:
            if (isErrLine(packet->payload)) {
                m_serverError = printable(QString::fromUtf8(packet->payload.mid(4)), 200);
                return fail(QStringLiteral("the server said: %1").arg(m_serverError));
            }
            if (!parseLine(packet->payload))
                return Step::Failed;
            continue;
        }
    }
    if (!reader.error().isEmpty())
        return fail(reader.error());
    // Over git:// nothing follows the flush; over HTTP the body may still hold a response end.
    return m_flushed && reader.pending() == 0 ? Step::Done : Step::NeedMore;
}

bool LsRefsParser::parseLine(const QByteArray &line)
{
    const QList<QByteArray> fields = line.split(' ');
    if (fields.size() < 2) {
        fail(QStringLiteral("a ref line without a name: %1").arg(quoted(line)));
        return false;
    }
    const auto oid = parseObjectId(fields.at(0));
    if (!oid) {
        fail(QStringLiteral("a ref line whose object id is not 40 hex digits (or is the null id): %1").arg(quoted(line)));
        return false;
    }
    const QByteArray &rawName = fields.at(1);
    if (!wanted(rawName))
        return true; // a server may ignore ref-prefix: what was not asked for is not listed, nor judged
    const QString shown = quoted(rawName);
    const auto name = decodeUtf8(rawName);
    if (!name) {
        fail(QStringLiteral("a ref name that is not UTF-8: %1").arg(shown));
        return false;
    }
    RefTip tip{*name, *oid, QString()};
    QString symrefTarget;
    for (qsizetype i = 2; i < fields.size(); ++i) {
        const QByteArray &attribute = fields.at(i);
        if (attribute.startsWith("symref-target:") && symrefTarget.isEmpty()) {
            const auto target = decodeUtf8(attribute.mid(14));
            if (!target || !invalidRefNameReason(*target).isEmpty() || !target->startsWith(QLatin1String("refs/"))) {
                m_invalidName = true;
                fail(QStringLiteral("%1 points at an invalid ref name: %2").arg(shown, quoted(attribute.mid(14))));
                return false;
            }
            symrefTarget = *target;
        } else if (attribute.startsWith("peeled:") && tip.peeled.isEmpty()) {
            const auto peeled = parseObjectId(attribute.mid(7));
            if (!peeled) {
                fail(QStringLiteral("%1 has a peeled object id that is not 40 hex digits: %2").arg(shown, quoted(attribute)));
                return false;
            }
            tip.peeled = *peeled;
        } else {
            fail(QStringLiteral("%1 has an unknown or repeated attribute: %2").arg(shown, quoted(attribute)));
            return false;
        }
    }
    if (const QString why = invalidRefNameReason(tip.name); !why.isEmpty()) {
        m_invalidName = true;
        fail(QStringLiteral("the ref name %1 %2").arg(shown, why));
        return false;
    }
    if (m_seen.contains(tip.name)) {
        fail(QStringLiteral("%1 is listed twice").arg(shown));
        return false;
    }
    if (m_maxRefs > 0 && m_listing.refs.size() >= m_maxRefs) {
        m_cut = true;
        fail(QStringLiteral("more than the limit of %1 refs; not listing them").arg(m_maxRefs));
        return false;
    }
    m_seen.insert(tip.name);
    if (tip.name == QLatin1String("HEAD"))
        m_listing.headTarget = symrefTarget;
    m_listing.refs.append(std::move(tip));
    return true;
}

} // namespace md::git::v2
