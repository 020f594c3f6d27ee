#pragma once

// Helpers shared by the relay and push mirror tests (TestCliRelay.cpp, TestCliPush.cpp): a source
// and a target repository per test under one server folder, commits made straight on the
// target (a user pushing to the mirror behind MirrorDesk's back), and readers for the JSON
// documents of `update --json`, `check --json` and `attic list --json`.

#include "CliRunner.h"
#include "GitRepoBuilder.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <exception>

namespace relaytest {

using namespace Qt::StringLiterals;
using clitest::CliEnv;
using clitest::CliResult;
using md::fixtures::GitRepoBuilder;
using md::fixtures::GitResult;

// Runs a statement that may throw GitCommandError (a fixture's git call failed) inside a test
// slot: the exception becomes an ordinary failure with git's own words.
#define GIT_OK(statement)                                                                                    \
    do {                                                                                                     \
        try {                                                                                                \
            statement;                                                                                       \
        } catch (const std::exception &gitError_) {                                                         \
            QFAIL(gitError_.what());                                                                         \
        }                                                                                                    \
    } while (false)

// A CliEnv plus the environment variables every run gets (e.g. a credential's secret).
struct Session {
    CliEnv env;
    QMap<QString, QString> vars;

    CliResult run(const QStringList &arguments, int timeoutMs = 60000) const { return env.run(arguments, {}, vars, timeoutMs); }
};

// The one mirror object of an update/check/status --json document.
inline QJsonObject firstMirror(const CliResult &result)
{
    return result.json().value(u"mirrors"_s).toArray().first().toObject();
}

inline QString pretty(const QJsonValue &value)
{
    return value.isObject() ? QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented))
                            : QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
}

// The ref line of `ref` on one side ("cache" or "target"); an empty object when there is none.
inline QJsonObject refLine(const QJsonObject &mirror, const QString &ref, const QString &side = u"target"_s)
{
    for (const QJsonValue &value : mirror.value(u"refs"_s).toArray()) {
        const QJsonObject line = value.toObject();
        if (line.value(u"ref"_s).toString() == ref && line.value(u"side"_s).toString() == side)
            return line;
    }
    return {};
}

// Every ref line of one side.
inline QList<QJsonObject> sideLines(const QJsonObject &mirror, const QString &side)
{
    QList<QJsonObject> lines;
    for (const QJsonValue &value : mirror.value(u"refs"_s).toArray()) {
        if (value.toObject().value(u"side"_s).toString() == side)
            lines.append(value.toObject());
    }
    return lines;
}

// An attic entry's id (the contract calls it "id"; the attic commands of issue 8 print "entry").
inline QString entryId(const QJsonObject &entry)
{
    return entry.contains(u"id"_s) ? entry.value(u"id"_s).toString() : entry.value(u"entry"_s).toString();
}

inline QJsonArray atticEntries(const Session &s, const QString &mirror)
{
    return s.run({u"attic"_s, u"list"_s, mirror, u"--json"_s}).json().value(u"entries"_s).toArray();
}

// The attic entries of one side for one ref.
inline QList<QJsonObject> atticEntriesFor(const Session &s, const QString &mirror, const QString &ref, const QString &side = u"target"_s)
{
    QList<QJsonObject> found;
    for (const QJsonValue &value : atticEntries(s, mirror)) {
        const QJsonObject entry = value.toObject();
        if (entry.value(u"ref"_s).toString() == ref && entry.value(u"side"_s).toString() == side)
            found.append(entry);
    }
    return found;
}

inline QString refOf(const QString &repo, const QString &ref)
{
    return GitRepoBuilder::refOrEmpty(repo, ref);
}

// "refname oid" lines of refs/heads and refs/tags (throws on a git failure).
inline QString refsOf(const QString &repo)
{
    return GitRepoBuilder::forEachRef(repo);
}

// One test's repositories under the server folder: `<dir>/src.git` (bare, the source),
// `<dir>/target.git` (bare, empty: `git init --bare`), `<dir>/work` (a work tree that pushes
// to the source by path) and a counter for scratch clones.
struct World {
    QString root;      // the server folder (git daemon base path, HTTP project root)
    QString dir;       // relative to root
    QString src;       // absolute
    QString target;    // absolute
    QString work;      // absolute
    int scratch = 0;

    QString srcRel() const { return dir + u"/src.git"_s; }
    QString targetRel() const { return dir + u"/target.git"_s; }

    // Throws GitCommandError when git fails.
    static World make(const QString &root, const QString &dir)
    {
        World w;
        w.root = root;
        w.dir = dir;
        w.src = GitRepoBuilder::initBare(root + u'/' + dir + u"/src.git"_s);
        w.target = GitRepoBuilder::initBare(root + u'/' + dir + u"/target.git"_s);
        w.work = GitRepoBuilder::initWork(root + u'/' + dir + u"/work"_s);
        return w;
    }

