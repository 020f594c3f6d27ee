// The push rules of DESIGN section 3 (planPush), table-tested: every action, keep_divergent_refs,
// prune all / merged / none, branch filters, mirror_tags, host-internal refs and the guards.
#include "mirror/RefPlan.h"

#include <QMap>
#include <QTest>

using namespace md;

namespace {

// Commit graph: a <- b <- c (main's history), a <- x (a rewrite), c <- t, and a lone commit.
// "zz" is an oid the cache does not have (ancestry unknown).
const QMap<QString, QString> kParents = {{QStringLiteral("b"), QStringLiteral("a")}, {QStringLiteral("c"), QStringLiteral("b")},
                                         {QStringLiteral("x"), QStringLiteral("a")}, {QStringLiteral("t"), QStringLiteral("c")},
                                         {QStringLiteral("lone"), QString()}};

std::optional<bool> ancestry(const QString &ancestor, const QString &descendant)
{
    auto known = [](const QString &oid) { return kParents.contains(oid) || oid == QLatin1String("a"); };
    if (!known(ancestor) || !known(descendant))
        return std::nullopt;
    for (QString at = descendant; !at.isEmpty(); at = kParents.value(at)) {
        if (at == ancestor)
            return true;
    }
    return false;
}

// "refs/heads/main=c refs/tags/v1=b" → tips
QList<RefTip> tips(const QString &text)
{
    QList<RefTip> result;
    for (const QString &item : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QStringList parts = item.split(QLatin1Char('='));
        result.append(RefTip{parts.value(0), parts.value(1), QString()});
    }
    return result;
}

Mirror relay(const QString &options)
{
    Mirror m;
    m.name = QStringLiteral("m");
    m.shape = Shape::Relay;
    m.source.url = QStringLiteral("https://a/r.git");
    m.target.url = QStringLiteral("https://b/r.git");
    for (const QString &option : options.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (option == QLatin1String("keep"))
            m.keepDivergentRefs = true;
        else if (option.startsWith(QLatin1String("prune=")))
            m.prune = pruneFromName(option.mid(6));
        else if (option.startsWith(QLatin1String("tags=")))
            m.mirrorTags = tagPolicyFromName(option.mid(5)).value();
        else if (option.startsWith(QLatin1String("regex=")))
            m.mirrorBranchRegex = option.mid(6);
        else if (option.startsWith(QLatin1String("protected="))) {
            m.onlyProtectedBranches = true;
            m.protectedBranches = {option.mid(10)};
        } else
            qFatal("unknown option in the table");
    }
    return m;
}

RefPlan plan(const QString &options, const QString &source, const QString &target, bool allowMassChange = false)
{
    PushPlanInput input;
    input.source = tips(source);
    input.target = tips(target);
    input.sourceHeadTarget = QStringLiteral("refs/heads/main");
    input.allowMassChange = allowMassChange;
    return planPush(relay(options), input, ancestry);
}

QString actionOf(const RefPlan &p, const QString &ref)
{
    for (const PlannedRef &r : p.refs) {
        if (r.ref == ref)
            return refActionName(r.action);
    }
    return QStringLiteral("(absent)");
}

} // namespace

class TestPushPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rules_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("action");
        const QString main = QStringLiteral("refs/heads/main=c");
        // target ref missing / same / behind
        QTest::newRow("missing: create") << "" << main << "" << "refs/heads/main" << "create";
        QTest::newRow("same: up to date") << "" << main << main << "refs/heads/main" << "up_to_date";
        QTest::newRow("behind: fast-forward") << "" << main << "refs/heads/main=b" << "refs/heads/main" << "fast_forward";
        QTest::newRow("behind, keep: fast-forward") << "keep" << main << "refs/heads/main=b" << "refs/heads/main" << "fast_forward";
        // diverged on the target
        QTest::newRow("diverged: force") << "" << main << "refs/heads/main=x" << "refs/heads/main" << "force";
        QTest::newRow("diverged, keep: skip") << "keep" << main << "refs/heads/main=x" << "refs/heads/main" << "skip_diverged";
        QTest::newRow("ahead on target: force") << "" << "refs/heads/main=b" << "refs/heads/main=c" << "refs/heads/main" << "force";
        QTest::newRow("ahead on target, keep: skip") << "keep" << "refs/heads/main=b" << "refs/heads/main=c" << "refs/heads/main" << "skip_diverged";
        QTest::newRow("unknown target tip: force") << "" << main << "refs/heads/main=zz" << "refs/heads/main" << "force";
        QTest::newRow("unknown target tip, keep: skip") << "keep" << main << "refs/heads/main=zz" << "refs/heads/main" << "skip_diverged";
        // tags that differ
        QTest::newRow("tag differs: force") << "" << main + QLatin1String(" refs/tags/v1=c") << main + QLatin1String(" refs/tags/v1=b") << "refs/tags/v1" << "force";
        QTest::newRow("tag differs, keep: skip") << "keep" << main + QLatin1String(" refs/tags/v1=c") << main + QLatin1String(" refs/tags/v1=b") << "refs/tags/v1" << "skip_diverged";
        // target-only refs per prune
        QTest::newRow("target-only, prune all: delete") << "prune=all" << main << main + QLatin1String(" refs/heads/old=x") << "refs/heads/old" << "delete";
        QTest::newRow("target-only merged, prune merged: delete") << "prune=merged" << main << main + QLatin1String(" refs/heads/old=b") << "refs/heads/old" << "delete";
        QTest::newRow("target-only at default tip, merged: delete") << "prune=merged" << main << main + QLatin1String(" refs/heads/old=c") << "refs/heads/old" << "delete";
        QTest::newRow("target-only unmerged, prune merged: kept") << "prune=merged" << main << main + QLatin1String(" refs/heads/old=x") << "refs/heads/old" << "up_to_date";
        QTest::newRow("target-only unknown, prune merged: kept") << "prune=merged" << main << main + QLatin1String(" refs/heads/old=zz") << "refs/heads/old" << "up_to_date";
        QTest::newRow("default prune is merged") << "" << main << main + QLatin1String(" refs/heads/old=x") << "refs/heads/old" << "up_to_date";
        QTest::newRow("target-only, prune none: kept") << "prune=none" << main << main + QLatin1String(" refs/heads/old=b") << "refs/heads/old" << "up_to_date";
        QTest::newRow("target-only, keep + prune all: kept") << "keep prune=all" << main << main + QLatin1String(" refs/heads/old=x") << "refs/heads/old" << "up_to_date";
        QTest::newRow("target-only tag, prune all: delete") << "prune=all" << main << main + QLatin1String(" refs/tags/old=x") << "refs/tags/old" << "delete";
        QTest::newRow("target-only tag merged: delete") << "prune=merged" << main << main + QLatin1String(" refs/tags/old=a") << "refs/tags/old" << "delete";
        // branch filters never touch what they do not select, on either side
        QTest::newRow("regex: unselected source branch") << "regex=^rel" << main + QLatin1String(" refs/heads/release=c") << "" << "refs/heads/main" << "filtered";
        QTest::newRow("regex: selected branch") << "regex=^rel" << main + QLatin1String(" refs/heads/release=c") << "" << "refs/heads/release" << "create";
        QTest::newRow("regex is unanchored") << "regex=eas" << "refs/heads/release=c" << "" << "refs/heads/release" << "create";
        QTest::newRow("regex: unselected target-only kept") << "regex=^rel prune=all" << "refs/heads/release=c" << "refs/heads/feature=x" << "refs/heads/feature" << "filtered";
        QTest::newRow("regex: unselected diverged untouched") << "regex=^rel" << "refs/heads/release=c refs/heads/main=c" << "refs/heads/main=x" << "refs/heads/main" << "filtered";
        QTest::newRow("protected glob crosses /") << "protected=release/*" << "refs/heads/release/1/x=c" << "" << "refs/heads/release/1/x" << "create";
        QTest::newRow("protected: others untouched") << "protected=release/* prune=all" << "refs/heads/release/1=c" << "refs/heads/other=b" << "refs/heads/other" << "filtered";
        // mirror_tags
        QTest::newRow("tags none: not pushed") << "tags=none" << main + QLatin1String(" refs/tags/v1=c") << main << "refs/tags/v1" << "filtered";
        QTest::newRow("tags none: target tag not deleted") << "tags=none prune=all" << main << main + QLatin1String(" refs/tags/v0=x") << "refs/tags/v0" << "filtered";
        QTest::newRow("tags reachable: reachable pushed") << "tags=reachable" << main + QLatin1String(" refs/tags/v1=b") << main << "refs/tags/v1" << "create";
        QTest::newRow("tags reachable: unreachable left") << "tags=reachable" << main + QLatin1String(" refs/tags/v9=lone") << main << "refs/tags/v9" << "filtered";
        QTest::newRow("tags all: unreachable pushed") << "" << main + QLatin1String(" refs/tags/v9=lone") << main << "refs/tags/v9" << "create";
        // host-internal and symbolic refs
        QTest::newRow("refs/pull rejected") << "" << main + QLatin1String(" refs/pull/1/head=x") << "" << "refs/pull/1/head" << "rejected";
        QTest::newRow("refs/merge-requests rejected") << "" << main + QLatin1String(" refs/merge-requests/1/head=x") << "" << "refs/merge-requests/1/head" << "rejected";
        QTest::newRow("HEAD rejected") << "" << main + QLatin1String(" HEAD=c") << "" << "HEAD" << "rejected";
        QTest::newRow("refs/remotes rejected") << "" << main + QLatin1String(" refs/remotes/origin/HEAD=c") << "" << "refs/remotes/origin/HEAD" << "rejected";
        QTest::newRow("the cache's attic is not pushed") << "" << main + QLatin1String(" refs/mirrordesk/attic/s/cache/refs/heads/x=x") << "" << "refs/mirrordesk/attic/s/cache/refs/heads/x" << "(absent)";
        QTest::newRow("target's own host refs not planned") << "prune=all" << main << main + QLatin1String(" refs/merge-requests/7/head=x") << "refs/merge-requests/7/head" << "(absent)";
    }
    void rules()
    {
        QFETCH(QString, options);
        QFETCH(QString, source);
        QFETCH(QString, target);
        QFETCH(QString, ref);
        QFETCH(QString, action);
        const RefPlan p = plan(options, source, target);
        QCOMPARE(actionOf(p, ref), action);
        QVERIFY2(!p.failure, qPrintable(p.failure ? p.failure->message : QString()));
    }

    // GitLab's classic case: main and develop mirrored, a commit added to develop on the target.
    void classicCaseBothWays()
    {
        const QString source = QStringLiteral("refs/heads/main=c refs/heads/develop=b");
        const QString target = QStringLiteral("refs/heads/main=b refs/heads/develop=x");
        const RefPlan overwrite = plan(QString(), source, target);
        QCOMPARE(actionOf(overwrite, QStringLiteral("refs/heads/develop")), QStringLiteral("force"));
        QCOMPARE(actionOf(overwrite, QStringLiteral("refs/heads/main")), QStringLiteral("fast_forward"));
        for (const PlannedRef &r : overwrite.refs) {
            if (r.ref == QLatin1String("refs/heads/develop")) // the old tip the attic keeps
                QCOMPARE(r.oldOid, QStringLiteral("x"));
        }
        const RefPlan keep = plan(QStringLiteral("keep"), source, target);
        QCOMPARE(actionOf(keep, QStringLiteral("refs/heads/develop")), QStringLiteral("skip_diverged"));
        QCOMPARE(actionOf(keep, QStringLiteral("refs/heads/main")), QStringLiteral("fast_forward"));
        QCOMPARE(keep.count(RefAction::Delete), 0);
    }

    void keepDivergentRefsDeletesNothing()
    {
        const RefPlan p = plan(QStringLiteral("keep prune=all"), QStringLiteral("refs/heads/main=c"),
                               QStringLiteral("refs/heads/a=x refs/heads/b=b refs/tags/t=a refs/heads/main=c"));
        QCOMPARE(p.count(RefAction::Delete), 0);
        QCOMPARE(p.count(RefAction::Force), 0);
    }

    void massChangeGuard()
    {
        QString target = QStringLiteral("refs/heads/main=c");
        for (int i = 0; i < 11; ++i)
            target += QStringLiteral(" refs/heads/gone%1=x").arg(i);
        const RefPlan refused = plan(QStringLiteral("prune=all"), QStringLiteral("refs/heads/main=c"), target);
        QVERIFY(refused.failure);
        QCOMPARE(refused.failure->category, ErrorCategory::Guard);
        QVERIFY(refused.failure->message.contains(QStringLiteral("11 of 12")));
        QVERIFY(!plan(QStringLiteral("prune=all"), QStringLiteral("refs/heads/main=c"), target, true).failure);
        // Ten deletions are within the limit.
        QString ten = QStringLiteral("refs/heads/main=c");
        for (int i = 0; i < 10; ++i)
            ten += QStringLiteral(" refs/heads/gone%1=x").arg(i);
        QVERIFY(!plan(QStringLiteral("prune=all"), QStringLiteral("refs/heads/main=c"), ten).failure);
    }

    void emptySourceGuard()
    {
        // A plan that would delete what the target has because the source is empty is refused.
        const RefPlan p = plan(QStringLiteral("prune=all"), QString(), QStringLiteral("refs/heads/main=c"));
        QVERIFY(p.failure);
        QCOMPARE(p.failure->detail.value(QStringLiteral("guard")).toString(), QStringLiteral("empty_source"));
        // A source with only host-internal refs is empty too.
        QVERIFY(plan(QStringLiteral("prune=all"), QStringLiteral("refs/pull/1/head=c"), QStringLiteral("refs/heads/main=c")).failure);
        // prune=merged without a default branch deletes nothing: no consent needed, the target keeps it.
        const RefPlan kept = plan(QString(), QString(), QStringLiteral("refs/heads/main=c"));
        QVERIFY(!kept.failure);
        QCOMPARE(kept.count(RefAction::Delete), 0);
        // --allow-empty-source: the emptied source is followed, every target ref goes (to the attic).
        PushPlanInput input;
        input.target = tips(QStringLiteral("refs/heads/main=c refs/heads/x=x refs/tags/v=a"));
        input.allowEmptySource = true;
        const RefPlan wiped = planPush(relay(QString()), input, ancestry);
        QVERIFY(!wiped.failure);
        QCOMPARE(wiped.count(RefAction::Delete), 3);
        // An empty target is simply filled.
        QVERIFY(!plan(QString(), QStringLiteral("refs/heads/main=c"), QString()).failure);
    }

    void defaultBranchDifferenceIsAWarning()
    {
        PushPlanInput input;
        input.source = tips(QStringLiteral("refs/heads/main=c refs/heads/dev=b"));
        input.target = input.source;
        input.sourceHeadTarget = QStringLiteral("refs/heads/main");
        input.targetHeadTarget = QStringLiteral("refs/heads/dev");
        const RefPlan p = planPush(relay(QString()), input, ancestry);
        QCOMPARE(p.warnings.size(), 1);
        QVERIFY2(p.warnings.first().contains(QStringLiteral("default branch is dev, the source's main")), qPrintable(p.warnings.first()));
        QVERIFY(!p.changesAnything());
        input.targetHeadTarget = input.sourceHeadTarget;
        QVERIFY(planPush(relay(QString()), input, ancestry).warnings.isEmpty());
    }

    void planIsPureAndSorted()
    {
        const QString source = QStringLiteral("refs/tags/z=c refs/heads/main=c refs/heads/a=b");
        const RefPlan first = plan(QStringLiteral("prune=all"), source, QStringLiteral("refs/heads/old=x refs/heads/a=x"));
        const RefPlan second = plan(QStringLiteral("prune=all"), source, QStringLiteral("refs/heads/old=x refs/heads/a=x"));
        QCOMPARE(first.refs, second.refs);
        QStringList names;
        for (const PlannedRef &r : first.refs)
            names.append(r.ref);
        QStringList sorted = names;
        sorted.sort();
        QCOMPARE(names, sorted);
    }
};

QTEST_GUILESS_MAIN(TestPushPlan)
#include "TestPushPlan.moc"
