#include "DetailsPane.h"

#include "AtticPanel.h"
#include "Background.h"
#include "StatusWords.h"
#include "ops/RunOps.h"
#include "security/GitUrl.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace md::ui {

namespace {

constexpr int kPlanRowLimit = 1000; // a plan's rows listed (the rest counted)

QLabel *plainLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // errors, refs and host messages come from outside: never markup
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

void setShown(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QTableWidget *makeTable(int columns, const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(0, columns, parent);
    table->setHorizontalHeaderLabels(headers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

QTableWidgetItem *item(const QString &text, const QString &toolTip = QString())
{
    auto *cell = new QTableWidgetItem(text);
    cell->setToolTip(toolTip.isEmpty() ? text : toolTip);
    return cell;
}

QString oidsText(const QString &oldOid, const QString &newOid)
{
    if (oldOid.isEmpty() && newOid.isEmpty())
        return QString();
    if (oldOid == newOid)
        return oldOid.left(10);
    return QStringLiteral("%1 → %2").arg(oldOid.left(10), newOid.left(10)).trimmed();
}

// Fills a per-ref table; `withResult`: a run's (result and side columns), else a plan's.
void fillRefs(QTableWidget *table, const QList<RefResult> &refs, bool withResult)
{
    table->setRowCount(int(refs.size()));
    for (int row = 0; row < refs.size(); ++row) {
        const RefResult &ref = refs.at(row);
        table->setItem(row, DetailsPane::RefNameColumn, item(ref.ref));
        table->setItem(row, DetailsPane::ActionColumn, item(StatusWords::refAction(ref.action)));
        table->setItem(row, DetailsPane::OidsColumn,
                       item(oidsText(ref.oldOid, ref.newOid), QStringLiteral("%1\n%2").arg(ref.oldOid, ref.newOid).trimmed()));
        table->setItem(row, DetailsPane::MessageColumn, item(GitUrl::scrubText(ref.message)));
        if (withResult) {
            table->setItem(row, DetailsPane::ResultColumn, item(StatusWords::refOutcome(ref.result)));
            table->setItem(row, DetailsPane::SideColumn, item(StatusWords::side(ref.side)));
        }
    }
}

QString bulleted(const QString &heading, const QStringList &lines)
{
    if (lines.isEmpty())
        return QString();
    QString text = heading;
    for (const QString &line : lines)
        text += QStringLiteral("\n• ") + GitUrl::scrubText(line);
    return text;
}

// A failed check's or run's category and message: "Network: could not resolve host …".
QString errorText(ErrorCategory category, const QString &error)
{
    const QString scrubbed = GitUrl::scrubText(error);
    const QString word = StatusWords::errorCategory(category);
    if (word.isEmpty())
        return scrubbed;
    return scrubbed.isEmpty() ? word : DetailsPane::tr("%1: %2").arg(word, scrubbed);
}

QString checkText(const CheckRecord &check)
{
    QString text = StatusWords::checkState(check.state);
    if (check.state == CheckState::Unreachable || !check.error.isEmpty())
        text = DetailsPane::tr("%1 (%2)").arg(text, errorText(check.errorCategory, check.error));
    QStringList stages;
    if (check.sourceCache)
        stages.append(DetailsPane::tr("source ↔ cache: %1").arg(StatusWords::checkState(check.sourceCache->state)));
    if (check.cacheTarget)
        stages.append(DetailsPane::tr("cache ↔ target: %1").arg(StatusWords::checkState(check.cacheTarget->state)));
    if (!stages.isEmpty())
        text += DetailsPane::tr(" — %1").arg(stages.join(DetailsPane::tr("; ")));
    return text;
}

QString shapeTitle(const Mirror &mirror)
{
    switch (mirror.shape) {
    case Shape::Pull: return DetailsPane::tr("%1 — pull mirror").arg(mirror.name);
    case Shape::Relay: return DetailsPane::tr("%1 — relay mirror").arg(mirror.name);
    case Shape::Push: return DetailsPane::tr("%1 — push mirror").arg(mirror.name);
    }
    return mirror.name;
}

} // namespace

DetailsPane::DetailsPane(QString configPath, QString stateDir, QWidget *parent)
    : QWidget(parent)
    , m_configPath(std::move(configPath))
    , m_stateDir(std::move(stateDir))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = plainLabel(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs, 1);

    // Summary: labels in a scroll area (a long error stays whole and selectable).
    auto *summary = new QWidget;
    auto *summaryLayout = new QVBoxLayout(summary);
    m_updateNowReason = plainLabel(summary);
    m_lastRun = plainLabel(summary);
    m_errorCategory = plainLabel(summary);
    m_errorCategory->setFont(bold);
    m_error = plainLabel(summary);
    m_warnings = plainLabel(summary);
    m_checked = plainLabel(summary);
    for (QLabel *label : {m_updateNowReason, m_lastRun, m_checked, m_errorCategory, m_error, m_warnings})
        summaryLayout->addWidget(label);
    summaryLayout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(summary);
    m_tabs->addTab(scroll, tr("Summary"));

    // History: the runs, and the selected run's per-ref results.
    auto *history = new QWidget;
    auto *historyLayout = new QVBoxLayout(history);
    m_historyEmpty = plainLabel(history);
    historyLayout->addWidget(m_historyEmpty);
    auto *splitter = new QSplitter(Qt::Vertical, history);
    m_history = makeTable(HistoryColumnCount, {tr("Started"), tr("Duration"), tr("Outcome"), tr("Changes")}, splitter);
    m_history->setColumnWidth(StartedColumn, 150);
    m_history->setColumnWidth(OutcomeColumn, 200);
    auto *run = new QWidget(splitter);
    auto *runLayout = new QVBoxLayout(run);
    runLayout->setContentsMargins(0, 0, 0, 0);
    m_runDetail = plainLabel(run);
    runLayout->addWidget(m_runDetail);
    m_refs = makeTable(RefColumnCount, {tr("Ref"), tr("Action"), tr("Old → new"), tr("Message"), tr("Result"), tr("Side")}, run);
    m_refs->setColumnWidth(RefNameColumn, 220);
    m_refs->setColumnWidth(OidsColumn, 200);
    m_refs->setColumnWidth(MessageColumn, 260);
    runLayout->addWidget(m_refs, 1);
    m_refsOmitted = plainLabel(run);
    runLayout->addWidget(m_refsOmitted);
    historyLayout->addWidget(splitter, 1);
    m_tabs->addTab(history, tr("History"));
    connect(m_history, &QTableWidget::currentCellChanged, this, [this](int row) { showRun(row); });

    // Plan: computed only on Refresh (it contacts the source).
    auto *plan = new QWidget;
    auto *planLayout = new QVBoxLayout(plan);
    auto *planTop = new QHBoxLayout;
    m_planHeading = plainLabel(plan);
    planTop->addWidget(m_planHeading, 1);
    m_refreshPlan = new QPushButton(tr("Refresh"), plan);
    m_refreshPlan->setToolTip(tr("Contact the source and compute what the next update would do, changing nothing"));
    planTop->addWidget(m_refreshPlan, 0, Qt::AlignTop);
    planLayout->addLayout(planTop);
    m_plan = makeTable(MessageColumn + 1, {tr("Ref"), tr("Action"), tr("Old → new"), tr("Reason")}, plan);
    m_plan->setColumnWidth(RefNameColumn, 220);
    m_plan->setColumnWidth(OidsColumn, 200);
    planLayout->addWidget(m_plan, 1);
    m_planDetail = plainLabel(plan);
    planLayout->addWidget(m_planDetail);
    m_tabs->addTab(plan, tr("Plan"));
    connect(m_refreshPlan, &QPushButton::clicked, this, &DetailsPane::requestPlan);

    m_attic = new AtticPanel(m_configPath, m_stateDir);
    m_tabs->addTab(m_attic, tr("Attic"));
    connect(m_attic, &AtticPanel::message, this, &DetailsPane::message);
    connect(m_attic, &AtticPanel::changed, this, [this](const QString &mirror) {
        if (mirror == m_mirror.name)
            refresh();
    });
    clear();
}

void DetailsPane::clear()
{
    ++m_generation; // an answer still on its way is for a mirror no longer shown
    m_mirror = Mirror{};
    m_status = StatusRecord{};
    m_runs.clear();
    m_loaded = false;
    m_title->setText(tr("No mirror selected"));
    m_tabs->setEnabled(false);
    for (QLabel *label : {m_updateNowReason, m_lastRun, m_errorCategory, m_error, m_warnings, m_checked})
        setShown(label, QString());
    m_history->setRowCount(0);
    setShown(m_historyEmpty, QString());
    showRun(-1);
    resetPlan();
    m_attic->clear();
}

void DetailsPane::showMirror(const Mirror &mirror, const StatusRecord &status)
{
    if (mirror.name.isEmpty())
        return clear();
    const bool same = mirror.name == m_mirror.name;
    const bool ranSince = same && status.lastUpdateStartedAt != m_status.lastUpdateStartedAt;
    m_mirror = mirror;
    m_status = status;
    m_tabs->setEnabled(true);
    m_title->setText(shapeTitle(mirror));
    if (!same) {
        setShown(m_updateNowReason, QString());
        m_runs.clear();
        m_history->setRowCount(0);
        showRun(-1);
        m_attic->clear(mirror.name);
    }
    if (!same || ranSince || (!m_planPending && !m_planShown))
        resetPlan(); // a plan says what the next update would do: stale once one ran
    renderSummary();
    read();
}

void DetailsPane::refresh()
{
    if (!m_mirror.name.isEmpty())
        read();
}

void DetailsPane::setUpdateNowReason(const QString &reason)
{
    setShown(m_updateNowReason, reason.isEmpty() || m_mirror.name.isEmpty() ? QString() : tr("Update now is unavailable: %1").arg(reason));
}

void DetailsPane::read()
{
    // The history and the attic (the cache's refs and the index) are read on a worker; only the
    // newest request's answer is shown (a quick run over the table leaves no stale pane behind).
    const quint64 generation = ++m_generation;
    m_loaded = false;
    if (m_runs.isEmpty())
        setShown(m_historyEmpty, tr("Reading the history…"));
    const QString name = m_mirror.name;
    const QString configPath = m_configPath;
    const QString stateDir = m_stateDir;
    inBackground(this, [name, configPath, stateDir] {
        Details details;
        details.history = StateStore(stateDir).history(name);
        details.attic = AtticOps(configPath, stateDir).list(name);
        return details;
    }, [this, generation](Details details) {
        if (generation == m_generation)
            apply(details);
    });
}

void DetailsPane::apply(const Details &details)
{
    // The run selected stays selected, unless a new run came in: then the newest is shown.
    const int current = m_history->currentRow();
    const QDateTime selectedRun = current >= 0 && current < m_runs.size() ? m_runs.at(current).startedAt : QDateTime();
    const QDateTime newestBefore = m_runs.isEmpty() ? QDateTime() : m_runs.first().startedAt;
    m_runs.clear();
    if (details.history) {
        // Newest first (the history file keeps them oldest first).
        const QList<RunRecord> &runs = *details.history;
        for (auto it = runs.crbegin(); it != runs.crend(); ++it)
            m_runs.append(*it);
    }
    const bool newRun = !m_runs.isEmpty() && m_runs.first().startedAt != newestBefore;
    m_history->setRowCount(int(m_runs.size()));
    int select = m_runs.isEmpty() ? -1 : 0;
    for (int row = 0; row < m_runs.size(); ++row) {
        const RunRecord &run = m_runs.at(row);
        m_history->setItem(row, StartedColumn, item(StatusWords::time(run.startedAt)));
        m_history->setItem(row, DurationColumn, item(StatusWords::duration(run.durationMs)));
        QString outcome = StatusWords::runOutcome(run.outcome);
        if (run.errorCategory != ErrorCategory::None)
            outcome = tr("%1 (%2)").arg(outcome, StatusWords::errorCategory(run.errorCategory));
        if (!run.warnings.isEmpty())
            outcome = tr("%1, %n warning(s)", nullptr, int(run.warnings.size())).arg(outcome);
        m_history->setItem(row, OutcomeColumn, item(outcome));
        QMap<RefAction, int> changes;
        for (const RefAction action : {RefAction::Force, RefAction::Delete, RefAction::SkipDiverged, RefAction::Create, RefAction::FastForward}) {
            if (run.refCounts.value(action) > 0)
                changes.insert(action, run.refCounts.value(action));
        }
        m_history->setItem(row, ChangesColumn, item(changes.isEmpty() ? tr("no change") : StatusWords::refCounts(changes),
                                                    StatusWords::refCounts(run.refCounts)));
        if (!newRun && run.startedAt == selectedRun)
            select = row;
    }
    if (!details.history)
        setShown(m_historyEmpty, tr("The history cannot be read: %1").arg(GitUrl::scrubText(details.history.error().message)));
    else
        setShown(m_historyEmpty, m_runs.isEmpty() ? tr("Never run") : QString());
    m_history->setCurrentCell(select, select < 0 ? -1 : StartedColumn);
    showRun(select);
    m_attic->setListing(m_mirror.name, details.attic);
    m_loaded = true;
    Q_EMIT loaded(m_mirror.name);
}

void DetailsPane::renderSummary()
{
    const StatusRecord &s = m_status;
    if (s.updateStatus == UpdateStatus::None && !s.lastUpdateStartedAt.isValid()) {
        setShown(m_lastRun, tr("Never run"));
    } else {
        QString text = tr("%1. Last run: %2. Last success: %3.")
                           .arg(StatusWords::updateStatus(s.updateStatus), StatusWords::time(s.lastUpdateStartedAt, tr("never")),
                                StatusWords::time(s.lastSuccessfulUpdateAt, tr("never")));
        if (s.consecutiveFailures > 1)
            text += QLatin1Char(' ') + tr("%n failures in a row.", nullptr, s.consecutiveFailures);
        setShown(m_lastRun, text);
    }
    // "Checked at": never a check older than the last successful update as the current state.
    if (!s.lastCheck) {
        setShown(m_checked, tr("Not checked yet."));
    } else if (const auto check = currentCheck(s)) {
        QString text = tr("Checked at %1: %2").arg(StatusWords::time(check->checkedAt), checkText(*check));
        if (!check->warnings.isEmpty())
            text += QLatin1Char('\n') + bulleted(tr("The check warned:"), check->warnings);
        setShown(m_checked, text);
    } else {
        setShown(m_checked, tr("Not checked since the last update (the last check, at %1, said \"%2\" before it).")
                                .arg(StatusWords::time(s.lastCheck->checkedAt), StatusWords::checkState(s.lastCheck->state)));
    }
    const bool failed = !s.lastError.isEmpty() || s.errorCategory != ErrorCategory::None;
    const QString category = StatusWords::errorCategory(s.errorCategory);
    setShown(m_errorCategory, !failed ? QString() : category.isEmpty() ? tr("Last error:") : tr("Last error (%1):").arg(category));
    setShown(m_error, GitUrl::scrubText(s.lastError));
    setShown(m_warnings, bulleted(tr("Warnings of the last run:"), s.warnings));
}

void DetailsPane::showRun(int row)
{
    if (row < 0 || row >= m_runs.size()) {
        setShown(m_runDetail, QString());
        m_refs->setRowCount(0);
        m_refs->setVisible(false);
        setShown(m_refsOmitted, QString());
        return;
    }
    const RunRecord &run = m_runs.at(row);
    QStringList lines;
    lines.append(tr("%1 at %2, %3.").arg(StatusWords::runOutcome(run.outcome), StatusWords::time(run.startedAt),
                                         StatusWords::duration(run.durationMs)));
    if (!run.error.isEmpty() || run.errorCategory != ErrorCategory::None)
        lines.append(tr("Error: %1").arg(errorText(run.errorCategory, run.error)));
    if (!run.warnings.isEmpty())
        lines.append(bulleted(tr("Warnings:"), run.warnings));
    if (const QString counts = StatusWords::refCounts(run.refCounts); !counts.isEmpty())
        lines.append(tr("Refs: %1").arg(counts));
    setShown(m_runDetail, lines.join(QLatin1Char('\n')));
    fillRefs(m_refs, run.refs, true);
    m_refs->setVisible(!run.refs.isEmpty());
    setShown(m_refsOmitted, run.refsOmitted > 0 ? tr("%n more not listed", nullptr, run.refsOmitted) : QString());
}

void DetailsPane::resetPlan()
{
    m_planPending = false;
    m_planShown = false;
    m_plan->setRowCount(0);
    m_plan->setVisible(false);
    setShown(m_planDetail, QString());
    m_refreshPlan->setEnabled(!m_mirror.name.isEmpty());
    // A check keeps the verdict and the fingerprints, not a per-ref plan.
    const auto check = currentCheck(m_status);
    if (m_mirror.name.isEmpty())
        m_planHeading->setText(QString());
    else if (check)
        m_planHeading->setText(tr("The last check (%1: %2) keeps no per-ref plan: press Refresh to compute what the next update "
                                  "would do (this contacts the source; nothing is changed).")
                                   .arg(StatusWords::time(check->checkedAt), StatusWords::checkState(check->state)));
    else
        m_planHeading->setText(tr("No plan yet: press Refresh to compute what the next update would do (this contacts the "
                                  "source; nothing is changed)."));
}

void DetailsPane::requestPlan()
{
    if (m_mirror.name.isEmpty() || m_planPending)
        return;
    m_planPending = true;
    m_refreshPlan->setEnabled(false);
    m_planHeading->setText(tr("Computing the plan…"));
    Q_EMIT planRequested(m_mirror.name);
}

void DetailsPane::showPlanError(const QString &mirror, const QString &message)
{
    if (mirror != m_mirror.name)
        return;
    resetPlan();
    m_planShown = true;
    m_planHeading->setText(tr("The plan could not be computed: %1").arg(GitUrl::scrubText(message)));
}

void DetailsPane::showPlan(const RunEntry &entry)
{
    if (entry.mirror.name != m_mirror.name)
        return;
    resetPlan();
    m_planShown = true;
    if (entry.skip != SkipReason::None) {
        m_planHeading->setText(tr("Not planned: %1").arg(GitUrl::scrubText(entry.skipText)));
        return;
    }
    if (!entry.update) {
        const QString error = entry.check ? errorText(entry.check->record.errorCategory, entry.check->record.error) : QString();
        m_planHeading->setText(tr("The plan could not be computed: %1").arg(error.isEmpty() ? tr("no result") : error));
        return;
    }
    const UpdateOutcome &outcome = *entry.update;
    if (!outcome.skipped.isEmpty()) {
        m_planHeading->setText(tr("Not planned: %1").arg(GitUrl::scrubText(outcome.skipped)));
        return;
    }
    const SyncResult &result = outcome.result;
    if (result.error) {
        m_planHeading->setText(result.plan.failure
            ? tr("The next update would be refused: %1").arg(errorText(result.error->category, result.error->message))
            : tr("The plan could not be computed: %1").arg(errorText(result.error->category, result.error->message)));
    } else {
        m_planHeading->setText(tr("Plan of %1: what the next update would do (nothing was changed).")
                                   .arg(StatusWords::time(outcome.startedAt.isValid() ? outcome.startedAt : QDateTime::currentDateTimeUtc())));
    }
    QMap<RefAction, int> counts;
    QList<RefResult> listed;
    int notListed = 0;
    for (const RefResult &ref : result.refs) {
        counts[ref.action] += 1;
        if (ref.action == RefAction::UpToDate || ref.action == RefAction::Filtered || isLeftOut(ref))
            continue;
        if (listed.size() < kPlanRowLimit)
            listed.append(ref);
        else
            ++notListed;
    }
    fillRefs(m_plan, listed, false);
    m_plan->setVisible(!listed.isEmpty());
    QStringList lines;
    if (listed.isEmpty() && !result.error)
        lines.append(tr("Nothing to change."));
    if (notListed > 0)
        lines.append(tr("%n more not listed", nullptr, notListed));
    if (!result.plan.headTo.isEmpty() && !result.plan.headFrom.isEmpty())
        lines.append(tr("The default branch would change: %1 → %2").arg(result.plan.headFrom, result.plan.headTo));
    if (const QString text = StatusWords::refCounts(counts); !text.isEmpty())
        lines.append(tr("Refs: %1").arg(text));
    if (!result.warnings.isEmpty())
        lines.append(bulleted(tr("Warnings:"), result.warnings));
    setShown(m_planDetail, lines.join(QLatin1Char('\n')));
}

QString DetailsPane::summaryText() const
{
    QStringList lines{m_title->text()};
    for (QLabel *label : {m_updateNowReason, m_lastRun, m_checked, m_errorCategory, m_error, m_warnings}) {
        if (!label->text().isEmpty())
            lines.append(label->text());
    }
    return lines.join(QLatin1Char('\n'));
}

QString DetailsPane::historyText() const
{
    QStringList lines;
    for (QLabel *label : {m_historyEmpty, m_runDetail, m_refsOmitted}) {
        if (!label->text().isEmpty())
            lines.append(label->text());
    }
    return lines.join(QLatin1Char('\n'));
}

QString DetailsPane::planText() const
{
    QStringList lines{m_planHeading->text()};
    if (!m_planDetail->text().isEmpty())
        lines.append(m_planDetail->text());
    return lines.join(QLatin1Char('\n'));
}

} // namespace md::ui
