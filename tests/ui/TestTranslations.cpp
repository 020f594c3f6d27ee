#include "MirrorTableModel.h"
#include "Resources.h"

#include <QCoreApplication>
#include <QFile>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

// Every UI string has a German translation, and the compiled catalogue is embedded and loads.
class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void germanIsComplete()
    {
        QFile file(QStringLiteral(MIRRORDESK_SOURCE_DIR "/translations/mirrordesk_de.ts"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int messages = 0;
        QStringList untranslated;
        QString source;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("source")) {
                source = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                ++messages;
                const bool unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                if (unfinished || text.trimmed().isEmpty())
                    untranslated.append(source);
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(messages >= 20);
        QVERIFY2(untranslated.isEmpty(), qPrintable(untranslated.join(QStringLiteral(" | "))));
    }

    void embeddedCatalogueTranslates()
    {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/mirrordesk_de.qm")));
        QCoreApplication::installTranslator(&translator);
        md::ui::MirrorTableModel model;
        QCOMPARE(model.headerData(md::ui::MirrorTableModel::LastSuccess, Qt::Horizontal).toString(), QStringLiteral("Letzter Erfolg"));
        md::ui::MirrorRow row;
        row.status.updateStatus = md::UpdateStatus::Failed;
        QCOMPARE(md::ui::MirrorTableModel::healthText(row), QStringLiteral("Fehlerhaft"));
        QCoreApplication::removeTranslator(&translator);
    }

    void iconIsEmbedded()
    {
        md::ui::initResources();
        QFile icon(QStringLiteral(":/icons/mirrordesk.svg"));
        QVERIFY(icon.open(QIODevice::ReadOnly));
        QVERIFY(icon.readAll().contains("<svg"));
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "TestTranslations.moc"
