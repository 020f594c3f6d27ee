// org_bench — the org wizard in the window (issue 13) at scale: what it costs the UI thread.
//
// Usage: org_bench [N=2000] [--page-size P=100] [--run R=200 (at most 350)]
// Serves one GitHub organisation of N repositories from the forge fixture (ProviderServer, P per
// page), every clone URL pointing at one real bare repository behind `git daemon`, and opens the
// org wizard of md::ui::MainWindow (QT_QPA_PLATFORM defaults to offscreen). It prints:
//   - the listing of page 2 ("List repositories"): wall time and the longest UI-thread stall;
//   - one keystroke in the name filter with N repositories listed (the live count: validation
//     and previewOrg over the listing, on the UI thread by design): mean and max of 50;
//   - the preview page (a fresh config read on a worker, the listing, the comparison and the
//     org's state written on OrgOps' disk worker): wall time and longest stall;
//   - a Run with the filter narrowed to R repositories (R mirrors added in one config write,
//     their first updates on the window's engine): wall time, longest stall, mirrors created;
//   - VmHWM / VmRSS.
// Figures only; exit code 1 when a step did not finish.
#include "BenchFleet.h"
#include "GitDaemonServer.h"
#include "GitRepoBuilder.h"
#include "MainWindow.h"
#include "OrgPreviewModel.h"
#include "OrgWizard.h"
#include "ProviderServer.h"
#include "mirror/MirrorStore.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTextStream>

using namespace Qt::StringLiterals;
using md::fixtures::FixtureRepo;
using md::fixtures::ForgeApi;
using md::fixtures::GitDaemonServer;
using md::fixtures::GitRepoBuilder;
using md::fixtures::ProviderServer;
using namespace md::bench;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

int fail(const QString &what)
{
    out() << "FAILED: " << what << Qt::endl;
    return 1;
}

