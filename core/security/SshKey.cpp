#include "security/SshKey.h"

#include "security/HostKey.h"

#include <QByteArrayView>
#include <QList>

#include <libssh2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace md {

namespace {

// The format, as OpenSSH's sshkey.c writes it (PROTOCOL.key).
constexpr QByteArrayView kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr QByteArrayView kEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr QByteArrayView kMagic{"openssh-key-v1\0", 15}; // with its NUL
constexpr qsizetype kLineLength = 70;                      // sshbuf_dtob64(…, wrap = 1)
constexpr qsizetype kNoneBlockSize = 8;                     // cipher "none" pads to 8 bytes
constexpr qsizetype kEd25519KeyLength = 32;

// Bounds for hostile input. The largest key OpenSSH makes (RSA 16384 bits) is about 12 KiB of
// text; ed25519 about 400 bytes.
constexpr qsizetype kMaxTextSize = 64 * 1024;
constexpr qsizetype kMaxNameLength = 64;        // a cipher, kdf, key type or curve name
constexpr qsizetype kMaxKdfOptionsLength = 1024;
constexpr qsizetype kMaxCommentLength = 4096;
// bcrypt_pbkdf rounds: libssh2 runs them at every connection, uninterruptibly (about 8 ms each
// here; OpenSSH's default is 16, `ssh-keygen -a 100` a common choice).
constexpr quint32 kMaxKdfRounds = 1024;

const QString kUseEd25519 = QStringLiteral("use an ed25519 key (mirrordesk ssh-keygen)");

Error keyError(const QString &message)
{
    return Error{ErrorCategory::Config, message, {}, 0, 0};
}

Error corrupt(const QString &what)
{
    return keyError(QStringLiteral("corrupt key: %1").arg(what));
}

Error truncatedKey()
{
    return keyError(QStringLiteral("the private key is truncated or damaged: its lengths run past the end "
                                   "of the data (paste the whole file, from -----BEGIN to -----END)"));
}

// A buffer that may hold key material, wiped when it goes. Only a buffer this holds alone
// (never shared by Qt's implicit sharing) is wiped: data() on a shared one would wipe a copy.
class Secret {
public:
    Secret() = default;
    explicit Secret(QByteArray bytes) : m_bytes(std::move(bytes)) {}
    Secret(const Secret &) = delete;
    Secret &operator=(const Secret &) = delete;
    ~Secret() { wipe(m_bytes); }

    static void wipe(QByteArray &bytes)
    {
        if (!bytes.isEmpty() && bytes.isDetached())
            OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
        bytes.clear();
    }

    QByteArray &bytes() { return m_bytes; }
    const QByteArray &bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

// Bounded reads of SSH wire types (RFC 4251): nothing is read past the end, every length is
// checked against what is left before it is used.
class Reader {
public:
    explicit Reader(QByteArrayView data) : m_data(data) {}

    qsizetype left() const { return m_data.size() - m_pos; }
    bool atEnd() const { return left() == 0; }

