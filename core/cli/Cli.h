#pragma once

#include <QStringList>
#include <QTextStream>

namespace md::cli {

// The command line of DESIGN section 6 over the same engine as the window. Commands run headless:
// data on `out`, diagnostics on `err`, exit codes 0/1/2/3.
class Cli {
public:
    Cli(QTextStream &out, QTextStream &err, QTextStream &in);

    // arguments[0] is the program name. Returns the exit code.
    int run(const QStringList &arguments);

    // True when the arguments ask for a command, --help or --version (or are malformed, so the
    // CLI can say so); false when they only open the window (e.g. just --config FILE).
    static bool wantsCommandLine(const QStringList &arguments);

private:
    QTextStream &m_out;
    QTextStream &m_err;
    QTextStream &m_in;
};

} // namespace md::cli
