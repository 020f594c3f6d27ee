#pragma once

// Black-box helpers for the CLI tests: run the real mirrordesk binary (path in $MIRRORDESK_BIN)
// in a private temporary folder, with --config DIR/mirrors.json --state-dir DIR/state and
// HOME/XDG_* pointing inside that folder, so nothing touches the real home.

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <optional>

namespace clitest {

using namespace Qt::StringLiterals;

inline QString binary()
{
    return qEnvironmentVariable("MIRRORDESK_BIN");
}

// Empty when the binary is usable, else why not (for QVERIFY2 in initTestCase).
inline QString binaryProblem()
{
    const QString path = binary();
    if (path.isEmpty())
        return u"MIRRORDESK_BIN is not set (run the test through ctest)"_s;
    const QFileInfo info(path);
    if (!info.isFile() || !info.isExecutable())
        return u"MIRRORDESK_BIN=%1 is not an executable file (build the mirrordesk target)"_s.arg(path);
    return {};
}

struct CliResult {
    int exitCode = -1;
    bool finished = false; // false: did not start, crashed or timed out
    QByteArray out;
    QByteArray err;
    QStringList arguments;

    QString stdoutText() const { return QString::fromUtf8(out); }
    QString stderrText() const { return QString::fromUtf8(err); }

    QJsonObject json(QString *problem = nullptr) const
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(out, &error);
        if (problem)
            *problem = error.error == QJsonParseError::NoError && document.isObject()
                ? QString()
                : u"stdout is not one JSON object (%1): %2"_s.arg(error.errorString(), stdoutText());
        return document.object();
    }

    QString describe() const
    {
        return u"mirrordesk %1\n  finished: %2, exit code: %3\n  stdout: %4\n  stderr: %5"_s.arg(
            arguments.join(u' '), finished ? u"yes"_s : u"NO"_s, QString::number(exitCode), stdoutText().trimmed(),
            stderrText().trimmed());
    }
};

// Asserts an exit code and prints the whole run when it differs.
#define CLI_EXPECT_EXIT(result, code)                                                                        \
    do {                                                                                                     \
        const auto &cliResult_ = (result);                                                                  \
        QVERIFY2(cliResult_.finished && cliResult_.exitCode == (code),                                      \
                 qPrintable(u"expected exit code %1\n"_s.arg(code) + cliResult_.describe()));               \
    } while (false)

// Asserts that stderr contains a text (case-sensitive).
#define CLI_EXPECT_STDERR(result, text)                                                                      \
    do {                                                                                                     \
        const auto &cliResult_ = (result);                                                                  \
        QVERIFY2(cliResult_.stderrText().contains(text),                                                    \
                 qPrintable(u"stderr should contain \"%1\"\n"_s.arg(text) + cliResult_.describe()));        \
    } while (false)

// Returns the JSON object printed on stdout, failing the test when it is not one.
#define CLI_JSON(result, target)                                                                             \
    do {                                                                                                     \
        QString jsonProblem_;                                                                                \
        target = (result).json(&jsonProblem_);                                                               \
        QVERIFY2(jsonProblem_.isEmpty(), qPrintable(jsonProblem_));                                          \
    } while (false)

// One private world for one test: a temporary folder holding the config, the state folder, and
// a fake home with its own XDG folders.
class CliEnv {
public:
    CliEnv()
        : m_dir(std::make_unique<QTemporaryDir>())
    {
        if (m_dir->isValid()) {
            for (const QString &sub : {u"home"_s, u"xdg-data"_s, u"xdg-config"_s, u"xdg-cache"_s})
                QDir().mkpath(path(sub));
        }
    }

    bool isValid() const { return m_dir->isValid(); }
    QString root() const { return m_dir->path(); }
    QString path(const QString &relative) const { return m_dir->filePath(relative); }
    QString configPath() const { return path(u"mirrors.json"_s); }
    QString stateDir() const { return path(u"state"_s); }
    QString home() const { return path(u"home"_s); }
    // The default cache root: $XDG_DATA_HOME/mirrordesk/caches.
    QString defaultCacheRoot() const { return path(u"xdg-data/mirrordesk/caches"_s); }
    // The state layout of core/mirror/StateStore.cpp: one file per mirror, named by the
    // percent-encoded mirror name ("/" becomes "%2F"): <state>/<name>.json holding
    // {"status": {status record}, "history": [runs]}. Tests write state only through these.
    QString stateFile(const QString &mirror) const { return stateDir() + u'/' + encode(mirror) + u".json"_s; }
    QString historyFile(const QString &mirror) const { return stateDir() + u'/' + encode(mirror) + u"+history.json"_s; }
    QString checkFile(const QString &mirror) const { return stateDir() + u'/' + encode(mirror) + u"+check.json"_s; }
    bool writeStatus(const QString &mirror, const QByteArray &statusObject) const
    {
        return writeStatePart(mirror, u"status"_s, statusObject);
    }
    bool writeHistory(const QString &mirror, const QByteArray &runsArray) const
    {
        return writeStatePart(mirror, u"history"_s, runsArray);
    }

    static QString encode(const QString &name)
    {
        QString encoded = name;
        encoded.replace(u'%', u"%25"_s);
        encoded.replace(u'/', u"%2F"_s);
        return encoded;
    }

