#pragma once

#include "mirror/MirrorStore.h"

#include <functional>

namespace md {

// Named, shared credentials (DESIGN section 3), for every front end: add, edit, remove (refused,
// naming them, while mirrors use it), list with the mirrors using each. Secrets never pass here:
// a credential holds only where its secret lives.
class CredentialOps {
public:
    explicit CredentialOps(QString configPath);

    Status add(const Credential &credential);
    Status edit(const QString &name, const std::function<Status(Credential &)> &change);
    Status remove(const QString &name);

    struct Listed {
        Credential credential;
        QStringList usedBy; // mirror names
    };
    Result<QList<Listed>> list() const;

    // The mirrors whose source or target uses the credential (names compared ignoring case).
    static QStringList usersOf(const Config &config, const QString &credential);

private:
    MirrorStore m_store;
};

} // namespace md
