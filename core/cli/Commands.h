#pragma once

#include "cli/CliContext.h"

namespace md::cli {

// Each command parses its own arguments (arguments[0] is "mirrordesk <command>") and returns an
// exit code.
int cmdList(CliContext &context, const QStringList &arguments);
int cmdStatus(CliContext &context, const QStringList &arguments);
int cmdCheck(CliContext &context, const QStringList &arguments);
int cmdPlan(CliContext &context, const QStringList &arguments);
int cmdUpdate(CliContext &context, const QStringList &arguments);
int cmdAdd(CliContext &context, const QStringList &arguments);
int cmdEdit(CliContext &context, const QStringList &arguments);
int cmdRename(CliContext &context, const QStringList &arguments);
int cmdRemove(CliContext &context, const QStringList &arguments);
int cmdImport(CliContext &context, const QStringList &arguments);
int cmdCredential(CliContext &context, const QStringList &arguments);
int cmdSshKeygen(CliContext &context, const QStringList &arguments);
int cmdHostKeys(CliContext &context, const QStringList &arguments);
int cmdAttic(CliContext &context, const QStringList &arguments);
int cmdOrg(CliContext &context, const QStringList &arguments);

// update --due's sync new (OrgCommands.cpp): due orgs discover and add their new repositories
// first. The config to run (nullopt: it could not be read again); *failed when a discovery failed.
std::optional<Config> discoverDueOrgs(CliContext &context, const QString &command, const Config &config, bool *failed);

} // namespace md::cli
