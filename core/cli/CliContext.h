#pragma once

#include "mirror/MirrorStore.h"
#include "mirror/StateStore.h"
#include "ops/RunOps.h"
#include "util/LogFile.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QTextStream>

#include <memory>

namespace md::cli {

// Exit codes of DESIGN section 6.
enum ExitCode : int {
    ExitOk = 0,
    ExitAttention = 1,
    ExitUsage = 2,
    ExitBehind = 3,
    ExitInterrupted = 130,
    ExitTerminated = 143,
};

enum class Verbosity { Quiet, Normal, Verbose };

// What every command gets: the streams, the global options, the stores.
class CliContext {
public:
    CliContext(QTextStream &out, QTextStream &err, QTextStream &in);

    QTextStream &out() { return m_out; }
    QTextStream &err() { return m_err; }
    QTextStream &in() { return m_in; }

    Verbosity verbosity = Verbosity::Normal;
    QString configPath;
    QString stateDir;

    MirrorStore store() const { return MirrorStore(configPath); }
    StateStore stateStore() const { return StateStore(stateDir); }

    // Diagnostics on stderr: note() unless -q, verbose() with -v, error() always.
    void note(const QString &text);
    void verbose(const QString &text);
    void error(const QString &text);
    // To the log file only (--log-file): what -v would print when this run does not print it.
    void log(const QString &text);

    // Prints "mirrordesk <command>: <message>" and a hint, returns ExitUsage.
    int usage(const QString &command, const QString &message);
    // Reports an error value: usage and config errors exit 2, the rest 1.
    int fail(const QString &command, const Error &error);
    // Loads the config, or reports why not (exit 2).
    std::optional<Config> loadConfig(const QString &command, int *exitCode);

    void printJson(const QJsonObject &document);

    // Runs one batch through a SyncEngine on this process's event loop (QCoreApplication::exec,
    // not a nested loop) and returns its report once every mirror of it has reported; SIGINT and
    // SIGTERM (when their handlers are installed) cancel its jobs. Returns nullopt, with *code
    // set, when the batch could not start.
    std::optional<RunReport> runBatch(const QString &command, int *code,
                                      const std::function<Result<int>(RunOps &, RunOps::Done)> &start);

    // Runs `start` (which begins asynchronous work, e.g. keychain jobs, with `context` as the
    // receiver) on this process's event loop until it calls `finished` once. Not a nested loop.
    void runAsync(const std::function<void(QObject *context, std::function<void()> finished)> &start);
    // runAsync() for one operation that answers once through a callback taking an R: returns that
    // answer, or `initial` if none came.
    template <typename R, typename Start>
    R await(R initial, Start start)
    {
        R answer = std::move(initial);
        runAsync([&](QObject *receiver, std::function<void()> finished) {
            start(receiver, std::function<void(R)>([&answer, finished](R value) {
                answer = std::move(value);
                finished();
            }));
        });
        return answer;
    }

    // A secret for a command's --secret-stdin: asked on the terminal without echo, or read whole
    // from a pipe (trailing line ends dropped unless `keepText`). Empty input is an error.
    Result<QByteArray> readSecretInput(const QString &prompt, bool keepText = false);

    // Applies --config, --state-dir, -q, -v and --log-file from a parser (before or after the
    // command). Returns false and sets *exitCode on bad usage.
    bool applyGlobalOptions(const QCommandLineParser &parser, const QString &command, int *exitCode);

private:
    QTextStream &m_out;
    QTextStream &m_err;
    QTextStream &m_in;
    std::unique_ptr<LogFile> m_logFile;
};

// Adds the global options (--config, --state-dir, -q, -v, --log-file) and -h/--help.
void addGlobalOptions(QCommandLineParser &parser);

// Parses `arguments` (arguments[0] is the program name), mapping every error to a usage error.
// Returns false and sets *exitCode when the command should stop (bad usage or --help printed).
bool parseCommand(CliContext &context, QCommandLineParser &parser, const QString &command,
                  const QStringList &arguments, int *exitCode);

// An error as the command line shows it: the message, with the advice only the command line can
// give (e.g. how to pin an unknown SSH host's key).
QString errorText(const Error &error);
QString errorText(ErrorCategory category, const QString &message);

// Simple aligned table for human output.
QString formatTable(const QStringList &header, const QList<QStringList> &rows);

} // namespace md::cli
