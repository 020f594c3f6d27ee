#include "V2ListerTestUtil.h"

#include "GitRepoBuilder.h"

#include "git/V2Lister.h"
#include "git/V2Protocol.h"
#include "mirror/Checker.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

namespace md::v2test {

using namespace Qt::StringLiterals;
using fixtures::GitCommandError;
using fixtures::GitRepoBuilder;
using git::v2::pktLine;

namespace {

const QByteArray kOid = "1111111111111111111111111111111111111111"_ba;

QByteArray name(const char *format, int n)
{
    return QByteArray(format).replace("%", QByteArray::number(n).rightJustified(3, '0'));
}

} // namespace

QString buildGitHubShapedRepository(const QString &bare, const QString &work)
{
    GitRepoBuilder::initWork(work);
    QStringList commits;
    for (int i = 0; i < 5; ++i)
        commits << GitRepoBuilder::commit(work, u"f.txt"_s, u"v%1\n"_s.arg(i), u"c%1"_s.arg(i));
    for (int t = 0; t < kTags; ++t)
        GitRepoBuilder::tag(work, u"a%1"_s.arg(t, 2, 10, QLatin1Char('0')), u"release %1"_s.arg(t), commits[t % 5]);
    GitRepoBuilder::initBare(bare);
    GitRepoBuilder::push(work, bare, {u"main"_s, u"refs/tags/*:refs/tags/*"_s});
    // The rest straight into the bare repository's packed-refs (then normalised by pack-refs).
    QByteArray packed;
    auto add = [&packed](const QString &oid, const QByteArray &ref) { packed += oid.toLatin1() + ' ' + ref + '\n'; };
    for (int b = 0; b < kBranches; ++b)
        add(commits[b % 5], name("refs/heads/b%", b));
    for (int t = 0; t < kTags; ++t)
        add(commits[t % 5], name("refs/tags/l%", t));
    for (int n = 1; n <= kPulls; ++n) {
        add(commits[n % 5], "refs/pull/" + QByteArray::number(n) + "/head");
        add(commits[(n + 1) % 5], "refs/pull/" + QByteArray::number(n) + "/merge");
    }
    add(commits[0], "refs/remotes/x/main");
    QFile file(bare + u"/packed-refs"_s);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append) || file.write(packed) != packed.size())
        throw std::runtime_error("cannot write packed-refs");
    file.close();
    GitRepoBuilder::run({u"pack-refs"_s, u"--all"_s}, bare);
    GitRepoBuilder::run({u"symbolic-ref"_s, u"HEAD"_s, u"refs/heads/main"_s}, bare);
    return commits.last();
}

git::RemoteAccess accessFor(const QString &url, const QString &user, const QByteArray &secret)
{
    static std::atomic<int> counter{0};
    Config config;
    Endpoint endpoint;
    endpoint.url = url;
    if (!user.isEmpty()) {
        const QString variable = u"MIRRORDESK_V2_TEST_SECRET_%1"_s.arg(counter.fetch_add(1));
        qputenv(variable.toLatin1().constData(), secret);
        config.credentials.append(Credential{u"c"_s, CredentialKind::Password, user, SecretSource{SecretSource::Kind::Env, variable}});
        endpoint.credential = u"c"_s;
    }
    auto access = resolveAccess(config, endpoint);
    if (!access)
        qFatal("resolveAccess(%s): %s", qPrintable(url), qPrintable(access.error().message));
    return *access;
}

git::StreamLimits limits()
{
    git::StreamLimits limits;
    limits.connectTimeoutMs = 5000;
    limits.stallTimeoutMs = 15000;
    limits.deadlineMs = QDateTime::currentMSecsSinceEpoch() + 60000;
    return limits;
}

Outcome onWorker(const git::RemoteAccess &access, const git::StreamLimits &limits, const QStringList &prefixes)
{
    std::optional<Outcome> outcome;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        QElapsedTimer timer;
        timer.start();
        auto result = git::listRefsV2(access, limits, prefixes);
        outcome.emplace(Outcome{std::move(result), git::lastV2BytesReceived(), timer.elapsed()});
    }));
    worker->start();
    worker->wait();
    return std::move(*outcome);
}

QMap<QString, Tip> tips(const QList<RefTip> &refs, const QStringList &prefixes)
{
    QMap<QString, Tip> map;
    for (const RefTip &tip : refs) {
        if (prefixes.isEmpty() || std::any_of(prefixes.cbegin(), prefixes.cend(), [&](const QString &p) { return tip.name.startsWith(p); }))
            map.insert(tip.name, Tip(tip.oid, tip.peeled));
    }
    return map;
}

qint64 v0BytesGit(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(5000))
        return -1;
    socket.write(pktLine("git-upload-pack " + path + "\0host=127.0.0.1:"_ba + QByteArray::number(port) + '\0'));
    QByteArray data;
    qsizetype at = 0;
    while (socket.waitForReadyRead(10000)) {
        data += socket.readAll();
        while (at + 4 <= data.size()) {
            const int length = data.mid(at, 4).toInt(nullptr, 16);
            if (length == 0) {
                socket.write("0000");
                socket.waitForBytesWritten(1000);
                return at + 4;
            }
            if (at + length > data.size())
                break;
            at += length;
        }
    }
    return -1;
}

