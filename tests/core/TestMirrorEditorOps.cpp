// What the window's mirror editor stands on, in ops: validateMirrorInConfig (the command line's
// add/edit checks, pure, errors on the mirror's own fields), MirrorOps::save (add, or rename then
// edit, undone together), describeRules (the effective rules as data), selectBranches and the
// SourceLister (Test connection) against a real git daemon, a dead port and a silent server.
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "ServerProcess.h"
#include "SilentServer.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "ops/MirrorOps.h"
#include "ops/MirrorRules.h"
#include "ops/SourceBranches.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace md;
using namespace Qt::StringLiterals;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::SilentServer;

namespace {

Mirror pullMirror(const QString &name, const QString &url)
{
    Mirror m;
    m.name = name;
    m.source.url = url;
    return m;
}

Credential credential(const QString &name, CredentialKind kind)
{
    Credential c;
    c.name = name;
    c.kind = kind;
    c.username = u"git"_s;
    if (kind != CredentialKind::SshAgent)
        c.secretSource = SecretSource{SecretSource::Kind::Env, u"MD_TEST_SECRET"_s};
    return c;
}

QList<MirrorRuleKind> kinds(const QList<MirrorRule> &rules)
{
    QList<MirrorRuleKind> out;
    for (const MirrorRule &rule : rules)
        out.append(rule.kind);
    return out;
}

const MirrorRule *ruleOf(const QList<MirrorRule> &rules, MirrorRuleKind kind)
{
    for (const MirrorRule &rule : rules) {
        if (rule.kind == kind)
            return &rule;
    }
    return nullptr;
}

} // namespace

