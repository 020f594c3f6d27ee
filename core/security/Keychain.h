#pragma once

#include "util/Result.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <functional>

namespace md {

// Credential secrets in the OS keychain (DESIGN section 5) through QtKeychain: the Secret Service
// (gnome-keyring, KWallet) on Linux, never the insecure fallback. Every call starts asynchronous
// jobs and returns at once; `done` runs later on `context`'s thread (the thread with the event
// loop: the CLI's main thread, the window's UI thread), never re-entrantly and never on a pool
// thread. There is no nested event loop anywhere.
//
// An entry's service is "mirrordesk" and its key "mirrordesk/<credential>". Errors have category
// keychain and a detail {"keychain": "no_entry" | "locked" | "denied" | "unavailable" | "timeout"}:
// "no entry" (the keychain answered, it holds no secret for the credential) is told apart from
// "unavailable" (no keychain answers here), whose message names the env:/file: alternatives.
// A keychain that does not answer within timeoutMs() (a locked collection waiting for a prompt
// nobody can see) fails with "timeout". Messages never contain a secret.
namespace keychain {

QString serviceName();                    // "mirrordesk"
QString keyOf(const QString &credential); // "mirrordesk/<credential>"
// How long a job may take (MIRRORDESK_KEYCHAIN_TIMEOUT_MS, default 15 s).
int timeoutMs();

// The kind of a keychain error from its detail ("no_entry", "unavailable", …; empty otherwise).
QString errorKind(const Error &error);
// The short reason of a keychain error without advice ("the keychain is locked (…)"), else its message.
QString errorSummary(const Error &error);
bool isNoEntry(const Error &error);

using ReadDone = std::function<void(QHash<QString, Result<QByteArray>>)>;
using Done = std::function<void(Status)>;

// Reads the secrets of `credentials` (one job each, all at once); `done` gets one result per name.
void read(const QStringList &credentials, QObject *context, ReadDone done);
// Stores (creates or replaces) a credential's secret.
void write(const QString &credential, const QByteArray &secret, QObject *context, Done done);
// Deletes a credential's secret; an entry that does not exist is not an error.
void remove(const QString &credential, QObject *context, Done done);

} // namespace keychain

} // namespace md