    bool u32(quint32 &value)
    {
        if (left() < 4)
            return false;
        const auto *p = reinterpret_cast<const uchar *>(m_data.data() + m_pos);
        value = (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
        m_pos += 4;
        return true;
    }

    // An SSH string of at most `maxLength` bytes (and at most what is left).
    bool string(QByteArrayView &value, qsizetype maxLength)
    {
        quint32 length = 0;
        if (!u32(length) || length > static_cast<quint64>(left()) || length > static_cast<quint64>(maxLength))
            return false;
        value = m_data.sliced(m_pos, static_cast<qsizetype>(length));
        m_pos += static_cast<qsizetype>(length);
        return true;
    }

    bool bytes(QByteArrayView &value, qsizetype length)
    {
        if (length < 0 || length > left())
            return false;
        value = m_data.sliced(m_pos, length);
        m_pos += length;
        return true;
    }

    QByteArrayView rest() const { return m_data.sliced(m_pos); }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

void putU32(QByteArray &out, quint32 value)
{
    const char bytes[4] = {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
    out.append(bytes, 4);
}

void putString(QByteArray &out, QByteArrayView value)
{
    putU32(out, static_cast<quint32>(value.size()));
    out.append(value);
}

// A name from the header, quoted in a message only when it looks like one.
QString printableName(QByteArrayView name)
{
    if (name.isEmpty() || name.size() > 40)
        return {};
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '.' || c == '@' || c == '_';
        if (!ok)
            return {};
    }
    return QString::fromLatin1(name);
}

// The ciphers OpenSSH encrypts keys with (cipher.c): block size, AEAD tag length, and whether
// libssh2 1.10 (its OpenSSL crypt methods, crypt.c) can decrypt them at connect time.
struct CipherSpec {
    QByteArrayView name;
    qsizetype blockSize = 0;
    qsizetype authLength = 0;
    bool libssh2 = false;
};

constexpr CipherSpec kCiphers[] = {
    {"aes256-ctr", 16, 0, true},
    {"aes192-ctr", 16, 0, true},
    {"aes128-ctr", 16, 0, true},
    {"aes256-cbc", 16, 0, true},
    {"aes192-cbc", 16, 0, true},
    {"aes128-cbc", 16, 0, true},
    {"3des-cbc", 8, 0, true},
    {"aes256-gcm@openssh.com", 16, 16, false},
    {"aes128-gcm@openssh.com", 16, 16, false},
    {"chacha20-poly1305@openssh.com", 8, 16, false},
};

const CipherSpec *findCipher(QByteArrayView name)
{
    for (const CipherSpec &spec : kCiphers) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

// The ECDSA curves: key type, curve name in the blob, bytes of one coordinate.
struct CurveSpec {
    QByteArrayView keyType;
    QByteArrayView curve;
    qsizetype coordinateLength = 0;
};

constexpr CurveSpec kCurves[] = {
    {"ecdsa-sha2-nistp256", "nistp256", 32},
    {"ecdsa-sha2-nistp384", "nistp384", 48},
    {"ecdsa-sha2-nistp521", "nistp521", 66},
};

const CurveSpec *findCurve(QByteArrayView keyType)
{
    for (const CurveSpec &spec : kCurves) {
        if (spec.keyType == keyType)
            return &spec;
    }
    return nullptr;
}

// Why a key type is refused, or an empty string for the types accepted.
QString refusedKeyType(QByteArrayView type)
{
    if (type == "ssh-rsa")
        return QStringLiteral("this is an RSA key: libssh2 1.10 cannot authenticate with RSA user keys against "
                              "current OpenSSH, which refuses SHA-1 signatures; ")
               + kUseEd25519;
    if (type == "ssh-dss")
        return QStringLiteral("this is a DSA (ssh-dss) key: current OpenSSH refuses DSA keys, and libssh2 1.10 "
                              "signs only with SHA-1; ")
               + kUseEd25519;
    if (type.startsWith("sk-"))
        return QStringLiteral("this is a FIDO security-key (%1) key: it needs its hardware token at every "
                              "connection, which MirrorDesk does not support; ")
                   .arg(printableName(type).isEmpty() ? QStringLiteral("sk-") : printableName(type))
               + kUseEd25519;
    if (type == "ssh-ed25519" || findCurve(type))
        return {};
    const QString name = printableName(type);
    return name.isEmpty() ? QStringLiteral("corrupt key: its public key has no readable type (a damaged text?)")
                          : QStringLiteral("the private key holds a key of an unknown type \"%1\"").arg(name);
}

// The parts of the public key blob: its type and, for the checks of the private half, the fields.
struct PublicBlob {
    QByteArrayView type;
    QByteArrayView ed25519;  // the 32-byte public key
    QByteArrayView curve;    // ECDSA: "nistp256"…
    QByteArrayView point;    // ECDSA: the uncompressed point
};

// The public key blob of the header (its type already accepted), checked field by field.
Result<PublicBlob> parsePublicBlob(QByteArrayView blob)
{
    Reader reader(blob);
    PublicBlob parsed;
    if (!reader.string(parsed.type, kMaxNameLength))
        return corrupt(QStringLiteral("the public key has no type"));
    if (const QString refused = refusedKeyType(parsed.type); !refused.isEmpty())
        return keyError(refused);
    if (parsed.type == "ssh-ed25519") {
        if (!reader.string(parsed.ed25519, kEd25519KeyLength) || parsed.ed25519.size() != kEd25519KeyLength)
            return corrupt(QStringLiteral("the ed25519 public key is not 32 bytes"));
    } else {
        const CurveSpec *curve = findCurve(parsed.type);
        if (!reader.string(parsed.curve, kMaxNameLength) || parsed.curve != curve->curve)
            return corrupt(QStringLiteral("the ECDSA public key names another curve than its type"));
        if (!reader.string(parsed.point, 1 + 2 * curve->coordinateLength)
            || parsed.point.size() != 1 + 2 * curve->coordinateLength || parsed.point.front() != '\x04')
            return corrupt(QStringLiteral("the ECDSA public key is not an uncompressed point of its curve"));
    }
    if (!reader.atEnd())
        return corrupt(QStringLiteral("the public key has bytes after its end"));
    return parsed;
}

// Derives an ed25519 public key from its 32-byte seed.
Result<QByteArray> ed25519PublicFromSeed(QByteArrayView seed)
{
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const uchar *>(seed.data()),
                                     static_cast<size_t>(seed.size())),
        &EVP_PKEY_free);
    QByteArray pub(kEd25519KeyLength, Qt::Uninitialized);
    size_t length = static_cast<size_t>(pub.size());
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<uchar *>(pub.data()), &length) != 1
        || length != static_cast<size_t>(kEd25519KeyLength))
        return Error{ErrorCategory::Config, QStringLiteral("OpenSSL cannot read the ed25519 key"), {}, 0, 0};
    return pub;
}

QString commentText(QByteArrayView comment)
{
    // One line: a control character would break the public-key line.
    QString text = QString::fromUtf8(comment);
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = QLatin1Char('?');
    }
    return text;
}

