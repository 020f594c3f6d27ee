#pragma once

#include <QString>

#include <git2.h>

#include <optional>

namespace md::git {

// An oid as 40 hex characters.
inline QString oidText(const git_oid &oid)
{
    char text[GIT_OID_HEXSZ + 1];
    git_oid_tostr(text, sizeof text, &oid);
    return QString::fromLatin1(text);
}

// 40 hex characters as an oid, or nullopt (an empty or malformed text never becomes a zero oid).
inline std::optional<git_oid> parseOid(const QString &text)
{
    git_oid oid;
    if (text.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, text.toLatin1().constData(), GIT_OID_HEXSZ) != 0)
        return std::nullopt;
    return oid;
}

} // namespace md::git
