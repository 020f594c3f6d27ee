// The org wizard's preview and run pages (OrgWizard.h).
#include "Background.h"
#include "OrgPreviewModel.h"
#include "OrgWizard.h"
#include "OrgWizardPage.h"
#include "mirror/MirrorStore.h"
#include "util/Scrub.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace md::ui {

namespace {

QTableView *rowsView(QWidget *parent, QAbstractItemModel *model, const QString &objectName)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setSortingEnabled(true);
    view->sortByColumn(-1, Qt::AscendingOrder); // the provider's order until a header is clicked
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setColumnWidth(OrgPreviewModel::Action, 130);
    view->setColumnWidth(OrgPreviewModel::Repository, 200);
    view->setColumnWidth(OrgPreviewModel::MirrorName, 220);
    return view;
}

} // namespace

void OrgWizard::buildPreviewPage()
{
    auto *page = new OrgWizardPage(this);
    page->setObjectName(QStringLiteral("previewPage"));
    page->setTitle(tr("Preview"));
    page->setSubTitle(tr("What a Run does with each repository. Untick a repository to leave it out. Nothing has changed yet."));
    page->setCommitPage(true);
    auto *layout = new QVBoxLayout(page);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit(page);
    m_filter->setObjectName(QStringLiteral("previewFilter"));
    m_filter->setPlaceholderText(tr("Filter by repository, mirror, action or reason…"));
    m_filter->setClearButtonEnabled(true);
    m_refresh = new QPushButton(tr("Preview again"), page);
    m_refresh->setObjectName(QStringLiteral("refreshPreview"));
    m_refresh->setToolTip(tr("List the repositories again and compare them with the mirrors now configured"));
    top->addWidget(m_filter, 1);
    top->addWidget(m_refresh);
    layout->addLayout(top);
    m_previewView = rowsView(page, m_proxy, QStringLiteral("preview"));
    m_previewView->hideColumn(OrgPreviewModel::Result);
    layout->addWidget(m_previewView, 1);
    m_previewStatus = new QLabel(page);
    m_previewStatus->setObjectName(QStringLiteral("previewStatus"));
    m_previewStatus->setWordWrap(true);
    layout->addWidget(m_previewStatus);
    m_totals = new QLabel(page);
    m_totals->setObjectName(QStringLiteral("totals"));
    m_totals->setWordWrap(true);
    layout->addWidget(m_totals);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_refresh, &QPushButton::clicked, this, &OrgWizard::refreshPreview);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &OrgWizard::updateTotals);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OrgWizard::updateTotals);
    page->initialize = [this] { startPreview(); };
    page->complete = [this] { return !m_previewing && m_previewError.isEmpty() && !m_savedName.isEmpty(); };
    m_pages[PreviewPage] = page;
    setPage(PreviewPage, page);
}

void OrgWizard::buildRunPage()
{
    auto *page = new OrgWizardPage(this);
    page->setObjectName(QStringLiteral("runPage"));
    page->setTitle(tr("Run"));
    page->setSubTitle(tr("Adding the mirrors and running their first update. Cancel stops it; mirrors added before stay."));
    page->setFinalPage(true);
    auto *layout = new QVBoxLayout(page);
    auto *row = new QHBoxLayout;
    m_progress = new QProgressBar(page);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_cancelRun = new QPushButton(tr("Cancel run"), page);
    m_cancelRun->setObjectName(QStringLiteral("cancelRun"));
    m_cancelRun->setToolTip(tr("Stop the run: what is listing, being created or updating stops; mirrors added so far are kept"));
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancelRun);
    layout->addLayout(row);
    m_runLabel = new QLabel(page);
    m_runLabel->setObjectName(QStringLiteral("runStatus"));
    m_runLabel->setWordWrap(true);
    layout->addWidget(m_runLabel);
    m_resultView = rowsView(page, m_proxy, QStringLiteral("results"));
    m_resultView->hideColumn(OrgPreviewModel::Reason);
    layout->addWidget(m_resultView, 1);

    connect(m_cancelRun, &QPushButton::clicked, this, &OrgWizard::cancelRun);
    page->initialize = [this] { startRun(); };
    page->complete = [this] { return !m_running; };
    m_pages[RunPage] = page;
    setPage(RunPage, page);
}