    // Commits on `branch` of the work tree (created from the current HEAD when new).
    QString commitOn(const QString &branch, const QString &file, const QString &content) const
    {
        const GitResult exists = GitRepoBuilder::tryRun({u"rev-parse"_s, u"--verify"_s, u"-q"_s, u"refs/heads/"_s + branch}, work);
        const bool unborn = !GitRepoBuilder::tryRun({u"rev-parse"_s, u"--verify"_s, u"-q"_s, u"HEAD"_s}, work).ok();
        if (exists.ok())
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, branch}, work);
        else if (!unborn)
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"-b"_s, branch}, work);
        else
            GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"--orphan"_s, branch}, work);
        return GitRepoBuilder::commit(work, file, content, branch + u": "_s + content);
    }

    // Pushes every branch and tag of the work tree to the source (forced: the source is whatever
    // the work tree says), and deletes nothing.
    void publish() const
    {
        GitRepoBuilder::push(work, src, {u"+refs/heads/*:refs/heads/*"_s, u"+refs/tags/*:refs/tags/*"_s});
    }

    // The classic source: main (two commits) and develop (one more, off main), published.
    // Returns {main, develop}.
    QPair<QString, QString> classic() const
    {
        commitOn(u"main"_s, u"a.txt"_s, u"one"_s);
        const QString main = commitOn(u"main"_s, u"a.txt"_s, u"two"_s);
        const QString develop = commitOn(u"develop"_s, u"d.txt"_s, u"develop work"_s);
        GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"main"_s}, work);
        publish();
        return {main, develop};
    }

    // A commit made straight on the target on top of its `branch` (a user pushing to the mirror
    // behind MirrorDesk's back); the branch is created from `from` (a rev of the target) when
    // given. Pushed by path, so the target's hooks run. Returns the new commit.
    QString commitOnTarget(const QString &branch, const QString &content, const QString &from = {})
    {
        const QString scratchDir = GitRepoBuilder::initWork(root + u'/' + dir + u"/scratch%1"_s.arg(++scratch));
        const QString base = from.isEmpty() ? u"refs/heads/"_s + branch : from;
        GitRepoBuilder::run({u"fetch"_s, u"-q"_s, target, base}, scratchDir);
        GitRepoBuilder::run({u"checkout"_s, u"-q"_s, u"-B"_s, branch, u"FETCH_HEAD"_s}, scratchDir);
        const QString oid = GitRepoBuilder::commit(scratchDir, u"on-target.txt"_s, content, u"on the target: "_s + content);
        GitRepoBuilder::push(scratchDir, target, {u"+refs/heads/"_s + branch + u":refs/heads/"_s + branch});
        return oid;
    }
};

// A fresh World per test under one server folder, numbered w1, w2, … (a test that cannot build
// its repositories warns and gets an empty World, which its first git step then fails on).
class WorldFactory {
public:
    explicit WorldFactory(const QString &root) : m_root(root) {}
    World next()
    {
        World w;
        try {
            w = World::make(m_root, QStringLiteral("w%1").arg(++m_count));
        } catch (const std::exception &e) {
            qWarning("%s", e.what());
        }
        return w;
    }

private:
    QString m_root;
    int m_count = 0;
};

// `add NAME --shape SHAPE --source S --target T -q` plus extra options.
inline CliResult addMirror(const Session &s, const QString &name, const QString &shape, const QString &source, const QString &target,
                           const QStringList &extra = {})
{
    return s.run(QStringList{u"add"_s, name, u"--shape"_s, shape, u"--source"_s, source, u"--target"_s, target, u"-q"_s} + extra);
}

inline CliResult addRelay(const Session &s, const QString &name, const QString &source, const QString &target, const QStringList &extra = {})
{
    return addMirror(s, name, u"relay"_s, source, target, extra);
}

// A snapshot of a folder tree: one line per entry (relative path, type, size, mode, mtime in
// ms, SHA-256 of a file's content or a link's target), sorted. Equal snapshots: nothing was
// written, created, removed or touched.
inline QStringList snapshotTree(const QString &root)
{
    QStringList lines;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    const QDir base(root);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        QString kind = info.isSymLink() ? u"link"_s : info.isDir() ? u"dir"_s : info.isFile() ? u"file"_s : u"other"_s;
        QByteArray digest;
        if (info.isSymLink()) {
            digest = info.symLinkTarget().toUtf8();
        } else if (info.isFile()) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly)) {
                QCryptographicHash hash(QCryptographicHash::Sha256);
                hash.addData(&file);
                digest = hash.result().toHex();
            } else {
                digest = "unreadable";
            }
        }
        lines.append(u"%1 %2 size=%3 mode=%4 mtime=%5 %6"_s.arg(base.relativeFilePath(path), kind)
                         .arg(info.isDir() ? 0 : info.size())
                         .arg(static_cast<int>(info.permissions()), 0, 16)
                         .arg(info.lastModified().toMSecsSinceEpoch())
                         .arg(QString::fromLatin1(digest)));
    }
    lines.sort();
    return lines;
}

// What differs between two snapshots, for a failure message.
inline QString snapshotDiff(const QStringList &before, const QStringList &after)
{
    QStringList out;
    for (const QString &line : before) {
        if (!after.contains(line))
            out.append(u"- "_s + line);
    }
    for (const QString &line : after) {
        if (!before.contains(line))
            out.append(u"+ "_s + line);
    }
    return out.join(u'\n');
}

// Points the settings' ca_file at a test CA (HTTPS targets).
inline bool setCaFile(const CliEnv &env, const QString &caFile)
{
    QJsonObject config = env.config();
    QJsonObject settings = config.value(u"settings"_s).toObject();
    settings.insert(u"ca_file"_s, caFile);
    config.insert(u"settings"_s, settings);
    return env.writeConfig(config);
}

} // namespace relaytest
