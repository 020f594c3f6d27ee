#include "mirror/Mirror.h"
#include "security/GitUrl.h"

#include <QTest>

namespace {

// The message a mirror with this source gets from validation (what add/edit and a config load print).
QString validateEndpointUrlForTest(const QString &url)
{
    md::Mirror mirror;
    mirror.name = QStringLiteral("m");
    mirror.source.url = url;
    const auto status = md::validateMirror(mirror);
    return status ? QString() : status.error().text();
}

} // namespace

using md::GitUrl;

class TestGitUrl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesKinds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("hostPort");
        QTest::newRow("https") << "https://github.com/org/repo.git" << int(GitUrl::Kind::Https) << "github.com:443";
        QTest::newRow("http port") << "http://localhost:8080/git/r.git" << int(GitUrl::Kind::Http) << "localhost:8080";
        QTest::newRow("git") << "git://127.0.0.1:9419/r.git" << int(GitUrl::Kind::Git) << "127.0.0.1:9419";
        QTest::newRow("ssh") << "ssh://git@Example.org:2222/g/p.git" << int(GitUrl::Kind::Ssh) << "example.org:2222";
        QTest::newRow("scp") << "git@gitlab.com:group/project.git" << int(GitUrl::Kind::Scp) << "gitlab.com:22";
        QTest::newRow("scp v6") << "git@[::1]:group/project.git" << int(GitUrl::Kind::Scp) << "[::1]:22";
        QTest::newRow("file") << "file:///srv/git/r.git" << int(GitUrl::Kind::File) << "";
        QTest::newRow("abs path") << "/srv/git/r.git" << int(GitUrl::Kind::Local) << "";
        QTest::newRow("rel path") << "./r.git" << int(GitUrl::Kind::Local) << "";
        QTest::newRow("path with colon after slash") << "./a:b" << int(GitUrl::Kind::Local) << "";
    }
    void parsesKinds()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, hostPort);
        const auto url = GitUrl::parse(text);
        QVERIFY2(url.ok(), qPrintable(url.ok() ? QString() : url.error().message));
        QCOMPARE(int(url->kind()), kind);
        QCOMPARE(url->hostPort(), hostPort);
    }

    void refusesMalformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "" << "is empty";
        QTest::newRow("ftp") << "ftp://host/r.git" << "unsupported scheme \"ftp\"";
        QTest::newRow("no host") << "https:///r.git" << "has no host";
        QTest::newRow("no path") << "https://github.com" << "has no repository path";
        QTest::newRow("bad port") << "https://github.com:99999/r.git" << "is not a valid URL";
        QTest::newRow("space") << "https://github.com/a b.git" << "contains spaces";
        QTest::newRow("query") << "https://github.com/r.git?x=1" << "query";
        QTest::newRow("scp no path") << "git@host:" << "has no repository path";
        QTest::newRow("scp empty user") << "@host:r.git" << "empty user name";
        QTest::newRow("bad scheme") << "1http://x/y" << "malformed scheme";
        QTest::newRow("remote file") << "file://server/r.git" << "cannot name a remote host";
        QTest::newRow("trailing space") << "https://h/r.git " << "leading or trailing spaces";
        QTest::newRow("one slash") << "https:/user:pw@host/x" << "mistyped \"://\"";
        QTest::newRow("no colon") << "https//user:pw@host/x" << "mistyped \"://\"";
        QTest::newRow("scp with password") << "user:secret@example.com:x.git" << "cannot carry a password";
    }
    void refusesMalformed()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const auto url = GitUrl::parse(text);
        QVERIFY(!url.ok());
        QVERIFY2(url.error().message.contains(message), qPrintable(url.error().message));
    }

    void scrubsCredentials()
    {
        const auto url = GitUrl::parse(QStringLiteral("https://alice:s3cret@github.com/org/r.git"));
        QVERIFY(url.ok());
        QVERIFY(url->hasPassword());
        QCOMPARE(url->scrubbed(), QStringLiteral("https://*****:*****@github.com/org/r.git"));
        QCOMPARE(url->withoutCredentials(), QStringLiteral("https://github.com/org/r.git"));
        const auto token = GitUrl::parse(QStringLiteral("https://ghp_TOKEN@github.com/org/r.git"));
        QVERIFY(!token->scrubbed().contains(QLatin1String("ghp_TOKEN")));
        const auto ssh = GitUrl::parse(QStringLiteral("ssh://git:pw@host/r.git"));
        QCOMPARE(ssh->scrubbed(), QStringLiteral("ssh://git:*****@host/r.git"));
        QCOMPARE(ssh->withoutCredentials(), QStringLiteral("ssh://git@host/r.git"));
        QCOMPARE(GitUrl::parse(QStringLiteral("git@host:g/p.git"))->scrubbed(), QStringLiteral("git@host:g/p.git"));
    }

    void scrubsFreeText()
    {
        const QString text = QStringLiteral("failed to fetch https://bob:hunter2@h/r.git and http://tok@h2/x; ssh://git:pw@h3/y");
        const QString scrubbed = GitUrl::scrubText(text);
        QVERIFY(!scrubbed.contains(QLatin1String("hunter2")));
        QVERIFY(!scrubbed.contains(QLatin1String("tok@")));
        QVERIFY(!scrubbed.contains(QLatin1String(":pw@")));
        QVERIFY(scrubbed.contains(QLatin1String("https://*****:*****@h/r.git")));
        QVERIFY(scrubbed.contains(QLatin1String("ssh://git:*****@h3/y")));
        QVERIFY(scrubbed.startsWith(QLatin1String("failed to fetch ")));
    }

    void scrubsScpStylePasswords()
    {
        // Refused by parse (an SCP-style address cannot carry a password), but shown masked.
        const QString typed = QStringLiteral("alice:Hunter2SecretPW@127.0.0.1:proj.git");
        QVERIFY(!GitUrl::parse(typed).ok());
        const QString shown = GitUrl::scrub(typed);
        QVERIFY2(!shown.contains(QLatin1String("Hunter2SecretPW")), qPrintable(shown));
        QCOMPARE(shown, QStringLiteral("alice:*****@127.0.0.1:proj.git"));
        const auto invalid = validateEndpointUrlForTest(typed);
        QVERIFY2(!invalid.contains(QLatin1String("Hunter2SecretPW")), qPrintable(invalid));
    }

    void scrubsPasswordsTypedWithSpaces()
    {
        // Refused by parse (spaces), but error messages quote the location: all of it before the
        // last "@" is user info, not only what stands before the space (found by fuzz_git_url).
        const QList<std::pair<QString, QString>> cases{
            {QStringLiteral("https://alice:my secret@git.example.org/r.git"), QStringLiteral("https://*****:*****@git.example.org/r.git")},
            {QStringLiteral("ssh://git:my secret@host/r.git"), QStringLiteral("ssh://git:*****@host/r.git")},
            {QStringLiteral("https://alice:my\tsecret@host/r.git"), QStringLiteral("https://*****:*****@host/r.git")},
            {QStringLiteral("alice:my secret@host:g/r.git"), QStringLiteral("alice:*****@host:g/r.git")},
        };
        for (const auto &[typed, shown] : cases) {
            QVERIFY(!GitUrl::parse(typed).ok());
            QCOMPARE(GitUrl::scrub(typed), shown);
            const QString invalid = validateEndpointUrlForTest(typed);
            QVERIFY2(!invalid.isEmpty() && !invalid.contains(QLatin1String("secret")), qPrintable(invalid));
        }
        // Spaces with no user info: nothing to mask.
        QCOMPARE(GitUrl::scrub(QStringLiteral("https://host/my repo.git")), QStringLiteral("https://host/my repo.git"));
    }

    void scrubsPasswordsWithSpecialCharacters()
    {
        for (const char *password : {"p#ss", "p/ss", "p?ss", "p@ss", "a/b@c#d"}) {
            const QString url = QStringLiteral("https://user:%1@host/x.git").arg(QString::fromLatin1(password));
            const QString scrubbed = GitUrl::scrubText(QStringLiteral("error: ") + url + QStringLiteral(" failed"));
            QVERIFY2(!scrubbed.contains(QString::fromLatin1(password)), qPrintable(scrubbed));
            QVERIFY2(scrubbed.endsWith(QLatin1String("@host/x.git failed")), qPrintable(scrubbed));
        }
        QCOMPARE(GitUrl::scrubText(QStringLiteral("see https://host/a.git and git://h/b")),
                 QStringLiteral("see https://host/a.git and git://h/b"));
    }

    void malformedUrlMessageHidesPassword()
    {
        const auto url = GitUrl::parse(QStringLiteral("https://u:topsecret@host:notaport/r.git"));
        QVERIFY(!url.ok());
        QVERIFY(!url.error().message.contains(QLatin1String("topsecret")));
    }
};

QTEST_GUILESS_MAIN(TestGitUrl)
#include "TestGitUrl.moc"
