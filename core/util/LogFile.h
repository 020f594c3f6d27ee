#pragma once

#include <QString>

namespace md {

// Sends Qt log messages to a file (appended, one line each, URLs scrubbed) while it lives;
// the previous handler is restored on destruction. One per process.
class LogFile {
public:
    LogFile() = default;
    ~LogFile();
    LogFile(const LogFile &) = delete;
    LogFile &operator=(const LogFile &) = delete;

    // Returns an error text, or an empty string on success.
    QString open(const QString &path);
    bool isOpen() const { return m_open; }

private:
    bool m_open = false;
};

} // namespace md
