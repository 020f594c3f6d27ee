// org_bench — issue 13: org mirroring at scale, through the real binary.
//
// Usage: org_bench [--sizes "100 1000 5000"] [--runs R=3] [--select S=200] [--run-runs K=3]
//                  [--parallel P=8] [--no-run] [--lean-items] [--plain-daemon] [--bin PATH]
//                  [--keep DIR] [--perf DIR] [--before-bin PATH] [--timeout SECONDS=900]
//
// A forge fixture (tests/fixtures ProviderServer, QtHttpServer on its own thread in this process)
// serves a GitHub organisation "acme" of N repositories repo-0000 … repo-NNNN in pages of 100, each
// item with every field GitHub's REST API v3 lists (about 6 KB; --lean-items: only the fixture's
// basic ones), an ETag on every page and 304 to a matching If-None-Match. Every clone URL points at
// a real bare repository served by `git daemon --inetd` behind socat (listen backlog 128, as the
// shell benches and DESIGN section 7; --plain-daemon: the GitDaemonServer fixture, backlog 5). The
// sources are one template (GitRepoBuilder::makePullRequestShaped: 30 commits on main, 5 branches,
// 4 tags, 38 commits in all) and S+1 copies whose packs are hard links to the template's, each with
// its own branch refs/heads/fleet/repo-K (distinct fingerprints); the repositories listed but never
// cloned (K > S) are symbolic links to the last copy (their URLs clone too), so that 5,000 sources
// are not 50,000 files to make and, slowest on a shared disk, to delete. Under a second.
//
// For each size N of --sizes, in a fresh config and state folder (credential add --kind token
// --secret-env, org add --regex '^repo-0[01]\d\d$' --target-dir): R × (a cold `org preview NAME
// --json` with the org's page cache (<state>/orgs/NAME.pages) removed first, then a warm one
// answered 304 page by page).
// Each is the real binary (copied at start) spawned and reaped with wait4(): wall time, peak RSS
// (ru_maxrss, as /usr/bin/time -v), CPU; the fixture's request log gives the requests, their
// statuses (the warm preview must send If-None-Match for every page and get 304 for all of them)
// and the fixture's own time to answer (JSON, SHA-1 ETag), which runs on this process's thread.
// Then the per-repository cost per size, the marginal cost between sizes and the growth exponent
// (log(t2/t1)/log(N2/N1): 1 is linear), so something quadratic shows.
//
// Then, at the largest N, K runs of three ways to mirror the S selected repositories (order
// reversed every other run): `org run NAME --yes --json` (fresh config/state/target; a preview
// first, untimed, as a user would: its listing is then 304s), S × `git clone --mirror` one after
// another (a sh loop), and `xargs -P P git clone --mirror`. Times, peak RSS, ratios; and a sanity
// check that every cache of each tool holds its source's refs/heads and refs/tags with the same
// ids. busy% = share of 0.5 s samples that saw a runnable process of another session (other
// builds on these cores); drops = kernel ListenOverflows during the row.
// --before-bin PATH: the previews of a second binary too, alternating run by run with the first,
// and after/before ratios (the run step uses the first binary only). --perf DIR: one more cold and
// warm preview of the largest N under `perf record --call-graph dwarf` (DIR/preview-cold.data,
// …; keep the binary with --keep DIR for perf report's symbols).
// Figures only, no pass/fail on time; exit 1 when a step or a sanity check failed.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ProviderServer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <tuple>
#include <fcntl.h>
#include <mutex>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

using namespace Qt::StringLiterals;
using md::fixtures::FixtureRepo;
using md::fixtures::FixtureRequest;
using md::fixtures::ForgeApi;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::ProviderServer;

