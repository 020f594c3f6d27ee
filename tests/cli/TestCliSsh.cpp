// SSH end to end through the real binary (issue 11, DESIGN sections 5 and 7): a real sshd with
// its own host keys (tests/fixtures/SshServer), keys pinned with `hostkeys pin` from ssh-keyscan,
// an ssh_key credential read from an owner-only file and an ssh_agent credential served by a real
// ssh-agent. check, update of a pull mirror, relays (ssh -> ssh, git daemon <-> ssh) and a push
// mirror over ssh://, each read back from the bare repositories with the git command line. Then
// the host keys change: every operation is refused with "host key changed", both fingerprints,
// category host_key and exit 1, before any authentication (sshd's own log shows none). An
// unknown host is refused with its fingerprints. A silent server on ssh:// ends at --timeout.
//
// SCP-style addresses carry no port (git reads "host:path" as port 22), so they cannot reach the
// test sshd on its free port: scpAddressesMeanPort22 checks what they resolve to instead.
#include "CliRunner.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "RelayTestUtil.h"
#include "SilentServer.h"
#include "KeychainSession.h"
#include "SshServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace relaytest;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::SilentServer;
using md::fixtures::SshAgent;
using md::fixtures::KeychainSession;
using md::fixtures::SshServer;

namespace {

// `ssh-keygen -l -E HASH -f FILE`'s fingerprint ("SHA256:…" / "MD5:…"), empty on failure.
QString fingerprintOf(const QString &pubFile, const QString &hash)
{
    QProcess process;
    process.start(QStandardPaths::findExecutable(u"ssh-keygen"_s), {u"-l"_s, u"-E"_s, hash, u"-f"_s, pubFile});
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        return {};
    return QString::fromUtf8(process.readAllStandardOutput()).section(u' ', 1, 1);
}

// `ssh-keyscan -p PORT 127.0.0.1` (every key type the server offers), empty on failure.
QByteArray keyscan(quint16 port)
{
    QProcess process;
    process.start(QStandardPaths::findExecutable(u"ssh-keyscan"_s), {u"-p"_s, QString::number(port), u"127.0.0.1"_s});
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        return {};
    return process.readAllStandardOutput();
}

// The log lines sshd writes for any authentication attempt (LogLevel DEBUG1).
QStringList authenticationLines(const QString &log)
{
    static const QRegularExpression attempt(u"userauth|Accepted publickey|Failed publickey|Postponed publickey|Invalid user"_s);
    QStringList lines;
    for (const QString &line : log.split(u'\n')) {
        if (attempt.match(line).hasMatch())
            lines.append(line);
    }
    return lines;
}

} // namespace

class TestCliSsh : public QObject {
    Q_OBJECT
private:
    SshServer m_ssh;
    GitDaemonServer m_daemon; // serves the same folder over git://
    std::unique_ptr<WorldFactory> m_worlds;

    World newWorld() { return m_worlds->next(); }

