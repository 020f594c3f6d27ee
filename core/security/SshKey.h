#pragma once

// SSH user keys (DESIGN section 5): an ed25519 key pair made with OpenSSL 3 and written as
// OpenSSH writes it, and a strict reader for the private key a user pastes (hostile input: every
// length is bounded, nothing is read past the end, no message quotes the key). Pure functions:
// no files, no keychain, no network.

#include "util/Result.h"

#include <QByteArray>
#include <QString>

namespace md {

// A new key pair. `privateKeyText` is the secret: an unencrypted "openssh-key-v1" key, PEM-armoured
// ("-----BEGIN OPENSSH PRIVATE KEY-----", base64 in lines of 70), byte for byte the layout
// `ssh-keygen -t ed25519 -N ''` writes. `publicLine` is "ssh-ed25519 AAAA… comment" (a deploy key).
struct GeneratedKey {
    QByteArray privateKeyText;
    QString publicLine;
    QString sha256Fingerprint; // "SHA256:<base64 without padding>", as `ssh-keygen -l` prints it
};

// `comment` goes into both halves (OpenSSH's -C); it may be empty, must be one line.
Result<GeneratedKey> generateEd25519(const QString &comment);

// What a pasted private key is, read without its secret. Only ed25519 and ECDSA keys in the
// OpenSSH format are accepted (anything else is an error naming the format and what to do).
struct PrivateKeyInfo {
    QString type;              // "ssh-ed25519", "ecdsa-sha2-nistp256", "…-nistp384", "…-nistp521"
    bool encrypted = false;    // cipher other than "none" (kdf "bcrypt"): libssh2 needs the passphrase
    QString cipher;            // "none", "aes256-ctr" (ssh-keygen's default), …
    QString publicLine;        // "TYPE BASE64[ COMMENT]"; an encrypted key's comment is secret: none
    QString comment;           // empty for an encrypted key
    QString sha256Fingerprint; // of the public key blob
};

// Reads OpenSSH's "openssh-key-v1" format. Checks, without a passphrase: the armour, the magic,
// every length, one key, the cipher/kdf pair, a cipher libssh2 1.10 can decrypt; for an unencrypted
// key also the two check ints, the private half's public key against the header's (ed25519: the
// public key derived from the seed too), the comment and the padding (else "corrupt key").
// Refused, with a message saying which: empty input, a public key or certificate, PEM/PKCS#8,
// PuTTY and ssh.com keys (with the conversion command), RSA and DSA keys (libssh2 1.10 signs
// only with SHA-1), FIDO "sk-" keys (need a hardware token), more than one key, truncated or
// garbled text, text over 64 KiB. Errors are ErrorCategory::Config.
Result<PrivateKeyInfo> inspectPrivateKey(const QByteArray &text);

// The same key re-armoured as OpenSSH writes it (LF line ends, 70 columns, a final newline): what
// to store, and the only layout libssh2's reader is sure to take (it wants the armour lines alone
// on their lines). Refuses what inspectPrivateKey refuses.
Result<QByteArray> canonicalPrivateKeyText(const QByteArray &text);

inline bool isPassphraseNeeded(const PrivateKeyInfo &info)
{
    return info.encrypted;
}

// Whether libssh2 (the library that will use the key at connect time, through
// git_credential_ssh_key_memory_new) can load this key with this passphrase: it runs libssh2's
// own loader — bcrypt_pbkdf, the decryption, the check ints, the public key derived from the
// private half — offline, in a session that has no socket (see SshKey.cpp for how, and why that
// is safe with libssh2 1.10). Ok for an unencrypted key whatever the passphrase. Errors: what
// inspectPrivateKey refuses (Config); a wrong or missing passphrase (Auth); a passphrase holding
// a NUL byte (Usage: libssh2 takes a C string); a libssh2 this check does not know (Config: "cannot
// check the passphrase offline", never a guess).
Status checkPassphrase(const QByteArray &privateKeyText, const QByteArray &passphrase);

// Frees OpenSSL's state of the calling thread (its error queue and random generators) now, as its
// thread-exit handler would. Called at the end of each job a pool thread runs: Qt's pool threads
// are detached and may still be exiting when the process's atexit OPENSSL_cleanup() runs, which
// then leaks that state (LeakSanitizer saw it in CI). OpenSSL sets it up again on next use.
void releaseThreadCryptoState();

} // namespace md
