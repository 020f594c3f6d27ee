#include "git/GitCliPush.h"

#include "platform/Platform.h"
#include "util/Log.h"
#include "util/Scrub.h"

#include <QDateTime>
#include <QDir>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace md::git {

namespace {

QMutex &caMutex()
{
    static QMutex mutex;
    return mutex;
}

QString &caFile()
{
    static QString path;
    return path;
}

QString gitProgram()
{
    static const QString program = QStandardPaths::findExecutable(QStringLiteral("git"));
    return program;
}

bool isGitCliScheme(const QString &url)
{
    for (const char *scheme : {"git://", "http://", "https://", "file://"}) {
        if (url.startsWith(QLatin1String(scheme), Qt::CaseInsensitive))
            return true;
    }
    return QDir::isAbsolutePath(url) && !url.contains(QLatin1String("://"));
}

// The environment git runs in: no GIT_* variable of ours (this machine's sets GIT_SSL_CAINFO),
// no config but the command line's, no prompt, no askpass.
QProcessEnvironment gitEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(QLatin1String("GIT_")) || key == QLatin1String("SSH_ASKPASS"))
            env.remove(key);
    }
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    env.insert(QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0"));
    env.insert(QStringLiteral("GIT_ASKPASS"), QStringLiteral("/bin/false"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    return env;
}

ErrorCategory categoryOf(const QString &text)
{
    const QString t = text.toLower();
    if (t.contains(QLatin1String("authentication failed")) || t.contains(QLatin1String("could not read username"))
        || t.contains(QLatin1String("could not read password")) || t.contains(QLatin1String("401")) || t.contains(QLatin1String("403")))
        return ErrorCategory::Auth;
    if (t.contains(QLatin1String("ssl")) || t.contains(QLatin1String("certificate")))
        return ErrorCategory::Tls;
    if (t.contains(QLatin1String("not found")) || t.contains(QLatin1String("does not appear to be a git repository"))
        || t.contains(QLatin1String("404")))
        return ErrorCategory::NotFound;
    return ErrorCategory::Network;
}

struct GitRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs git with the run's limits: killed when cancelled, past the deadline or stalled (no output).
Result<GitRun> runGit(const QStringList &args, const QString &displayUrl, const StreamLimits &limits, platform::SecretPipe *secret,
                      const QByteArray &input = {})
{
    QProcess process;
    process.setProcessEnvironment(gitEnvironment());
    process.setProgram(gitProgram());
    process.setArguments(args);
    if (input.isEmpty())
        process.setStandardInputFile(QProcess::nullDevice());
    if (secret)
        secret->attach(process);
    else
        platform::prepareChild(process);
    process.start();
    if (!process.waitForStarted(30000))
        return Error{ErrorCategory::Io, QStringLiteral("cannot run git: %1").arg(process.errorString()), {}, 0, 0};
    if (secret)
        secret->close();
    if (!input.isEmpty()) {
        process.write(input);
        process.closeWriteChannel();
    }

    QByteArray out, err;
    qint64 lastProgress = QDateTime::currentMSecsSinceEpoch();
    QString stopped;
    constexpr qsizetype kMaxOutput = 16 * 1024 * 1024; // per-ref lines of a huge push; the rest is cut
    while (!process.waitForFinished(100)) {
        const QByteArray moreOut = process.readAllStandardOutput();
        const QByteArray moreErr = process.readAllStandardError();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!moreOut.isEmpty() || !moreErr.isEmpty())
            lastProgress = now;
        if (out.size() < kMaxOutput)
            out += moreOut;
        if (err.size() < kMaxOutput)
            err += moreErr;
        if (limits.cancel && limits.cancel->load())
            stopped = QStringLiteral("cancelled");
        else if (limits.deadlineMs > 0 && now >= limits.deadlineMs)
            stopped = QStringLiteral("the run's time limit passed");
        else if (limits.stallTimeoutMs > 0 && now - lastProgress > limits.stallTimeoutMs)
            stopped = QStringLiteral("no progress for %1 s").arg(limits.stallTimeoutMs / 1000);
        if (!stopped.isEmpty()) {
            process.kill();
            process.waitForFinished(5000);
            return Error{ErrorCategory::Timeout, QStringLiteral("%1 timed out: %2").arg(displayUrl, stopped), {}, 0, 0};
        }
    }
    out += process.readAllStandardOutput();
    err += process.readAllStandardError();
    if (process.exitStatus() != QProcess::NormalExit)
        return Error{ErrorCategory::Io, QStringLiteral("git crashed while talking to %1").arg(displayUrl), {}, 0, 0};
    return GitRun{process.exitCode(), out, err};
}


// The options every git run here gets: redirects refused, stalls bounded, only the transports
// MirrorDesk pushes and fetches over (no ext::, no fd::).
QStringList commonArgs(const StreamLimits &limits)
{
    QStringList args;
    {
        QMutexLocker lock(&caMutex());
        if (!caFile().isEmpty())
            args << QStringLiteral("-c") << QStringLiteral("http.sslCAInfo=%1").arg(caFile());
    }
    const int stallSeconds = std::max(1, limits.stallTimeoutMs / 1000);
    args << QStringLiteral("-c") << QStringLiteral("http.followRedirects=false")
         << QStringLiteral("-c") << QStringLiteral("http.lowSpeedLimit=1")
         << QStringLiteral("-c") << QStringLiteral("http.lowSpeedTime=%1").arg(stallSeconds)
         << QStringLiteral("-c") << QStringLiteral("protocol.allow=never")
         << QStringLiteral("-c") << QStringLiteral("protocol.git.allow=always")
         << QStringLiteral("-c") << QStringLiteral("protocol.http.allow=always")
         << QStringLiteral("-c") << QStringLiteral("protocol.https.allow=always")
         << QStringLiteral("-c") << QStringLiteral("protocol.file.allow=always");
    return args;
}

} // namespace

