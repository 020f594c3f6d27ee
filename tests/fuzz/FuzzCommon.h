#pragma once

// Shared by the libFuzzer targets of tests/fuzz: Qt's log output silenced (a fuzzer feeds the
// readers millions of broken inputs; their warnings are noise), and a check that stops the
// fuzzer with a message when an invariant fails (libFuzzer saves the input as crash-…).

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

namespace md::fuzz {

inline void quietQt()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", message.toLocal8Bit().constData());
            std::abort();
        }
    });
}

// Control characters (but newlines) shown as \xNN, so that the report prints whole.
inline QByteArray printable(const QString &text)
{
    QString out;
    for (QChar c : text) {
        if (c.unicode() < 0x20 && c != QLatin1Char('\n'))
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out.toUtf8();
}

[[noreturn]] inline void fail(const char *what, const QString &detail)
{
    std::fprintf(stderr, "fuzz invariant failed: %s\n%s\n", what, printable(detail).constData());
    std::abort();
}

#define MD_FUZZ_CHECK(condition, detail) \
    do { \
        if (!(condition)) \
            ::md::fuzz::fail(#condition, (detail)); \
    } while (false)

} // namespace md::fuzz