namespace {

const QByteArray kToken = "org-bench-token-5c1e2d";
const QString kOwner = u"acme"_s;
const QString kOrg = u"bench"_s;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

void note(const QString &text)
{
    out() << "-- " << QDateTime::currentDateTimeUtc().toString(u"HH:mm:ss"_s) << ' ' << text << Qt::endl;
}

[[noreturn]] void die(const QString &text)
{
    out().flush();
    std::fprintf(stderr, "org_bench: FAILED: %s\n", qPrintable(text));
    std::exit(1);
}

double seconds(double ms) { return ms / 1000.0; }
QString fixed(double value, int decimals) { return QString::number(value, 'f', decimals); }

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

// ---- the machine's other load: runnable processes of other sessions ----------------------------

class NoiseMeter {
public:
    NoiseMeter()
        : m_session(getsid(0))
        , m_thread([this] { loop(); })
    {
    }
    ~NoiseMeter()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    static qint64 now() { return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
    // "-" without samples.
    QString busyPct(qint64 from, qint64 to) const
    {
        std::lock_guard lock(m_mutex);
        int n = 0, busy = 0;
        for (const auto &[at, count] : m_samples) {
            if (at >= from && at <= to) {
                ++n;
                busy += count > 0 ? 1 : 0;
            }
        }
        return n ? QString::number(100 * busy / n) : u"-"_s;
    }

private:
    int foreignRunning() const
    {
        int running = 0;
        QDirIterator it(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
        while (it.hasNext()) {
            const QString dir = it.next();
            bool ok = false;
            it.fileName().toInt(&ok);
            if (!ok)
                continue;
            QFile stat(dir + u"/stat"_s);
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll();
            const qsizetype close = line.lastIndexOf(')');
            if (close < 0)
                continue;
            // after "(comm) ": state ppid pgrp session
            const QList<QByteArray> fields = line.mid(close + 2).split(' ');
            if (fields.size() < 4 || fields.at(0) != "R")
                continue;
            const long session = fields.at(3).toLong();
            if (session != 0 && session != m_session)
                ++running;
        }
        return running;
    }
    void loop()
    {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            lock.unlock();
            const int count = foreignRunning();
            lock.lock();
            m_samples.append({now(), count});
            m_wake.wait_for(lock, std::chrono::milliseconds(500), [this] { return m_stop; });
        }
    }

    const pid_t m_session;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    QList<std::pair<qint64, int>> m_samples;
    std::thread m_thread;
};

// Kernel count of connections dropped because a listen queue was full.
qint64 listenDrops()
{
    QFile file(u"/proc/net/netstat"_s);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (!lines.at(i).startsWith("TcpExt:") || !lines.at(i + 1).startsWith("TcpExt:"))
            continue;
        const QList<QByteArray> names = lines.at(i).split(' ');
        const QList<QByteArray> values = lines.at(i + 1).split(' ');
        for (qsizetype k = 0; k < names.size() && k < values.size(); ++k) {
            if (names.at(k) == "ListenOverflows")
                return values.at(k).toLongLong();
        }
    }
    return -1;
}

// ---- a child process, timed, with its peak RSS -------------------------------------------------

struct Child {
    int exitCode = -1;  // -1: killed by a signal, or did not start
    double wallMs = 0;
    long maxRssKb = 0;  // the largest resident set of the process and the descendants it reaped
    double cpuS = 0;    // user + system, the process and its reaped descendants
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
    QString describe(const QStringList &argv) const
    {
        return u"%1\n  exit %2%3\n  stdout: %4\n  stderr: %5"_s.arg(argv.join(u' '))
            .arg(exitCode)
            .arg(timedOut ? u" (timed out)"_s : QString())
            .arg(QString::fromUtf8(out.left(2000)).trimmed(), QString::fromUtf8(err.right(4000)).trimmed());
    }
};

int g_timeoutSeconds = 900;

// posix_spawn + wait4: the same figures /usr/bin/time -v prints (it uses wait4 too), without a
// wrapper process. stdout and stderr go to files under `scratch`, read back afterwards.
Child spawnChild(const QStringList &argv, const QStringList &environment, const QString &cwd, const QString &scratch)
{
    Child child;
    const QByteArray outPath = QFile::encodeName(scratch + u"/child.out"_s);
    const QByteArray errPath = QFile::encodeName(scratch + u"/child.err"_s);
    const QByteArray cwdPath = QFile::encodeName(cwd);
    QList<QByteArray> argBytes, envBytes;
    for (const QString &a : argv)
        argBytes.append(a.toLocal8Bit());
    for (const QString &e : environment)
        envBytes.append(e.toLocal8Bit());
    std::vector<char *> args, envs;
    for (QByteArray &a : argBytes)
        args.push_back(a.data());
    args.push_back(nullptr);
    for (QByteArray &e : envBytes)
        envs.push_back(e.data());
    envs.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, outPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, errPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwdPath.constData());
    pid_t pid = 0;
    const auto started = std::chrono::steady_clock::now();
    const int rc = posix_spawnp(&pid, args.front(), &actions, nullptr, args.data(), envs.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        child.err = "cannot start: " + QByteArray(std::strerror(rc));
        return child;
    }
    // A watchdog: past the timeout the child is killed (its figures then say so).
    std::mutex mutex;
    std::condition_variable reaped;
    bool done = false;
    std::atomic<bool> killed{false};
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        if (!reaped.wait_for(lock, std::chrono::seconds(g_timeoutSeconds), [&] { return done; })) {
            killed = true;
            ::kill(pid, SIGKILL);
        }
    });
    int status = 0;
    struct rusage usage {};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    const auto ended = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    reaped.notify_all();
    watchdog.join();
    child.wallMs = std::chrono::duration<double, std::milli>(ended - started).count();
    child.maxRssKb = usage.ru_maxrss;
    child.cpuS = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    child.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    child.timedOut = killed;
    QFile o(QString::fromLocal8Bit(outPath)), e(QString::fromLocal8Bit(errPath));
    if (o.open(QIODevice::ReadOnly))
        child.out = o.readAll();
    if (e.open(QIODevice::ReadOnly))
        child.err = e.readAll();
    return child;
}

// ---- the environment every child gets ---------------------------------------------------------

QStringList baseEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"MIRRORDESK_CONFIG"_s, u"MIRRORDESK_STATE_DIR"_s, u"XDG_STATE_HOME"_s, u"XDG_RUNTIME_DIR"_s,
                                u"SSH_AUTH_SOCK"_s, u"GIT_DIR"_s, u"GIT_WORK_TREE"_s})
        env.remove(name);
    env.insert(u"HOME"_s, home + u"/home"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/xdg-data"_s);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/xdg-config"_s);
    env.insert(u"XDG_CACHE_HOME"_s, home + u"/xdg-cache"_s);
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    // Neither git nor the servers read user or system config; nothing prompts.
    env.insert(u"GIT_CONFIG_NOSYSTEM"_s, u"1"_s);
    env.insert(u"GIT_CONFIG_GLOBAL"_s, u"/dev/null"_s);
    env.insert(u"GIT_TERMINAL_PROMPT"_s, u"0"_s);
    env.insert(u"LC_ALL"_s, u"C"_s);
    env.insert(u"ORG_TOKEN"_s, QString::fromLatin1(kToken));
    for (const QString &sub : {u"home"_s, u"xdg-data"_s, u"xdg-config"_s, u"xdg-cache"_s})
        QDir().mkpath(home + u'/' + sub);
    return env.toStringList();
}

// One private world for the binary: DIR/mirrors.json, DIR/state, a home.
struct World {
    QString dir;
    QStringList env;
    QString bin;

    QString config() const { return dir + u"/mirrors.json"_s; }
    QString state() const { return dir + u"/state"_s; }
    QString target() const { return dir + u"/mirrors"_s; }
    // The org's page cache: <state>/orgs/<name>.pages (before, <name>.pages.json: both handled,
    // so that an older binary can be measured with --bin).
    QStringList pagesFiles() const { return {state() + u"/orgs/"_s + kOrg + u".pages"_s, state() + u"/orgs/"_s + kOrg + u".pages.json"_s}; }
    void removePages() const
    {
        for (const QString &f : pagesFiles())
            QFile::remove(f);
    }
    qint64 pagesBytes() const
    {
        qint64 bytes = 0;
        for (const QString &f : pagesFiles())
            bytes += QFileInfo(f).size();
        return bytes;
    }
    QStringList argv(const QStringList &arguments) const
    {
        return QStringList{bin, u"--config"_s, config(), u"--state-dir"_s, state()} + arguments;
    }
    Child run(const QStringList &arguments) const { return spawnChild(argv(arguments), env, dir, dir); }
    Child must(const QStringList &arguments) const
    {
        Child c = run(arguments);
        if (c.exitCode != 0)
            die(c.describe(argv(arguments)));
        return c;
    }
};

World makeWorld(const QString &dir, const QString &bin, const QString &apiUrl, const QString &regex)
{
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    World w{dir, baseEnvironment(dir), bin};
    w.must({u"credential"_s, u"add"_s, u"tok"_s, u"--kind"_s, u"token"_s, u"--secret-env"_s, u"ORG_TOKEN"_s});
    w.must({u"org"_s, u"add"_s, kOrg, u"--provider"_s, u"github"_s, u"--owner"_s, kOwner, u"--api-url"_s, apiUrl, u"--credential"_s, u"tok"_s,
            u"--regex"_s, regex, u"--target-dir"_s, w.target()});
    return w;
}