// The unencrypted private half: check ints, type, the key against the header's, comment, padding.
Result<QString> checkPrivateSection(QByteArrayView section, const PublicBlob &pub)
{
    if (section.size() % kNoneBlockSize != 0)
        return corrupt(QStringLiteral("the private part is not a whole number of blocks"));
    Reader reader(section);
    quint32 check1 = 0;
    quint32 check2 = 0;
    if (!reader.u32(check1) || !reader.u32(check2))
        return corrupt(QStringLiteral("the private part is too short"));
    if (check1 != check2)
        return corrupt(QStringLiteral("the two check numbers of the private part differ"));
    QByteArrayView type;
    if (!reader.string(type, kMaxNameLength) || type != pub.type)
        return corrupt(QStringLiteral("the private part holds another key type than the public key"));
    if (type == "ssh-ed25519") {
        QByteArrayView publicKey;
        QByteArrayView secret;
        if (!reader.string(publicKey, kEd25519KeyLength) || !reader.string(secret, 2 * kEd25519KeyLength)
            || secret.size() != 2 * kEd25519KeyLength)
            return corrupt(QStringLiteral("the ed25519 private key is not 64 bytes"));
        if (publicKey != pub.ed25519 || secret.sliced(kEd25519KeyLength) != pub.ed25519)
            return corrupt(QStringLiteral("the private part holds another public key than the header"));
        const auto derived = ed25519PublicFromSeed(secret.first(kEd25519KeyLength));
        if (!derived)
            return derived.error();
        if (QByteArrayView(*derived) != pub.ed25519)
            return corrupt(QStringLiteral("the private key does not belong to its public key"));
    } else {
        const CurveSpec *curve = findCurve(type);
        QByteArrayView curveName;
        QByteArrayView point;
        QByteArrayView exponent;
        if (!reader.string(curveName, kMaxNameLength) || !reader.string(point, 1 + 2 * curve->coordinateLength))
            return corrupt(QStringLiteral("the ECDSA private part is incomplete"));
        if (curveName != pub.curve || point != pub.point)
            return corrupt(QStringLiteral("the private part holds another public key than the header"));
        // An mpint: positive, at most one leading zero byte more than a coordinate.
        if (!reader.string(exponent, curve->coordinateLength + 1) || exponent.isEmpty()
            || (exponent.front() & 0x80) != 0)
            return corrupt(QStringLiteral("the ECDSA private exponent is not a positive number of its curve"));
    }
    QByteArrayView comment;
    if (!reader.string(comment, kMaxCommentLength))
        return corrupt(QStringLiteral("the comment of the private part is missing or too long"));
    // Padding 1, 2, 3, … up to the block size.
    const QByteArrayView padding = reader.rest();
    if (padding.size() >= kNoneBlockSize)
        return corrupt(QStringLiteral("the private part has bytes after its padding"));
    for (qsizetype i = 0; i < padding.size(); ++i) {
        if (static_cast<uchar>(padding.at(i)) != i + 1)
            return corrupt(QStringLiteral("the padding of the private part is wrong"));
    }
    return commentText(comment);
}

