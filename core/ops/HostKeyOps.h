#pragma once

#include "mirror/MirrorStore.h"
#include "mirror/StatusRecord.h"
#include "security/HostKey.h"
#include "security/HostKeyDetect.h"

#include <atomic>

namespace md {

// SSH host keys pinned per host:port (DESIGN sections 3 and 5), for every front end.
class HostKeyOps {
public:
    explicit HostKeyOps(QString configPath);

    // Pins `lines` (OpenSSH public-key lines, strictly parsed, duplicates dropped) for `host`
    // (host, host:port or [host]:port), replacing what was pinned for it. Returns the host as
    // stored and the pinned keys.
    struct Pinned {
        QString hostPort;
        QList<HostKey> keys;
    };
    Result<Pinned> pin(const QString &host, const QStringList &lines);
    // Like pin, but adds `lines` to the keys already pinned for `host` (a key pinned already is
    // not added twice): accepting a detected or offered key one at a time. `keys` in the result
    // are every key now pinned for the host; `added` counts the new ones.
    struct Added {
        QString hostPort;
        QList<HostKey> keys;
        int added = 0;
    };
    Result<Added> add(const QString &host, const QStringList &lines);

    // The keys a server offers (security/HostKeyDetect.h, detectHostKeys), within the whole
    // detect's time limit. Blocking: call it off a UI thread. Nothing is pinned.
    static constexpr int kDetectTimeoutMs = 20000;
    static Result<DetectReport> detect(const QString &location, const std::atomic<bool> *cancel = nullptr);
    // The host:port a location names (an ssh:// URL, user@host:path, host[:port], [host]:port),
    // as keys are pinned under it (security/HostKeyDetect.h, detectHostPort).
    static Result<QString> hostPortOf(const QString &location);

    struct HostEntry {
        QString hostPort;
        QList<HostKey> keys;
    };
    // Every pinned host, or only `host` (an error when nothing is pinned for it).
    Result<QList<HostEntry>> list(const std::optional<QString> &host = std::nullopt) const;

    // Unpins every key of `host`, or only the one whose fingerprint is `fingerprint` ("SHA256:…"
    // as ssh-keygen -l prints it, "MD5:aa:bb:…" or the bare MD5 hex). A host left without keys
    // is removed. Errors, with nothing changed: usage (a bad host or a fingerprint of neither
    // form), not_found (nothing pinned for the host, or no pinned key with that fingerprint).
    struct Removed {
        QString hostPort;
        QList<HostKey> keys;  // the keys unpinned
        bool hostGone = false; // no key is pinned for the host any more
        QStringList usedBy;    // mirrors with a side on that host:port (refused until pinned again)
    };
    Result<Removed> remove(const QString &host, const std::optional<QString> &fingerprint = std::nullopt);

    // Pins every plain host entry of a known_hosts file (security/KnownHosts.h, parseKnownHosts)
    // for its host:port, added to the keys already pinned there (a key pinned already is not
    // added twice). Good lines are imported even when others are malformed; those are listed in
    // `problems` ("line N: …") and the caller reports them (the command line exits 1). The file is
    // read as a regular file only (a FIFO, a device or a folder is refused, never waited on;
    // a link to a regular file is followed), at most 16 MB. The config is written once,
    // atomically, and only when a key was added.
    struct Imported {
        QString hostPort;
        QList<HostKey> added;
        int alreadyPinned = 0;
    };
    struct ImportReport {
        QString source;          // the file read (or "standard input")
        QList<Imported> hosts;   // per host:port, in file order
        int hashedLines = 0;     // hashed host fields: no host to pin
        QStringList notes;       // skipped on purpose, "line N: …", and a summary of hashed lines
        QStringList problems;    // malformed lines, "line N: …"
        int addedKeys() const;
    };
    Result<ImportReport> importKnownHosts(const QString &file);
    Result<ImportReport> importKnownHostsText(const QString &text, const QString &source);
    // $HOME/.ssh/known_hosts (empty when HOME is not set).
    static QString defaultKnownHostsFile();

    // A connection refused for its host key (security/HostKeyCheck.h), read from the error's
    // structured detail (Error::detail, kept in the status and check records as errorDetail),
    // never from its message: the host, whether it was unknown or its key changed, the key it
    // offered (ready to pin) and the keys pinned for it.
    struct Refusal {
        QString hostPort;
        bool changed = false; // "changed": keys are pinned for the host, none is the offered one
        // "type_not_pinned": keys are pinned, none of the offered key's type (not proof of a change)
        bool typeNotPinned = false;
        HostKey offered;
        QList<HostKey> pinned;
    };
    static std::optional<Refusal> refusalOf(ErrorCategory category, const QJsonObject &detail);
    // The newest refusal in a mirror's status: its last check or its last update, whichever
    // happened last, when that one was refused for its host key.
    static std::optional<Refusal> refusalOf(const StatusRecord &status);

private:
    MirrorStore m_store;
};

} // namespace md
