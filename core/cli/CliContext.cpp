#include "cli/CliContext.h"

#include "mirror/Paths.h"
#include "platform/Platform.h"
#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QCoreApplication>

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace md::cli {

CliContext::CliContext(QTextStream &out, QTextStream &err, QTextStream &in)
    : m_out(out)
    , m_err(err)
    , m_in(in)
{
}

// Everything -v would print goes to the log file too (scrubbed by it), whatever -q or -v say.
void CliContext::note(const QString &text)
{
    LogFile::append(text);
    if (verbosity != Verbosity::Quiet)
        m_err << GitUrl::scrubText(text) << Qt::endl;
}

void CliContext::verbose(const QString &text)
{
    LogFile::append(text);
    if (verbosity == Verbosity::Verbose)
        m_err << GitUrl::scrubText(text) << Qt::endl;
}

void CliContext::error(const QString &text)
{
    LogFile::append(text);
    m_err << GitUrl::scrubText(text) << Qt::endl;
}

void CliContext::log(const QString &text)
{
    LogFile::append(text);
}

int CliContext::usage(const QString &command, const QString &message)
{
    const QString prefix = command.isEmpty() ? QStringLiteral("mirrordesk") : QStringLiteral("mirrordesk ") + command;
    error(QStringLiteral("%1: %2").arg(prefix, message));
    error(QStringLiteral("Try '%1 --help'.").arg(prefix));
    return ExitUsage;
}

int CliContext::fail(const QString &command, const Error &e)
{
    const QString prefix = command.isEmpty() ? QStringLiteral("mirrordesk") : QStringLiteral("mirrordesk ") + command;
    error(QStringLiteral("%1: %2").arg(prefix, e.text()));
    return (e.category == ErrorCategory::Usage || e.category == ErrorCategory::Config) ? ExitUsage : ExitAttention;
}

std::optional<Config> CliContext::loadConfig(const QString &command, int *exitCode)
{
    auto config = store().load();
    if (!config) {
        *exitCode = fail(command, config.error());
        return std::nullopt;
    }
    return *config;
}

std::optional<RunReport> CliContext::runBatch(const QString &command, int *code,
                                             const std::function<Result<int>(RunOps &, RunOps::Done)> &start)
{
    SyncEngine engine(stateDir);
    engine.setLowPriorityWorkers(false); // no window to keep responsive
    engine.setConfigFile(configPath);
    engine.setCancelFlag(platform::interruptFlag());
    RunOps ops(engine, stateDir);
    std::optional<RunReport> report;
    const auto started = start(ops, [&report](const RunReport &done) {
        report = done;
        QCoreApplication::exit(0);
    });
    if (!started) {
        *code = started.error().category == ErrorCategory::Usage ? usage(command, started.error().message)
                                                                 : fail(command, started.error());
        return std::nullopt;
    }
    QCoreApplication::exec(); // the report always comes from the event loop
    return report;
}

void CliContext::runAsync(const std::function<void(QObject *, std::function<void()>)> &start)
{
    QObject receiver;
    bool over = false;
    start(&receiver, [&over] {
        over = true;
        QCoreApplication::exit(0);
    });
    if (!over)
        QCoreApplication::exec();
}

Result<QByteArray> CliContext::readSecretInput(const QString &prompt, bool keepText)
{
    QByteArray secret;
    if (platform::stdinIsTerminal()) {
        // A key is pasted as a block of lines, up to its END line (or Ctrl+D); anything else is one line.
        secret = keepText ? platform::readBlockWithoutEcho(prompt, QByteArrayLiteral("-----END "))
                          : platform::readLineWithoutEcho(prompt);
    } else {
        // At most 64 KB: a token, a password or an SSH private key.
        const QString text = m_in.read(64 * 1024 + 1);
        if (text.size() > 64 * 1024)
            return Error::usage(QStringLiteral("the secret on standard input is longer than 64 KB"));
        secret = text.toUtf8();
        if (!keepText) {
            while (secret.endsWith('\n') || secret.endsWith('\r'))
                secret.chop(1);
        }
    }
    if (secret.trimmed().isEmpty())
        return Error::usage(QStringLiteral("--secret-stdin: no secret was given on standard input"));
    return secret;
}

void CliContext::printJson(const QJsonObject &document)
{
    m_out << QString::fromUtf8(QJsonDocument(document).toJson(QJsonDocument::Indented));
    m_out.flush();
}

bool CliContext::applyGlobalOptions(const QCommandLineParser &parser, const QString &command, int *exitCode)
{
    for (const char *option : {"config", "state-dir", "log-file"}) {
        const QString name = QString::fromLatin1(option);
        if (parser.isSet(name) && parser.value(name).isEmpty()) {
            *exitCode = usage(command, QStringLiteral("--%1 needs a value (an empty path names no file)").arg(name));
            return false;
        }
    }
    if (parser.isSet(QStringLiteral("config")))
        configPath = paths::configFile(parser.value(QStringLiteral("config")));
    if (parser.isSet(QStringLiteral("state-dir")))
        stateDir = paths::stateDir(parser.value(QStringLiteral("state-dir")));
    if (parser.isSet(QStringLiteral("quiet")) && parser.isSet(QStringLiteral("verbose"))) {
        *exitCode = usage(command, QStringLiteral("-q and -v cannot be combined"));
        return false;
    }
    // -q and -v exclude each other wherever they stand (before or after the command).
    if ((parser.isSet(QStringLiteral("quiet")) && verbosity == Verbosity::Verbose)
        || (parser.isSet(QStringLiteral("verbose")) && verbosity == Verbosity::Quiet)) {
        *exitCode = usage(command, QStringLiteral("-q and -v cannot be combined"));
        return false;
    }
    if (parser.isSet(QStringLiteral("quiet")))
        verbosity = Verbosity::Quiet;
    if (parser.isSet(QStringLiteral("verbose")))
        verbosity = Verbosity::Verbose;
    if (parser.isSet(QStringLiteral("log-file"))) {
        if (m_logFile) {
            *exitCode = usage(command, QStringLiteral("--log-file given twice"));
            return false;
        }
        m_logFile = std::make_unique<LogFile>();
        if (const QString problem = m_logFile->open(parser.value(QStringLiteral("log-file")), &GitUrl::scrubText); !problem.isEmpty()) {
            m_logFile.reset();
            *exitCode = usage(command, problem);
            return false;
        }
    }
    // Info lines go to the log file and, with -v, to stderr; debug lines only with -v.
    if (verbosity == Verbosity::Verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("mirrordesk.*.debug=true\nmirrordesk.*.info=true"));
    else if (m_logFile)
        QLoggingCategory::setFilterRules(QStringLiteral("mirrordesk.*.info=true"));
    return true;
}

void addGlobalOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")},
        {QStringLiteral("config"), QStringLiteral("Use this config file (default: $MIRRORDESK_CONFIG, else mirrors.json in the app's config folder)."), QStringLiteral("FILE")},
        {QStringLiteral("state-dir"), QStringLiteral("Keep status and history here (default: $MIRRORDESK_STATE_DIR, else the app's data folder)."), QStringLiteral("DIR")},
        {{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print failures only.")},
        {{QStringLiteral("v"), QStringLiteral("verbose")}, QStringLiteral("Print what is done.")},
        {QStringLiteral("log-file"), QStringLiteral("Append log lines to FILE (URLs scrubbed)."), QStringLiteral("FILE")},
    });
}

