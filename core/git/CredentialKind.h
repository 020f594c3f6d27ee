#pragma once

#include <QString>

#include <optional>

namespace md {

// What a credential answers libgit2's credential request with. A git-level value: the
// credential callback chooses libgit2's credential type by it; security/Credential names it.
enum class CredentialKind { Password, Token, SshKey, SshAgent };

// JSON names: password | token | ssh_key | ssh_agent.
QString credentialKindName(CredentialKind kind);
std::optional<CredentialKind> credentialKindFromName(const QString &name);

} // namespace md