// ---- the sources: one template, N hard-linked copies -----------------------------------------

struct PackedRef {
    QByteArray oid;
    QByteArray name;
    QByteArray peeled; // annotated tags: the peeled commit
};

QString repoName(int k) { return u"repo-%1"_s.arg(k, 4, 10, QLatin1Char('0')); }

struct Fleet {
    QString root;                 // the daemon's base path
    QList<PackedRef> templateRefs; // heads and tags of the template
    QByteArray mainTip;
    QString shape;                // "31 commits, 5 branches, 4 tags"

    QString sourceOf(int k) const { return root + u'/' + kOwner + u'/' + repoName(k) + u".git"_s; }
    // refname -> oid, as the cache of a full mirror of source k must hold.
    QMap<QString, QString> expectedRefs(int k) const
    {
        QMap<QString, QString> refs;
        for (const PackedRef &r : templateRefs)
            refs.insert(QString::fromLatin1(r.name), QString::fromLatin1(r.oid));
        refs.insert(u"refs/heads/fleet/"_s + repoName(k), QString::fromLatin1(mainTip));
        return refs;
    }
};

QList<PackedRef> readPackedRefs(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        die(u"cannot read %1"_s.arg(path));
    QList<PackedRef> refs;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.startsWith('^')) {
            if (!refs.isEmpty())
                refs.last().peeled = line.mid(1);
            continue;
        }
        const qsizetype space = line.indexOf(' ');
        refs.append(PackedRef{line.left(space), line.mid(space + 1), {}});
    }
    return refs;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// Sources 0 … real-1 are copies of their own; the rest (listed, never mirrored) links to the last copy.
Fleet makeFleet(const QString &dir, int n, int real)
{
    Fleet fleet;
    fleet.root = dir + u"/src"_s;
    const QString tmpl = dir + u"/template.git"_s;
    try {
        GitRepoBuilder::makePullRequestShaped(tmpl, 5, 4, 0, 30);
        // It adds one refs/remotes/… ref a host may keep: `git clone --mirror` would copy it and
        // MirrorDesk would not. Dropped, so that both tools move the same refs.
        GitRepoBuilder::run({u"update-ref"_s, u"-d"_s, u"refs/remotes/origin/x"_s}, tmpl);
        GitRepoBuilder::run({u"repack"_s, u"-a"_s, u"-d"_s, u"-q"_s}, tmpl);
        GitRepoBuilder::run({u"pack-refs"_s, u"--all"_s, u"--prune"_s}, tmpl);
        const QString commits = GitRepoBuilder::run({u"rev-list"_s, u"--all"_s, u"--count"_s}, tmpl).trimmed();
        fleet.templateRefs = readPackedRefs(tmpl + u"/packed-refs"_s);
        int heads = 0, tags = 0;
        for (const PackedRef &r : fleet.templateRefs) {
            heads += r.name.startsWith("refs/heads/") ? 1 : 0;
            tags += r.name.startsWith("refs/tags/") ? 1 : 0;
            if (r.name == "refs/heads/main")
                fleet.mainTip = r.oid;
        }
        if (fleet.mainTip.isEmpty() || fleet.templateRefs.size() != heads + tags)
            die(u"unexpected refs in the template: %1"_s.arg(GitRepoBuilder::forEachRef(tmpl, {})));
        fleet.shape = u"%1 commits, %2 branches (+ fleet/repo-K), %3 tags"_s.arg(commits).arg(heads).arg(tags);
    } catch (const std::exception &e) {
        die(u"cannot build the template repository: %1"_s.arg(QString::fromLocal8Bit(e.what())));
    }
    const QStringList packs = QDir(tmpl + u"/objects/pack"_s).entryList(QDir::Files);
    for (int k = 0; k < n; ++k) {
        const QString repo = fleet.sourceOf(k);
        if (k >= real) {
            // Listed, never cloned: a symbolic link to the last real copy (its URL still clones),
            // so that 5,000 sources are not 50,000 files to make and, slower here, to delete.
            QDir().mkpath(QFileInfo(repo).path());
            if (!QFile::link(repoName(real - 1) + u".git"_s, repo))
                die(u"cannot link %1"_s.arg(repo));
            continue;
        }
        for (const QString &sub : {u"objects/pack"_s, u"refs"_s})
            QDir().mkpath(repo + u'/' + sub);
        for (const QString &pack : packs) {
            const QByteArray from = QFile::encodeName(tmpl + u"/objects/pack/"_s + pack);
            const QByteArray to = QFile::encodeName(repo + u"/objects/pack/"_s + pack);
            if (::link(from.constData(), to.constData()) != 0)
                die(u"cannot hard-link %1: %2"_s.arg(QString::fromLocal8Bit(to), QString::fromLocal8Bit(std::strerror(errno))));
        }
        QList<PackedRef> refs = fleet.templateRefs;
        refs.append(PackedRef{fleet.mainTip, "refs/heads/fleet/" + repoName(k).toLatin1(), {}});
        std::sort(refs.begin(), refs.end(), [](const PackedRef &a, const PackedRef &b) { return a.name < b.name; });
        QByteArray packed = "# pack-refs with: peeled fully-peeled sorted \n";
        for (const PackedRef &r : refs) {
            packed += r.oid + ' ' + r.name + '\n';
            if (!r.peeled.isEmpty())
                packed += '^' + r.peeled + '\n';
        }
        if (!writeFile(repo + u"/packed-refs"_s, packed) || !writeFile(repo + u"/HEAD"_s, "ref: refs/heads/main\n")
            || !writeFile(repo + u"/config"_s, "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"))
            die(u"cannot write %1"_s.arg(repo));
    }
    // The copies are what git itself reads them as.
    for (int k : {0, real - 1, n - 1}) {
        QMap<QString, QString> listed;
        for (const QString &line : GitRepoBuilder::forEachRef(fleet.sourceOf(k)).split(u'\n', Qt::SkipEmptyParts))
            listed.insert(line.section(u' ', 0, 0), line.section(u' ', 1, 1));
        if (listed != fleet.expectedRefs(std::min(k, real - 1)))
            die(u"source %1 does not list the refs written"_s.arg(fleet.sourceOf(k)));
    }
    GitRepoBuilder::run({u"fsck"_s, u"--connectivity-only"_s, u"--no-progress"_s}, fleet.sourceOf(n - 1));
    return fleet;
}

