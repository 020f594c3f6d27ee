// main.cpp only: parse the command line, then start the window or run a CLI command.
#include "MainWindow.h"
#include "cli/Cli.h"
#include "mirror/Paths.h"
#include "platform/Platform.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <cstdio>

namespace {

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("mirrordesk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MIRRORDESK_VERSION));
}

QStringList argumentsOf(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

// The window's own options are the global ones (--config, --state-dir); Cli validated them.
QString optionValue(const QStringList &arguments, const QString &name)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOptions({{QStringLiteral("state-dir"), QString(), QStringLiteral("DIR")},
                       {QStringLiteral("config"), QString(), QStringLiteral("FILE")},
                       {QStringLiteral("log-file"), QString(), QStringLiteral("FILE")},
                       {{QStringLiteral("q"), QStringLiteral("quiet")}, QString()},
                       {{QStringLiteral("v"), QStringLiteral("verbose")}, QString()}});
    (void)parser.parse(arguments);
    return parser.value(name);
}

} // namespace

int main(int argc, char **argv)
{
    const QStringList arguments = argumentsOf(argc, argv);
    if (md::cli::Cli::wantsCommandLine(arguments)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        QTextStream out(stdout);
        QTextStream err(stderr);
        QTextStream in(stdin);
        md::cli::Cli cli(out, err, in);
        return cli.run(arguments);
    }

    // Without a display Qt aborts (exit 134) while creating the application: say what to do.
    if (!md::platform::hasDisplay()) {
        std::fputs("mirrordesk: no display: use a command (see --help)\n", stderr);
        return 2;
    }
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("MirrorDesk"));
    QApplication::setDesktopFileName(QStringLiteral("org.mirrordesk.MirrorDesk"));
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("mirrordesk"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);
    // Qt's own words (the standard buttons of a message box) in the same language, when installed.
    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&qtTranslator);

    md::ui::MainWindow window(md::paths::configFile(optionValue(arguments, QStringLiteral("config"))),
                              md::paths::stateDir(optionValue(arguments, QStringLiteral("state-dir"))));
    window.show();
    return app.exec();
}
