// Saves the README's screenshots (run by tests/screenshots/make-screenshots.sh under xvfb-run):
// the main window over a few dozen mirrors in mixed health, the details pane of a mirror with
// real runs (history with per-ref results, an attic entry from a force-push upstream), and the
// mirror editor showing a validation error. Real repositories, real runs of the engine; the
// states of the other mirrors are written as the engine writes them (a fleet's history would
// take hours to make for real).
#include "DetailsPane.h"
#include "GitRepoBuilder.h"
#include "MainWindow.h"
#include "MirrorEditor.h"
#include "MirrorTableModel.h"
#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "mirror/SyncEngine.h"
#include "ops/RunOps.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QTabWidget>
#include <QTableView>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace md;
using md::fixtures::GitRepoBuilder;

namespace {

bool waitFor(const std::function<bool()> &done, int timeoutMs = 30000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

void settle(int ms = 400)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

bool save(QWidget *widget, const QString &path)
{
    const bool ok = widget->grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "saved" : "cannot save", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("MirrorDeskScreenshots"));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("resources/screenshots");
    QDir().mkpath(out);
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("mirrors.json"));
    const QString stateDir = dir.filePath(QStringLiteral("state"));

    // A real upstream with a few branches and tags.
    const QString upstream = GitRepoBuilder::initBare(dir.filePath(QStringLiteral("srv/app.git")));
    const QString work = GitRepoBuilder::initWork(dir.filePath(QStringLiteral("work")));
    GitRepoBuilder::commit(work, QStringLiteral("README"), QStringLiteral("app"), QStringLiteral("Initial import"));
    for (const char *branch : {"develop", "release/1.0", "feature/login"})
        GitRepoBuilder::run({QStringLiteral("branch"), QString::fromLatin1(branch)}, work);
    GitRepoBuilder::tag(work, QStringLiteral("v1.0"), QStringLiteral("First release"));
    GitRepoBuilder::push(work, upstream, {QStringLiteral("main"), QStringLiteral("develop"), QStringLiteral("release/1.0"),
                                          QStringLiteral("feature/login"), QStringLiteral("v1.0")});