bool parseCommand(CliContext &context, QCommandLineParser &parser, const QString &command,
                  const QStringList &arguments, int *exitCode)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    addGlobalOptions(parser);
    if (!parser.parse(arguments)) {
        *exitCode = context.usage(command, quoteInput(parser.errorText(), 2 * kMaxQuotedInput));
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        // QCommandLineParser names the executable's path; name the command instead.
        static const QRegularExpression usageLine(QStringLiteral("^Usage: \\S+"));
        context.out() << parser.helpText().replace(usageLine, QStringLiteral("Usage: mirrordesk ") + command);
        context.out().flush();
        *exitCode = ExitOk;
        return false;
    }
    return context.applyGlobalOptions(parser, command, exitCode);
}

QString errorText(ErrorCategory category, const QString &message)
{
    QString text = GitUrl::scrubText(message);
    if (category == ErrorCategory::HostKey && text.startsWith(QLatin1String("unknown SSH host "))) {
        // "unknown SSH host HOST:PORT: its … key is …"
        QString host = text.section(QLatin1Char(' '), 3, 3);
        if (host.endsWith(QLatin1Char(':')))
            host.chop(1);
        text += QStringLiteral("; if that is right, pin every key it offers (mirrordesk hostkeys detect %1 lists them; then mirrordesk "
                               "hostkeys pin)").arg(host.isEmpty() ? QStringLiteral("HOST:PORT") : host);
    }
    if (category == ErrorCategory::Guard && text.contains(QLatin1String("(the empty-source guard)")))
        text += QStringLiteral("; if the source was emptied on purpose, run mirrordesk update NAME --allow-empty-source "
                               "(every deleted ref is kept in the attic)");
    return text;
}

QString errorText(const Error &error)
{
    return errorText(error.category, error.message);
}

QString formatTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths(header.size(), 0);
    auto measure = [&widths](const QStringList &row) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    };
    measure(header);
    for (const QStringList &row : rows)
        measure(row);
    QString text;
    auto line = [&](const QStringList &row) {
        QString l;
        for (qsizetype i = 0; i < row.size(); ++i)
            l += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 2) : row.at(i);
        text += l.trimmed() + QLatin1Char('\n');
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
    return text;
}

} // namespace md::cli