// refname -> oid of refs/heads and refs/tags in `repo`; empty when it is no repository.
QMap<QString, QString> refsOf(const QString &repo)
{
    QMap<QString, QString> refs;
    const auto result = GitRepoBuilder::tryRun({u"for-each-ref"_s, u"--format=%(refname) %(objectname)"_s, u"refs/heads"_s, u"refs/tags"_s}, repo);
    if (!result.finished || result.exitCode != 0)
        return refs;
    for (const QString &line : QString::fromUtf8(result.out).split(u'\n', Qt::SkipEmptyParts))
        refs.insert(line.section(u' ', 0, 0), line.section(u' ', 1, 1));
    return refs;
}

// How many of the selected caches (`cacheOf(k)`) hold exactly their source's heads and tags; the
// first mismatch is described in `problem`.
int cachesInSync(const Fleet &fleet, int selected, const std::function<QString(int)> &cacheOf, QString *problem)
{
    int good = 0;
    for (int k = 0; k < selected; ++k) {
        const QMap<QString, QString> have = refsOf(cacheOf(k));
        if (have == fleet.expectedRefs(k))
            ++good;
        else if (problem->isEmpty())
            *problem = u"%1 holds %2 refs, its source %3"_s.arg(cacheOf(k)).arg(have.size()).arg(fleet.expectedRefs(k).size());
    }
    return good;
}

// ---- the git servers ------------------------------------------------------------------------

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool waitForPort(quint16 port)
{
    for (int i = 0; i < 100; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200))
            return true;
        QThread::msleep(100);
    }
    return false;
}

// `git daemon --inetd` behind socat (a listen backlog of 128: 8 parallel clones never see a full
// queue), as pr_bench.sh and relay_bench.sh serve their sources.
class SocatDaemon {
public:
    bool start(const QString &base, const QString &scratch)
    {
        m_port = freePort();
        m_process.setProgram(u"socat"_s);
        m_process.setArguments({u"TCP-LISTEN:%1,bind=127.0.0.1,fork,reuseaddr,backlog=128"_s.arg(m_port),
                                u"EXEC:git daemon --inetd --base-path=%1 --export-all --log-destination=stderr"_s.arg(base)});
        m_process.setProcessEnvironment(GitRepoBuilder::environment());
        m_process.setStandardErrorFile(scratch + u"/socat.log"_s);
        m_process.start();
        return m_process.waitForStarted(5000) && waitForPort(m_port);
    }
    ~SocatDaemon()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    quint16 port() const { return m_port; }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

// ---- the fixture's request log --------------------------------------------------------------

struct Requests {
    int total = 0;
    int ok200 = 0;
    int notModified = 0;
    int conditional = 0; // sent If-None-Match
    int unauthorized = 0;
    qint64 serverMicros = 0;
};

Requests tally(const QList<FixtureRequest> &log)
{
    Requests r;
    for (const FixtureRequest &request : log) {
        ++r.total;
        r.ok200 += request.status == 200 ? 1 : 0;
        r.notModified += request.status == 304 ? 1 : 0;
        r.conditional += request.ifNoneMatch.isEmpty() ? 0 : 1;
        r.unauthorized += request.authorized ? 0 : 1;
        r.serverMicros += request.handleMicros;
    }
    return r;
}

struct PreviewFigures {
    int repos = 0;
    int pages = 0;
    QList<double> coldMs, warmMs, coldCpu, warmCpu, coldServerMs, warmServerMs;
    long coldRssKb = 0, warmRssKb = 0;
    int coldRequests = 0, warmRequests = 0, warm304 = 0;
    qint64 jsonBytes = 0, cacheBytes = 0, pageBytes = 0;
    QString busy;
    qint64 drops = 0;
};

// The preview's JSON: every repository a row, `select` of them to create, the rest filtered.
void checkPreview(const Child &c, int repos, int select, const QString &what)
{
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(c.out, &error).object();
    const int rows = static_cast<int>(doc.value(u"repositories"_s).toArray().size());
    const QJsonObject summary = doc.value(u"summary"_s).toObject();
    if (rows != repos || summary.value(u"create"_s).toInt() != select || summary.value(u"filtered"_s).toInt() != repos - select)
        die(u"%1: %2 rows, summary %3 (expected %4 rows, %5 to create)"_s.arg(what)
                .arg(rows)
                .arg(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)))
                .arg(repos)
                .arg(select));
}