void OrgWizard::refreshPreview()
{
    startPreview();
}

void OrgWizard::startPreview()
{
    const quint64 generation = ++m_generation;
    m_ops->cancel();
    m_previewing = true;
    m_previewError.clear();
    m_model->clear();
    m_previewStatus->setText(tr("Listing the repositories…"));
    m_refresh->setEnabled(false);
    m_pages[PreviewPage]->refresh();
    const QString name = m_savedName;
    const QString configPath = m_configPath;
    // The config as it is now (the mirrors a Run would add may have been added meanwhile).
    inBackground(this, [configPath] { return MirrorStore(configPath).load(); }, [this, generation, name](Result<Config> config) {
        if (generation != m_generation)
            return;
        auto fail = [this](const QString &message) {
            m_previewing = false;
            m_previewError = message;
            m_previewStatus->setText(message);
            m_refresh->setEnabled(true);
            m_pages[PreviewPage]->refresh();
        };
        if (!config) {
            fail(tr("Cannot read the configuration: %1").arg(scrubText(config.error().message)));
            return;
        }
        m_config = *config;
        QPointer<OrgWizard> self(this);
        m_ops->preview(m_config, name, [self, generation](const OrgProgress &progress) {
            if (self && generation == self->m_generation)
                self->m_previewStatus->setText(tr("Listing… %n repositories so far", nullptr, progress.listing.repositories));
        }, [self, generation, fail](Result<OrgPreview> preview) {
            if (!self || generation != self->m_generation)
                return;
            if (!preview) {
                fail(tr("Cannot list the repositories: %1").arg(scrubText(preview.error().message)));
                return;
            }
            const OrgMirror *org = self->m_config.org(self->m_savedName);
            self->m_model->setPreview(org ? *org : self->draft(), *preview);
            self->m_previewing = false;
            const int listed = static_cast<int>(
                std::count_if(preview->rows.begin(), preview->rows.end(), [](const OrgRow &row) { return row.action != OrgAction::Gone; }));
            self->m_previewStatus->setText(tr("%n repositories listed.", nullptr, listed));
            self->m_refresh->setEnabled(true);
            self->m_pages[PreviewPage]->refresh();
        });
    });
}

void OrgWizard::updateTotals()
{
    const OrgPreviewModel &m = *m_model;
    QString text = tr("%1 to create (%2 ticked), %3 to update (%4 ticked), %5 up to date, %6 filtered out, %7 gone upstream, %8 clashes")
                       .arg(m.count(OrgAction::Create))
                       .arg(m.checkedCount(OrgAction::Create))
                       .arg(m.count(OrgAction::Update))
                       .arg(m.checkedCount(OrgAction::Update))
                       .arg(m.count(OrgAction::UpToDate))
                       .arg(m.count(OrgAction::Filtered))
                       .arg(m.count(OrgAction::Gone))
                       .arg(m.count(OrgAction::Clash));
    m_totals->setText(text);
}

QString OrgWizard::totalsText() const
{
    return m_totals->text();
}

QString OrgWizard::runStatus() const
{
    return m_runLabel->text();
}

void OrgWizard::startRun()
{
    const quint64 generation = ++m_generation;
    m_running = true;
    m_cancelling = false;
    m_report.reset();
    m_progress->setRange(0, 0); // busy until the listing is in
    m_cancelRun->setEnabled(true);
    m_runLabel->setText(tr("Starting…"));
    m_pages[RunPage]->refresh();
    const QString name = m_savedName;
    const QString configPath = m_configPath;
    const QStringList skip = m_model->unchecked();
    inBackground(this, [configPath] { return MirrorStore(configPath).load(); }, [this, generation, name, skip](Result<Config> config) {
        if (generation != m_generation)
            return;
        if (!config) {
            finishRun(Error::io(tr("Cannot read the configuration: %1").arg(scrubText(config.error().message))));
            return;
        }
        if (m_cancelling) {
            finishRun(Error{ErrorCategory::Interrupted, QStringLiteral("cancelled"), {}, 0, 0});
            return;
        }
        m_config = *config;
        QPointer<OrgWizard> self(this);
        m_ops->run(m_config, name, m_runs, [self, generation](const OrgProgress &progress) {
            if (self && generation == self->m_generation)
                self->showProgress(progress);
        }, [self, generation](Result<OrgRunReport> report) {
            if (self && generation == self->m_generation)
                self->finishRun(std::move(report));
        }, OrgRunOptions{false, skip});
    });
}

