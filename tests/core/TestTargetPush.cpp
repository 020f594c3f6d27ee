// The pieces of a push that need no server: git's porcelain report read back, forge messages
// mapped to categories and hints, and the run's error after a push.
#include "git/GitCliPush.h"
#include "mirror/TargetPush.h"

#include <QTest>

using namespace md;

class TestTargetPush : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void porcelainReport()
    {
        const QByteArray out = "To git://127.0.0.1:1/t.git\n"
                               "*\trefs/heads/a:refs/heads/a\t[new branch]\n"
                               "+\trefs/heads/b:refs/heads/b\t1111111...2222222 (forced update)\n"
                               "-\t:refs/heads/gone\t[deleted]\n"
                               "!\trefs/heads/p:refs/heads/p\t[remote rejected] (pre-receive hook declined)\n"
                               "!\trefs/heads/d:refs/heads/d\t[rejected] (stale info)\n"
                               "=\trefs/tags/v1:refs/tags/v1\t[up to date]\n"
                               "Done\n";
        const QByteArray err = "remote: GitLab: You are not allowed to force push code to a protected branch on this project.\r\n"
                               "remote: GitLab: You are not allowed to force push code to a protected branch on this project.\n"
                               "Writing objects: 100% (3/3), done.\n"
                               "error: failed to push some refs to 'git://127.0.0.1:1/t.git'\n";
        auto report = git::parseGitPush(out, err, QStringLiteral("git://127.0.0.1:1/t.git"));
        QVERIFY(report);
        QCOMPARE(report->refs.size(), 6);
        QCOMPARE(report->refs.at(0).ref, QStringLiteral("refs/heads/a"));
        QVERIFY(report->refs.at(0).message.isEmpty());
        QVERIFY(report->refs.at(1).message.isEmpty());
        QCOMPARE(report->refs.at(2).ref, QStringLiteral("refs/heads/gone"));
        QCOMPARE(report->refs.at(3).message, QStringLiteral("pre-receive hook declined"));
        QVERIFY2(report->refs.at(4).message.contains(QStringLiteral("moved on the target since it was planned")), qPrintable(report->refs.at(4).message));
        // The host's words once, without git's own progress.
        QCOMPARE(report->hostText, QStringLiteral("GitLab: You are not allowed to force push code to a protected branch on this project."));
    }

    void noRefReportedIsAFailure_data()
    {
        QTest::addColumn<QByteArray>("err");
        QTest::addColumn<int>("category");
        QTest::newRow("auth") << QByteArray("fatal: Authentication failed for 'http://h/x.git/'\n") << int(ErrorCategory::Auth);
        QTest::newRow("no username") << QByteArray("fatal: could not read Username for 'http://h': terminal prompts disabled\n") << int(ErrorCategory::Auth);
        QTest::newRow("refused") << QByteArray("fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n") << int(ErrorCategory::Network);
        QTest::newRow("tls") << QByteArray("fatal: unable to access 'https://localhost/': server certificate verification failed\n") << int(ErrorCategory::Tls);
    }
    void noRefReportedIsAFailure()
    {
        QFETCH(QByteArray, err);
        QFETCH(int, category);
        auto report = git::parseGitPush("", err, QStringLiteral("http://h/x.git"));
        QVERIFY(!report);
        QCOMPARE(int(report.error().category), category);
        QVERIFY(report.error().message.startsWith(QStringLiteral("cannot push to http://h/x.git: ")));
    }

    void secretsInGitsWordsAreScrubbed()
    {
        auto report = git::parseGitPush("", "fatal: unable to access 'https://bob:hunter2@h/x.git/': 403\n", QStringLiteral("https://h/x.git"));
        QVERIFY(!report);
        QVERIFY2(!report.error().message.contains(QStringLiteral("hunter2")), qPrintable(report.error().message));
    }

    void forgeMessages_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("category");
        QTest::addColumn<QString>("hint");
        QTest::newRow("gitlab protected") << "GitLab: You are not allowed to force push code to a protected branch on this project." << int(ErrorCategory::Protected) << "protects this branch";
        QTest::newRow("gitlab protected push") << "You are not allowed to push code to protected branches on this project." << int(ErrorCategory::Protected) << "protects this branch";
        QTest::newRow("github protected") << "GH006: Protected branch update failed for refs/heads/main." << int(ErrorCategory::Protected) << "protects this branch";
        QTest::newRow("size limit") << "error: pack exceeds maximum allowed size" << int(ErrorCategory::Rejected) << "push size limit";
        QTest::newRow("github large file") << "GH001: Large files detected." << int(ErrorCategory::Rejected) << "push size limit";
        QTest::newRow("secret scanning") << "GH013: Repository rule violations found: Push cannot contain secrets" << int(ErrorCategory::Rejected) << "secret scanning";
        QTest::newRow("lfs missing") << "GitLab: LFS objects are missing. Ensure LFS is properly set up or try a manual \"git lfs push --all\"." << int(ErrorCategory::Rejected) << "Git LFS";
        QTest::newRow("plain hook") << "hook declined" << int(ErrorCategory::Rejected) << "";
    }
    void forgeMessages()
    {
        QFETCH(QString, text);
        QFETCH(int, category);
        QFETCH(QString, hint);
        const HostRefusal refusal = classifyHostRefusal(text);
        QCOMPARE(int(refusal.category), category);
        if (hint.isEmpty())
            QVERIFY(refusal.hint.isEmpty());
        else
            QVERIFY2(refusal.hint.contains(hint), qPrintable(refusal.hint));
    }

    void runErrorAfterAPush()
    {
        auto ref = [](const char *name, RefAction action, RefOutcome outcome, const char *message = "") {
            return RefResult{QString::fromLatin1(name), action, QString(), QString(), outcome, QString::fromLatin1(message), QStringLiteral("target")};
        };
        QVERIFY(!targetPushError({ref("refs/heads/main", RefAction::FastForward, RefOutcome::Ok)}, {}));
        // keep_divergent_refs: the diverged refs are named.
        auto diverged = targetPushError({ref("refs/heads/main", RefAction::FastForward, RefOutcome::Ok),
                                         ref("refs/heads/develop", RefAction::SkipDiverged, RefOutcome::Skipped)}, {});
        QVERIFY(diverged);
        QCOMPARE(diverged->category, ErrorCategory::Diverged);
        QVERIFY2(diverged->message.contains(QStringLiteral("some refs have diverged: develop")), qPrintable(diverged->message));
        // A protected branch refused: protected, with the host's words and a hint.
        auto refused = targetPushError({ref("refs/heads/p", RefAction::Create, RefOutcome::Rejected, "pre-receive hook declined")},
                                       {QStringLiteral("GitLab: You are not allowed to force push code to a protected branch on this project.")});
        QVERIFY(refused);
        QCOMPARE(refused->category, ErrorCategory::Protected);
        QVERIFY(refused->message.contains(QStringLiteral("the target refused 1 ref: p (pre-receive hook declined)")));
        QVERIFY(refused->message.contains(QStringLiteral("the host said: GitLab:")));
        QVERIFY(refused->message.contains(QStringLiteral("hint: ")));
        // The cache's own lines and rule-rejected refs are not the target's refusals.
        QVERIFY(!targetPushError({RefResult{QStringLiteral("refs/heads/x"), RefAction::Create, {}, {}, RefOutcome::Rejected, QStringLiteral("x"), QString()},
                                  ref("refs/pull/1/head", RefAction::Rejected, RefOutcome::Rejected, "host-internal")}, {}));
    }
};

QTEST_GUILESS_MAIN(TestTargetPush)
#include "TestTargetPush.moc"