    QProcessEnvironment environment(const QMap<QString, QString> &extraEnv = {}) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"MIRRORDESK_CONFIG"_s, u"MIRRORDESK_STATE_DIR"_s, u"XDG_STATE_HOME"_s,
                                    u"XDG_RUNTIME_DIR"_s, u"SSH_AUTH_SOCK"_s})
            env.remove(name);
        env.insert(u"HOME"_s, home());
        env.insert(u"XDG_DATA_HOME"_s, path(u"xdg-data"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, path(u"xdg-config"_s));
        env.insert(u"XDG_CACHE_HOME"_s, path(u"xdg-cache"_s));
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        for (auto it = extraEnv.begin(); it != extraEnv.end(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    QStringList fullArguments(const QStringList &arguments) const
    {
        return QStringList{u"--config"_s, configPath(), u"--state-dir"_s, stateDir()} + arguments;
    }

    // Starts the binary without waiting (for concurrency tests). The caller owns the process.
    std::unique_ptr<QProcess> start(const QStringList &arguments, const QMap<QString, QString> &extraEnv = {}) const
    {
        auto process = std::make_unique<QProcess>();
        process->setProgram(binary());
        process->setArguments(fullArguments(arguments));
        process->setProcessEnvironment(environment(extraEnv));
        process->setWorkingDirectory(root());
        process->start();
        return process;
    }

    static CliResult finish(QProcess &process, const QStringList &arguments, int timeoutMs = 30000)
    {
        CliResult result;
        result.arguments = arguments;
        if (process.state() != QProcess::NotRunning && !process.waitForFinished(timeoutMs)) {
            result.err = u"[test: %1]\n"_s.arg(process.errorString()).toUtf8();
            process.kill();
            process.waitForFinished(5000);
        } else if (process.error() == QProcess::FailedToStart) {
            result.err = u"[test: %1]\n"_s.arg(process.errorString()).toUtf8();
        } else {
            result.finished = process.exitStatus() == QProcess::NormalExit;
            result.exitCode = process.exitCode();
        }
        result.out = process.readAllStandardOutput();
        result.err += process.readAllStandardError();
        return result;
    }

    // Runs mirrordesk with the private --config/--state-dir first, then `arguments`, in the
    // temporary folder as working directory; `input` goes to its stdin, which is then closed.
    CliResult run(const QStringList &arguments, const QByteArray &input = {},
                  const QMap<QString, QString> &extraEnv = {}, int timeoutMs = 30000) const
    {
        QProcess process;
        process.setProgram(binary());
        process.setArguments(fullArguments(arguments));
        process.setProcessEnvironment(environment(extraEnv));
        process.setWorkingDirectory(root());
        process.start();
        CliResult result;
        result.arguments = arguments;
        if (!process.waitForStarted(10000)) {
            result.err = process.errorString().toUtf8();
            return result;
        }
        if (!input.isEmpty())
            process.write(input);
        process.closeWriteChannel();
        return finish(process, arguments, timeoutMs);
    }

    // The config file's bytes, or nullopt when it does not exist.
    std::optional<QByteArray> configBytes() const { return readFile(configPath()); }

    static std::optional<QByteArray> readFile(const QString &path)
    {
        QFile file(path);
        if (!file.exists() || !file.open(QIODevice::ReadOnly))
            return std::nullopt;
        return file.readAll();
    }

    static bool writeFile(const QString &path, const QByteArray &data)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        return file.write(data) == data.size();
    }

    // The config parsed (an empty object when missing or not JSON).
    QJsonObject config() const
    {
        return QJsonDocument::fromJson(configBytes().value_or(QByteArray())).object();
    }

    bool writeConfig(const QJsonObject &config) const
    {
        return writeFile(configPath(), QJsonDocument(config).toJson(QJsonDocument::Indented));
    }

    // Every regular file under the temporary folder whose content contains `needle`.
    QStringList filesContaining(const QByteArray &needle, const QStringList &except = {}) const
    {
        QStringList hits;
        QDirIterator it(root(), QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (except.contains(QFileInfo(file).absoluteFilePath()))
                continue;
            if (readFile(file).value_or(QByteArray()).contains(needle))
                hits.append(file);
        }
        return hits;
    }

    // Makes `path` look like a bare repository (HEAD, objects/, refs/) with a marker file.
    // With `owner`, the repository carries the marker of a cache MirrorDesk made for that
    // mirror (`mirrordesk.cache` in its config, DESIGN section 3): only such a cache is deleted.
    static bool makeBareLookingRepo(const QString &path, const QByteArray &marker = "marker", const QString &owner = {})
    {
        const QByteArray config = "[core]\n\tbare = true\n" + (owner.isEmpty() ? QByteArray() : "[mirrordesk]\n\tcache = " + owner.toUtf8() + "\n");
        return QDir().mkpath(path + u"/objects/pack"_s) && QDir().mkpath(path + u"/refs/heads"_s)
            && writeFile(path + u"/HEAD"_s, "ref: refs/heads/main\n") && writeFile(path + u"/marker"_s, marker)
            && writeFile(path + u"/config"_s, config);
    }

private:
    bool writeStatePart(const QString &mirror, const QString &key, const QByteArray &json) const
    {
        QJsonParseError error;
        const QJsonDocument part = QJsonDocument::fromJson(json, &error);
        if (error.error != QJsonParseError::NoError)
            return false; // the test's own JSON is broken
        QJsonObject root = QJsonDocument::fromJson(readFile(stateFile(mirror)).value_or(QByteArray())).object();
        root.insert(key, part.isArray() ? QJsonValue(part.array()) : QJsonValue(part.object()));
        return writeFile(stateFile(mirror), QJsonDocument(root).toJson(QJsonDocument::Compact));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace clitest
