#pragma once

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

#include <utility>

namespace md::ui {

// Runs `work` (a config read or write, a file read: anything that touches the disk) on the
// global pool and hands its result by value to `deliver` on the UI thread, unless `receiver` is
// gone by then. The UI thread never touches config or state files itself (DESIGN section 2).
template <typename Work, typename Deliver>
void inBackground(QObject *receiver, Work work, Deliver deliver)
{
    QPointer<QObject> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), deliver = std::move(deliver)]() mutable {
        auto result = work();
        QMetaObject::invokeMethod(qApp, [guard, result = std::move(result), deliver = std::move(deliver)]() mutable {
            if (guard)
                deliver(std::move(result));
        }, Qt::QueuedConnection);
    });
}

} // namespace md::ui
