#include "git/CredentialKind.h"

#include "util/EnumNames.h"

namespace md {

namespace {

const std::pair<CredentialKind, const char *> kKinds[] = {
    {CredentialKind::Password, "password"},
    {CredentialKind::Token, "token"},
    {CredentialKind::SshKey, "ssh_key"},
    {CredentialKind::SshAgent, "ssh_agent"},
};

} // namespace

QString credentialKindName(CredentialKind kind) { return enumName(kind, kKinds); }
std::optional<CredentialKind> credentialKindFromName(const QString &name) { return enumFromName(name, kKinds); }

} // namespace md