// What a text that is not an OpenSSH private key is, as the error to show (never quoting it).
Error notOpenSshKey(QByteArrayView text)
{
    const QByteArray trimmed = text.toByteArray().trimmed();
    if (trimmed.isEmpty())
        return keyError(QStringLiteral("no private key given (the text is empty); paste the private key file, "
                                       "which begins with -----BEGIN OPENSSH PRIVATE KEY-----"));
    const QString convert = QStringLiteral("convert it to the OpenSSH format with `ssh-keygen -p -f KEY` "
                                           "(rewrites KEY in place) and paste it again");
    struct Pem {
        QByteArrayView marker;
        QString message;
    };
    const Pem pems[] = {
        {"-----BEGIN RSA PRIVATE KEY-----",
         QStringLiteral("this is an RSA private key in the PEM format (BEGIN RSA PRIVATE KEY); RSA itself is the "
                        "problem, not the format: libssh2 1.10 cannot authenticate with RSA user keys against "
                        "current OpenSSH, which refuses SHA-1 signatures; ")
             + kUseEd25519},
        {"-----BEGIN DSA PRIVATE KEY-----",
         QStringLiteral("this is a DSA private key in the PEM format (BEGIN DSA PRIVATE KEY): current OpenSSH "
                        "refuses DSA keys; ")
             + kUseEd25519},
        {"-----BEGIN EC PRIVATE KEY-----",
         QStringLiteral("this is an ECDSA private key in the PEM format (BEGIN EC PRIVATE KEY), not the OpenSSH "
                        "format; ")
             + convert},
        {"-----BEGIN PRIVATE KEY-----",
         QStringLiteral("this is a private key in the PKCS#8 PEM format (BEGIN PRIVATE KEY), not the OpenSSH "
                        "format; ")
             + convert},
        {"-----BEGIN ENCRYPTED PRIVATE KEY-----",
         QStringLiteral("this is an encrypted private key in the PKCS#8 PEM format (BEGIN ENCRYPTED PRIVATE KEY), "
                        "not the OpenSSH format; ")
             + convert},
        {"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
         QStringLiteral("this is a private key in the ssh.com (SSH2) format, not the OpenSSH format; convert it "
                        "with `ssh-keygen -i -f KEY > KEY.openssh`, then `ssh-keygen -p -f KEY.openssh`, and "
                        "paste that (only ed25519 and ECDSA keys work)")},
        {"---- BEGIN SSH2 PUBLIC KEY ----",
         QStringLiteral("this is a public key (RFC 4716 format), not a private key; paste the private key file")},
        {"-----BEGIN PUBLIC KEY-----",
         QStringLiteral("this is a public key (PEM format), not a private key; paste the private key file")},
        {"-----BEGIN CERTIFICATE-----",
         QStringLiteral("this is an X.509 certificate, not an SSH private key")},
    };
    for (const Pem &pem : pems) {
        if (trimmed.contains(pem.marker))
            return keyError(pem.message);
    }
    if (trimmed.startsWith("PuTTY-User-Key-File-"))
        return keyError(QStringLiteral("this is a PuTTY private key (.ppk), not the OpenSSH format; convert it with "
                                       "PuTTYgen (Conversions > Export OpenSSH key (force new file format)) or "
                                       "`puttygen KEY.ppk -O private-openssh-new -o KEY`, and paste that"));
    // A public-key line ("TYPE BASE64 [COMMENT]"), maybe after authorized_keys options: any word
    // that is a key type followed by base64.
    const QList<QByteArray> words = trimmed.simplified().split(' ');
    // Only a known type is named: any other word is the user's input (it may be a secret).
    static const QList<QByteArray> knownKeyTypes{"ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                                 "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"};
    for (qsizetype i = 0; i + 1 < words.size() && i < 8; ++i) {
        const QByteArray &word = words.at(i);
        const bool keyType = word.startsWith("ssh-") || word.startsWith("ecdsa-sha2-") || word.startsWith("sk-");
        if (keyType && words.at(i + 1).startsWith("AAAA")) {
            if (word.contains("-cert-v01@openssh.com"))
                return keyError(QStringLiteral("this is an SSH certificate (public), not a private key; paste the "
                                               "private key file"));
            return keyError(QStringLiteral("this is a public key (an %1 line, as in KEY.pub), not a private "
                                           "key; paste the private key file (e.g. id_ed25519, not id_ed25519.pub)")
                                .arg(knownKeyTypes.contains(word) ? QString::fromLatin1(word) : QStringLiteral("OpenSSH public key")));
        }
    }
    if (trimmed.startsWith("-----BEGIN OPENSSH") || kBegin.startsWith(trimmed))
        return keyError(QStringLiteral("the private key is truncated: its -----BEGIN OPENSSH PRIVATE KEY----- line "
                                       "is cut (paste the whole file)"));
    if (trimmed.startsWith("-----BEGIN "))
        return keyError(QStringLiteral("this PEM block is not an OpenSSH private key (expected -----BEGIN OPENSSH "
                                       "PRIVATE KEY-----)"));
    return keyError(QStringLiteral("this is not an SSH private key: expected the text of a private key file, "
                                   "beginning with -----BEGIN OPENSSH PRIVATE KEY-----"));
}

bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
           || c == '=';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The armour taken off: the decoded bytes (secret) in `out`.
Status dearmour(const QByteArray &text, Secret &out)
{
    if (text.size() > kMaxTextSize)
        return keyError(QStringLiteral("the text is %1 KiB, too large to be an SSH private key (at most %2 KiB)")
                            .arg(text.size() / 1024)
                            .arg(kMaxTextSize / 1024));
    const qsizetype begin = text.indexOf(kBegin);
    if (begin < 0)
        return notOpenSshKey(text);
    const qsizetype bodyStart = begin + kBegin.size();
    const qsizetype end = text.indexOf(kEnd, bodyStart);
    if (end < 0)
        return keyError(QStringLiteral("the private key is truncated: its -----END OPENSSH PRIVATE KEY----- line is "
                                       "missing (paste the whole file)"));
    // Any other armoured block, before, inside or after this one.
    if (text.indexOf("-----BEGIN ", bodyStart) >= 0 || (begin > 0 && text.lastIndexOf("-----BEGIN ", begin - 1) >= 0))
        return keyError(QStringLiteral("the text holds more than one key; paste one private key"));

    Secret base64;
    base64.bytes().reserve(end - bodyStart);
    for (qsizetype i = bodyStart; i < end; ++i) {
        const char c = text.at(i);
        if (isSpace(c))
            continue;
        if (!isBase64Char(c))
            return keyError(QStringLiteral("the private key is garbled: the text between its BEGIN and END lines "
                                           "is not base64"));
        base64.bytes().append(c);
    }
    if (base64.bytes().isEmpty())
        return truncatedKey();
    // Padding only at the end, and whole groups of four.
    const qsizetype firstPad = base64.bytes().indexOf('=');
    if (base64.bytes().size() % 4 != 0
        || (firstPad >= 0 && (firstPad < base64.bytes().size() - 2
                              || base64.bytes().sliced(firstPad).count('=') != base64.bytes().size() - firstPad)))
        return keyError(QStringLiteral("the private key is truncated or garbled: its base64 does not end where a "
                                       "key ends (paste the whole file)"));
    auto decoded = QByteArray::fromBase64Encoding(base64.bytes(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        Secret::wipe(decoded.decoded);
        return keyError(QStringLiteral("the private key is garbled: its base64 does not decode"));
    }
    out.bytes() = std::move(decoded.decoded);
    return {};
}

// The whole binary key checked; `info` filled. `publicBlob` (not secret) is the header's key.
Status parseKey(QByteArrayView data, PrivateKeyInfo &info, QByteArray &publicBlob)
{
    if (!data.startsWith(kMagic))
        return keyError(QStringLiteral("the private key is not in the openssh-key-v1 format (its magic is wrong)"));
    Reader reader(data.sliced(kMagic.size()));
    QByteArrayView cipher;
    QByteArrayView kdf;
    QByteArrayView kdfOptions;
    quint32 keyCount = 0;
    QByteArrayView blob;
    if (!reader.string(cipher, kMaxNameLength) || !reader.string(kdf, kMaxNameLength)
        || !reader.string(kdfOptions, kMaxKdfOptionsLength) || !reader.u32(keyCount))
        return truncatedKey();
    if (keyCount == 0)
        return corrupt(QStringLiteral("the file holds no key"));
    if (keyCount > 1)
        return keyError(QStringLiteral("the file holds more than one key (%1); paste a file with one private key")
                            .arg(keyCount));

    const CipherSpec *spec = nullptr;
    if (cipher == "none") {
        if (kdf != "none" || !kdfOptions.isEmpty())
            return corrupt(QStringLiteral("an unencrypted key with a key-derivation function"));
    } else {
        spec = findCipher(cipher);
        const QString name = printableName(cipher);
        if (!spec)
            return keyError(name.isEmpty() ? QStringLiteral("the private key is encrypted with an unknown cipher")
                                           : QStringLiteral("the private key is encrypted with an unknown cipher "
                                                            "\"%1\"").arg(name));
        if (kdf != "bcrypt")
            return corrupt(QStringLiteral("an encrypted key without the bcrypt key-derivation function"));
        Reader options(kdfOptions);
        QByteArrayView salt;
        quint32 rounds = 0;
        if (!options.string(salt, kMaxKdfOptionsLength) || salt.isEmpty() || !options.u32(rounds) || rounds == 0
            || !options.atEnd())
            return corrupt(QStringLiteral("the bcrypt options (salt, rounds) are malformed"));
        if (rounds > kMaxKdfRounds)
            return keyError(QStringLiteral("the private key's passphrase is stretched with %1 bcrypt rounds, which "
                                           "would stall every connection (at most %2); re-encrypt it with "
                                           "`ssh-keygen -p -a 100 -f KEY` and paste it again")
                                .arg(rounds)
                                .arg(kMaxKdfRounds));
        if (!spec->libssh2)
            return keyError(QStringLiteral("the private key is encrypted with %1, which libssh2 1.10 cannot decrypt; "
                                           "re-encrypt it with `ssh-keygen -p -Z aes256-ctr -f KEY` and paste it "
                                           "again")
                                .arg(name));
    }

    // The whole container first (a cut or damaged text shows as such), then its parts.
    QByteArrayView section;
    QByteArrayView tag;
    if (!reader.string(blob, 16 * 1024) || !reader.string(section, reader.left())
        || (spec && !reader.bytes(tag, spec->authLength)))
        return truncatedKey();
    if (!reader.atEnd())
        return corrupt(QStringLiteral("the file has bytes after the key"));
    auto pub = parsePublicBlob(blob);
    if (!pub)
        return pub.error();

    info.type = QString::fromLatin1(pub->type);
    info.encrypted = spec != nullptr;
    info.cipher = QString::fromLatin1(cipher);
    if (spec) {
        if (section.isEmpty() || section.size() % spec->blockSize != 0)
            return corrupt(QStringLiteral("the encrypted part is not a whole number of cipher blocks"));
    } else {
        auto comment = checkPrivateSection(section, *pub);
        if (!comment)
            return comment.error();
        info.comment = *comment;
    }
    HostKey key{info.type, blob.toByteArray(), info.comment};
    info.publicLine = key.toLine();
    info.sha256Fingerprint = key.sha256Fingerprint();
    publicBlob = key.blob;
    return {};
}

// The armoured text (a secret: the caller's to keep or wipe); the base64 in between is wiped.
QByteArray armour(QByteArrayView binary)
{
    const Secret base64(QByteArray::fromRawData(binary.data(), binary.size()).toBase64());
    const QByteArrayView encoded(base64.bytes());
    QByteArray text;
    text.reserve(kBegin.size() + kEnd.size() + encoded.size() + encoded.size() / kLineLength + 4);
    text.append(kBegin).append('\n');
    for (qsizetype i = 0; i < encoded.size(); i += kLineLength)
        text.append(encoded.sliced(i, std::min(kLineLength, encoded.size() - i))).append('\n');
    text.append(kEnd).append('\n');
    return text;
}

// inspectPrivateKey with the decoded bytes kept (for canonicalPrivateKeyText, checkPassphrase).
Status inspect(const QByteArray &text, Secret &decoded, PrivateKeyInfo &info, QByteArray &publicBlob)
{
    if (const Status status = dearmour(text, decoded); !status)
        return status;
    return parseKey(decoded.bytes(), info, publicBlob);
}

// --- the passphrase check, through libssh2 -------------------------------------------------
//
// libssh2 1.10 has no public function that loads a private key without a session: its loader
// (_libssh2_pub_priv_keyfilememory, then _libssh2_openssh_pem_parse_memory: bcrypt_pbkdf, the
// decryption, the check ints, the public key derived from the private half) is internal, and
// the library exports no internal symbol. libssh2_userauth_publickey_frommemory() runs that
// loader first, before it writes anything (userauth.c, userauth_publickey_frommemory, then
// _libssh2_userauth_publickey builds the first SSH_MSG_USERAUTH_REQUEST and calls
// _libssh2_transport_send). So: a session that is never connected, whose send callback writes
// nothing and records the packet, and whose receive callback reads nothing. The packet reaching
// the send callback means libssh2 loaded the key (the packet, public, carries the public key
// libssh2 computed from the private half: compared with the header's); an error before it means
// it did not. The session's default send would write to socket 0 (the session is zeroed), so the
// check goes on only when libssh2 confirms the callback was replaced; the session is
// non-blocking, so libssh2 never waits on a socket either; every buffer libssh2 allocates goes
// through an allocator that wipes it when freed. Undocumented use of a public API: trusted only
// for the libssh2 it was read in (1.10.x), any other refuses to guess.

struct PassphraseProbe {
    bool sent = false;
    bool packetRead = false;
    QByteArray publicBlob; // the key in the request libssh2 tried to send
};

// Allocations with their size in front, wiped when freed (libssh2 holds the decrypted key).
constexpr size_t kAllocHeader = alignof(std::max_align_t) > sizeof(size_t) ? alignof(std::max_align_t) : sizeof(size_t);

LIBSSH2_ALLOC_FUNC(probeAlloc)
{
    (void)abstract;
    auto *block = static_cast<unsigned char *>(std::malloc(count + kAllocHeader));
    if (!block)
        return nullptr;
    std::memcpy(block, &count, sizeof count);
    return block + kAllocHeader;
}

LIBSSH2_FREE_FUNC(probeFree)
{
    (void)abstract;
    if (!ptr)
        return;
    auto *block = static_cast<unsigned char *>(ptr) - kAllocHeader;
    size_t count = 0;
    std::memcpy(&count, block, sizeof count);
    OPENSSL_cleanse(block, count + kAllocHeader);
    std::free(block);
}

LIBSSH2_REALLOC_FUNC(probeRealloc)
{
    if (!ptr)
        return probeAlloc(count, abstract);
    auto *block = static_cast<unsigned char *>(ptr) - kAllocHeader;
    size_t old = 0;
    std::memcpy(&old, block, sizeof old);
    void *fresh = probeAlloc(count, abstract);
    if (!fresh)
        return nullptr;
    std::memcpy(fresh, ptr, old < count ? old : count);
    probeFree(ptr, abstract);
    return fresh;
}

// The first packet libssh2 sends, unencrypted (no key exchange happened): uint32 length, byte
// padding length, payload = SSH_MSG_USERAUTH_REQUEST (50), string user, string service, string
// "publickey", bool FALSE, string algorithm, string public key blob.
LIBSSH2_SEND_FUNC(probeSend)
{
    (void)socket;
    (void)flags;
    auto *probe = static_cast<PassphraseProbe *>(*abstract);
    probe->sent = true;
    Reader packet(QByteArrayView(static_cast<const char *>(buffer), static_cast<qsizetype>(length)));
    quint32 packetLength = 0;
    QByteArrayView padding;
    QByteArrayView type;
    QByteArrayView user;
    QByteArrayView service;
    QByteArrayView method;
    QByteArrayView flag;
    QByteArrayView algorithm;
    QByteArrayView blob;
    if (packet.u32(packetLength) && packet.bytes(padding, 1) && packet.bytes(type, 1) && type.front() == 50
        && packet.string(user, 256) && packet.string(service, 64) && packet.string(method, 64)
        && method == "publickey" && packet.bytes(flag, 1) && packet.string(algorithm, kMaxNameLength)
        && packet.string(blob, 16 * 1024)) {
        probe->publicBlob = blob.toByteArray();
        probe->packetRead = true;
    }
    return -EPIPE; // nothing is sent; libssh2 gives up with LIBSSH2_ERROR_SOCKET_SEND
}

LIBSSH2_RECV_FUNC(probeRecv)
{
    (void)socket;
    (void)buffer;
    (void)length;
    (void)flags;
    (void)abstract;
    return -EPIPE;
}

template <typename Function>
void *callbackPointer(Function function)
{
    static_assert(sizeof(void *) == sizeof(Function));
    void *pointer = nullptr;
    std::memcpy(&pointer, &function, sizeof pointer);
    return pointer;
}

Error cannotCheck(const QString &why)
{
    return keyError(QStringLiteral("cannot check the passphrase offline: %1").arg(why));
}

// The libssh2 this check was written against: 1.10.x (the loader runs before the first write).
bool knownLibssh2()
{
    const char *version = libssh2_version(0x010a00);
    return version && std::strncmp(version, "1.10.", 5) == 0;
}

} // namespace

Result<GeneratedKey> generateEd25519(const QString &comment)
{
    const QByteArray commentBytes = comment.toUtf8();
    for (char c : commentBytes) {
        if (static_cast<uchar>(c) < 0x20 || c == 0x7f)
            return Error::usage(QStringLiteral("the key comment must be one line of text"));
    }
    if (commentBytes.size() > kMaxCommentLength)
        return Error::usage(QStringLiteral("the key comment is too long (at most %1 bytes)").arg(kMaxCommentLength));

    const auto opensslError = [](const char *what) {
        return Error{ErrorCategory::Io, QStringLiteral("cannot make an ed25519 key: OpenSSL %1 failed").arg(QLatin1String(what)), {}, 0, 0};
    };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
    if (!key)
        return opensslError("EVP_PKEY_Q_keygen");
    Secret seed(QByteArray(kEd25519KeyLength, '\0'));
    QByteArray pub(kEd25519KeyLength, '\0');
    size_t seedLength = kEd25519KeyLength;
    size_t pubLength = kEd25519KeyLength;
    if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<uchar *>(seed.bytes().data()), &seedLength) != 1
        || seedLength != kEd25519KeyLength)
        return opensslError("EVP_PKEY_get_raw_private_key");
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<uchar *>(pub.data()), &pubLength) != 1
        || pubLength != kEd25519KeyLength)
        return opensslError("EVP_PKEY_get_raw_public_key");
    quint32 check = 0;
    if (RAND_bytes(reinterpret_cast<uchar *>(&check), sizeof check) != 1)
        return opensslError("RAND_bytes");

    const QByteArrayView type = "ssh-ed25519";
    QByteArray blob;
    putString(blob, type);
    putString(blob, pub);

    // The private half, sized up front so that no secret is left behind by a reallocation.
    Secret section;
    section.bytes().reserve(8 + 4 + type.size() + 4 + kEd25519KeyLength + 4 + 2 * kEd25519KeyLength + 4
                            + commentBytes.size() + kNoneBlockSize);
    putU32(section.bytes(), check);
    putU32(section.bytes(), check);
    putString(section.bytes(), type);
    putString(section.bytes(), pub);
    putU32(section.bytes(), 2 * kEd25519KeyLength);
    section.bytes().append(seed.bytes()).append(pub);
    putString(section.bytes(), commentBytes);
    for (char pad = 1; section.bytes().size() % kNoneBlockSize != 0; ++pad)
        section.bytes().append(pad);

    Secret binary;
    binary.bytes().reserve(kMagic.size() + 4 + 4 + 4 + 4 + 4 + 4 + blob.size() + 4 + section.bytes().size());
    binary.bytes().append(kMagic);
    putString(binary.bytes(), "none");
    putString(binary.bytes(), "none");
    putString(binary.bytes(), "");
    putU32(binary.bytes(), 1);
    putString(binary.bytes(), blob);
    putString(binary.bytes(), section.bytes());
    OPENSSL_cleanse(&check, sizeof check);

    const HostKey hostKey{QString::fromLatin1(type), blob, comment};
    return GeneratedKey{armour(binary.bytes()), hostKey.toLine(), hostKey.sha256Fingerprint()};
}

