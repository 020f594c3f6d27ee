#pragma once

// Helpers of TestV2Lister: the repository it lists, accesses as the engine builds them, runs on
// a worker thread, v0 byte counts, and scripted protocol answers.

#include "git/Connection.h"

#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

namespace md::v2test {

constexpr int kBranches = 120; // besides main
constexpr int kTags = 40;      // annotated, and as many lightweight
constexpr int kPulls = 2500;   // refs/pull/N/head and refs/pull/N/merge

// A bare repository shaped like a GitHub one: main (HEAD), kBranches branches, kTags annotated
// and kTags lightweight tags, 2 × kPulls refs/pull/*, refs/remotes/x/main. Returns main's oid.
// Throws GitCommandError when git fails.
QString buildGitHubShapedRepository(const QString &bare, const QString &work);

// The access the engine would build for `url` (mirror/Checker.h's resolveAccess), with a
// password credential when `user` is given.
git::RemoteAccess accessFor(const QString &url, const QString &user = {}, const QByteArray &secret = {});
// Generous limits with a deadline a minute away.
git::StreamLimits limits();

struct Outcome {
    Result<git::RemoteListing> result;
    qint64 bytes = 0; // lastV2BytesReceived()
    qint64 ms = 0;
};
// listRefsV2 on a worker thread, as the engine's pool runs it.
Outcome onWorker(const git::RemoteAccess &access, const git::StreamLimits &limits, const QStringList &prefixes);

// The error's message, or empty for a success (QVERIFY2 evaluates its message either way).
template <typename T>
QString messageOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

using Tip = QPair<QString, QString>; // oid, peeled
// name -> tip, only under `prefixes` when given.
QMap<QString, Tip> tips(const QList<RefTip> &refs, const QStringList &prefixes = {});

// Bytes of a protocol-v0 ref advertisement, read with a plain socket to its flush (git://) or to
// the end of the response (HTTP, headers included).
qint64 v0BytesGit(quint16 port, const QByteArray &path);
qint64 v0BytesHttp(quint16 port, const QByteArray &path);

// Scripted answers.
QByteArray v2Advertisement(bool http);
QByteArray v0Advertisement(bool http);
QByteArray listingOf(const QList<QByteArray> &lines); // pkt-lines and a flush
QByteArray mainLine();                                  // "<oid> refs/heads/main"
QByteArray pullLine();                                  // "<oid> refs/pull/1/head"

// Columns advertisement, listing, category, words (in the message), invalidName.
void malformedListingRows();

} // namespace md::v2test