QString ms(double value)
{
    return QString::number(value, 'f', 1) + u" ms"_s;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "mirrordesk.*.info=false;mirrordesk.*.debug=false;mirrordesk.*.warning=false");
    QApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    int n = 2000;
    int pageSize = 100;
    int run = 200;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == u"--page-size"_s && i + 1 < args.size())
            pageSize = args.at(++i).toInt();
        else if (args.at(i) == u"--run"_s && i + 1 < args.size())
            run = args.at(++i).toInt();
        else
            n = args.at(i).toInt();
    }
    // The run's repositories are named in the filter (an alternation within its 4,096 characters).
    if (n < 1 || pageSize < 1 || run < 1 || run > n || run > 350)
        return fail(u"usage: org_bench [N] [--page-size P] [--run R ≤ min(N, 350)]"_s);

    QTemporaryDir dir;
    const QString srv = dir.filePath(u"srv"_s);
    const QString work = dir.filePath(u"work"_s);
    GitRepoBuilder::initWork(work);
    GitRepoBuilder::commit(work, u"a.txt"_s, u"1"_s, u"one"_s);
    GitRepoBuilder::initBare(srv + u"/one.git"_s);
    GitRepoBuilder::push(work, srv + u"/one.git"_s, {u"main"_s});
    GitDaemonServer daemon;
    if (!daemon.start(srv))
        return fail(daemon.errorString());
    ProviderServer api;
    if (!api.start())
        return fail(api.errorString());
    api.setToken("org-bench-token");
    api.setPageSize(pageSize);
    QList<FixtureRepo> repositories;
    for (int k = 0; k < n; ++k) {
        FixtureRepo repo;
        repo.name = u"repo-%1"_s.arg(k, 5, 10, QLatin1Char('0'));
        repo.cloneUrl = daemon.url(u"one.git"_s);
        repo.archived = k % 10 == 9;
        repositories.append(repo);
    }
    api.setRepositories(ForgeApi::GitHub, u"acme"_s, repositories);
    qputenv("ORG_BENCH_TOKEN", "org-bench-token");

    const QString configPath = dir.filePath(u"mirrors.json"_s);
    const QString stateDir = dir.filePath(u"state"_s);
    const auto written = md::MirrorStore(configPath).modify([&](md::Config &c) {
        c.settings.cacheRoot = dir.filePath(u"caches"_s);
        md::Credential token;
        token.name = u"tok"_s;
        token.kind = md::CredentialKind::Token;
        token.secretSource = md::SecretSource{md::SecretSource::Kind::Env, u"ORG_BENCH_TOKEN"_s};
        c.credentials.append(token);
        return md::Status{};
    });
    if (!written)
        return fail(written.error().text());

    md::ui::MainWindow window(configPath, stateDir);
    window.show();
    if (!waitFor([&] { return window.loaded(); }, 30000))
        return fail(u"the window did not load"_s);
    Watchdog watchdog;
    md::ui::OrgWizard *wizard = window.newOrgMirror();
    if (!wizard)
        return fail(u"no wizard"_s);
    wizard->nameEdit()->setText(u"gh"_s);
    wizard->apiUrlEdit()->setText(api.apiUrl(ForgeApi::GitHub));
    wizard->credentialBox()->setCurrentIndex(wizard->credentialBox()->findData(u"tok"_s));
    wizard->next();
    wizard->ownerEdit()->setText(u"acme"_s);
    out() << "org_bench: " << n << " repositories, " << pageSize << " per page, a run of " << run << Qt::endl;

    // The listing.
    watchdog.reset();
    QElapsedTimer clock;
    clock.start();
    wizard->listButton()->click();
    if (!waitFor([&] { return !wizard->listing(); }, 300000))
        return fail(u"the listing did not finish"_s);
    out() << "list repositories:          " << clock.elapsed() << " ms, longest UI stall " << ms(watchdog.longestMs())
          << "  (" << wizard->listStatus() << ")" << Qt::endl;

    // Keystrokes in the filter with N listed.
    QList<double> keystrokes;
    for (int i = 0; i < 50; ++i) {
        QElapsedTimer key;
        key.start();
        wizard->regexEdit()->setText(i % 2 ? u"^repo-0"_s : u"^repo-00"_s);
        keystrokes.append(double(key.nsecsElapsed()) / 1e6);
    }
    double sum = 0;
    double most = 0;
    for (double k : keystrokes) {
        sum += k;
        most = std::max(most, k);
    }
    out() << "one keystroke, live count:  mean " << ms(sum / keystrokes.size()) << ", max " << ms(most) << "  (" << wizard->listStatus()
          << ")" << Qt::endl;

    // The preview of R repositories' filter (the others filtered out).
    const int digits = 5;
    QStringList wanted;
    for (int k = 0; k < run; ++k)
        wanted.append(u"repo-%1"_s.arg(k, digits, 10, QLatin1Char('0')));
    wizard->regexEdit()->setText(u"^("_s + wanted.join(QLatin1Char('|')) + u")$"_s);
    wizard->archivedBox()->setChecked(true);
    wizard->next();
    wizard->targetDirEdit()->setText(dir.filePath(u"mirrors"_s));
    watchdog.reset();
    clock.restart();
    wizard->next(); // saves, then the preview
    if (!waitFor([&] { return wizard->currentId() == md::ui::OrgWizard::PreviewPage && !wizard->previewing(); }, 300000))
        return fail(u"the preview did not finish"_s);
    out() << "save and preview:           " << clock.elapsed() << " ms, longest UI stall " << ms(watchdog.longestMs()) << "  ("
          << wizard->previewModel()->count(md::OrgAction::Create) << " to create)" << Qt::endl;

    watchdog.reset();
    clock.restart();
    wizard->next(); // Run
    if (!waitFor([&] { return !wizard->running(); }, 900000))
        return fail(u"the run did not finish"_s);
    const qint64 runMs = clock.elapsed();
    out() << "run:                        " << runMs << " ms, longest UI stall " << ms(watchdog.longestMs()) << "  ("
          << wizard->runStatus() << ")" << Qt::endl;
    out() << "UI stalls over 30 ms in the run: " << watchdog.stallsText() << Qt::endl;
    out() << "memory:                     " << memoryText() << Qt::endl;
    const auto config = md::MirrorStore(configPath).load();
    if (!config || config->mirrors.size() != run)
        return fail(u"expected %1 mirrors in the config"_s.arg(run));
    return 0;
}
