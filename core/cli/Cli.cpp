#include "cli/Cli.h"

#include "cli/Commands.h"
#include "mirror/Paths.h"
#include "util/Scrub.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

namespace md::cli {

namespace {

struct CommandEntry {
    const char *name;
    const char *summary;
    int (*run)(CliContext &, const QStringList &);
};

const CommandEntry kCommands[] = {
    {"list", "List the mirrors in the config.", cmdList},
    {"status", "Show each mirror's last runs and health (no network).", cmdStatus},
    {"check", "Compare both sides' refs over the network, without fetching objects.", cmdCheck},
    {"plan", "Show what update would do (= update --dry-run).", cmdPlan},
    {"update", "Sync mirrors now (--due: only those whose interval has passed).", cmdUpdate},
    {"add", "Add a mirror.", cmdAdd},
    {"edit", "Change a mirror's fields.", cmdEdit},
    {"rename", "Rename a mirror (moves its config, state and default cache).", cmdRename},
    {"remove", "Remove a mirror (keeps its cache unless --delete-cache).", cmdRemove},
    {"import", "Adopt existing `git clone --mirror` repositories as pull mirrors.", cmdImport},
    {"credential", "Manage named credentials: add, edit, rename, remove, list.", cmdCredential},
    {"ssh-keygen", "Generate an ed25519 SSH key into the keychain and print its public key.", cmdSshKeygen},
    {"hostkeys", "Manage pinned SSH host keys: detect, list, pin, remove, import-known-hosts.", cmdHostKeys},
    {"attic", "Old tips kept before a ref was forced or deleted: list, restore, purge.", cmdAttic},
    {"org", "Mirror whole organisations, groups, workspaces or projects: add, edit, list, preview, run, remove.", cmdOrg},
};

void setUpGlobalParser(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "MirrorDesk keeps git repository mirrors in step across hosts.\n"
        "Without a command it opens the window; with one it runs headless."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    addGlobalOptions(parser);
    parser.addOption({QStringLiteral("version"), QStringLiteral("Show the version.")});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command to run (see below)."),
                                 QStringLiteral("[COMMAND [ARGS…]]"));
}

QString globalHelp(const QCommandLineParser &parser)
{
    QString text = parser.helpText();
    text += QStringLiteral("\nCommands:\n");
    for (const CommandEntry &entry : kCommands)
        text += QStringLiteral("  %1%2\n").arg(QString::fromLatin1(entry.name).leftJustified(12), QString::fromLatin1(entry.summary));
    text += QStringLiteral("\nRun 'mirrordesk COMMAND --help' for a command's options.\n"
                           "Exit codes: 0 ok, 1 something needs attention, 2 bad usage or invalid config,\n"
                           "3 (check) some mirror is behind, 130/143 interrupted.\n");
    return text;
}

} // namespace

Cli::Cli(QTextStream &out, QTextStream &err, QTextStream &in)
    : m_out(out)
    , m_err(err)
    , m_in(in)
{
}

bool Cli::wantsCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    setUpGlobalParser(parser);
    if (!parser.parse(arguments))
        return true;
    // An empty --config, --state-dir or --log-file is a usage error the command line reports.
    for (const char *option : {"config", "state-dir", "log-file"}) {
        if (parser.isSet(QString::fromLatin1(option)) && parser.value(QString::fromLatin1(option)).isEmpty())
            return true;
    }
    return !parser.positionalArguments().isEmpty() || parser.isSet(QStringLiteral("help"))
        || parser.isSet(QStringLiteral("version"));
}

int Cli::run(const QStringList &arguments)
{
    CliContext context(m_out, m_err, m_in);
    QCommandLineParser parser;
    setUpGlobalParser(parser);
    if (!parser.parse(arguments))
        return context.usage({}, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << globalHelp(parser);
        m_out.flush();
        return ExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        m_out << QStringLiteral("mirrordesk %1\n").arg(QStringLiteral(MIRRORDESK_VERSION));
        m_out.flush();
        return ExitOk;
    }
    context.configPath = paths::configFile();
    context.stateDir = paths::stateDir();
    int code = ExitOk;
    if (!context.applyGlobalOptions(parser, {}, &code))
        return code;

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return context.usage({}, QStringLiteral("no command given"));
    const QString command = positional.first();
    for (const CommandEntry &entry : kCommands) {
        if (command == QLatin1String(entry.name)) {
            QStringList commandArguments = positional.mid(1);
            commandArguments.prepend(QStringLiteral("mirrordesk ") + command);
            // An edit that upgrades an older config file says so (never silently).
            MirrorStore::setNoticeHandler([&context](const QString &notice) { context.note(notice); });
            const int result = entry.run(context, commandArguments);
            MirrorStore::setNoticeHandler({});
            return result;
        }
    }
    return context.usage({}, QStringLiteral("unknown command \"%1\"").arg(quoteInput(command)));
}

} // namespace md::cli
