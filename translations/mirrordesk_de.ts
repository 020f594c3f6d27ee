<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>md::ui::ImportDialog</name>
    <message>
        <source>Import existing mirrors</source>
        <translation>Vorhandene Spiegel importieren</translation>
    </message>
    <message>
        <source>Each checked repository becomes a pull mirror whose cache is that repository; its remote.origin.url is the source. Nothing else in it is changed.</source>
        <translation>Jedes angehakte Repository wird ein Pull-Spiegel, dessen Cache dieses Repository ist; seine remote.origin.url ist die Quelle. Sonst wird nichts darin geändert.</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>Repository</translation>
    </message>
    <message>
        <source>Mirror</source>
        <translation>Spiegel</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Why not</source>
        <translation>Warum nicht</translation>
    </message>
    <message numerus="yes">
        <source>Import %n mirror(s)</source>
        <translation>
            <numerusform>%n Spiegel importieren</numerusform>
            <numerusform>%n Spiegel importieren</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>md::ui::MainWindow</name>
    <message>
        <source>MirrorDesk</source>
        <translation>MirrorDesk</translation>
    </message>
    <message>
        <source>The configuration file cannot be used and was left unchanged:
%1</source>
        <translation>Die Konfigurationsdatei ist nicht verwendbar und wurde nicht verändert:
%1</translation>
    </message>
    <message>
        <source>Mirrors: %1 — %2</source>
        <translation>Spiegel: %1 — %2</translation>
    </message>
    <message>
        <source>Mirrors</source>
        <translation>Spiegel</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Compare both sides of the selected mirrors without fetching objects</source>
        <translation>Beide Seiten der ausgewählten Spiegel vergleichen, ohne Objekte zu laden</translation>
    </message>
    <message>
        <source>Check All</source>
        <translation>Alle prüfen</translation>
    </message>
    <message>
        <source>Compare both sides of every mirror without fetching objects</source>
        <translation>Beide Seiten aller Spiegel vergleichen, ohne Objekte zu laden</translation>
    </message>
    <message>
        <source>Update now</source>
        <translation>Jetzt aktualisieren</translation>
    </message>
    <message>
        <source>Sync the selected mirrors now</source>
        <translation>Die ausgewählten Spiegel jetzt abgleichen</translation>
    </message>
    <message numerus="yes">
        <source>Checking %n mirror(s)…</source>
        <translation>
            <numerusform>%n Spiegel wird geprüft…</numerusform>
            <numerusform>%n Spiegel werden geprüft…</numerusform>
        </translation>
    </message>
    <message>
        <source>Update now refused for %1: %2</source>
        <translation>Aktualisieren von %1 abgelehnt: %2</translation>
    </message>
    <message>
        <source>Updating…</source>
        <translation>Wird aktualisiert…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
    <message>
        <source>Cannot record the check of %1: %2</source>
        <translation>Die Prüfung von %1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>Übersprungen: %1</translation>
    </message>
    <message>
        <source>Failed (%1)</source>
        <translation>Fehlgeschlagen (%1)</translation>
    </message>
    <message numerus="yes">
        <source>Updated, %n warning(s)</source>
        <translation>
            <numerusform>Aktualisiert, %n Warnung</numerusform>
            <numerusform>Aktualisiert, %n Warnungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>%1 was not updated: %2</source>
        <translation>%1 wurde nicht aktualisiert: %2</translation>
    </message>
    <message>
        <source>Cannot record the run of %1: %2</source>
        <translation>Der Lauf von %1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Updating… %1% (%2 MB)</source>
        <translation>Wird aktualisiert… %1 % (%2 MB)</translation>
    </message>
    <message>
        <source>Check cannot start: %1</source>
        <translation>Prüfen kann nicht beginnen: %1</translation>
    </message>
    <message>
        <source>Check All cannot start: %1</source>
        <translation>Alle prüfen kann nicht beginnen: %1</translation>
    </message>
    <message>
        <source>Import existing mirrors…</source>
        <translation>Vorhandene Spiegel importieren…</translation>
    </message>
    <message>
        <source>Adopt repositories made with git clone --mirror (e.g. a cron script&apos;s ~/git/mirror/*.git) as pull mirrors</source>
        <translation>Mit git clone --mirror erstellte Repositorys (z. B. ~/git/mirror/*.git eines Cron-Skripts) als Pull-Spiegel übernehmen</translation>
    </message>
    <message>
        <source>&amp;Mirrors</source>
        <translation>&amp;Spiegel</translation>
    </message>
    <message>
        <source>Folder of mirror repositories</source>
        <translation>Ordner mit Spiegel-Repositorys</translation>
    </message>
    <message>
        <source>No repositories to import there</source>
        <translation>Dort gibt es keine Repositorys zum Importieren</translation>
    </message>
    <message>
        <source>Cannot import: %1</source>
        <translation>Import nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n mirror(s)</source>
        <translation>
            <numerusform>%n Spiegel importiert</numerusform>
            <numerusform>%n Spiegel importiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n mirror(s); refused: %1</source>
        <translation>
            <numerusform>%n Spiegel importiert; abgelehnt: %1</numerusform>
            <numerusform>%n Spiegel importiert; abgelehnt: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>md::ui::MirrorTableModel</name>
    <message>
        <source>Never run</source>
        <translation>Noch nie gelaufen</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Updating</source>
        <translation>Wird aktualisiert</translation>
    </message>
    <message>
        <source>Failing</source>
        <translation>Fehlerhaft</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Pull</source>
        <translation>Pull</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>Relay</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>Push</translation>
    </message>
    <message>
        <source>(cache)</source>
        <translation>(Cache)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message numerus="yes">
        <source>every %n min</source>
        <translation>
            <numerusform>alle %n Min.</numerusform>
            <numerusform>alle %n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Letzter Versuch</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Letzter Erfolg</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Next run</source>
        <translation>Nächster Lauf</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>In sync</source>
        <translation>Synchron</translation>
    </message>
    <message>
        <source>Behind</source>
        <translation>Im Rückstand</translation>
    </message>
    <message>
        <source>Diverged</source>
        <translation>Auseinandergelaufen</translation>
    </message>
    <message>
        <source>Empty</source>
        <translation>Leer</translation>
    </message>
    <message>
        <source>Unreachable (%1): %2</source>
        <translation>Nicht erreichbar (%1): %2</translation>
    </message>
    <message>
        <source>%1 (stale: checked before the last update)</source>
        <translation>%1 (veraltet: vor der letzten Aktualisierung geprüft)</translation>
    </message>
</context>
</TS>
