#include "StatusWords.h"

#include <QLocale>
#include <QStringList>

namespace md::ui {

QString StatusWords::errorCategory(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::None: return QString();
    case ErrorCategory::Network: return tr("Network");
    case ErrorCategory::Timeout: return tr("Timed out");
    case ErrorCategory::Auth: return tr("Authentication");
    case ErrorCategory::HostKey: return tr("Host key");
    case ErrorCategory::Tls: return tr("TLS");
    case ErrorCategory::NotFound: return tr("Not found");
    case ErrorCategory::Protected: return tr("Protected ref");
    case ErrorCategory::Rejected: return tr("Rejected");
    case ErrorCategory::Diverged: return tr("Diverged");
    case ErrorCategory::Guard: return tr("Safety guard");
    case ErrorCategory::Config: return tr("Configuration");
    case ErrorCategory::Keychain: return tr("Keychain");
    case ErrorCategory::Usage: return tr("Not possible");
    case ErrorCategory::Interrupted: return tr("Interrupted");
    case ErrorCategory::Io: return tr("Files");
    }
    return QString();
}

QString StatusWords::runOutcome(RunOutcome outcome)
{
    switch (outcome) {
    case RunOutcome::Ok: return tr("OK");
    case RunOutcome::Failed: return tr("Failed");
    case RunOutcome::Skipped: return tr("Skipped");
    case RunOutcome::Interrupted: return tr("Interrupted");
    }
    return QString();
}

QString StatusWords::refAction(RefAction action)
{
    switch (action) {
    case RefAction::Create: return tr("created");
    case RefAction::FastForward: return tr("fast-forwarded");
    case RefAction::Force: return tr("forced");
    case RefAction::Delete: return tr("deleted");
    case RefAction::UpToDate: return tr("up to date");
    case RefAction::SkipDiverged: return tr("diverged, kept");
    case RefAction::Filtered: return tr("filtered");
    case RefAction::Rejected: return tr("left out");
    }
    return QString();
}

QString StatusWords::refOutcome(RefOutcome outcome)
{
    switch (outcome) {
    case RefOutcome::Ok: return tr("done");
    case RefOutcome::Rejected: return tr("rejected");
    case RefOutcome::Skipped: return tr("not done");
    }
    return QString();
}

QString StatusWords::checkState(CheckState state)
{
    switch (state) {
    case CheckState::None: return tr("not checked");
    case CheckState::InSync: return tr("in sync");
    case CheckState::Behind: return tr("behind");
    case CheckState::Diverged: return tr("diverged");
    case CheckState::Unreachable: return tr("unreachable");
    case CheckState::Empty: return tr("empty");
    }
    return QString();
}

QString StatusWords::updateStatus(UpdateStatus status)
{
    switch (status) {
    case UpdateStatus::None: return tr("Never run");
    case UpdateStatus::Scheduled: return tr("Scheduled");
    case UpdateStatus::Started: return tr("Updating");
    case UpdateStatus::Finished: return tr("Finished");
    case UpdateStatus::Failed: return tr("Failed");
    case UpdateStatus::Paused: return tr("Paused");
    case UpdateStatus::Disabled: return tr("Disabled");
    case UpdateStatus::Interrupted: return tr("Interrupted");
    }
    return QString();
}

QString StatusWords::side(const QString &side)
{
    return side == QLatin1String("target") ? tr("target") : tr("cache");
}

QString StatusWords::time(const QDateTime &time, const QString &never)
{
    if (!time.isValid())
        return never;
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

QString StatusWords::duration(qint64 ms)
{
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    const qint64 seconds = ms / 1000;
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

QString StatusWords::refCounts(const QMap<RefAction, int> &counts)
{
    static constexpr RefAction order[] = {RefAction::Force, RefAction::Delete, RefAction::SkipDiverged, RefAction::Create,
                                          RefAction::FastForward, RefAction::UpToDate, RefAction::Filtered, RefAction::Rejected};
    QStringList parts;
    for (const RefAction action : order) {
        if (const int n = counts.value(action); n > 0)
            parts.append(tr("%1 %2").arg(n).arg(refAction(action)));
    }
    return parts.join(tr(", "));
}

} // namespace md::ui
