// SSH user keys (core/security/SshKey.h): the ed25519 writer checked by OpenSSH's own ssh-keygen,
// the reader against every kind of key ssh-keygen makes and against broken and hostile text,
// and the passphrase check against libssh2's own loader.

#include "security/HostKey.h"
#include "security/SshKey.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr QByteArrayView kEnd = "-----END OPENSSH PRIVATE KEY-----";

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run sshKeygen(const QStringList &arguments)
{
    QProcess process;
    process.setProgram(u"ssh-keygen"_s);
    process.setArguments(arguments);
    process.setStandardInputFile(QProcess::nullDevice());
    process.start();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeOwnerOnly(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return false;
    return file.write(bytes) == bytes.size() && file.flush();
}

// The first two words of a public-key line: type and base64 (ssh-keygen -y may add the comment).
QString typeAndBlob(const QString &line)
{
    return line.simplified().section(u' ', 0, 1);
}

// The body of the armour, decoded; and back, as OpenSSH writes it (70 columns).
QByteArray dearmour(const QByteArray &text)
{
    const qsizetype begin = text.indexOf(kBegin);
    const qsizetype end = text.indexOf(kEnd);
    if (begin < 0 || end < begin)
        return {};
    QByteArray body = text.mid(begin + kBegin.size(), end - begin - kBegin.size());
    body.replace('\n', "").replace('\r', "");
    return QByteArray::fromBase64(body);
}

QByteArray armour(const QByteArray &binary)
{
    const QByteArray base64 = binary.toBase64();
    QByteArray text = kBegin.toByteArray() + '\n';
    for (qsizetype i = 0; i < base64.size(); i += 70)
        text += base64.mid(i, 70) + '\n';
    return text + kEnd.toByteArray() + '\n';
}

quint32 u32At(const QByteArray &data, qsizetype at)
{
    if (at < 0 || at + 4 > data.size())
        return 0xffffffffu;
    const auto *p = reinterpret_cast<const uchar *>(data.constData() + at);
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

void putU32(QByteArray &out, quint32 value)
{
    out.append(char(value >> 24)).append(char(value >> 16)).append(char(value >> 8)).append(char(value));
}

void putString(QByteArray &out, QByteArrayView value)
{
    putU32(out, quint32(value.size()));
    out.append(value);
}

// The offsets of an openssh-key-v1 binary: walked here independently of the code under test.
struct Layout {
    qsizetype keyCount = -1;   // the uint32 number of keys
    qsizetype publicBlob = -1; // the uint32 length of the header's public key
    qsizetype section = -1;    // the first byte of the private section (after its length)
    qsizetype sectionLength = -1;
};

Layout layoutOf(const QByteArray &binary)
{
    Layout layout;
    qsizetype at = 15; // "openssh-key-v1\0"
    for (int i = 0; i < 3; ++i) // cipher, kdf, kdf options
        at += 4 + u32At(binary, at);
    layout.keyCount = at;
    at += 4;
    layout.publicBlob = at;
    at += 4 + u32At(binary, at);
    layout.sectionLength = u32At(binary, at);
    layout.section = at + 4;
    return layout;
}

// An openssh-key-v1 binary built by hand (for keys ssh-keygen cannot make here).
QByteArray container(QByteArrayView cipher, QByteArrayView kdf, QByteArrayView kdfOptions, quint32 keys,
                     QByteArrayView blob, QByteArrayView section)
{
    QByteArray out("openssh-key-v1", 15);
    putString(out, cipher);
    putString(out, kdf);
    putString(out, kdfOptions);
    putU32(out, keys);
    putString(out, blob);
    putString(out, section);
    return out;
}

// No message may quote the key: no base64 line of the input (20 characters or more) in it.
bool quotesInput(const QString &message, const QByteArray &input)
{
    const QList<QByteArray> lines = input.split('\n');
    for (const QByteArray &raw : lines) {
        const QByteArray line = raw.trimmed();
        const bool base64 = std::all_of(line.begin(), line.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                   || c == '=';
        });
        if (line.size() >= 20 && base64 && message.contains(QString::fromLatin1(line)))
            return true;
    }
    return false;
}

} // namespace

