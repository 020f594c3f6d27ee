#pragma once

#include <QString>

namespace md {

// One advertised or local ref: its name and oid (and, for an annotated tag, the commit it peels
// to). A git-level value: the lister fills it, the engine plans with it.
struct RefTip {
    QString name;
    QString oid;
    QString peeled;
};

} // namespace md
