#pragma once

#include "util/Result.h"

namespace md {

// Mirror names: segments of [A-Za-z0-9._-] joined by "/", no "..", no segment starting with ".",
// at most 200 characters. Uniqueness (ignoring case) is checked by Config.
Status validateMirrorName(const QString &name, const QString &field = QStringLiteral("name"));

// Credential names: one segment of [A-Za-z0-9._-], not starting with ".", at most 100 characters.
Status validateCredentialName(const QString &name, const QString &field = QStringLiteral("name"));

// The file-system-safe, reversible encoding of a mirror name used for state files.
QString encodeNameForFile(const QString &name);

} // namespace md