class TestSshKey : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_serial = 0;

    // A key made by ssh-keygen into the temp folder: its path (KEY, KEY.pub beside it).
    QString keygen(const QStringList &arguments, const QString &passphrase = {})
    {
        const QString path = m_dir.filePath(u"key%1"_s.arg(++m_serial));
        const Run run = sshKeygen(QStringList{u"-q"_s, u"-f"_s, path, u"-N"_s, passphrase, u"-C"_s,
                                              u"test-%1@mirrordesk"_s.arg(m_serial)}
                                  + arguments);
        if (run.exitCode != 0)
            qWarning("ssh-keygen %s failed: %s", qPrintable(arguments.join(u' ')), run.err.constData());
        return run.exitCode == 0 ? path : QString();
    }

    // `ssh-keygen -l -f FILE`'s fingerprint ("SHA256:…").
    static QString keygenFingerprint(const QString &path)
    {
        const Run run = sshKeygen({u"-l"_s, u"-E"_s, u"sha256"_s, u"-f"_s, path});
        return run.exitCode == 0 ? QString::fromLatin1(run.out).section(u' ', 1, 1) : QString();
    }

    // The message of a refused key, checked not to quote it.
    QString refusal(const QByteArray &text)
    {
        const auto info = md::inspectPrivateKey(text);
        if (info) {
            qWarning("accepted: %s", qPrintable(info->publicLine));
            return {};
        }
        if (info.error().category != md::ErrorCategory::Config)
            qWarning("category %d", int(info.error().category));
        if (quotesInput(info.error().message, text))
            qWarning("the message quotes the key: %s", qPrintable(info.error().message));
        return quotesInput(info.error().message, text) ? QString() : info.error().message;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(u"ssh-keygen"_s).isEmpty(), "ssh-keygen (OpenSSH) is needed");
    }

    // --- the writer ---------------------------------------------------------------------

    void generatedKeyIsReadBySshKeygen()
    {
        const auto key = md::generateEd25519(u"deploy@mirrordesk"_s);
        QVERIFY2(key, qPrintable(key ? QString() : key.error().message));
        QVERIFY(key->publicLine.startsWith(u"ssh-ed25519 AAAA"_s));
        QVERIFY(key->publicLine.endsWith(u" deploy@mirrordesk"_s));
        const QString path = m_dir.filePath(u"generated"_s);
        QVERIFY(writeOwnerOnly(path, key->privateKeyText));

        const Run derived = sshKeygen({u"-y"_s, u"-P"_s, QString(), u"-f"_s, path});
        QVERIFY2(derived.exitCode == 0, derived.err.constData());
        QCOMPARE(typeAndBlob(QString::fromLatin1(derived.out)), typeAndBlob(key->publicLine));
        QCOMPARE(keygenFingerprint(path), key->sha256Fingerprint);
        const auto host = md::HostKey::parseLine(key->publicLine);
        QVERIFY(host);
        QCOMPARE(host->sha256Fingerprint(), key->sha256Fingerprint);
    }

    // Byte for byte OpenSSH's layout: ssh-keygen rewriting the same key (-p) changes only the two
    // check ints, which it draws afresh.
    void generatedKeyHasOpenSshLayout()
    {
        const auto key = md::generateEd25519(u"layout"_s);
        QVERIFY(key);
        const QString path = m_dir.filePath(u"layout"_s);
        QVERIFY(writeOwnerOnly(path, key->privateKeyText));
        const Run rewrite = sshKeygen({u"-p"_s, u"-P"_s, QString(), u"-N"_s, QString(), u"-f"_s, path});
        QVERIFY2(rewrite.exitCode == 0, rewrite.err.constData());
        const QByteArray theirs = readFile(path);
        const QByteArray ours = key->privateKeyText;

        QList<qsizetype> ourLines;
        QList<qsizetype> theirLines;
        for (const QByteArray &line : ours.split('\n'))
            ourLines.append(line.size());
        for (const QByteArray &line : theirs.split('\n'))
            theirLines.append(line.size());
        QCOMPARE(ourLines, theirLines);
        QVERIFY(ours.startsWith(kBegin.toByteArray() + '\n'));
        QVERIFY(ours.endsWith('\n' + kEnd.toByteArray() + '\n'));
        for (qsizetype i = 1; i + 3 < ourLines.size(); ++i)
            QCOMPARE(ourLines.at(i), qsizetype(70));

        const QByteArray a = dearmour(ours);
        const QByteArray b = dearmour(theirs);
        QCOMPARE(a.size(), b.size());
        const Layout layout = layoutOf(a);
        QVERIFY(layout.section > 0 && layout.section + 8 <= a.size());
        QCOMPARE(u32At(a, layout.section), u32At(a, layout.section + 4));
        QCOMPARE(u32At(b, layout.section), u32At(b, layout.section + 4));
        QCOMPARE(a.first(layout.section), b.first(layout.section));
        QCOMPARE(a.sliced(layout.section + 8), b.sliced(layout.section + 8));
        QCOMPARE(a.sliced(layout.section + 8).size(), layout.sectionLength - 8);
    }

    void generatedKeyIsInspectedAndFresh()
    {
        const auto one = md::generateEd25519(u"one"_s);
        const auto two = md::generateEd25519(QString());
        QVERIFY(one && two);
        QVERIFY(one->publicLine != two->publicLine);
        QVERIFY(one->privateKeyText != two->privateKeyText);
        QVERIFY(!two->publicLine.contains(u"  "_s));
        QCOMPARE(two->publicLine.count(u' '), 1);
        const auto info = md::inspectPrivateKey(one->privateKeyText);
        QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
        QCOMPARE(info->type, u"ssh-ed25519"_s);
        QVERIFY(!info->encrypted);
        QVERIFY(!md::isPassphraseNeeded(*info));
        QCOMPARE(info->comment, u"one"_s);
        QCOMPARE(info->publicLine, one->publicLine);
        QCOMPARE(info->sha256Fingerprint, one->sha256Fingerprint);
        const auto canonical = md::canonicalPrivateKeyText(one->privateKeyText);
        QVERIFY(canonical);
        QCOMPARE(*canonical, one->privateKeyText);
    }

    void generateRefusesMultiLineComment()
    {
        const auto key = md::generateEd25519(u"two\nlines"_s);
        QVERIFY(!key);
        QCOMPARE(key.error().category, md::ErrorCategory::Usage);
        QVERIFY(key.error().message.contains(u"one line"_s));
    }

    // --- the reader, on what ssh-keygen makes --------------------------------------------

    void inspectsSshKeygenKeys_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("type");
        QTest::newRow("ed25519") << QStringList{u"-t"_s, u"ed25519"_s} << u"ssh-ed25519"_s;
        QTest::newRow("ecdsa 256") << QStringList{u"-t"_s, u"ecdsa"_s, u"-b"_s, u"256"_s} << u"ecdsa-sha2-nistp256"_s;
        QTest::newRow("ecdsa 384") << QStringList{u"-t"_s, u"ecdsa"_s, u"-b"_s, u"384"_s} << u"ecdsa-sha2-nistp384"_s;
        QTest::newRow("ecdsa 521") << QStringList{u"-t"_s, u"ecdsa"_s, u"-b"_s, u"521"_s} << u"ecdsa-sha2-nistp521"_s;
    }

    void inspectsSshKeygenKeys()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, type);
        const QString path = keygen(arguments);
        QVERIFY(!path.isEmpty());
        const QByteArray text = readFile(path);
        const auto info = md::inspectPrivateKey(text);
        QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
        QCOMPARE(info->type, type);
        QVERIFY(!info->encrypted);
        QCOMPARE(info->cipher, u"none"_s);
        QCOMPARE(info->publicLine, QString::fromLatin1(readFile(path + u".pub"_s)).trimmed());
        QCOMPARE(info->sha256Fingerprint, keygenFingerprint(path + u".pub"_s));
        QCOMPARE(info->comment, u"test-%1@mirrordesk"_s.arg(m_serial));
        // Already OpenSSH's layout: the canonical text is the file.
        const auto canonical = md::canonicalPrivateKeyText(text);
        QVERIFY(canonical);
        QCOMPARE(*canonical, text);
    }

    void inspectsEncryptedKeys_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("type");
        QTest::newRow("ed25519") << QStringList{u"-t"_s, u"ed25519"_s} << u"ssh-ed25519"_s;
        QTest::newRow("ecdsa 384") << QStringList{u"-t"_s, u"ecdsa"_s, u"-b"_s, u"384"_s} << u"ecdsa-sha2-nistp384"_s;
        QTest::newRow("ed25519 aes128-cbc")
            << QStringList{u"-t"_s, u"ed25519"_s, u"-Z"_s, u"aes128-cbc"_s} << u"ssh-ed25519"_s;
    }

    void inspectsEncryptedKeys()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, type);
        const QString path = keygen(arguments, u"pass"_s);
        QVERIFY(!path.isEmpty());
        const auto info = md::inspectPrivateKey(readFile(path));
        QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
        QCOMPARE(info->type, type);
        QVERIFY(info->encrypted);
        QVERIFY(md::isPassphraseNeeded(*info));
        QCOMPARE(info->cipher, arguments.contains(u"-Z"_s) ? arguments.last() : u"aes256-ctr"_s);
        QVERIFY(info->comment.isEmpty()); // inside the encrypted part
        QCOMPARE(info->publicLine, typeAndBlob(QString::fromLatin1(readFile(path + u".pub"_s))));
        QCOMPARE(info->sha256Fingerprint, keygenFingerprint(path + u".pub"_s));
    }

    // --- the reader, refusing ------------------------------------------------------------

    void refusesRsaAndDsa()
    {
        const QString rsa = keygen({u"-t"_s, u"rsa"_s, u"-b"_s, u"2048"_s});
        QVERIFY(!rsa.isEmpty());
        QVERIFY(readFile(rsa).startsWith(kBegin.toByteArray()));
        QString message = refusal(readFile(rsa));
        QVERIFY2(message.contains(u"RSA"_s) && message.contains(u"SHA-1"_s) && message.contains(u"ed25519"_s),
                 qPrintable(message));

        const QString pem = keygen({u"-t"_s, u"rsa"_s, u"-b"_s, u"2048"_s, u"-m"_s, u"PEM"_s});
        QVERIFY(!pem.isEmpty());
        QVERIFY(readFile(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        message = refusal(readFile(pem));
        QVERIFY2(message.contains(u"PEM"_s) && message.contains(u"RSA"_s) && message.contains(u"SHA-1"_s),
                 qPrintable(message));

        const QString dsa = keygen({u"-t"_s, u"dsa"_s});
        if (!dsa.isEmpty()) { // OpenSSH builds without DSA exist
            message = refusal(readFile(dsa));
            QVERIFY2(message.contains(u"DSA"_s), qPrintable(message));
        }
    }

    void refusesOtherFormats()
    {
        const QString ec = keygen({u"-t"_s, u"ecdsa"_s, u"-m"_s, u"PEM"_s});
        QVERIFY(!ec.isEmpty());
        QVERIFY(readFile(ec).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        QString message = refusal(readFile(ec));
        QVERIFY2(message.contains(u"PEM"_s) && message.contains(u"EC PRIVATE KEY"_s)
                     && message.contains(u"ssh-keygen -p -f KEY"_s),
                 qPrintable(message));

        const QString pkcs8 = keygen({u"-t"_s, u"ecdsa"_s, u"-m"_s, u"PKCS8"_s});
        QVERIFY(!pkcs8.isEmpty());
        QVERIFY(readFile(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----"));
        message = refusal(readFile(pkcs8));
        QVERIFY2(message.contains(u"PKCS#8"_s) && message.contains(u"ssh-keygen -p -f KEY"_s), qPrintable(message));

        const QByteArray ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\n"
                               "AAAAC3NzaC1lZDI1NTE5AAAAIBvVbGd0FSQUmDVp3ac6cHjb2Q4c5MkSEPc8xLv1JUt/\n";
        message = refusal(ppk);
        QVERIFY2(message.contains(u"PuTTY"_s) && message.contains(u"puttygen"_s), qPrintable(message));

        message = refusal("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        QVERIFY2(message.contains(u"certificate"_s), qPrintable(message));
    }

    void refusesPublicKeys()
    {
        const QString path = keygen({u"-t"_s, u"ed25519"_s});
        QVERIFY(!path.isEmpty());
        const QByteArray pub = readFile(path + u".pub"_s);
        QString message = refusal(pub);
        QVERIFY2(message.contains(u"public key"_s) && message.contains(u"not a private key"_s), qPrintable(message));
        message = refusal("no-pty,command=\"x\" " + pub);
        QVERIFY2(message.contains(u"public key"_s), qPrintable(message));
        const Run rfc4716 = sshKeygen({u"-e"_s, u"-f"_s, path + u".pub"_s});
        QCOMPARE(rfc4716.exitCode, 0);
        message = refusal(rfc4716.out);
        QVERIFY2(message.contains(u"public key"_s), qPrintable(message));
    }

    void refusesFidoKeys()
    {
        // ssh-keygen needs the token to make one: the layout by hand.
        QByteArray blob;
        putString(blob, "sk-ssh-ed25519@openssh.com");
        putString(blob, QByteArray(32, 'k'));
        putString(blob, "ssh:");
        QByteArray section;
        putU32(section, 7);
        putU32(section, 7);
        const QString message = refusal(armour(container("none", "none", "", 1, blob, section)));
        QVERIFY2(message.contains(u"FIDO"_s) && message.contains(u"hardware token"_s), qPrintable(message));
    }

    void refusesCiphersLibssh2CannotDecrypt_data()
    {
        QTest::addColumn<QString>("cipher");
        QTest::newRow("aes256-gcm") << u"aes256-gcm@openssh.com"_s;
        QTest::newRow("chacha20-poly1305") << u"chacha20-poly1305@openssh.com"_s;
    }

    void refusesCiphersLibssh2CannotDecrypt()
    {
        QFETCH(QString, cipher);
        const QString path = keygen({u"-t"_s, u"ed25519"_s, u"-Z"_s, cipher}, u"pass"_s);
        QVERIFY(!path.isEmpty());
        const QString message = refusal(readFile(path));
        QVERIFY2(message.contains(cipher) && message.contains(u"libssh2"_s)
                     && message.contains(u"ssh-keygen -p -Z aes256-ctr -f KEY"_s),
                 qPrintable(message));
    }

    // libssh2 runs the rounds at every connection: a key asking for billions is refused unread.
    void refusesEndlessKdfRounds()
    {
        const QString path = keygen({u"-t"_s, u"ed25519"_s, u"-a"_s, u"20"_s}, u"pass"_s);
        QVERIFY(!path.isEmpty());
        QByteArray binary = dearmour(readFile(path));
        // kdf options: string salt (16 bytes), uint32 rounds; after the cipher and kdf names.
        const qsizetype kdfOptions = 15 + 4 + u32At(binary, 15) + 4 + u32At(binary, 15 + 4 + u32At(binary, 15));
        const qsizetype roundsAt = kdfOptions + 4 + 4 + u32At(binary, kdfOptions + 4);
        QCOMPARE(u32At(binary, roundsAt), 20u);
        QVERIFY(md::inspectPrivateKey(armour(binary)));
        binary[roundsAt] = char(0x7f);
        const QString message = refusal(armour(binary));
        QVERIFY2(message.contains(u"rounds"_s) && message.contains(u"ssh-keygen -p -a 100 -f KEY"_s), qPrintable(message));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!md::checkPassphrase(armour(binary), "pass"));
        QVERIFY(timer.elapsed() < 1000);
    }

    void refusesEmptyAndGarbage()
    {
        QVERIFY2(refusal({}).contains(u"empty"_s), qPrintable(refusal({})));
        QVERIFY(refusal(" \n\t\r\n").contains(u"empty"_s));

        QByteArray garbage(4096, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(garbage.data()), garbage.size() / 4);
        QVERIFY(refusal(garbage).contains(u"not an SSH private key"_s));
        // Random bytes in the armour: no magic.
        QVERIFY2(refusal(armour(garbage)).contains(u"openssh-key-v1"_s), qPrintable(refusal(armour(garbage))));
        // Not base64 between the lines.
        QVERIFY(refusal(kBegin.toByteArray() + "\nnot*base64!\n" + kEnd.toByteArray()).contains(u"not base64"_s));
        QVERIFY(refusal(kBegin.toByteArray() + "\n\n" + kEnd.toByteArray()).contains(u"truncated"_s));
    }

    void refusesTruncatedKeys()
    {
        const auto key = md::generateEd25519(u"cut"_s);
        QVERIFY(key);
        const QByteArray &text = key->privateKeyText;
        // Cut anywhere: refused, never a crash, never the key quoted.
        for (qsizetype cut = 0; cut < text.size(); cut += 7) {
            const QString message = refusal(text.left(cut));
            QVERIFY2(!message.isEmpty(), qPrintable(u"cut at %1"_s.arg(cut)));
        }
        QVERIFY(refusal(text.left(text.size() / 2)).contains(u"END OPENSSH PRIVATE KEY"_s));
        // Whole base64 lines lost, the END line kept.
        QList<QByteArray> lines = text.split('\n');
        lines.remove(2, 2);
        QVERIFY2(refusal(lines.join('\n')).contains(u"truncated"_s), qPrintable(refusal(lines.join('\n'))));
        // The binary cut short and re-armoured (well-formed base64, lengths past the end).
        const QByteArray binary = dearmour(text);
        for (qsizetype cut = 15; cut < binary.size(); cut += 5) {
            const QString message = refusal(armour(binary.left(cut)));
            QVERIFY2(message.contains(u"truncated"_s) || message.contains(u"corrupt"_s),
                     qPrintable(u"cut at %1: %2"_s.arg(cut).arg(message)));
        }
    }

    void refusesFlippedBytes_data()
    {
        QTest::addColumn<QString>("where");
        QTest::newRow("first check int") << u"check1"_s;
        QTest::newRow("second check int") << u"check2"_s;
        QTest::newRow("private part's public key") << u"pub"_s;
        QTest::newRow("seed") << u"seed"_s;
        QTest::newRow("padding") << u"padding"_s;
        QTest::newRow("header's public key") << u"header"_s;
    }

    void refusesFlippedBytes()
    {
        QFETCH(QString, where);
        const QString path = keygen({u"-t"_s, u"ed25519"_s});
        QVERIFY(!path.isEmpty());
        QByteArray binary = dearmour(readFile(path));
        const Layout layout = layoutOf(binary);
        // Private section: check1 check2, string type (11), string pub (32), string priv (64), …
        const qsizetype pubAt = layout.section + 8 + 4 + 11 + 4;
        const qsizetype seedAt = pubAt + 32 + 4;
        const QHash<QString, qsizetype> offsets{
            {u"check1"_s, layout.section},
            {u"check2"_s, layout.section + 7},
            {u"pub"_s, pubAt + 5},
            {u"seed"_s, seedAt + 3},
            {u"padding"_s, layout.section + layout.sectionLength - 1},
            {u"header"_s, layout.publicBlob + 4 + 4 + 11 + 4 + 9},
        };
        const qsizetype at = offsets.value(where);
        QVERIFY(at > 0 && at < binary.size());
        if (where == u"padding"_s)
            QVERIFY(binary.at(at) >= 1 && binary.at(at) <= 7); // the last byte really is padding
        binary[at] = char(binary.at(at) ^ 0x20);
        const QString message = refusal(armour(binary));
        QVERIFY2(message.startsWith(u"corrupt key"_s), qPrintable(message));
    }

    void refusesMoreThanOneKey()
    {
        const auto one = md::generateEd25519(u"a"_s);
        const auto two = md::generateEd25519(u"b"_s);
        QVERIFY(one && two);
        QVERIFY(refusal(one->privateKeyText + two->privateKeyText).contains(u"more than one key"_s));
        QByteArray binary = dearmour(one->privateKeyText);
        const Layout layout = layoutOf(binary);
        QCOMPARE(u32At(binary, layout.keyCount), 1u);
        binary[layout.keyCount + 3] = 2;
        QVERIFY(refusal(armour(binary)).contains(u"more than one key"_s));
    }

    void boundsLargeInput()
    {
        const auto key = md::generateEd25519(u"big"_s);
        QVERIFY(key);
        QByteArray big = key->privateKeyText;
        big.insert(kBegin.size() + 1, QByteArray(1024 * 1024, 'A'));
        QElapsedTimer timer;
        timer.start();
        QString message = refusal(big);
        QVERIFY2(message.contains(u"too large"_s), qPrintable(message));
        QByteArray noise(1024 * 1024, '-');
        message = refusal(noise);
        QVERIFY(message.contains(u"too large"_s));
        QVERIFY2(timer.elapsed() < 1000, qPrintable(u"%1 ms"_s.arg(timer.elapsed())));
    }

    // What a user pastes: CRLF, indentation, a label before it. Read, and canonical again.
    void acceptsPastedLayout()
    {
        const QString path = keygen({u"-t"_s, u"ed25519"_s});
        QVERIFY(!path.isEmpty());
        const QByteArray text = readFile(path);
        QByteArray pasted = text;
        pasted.replace("\n", "\r\n    ");
        pasted.prepend("my key:\r\n  ");
        const auto info = md::inspectPrivateKey(pasted);
        QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
        QCOMPARE(info->publicLine, QString::fromLatin1(readFile(path + u".pub"_s)).trimmed());
        const auto canonical = md::canonicalPrivateKeyText(pasted);
        QVERIFY(canonical);
        QCOMPARE(*canonical, text);
    }

    // --- the passphrase, through libssh2 -------------------------------------------------

    void checksPassphrase_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("ed25519") << QStringList{u"-t"_s, u"ed25519"_s};
        QTest::newRow("ecdsa 256") << QStringList{u"-t"_s, u"ecdsa"_s, u"-b"_s, u"256"_s};
        QTest::newRow("ed25519 aes128-cbc") << QStringList{u"-t"_s, u"ed25519"_s, u"-Z"_s, u"aes128-cbc"_s};
    }

    void checksPassphrase()
    {
        QFETCH(QStringList, arguments);
        const QString path = keygen(arguments, u"correct horse"_s);
        QVERIFY(!path.isEmpty());
        const QByteArray text = readFile(path);

        const md::Status right = md::checkPassphrase(text, "correct horse");
        QVERIFY2(right, qPrintable(right ? QString() : right.error().message));

        const md::Status wrong = md::checkPassphrase(text, "correct horsf");
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().category, md::ErrorCategory::Auth);
        QVERIFY2(wrong.error().message.contains(u"wrong passphrase"_s), qPrintable(wrong.error().message));
        QVERIFY(!wrong.error().message.contains(u"horse"_s));

        const md::Status none = md::checkPassphrase(text, {});
        QVERIFY(!none);
        QCOMPARE(none.error().category, md::ErrorCategory::Auth);
        QVERIFY2(none.error().message.contains(u"give its passphrase"_s), qPrintable(none.error().message));

        const md::Status nul = md::checkPassphrase(text, QByteArray("correct horse\0x", 15));
        QVERIFY(!nul);
        QCOMPARE(nul.error().category, md::ErrorCategory::Usage);

        // The pasted layout works too (libssh2 is given the canonical text).
        QByteArray pasted = text;
        pasted.replace("\n", "\r\n  ");
        QVERIFY(md::checkPassphrase(pasted, "correct horse"));
    }

    // Unencrypted keys, ours and ssh-keygen's, load in libssh2 (whatever passphrase).
    void checksUnencryptedKeysLoad()
    {
        const auto key = md::generateEd25519(u"ours"_s);
        QVERIFY(key);
        const md::Status ours = md::checkPassphrase(key->privateKeyText, {});
        QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().message));
        QVERIFY(md::checkPassphrase(key->privateKeyText, "ignored"));
        const QString path = keygen({u"-t"_s, u"ecdsa"_s, u"-b"_s, u"521"_s});
        QVERIFY(!path.isEmpty());
        QVERIFY(md::checkPassphrase(readFile(path), {}));
        // What the reader refuses never reaches libssh2.
        const md::Status refused = md::checkPassphrase(readFile(path + u".pub"_s), {});
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(u"public key"_s));
    }

    // An encrypted key whose clear header was given another key's public half: only decrypting
    // tells, and libssh2's derived public key does.
    void checkPassphraseCatchesForeignHeader()
    {
        const QString encrypted = keygen({u"-t"_s, u"ed25519"_s}, u"pass"_s);
        const QString other = keygen({u"-t"_s, u"ed25519"_s});
        QVERIFY(!encrypted.isEmpty() && !other.isEmpty());
        QByteArray binary = dearmour(readFile(encrypted));
        const QByteArray otherBinary = dearmour(readFile(other));
        const Layout layout = layoutOf(binary);
        const Layout otherLayout = layoutOf(otherBinary);
        const qsizetype blobSize = 4 + u32At(binary, layout.publicBlob);
        QCOMPARE(4 + u32At(otherBinary, otherLayout.publicBlob), quint32(blobSize));
        binary.replace(layout.publicBlob, blobSize, otherBinary.mid(otherLayout.publicBlob, blobSize));
        const QByteArray forged = armour(binary);
        QVERIFY(md::inspectPrivateKey(forged)); // the header alone cannot tell
        const md::Status status = md::checkPassphrase(forged, "pass");
        QVERIFY(!status);
        QVERIFY2(status.error().message.startsWith(u"corrupt key"_s), qPrintable(status.error().message));
    }
};

QTEST_GUILESS_MAIN(TestSshKey)
#include "TestSshKey.moc"
