#pragma once

#include <QString>

#include <functional>

namespace md {

// Sends Qt log messages to a file (appended, one line each, passed through the scrubber) while it lives;
// the previous handler is restored on destruction. One per process.
class LogFile {
public:
    LogFile() = default;
    ~LogFile();
    LogFile(const LogFile &) = delete;
    LogFile &operator=(const LogFile &) = delete;

    using Scrubber = std::function<QString(const QString &)>;

    // Returns an error text, or an empty string on success. Every line (and every warning passed
    // on to the previous handler) goes through `scrubber` first, e.g. one that masks URL secrets.
    QString open(const QString &path, Scrubber scrubber);
    bool isOpen() const { return m_open; }

    // Appends `text` (each of its lines, scrubbed) to the open log file, if any, as category
    // `category` at level info: what a command prints for the user, kept in the log too.
    static void append(const QString &text, const char *category = "mirrordesk.cli");

private:
    bool m_open = false;
};

} // namespace md