    // A session with the server's keys pinned (from ssh-keyscan, as an admin would) and an
    // ssh_key credential "key" reading the client key from its owner-only file.
    static void setUpSession(Session &s, const SshServer &server)
    {
        const QByteArray scanned = keyscan(server.port());
        QVERIFY2(scanned.count('\n') >= 2, scanned.constData());
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, server.hostPort(), u"-"_s}, scanned), 0);
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, server.clientKeyPath()}), 0);
    }

    static QString cachePathOf(const Session &s, const QString &name)
    {
        for (const QJsonValue &m : s.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray()) {
            if (m.toObject().value(u"name"_s).toString() == name)
                return m.toObject().value(u"cache_path"_s).toString();
        }
        return {};
    }

    // No secret in any output or file of the session: the client key's body never leaves its file.
    static void verifyNoKeyLeaked(const Session &s, const SshServer &server, const QList<CliResult> &results)
    {
        const QByteArray key = CliEnv::readFile(server.clientKeyPath()).value_or(QByteArray());
        const QStringList lines = QString::fromLatin1(key).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() > 3);
        const QByteArray body = lines.at(2).toLatin1(); // a line of the private key's base64
        for (const CliResult &r : results)
            QVERIFY2(!r.out.contains(body) && !r.err.contains(body), qPrintable(r.describe()));
        QCOMPARE(s.env.filesContaining(body), QStringList());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(binaryProblem().isEmpty(), qPrintable(binaryProblem()));
        QVERIFY2(m_ssh.start(), qPrintable(m_ssh.errorString()));
        QVERIFY2(m_daemon.start(m_ssh.repoRoot()), qPrintable(m_daemon.errorString()));
        m_worlds = std::make_unique<WorldFactory>(m_ssh.repoRoot());
    }

    // The fixture itself: the host keys ssh-keyscan sees are the .pub files, and the git command
    // line with the client key reaches a repository by its ssh:// URL.
    void fixtureServesGitOverSsh()
    {
        const QByteArray scanned = keyscan(m_ssh.port());
        for (const QString &line : m_ssh.hostKeyLines())
            QVERIFY2(scanned.contains(line.section(u' ', 0, 1).toUtf8()), scanned.constData());
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        const QString sshCommand = u"core.sshCommand=ssh -i %1 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no "
                                   u"-o UserKnownHostsFile=/dev/null"_s.arg(m_ssh.clientKeyPath());
        QMap<QString, QString> refs;
        GIT_OK(refs = GitRepoBuilder::lsRemote(m_ssh.url(w.srcRel()), {u"-c"_s, sshCommand}));
        QCOMPARE(refs.value(u"refs/heads/main"_s), tips.first);
        QCOMPARE(refs.value(u"refs/heads/develop"_s), tips.second);
        QVERIFY(m_ssh.log().contains(u"Accepted publickey for %1"_s.arg(m_ssh.user())));
    }

    // A pull mirror over ssh:// with an ssh_key credential: check (behind), update (the cache
    // holds the source's refs), check (in sync); sshd accepted the client key.
    void pullMirrorWithSshKey()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        setUpSession(s, m_ssh);
        if (QTest::currentTestFailed())
            return;
        const qsizetype logStart = m_ssh.logSize();
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        const CliResult before = s.run({u"check"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(before, 3);
        QCOMPARE(firstMirror(before).value(u"state"_s).toString(), u"behind"_s);
        const CliResult update = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(update, 0);
        QCOMPARE(firstMirror(update).value(u"outcome"_s).toString(), u"ok"_s);
        const QString cache = cachePathOf(s, u"p"_s);
        QVERIFY(!cache.isEmpty());
        GIT_OK(QCOMPARE(refsOf(cache), refsOf(w.src)));
        const CliResult after = s.run({u"check"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(after, 0);
        QCOMPARE(firstMirror(after).value(u"state"_s).toString(), u"in_sync"_s);
        // A new commit upstream arrives with the next update.
        QString main;
        GIT_OK(main = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s));
        GIT_OK(w.publish());
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"p"_s}), 0);
        QCOMPARE(refOf(cache, u"refs/heads/main"_s), main);
        QVERIFY2(m_ssh.logSince(logStart).contains(u"Accepted publickey for %1"_s.arg(m_ssh.user())), qPrintable(m_ssh.logSince(logStart)));
        verifyNoKeyLeaked(s, m_ssh, {before, update, after});
    }

    // The same with the key in an ssh-agent: the credential holds no secret, SSH_AUTH_SOCK points
    // at the agent.
    void pullMirrorWithSshAgent()
    {
        SshAgent agent;
        QVERIFY2(agent.start(), qPrintable(agent.errorString()));
        QVERIFY2(agent.add(m_ssh.clientKeyPath()), qPrintable(agent.errorString()));
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        const QByteArray scanned = keyscan(m_ssh.port());
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), u"-"_s}, scanned), 0);
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"agent"_s, u"--kind"_s, u"ssh_agent"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"agent"_s, u"-q"_s}), 0);
        // Without the agent: authentication fails (category auth), nothing fetched.
        const CliResult noAgent = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(noAgent, 1);
        QVERIFY2(firstMirror(noAgent).value(u"error_category"_s).toString() == u"auth"_s, qPrintable(pretty(firstMirror(noAgent))));
        QVERIFY2(firstMirror(noAgent).value(u"last_error"_s).toString().contains(u"SSH_AUTH_SOCK is not set"_s), qPrintable(pretty(firstMirror(noAgent))));
        // An agent without the key: refused by the server, category auth.
        SshAgent empty;
        QVERIFY2(empty.start(), qPrintable(empty.errorString()));
        s.vars.insert(u"SSH_AUTH_SOCK"_s, empty.socketPath());
        const CliResult emptyAgent = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(emptyAgent, 1);
        QVERIFY2(firstMirror(emptyAgent).value(u"error_category"_s).toString() == u"auth"_s, qPrintable(pretty(firstMirror(emptyAgent))));
        s.vars.insert(u"SSH_AUTH_SOCK"_s, agent.socketPath());
        const CliResult update = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(update, 0);
        GIT_OK(QCOMPARE(refsOf(cachePathOf(s, u"p"_s)), refsOf(w.src)));
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"p"_s}), 0);
    }

    // Relays with an SSH side: ssh -> ssh, git daemon -> ssh, ssh -> git daemon. The target's bare
    // repository ends equal to the source, and a second update pushes nothing.
    void relayOverSsh_data()
    {
        QTest::addColumn<QString>("sourceKind");
        QTest::addColumn<QString>("targetKind");
        QTest::newRow("ssh -> ssh") << u"ssh"_s << u"ssh"_s;
        QTest::newRow("git daemon -> ssh") << u"git"_s << u"ssh"_s;
        QTest::newRow("ssh -> git daemon") << u"ssh"_s << u"git"_s;
    }
    void relayOverSsh()
    {
        QFETCH(QString, sourceKind);
        QFETCH(QString, targetKind);
        World w = newWorld();
        GIT_OK({
            w.classic();
            GitRepoBuilder::tag(w.work, u"v1.0"_s, u"release"_s);
            w.publish();
        });
        Session s;
        setUpSession(s, m_ssh);
        if (QTest::currentTestFailed())
            return;
        const QString source = sourceKind == u"ssh"_s ? m_ssh.url(w.srcRel()) : m_daemon.url(w.srcRel());
        const QString target = targetKind == u"ssh"_s ? m_ssh.url(w.targetRel()) : m_daemon.url(w.targetRel());
        QStringList options;
        if (sourceKind == u"ssh"_s)
            options += {u"--source-credential"_s, u"key"_s};
        if (targetKind == u"ssh"_s)
            options += {u"--target-credential"_s, u"key"_s};
        CLI_EXPECT_EXIT(addRelay(s, u"r"_s, source, target, options), 0);
        const CliResult first = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(first, 0);
        QString srcRefs;
        GIT_OK(srcRefs = refsOf(w.src));
        QCOMPARE(srcRefs.count(u'\n'), 3); // main, develop, v1.0
        GIT_OK(QCOMPARE(refsOf(w.target), srcRefs));
        QCOMPARE(GitRepoBuilder::run({u"cat-file"_s, u"-t"_s, u"refs/tags/v1.0"_s}, w.target).trimmed(), u"tag"_s);
        const CliResult checked = s.run({u"check"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(checked, 0);
        QCOMPARE(firstMirror(checked).value(u"cache_target"_s).toObject().value(u"state"_s).toString(), u"in_sync"_s);
        const CliResult second = s.run({u"update"_s, u"r"_s, u"--json"_s});
        CLI_EXPECT_EXIT(second, 0);
        for (const QJsonObject &line : sideLines(firstMirror(second), u"target"_s))
            QVERIFY2(line.value(u"action"_s).toString() == u"up_to_date"_s, qPrintable(pretty(firstMirror(second))));
        // A fast-forward and a deleted branch reach the target.
        QString main;
        GIT_OK({
            main = w.commitOn(u"main"_s, u"a.txt"_s, u"three"_s);
            w.publish();
        });
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"r"_s}), 0);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), main);
        verifyNoKeyLeaked(s, m_ssh, {first, checked, second});
    }

    // A push mirror: a local work tree pushed to a bare repository over ssh://.
    void pushMirrorOverSsh()
    {
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        Session s;
        setUpSession(s, m_ssh);
        if (QTest::currentTestFailed())
            return;
        CLI_EXPECT_EXIT(addMirror(s, u"push"_s, u"push"_s, w.work, m_ssh.url(w.targetRel()), {u"--target-credential"_s, u"key"_s}), 0);
        const CliResult update = s.run({u"update"_s, u"push"_s, u"--json"_s});
        CLI_EXPECT_EXIT(update, 0);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), tips.first);
        QCOMPARE(refOf(w.target, u"refs/heads/develop"_s), tips.second);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.work)));
        const CliResult checked = s.run({u"check"_s, u"push"_s});
        CLI_EXPECT_EXIT(checked, 0);
    }

    // Keys from the OS keychain (a real gnome-keyring): one generated by `mirrordesk ssh-keygen`
    // (its printed public key authorized on the server, as a deploy key), one imported encrypted
    // with its passphrase in another keychain credential (libssh2 decrypts it in memory). A pull
    // and a push mirror sync with them; no key text reaches any file or output.
    void keysFromTheKeychain()
    {
        KeychainSession keychain;
        QVERIFY2(keychain.start(), qPrintable(keychain.errorString()));
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        Session s;
        s.vars = keychain.environment();
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), u"-"_s}, keyscan(m_ssh.port())), 0);
        const CliResult generated = s.run({u"ssh-keygen"_s, u"deploy"_s});
        CLI_EXPECT_EXIT(generated, 0);
        QVERIFY(m_ssh.authorize(generated.stdoutText().trimmed()));

        QTemporaryDir keys;
        const QString encryptedFile = keys.filePath(u"enc"_s);
        QProcess keygen;
        keygen.start(u"ssh-keygen"_s, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, u"keychain phrase"_s, u"-C"_s, u"enc"_s, u"-f"_s, encryptedFile});
        QVERIFY(keygen.waitForFinished(30000) && keygen.exitCode() == 0);
        QVERIFY(m_ssh.authorize(QString::fromUtf8(CliEnv::readFile(encryptedFile + u".pub"_s).value_or(QByteArray())).trimmed()));
        CLI_EXPECT_EXIT(s.env.run({u"credential"_s, u"add"_s, u"phrase"_s, u"--secret-stdin"_s}, "keychain phrase", s.vars), 0);
        const QByteArray encrypted = CliEnv::readFile(encryptedFile).value_or(QByteArray());
        CLI_EXPECT_EXIT(s.env.run({u"credential"_s, u"add"_s, u"enc"_s, u"--kind"_s, u"ssh_key"_s, u"--passphrase-credential"_s,
                                   u"phrase"_s, u"--secret-stdin"_s}, encrypted, s.vars), 0);

        const qsizetype logStart = m_ssh.logSize();
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"deploy"_s, u"-q"_s}), 0);
        const CliResult pulled = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(pulled, 0);
        GIT_OK(QCOMPARE(refsOf(cachePathOf(s, u"p"_s)), refsOf(w.src)));
        CLI_EXPECT_EXIT(addMirror(s, u"push"_s, u"push"_s, w.work, m_ssh.url(w.targetRel()), {u"--target-credential"_s, u"enc"_s}), 0);
        const CliResult pushed = s.run({u"update"_s, u"push"_s, u"--json"_s});
        CLI_EXPECT_EXIT(pushed, 0);
        QCOMPARE(refOf(w.target, u"refs/heads/main"_s), tips.first);
        // sshd accepted each of the two keys (its log names the key's SHA256 fingerprint).
        const QString accepted = m_ssh.logSince(logStart);
        const QString generatedPrint = generated.stderrText().section(u'(', 1).section(u')', 0, 0);
        QVERIFY2(generatedPrint.startsWith(u"SHA256:"_s), qPrintable(generated.describe()));
        QProcess print;
        print.start(u"ssh-keygen"_s, {u"-l"_s, u"-f"_s, encryptedFile + u".pub"_s});
        QVERIFY(print.waitForFinished(30000) && print.exitCode() == 0);
        const QString encryptedPrint = QString::fromUtf8(print.readAllStandardOutput()).section(u' ', 1, 1);
        QVERIFY(encryptedPrint.startsWith(u"SHA256:"_s));
        for (const QString &fingerprint : {generatedPrint, encryptedPrint})
            QVERIFY2(accepted.contains(u"Accepted publickey for %1"_s.arg(m_ssh.user())) && accepted.contains(fingerprint),
                     qPrintable(fingerprint + u"\n"_s + accepted));

        const QByteArray generatedKey = keychain.lookup(u"deploy"_s).value_or(QByteArray());
        for (const QByteArray &key : {generatedKey, encrypted}) {
            const QByteArray body = key.split('\n').value(2);
            QVERIFY(body.size() > 40);
            for (const CliResult &r : {generated, pulled, pushed})
                QVERIFY2(!r.out.contains(body) && !r.err.contains(body), qPrintable(r.describe()));
            QCOMPARE(s.env.filesContaining(body), QStringList());
        }
        QVERIFY(!pulled.err.contains("keychain phrase") && !pushed.err.contains("keychain phrase"));
        QCOMPARE(s.env.filesContaining("keychain phrase"), QStringList());
    }

    // The server's host keys change (a reinstalled server, or a machine in the middle): every
    // operation on that host is refused with "host key changed", the pinned and the offered
    // fingerprints, category host_key and exit 1, and no authentication is even tried (sshd logs
    // none). Nothing moves on the target.
    void changedHostKeyRefusesEveryOperation()
    {
        SshServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        WorldFactory worlds(server.repoRoot());
        World w = worlds.next();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        Session s;
        setUpSession(s, server);
        if (QTest::currentTestFailed())
            return;
        QStringList oldPrints;
        for (const QString &pub : server.hostKeyPubFiles())
            oldPrints.append(fingerprintOf(pub, u"sha256"_s));
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"pull"_s, u"--source"_s, server.url(w.srcRel()), u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(addRelay(s, u"relay"_s, server.url(w.srcRel()), server.url(w.targetRel()),
                                 {u"--source-credential"_s, u"key"_s, u"--target-credential"_s, u"key"_s}), 0);
        const QString pushTarget = GitRepoBuilder::initBare(server.repoRoot() + u'/' + w.dir + u"/push-target.git"_s);
        CLI_EXPECT_EXIT(addMirror(s, u"push"_s, u"push"_s, w.work, server.url(w.dir + u"/push-target.git"_s), {u"--target-credential"_s, u"key"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
        GIT_OK(QCOMPARE(refsOf(pushTarget), refsOf(w.work)));
        const QString targetBefore = refsOf(w.target);
        const QString pushBefore = refsOf(pushTarget);
        GIT_OK({
            w.commitOn(u"main"_s, u"a.txt"_s, u"after the key change"_s);
            w.publish();
        });

        QVERIFY2(server.restartWithNewHostKeys(), qPrintable(server.errorString()));
        QStringList newPrints;
        for (const QString &pub : server.hostKeyPubFiles())
            newPrints.append(fingerprintOf(pub, u"sha256"_s));
        for (const QString &print : newPrints)
            QVERIFY(!oldPrints.contains(print));
        const qsizetype logStart = server.logSize();

        const QList<QStringList> runs = {
            {u"check"_s, u"pull"_s}, {u"update"_s, u"pull"_s}, {u"check"_s, u"relay"_s},
            {u"update"_s, u"relay"_s}, {u"check"_s, u"push"_s}, {u"update"_s, u"push"_s},
        };
        for (const QStringList &run : runs) {
            const CliResult text = s.run(run);
            CLI_EXPECT_EXIT(text, 1);
            // update reports a failure on stderr, check prints its table on stdout.
            const QString said = text.stdoutText() + text.stderrText();
            QVERIFY2(said.contains(u"host key changed for %1"_s.arg(server.hostPort())), qPrintable(text.describe()));
            // The offered key (one of the new ones) and every pinned key, by fingerprint.
            QVERIFY2(std::any_of(newPrints.cbegin(), newPrints.cend(), [&](const QString &p) { return said.contains(p); }),
                     qPrintable(text.describe()));
            for (const QString &print : oldPrints)
                QVERIFY2(said.contains(print), qPrintable(print + u"\n"_s + text.describe()));
            const CliResult json = s.run(run + QStringList{u"--json"_s});
            CLI_EXPECT_EXIT(json, 1);
            const QJsonObject mirror = firstMirror(json);
            QVERIFY2(mirror.value(u"error_category"_s).toString() == u"host_key"_s, qPrintable(pretty(mirror)));
            QVERIFY2(mirror.value(u"last_error"_s).toString().contains(u"host key changed"_s), qPrintable(pretty(mirror)));
        }
        // Refused before authentication: sshd saw key exchanges, never a login attempt.
        const QString log = server.logSince(logStart);
        QVERIFY2(log.contains(u"Connection from 127.0.0.1"_s), qPrintable(log));
        QVERIFY2(authenticationLines(log).isEmpty(), qPrintable(authenticationLines(log).join(u'\n')));
        // Nothing moved.
        GIT_OK(QCOMPARE(refsOf(w.target), targetBefore));
        GIT_OK(QCOMPARE(refsOf(pushTarget), pushBefore));

        // Pinning the new keys (the admin's decision) lets everything through again.
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, server.hostPort(), u"-"_s}, keyscan(server.port())), 0);
        CLI_EXPECT_EXIT(s.run({u"update"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(w.target), refsOf(w.src)));
    }

    // Nothing pinned for the host: refused with its fingerprints (what an admin compares before
    // pinning), category host_key, exit 1, no authentication attempt.
    void unknownHostIsRefusedWithItsFingerprints()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, m_ssh.clientKeyPath()}), 0);
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        // Keys of another port of the same host do not count.
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, u"127.0.0.1:1"_s, u"-"_s}, keyscan(m_ssh.port())), 2);
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, u"127.0.0.1:1"_s, m_ssh.hostKeyLines().first()}), 0);
        QStringList sha, md5;
        for (const QString &pub : m_ssh.hostKeyPubFiles()) {
            sha.append(fingerprintOf(pub, u"sha256"_s));
            md5.append(fingerprintOf(pub, u"md5"_s));
        }
        const qsizetype logStart = m_ssh.logSize();
        for (const QStringList &run : {QStringList{u"check"_s, u"p"_s}, QStringList{u"update"_s, u"p"_s}}) {
            const CliResult r = s.run(run);
            CLI_EXPECT_EXIT(r, 1);
            const QString said = r.stdoutText() + r.stderrText();
            QVERIFY2(said.contains(u"unknown SSH host %1"_s.arg(m_ssh.hostPort())), qPrintable(r.describe()));
            QVERIFY2(said.contains(u"mirrordesk hostkeys detect %1 lists them"_s.arg(m_ssh.hostPort())), qPrintable(r.describe()));
            bool named = false;
            for (int i = 0; i < sha.size(); ++i)
                named = named || (said.contains(sha.at(i)) && said.contains(md5.at(i)));
            QVERIFY2(named, qPrintable(r.describe()));
            const CliResult json = s.run(run + QStringList{u"--json"_s});
            CLI_EXPECT_EXIT(json, 1);
            QCOMPARE(firstMirror(json).value(u"error_category"_s).toString(), u"host_key"_s);
        }
        // Wait for nothing: each run above ended before the server could log a login attempt.
        QVERIFY2(authenticationLines(m_ssh.logSince(logStart)).isEmpty(), qPrintable(m_ssh.logSince(logStart)));
        QCOMPARE(refOf(cachePathOf(s, u"p"_s), u"refs/heads/main"_s), QString()); // nothing fetched
    }

    // DESIGN section 5: libgit2 1.5.1 reads $HOME/.ssh/known_hosts itself and asks only for the key
    // type stored there for the host. With no known_hosts, libssh2 1.10 asks for its own first
    // choice, ecdsa-sha2-nistp256, before ssh-ed25519; with an ed25519 line in known_hosts, the
    // server's ed25519 key is what the certificate callback sees. So a host pinned with only one
    // of its keys fails as soon as the other type is negotiated: pin every key it offers.
    void knownHostsInHomeDecidesTheNegotiatedKeyType()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        const QStringList lines = m_ssh.hostKeyLines(); // ed25519, ecdsa
        QVERIFY(lines.at(0).startsWith(u"ssh-ed25519 "_s) && lines.at(1).startsWith(u"ecdsa-sha2-nistp256 "_s));
        Session s;
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, m_ssh.clientKeyPath()}), 0);
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        const QString edPrint = fingerprintOf(m_ssh.hostKeyPubFiles().at(0), u"sha256"_s);
        const QString ecPrint = fingerprintOf(m_ssh.hostKeyPubFiles().at(1), u"sha256"_s);

        // Only the ed25519 key pinned, no known_hosts: libssh2 negotiates ecdsa, refused.
        CLI_EXPECT_EXIT(s.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), lines.at(0)}), 0);
        const CliResult ecdsaFirst = s.run({u"check"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(ecdsaFirst, 1);
        QVERIFY2(firstMirror(ecdsaFirst).value(u"last_error"_s).toString().contains(u"offered ecdsa-sha2-nistp256 "_s + ecPrint),
                 qPrintable(pretty(firstMirror(ecdsaFirst))));
        // Said as what it is (a type nobody pinned), not as a changed key.
        const QString said = firstMirror(ecdsaFirst).value(u"last_error"_s).toString();
        QVERIFY2(said.contains(u"no ecdsa-sha2-nistp256 key is pinned for %1"_s.arg(m_ssh.hostPort())) && !said.contains(u"changed"_s),
                 qPrintable(said));
        // The same pin with an ed25519 line for the host in $HOME/.ssh/known_hosts: ed25519 is
        // negotiated, accepted.
        QVERIFY(CliEnv::writeFile(s.env.home() + u"/.ssh/known_hosts"_s,
                                  (u"[127.0.0.1]:%1 "_s.arg(m_ssh.port()) + lines.at(0).section(u' ', 0, 1) + u'\n').toUtf8()));
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"p"_s}), 3); // reached: behind (nothing fetched yet)
        // Only the ecdsa key pinned with that known_hosts: refused, the ed25519 key was offered.
        CLI_EXPECT_EXIT(s.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), lines.at(1)}), 0);
        const CliResult edOffered = s.run({u"check"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(edOffered, 1);
        QVERIFY2(firstMirror(edOffered).value(u"last_error"_s).toString().contains(u"offered ssh-ed25519 "_s + edPrint),
                 qPrintable(pretty(firstMirror(edOffered))));
        // Every key pinned: whatever is negotiated is accepted, with or without known_hosts.
        CLI_EXPECT_EXIT(s.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), lines.at(0), lines.at(1)}), 0);
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"p"_s}), 3);
        QVERIFY(QFile::remove(s.env.home() + u"/.ssh/known_hosts"_s));
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"p"_s}), 0);
        // An empty HOME is filled in from the user database (DESIGN: without HOME, libgit2 fails
        // every SSH connection).
        s.vars.insert(u"HOME"_s, QString());
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"p"_s}), 0);
    }

    // A wrong key: authentication fails (category auth, exit 1), the key never shows.
    void wrongKeyFailsAsAuth()
    {
        World w = newWorld();
        GIT_OK(w.classic());
        Session s;
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, m_ssh.hostPort(), u"-"_s}, keyscan(m_ssh.port())), 0);
        const QString other = s.env.path(u"other_ed25519"_s);
        QProcess keygen;
        keygen.start(QStandardPaths::findExecutable(u"ssh-keygen"_s), {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, other});
        QVERIFY(keygen.waitForFinished(30000) && keygen.exitCode() == 0);
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, other}), 0);
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, m_ssh.url(w.srcRel()), u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        const CliResult r = s.run({u"update"_s, u"p"_s, u"--json"_s});
        CLI_EXPECT_EXIT(r, 1);
        QCOMPARE(firstMirror(r).value(u"error_category"_s).toString(), u"auth"_s);
        const QByteArray body = CliEnv::readFile(other).value_or(QByteArray()).split('\n').value(2);
        QVERIFY(!body.isEmpty());
        QVERIFY2(!r.out.contains(body) && !r.err.contains(body), qPrintable(r.describe()));
    }

    // A server that accepts the TCP connection and never sends its SSH banner: `check --timeout 3`
    // ends after about 3 s with category timeout (the watchdog shuts the socket libssh2 blocks in).
    void silentSshServerTimesOut()
    {
        SilentServer silent;
        QVERIFY2(silent.start(), qPrintable(silent.errorString()));
        Session s;
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"p"_s, u"--source"_s, u"ssh://git@%1/srv/r.git"_s.arg(silent.address()), u"-q"_s}), 0);
        QElapsedTimer timer;
        timer.start();
        const CliResult r = s.run({u"check"_s, u"p"_s, u"--timeout"_s, u"3"_s, u"--json"_s}, 30000);
        const qint64 elapsed = timer.elapsed();
        CLI_EXPECT_EXIT(r, 1);
        QCOMPARE(firstMirror(r).value(u"error_category"_s).toString(), u"timeout"_s);
        QVERIFY2(elapsed >= 2500 && elapsed < 8000, qPrintable(u"took %1 ms\n"_s.arg(elapsed) + r.describe()));
        QVERIFY(silent.connectionCount() >= 1);
        // update ends by the settings' timeouts as well: the stall timeout, here 3 s.
        QJsonObject config = s.env.config();
        QJsonObject settings = config.value(u"settings"_s).toObject();
        settings.insert(u"stall_timeout"_s, 3);
        settings.insert(u"connect_timeout"_s, 3);
        config.insert(u"settings"_s, settings);
        QVERIFY(s.env.writeConfig(config));
        timer.restart();
        const CliResult update = s.run({u"update"_s, u"p"_s, u"--json"_s}, 30000);
        CLI_EXPECT_EXIT(update, 1);
        QCOMPARE(firstMirror(update).value(u"error_category"_s).toString(), u"timeout"_s);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(u"took %1 ms\n"_s.arg(timer.elapsed()) + update.describe()));
    }

    // SCP-style addresses are SSH to port 22 (git's reading): the pins of the test server's port
    // do not apply to them, and a port typed SCP-style is refused or warned about, not guessed.
    // A real transfer over an SCP-style address (`user@host:path`, always port 22, as git reads
    // it): an sshd of its own on 127.0.0.2:22. Skipped, saying why, where that port is taken
    // (a machine's own sshd listening on every address).
    void scpStyleAddressSyncs()
    {
        SshServer port22;
        if (!port22.startOn(u"127.0.0.2"_s, 22)) {
            if (port22.errorString().contains(u"in use"_s))
                QSKIP("127.0.0.2:22 is taken on this machine (its own sshd?): no SCP-style transfer here");
            QFAIL(qPrintable(port22.errorString()));
        }
        World w = newWorld();
        QPair<QString, QString> tips;
        GIT_OK(tips = w.classic());
        const QString bare = port22.repoRoot() + u"/scp.git"_s;
        GIT_OK(GitRepoBuilder::run({u"clone"_s, u"--bare"_s, u"-q"_s, w.src, bare}));
        Session s;
        CLI_EXPECT_EXIT(s.env.run({u"hostkeys"_s, u"pin"_s, u"127.0.0.2"_s, u"-"_s}, port22.knownHostsText().toUtf8()), 0);
        CLI_EXPECT_EXIT(s.run({u"credential"_s, u"add"_s, u"key"_s, u"--kind"_s, u"ssh_key"_s, u"--secret-file"_s, port22.clientKeyPath()}), 0);
        const QString scp = port22.user() + u"@127.0.0.2:"_s + bare;
        CLI_EXPECT_EXIT(s.run({u"add"_s, u"scp"_s, u"--source"_s, scp, u"--source-credential"_s, u"key"_s, u"-q"_s}), 0);
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"scp"_s}), 3);
        CLI_EXPECT_EXIT(s.run({u"update"_s, u"scp"_s}), 0);
        GIT_OK(QCOMPARE(refsOf(cachePathOf(s, u"scp"_s)), refsOf(bare)));
        CLI_EXPECT_EXIT(s.run({u"check"_s, u"scp"_s}), 0);
        // Shown as typed.
        QCOMPARE(s.run({u"list"_s, u"--json"_s}).json().value(u"mirrors"_s).toArray().at(0).toObject().value(u"source"_s).toObject()
                     .value(u"url"_s).toString(),
                 scp);
    }

    void scpAddressesMeanPort22()
    {
        Session s;
        const QString scp = m_ssh.user() + u"@127.0.0.1:"_s + m_ssh.repoRoot() + u"/x.git"_s;
        const CliResult added = s.run({u"add"_s, u"scp"_s, u"--source"_s, scp, u"-q"_s});
        CLI_EXPECT_EXIT(added, 0);
        const CliResult listed = s.run({u"list"_s, u"--json"_s});
        QCOMPARE(listed.json().value(u"mirrors"_s).toArray().at(0).toObject().value(u"source"_s).toObject().value(u"url"_s).toString(), scp);
        // "127.0.0.1:PORT/x.git" is port 22 with the path "PORT/x.git": accepted with a warning.
        const CliResult ambiguous = s.run({u"add"_s, u"amb"_s, u"--source"_s, u"127.0.0.1:%1/x.git"_s.arg(m_ssh.port())});
        CLI_EXPECT_EXIT(ambiguous, 0);
        CLI_EXPECT_STDERR(ambiguous, u"ssh://127.0.0.1:%1/x.git"_s.arg(m_ssh.port()));
    }
};

QTEST_GUILESS_MAIN(TestCliSsh)
#include "TestCliSsh.moc"