Result<PrivateKeyInfo> inspectPrivateKey(const QByteArray &text)
{
    Secret decoded;
    PrivateKeyInfo info;
    QByteArray blob;
    if (const Status status = inspect(text, decoded, info, blob); !status)
        return status.error();
    return info;
}

Result<QByteArray> canonicalPrivateKeyText(const QByteArray &text)
{
    Secret decoded;
    PrivateKeyInfo info;
    QByteArray blob;
    if (const Status status = inspect(text, decoded, info, blob); !status)
        return status.error();
    return armour(decoded.bytes());
}

Status checkPassphrase(const QByteArray &privateKeyText, const QByteArray &passphrase)
{
    Secret decoded;
    PrivateKeyInfo info;
    QByteArray headerBlob;
    if (const Status status = inspect(privateKeyText, decoded, info, headerBlob); !status)
        return status;
    if (passphrase.contains('\0'))
        return Error::usage(QStringLiteral("the passphrase holds a NUL character, which libssh2 cannot take"));
    if (!knownLibssh2())
        return cannotCheck(QStringLiteral("this check knows libssh2 1.10, not %1")
                               .arg(QLatin1String(libssh2_version(0) ? libssh2_version(0) : "?")));

    Secret canonical(armour(decoded.bytes()));
    Secret phrase(QByteArray(passphrase.constData(), passphrase.size())); // NUL-terminated, ours to wipe
    PassphraseProbe probe;
    std::unique_ptr<LIBSSH2_SESSION, decltype(&libssh2_session_free)> session(
        libssh2_session_init_ex(probeAlloc, probeFree, probeRealloc, &probe), &libssh2_session_free);
    if (!session)
        return cannotCheck(QStringLiteral("libssh2 cannot make a session"));
    // The callbacks replaced (libssh2 answers the one it had), or no check at all.
    if (!libssh2_session_callback_set(session.get(), LIBSSH2_CALLBACK_SEND, callbackPointer(&probeSend))
        || !libssh2_session_callback_set(session.get(), LIBSSH2_CALLBACK_RECV, callbackPointer(&probeRecv)))
        return cannotCheck(QStringLiteral("libssh2 did not take the I/O callbacks"));
    libssh2_session_set_blocking(session.get(), 0);

    static constexpr char kUser[] = "mirrordesk";
    const int rc = libssh2_userauth_publickey_frommemory(
        session.get(), kUser, sizeof kUser - 1, nullptr, 0, canonical.bytes().constData(),
        static_cast<size_t>(canonical.bytes().size()), phrase.bytes().constData());

    if (probe.sent) {
        if (!probe.packetRead)
            return cannotCheck(QStringLiteral("libssh2's first packet is not the one expected"));
        if (probe.publicBlob != headerBlob)
            return corrupt(QStringLiteral("the private key does not belong to its public key"));
        return {};
    }
    if (rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED && info.encrypted) {
        if (passphrase.isEmpty())
            return Error{ErrorCategory::Auth, QStringLiteral("the private key is encrypted: give its passphrase"), {}, 0, 0};
        return Error{ErrorCategory::Auth, QStringLiteral("wrong passphrase for the private key"), {}, 0, 0};
    }
    char *message = nullptr;
    libssh2_session_last_error(session.get(), &message, nullptr, 0);
    const QString why = message && *message ? QString::fromLatin1(message) : QStringLiteral("error %1").arg(rc);
    if (info.encrypted)
        return Error{ErrorCategory::Auth,
                     QStringLiteral("libssh2 cannot load the private key with this passphrase (%1)").arg(why), {}, 0, 0};
    return keyError(QStringLiteral("libssh2 cannot load the private key (%1)").arg(why));
}

void releaseThreadCryptoState()
{
    OPENSSL_thread_stop();
}

} // namespace md
