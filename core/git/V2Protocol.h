#pragma once

#include "git/Connection.h"

#include <QByteArray>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

// The wire format of git's protocol v2 as the ls-refs lister speaks it (gitprotocol-v2,
// gitprotocol-common): pkt-lines, the capability advertisement and the ls-refs response. Pure
// parsers over bytes, shared by the HTTP and git:// transports (V2Http.cpp, V2GitDaemon.cpp);
// no I/O, no allocation past one pkt-line of buffered input plus what the listing keeps (bounded
// by the caller's maxListedRefs). Every malformed input ends in a message naming what was wrong.
namespace md::git::v2 {

constexpr qsizetype kMaxPktLength = 65520; // LARGE_PACKET_MAX: 4 bytes of length + 65516 of data

// One pkt-line: four hex digits of length, then the payload.
QByteArray pktLine(const QByteArray &payload);
inline QByteArray flushPkt() { return QByteArrayLiteral("0000"); }
inline QByteArray delimPkt() { return QByteArrayLiteral("0001"); }

// The body of an ls-refs command: command=ls-refs, agent, object-format=sha1 when the server
// named it, delim, symrefs, peel, `ref-prefix HEAD` and one `ref-prefix` per prefix (none at all
// when `prefixes` is empty: every ref), flush.
QByteArray lsRefsRequest(const QStringList &prefixes, bool sendObjectFormat);

// Why `prefixes` cannot be sent (a prefix with a control character, or absurdly long), or empty.
QString invalidPrefixReason(const QStringList &prefixes);

// Splits a byte stream into pkt-lines. Lengths are four hex digits; 0000 flush, 0001 delim,
// 0002 response end; 0003 and anything past 65520 are malformed. Buffers at most one incomplete
// pkt-line beyond what was fed.
class PktReader {
public:
    enum class Kind { Data, Flush, Delim, ResponseEnd };
    struct Packet {
        Kind kind = Kind::Data;
        QByteArray payload; // without its trailing LF
    };

    void feed(const QByteArray &bytes);
    // The next complete pkt-line; nullopt when more bytes are needed or on a malformed one
    // (then error() says why and every later call returns nullopt).
    std::optional<Packet> next();
    const QString &error() const { return m_error; }
    // Bytes fed and not consumed yet.
    qsizetype pending() const { return m_buffer.size() - m_pos; }

private:
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    QString m_error;
};

// What a parser step ended with.
enum class Step { NeedMore, Done, Failed };

// The server's first answer: over HTTP an optional `# service=git-upload-pack` and flush, then
// `version 2` and its capabilities to a flush. Anything else where `version 2` belongs (a v0
// ref advertisement) ends Done with isV2() false: the caller falls back to protocol v0. After a
// v2 advertisement's flush nothing may follow (the server waits for a command): any further
// byte fails it, fed with the flush or later.
class AdvertisementParser {
public:
    explicit AdvertisementParser(bool http) : m_http(http) {}

    Step feed(PktReader &reader);
    bool isV2() const { return m_v2; }
    bool hasLsRefs() const { return m_lsRefs; }
    // The object-format capability's value, empty when not advertised (sha1 then).
    const QByteArray &objectFormat() const { return m_objectFormat; }
    // Why it failed (Failed), e.g. "the server said: ERR …".
    const QString &error() const { return m_error; }
    // Set with Failed when the server sent an ERR line (its text), for the category.
    const QString &serverError() const { return m_serverError; }

private:
    Step fail(const QString &why);

    bool m_http;
    enum class Phase { Start, AfterService, Capabilities } m_phase = Phase::Start;
    bool m_done = false;
    bool m_v2 = false;
    bool m_lsRefs = false;
    QByteArray m_objectFormat;
    QString m_error;
    QString m_serverError;
};

// The ls-refs answer: `oid SP refname *(SP attribute)` lines to a flush (an optional response
// end after it is accepted). Oids are 40 hex digits (lowered), never all zeros. Refs outside
// `prefixes` (a server may ignore ref-prefix) are dropped unjudged past their oid; HEAD is kept
// as listRemote() keeps it. The rest have UTF-8 names that git accepts (git/RefName.h), listed
// once, with the attributes symref-target:<ref> and peeled:<oid> at most once each. More than
// maxRefs refs fail (error() says so; cut() true).
class LsRefsParser {
public:
    LsRefsParser(const QStringList &prefixes, qsizetype maxRefs);

    Step feed(PktReader &reader);
    RemoteListing takeListing() { return std::move(m_listing); }
    const QString &error() const { return m_error; }
    const QString &serverError() const { return m_serverError; }
    // The listing passed maxRefs (a limit, not a malformed answer).
    bool cut() const { return m_cut; }
    // Set when the failure was a ref name git refuses (error() names it and why).
    bool invalidRefName() const { return m_invalidName; }

private:
    Step fail(const QString &why);
    bool parseLine(const QByteArray &line);
    bool wanted(const QByteArray &name) const;

    QList<QByteArray> m_prefixes;
    qsizetype m_maxRefs;
    bool m_flushed = false;
    RemoteListing m_listing;
    QSet<QString> m_seen;
    QString m_error;
    QString m_serverError;
    bool m_cut = false;
    bool m_invalidName = false;
};

// A payload for a message: at most 60 characters, control characters and non-ASCII escaped.
QString quoted(const QByteArray &bytes);

} // namespace md::git::v2