    struct Demo {
        const char *name;
        const char *source;
        const char *target;
        const char *health; // in_sync | behind | diverged | stale | failing | never | disabled | auth
    };
    const Demo demos[] = {
        {"acme/api", "https://github.com/acme/api.git", "", "in_sync"},
        {"acme/web", "https://github.com/acme/web.git", "", "in_sync"},
        {"acme/cli", "https://github.com/acme/cli.git", "", "behind"},
        {"acme/docs", "https://github.com/acme/docs.git", "", "in_sync"},
        {"acme/infra", "git@github.com:acme/infra.git", "", "failing"},
        {"acme/legacy", "https://github.com/acme/legacy.git", "", "disabled"},
        {"acme/mobile", "https://github.com/acme/mobile.git", "https://gitlab.example.com/mirror/mobile.git", "in_sync"},
        {"acme/payments", "https://github.com/acme/payments.git", "https://gitlab.example.com/mirror/payments.git", "diverged"},
        {"acme/search", "https://github.com/acme/search.git", "", "stale"},
        {"acme/ui-kit", "https://github.com/acme/ui-kit.git", "", "in_sync"},
        {"data/etl", "https://gitlab.example.com/data/etl.git", "", "in_sync"},
        {"data/models", "https://gitlab.example.com/data/models.git", "", "auth"},
        {"data/notebooks", "https://gitlab.example.com/data/notebooks.git", "", "never"},
        {"ops/ansible", "ssh://git@bitbucket.example.com:7999/ops/ansible.git", "", "in_sync"},
        {"ops/terraform", "ssh://git@bitbucket.example.com:7999/ops/terraform.git", "", "behind"},
        {"ops/runbooks", "https://bitbucket.org/acme-ops/runbooks.git", "", "in_sync"},
        {"kernel/linux", "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git", "", "in_sync"},
        {"vendor/openssl", "https://github.com/openssl/openssl.git", "", "in_sync"},
        {"vendor/zlib", "https://github.com/madler/zlib.git", "", "in_sync"},
        {"vendor/curl", "https://github.com/curl/curl.git", "", "behind"},
        {"vendor/sqlite", "https://github.com/sqlite/sqlite.git", "", "in_sync"},
        {"web/blog", "https://gitlab.example.com/web/blog.git", "", "in_sync"},
        {"web/shop", "https://gitlab.example.com/web/shop.git", "", "failing"},
        {"web/status", "https://gitlab.example.com/web/status.git", "", "never"},
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto stored = MirrorStore(config).modify([&](Config &c) {
        c.settings.cacheRoot = dir.filePath(QStringLiteral("caches"));
        Mirror demoApp;
        demoApp.name = QStringLiteral("demo/app");
        demoApp.source.url = upstream;
        c.mirrors.append(demoApp);
        for (const Demo &demo : demos) {
            Mirror m;
            m.name = QString::fromLatin1(demo.name);
            m.source.url = QString::fromLatin1(demo.source);
            m.target.url = QString::fromLatin1(demo.target);
            m.shape = m.target.url.isEmpty() ? Shape::Pull : Shape::Relay;
            m.enabled = qstrcmp(demo.health, "disabled") != 0;
            c.mirrors.append(m);
        }
        return Status{};
    });
    if (!stored) {
        std::fprintf(stderr, "config: %s\n", qPrintable(stored.error().message));
        return 1;
    }
    StateStore state(stateDir);
    int i = 0;
    for (const Demo &demo : demos) {
        const QString health = QString::fromLatin1(demo.health);
        if (health == QLatin1String("never"))
            continue;
        const QDateTime start = now.addSecs(-60 * (1 + (i++ % 4)));
        (void)state.changeStatus(QString::fromLatin1(demo.name), [&](StatusRecord &s) {
            s.lastUpdateStartedAt = health == QLatin1String("stale") ? now.addSecs(-3 * 3600) : start;
            s.lastUpdateAt = s.lastUpdateStartedAt.addSecs(4);
            s.updateStatus = UpdateStatus::Finished;
            s.lastSuccessfulUpdateAt = s.lastUpdateAt;
            if (health == QLatin1String("failing") || health == QLatin1String("auth")) {
                s.updateStatus = UpdateStatus::Failed;
                s.lastSuccessfulUpdateAt = now.addSecs(-26 * 3600);
                s.consecutiveFailures = 3;
                s.errorCategory = health == QLatin1String("auth") ? ErrorCategory::Auth : ErrorCategory::Network;
                s.lastError = health == QLatin1String("auth")
                    ? QStringLiteral("authentication failed for https://gitlab.example.com/data/models.git (HTTP 401): the token "
                                     "of credential gitlab-bot was refused")
                    : QStringLiteral("cannot connect to gitlab.example.com:443: connection timed out after 30 s");
            }
            if (health == QLatin1String("behind") || health == QLatin1String("diverged") || health == QLatin1String("in_sync")) {
                CheckRecord check;
                check.state = health == QLatin1String("behind") ? CheckState::Behind
                    : health == QLatin1String("diverged")       ? CheckState::Diverged
                                                                : CheckState::InSync;
                check.checkedAt = s.lastUpdateAt.addSecs(30);
                s.lastCheck = check;
                (void)state.saveCheck(QString::fromLatin1(demo.name), check);
            }
        });
    }

    // demo/app for real: a first update, a force-push upstream, a second update (the old tip
    // goes to the attic).
    {
        SyncEngine engine(stateDir);
        engine.setConfigFile(config);
        RunOps ops(engine, stateDir);
        auto cfg = MirrorStore(config).load();
        bool done = false;
        (void)ops.update(*cfg, {QStringLiteral("demo/app")}, {}, [&](const RunReport &) { done = true; });
        waitFor([&] { return done; });
        GitRepoBuilder::run({QStringLiteral("commit"), QStringLiteral("--amend"), QStringLiteral("-m"), QStringLiteral("Initial import (rewritten)")}, work);
        GitRepoBuilder::commit(work, QStringLiteral("src/main.c"), QStringLiteral("int main(void) { return 0; }\n"), QStringLiteral("Add main"));
        GitRepoBuilder::push(work, upstream, {QStringLiteral("+main")});
        done = false;
        (void)ops.update(*cfg, {QStringLiteral("demo/app")}, {}, [&](const RunReport &) { done = true; });
        waitFor([&] { return done; });
    }

    md::ui::MainWindow window(config, stateDir);
    window.resize(1280, 760);
    window.show();
    if (!waitFor([&] { return window.loaded() && window.model()->rowCount() > 20; })) {
        std::fprintf(stderr, "the window did not load\n");
        return 1;
    }
    window.view()->sortByColumn(md::ui::MirrorTableModel::Health, Qt::AscendingOrder);
    window.selectMirror(QStringLiteral("demo/app"));
    waitFor([&] { return window.details()->isLoaded(); });
    settle();
    bool ok = save(&window, out + QStringLiteral("/main-window.png"));
    window.details()->tabs()->setCurrentIndex(1); // History
    settle();
    ok = save(&window, out + QStringLiteral("/details-history.png")) && ok;
    window.details()->tabs()->setCurrentIndex(3); // Attic
    settle();
    ok = save(&window, out + QStringLiteral("/details-attic.png")) && ok;

    window.newAction()->trigger();
    md::ui::MirrorEditor *editor = window.editor();
    if (!editor)
        return 1;
    editor->nameEdit()->setText(QStringLiteral("acme/new-service"));
    editor->sourceUrlEdit()->setText(QStringLiteral("https://github.com/acme/new service.git"));
    editor->regexEdit()->setText(QStringLiteral("^(main|release/.*"));
    settle(600);
    ok = save(editor, out + QStringLiteral("/editor-validation.png")) && ok;
    editor->reject();
    return ok ? 0 : 1;
}