void setGitCliCaFile(const QString &path)
{
    QMutexLocker lock(&caMutex());
    caFile() = path;
}

bool canPushWithGit(const RemoteAccess &access)
{
    if (qEnvironmentVariable("MIRRORDESK_PUSH_TRANSPORT") == QLatin1String("libgit2"))
        return false;
    return platform::SecretPipe::isAvailable() && !gitProgram().isEmpty() && isGitCliScheme(access.url);
}

bool canFetchWithGit(const RemoteAccess &access)
{
    if (qEnvironmentVariable("MIRRORDESK_PUSH_TRANSPORT") == QLatin1String("libgit2"))
        return false;
    const bool local = access.url.startsWith(QLatin1String("file://")) || (QDir::isAbsolutePath(access.url) && !access.url.contains(QLatin1String("://")));
    return local && !gitProgram().isEmpty();
}

Result<Connection::PushReport> pushWithGit(const QString &gitDir, const RemoteAccess &access, const StreamLimits &limits,
                                           const QList<LeasedRefspec> &refspecs)
{
    QStringList args;
    platform::SecretPipe secret;
    args << QStringLiteral("-c") << QStringLiteral("credential.helper=");
    if (access.credential.present) {
        // The helper prints what the pipe holds, once, for a "get"; "store" and "erase" do nothing.
        // As the libgit2 callback answers: a token without a user name goes as x-access-token.
        const QByteArray user = access.credential.username.isEmpty() ? QByteArrayLiteral("x-access-token") : access.credential.username.toUtf8();
        if (user.contains('\n') || access.credential.secret.contains('\n') || access.credential.secret.contains('\0'))
            return Error{ErrorCategory::Auth, QStringLiteral("the credential for %1 holds a line break, which git's credential protocol "
                                                             "cannot carry").arg(access.displayUrl), {}, 0, 0};
        const QByteArray answer = "username=" + user + "\npassword=" + access.credential.secret + '\n';
        QString problem;
        if (!secret.fill(answer, &problem))
            return Error{ErrorCategory::Io, QStringLiteral("cannot hand the credential to git: %1").arg(problem), {}, 0, 0};
        args << QStringLiteral("-c") << QStringLiteral("credential.helper=!f() { test \"$1\" = get && cat <&3; }; f");
    }
    if (!access.proxy.isEmpty())
        args << QStringLiteral("-c") << QStringLiteral("http.proxy=%1").arg(access.proxy);
    args << commonArgs(limits)
         << QStringLiteral("--git-dir=%1").arg(gitDir) << QStringLiteral("push") << QStringLiteral("--porcelain")
         << QStringLiteral("--no-verify") << QStringLiteral("--progress");
    QStringList specs;
    for (const LeasedRefspec &spec : refspecs) {
        args << QStringLiteral("--force-with-lease=%1:%2").arg(spec.ref, spec.expectedOld);
        specs << (spec.source.isEmpty() ? QStringLiteral(":%1").arg(spec.ref) : QStringLiteral("%1:%2").arg(spec.source, spec.ref));
    }
    args << QStringLiteral("--") << access.url << specs;

    auto ran = runGit(args, access.displayUrl, limits, &secret);
    if (!ran)
        return ran.error();
    return parseGitPush(ran->out, ran->err, access.displayUrl);
}

