#pragma once

#include "mirror/RunTypes.h"
#include "mirror/StatusRecord.h"
#include "util/Result.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>

namespace md::ui {

// The engine's enums in the user's words (translated): core keeps categories and fixed JSON names,
// the window renders them here, once, so every pane says the same thing.
class StatusWords {
    Q_DECLARE_TR_FUNCTIONS(StatusWords)
public:
    static QString errorCategory(ErrorCategory category); // empty for None
    static QString runOutcome(RunOutcome outcome);
    static QString refAction(RefAction action);
    static QString refOutcome(RefOutcome outcome);
    static QString checkState(CheckState state);
    static QString updateStatus(UpdateStatus status);
    // "cache" / "target" (a RefResult's or attic entry's side; empty: the cache).
    static QString side(const QString &side);
    // A time in the user's locale and time zone, short; `never` when the time is null.
    static QString time(const QDateTime &time, const QString &never = QString());
    // "850 ms", "12 s", "3 min 5 s", "2 h 4 min".
    static QString duration(qint64 ms);
    // A run's refs per action, in a fixed order: "1 forced, 3 created, 120 up to date".
    static QString refCounts(const QMap<RefAction, int> &counts);
};

} // namespace md::ui
