#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QStringList>

namespace md {

// The SSH host-key decision (DESIGN section 5), made in libgit2's certificate callback after the
// key exchange and before any authentication: the raw key blob the server offered must equal one
// pinned for its host:port. Never trust on first use. A refusal is a host_key error whose detail
// carries the offered key and the pinned fingerprints (Error::detail), so a front end can offer
// to pin it; the message carries no front-end advice.
Status checkHostKey(const QString &hostPort, const QStringList &pinnedLines, const QByteArray &offeredBlob);

} // namespace md