void OrgWizard::showProgress(const OrgProgress &progress)
{
    if (m_cancelling)
        return;
    auto bar = [this](int done, int total) {
        m_progress->setRange(0, std::max(1, total));
        m_progress->setValue(total == 0 ? 1 : std::min(done, total));
    };
    if (progress.phase == QLatin1String("listing")) {
        m_progress->setRange(0, 0);
        m_runLabel->setText(progress.listing.waitingUntil.isValid()
                                ? tr("Waiting for the provider's rate limit until %1…")
                                      .arg(QLocale().toString(progress.listing.waitingUntil.toLocalTime(), QLocale::ShortFormat))
                                : tr("Listing the repositories… %n so far", nullptr, progress.listing.repositories));
    } else if (progress.phase == QLatin1String("creating")) {
        bar(progress.done, progress.total);
        m_runLabel->setText(tr("Creating the target repositories: %1 of %2…").arg(progress.done + 1).arg(progress.total));
    } else if (progress.phase == QLatin1String("adding")) {
        m_progress->setRange(0, 0);
        m_runLabel->setText(tr("Adding %n mirror(s)…", nullptr, progress.total));
    } else if (progress.phase == QLatin1String("syncing")) {
        bar(progress.done, progress.total);
        m_runLabel->setText(tr("First updates: %1 of %2 done…").arg(progress.done).arg(progress.total));
    } else if (progress.phase == QLatin1String("done")) {
        bar(progress.total, progress.total);
    }
}

void OrgWizard::finishRun(Result<OrgRunReport> report)
{
    m_running = false;
    m_cancelRun->setEnabled(false);
    if (!report) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_runLabel->setText(report.error().category == ErrorCategory::Interrupted
                                ? tr("Cancelled. Mirrors added before the cancel are kept; run again to finish.")
                                : tr("The run failed: %1").arg(scrubText(report.error().message)));
    } else {
        m_report = *report;
        m_model->setResults(*report);
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        const QMap<QString, int> results = report->results();
        const int interrupted = static_cast<int>(std::count_if(report->rows.begin(), report->rows.end(), [](const OrgRunRow &row) {
            return row.error && row.error->category == ErrorCategory::Interrupted;
        }));
        QString text = tr("Done: %1 created, %2 updated, %3 up to date, %4 skipped, %5 failed.")
                           .arg(results.value(QStringLiteral("created")))
                           .arg(results.value(QStringLiteral("updated")))
                           .arg(results.value(QStringLiteral("up_to_date")))
                           .arg(results.value(QStringLiteral("skipped")))
                           .arg(results.value(QStringLiteral("failed")));
        if (interrupted > 0)
            text = tr("Cancelled: %n update(s) were stopped; their mirrors are kept and update on their schedule.", nullptr, interrupted);
        m_runLabel->setText(text);
    }
    m_pages[RunPage]->refresh();
    Q_EMIT runFinished(m_savedName);
}

void OrgWizard::cancelRun()
{
    if (!m_running || m_cancelling)
        return;
    m_cancelling = true;
    m_cancelRun->setEnabled(false);
    m_runLabel->setText(tr("Cancelling…"));
    m_ops->cancel();
}

void OrgWizard::reject()
{
    if (m_running)
        m_ops->cancel(); // the engine's updates of this run stop too; what was added stays
    QWizard::reject();
}

} // namespace md::ui
