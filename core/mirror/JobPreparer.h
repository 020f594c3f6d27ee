#pragma once

#include "mirror/Checker.h"

#include <QObject>

#include <functional>

namespace md {

// Job preparation, one asynchronous step per batch (DESIGN section 2): every mirror's job is
// built with its secrets read, each credential resolved once for the whole batch, and the
// results are delivered on this object's thread by a queued call, never re-entrantly and never
// from a pool thread. This is the one place where secret reads happen before jobs start (the
// keychain's asynchronous reads go here too).
class JobPreparer : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(QList<Result<MirrorJob>>)>;

    explicit JobPreparer(QObject *parent = nullptr);

    // `done` receives one result per mirror, in order.
    void prepare(const Config &config, const QList<Mirror> &mirrors, Done done);
};

} // namespace md