Result<QString> fetchWithGit(const QString &gitDir, const QString &source, const QString &displayUrl, const StreamLimits &limits,
                             const QStringList &refs)
{
    QStringList args = commonArgs(limits);
    args << QStringLiteral("--git-dir=%1").arg(gitDir) << QStringLiteral("fetch") << QStringLiteral("--no-write-fetch-head")
         << QStringLiteral("--no-tags") << QStringLiteral("--no-auto-gc") << QStringLiteral("--no-recurse-submodules")
         << QStringLiteral("--progress") << QStringLiteral("--stdin") << QStringLiteral("--") << source;
    // The refs on stdin: a repository's thousands of names would not fit a command line.
    auto ran = runGit(args, displayUrl, limits, nullptr, refs.join(QLatin1Char('\n')).toUtf8() + '\n');
    if (!ran)
        return ran.error();
    if (ran->exitCode != 0) {
        const QString said = printable(scrubText(QString::fromUtf8(ran->err).trimmed()), 2000);
        return Error{categoryOf(said), QStringLiteral("cannot fetch from %1: %2").arg(displayUrl, said), {}, 0, 0};
    }
    return QString();
}

Result<Connection::PushReport> parseGitPush(const QByteArray &out, const QByteArray &err, const QString &displayUrl)
{
    Connection::PushReport report;
    // --porcelain: "<flag>\t<from>:<to>\t<summary> (<reason>)"; flag "!" is a refusal.
    for (const QByteArray &raw : out.split('\n')) {
        const QList<QByteArray> fields = raw.split('\t');
        if (fields.size() < 3 || fields.at(0).size() != 1)
            continue;
        const QString spec = QString::fromUtf8(fields.at(1));
        const QString ref = spec.mid(spec.lastIndexOf(QLatin1Char(':')) + 1);
        QString message;
        if (fields.at(0) == "!") {
            message = printable(QString::fromUtf8(fields.at(2)).trimmed(), 500);
            // "[rejected] (stale info)": the lease — the ref moved since it was planned.
            if (message.contains(QLatin1String("stale info")))
                message = QStringLiteral("moved on the target since it was planned (stale info); not overwritten");
            else if (message.startsWith(QLatin1String("[remote rejected] ")))
                message = message.mid(18).remove(QLatin1Char('(')).remove(QLatin1Char(')'));
        }
        report.refs.append(RemoteCallbacks::PushStatus{ref, message});
    }
    QStringList host, other;
    for (QString line : QString::fromUtf8(err).split(QRegularExpression(QStringLiteral("[\\r\\n]+")), Qt::SkipEmptyParts)) {
        line = printable(scrubText(line.trimmed()), 500);
        if (line.startsWith(QLatin1String("remote: "))) {
            const QString said = line.mid(8).trimmed();
            // git's own progress lines from the far side are not the host's words
            if (!said.isEmpty() && !said.startsWith(QLatin1String("Resolving deltas")) && !said.startsWith(QLatin1String("Counting objects"))
                && !host.contains(said))
                host.append(said);
        } else if (!line.startsWith(QLatin1String("Enumerating")) && !line.startsWith(QLatin1String("Counting")) && !line.startsWith(QLatin1String("Delta"))
                   && !line.startsWith(QLatin1String("Compressing")) && !line.startsWith(QLatin1String("Writing")) && !line.startsWith(QLatin1String("Total"))
                   && !line.startsWith(QLatin1String("To ")) && !other.contains(line)) {
            other.append(line);
        }
    }
    report.hostText = host.join(QLatin1Char('\n'));
    if (report.refs.isEmpty()) {
        const QString said = (other + host).join(QStringLiteral("; "));
        return Error{categoryOf(said), QStringLiteral("cannot push to %1: %2").arg(displayUrl, said.isEmpty() ? QStringLiteral("git reported no ref") : said.left(2000)),
                     {}, 0, 0};
    }
    return report;
}

} // namespace md::git
