#include "mirror/RefFilter.h"
#include "mirror/RefPlan.h"

#include <QMap>
#include <QTest>

using namespace md;

namespace {

// Commit graph: a <- b <- c (main's history), a <- x (a rewrite of main), c <- t (a tagged commit).
const QMap<QString, QString> kParents = {{QStringLiteral("b"), QStringLiteral("a")},
                                         {QStringLiteral("c"), QStringLiteral("b")},
                                         {QStringLiteral("x"), QStringLiteral("a")},
                                         {QStringLiteral("t"), QStringLiteral("c")},
                                         {QStringLiteral("lone"), QString()}};

std::optional<bool> ancestry(const QString &ancestor, const QString &descendant)
{
    if (!kParents.contains(descendant) && descendant != QLatin1String("a"))
        return std::nullopt;
    for (QString at = descendant; !at.isEmpty(); at = kParents.value(at)) {
        if (at == ancestor)
            return true;
    }
    return false;
}

QList<RefTip> tips(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QList<RefTip> result;
    for (const auto &[name, oid] : list)
        result.append(RefTip{QString::fromLatin1(name), QString::fromLatin1(oid), QString()});
    return result;
}

Mirror pull()
{
    Mirror m;
    m.name = QStringLiteral("m");
    m.source.url = QStringLiteral("https://h/r.git");
    return m;
}

QString actionOf(const RefPlan &plan, const QString &ref)
{
    for (const PlannedRef &r : plan.refs) {
        if (r.ref == ref)
            return refActionName(r.action);
    }
    return QStringLiteral("(absent)");
}

} // namespace

class TestRefPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void branchPatterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("branch");
        QTest::addColumn<bool>("matches");
        QTest::newRow("literal") << "main" << "main" << true;
        QTest::newRow("literal is anchored") << "main" << "main2" << false;
        QTest::newRow("star crosses slash") << "release/*" << "release/1.0/hotfix" << true;
        QTest::newRow("star in middle") << "feat-*-done" << "feat-a/b-done" << true;
        QTest::newRow("star at start") << "*-stable" << "v1-stable" << true;
        QTest::newRow("no match") << "release/*" << "releases/1" << false;
        QTest::newRow("star only") << "*" << "any/thing" << true;
        QTest::newRow("dot is literal") << "v1.0" << "v1x0" << false;
        QTest::newRow("backtracking") << "a*b*c" << "aXbYbZc" << true;
    }
    void branchPatterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, branch);
        QFETCH(bool, matches);
        QCOMPARE(RefFilter::matchesBranchPattern(pattern, branch), matches);
    }

    void classifiesRefs()
    {
        Mirror m = pull();
        m.mirrorBranchRegex = QStringLiteral("^(main|release/)");
        const RefFilter filter(m);
        QString reason;
        QCOMPARE(filter.classify(QStringLiteral("refs/heads/main")), RefFilter::Verdict::Mirrored);
        QCOMPARE(filter.classify(QStringLiteral("refs/heads/release/2")), RefFilter::Verdict::Mirrored);
        QCOMPARE(filter.classify(QStringLiteral("refs/heads/feature"), &reason), RefFilter::Verdict::Filtered);
        QVERIFY(reason.contains(QLatin1String("mirror_branch_regex")));
        QCOMPARE(filter.classify(QStringLiteral("refs/tags/v1")), RefFilter::Verdict::Mirrored);
        for (const char *ref : {"HEAD", "refs/pull/1/head", "refs/merge-requests/2/head", "refs/keep-around/abc",
                                "refs/notes/commits", "refs/tags/v1^{}", "refs/mirrordesk/attic/x"})
            QCOMPARE(filter.classify(QString::fromLatin1(ref)), RefFilter::Verdict::Rejected);
        Mirror unanchored = pull();
        unanchored.mirrorBranchRegex = QStringLiteral("fix");
        QCOMPARE(RefFilter(unanchored).classify(QStringLiteral("refs/heads/hotfix-1")), RefFilter::Verdict::Mirrored);
        Mirror noTags = pull();
        noTags.mirrorTags = TagPolicy::None;
        QCOMPARE(RefFilter(noTags).classify(QStringLiteral("refs/tags/v1")), RefFilter::Verdict::Filtered);
    }

    void pullRules_data()
    {
        QTest::addColumn<QByteArray>("options");
        QTest::addColumn<QList<RefTip>>("source");
        QTest::addColumn<QList<RefTip>>("cache");
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("action");
        const auto main = [](const char *oid) { return tips({{"refs/heads/main", oid}}); };
        QTest::newRow("new branch") << QByteArray() << main("c") << QList<RefTip>{} << "refs/heads/main" << "create";
        QTest::newRow("same oid") << QByteArray() << main("c") << main("c") << "refs/heads/main" << "up_to_date";
        QTest::newRow("fast-forward") << QByteArray() << main("c") << main("a") << "refs/heads/main" << "fast_forward";
        QTest::newRow("rewritten: forced") << QByteArray() << main("x") << main("c") << "refs/heads/main" << "force";
        QTest::newRow("rewritten, overwrite off") << QByteArray("no-overwrite") << tips({{"refs/heads/dev", "x"}, {"refs/heads/main", "c"}})
                                                 << tips({{"refs/heads/dev", "c"}, {"refs/heads/main", "c"}}) << "refs/heads/dev" << "skip_diverged";
        QTest::newRow("gone upstream, prune all") << QByteArray() << main("c") << tips({{"refs/heads/main", "c"}, {"refs/heads/old", "b"}})
                                                  << "refs/heads/old" << "delete";
        QTest::newRow("gone, prune none") << QByteArray("prune-none") << main("c") << tips({{"refs/heads/main", "c"}, {"refs/heads/old", "b"}})
                                          << "refs/heads/old" << "up_to_date";
        QTest::newRow("gone merged, prune merged") << QByteArray("prune-merged") << main("c")
                                                   << tips({{"refs/heads/main", "c"}, {"refs/heads/old", "b"}}) << "refs/heads/old" << "delete";
        QTest::newRow("gone unmerged, prune merged") << QByteArray("prune-merged") << main("c")
                                                     << tips({{"refs/heads/main", "c"}, {"refs/heads/old", "x"}}) << "refs/heads/old" << "up_to_date";
        QTest::newRow("tag moved") << QByteArray() << tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "c"}})
                                   << tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "b"}}) << "refs/tags/v1" << "force";
        QTest::newRow("filtered never deleted") << QByteArray("regex-main") << main("c")
                                                << tips({{"refs/heads/main", "c"}, {"refs/heads/feature", "b"}}) << "refs/heads/feature" << "(absent)";
        QTest::newRow("filtered source ref") << QByteArray("regex-main") << tips({{"refs/heads/main", "c"}, {"refs/heads/feature", "b"}})
                                             << main("c") << "refs/heads/feature" << "filtered";
        QTest::newRow("pull request ref rejected") << QByteArray() << tips({{"refs/heads/main", "c"}, {"refs/pull/1/head", "x"}})
                                                   << main("c") << "refs/pull/1/head" << "rejected";
        QTest::newRow("HEAD rejected") << QByteArray() << tips({{"HEAD", "c"}, {"refs/heads/main", "c"}}) << main("c") << "HEAD" << "rejected";
        QTest::newRow("unreachable tag filtered") << QByteArray("tags-reachable") << tips({{"refs/heads/main", "c"}, {"refs/tags/side", "x"}})
                                                  << main("c") << "refs/tags/side" << "filtered";
        QTest::newRow("reachable tag created") << QByteArray("tags-reachable") << tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "b"}})
                                               << main("c") << "refs/tags/v1" << "create";
        QTest::newRow("relay cache overwrites") << QByteArray("relay no-overwrite") << main("x") << main("c") << "refs/heads/main" << "force";
        QTest::newRow("relay cache prunes") << QByteArray("relay prune-none") << main("c") << tips({{"refs/heads/main", "c"}, {"refs/heads/old", "x"}})
                                            << "refs/heads/old" << "delete";
    }
    void pullRules()
    {
        QFETCH(QByteArray, options);
        QFETCH(QList<RefTip>, source);
        QFETCH(QList<RefTip>, cache);
        QFETCH(QString, ref);
        QFETCH(QString, action);
        Mirror m = pull();
        PullPlanInput input;
        input.source = source;
        input.cache = cache;
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        if (options.contains("no-overwrite")) m.mirrorOverwritesDivergedBranches = false;
        if (options.contains("prune-none")) m.prune = PrunePolicy::None;
        if (options.contains("prune-merged")) m.prune = PrunePolicy::Merged;
        if (options.contains("regex-main")) m.mirrorBranchRegex = QStringLiteral("^main$");
        if (options.contains("tags-reachable")) m.mirrorTags = TagPolicy::Reachable;
        if (options.contains("relay")) input.relayCache = true;
        const RefPlan plan = planPull(m, input, ancestry);
        QCOMPARE(actionOf(plan, ref), action);
        QVERIFY2(!plan.failure, plan.failure ? qPrintable(plan.failure->message) : "");
    }

    void forceAndTagMoveWarn()
    {
        PullPlanInput input;
        input.source = tips({{"refs/heads/main", "x"}, {"refs/tags/v1", "c"}});
        input.cache = tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "b"}});
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        const RefPlan plan = planPull(pull(), input, ancestry);
        QCOMPARE(plan.warnings.size(), 2);
        QVERIFY(plan.warnings.join(QLatin1Char('\n')).contains(QLatin1String("main was rewritten upstream; old tip kept in the attic")));
        QVERIFY(plan.warnings.join(QLatin1Char('\n')).contains(QLatin1String("tag v1 was moved upstream")));
        // A plan shown before anything runs says what would happen.
        PullPlanInput dry = input;
        dry.dryRun = true;
        const QString dryWarnings = planPull(pull(), dry, ancestry).warnings.join(QLatin1Char('\n'));
        QVERIFY2(dryWarnings.contains(QLatin1String("main was rewritten upstream; old tip would be kept in the attic"))
                     && dryWarnings.contains(QLatin1String("the old tag would be kept in the attic")) && !dryWarnings.contains(QLatin1String(" kept in the attic;")),
                 qPrintable(dryWarnings));
        // One style of attic reason: plain words.
        for (const PlannedRef &p : plan.refs)
            QVERIFY2(!p.reason.contains(u'_'), qPrintable(p.reason));
        const PlannedRef &forced = plan.refs.first();
        QCOMPARE(forced.ref, QStringLiteral("refs/heads/main"));
        QCOMPARE(forced.oldOid, QStringLiteral("c"));
        QCOMPARE(forced.newOid, QStringLiteral("x"));
    }

    void divergedDefaultBranchIsSkippedNotGuarded()
    {
        Mirror m = pull();
        m.mirrorOverwritesDivergedBranches = false;
        PullPlanInput input;
        input.source = tips({{"refs/heads/main", "x"}});
        input.cache = tips({{"refs/heads/main", "c"}});
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        const RefPlan plan = planPull(m, input, ancestry);
        // Not a guard: the other refs still move; the sync fails the run afterwards.
        QVERIFY(!plan.failure);
        QCOMPARE(actionOf(plan, QStringLiteral("refs/heads/main")), QStringLiteral("skip_diverged"));
    }

    void emptySourceGuard()
    {
        PullPlanInput input;
        input.source = tips({{"HEAD", "c"}, {"refs/pull/1/head", "c"}});
        input.cache = tips({{"refs/heads/main", "c"}});
        const RefPlan plan = planPull(pull(), input, ancestry);
        QVERIFY(plan.failure);
        QCOMPARE(plan.failure->category, ErrorCategory::Guard);
        // An empty source with an empty cache is simply empty, not a guard.
        PullPlanInput empty;
        QVERIFY(!planPull(pull(), empty, ancestry).failure);
    }

    void massChangeGuard()
    {
        QCOMPARE(massChangeLimit(20), 10);
        QCOMPARE(massChangeLimit(100), 20);
        PullPlanInput input;
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        input.source = tips({{"refs/heads/main", "c"}});
        input.cache = tips({{"refs/heads/main", "c"}});
        for (int i = 0; i < 11; ++i)
            input.cache.append(RefTip{QStringLiteral("refs/heads/gone%1").arg(i), QStringLiteral("b"), QString()});
        RefPlan plan = planPull(pull(), input, ancestry);
        QVERIFY(plan.failure);
        QCOMPARE(plan.failure->category, ErrorCategory::Guard);
        QVERIFY(plan.failure->message.contains(QLatin1String("--allow-mass-change")));
        input.allowMassChange = true;
        plan = planPull(pull(), input, ancestry);
        QVERIFY(!plan.failure);
        QCOMPARE(plan.count(RefAction::Delete), 11);
        input.allowMassChange = false;
        input.massChangeGuard = false;
        QVERIFY(!planPull(pull(), input, ancestry).failure);
        // Ten deletions stay under the limit.
        input.massChangeGuard = true;
        input.cache.removeLast();
        QVERIFY(!planPull(pull(), input, ancestry).failure);
    }

    // Item 8 of issue 8: names git refuses are rejected with their reason; the rest of the plan goes on.
    void malformedRefNamesAreRejected_data()
    {
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("reason");
        QTest::newRow("dot dot escape") << "refs/heads/../../etc" << "contains \"..\"";
        QTest::newRow("dot dot inside") << "refs/heads/a..b" << "contains \"..\"";
        QTest::newRow("lock") << "refs/heads/x.lock" << "ending in \".lock\"";
        QTest::newRow("lock component") << "refs/heads/x.lock/y" << "ending in \".lock\"";
        QTest::newRow("empty component") << "refs/heads//x" << "empty component";
        QTest::newRow("trailing slash") << "refs/heads/x/" << "empty component";
        QTest::newRow("control") << QStringLiteral("refs/heads/a\x01b") << "control character";
        QTest::newRow("escape") << QStringLiteral("refs/heads/a\x1b[31m") << "control character";
        QTest::newRow("newline") << QStringLiteral("refs/tags/v1\nx") << "control character";
        QTest::newRow("delete char") << QStringLiteral("refs/heads/a\x7f") << "control character";
        QTest::newRow("space") << "refs/heads/a b" << "contains a space";
        QTest::newRow("colon") << "refs/heads/a:b" << "contains \":\"";
        QTest::newRow("tilde") << "refs/tags/v~1" << "contains \"~\"";
        QTest::newRow("caret") << "refs/heads/a^b" << "contains \"^\"";
        QTest::newRow("question") << "refs/heads/a?" << "contains \"?\"";
        QTest::newRow("star") << "refs/heads/*" << "contains \"*\"";
        QTest::newRow("bracket") << "refs/heads/a[b" << "contains \"[\"";
        QTest::newRow("backslash") << "refs/heads/a\\b" << "contains \"\\\"";
        QTest::newRow("at brace") << "refs/heads/a@{1}" << "contains \"@{\"";
        QTest::newRow("leading dot") << "refs/heads/.hidden" << "starting with \".\"";
        QTest::newRow("trailing dot") << "refs/tags/v1." << "ends with \".\"";
        QTest::newRow("nothing after prefix") << "refs/heads/" << "empty component";
    }
    void malformedRefNamesAreRejected()
    {
        QFETCH(QString, ref);
        QFETCH(QString, reason);
        QString said;
        QCOMPARE(RefFilter(pull()).classify(ref, &said), RefFilter::Verdict::Rejected);
        QVERIFY2(said.startsWith(QLatin1String("invalid ref name: ")), qPrintable(said));
        QVERIFY2(said.contains(reason), qPrintable(said));

        PullPlanInput input;
        input.source = tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "b"}});
        input.source.append(RefTip{ref, QStringLiteral("c"), QString()});
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        const RefPlan plan = planPull(pull(), input, ancestry);
        QCOMPARE(actionOf(plan, ref), QStringLiteral("rejected"));
        const auto planned = std::find_if(plan.refs.begin(), plan.refs.end(), [&](const PlannedRef &r) { return r.ref == ref; });
        QVERIFY(planned->reason.contains(reason));
        QCOMPARE(actionOf(plan, QStringLiteral("refs/heads/main")), QStringLiteral("create"));
        QCOMPARE(actionOf(plan, QStringLiteral("refs/tags/v1")), QStringLiteral("create"));
        QVERIFY(!plan.failure);
        QCOMPARE(plan.count(RefAction::Create), 2);
    }

    void validNamesStayMirrored_data()
    {
        QTest::addColumn<QString>("ref");
        QTest::newRow("nested") << "refs/heads/feature/a-b_c.d";
        QTest::newRow("at sign") << "refs/heads/user@host";
        QTest::newRow("unicode") << QStringLiteral("refs/heads/caf\u00e9");
        QTest::newRow("dots inside") << "refs/tags/v1.2.3";
        QTest::newRow("lock inside a word") << "refs/heads/x.locked";
    }
    void validNamesStayMirrored()
    {
        QFETCH(QString, ref);
        QCOMPARE(RefFilter(pull()).classify(ref), RefFilter::Verdict::Mirrored);
    }

    void noOpPlanChangesNothing()
    {
        PullPlanInput input;
        input.source = tips({{"refs/heads/main", "c"}, {"refs/tags/v1", "b"}});
        input.cache = input.source;
        const RefPlan plan = planPull(pull(), input, ancestry);
        QVERIFY(!plan.changesAnything());
        QCOMPARE(plan.count(RefAction::UpToDate), 2);
        QVERIFY(plan.warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRefPlan)
#include "TestRefPlan.moc"