qint64 v0BytesHttp(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(5000))
        return -1;
    socket.write("GET " + path + "/info/refs?service=git-upload-pack HTTP/1.0\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                 + "\r\nUser-Agent: git/2.0\r\n\r\n");
    qint64 bytes = 0;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10000))
        bytes += socket.readAll().size();
    return bytes + socket.readAll().size();
}

QByteArray v2Advertisement(bool http)
{
    QByteArray out = http ? pktLine("# service=git-upload-pack\n") + "0000" : QByteArray();
    return out + pktLine("version 2\n") + pktLine("agent=scripted/1\n") + pktLine("ls-refs=unborn\n") + pktLine("fetch=shallow\n")
        + pktLine("object-format=sha1\n") + "0000";
}

QByteArray v0Advertisement(bool http)
{
    QByteArray out = http ? pktLine("# service=git-upload-pack\n") + "0000" : QByteArray();
    out += pktLine(kOid + " HEAD\0multi_ack side-band-64k ofs-delta symref=HEAD:refs/heads/main agent=scripted/0\n"_ba);
    out += pktLine(kOid + " refs/heads/main\n");
    return out + "0000";
}

QByteArray listingOf(const QList<QByteArray> &lines)
{
    QByteArray out;
    for (const QByteArray &line : lines)
        out += pktLine(line + '\n');
    return out + "0000";
}

QByteArray mainLine()
{
    return kOid + " refs/heads/main";
}

QByteArray pullLine()
{
    return kOid + " refs/pull/1/head";
}

void malformedListingRows()
{
    QTest::addColumn<QByteArray>("advertisement");
    QTest::addColumn<QByteArray>("listing");
    QTest::addColumn<QString>("category");
    QTest::addColumn<QString>("words");
    QTest::addColumn<bool>("invalidName");
    const QByteArray ok = v2Advertisement(false);
    const QByteArray main = pktLine(mainLine() + '\n');
    auto row = [](const char *tag, const QByteArray &advertisement, const QByteArray &listing, const QString &category,
                  const QString &words, bool invalid = false) {
        QTest::newRow(tag) << advertisement << listing << category << words << invalid;
    };
    const QString network = u"network"_s;
    row("length not hex", ok, main + "zz10" + QByteArray(20, 'x'), network, u"not four hex digits"_s);
    row("length over 65520", ok, "fff5" + QByteArray(100, 'x'), network, u"more than the protocol's 65520"_s);
    row("length 0003", ok, main + "0003", network, u"0003"_s);
    row("short oid", ok, listingOf({"12345 refs/heads/main"}), network, u"40 hex digits"_s);
    row("non-hex oid", ok, listingOf({QByteArray(40, 'g') + " refs/heads/main"}), network, u"40 hex digits"_s);
    row("null oid", ok, listingOf({QByteArray(40, '0') + " refs/heads/main"}), network, u"40 hex digits"_s);
    row("no name", ok, listingOf({kOid}), network, u"without a name"_s);
    row("name with ..", ok, listingOf({kOid + " refs/heads/a..b"}), network, u"contains \"..\""_s, true);
    row("name ending .lock", ok, listingOf({kOid + " refs/tags/v1.lock"}), network, u".lock"_s, true);
    row("name with control", ok, listingOf({kOid + " refs/heads/x\x01\x1b[31m"}), network, u"control character"_s, true);
    row("name not utf-8", ok, listingOf({kOid + " refs/heads/\xff\xfe"}), network, u"not UTF-8"_s);
    row("bad peeled", ok, listingOf({kOid + " refs/tags/v1 peeled:1234"}), network, u"peeled"_s);
    row("unknown attribute", ok, listingOf({kOid + " refs/heads/main colour:blue"}), network, u"unknown or repeated attribute"_s);
    row("bad symref target", ok, listingOf({kOid + " HEAD symref-target:refs/heads/../../etc"}), network, u"invalid ref name"_s, true);
    row("listed twice", ok, listingOf({mainLine(), mainLine()}), network, u"listed twice"_s);
    row("delim inside", ok, main + "0001" + main + "0000", network, u"delimiter"_s);
    row("data after flush", ok, listingOf({mainLine()}) + main, network, u"after the end"_s);
    row("no flush", ok, main, network, u"ref listing"_s);
    row("ERR in listing", ok, listingOf({"ERR upload-pack: not our ref"}), u"rejected"_s, u"not our ref"_s);
    row("ERR not found", pktLine("ERR access denied or repository not exported: /x.git\n"), {}, u"not_found"_s, u"not exported"_s);
    row("bad advertisement", "00zzversion 2", {}, network, u"capability advertisement"_s);
    row("data after the advertisement", ok + pktLine("fetch\n"), {}, network, u"after its flush"_s);
    row("delim in advertisement", pktLine("version 2\n") + "0001", {}, network, u"delimiter"_s);
}

} // namespace md::v2test