class TestMirrorEditorOps : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    GitDaemonServer m_daemon;

    Config baseConfig() const
    {
        Config config;
        config.settings.cacheRoot = m_dir.filePath(u"caches"_s);
        config.credentials = {credential(u"token"_s, CredentialKind::Token), credential(u"key"_s, CredentialKind::SshAgent)};
        config.mirrors = {pullMirror(u"Alpha"_s, u"https://example.org/alpha.git"_s),
                          pullMirror(u"beta"_s, u"https://example.org/beta.git"_s)};
        config.mirrors[1].cachePath = m_dir.filePath(u"elsewhere/beta.git"_s);
        return config;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString base = m_dir.filePath(u"srv"_s);
        const QString work = m_dir.filePath(u"work"_s);
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initBare(base + u"/src.git"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::initWork(work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s));
        for (const QString &branch : {u"release/1.0"_s, u"release/2.0"_s, u"feature/x"_s})
            QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::run({u"branch"_s, branch}, work));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::tag(work, u"v1"_s));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, base + u"/src.git"_s, {u"--all"_s}));
        QVERIFY_THROWS_NO_EXCEPTION(GitRepoBuilder::push(work, base + u"/src.git"_s, {u"--tags"_s}));
        QVERIFY2(m_daemon.start(base), qPrintable(m_daemon.errorString()));
    }

    void validateNamesTheMirrorsOwnField()
    {
        const Config config = baseConfig();
        const Status fine = validateMirrorInConfig(config, pullMirror(u"gamma"_s, u"https://example.org/g.git"_s));
        QVERIFY2(fine.ok(), qPrintable(fine.ok() ? QString() : fine.error().text()));

        // Names are unique ignoring case; the mirror's own name is no clash when editing it.
        Status status = validateMirrorInConfig(config, pullMirror(u"ALPHA"_s, u"https://example.org/g.git"_s));
        QVERIFY(!status);
        QCOMPARE(status.error().field, u"name"_s);
        QVERIFY2(status.error().message.contains(u"already exists"_s), qPrintable(status.error().message));
        Mirror alpha = config.mirrors.at(0);
        alpha.name = u"alpha"_s; // a case-only rename
        QVERIFY(validateMirrorInConfig(config, alpha, u"Alpha"_s).ok());
        alpha.name = u"Beta"_s;
        status = validateMirrorInConfig(config, alpha, u"Alpha"_s);
        QVERIFY(!status);
        QCOMPARE(status.error().field, u"name"_s);
        QCOMPARE(validateMirrorInConfig(config, alpha, u"nobody"_s).error().category, ErrorCategory::Usage);

        // The mirror's own fields, as validateMirror says them.
        Mirror bad = pullMirror(u"gamma"_s, u"https://example.org/g.git"_s);
        bad.mirrorBranchRegex = u"(unclosed"_s;
        status = validateMirrorInConfig(config, bad);
        QCOMPARE(status.error().field, u"mirror_branch_regex"_s);
        QVERIFY2(status.error().message.contains(u"missing )"_s), qPrintable(status.error().message));
        bad = pullMirror(u"gamma"_s, u"https://user:hunter2@example.org/g.git"_s);
        status = validateMirrorInConfig(config, bad);
        QCOMPARE(status.error().field, u"source.url"_s);
        QCOMPARE(status.error().detail.value(u"reason"_s).toString(), u"url_password"_s);
        QVERIFY(!status.error().message.contains(u"hunter2"_s));

        // Whole-config checks, reported on this mirror even when found on another.
        Mirror gamma = pullMirror(u"gamma"_s, u"https://example.org/g.git"_s);
        gamma.source.credential = u"missing"_s;
        QCOMPARE(validateMirrorInConfig(config, gamma).error().field, u"source.credential"_s);
        gamma.source.url = u"ssh://git@example.org/g.git"_s;
        gamma.source.credential = u"token"_s; // a token for an SSH URL
        QCOMPARE(validateMirrorInConfig(config, gamma).error().field, u"source.credential"_s);
        gamma.source.credential = u"key"_s;
        QVERIFY(validateMirrorInConfig(config, gamma).ok());
        gamma.cachePath = m_dir.filePath(u"elsewhere/beta.git/inner"_s); // inside beta's cache
        status = validateMirrorInConfig(config, gamma);
        QCOMPARE(status.error().field, u"cache_path"_s);
        QVERIFY2(status.error().message.contains(u"beta"_s), qPrintable(status.error().message));
        // Editing alpha: its cache may not hold beta's (beta was checked first in the config).
        alpha = config.mirrors.at(0);
        alpha.cachePath = m_dir.filePath(u"elsewhere"_s);
        QCOMPARE(validateMirrorInConfig(config, alpha, u"Alpha"_s).error().field, u"cache_path"_s);
        // A local source that holds another mirror's cache: found on that cache, said on the source.
        Mirror push;
        push.name = u"push"_s;
        push.shape = Shape::Push;
        push.source.url = m_dir.filePath(u"elsewhere"_s);
        push.target.url = u"https://example.org/target.git"_s;
        status = validateMirrorInConfig(config, push);
        QCOMPARE(status.error().field, u"source.url"_s);
    }

    void saveAddsOrRenamesAndEdits()
    {
        QTemporaryDir dir;
        const QString configPath = dir.filePath(u"mirrors.json"_s);
        const QString stateDir = dir.filePath(u"state"_s);
        const QString caches = dir.filePath(u"caches"_s);
        QVERIFY(MirrorStore(configPath).modify([&](Config &c) {
            c.settings.cacheRoot = caches;
            return Status{};
        }).ok());
        MirrorOps ops(configPath, stateDir);
        auto added = ops.save({}, pullMirror(u"one"_s, m_daemon.url(u"src.git"_s)));
        QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().text()));
        QVERIFY(added->config.mirror(u"one"_s));
        QCOMPARE(ops.save({}, pullMirror(u"ONE"_s, m_daemon.url(u"src.git"_s))).error().field, u"name"_s);

        // A cache at the default place moves with a rename; the other fields change with it.
        QVERIFY(QDir().mkpath(caches + u"/one.git"_s));
        Mirror changed = pullMirror(u"two"_s, m_daemon.url(u"src.git"_s));
        changed.prune = PrunePolicy::None;
        changed.mirrorBranchRegex = u"^release/"_s;
        auto saved = ops.save(u"one"_s, changed);
        QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().text()));
        auto config = MirrorStore(configPath).load();
        QVERIFY(config.ok());
        QCOMPARE(config->mirrors.size(), 1);
        QCOMPARE(config->mirrors.at(0), changed);
        QVERIFY(QFileInfo::exists(caches + u"/two.git"_s));
        QVERIFY(!QFileInfo::exists(caches + u"/one.git"_s));

        // A rename whose edit fails (a local source typed that is no folder) is undone as a whole.
        Mirror broken = changed;
        broken.name = u"three"_s;
        broken.source.url = dir.filePath(u"no-such-folder"_s);
        auto refused = ops.save(u"two"_s, broken);
        QVERIFY(!refused);
        QCOMPARE(refused.error().field, u"source.url"_s);
        config = MirrorStore(configPath).load();
        QCOMPARE(config->mirrors.at(0), changed);
        QVERIFY(QFileInfo::exists(caches + u"/two.git"_s));
        QVERIFY(!QFileInfo::exists(caches + u"/three.git"_s));
    }

    void rulesFollowTheOptions()
    {
        Settings settings;
        settings.defaultIntervalMinutes = 7;
        Mirror pull = pullMirror(u"p"_s, u"https://example.org/p.git"_s);
        QList<MirrorRule> rules = describeRules(pull, settings);
        QCOMPARE(kinds(rules), (QList<MirrorRuleKind>{MirrorRuleKind::PullIntoCache, MirrorRuleKind::AllBranches,
                                                       MirrorRuleKind::AllTags, MirrorRuleKind::DivergedForced,
                                                       MirrorRuleKind::GoneRemoved, MirrorRuleKind::Scheduled,
                                                       MirrorRuleKind::ManualInterval, MirrorRuleKind::AtticRetention,
                                                       MirrorRuleKind::MassChangeGuard}));
        QVERIFY(ruleOf(rules, MirrorRuleKind::GoneRemoved)->isDefault);
        QCOMPARE(ruleOf(rules, MirrorRuleKind::Scheduled)->number, 7);
        QVERIFY(ruleOf(rules, MirrorRuleKind::Scheduled)->isDefault);
        QCOMPARE(ruleOf(rules, MirrorRuleKind::ManualInterval)->number, 60);

        pull.prune = PrunePolicy::None;
        pull.mirrorOverwritesDivergedBranches = false;
        pull.intervalMinutes = 30;
        pull.mirrorBranchRegex = u"^main$"_s;
        pull.mirrorTags = TagPolicy::None;
        rules = describeRules(pull, settings);
        QVERIFY(ruleOf(rules, MirrorRuleKind::GoneKept) && !ruleOf(rules, MirrorRuleKind::GoneKept)->isDefault);
        QVERIFY(ruleOf(rules, MirrorRuleKind::DivergedSkipped));
        QCOMPARE(ruleOf(rules, MirrorRuleKind::BranchesMatchingRegex)->text, u"^main$"_s);
        QVERIFY(ruleOf(rules, MirrorRuleKind::NoTags));
        QVERIFY(!ruleOf(rules, MirrorRuleKind::Scheduled)->isDefault);
        pull.enabled = false;
        QVERIFY(ruleOf(describeRules(pull, settings), MirrorRuleKind::NotScheduled));

        Mirror relay = pullMirror(u"r"_s, u"https://example.org/r.git"_s);
        relay.shape = Shape::Relay;
        relay.target.url = u"https://example.com/r.git"_s;
        rules = describeRules(relay, settings);
        QVERIFY(ruleOf(rules, MirrorRuleKind::RelayThroughCache));
        QVERIFY(ruleOf(rules, MirrorRuleKind::TargetOverwritten));
        QVERIFY(ruleOf(rules, MirrorRuleKind::TargetOnlyRemovedIfMerged)->isDefault); // merged: relay's default
        relay.keepDivergentRefs = true;
        relay.onlyProtectedBranches = true;
        relay.protectedBranches = {u"main"_s, u"release/*"_s};
        rules = describeRules(relay, settings);
        QVERIFY(ruleOf(rules, MirrorRuleKind::TargetDivergedSkipped));
        QVERIFY(ruleOf(rules, MirrorRuleKind::TargetNothingDeleted));
        QCOMPARE(ruleOf(rules, MirrorRuleKind::ProtectedBranchesOnly)->items, relay.protectedBranches);
        settings.massChangeGuard = false;
        QVERIFY(ruleOf(describeRules(relay, settings), MirrorRuleKind::NoMassChangeGuard));
    }

    void selectBranchesUsesTheEnginesFilter()
    {
        const QList<RefTip> refs{{u"HEAD"_s, u"1"_s, {}},
                                 {u"refs/heads/main"_s, u"1"_s, {}},
                                 {u"refs/heads/release/1.0"_s, u"1"_s, {}},
                                 {u"refs/heads/feature/x"_s, u"1"_s, {}},
                                 {u"refs/tags/v1"_s, u"1"_s, {}}};
        Mirror m = pullMirror(u"m"_s, u"https://example.org/m.git"_s);
        BranchSelection all = selectBranches(m, refs);
        QCOMPARE(all.branches.size(), 3);
        QCOMPARE(all.selected, 3);
        QCOMPARE(all.branches.at(0).name, u"feature/x"_s); // sorted
        m.mirrorBranchRegex = u"^(main|release/.*)$"_s;
        BranchSelection some = selectBranches(m, refs);
        QCOMPARE(some.selected, 2);
        QVERIFY(!some.branches.at(0).selected);
        QVERIFY(!some.branches.at(0).reason.isEmpty());
        m.mirrorBranchRegex.clear();
        m.onlyProtectedBranches = true;
        m.protectedBranches = {u"release/*"_s};
        QCOMPARE(selectBranches(m, refs).selected, 1);
    }

    void listerListsARealDaemon()
    {
        SourceLister lister;
        std::optional<Result<SourceRefs>> answer;
        lister.list(baseConfig(), pullMirror(u"m"_s, m_daemon.url(u"src.git"_s)), [&answer](Result<SourceRefs> r) { answer = r; });
        QVERIFY(lister.busy());
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 30000);
        QVERIFY2(answer->ok(), qPrintable(answer->ok() ? QString() : answer->error().text()));
        QCOMPARE((*answer)->headTarget, u"refs/heads/main"_s);
        QCOMPARE(selectBranches(pullMirror(u"m"_s, u"x"_s), (*answer)->refs).branches.size(), 4);
        QVERIFY(!lister.busy());
    }

    void listerReportsADeadPort()
    {
        SourceLister lister;
        std::optional<Result<SourceRefs>> answer;
        const QString url = u"git://127.0.0.1:%1/src.git"_s.arg(md::fixtures::pickFreePort());
        lister.list(baseConfig(), pullMirror(u"m"_s, url), [&answer](Result<SourceRefs> r) { answer = r; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 30000);
        QVERIFY(!answer->ok());
        QCOMPARE(answer->error().category, ErrorCategory::Network);
    }

    void listerDroppedWhileListingNeverAnswers()
    {
        SilentServer silent;
        QVERIFY2(silent.start(), qPrintable(silent.errorString()));
        bool answered = false;
        auto lister = std::make_unique<SourceLister>();
        lister->list(baseConfig(), pullMirror(u"m"_s, u"git://"_s + silent.address() + u"/src.git"_s),
                     [&answered](Result<SourceRefs>) { answered = true; });
        QTRY_VERIFY_WITH_TIMEOUT(silent.connectionCount() > 0, 10000);
        lister.reset(); // the dialog closed: the listing is told to stop, its answer dropped
        QVERIFY(QThreadPool::globalInstance()->waitForDone(20000)); // stopped well before the check timeout
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QVERIFY(!answered);
    }
};

QTEST_GUILESS_MAIN(TestMirrorEditorOps)
#include "TestMirrorEditorOps.moc"
