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

[[noreturn]] inline void fail(const char *what, const QString &detail)
{
    std::fprintf(stderr, "fuzz invariant failed: %s\n%s\n", what, detail.toUtf8().constData());
    std::abort();
}

#define MD_FUZZ_CHECK(condition, detail) \
    do { \
        if (!(condition)) \
            ::md::fuzz::fail(#condition, (detail)); \
    } while (false)

} // namespace md::fuzz
