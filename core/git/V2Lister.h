#pragma once

#include "git/Connection.h"

#include <QStringList>

namespace md::git {

// Lists a remote's refs over git's protocol v2 (`ls-refs` with `symrefs`, `peel`, `ref-prefix
// HEAD` and one `ref-prefix` per entry of `prefixes`; no prefixes: every ref), so a check pays
// for the refs it mirrors and not for the thousands of refs/pull/* a forge keeps beside them.
// libgit2 1.5 speaks only protocol v0, which always sends the whole advertisement.
//
// Transports: smart HTTP(S) on QNetworkAccessManager (V2Http.cpp) and git:// on a plain socket
// (V2GitDaemon.cpp). ssh:// and local paths are not attempted.
//
// Returns what listRemote() returns (git/Connection.h): HEAD (when the server has one) and every
// ref under the prefixes, annotated tags with `peeled`, and headTarget. A server that answers
// anything malformed (bad pkt-line lengths, object ids, ref names git refuses, duplicates) gives
// an Error of category network naming what was wrong, never a partial listing.
//
// An Error for which isV2Unsupported() is true means "protocol v2 is not available here" — the
// URL's transport (ssh, scp-style, local) or the server (it answered with a v0 advertisement, is
// no smart HTTP server, lacks ls-refs, uses another object format than sha1, asks for another
// HTTP authentication than basic) or a configured proxy that is not http://: fall back to
// listRemote(), which may reuse nothing of this call. Any other Error is a real
// failure with the categories of util/Result.h: network, timeout, auth, tls, not_found (and
// rejected when the server sends an ERR line other than "not found"); a cancel gives network
// with detail {"cancelled": true}; a name git refuses gives network with detail
// {"invalid_ref_name": true} (the v0 path lists such names and the engine refuses them one by
// one: a caller that wants that can fall back on it).
//
// Runs on the calling thread, which should be a worker thread: both transports wait in a local
// QEventLoop there for the duration of the call (on the main thread the call runs on a helper
// thread instead, and blocks like listRemote()). Limits: StreamLimits (connect — host lookup,
// TCP, proxy and TLS —, stall, deadline and cancel, looked at every 100 ms; maxListingBytes for
// every byte of the call; maxListedRefs). Credentials as RemoteCallbacks sends them: over HTTP
// only, as basic auth, only after a 401 from access.hostPort itself (checked with
// access.hostPortOf), and once: a 401 to the request that carried it is category auth. Redirects
// are refused (category network, naming the Location's host). Proxy: access.proxy for http://
// and https:// alike (unlike libgit2 1.5, which proxies only https://), else the environment's
// (https_proxy, http_proxy, no_proxy, as Qt's system proxy factory reads them); git:// always
// connects directly. TLS: the system's CAs plus setV2CaFile()'s; certificate errors are never
// ignored (category tls).
Result<RemoteListing> listRefsV2(const RemoteAccess &access, const StreamLimits &limits, const QStringList &prefixes);

// The prefixes a mirror check asks for: refs/heads/ and refs/tags/.
QStringList mirroredRefPrefixes();

// Whether `error` says "fall back to listRemote()" (detail "v2_unsupported": true).
bool isV2Unsupported(const Error &error);

// Bytes received from the network by the last listRefsV2() call on this thread: over git:// what
// the socket read; over HTTP the response bodies and headers (as Qt parsed them; TLS records
// not counted). For benchmarks and tests.
qint64 lastV2BytesReceived();

// The extra CA certificates (PEM file) HTTPS connections of this lister trust beside the
// system's, as GIT_OPT_SET_SSL_CERT_LOCATIONS does for libgit2. Set by GitLibrary::initialize()
// before any worker starts; empty: the system's only. Fails (category tls) when the file holds
// no certificate.
Status setV2CaFile(const QString &path);

} // namespace md::git