// The first page as the fixture serves it (a raw HTTP/1.1 GET): its body's size in bytes.
qint64 firstPageBytes(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return -1;
    socket.write("GET /github/api/v3/orgs/" + kOwner.toUtf8() + "/repos?per_page=100 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token " + kToken
                 + "\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    qint64 length = -1;
    qsizetype end = -1;
    while (socket.waitForReadyRead(5000)) {
        answer += socket.readAll();
        if (end < 0 && (end = answer.indexOf("\r\n\r\n")) >= 0) {
            const QRegularExpressionMatch m = QRegularExpression(u"\\r\\ncontent-length: *(\\d+)"_s, QRegularExpression::CaseInsensitiveOption)
                                                  .match(QString::fromLatin1(answer.left(end)));
            length = m.hasMatch() ? m.captured(1).toLongLong() : -1;
        }
        if (end >= 0 && length >= 0 && answer.size() - end - 4 >= length)
            break;
    }
    return end < 0 ? -1 : answer.size() - end - 4;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    QList<int> sizes{100, 1000, 5000};
    int runs = 3;
    int select = 200;
    int runRuns = 3;
    int parallel = 8;
    bool doRun = true;
    bool fullItems = true;
    bool plainDaemon = false;
    QString bin = qEnvironmentVariable("MIRRORDESK_BIN");
    QString keep;
    QString perfDir;
    QString beforeBin;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (a == u"--sizes"_s && hasValue) {
            sizes.clear();
            for (const QString &s : args.at(++i).split(QRegularExpression(u"[ ,]+"_s), Qt::SkipEmptyParts))
                sizes.append(std::max(1, s.toInt()));
        } else if (a == u"--runs"_s && hasValue)
            runs = std::max(1, args.at(++i).toInt());
        else if (a == u"--select"_s && hasValue)
            select = std::clamp(args.at(++i).toInt(), 1, 200);
        else if (a == u"--run-runs"_s && hasValue)
            runRuns = std::max(1, args.at(++i).toInt());
        else if (a == u"--parallel"_s && hasValue)
            parallel = std::max(1, args.at(++i).toInt());
        else if (a == u"--no-run"_s)
            doRun = false;
        else if (a == u"--lean-items"_s)
            fullItems = false;
        else if (a == u"--plain-daemon"_s)
            plainDaemon = true;
        else if (a == u"--bin"_s && hasValue)
            bin = args.at(++i);
        else if (a == u"--keep"_s && hasValue)
            keep = args.at(++i);
        else if (a == u"--perf"_s && hasValue)
            perfDir = args.at(++i);
        else if (a == u"--before-bin"_s && hasValue)
            beforeBin = args.at(++i);
        else if (a == u"--timeout"_s && hasValue)
            g_timeoutSeconds = std::max(10, args.at(++i).toInt());
        else {
            std::fprintf(stderr, "usage: org_bench [--sizes \"100 1000 5000\"] [--runs 3] [--select 200] [--run-runs 3] [--parallel 8] "
                                 "[--no-run] [--lean-items] [--plain-daemon] [--bin PATH] [--keep DIR] [--perf DIR] [--before-bin PATH] [--timeout 900]\n");
            return 2;
        }
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    const int largest = sizes.last();
    // The regex selects repo-0000 … repo-0199; fewer when --select is smaller (still a regex on names).
    const QString regex = select == 200 ? u"^repo-0[01]\\d\\d$"_s : u"^repo-(%1)$"_s.arg([&] {
        QStringList names;
        for (int k = 0; k < select; ++k)
            names << u"%1"_s.arg(k, 4, 10, QLatin1Char('0'));
        return names.join(u'|');
    }());
    if (bin.isEmpty())
        bin = QCoreApplication::applicationDirPath() + u"/../app/mirrordesk"_s;
    if (!QFileInfo(bin).isExecutable())
        die(u"no mirrordesk binary at %1 (build the mirrordesk target, or --bin PATH / MIRRORDESK_BIN)"_s.arg(bin));

    QTemporaryDir temp(QDir::tempPath() + u"/mdorgbench-XXXXXX"_s);
    const QString dir = keep.isEmpty() ? temp.path() : QDir(keep).absolutePath();
    QDir().mkpath(dir);
    // Snapshot the binary: a rebuild during the run must not swap it under us.
    const QString binInfo = u"%1 (%2)"_s.arg(QFileInfo(bin).canonicalFilePath(), QFileInfo(bin).lastModified().toUTC().toString(Qt::ISODate));
    const QString binCopy = dir + u"/mirrordesk"_s;
    QFile::remove(binCopy);
    if (!QFile::copy(bin, binCopy))
        die(u"cannot copy %1"_s.arg(bin));
    bin = binCopy;
    QString beforeInfo;
    if (!beforeBin.isEmpty()) {
        if (!QFileInfo(beforeBin).isExecutable())
            die(u"no binary at %1 (--before-bin)"_s.arg(beforeBin));
        beforeInfo = u"%1 (%2)"_s.arg(QFileInfo(beforeBin).canonicalFilePath(), QFileInfo(beforeBin).lastModified().toUTC().toString(Qt::ISODate));
        const QString copy = dir + u"/mirrordesk-before"_s;
        QFile::remove(copy);
        if (!QFile::copy(beforeBin, copy))
            die(u"cannot copy %1"_s.arg(beforeBin));
        beforeBin = copy;
    }
    NoiseMeter noise;

    out() << "== org_bench: GitHub organisation \"" << kOwner << "\" of " << QStringList([&] {
        QStringList s;
        for (int n : sizes)
            s << QString::number(n);
        return s;
    }()).join(u", "_s)
          << " repositories in pages of 100 (" << (fullItems ? "full GitHub items" : "the fixture's basic items") << "), " << select
          << " selected by " << regex << "; " << std::thread::hardware_concurrency() << " cores (shared), "
          << QDateTime::currentDateTimeUtc().toString(Qt::ISODate) << "\n== binary: " << binInfo << (beforeInfo.isEmpty() ? QString() : u"\n== before: "_s + beforeInfo + u" (previews only, alternating with the binary)"_s)
          << "\n== folder: " << dir << Qt::endl;

    // ---- fixture --------------------------------------------------------------------------------
    QElapsedTimer setup;
    setup.start();
    const int realSources = std::min(largest, std::max(select, 1) + 1);
    const Fleet fleet = makeFleet(dir, largest, realSources);
    note(u"%1 sources (%2; packs hard-linked to one template; the %3 beyond the first %4 link to one more copy) in %5 s"_s.arg(largest)
             .arg(fleet.shape)
             .arg(largest - realSources)
             .arg(realSources)
             .arg(fixed(setup.elapsed() / 1000.0, 1)));

    std::unique_ptr<SocatDaemon> socat;
    std::unique_ptr<GitDaemonServer> daemon;
    QString gitBase;
    if (!plainDaemon && !QStandardPaths::findExecutable(u"socat"_s).isEmpty()) {
        socat = std::make_unique<SocatDaemon>();
        if (!socat->start(fleet.root, dir))
            die(u"socat / git daemon --inetd did not start"_s);
        gitBase = u"git://127.0.0.1:%1"_s.arg(socat->port());
    } else {
        daemon = std::make_unique<GitDaemonServer>();
        if (!daemon->start(fleet.root))
            die(daemon->errorString());
        gitBase = u"git://127.0.0.1:%1"_s.arg(daemon->port());
    }
    ProviderServer api;
    if (!api.start())
        die(api.errorString());
    api.setToken(kToken);
    api.setPageSize(100);
    api.setFullGitHubItems(fullItems);
    const QString apiUrl = api.apiUrl(ForgeApi::GitHub);
    note(u"servers: forge API %1 (this process, its own thread); git %2 (%3)"_s.arg(apiUrl, gitBase,
                                                                                    socat ? u"git daemon --inetd behind socat, backlog 128"_s
                                                                                          : u"GitDaemonServer, backlog 5"_s));

    auto repositories = [&](int n) {
        QList<FixtureRepo> list;
        list.reserve(n);
        for (int k = 0; k < n; ++k) {
            FixtureRepo r;
            r.name = repoName(k);
            r.cloneUrl = u"%1/%2/%3.git"_s.arg(gitBase, kOwner, r.name);
            // Some archived repositories and forks, as a real organisation has (none among the
            // selected ones, so that the run mirrors exactly `select`).
            r.archived = k >= 200 && k % 50 == 49;
            r.fork = k >= 200 && k % 40 == 39;
            list.append(r);
        }
        return list;
    };

    api.setRepositories(ForgeApi::GitHub, kOwner, repositories(largest));
    const qint64 pageBytes = firstPageBytes(api.port());
    note(u"one page of 100 repositories weighs %1 KB (%2 bytes an item)"_s.arg(pageBytes / 1024).arg(pageBytes / 100));

    // ---- 1, 2: the previews ---------------------------------------------------------------------
    // One world per size and binary (with --before-bin the two alternate, the order reversed every
    // other run, so that both see the same load on the machine).
    QList<std::pair<QString, QString>> binaries; // label, binary
    if (!beforeBin.isEmpty())
        binaries.append({u"before"_s, beforeBin});
    binaries.append({beforeBin.isEmpty() ? QString() : u"after"_s, bin});
    QList<QList<PreviewFigures>> figuresOf(binaries.size()); // [binary][size]
    const QStringList preview{u"org"_s, u"preview"_s, kOrg, u"--json"_s};
    for (int n : sizes) {
        api.setRepositories(ForgeApi::GitHub, kOwner, repositories(n));
        const int selected = std::min(select, n);
        QList<World> worlds;
        QList<PreviewFigures> fs;
        for (qsizetype b = 0; b < binaries.size(); ++b) {
            worlds.append(makeWorld(dir + u"/preview-%1%2"_s.arg(n).arg(binaries.at(b).first), binaries.at(b).second, apiUrl, regex));
            PreviewFigures f;
            f.repos = n;
            f.pages = (n + 99) / 100;
            fs.append(f);
        }
        const qint64 from = NoiseMeter::now();
        const qint64 drops0 = listenDrops();
        for (int r = 0; r < runs; ++r) {
            QList<qsizetype> order;
            for (qsizetype b = 0; b < binaries.size(); ++b)
                order.append(b);
            if (r % 2)
                std::reverse(order.begin(), order.end());
            for (qsizetype b : order) {
                const World &w = worlds.at(b);
                PreviewFigures &f = fs[b];
                w.removePages();
                api.clearRequests();
                const Child cold = w.run(preview);
                if (cold.exitCode != 0)
                    die(cold.describe(w.argv(preview)));
                checkPreview(cold, n, selected, u"cold preview of %1"_s.arg(n));
                const Requests c = tally(api.requests());
                if (c.total != f.pages || c.ok200 != f.pages || c.unauthorized != 0)
                    die(u"cold preview of %1: %2 requests, %3 answered 200, %4 without the token (expected %5 pages)"_s.arg(n)
                            .arg(c.total)
                            .arg(c.ok200)
                            .arg(c.unauthorized)
                            .arg(f.pages));
                f.coldMs << cold.wallMs;
                f.coldCpu << cold.cpuS;
                f.coldServerMs << c.serverMicros / 1000.0;
                f.coldRssKb = std::max(f.coldRssKb, cold.maxRssKb);
                f.coldRequests = c.total;
                f.jsonBytes = cold.out.size();
                f.cacheBytes = w.pagesBytes();

                api.clearRequests();
                const Child warm = w.run(preview);
                if (warm.exitCode != 0)
                    die(warm.describe(w.argv(preview)));
                checkPreview(warm, n, selected, u"warm preview of %1"_s.arg(n));
                const Requests h = tally(api.requests());
                // Every page revalidated with If-None-Match and answered 304, nothing else asked.
                if (h.total != f.pages || h.conditional != f.pages || h.notModified != f.pages)
                    die(u"warm preview of %1: %2 requests, %3 with If-None-Match, %4 answered 304 (expected %5 pages, all 304)"_s.arg(n)
                            .arg(h.total)
                            .arg(h.conditional)
                            .arg(h.notModified)
                            .arg(f.pages));
                f.warmMs << warm.wallMs;
                f.warmCpu << warm.cpuS;
                f.warmServerMs << h.serverMicros / 1000.0;
                f.warmRssKb = std::max(f.warmRssKb, warm.maxRssKb);
                f.warmRequests = h.total;
                f.warm304 = h.notModified;
            }
        }
        if (!perfDir.isEmpty() && n == largest) {
            // One more of each under `perf record` (not timed): perf report -i DIR/preview-cold.data
            QDir().mkpath(perfDir);
            for (qsizetype b = 0; b < binaries.size(); ++b) {
                const World &w = worlds.at(b);
                for (const QString &kind : {u"cold"_s, u"warm"_s}) {
                    if (kind == u"cold"_s)
                        w.removePages();
                    const QString data = QDir(perfDir).absoluteFilePath(u"preview-%1%2.data"_s.arg(kind, binaries.at(b).first.isEmpty() ? QString() : u"-"_s + binaries.at(b).first));
                    const Child c = spawnChild(QStringList{u"perf"_s, u"record"_s, u"-q"_s, u"-F"_s, u"999"_s, u"--call-graph"_s, u"dwarf,32768"_s,
                                                           u"-o"_s, data, u"--"_s} + w.argv(preview),
                                               w.env, w.dir, w.dir);
                    note(u"perf record of a %1 preview: %2 (exit %3)"_s.arg(kind, data).arg(c.exitCode));
                }
            }
        }
        const QString busy = noise.busyPct(from, NoiseMeter::now());
        const qint64 drops = listenDrops() - drops0;
        for (qsizetype b = 0; b < binaries.size(); ++b) {
            fs[b].busy = busy;
            fs[b].drops = drops;
            figuresOf[b].append(fs.at(b));
            note(u"%1 repositories%2: cold %3 s, warm %4 s (median of %5)"_s.arg(n)
                     .arg(binaries.at(b).first.isEmpty() ? QString() : u" ("_s + binaries.at(b).first + u')')
                     .arg(fixed(seconds(median(fs.at(b).coldMs)), 2), fixed(seconds(median(fs.at(b).warmMs)), 2))
                     .arg(runs));
            if (keep.isEmpty() && n != largest)
                QDir(worlds.at(b).dir).removeRecursively();
        }
    }

    for (qsizetype b = 0; b < binaries.size(); ++b) {
        const QList<PreviewFigures> &figures = figuresOf.at(b);
        out() << "\npreview";
        if (!binaries.at(b).first.isEmpty())
            out() << ' ' << binaries.at(b).first.toUpper() << " (" << (b == 0 ? beforeInfo : binInfo) << ')';
        out() << " (`org preview " << kOrg << " --json`, median of " << runs
              << "; cold: no page cache, every page 200; warm: every page revalidated, 304)\n";
        out() << QString(u"%1 %2 | %3 %4 %5 %6 %7 | %8 %9 %10 %11 %12 | %13 %14 %15"_s)
                     .arg(u"repos"_s, 6)
                     .arg(u"pages"_s, 5)
                     .arg(u"cold_s"_s, 7)
                     .arg(u"ms/repo"_s, 7)
                     .arg(u"cpu_s"_s, 6)
                     .arg(u"rss_MB"_s, 6)
                     .arg(u"srv_s"_s, 5)
                     .arg(u"warm_s"_s, 6)
                     .arg(u"ms/repo"_s, 7)
                     .arg(u"cpu_s"_s, 6)
                     .arg(u"rss_MB"_s, 6)
                     .arg(u"304s"_s, 5)
                     .arg(u"json_KB"_s, 7)
                     .arg(u"cache_KB"_s, 8)
                     .arg(u"busy%"_s, 5)
              << '\n';
        for (const PreviewFigures &f : figures) {
            out() << QString(u"%1 %2 | %3 %4 %5 %6 %7 | %8 %9 %10 %11 %12 | %13 %14 %15"_s)
                         .arg(f.repos, 6)
                         .arg(f.pages, 5)
                         .arg(fixed(seconds(median(f.coldMs)), 2), 7)
                         .arg(fixed(median(f.coldMs) / f.repos, 3), 7)
                         .arg(fixed(median(f.coldCpu), 2), 6)
                         .arg(fixed(f.coldRssKb / 1024.0, 1), 6)
                         .arg(fixed(seconds(median(f.coldServerMs)), 2), 5)
                         .arg(fixed(seconds(median(f.warmMs)), 2), 6)
                         .arg(fixed(median(f.warmMs) / f.repos, 3), 7)
                         .arg(fixed(median(f.warmCpu), 2), 6)
                         .arg(fixed(f.warmRssKb / 1024.0, 1), 6)
                         .arg(u"%1/%2"_s.arg(f.warm304).arg(f.warmRequests), 5)
                         .arg(f.jsonBytes / 1024, 7)
                         .arg(f.cacheBytes / 1024, 8)
                         .arg(f.busy, 5)
                  << '\n';
        }
        out() << "(one request per page, every one with the token; srv_s = the fixture's own time to answer, on this process's thread,"
                 " inside the wall time; cpu_s = the binary's user+system; rss = peak, the largest of the runs)\n";
        for (qsizetype i = 1; i < figures.size(); ++i) {
            const PreviewFigures &lo = figures.at(i - 1), &hi = figures.at(i);
            for (const auto &[label, ta, tb] : {std::tuple{u"cold"_s, median(lo.coldMs), median(hi.coldMs)},
                                                std::tuple{u"warm"_s, median(lo.warmMs), median(hi.warmMs)},
                                                std::tuple{u"cold cpu"_s, 1000 * median(lo.coldCpu), 1000 * median(hi.coldCpu)},
                                                std::tuple{u"warm cpu"_s, 1000 * median(lo.warmCpu), 1000 * median(hi.warmCpu)}}) {
                const double exponent = std::log(tb / ta) / std::log(double(hi.repos) / lo.repos);
                out() << "growth " << lo.repos << " -> " << hi.repos << ' ' << label.leftJustified(8) << ": x" << fixed(tb / ta, 2) << " for x"
                      << fixed(double(hi.repos) / lo.repos, 1) << " repositories (exponent " << fixed(exponent, 2) << "; marginal "
                      << fixed((tb - ta) / (hi.repos - lo.repos), 3) << " ms per repository)\n";
            }
        }
        const PreviewFigures &big = figures.last();
        out() << "target: cold preview of " << big.repos << " under 5 s: " << fixed(seconds(median(big.coldMs)), 2) << " s "
              << (median(big.coldMs) < 5000 ? "PASS" : "MISS") << "; warm: " << fixed(seconds(median(big.warmMs)), 2) << " s "
              << (median(big.warmMs) < 5000 ? "PASS" : "MISS") << Qt::endl;
    }
    if (binaries.size() == 2) {
        out() << "\nafter / before (same runs, alternating)\n";
        for (qsizetype i = 0; i < sizes.size(); ++i) {
            const PreviewFigures &a = figuresOf.at(1).at(i), &b = figuresOf.at(0).at(i);
            out() << QString::number(a.repos).rightJustified(6) << ": cold wall x" << fixed(median(a.coldMs) / median(b.coldMs), 2) << ", cpu x"
                  << fixed(median(a.coldCpu) / median(b.coldCpu), 2) << ", rss x" << fixed(double(a.coldRssKb) / b.coldRssKb, 2) << "; warm wall x"
                  << fixed(median(a.warmMs) / median(b.warmMs), 2) << ", cpu x" << fixed(median(a.warmCpu) / median(b.warmCpu), 2) << ", rss x"
                  << fixed(double(a.warmRssKb) / b.warmRssKb, 2) << "; cache " << b.cacheBytes / 1024 << " -> " << a.cacheBytes / 1024 << " KB\n";
        }
        out().flush();
    }

    // ---- 3: run 200 of them, against git clone --mirror ----------------------------------------
    int failures = 0;
    if (doRun) {
        api.setRepositories(ForgeApi::GitHub, kOwner, repositories(largest));
        const int selected = std::min(select, largest);
        struct Row {
            QString label;
            QList<double> ms;
            long rssKb = 0;
            QList<double> cpu;
            qint64 drops = 0;
            QList<std::pair<qint64, qint64>> spans;
            int inSync = -1;
            QString problem;
        };
        Row md{u"mirrordesk org run --yes --json"_s, {}, 0, {}, 0, {}, -1, {}};
        Row serial{u"git clone --mirror, one after another"_s, {}, 0, {}, 0, {}, -1, {}};
        Row xargs{u"xargs -P%1 git clone --mirror"_s.arg(parallel), {}, 0, {}, 0, {}, -1, {}};
        const QString listFile = dir + u"/clone-list"_s;
        {
            QByteArray list;
            for (int k = 0; k < selected; ++k)
                list += u"%1/%2/%3.git %4.git\n"_s.arg(gitBase, kOwner, repoName(k), repoName(k)).toUtf8();
            if (!writeFile(listFile, list))
                die(u"cannot write %1"_s.arg(listFile));
        }
        const QString gitHome = dir + u"/git-env"_s;
        const QStringList gitEnv = baseEnvironment(gitHome);
        auto timed = [&](Row &row, const std::function<Child()> &work, const QString &what) {
            const qint64 drops0 = listenDrops();
            const qint64 from = NoiseMeter::now();
            const Child c = work();
            row.spans.append({from, NoiseMeter::now()});
            row.drops += listenDrops() - drops0;
            if (c.exitCode != 0)
                die(u"%1: %2"_s.arg(what, c.describe({what})));
            row.ms << c.wallMs;
            row.cpu << c.cpuS;
            row.rssKb = std::max(row.rssKb, c.maxRssKb);
            return c;
        };
        for (int r = 0; r < runRuns; ++r) {
            const bool last = r == runRuns - 1;
            QList<int> order{0, 1, 2};
            if (r % 2)
                std::reverse(order.begin(), order.end());
            for (int which : order) {
                if (which == 0) {
                    const World w = makeWorld(dir + u"/run"_s, bin, apiUrl, regex);
                    w.must({u"org"_s, u"preview"_s, kOrg, u"--json"_s}); // as a user would, first; warms the page cache
                    api.clearRequests();
                    const QStringList runArgs{u"org"_s, u"run"_s, kOrg, u"--yes"_s, u"--json"_s};
                    const Child c = timed(md, [&] { return w.run(runArgs); }, w.argv(runArgs).join(u' '));
                    const QJsonObject results = QJsonDocument::fromJson(c.out).object().value(u"results"_s).toObject();
                    if (results.value(u"created"_s).toInt() != selected)
                        die(u"org run: results %1 (expected %2 created)"_s.arg(QString::fromUtf8(QJsonDocument(results).toJson(QJsonDocument::Compact)))
                                .arg(selected));
                    const Requests h = tally(api.requests());
                    if (h.notModified != (largest + 99) / 100)
                        die(u"org run after a preview: %1 of %2 requests answered 304"_s.arg(h.notModified).arg(h.total));
                    if (last)
                        md.inSync = cachesInSync(fleet, selected, [&](int k) { return w.target() + u'/' + kOwner + u'/' + repoName(k) + u".git"_s; },
                                                 &md.problem);
                    if (keep.isEmpty() || !last)
                        QDir(w.dir).removeRecursively();
                } else {
                    Row &row = which == 1 ? serial : xargs;
                    const QString clones = dir + (which == 1 ? u"/git-serial"_s : u"/git-xargs"_s);
                    QDir(clones).removeRecursively();
                    QDir().mkpath(clones);
                    const QString script = which == 1
                        ? u"while read -r url dest; do git clone -q --mirror \"$url\" \"$dest\" || exit 1; done < '%1'"_s.arg(listFile)
                        : u"xargs -P%1 -n2 git clone -q --mirror < '%2'"_s.arg(parallel).arg(listFile);
                    timed(row, [&] { return spawnChild({u"/bin/sh"_s, u"-c"_s, script}, gitEnv, clones, gitHome); }, script);
                    if (last)
                        row.inSync = cachesInSync(fleet, selected, [&](int k) { return clones + u'/' + repoName(k) + u".git"_s; }, &row.problem);
                    if (keep.isEmpty() || !last)
                        QDir(clones).removeRecursively();
                }
            }
            note(u"run %1 of %2: mirrordesk %3 s, serial %4 s, xargs %5 s"_s.arg(r + 1)
                     .arg(runRuns)
                     .arg(fixed(seconds(md.ms.last()), 2), fixed(seconds(serial.ms.last()), 2), fixed(seconds(xargs.ms.last()), 2)));
        }
        out() << "\nrun " << selected << " of " << largest << " (median of " << runRuns
              << ", order reversed every other run; mirrordesk's time includes listing the " << largest
              << " repositories (304s after its preview), adding " << selected << " mirrors and their first update)\n";
        out() << QString(u"%1 %2 %3 %4 %5 %6 %7"_s)
                     .arg(u"what"_s, -40)
                     .arg(u"wall_s"_s, 7)
                     .arg(u"cpu_s"_s, 6)
                     .arg(u"rss_MB"_s, 7)
                     .arg(u"busy%"_s, 5)
                     .arg(u"drops"_s, 5)
                     .arg(u"caches in sync"_s, 14)
              << '\n';
        for (Row *row : {&md, &serial, &xargs}) {
            QString busy = u"-"_s;
            if (!row->spans.isEmpty()) {
                // the share over all of the row's runs
                int n = 0, b = 0;
                for (const auto &[from, to] : row->spans) {
                    const QString pct = noise.busyPct(from, to);
                    if (pct != u"-"_s) {
                        b += pct.toInt();
                        ++n;
                    }
                }
                busy = n ? QString::number(b / n) : u"-"_s;
            }
            out() << QString(u"%1 %2 %3 %4 %5 %6 %7"_s)
                         .arg(row->label, -40)
                         .arg(fixed(seconds(median(row->ms)), 2), 7)
                         .arg(fixed(median(row->cpu), 2), 6)
                         .arg(fixed(row->rssKb / 1024.0, 1), 7)
                         .arg(busy, 5)
                         .arg(row->drops, 5)
                         .arg(u"%1/%2"_s.arg(row->inSync).arg(selected), 14)
                  << '\n';
            if (row->inSync != selected) {
                ++failures;
                out() << "  NOT IN SYNC: " << row->problem << '\n';
            }
        }
        out() << "ratio mirrordesk / git serial: " << fixed(median(md.ms) / median(serial.ms), 2) << "; mirrordesk / xargs -P" << parallel << ": "
              << fixed(median(md.ms) / median(xargs.ms), 2) << Qt::endl;
        out() << "commands:\n  " << World{dir + u"/run"_s, {}, u"mirrordesk"_s}.argv({u"org"_s, u"run"_s, kOrg, u"--yes"_s, u"--json"_s}).join(u' ')
              << "\n  cd CLONES && while read -r url dest; do git clone -q --mirror \"$url\" \"$dest\"; done < clone-list"
              << "\n  cd CLONES && xargs -P" << parallel << " -n2 git clone -q --mirror < clone-list\n"
              << "  (clone-list: \"" << gitBase << '/' << kOwner << "/repo-0000.git repo-0000.git\" and so on)" << Qt::endl;
    }
    out() << "commands (each in its own config and state folder):\n  mirrordesk --config C --state-dir S credential add tok --kind token --secret-env ORG_TOKEN"
          << "\n  mirrordesk --config C --state-dir S org add " << kOrg << " --provider github --owner " << kOwner << " --api-url " << apiUrl
          << " --credential tok --regex '" << regex << "' --target-dir T"
          << "\n  mirrordesk --config C --state-dir S org preview " << kOrg << " --json   (cold: the page cache S/orgs/" << kOrg << ".pages removed first)"
          << Qt::endl;
    return failures ? 1 : 0;
}
