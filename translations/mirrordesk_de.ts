<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>StatusWords</name>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>Authentifizierung</translation>
    </message>
    <message>
        <source>Host key</source>
        <translation>Hostschlüssel</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <source>Protected ref</source>
        <translation>Geschützte Ref</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Zurückgewiesen</translation>
    </message>
    <message>
        <source>Diverged</source>
        <translation>Auseinandergelaufen</translation>
    </message>
    <message>
        <source>Safety guard</source>
        <translation>Sicherheitssperre</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Keychain</source>
        <translation>Schlüsselbund</translation>
    </message>
    <message>
        <source>Not possible</source>
        <translation>Nicht möglich</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>created</source>
        <translation>erstellt</translation>
    </message>
    <message>
        <source>fast-forwarded</source>
        <translation>vorgespult</translation>
    </message>
    <message>
        <source>forced</source>
        <translation>erzwungen</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>up to date</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <source>diverged, kept</source>
        <translation>auseinandergelaufen, behalten</translation>
    </message>
    <message>
        <source>filtered</source>
        <translation>gefiltert</translation>
    </message>
    <message>
        <source>left out</source>
        <translation>ausgelassen</translation>
    </message>
    <message>
        <source>done</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>zurückgewiesen</translation>
    </message>
    <message>
        <source>not done</source>
        <translation>nicht erledigt</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>nicht geprüft</translation>
    </message>
    <message>
        <source>in sync</source>
        <translation>synchron</translation>
    </message>
    <message>
        <source>behind</source>
        <translation>im Rückstand</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>auseinandergelaufen</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>leer</translation>
    </message>
    <message>
        <source>Never run</source>
        <translation>Noch nie gelaufen</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>Updating</source>
        <translation>Wird aktualisiert</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>cache</source>
        <translation>Cache</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
</context>
<context>
    <name>md::ui::AtticPanel</name>
    <message>
        <source>Old tips MirrorDesk kept before a ref was forced or deleted, newest first.</source>
        <translation>Alte Stände, die MirrorDesk aufbewahrt hat, bevor eine Ref erzwungen oder gelöscht wurde, neueste zuerst.</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>Ref</translation>
    </message>
    <message>
        <source>Old tip</source>
        <translation>Alter Stand</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Seite</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>Wiederherstellen…</translation>
    </message>
    <message>
        <source>Put the selected old tip back into the cache under a ref you choose</source>
        <translation>Den ausgewählten alten Stand unter einer Ref Ihrer Wahl wieder in den Cache legen</translation>
    </message>
    <message>
        <source>Purge…</source>
        <translation>Aufräumen…</translation>
    </message>
    <message numerus="yes">
        <source>Remove old entries (the last %n of each ref are always kept) and repack the cache</source>
        <translation>
            <numerusform>Alte Einträge entfernen (je Ref bleibt immer %n Eintrag erhalten, der neueste) und den Cache neu packen</numerusform>
            <numerusform>Alte Einträge entfernen (je Ref bleiben immer die letzten %n Einträge erhalten) und den Cache neu packen</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading the attic…</source>
        <translation>Attic wird gelesen…</translation>
    </message>
    <message>
        <source>The attic cannot be read: %1</source>
        <translation>Das Attic kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>(not recorded)</source>
        <translation>(nicht aufgezeichnet)</translation>
    </message>
    <message>
        <source>The attic is empty: no ref of this mirror was forced or deleted.</source>
        <translation>Das Attic ist leer: Keine Ref dieses Spiegels wurde erzwungen oder gelöscht.</translation>
    </message>
    <message>
        <source>Restore from the attic</source>
        <translation>Aus dem Attic wiederherstellen</translation>
    </message>
    <message>
        <source>Put %1 (the old tip of %2, kept %3) back into the cache of %4.</source>
        <translation>%1 (den alten Stand von %2, aufbewahrt am %3) wieder in den Cache von %4 legen.</translation>
    </message>
    <message>
        <source>Restore as:</source>
        <translation>Wiederherstellen als:</translation>
    </message>
    <message>
        <source>A full ref name, e.g. refs/restored/main, which no sync touches. A ref that exists with another tip is kept in the attic first. In a pull mirror the next update moves a restored branch or tag back to the source&apos;s tip.</source>
        <translation>Ein vollständiger Ref-Name, z. B. refs/restored/main, den kein Abgleich berührt. Eine Ref, die bereits mit einem anderen Stand existiert, wird zuerst im Attic aufbewahrt. In einem Pull-Spiegel setzt die nächste Aktualisierung einen wiederhergestellten Branch oder Tag wieder auf den Stand der Quelle.</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Purge the attic</source>
        <translation>Attic aufräumen</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Remove entries older than:</source>
        <translation>Einträge entfernen, die älter sind als:</translation>
    </message>
    <message numerus="yes">
        <source>The last %n entries of each ref are always kept. The cache is repacked afterwards, so the removed tips&apos; objects are gone for good.</source>
        <translation>
            <numerusform>Je Ref bleibt immer %n Eintrag erhalten, der neueste. Der Cache wird danach neu gepackt, sodass die Objekte der entfernten Stände endgültig weg sind.</numerusform>
            <numerusform>Die letzten %n Einträge jeder Ref bleiben immer erhalten. Der Cache wird danach neu gepackt, sodass die Objekte der entfernten Stände endgültig weg sind.</numerusform>
        </translation>
    </message>
    <message>
        <source>Purge</source>
        <translation>Aufräumen</translation>
    </message>
    <message>
        <source>Restoring %1…</source>
        <translation>%1 wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>%1 is no longer configured</source>
        <translation>%1 ist nicht mehr konfiguriert</translation>
    </message>
    <message>
        <source>no job was prepared</source>
        <translation>es wurde kein Auftrag vorbereitet</translation>
    </message>
    <message>
        <source>Cannot restore: %1</source>
        <translation>Wiederherstellen nicht möglich: %1</translation>
    </message>
    <message>
        <source>The target&apos;s %1 is already at %2</source>
        <translation>%1 im Ziel steht bereits auf %2</translation>
    </message>
    <message>
        <source>%1 is already at %2</source>
        <translation>%1 steht bereits auf %2</translation>
    </message>
    <message>
        <source>Restored the target&apos;s %1 to %2</source>
        <translation>%1 im Ziel auf %2 wiederhergestellt</translation>
    </message>
    <message>
        <source>Restored %1 to %2</source>
        <translation>%1 auf %2 wiederhergestellt</translation>
    </message>
    <message>
        <source> (the next update makes it follow the source again)</source>
        <translation> (mit der nächsten Aktualisierung folgt sie wieder der Quelle)</translation>
    </message>
    <message>
        <source>; the attic index could not be written: %1</source>
        <translation>; der Attic-Index konnte nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>Purging the attic of %1…</source>
        <translation>Attic von %1 wird aufgeräumt…</translation>
    </message>
    <message>
        <source>Cannot purge: %1</source>
        <translation>Aufräumen nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Nothing to purge: no entry is old enough (the last %n of each ref are always kept)</source>
        <translation>
            <numerusform>Nichts aufzuräumen: Kein Eintrag ist alt genug (je Ref bleibt immer %n Eintrag erhalten, der neueste)</numerusform>
            <numerusform>Nichts aufzuräumen: Kein Eintrag ist alt genug (je Ref bleiben immer die letzten %n Einträge erhalten)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Purged %n attic entry(ies)</source>
        <translation>
            <numerusform>%n Attic-Eintrag entfernt</numerusform>
            <numerusform>%n Attic-Einträge entfernt</numerusform>
        </translation>
    </message>
    <message>
        <source>; git is not installed, so their objects stay in the cache&apos;s packs</source>
        <translation>; git ist nicht installiert, daher bleiben ihre Objekte in den Packs des Caches</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>md::ui::CredentialEditor</name>
    <message>
        <source>Edit credential %1</source>
        <translation>Zugangsdaten %1 bearbeiten</translation>
    </message>
    <message>
        <source>Add credential</source>
        <translation>Zugangsdaten hinzufügen</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>SSH key</source>
        <translation>SSH-Schlüssel</translation>
    </message>
    <message>
        <source>SSH agent (the agent holds the key)</source>
        <translation>SSH-Agent (der Agent hält den Schlüssel)</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <source>sent with the secret; required for a password</source>
        <translation>wird mit dem Geheimnis gesendet; für ein Passwort erforderlich</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>The keychain</source>
        <translation>Dem Schlüsselbund</translation>
    </message>
    <message>
        <source>An environment variable</source>
        <translation>Einer Umgebungsvariablen</translation>
    </message>
    <message>
        <source>An owner-only file</source>
        <translation>Einer nur für den Besitzer lesbaren Datei</translation>
    </message>
    <message>
        <source>Secret lives in:</source>
        <translation>Geheimnis liegt in:</translation>
    </message>
    <message>
        <source>Secret:</source>
        <translation>Geheimnis:</translation>
    </message>
    <message>
        <source>the variable&apos;s name, e.g. GITHUB_TOKEN (never the secret)</source>
        <translation>der Name der Variablen, z. B. GITHUB_TOKEN (nie das Geheimnis)</translation>
    </message>
    <message>
        <source>Variable:</source>
        <translation>Variable:</translation>
    </message>
    <message>
        <source>an absolute path; the file must be readable by you alone</source>
        <translation>ein absoluter Pfad; die Datei darf nur für Sie lesbar sein</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Secret file</source>
        <translation>Geheimnisdatei</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Paste a private key (-----BEGIN OPENSSH PRIVATE KEY-----…) to replace the stored one</source>
        <translation>Einen privaten Schlüssel einfügen (-----BEGIN OPENSSH PRIVATE KEY-----…), um den gespeicherten zu ersetzen</translation>
    </message>
    <message>
        <source>Paste a private key (-----BEGIN OPENSSH PRIVATE KEY-----…), import one, or generate one</source>
        <translation>Einen privaten Schlüssel einfügen (-----BEGIN OPENSSH PRIVATE KEY-----…), einen importieren oder einen erzeugen</translation>
    </message>
    <message>
        <source>Generate key…</source>
        <translation>Schlüssel erzeugen…</translation>
    </message>
    <message>
        <source>Make a new ed25519 key: the private key goes straight into the keychain, the public key is shown to add as a deploy key</source>
        <translation>Einen neuen ed25519-Schlüssel erzeugen: Der private Schlüssel kommt direkt in den Schlüsselbund, der öffentliche wird angezeigt, um ihn als Deploy-Key einzutragen</translation>
    </message>
    <message>
        <source>Import key…</source>
        <translation>Schlüssel importieren…</translation>
    </message>
    <message>
        <source>Read a private key file (ed25519 or ECDSA in the OpenSSH format)</source>
        <translation>Eine private Schlüsseldatei lesen (ed25519 oder ECDSA im OpenSSH-Format)</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>Schlüssel:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>(unchanged; type to replace the secret in the keychain)</source>
        <translation>(unverändert; tippen, um das Geheimnis im Schlüsselbund zu ersetzen)</translation>
    </message>
    <message>
        <source>Only for a new credential: add one to generate a key</source>
        <translation>Nur für neue Zugangsdaten: Fügen Sie welche hinzu, um einen Schlüssel zu erzeugen</translation>
    </message>
    <message>
        <source>Type the secret to store in the keychain</source>
        <translation>Geben Sie das Geheimnis ein, das im Schlüsselbund gespeichert wird</translation>
    </message>
    <message>
        <source>The stored key is kept.</source>
        <translation>Der gespeicherte Schlüssel bleibt erhalten.</translation>
    </message>
    <message>
        <source>No key yet: paste one, import a file or generate a key.</source>
        <translation>Noch kein Schlüssel: Fügen Sie einen ein, importieren Sie eine Datei oder erzeugen Sie einen Schlüssel.</translation>
    </message>
    <message>
        <source>%1 key %2</source>
        <translation>%1-Schlüssel %2</translation>
    </message>
    <message>
        <source>An encrypted key (%1): type its passphrase; it is kept in the keychain as %2.</source>
        <translation>Ein verschlüsselter Schlüssel (%1): Geben Sie seine Passphrase ein; sie wird im Schlüsselbund als %2 aufbewahrt.</translation>
    </message>
    <message>
        <source>Type the key&apos;s passphrase</source>
        <translation>Geben Sie die Passphrase des Schlüssels ein</translation>
    </message>
    <message>
        <source>No keychain answers here (%1). Keep the secret in an environment variable or an owner-only file instead: choose it under “Secret lives in”.</source>
        <translation>Hier antwortet kein Schlüsselbund (%1). Bewahren Sie das Geheimnis stattdessen in einer Umgebungsvariablen oder einer nur für den Besitzer lesbaren Datei auf: Wählen Sie das unter „Geheimnis liegt in“.</translation>
    </message>
    <message>
        <source>The keychain is locked (%1). Unlock it and try again, or keep the secret in an environment variable or an owner-only file instead.</source>
        <translation>Der Schlüsselbund ist gesperrt (%1). Entsperren Sie ihn und versuchen Sie es erneut, oder bewahren Sie das Geheimnis stattdessen in einer Umgebungsvariablen oder einer nur für den Besitzer lesbaren Datei auf.</translation>
    </message>
    <message>
        <source>The keychain did not answer in time (%1); it may be waiting for a password prompt. Unlock it and try again, or keep the secret in an environment variable or an owner-only file instead.</source>
        <translation>Der Schlüsselbund hat nicht rechtzeitig geantwortet (%1); vielleicht wartet er auf eine Passwortabfrage. Entsperren Sie ihn und versuchen Sie es erneut, oder bewahren Sie das Geheimnis stattdessen in einer Umgebungsvariablen oder einer nur für den Besitzer lesbaren Datei auf.</translation>
    </message>
    <message>
        <source>The keychain refused access (%1). Allow MirrorDesk and try again, or keep the secret in an environment variable or an owner-only file instead.</source>
        <translation>Der Schlüsselbund hat den Zugriff verweigert (%1). Erlauben Sie MirrorDesk den Zugriff und versuchen Sie es erneut, oder bewahren Sie das Geheimnis stattdessen in einer Umgebungsvariablen oder einer nur für den Besitzer lesbaren Datei auf.</translation>
    </message>
    <message>
        <source>The keychain holds no secret for this credential (%1): edit it and type the secret again.</source>
        <translation>Der Schlüsselbund enthält kein Geheimnis für diese Zugangsdaten (%1): Bearbeiten Sie sie und geben Sie das Geheimnis erneut ein.</translation>
    </message>
    <message>
        <source>The keychain failed: %1</source>
        <translation>Der Schlüsselbund ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The passphrase does not open the key: %1</source>
        <translation>Die Passphrase öffnet den Schlüssel nicht: %1</translation>
    </message>
    <message>
        <source>Generated an ed25519 key (%1): the private key is in the keychain as credential %2. Add the public key above as a deploy key on the host.</source>
        <translation>Ein ed25519-Schlüssel wurde erzeugt (%1): Der private Schlüssel liegt im Schlüsselbund als Zugangsdaten %2. Tragen Sie den öffentlichen Schlüssel oben als Deploy-Key beim Host ein.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation>Private Schlüsseldatei</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>md::ui::CredentialsDialog</name>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>SSH key</source>
        <translation>SSH-Schlüssel</translation>
    </message>
    <message>
        <source>SSH agent</source>
        <translation>SSH-Agent</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>Named credentials that mirrors use for their source or target. The configuration says only where a secret lives, never the secret.</source>
        <translation>Benannte Zugangsdaten, die Spiegel für ihre Quelle oder ihr Ziel verwenden. Die Konfiguration sagt nur, wo ein Geheimnis liegt, nie das Geheimnis selbst.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Geheimnis</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>Verwendet von</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Hinzufügen…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Copy public key</source>
        <translation>Öffentlichen Schlüssel kopieren</translation>
    </message>
    <message>
        <source>Read the SSH key from where it lives and copy its public key (for a deploy key)</source>
        <translation>Den SSH-Schlüssel von seinem Ort lesen und seinen öffentlichen Schlüssel kopieren (für einen Deploy-Key)</translation>
    </message>
    <message>
        <source>keychain</source>
        <translation>Schlüsselbund</translation>
    </message>
    <message>
        <source>Cannot read the credentials: %1</source>
        <translation>Die Zugangsdaten können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Its passphrase is the secret of credential %1</source>
        <translation>Seine Passphrase ist das Geheimnis der Zugangsdaten %1</translation>
    </message>
    <message>
        <source>Saved credential %1</source>
        <translation>Zugangsdaten %1 gespeichert</translation>
    </message>
    <message>
        <source>Remove credential %1? A secret it keeps in the keychain is deleted too.</source>
        <translation>Zugangsdaten %1 entfernen? Ein Geheimnis im Schlüsselbund wird ebenfalls gelöscht.</translation>
    </message>
    <message>
        <source>It is used by: %1. Those mirrors would be left without a credential.</source>
        <translation>Sie werden verwendet von: %1. Diese Spiegel hätten dann keine Zugangsdaten mehr.</translation>
    </message>
    <message>
        <source>Remove credential</source>
        <translation>Zugangsdaten entfernen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Removed credential %1</source>
        <translation>Zugangsdaten %1 entfernt</translation>
    </message>
    <message>
        <source>Removed credential %1; mirrors left without a credential: %2</source>
        <translation>Zugangsdaten %1 entfernt; Spiegel ohne Zugangsdaten: %2</translation>
    </message>
    <message>
        <source>Cannot remove %1: %2</source>
        <translation>%1 kann nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>Cannot read the key of %1: %2</source>
        <translation>Der Schlüssel von %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Copied the public key of %1 (%2):
%3</source>
        <translation>Öffentlicher Schlüssel von %1 kopiert (%2):
%3</translation>
    </message>
    <message>
        <source>passphrase of %1</source>
        <translation>Passphrase von %1</translation>
    </message>
    <message>
        <source>It holds the passphrase of the SSH key %1, which could not be used without it.</source>
        <translation>Sie enthalten die Passphrase des SSH-Schlüssels %1, der ohne sie nicht verwendet werden könnte.</translation>
    </message>
    <message>
        <source>Remove it from those mirrors and keys too</source>
        <translation>Auch aus diesen Spiegeln und Schlüsseln entfernen</translation>
    </message>
    <message>
        <source>Not removed: %1 is used by %2. Tick “Remove it from those mirrors and keys too” to remove it anyway, or change those mirrors first.</source>
        <translation>Nicht entfernt: %1 wird von %2 verwendet. Haken Sie „Auch aus diesen Spiegeln und Schlüsseln entfernen“ an, um sie trotzdem zu entfernen, oder ändern Sie zuerst diese Spiegel.</translation>
    </message>
</context>
<context>
    <name>md::ui::DetailsPane</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>source ↔ cache: %1</source>
        <translation>Quelle ↔ Cache: %1</translation>
    </message>
    <message>
        <source>cache ↔ target: %1</source>
        <translation>Cache ↔ Ziel: %1</translation>
    </message>
    <message>
        <source> — %1</source>
        <translation> — %1</translation>
    </message>
    <message>
        <source>; </source>
        <translation>; </translation>
    </message>
    <message>
        <source>%1 — pull mirror</source>
        <translation>%1 — Pull-Spiegel</translation>
    </message>
    <message>
        <source>%1 — relay mirror</source>
        <translation>%1 — Relay-Spiegel</translation>
    </message>
    <message>
        <source>%1 — push mirror</source>
        <translation>%1 — Push-Spiegel</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Änderungen</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>Ref</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Old → new</source>
        <translation>Alt → neu</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Seite</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Neu berechnen</translation>
    </message>
    <message>
        <source>Contact the source and compute what the next update would do, changing nothing</source>
        <translation>Die Quelle kontaktieren und berechnen, was die nächste Aktualisierung tun würde, ohne etwas zu ändern</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Attic</source>
        <translation>Attic</translation>
    </message>
    <message>
        <source>No mirror selected</source>
        <translation>Kein Spiegel ausgewählt</translation>
    </message>
    <message>
        <source>Update now is unavailable: %1</source>
        <translation>„Jetzt aktualisieren“ ist nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>Reading the history…</source>
        <translation>Verlauf wird gelesen…</translation>
    </message>
    <message numerus="yes">
        <source>%1, %n warning(s)</source>
        <translation>
            <numerusform>%1, %n Warnung</numerusform>
            <numerusform>%1, %n Warnungen</numerusform>
        </translation>
    </message>
    <message>
        <source>no change</source>
        <translation>keine Änderung</translation>
    </message>
    <message>
        <source>The history cannot be read: %1</source>
        <translation>Der Verlauf kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Never run</source>
        <translation>Noch nie gelaufen</translation>
    </message>
    <message>
        <source>%1. Last run: %2. Last success: %3.</source>
        <translation>%1. Letzter Lauf: %2. Letzter Erfolg: %3.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message numerus="yes">
        <source>%n failures in a row.</source>
        <translation>
            <numerusform>%n Fehlschlag in Folge.</numerusform>
            <numerusform>%n Fehlschläge in Folge.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>Noch nicht geprüft.</translation>
    </message>
    <message>
        <source>Checked at %1: %2</source>
        <translation>Geprüft am %1: %2</translation>
    </message>
    <message>
        <source>The check warned:</source>
        <translation>Die Prüfung warnte:</translation>
    </message>
    <message>
        <source>Not checked since the last update (the last check, at %1, said &quot;%2&quot; before it).</source>
        <translation>Seit der letzten Aktualisierung nicht geprüft (die letzte Prüfung davor, am %1, ergab „%2“).</translation>
    </message>
    <message>
        <source>Last error:</source>
        <translation>Letzter Fehler:</translation>
    </message>
    <message>
        <source>Last error (%1):</source>
        <translation>Letzter Fehler (%1):</translation>
    </message>
    <message>
        <source>Warnings of the last run:</source>
        <translation>Warnungen des letzten Laufs:</translation>
    </message>
    <message>
        <source>%1 at %2, %3.</source>
        <translation>%1 am %2, %3.</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>Warnings:</source>
        <translation>Warnungen:</translation>
    </message>
    <message>
        <source>Refs: %1</source>
        <translation>Refs: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n more not listed</source>
        <translation>
            <numerusform>%n weitere nicht aufgeführt</numerusform>
            <numerusform>%n weitere nicht aufgeführt</numerusform>
        </translation>
    </message>
    <message>
        <source>The last check (%1: %2) keeps no per-ref plan: press Refresh to compute what the next update would do (this contacts the source; nothing is changed).</source>
        <translation>Die letzte Prüfung (%1: %2) enthält keinen Plan pro Ref: Klicken Sie auf „Neu berechnen“, um zu berechnen, was die nächste Aktualisierung tun würde (dabei wird die Quelle kontaktiert; nichts wird geändert).</translation>
    </message>
    <message>
        <source>No plan yet: press Refresh to compute what the next update would do (this contacts the source; nothing is changed).</source>
        <translation>Noch kein Plan: Klicken Sie auf „Neu berechnen“, um zu berechnen, was die nächste Aktualisierung tun würde (dabei wird die Quelle kontaktiert; nichts wird geändert).</translation>
    </message>
    <message>
        <source>Computing the plan…</source>
        <translation>Plan wird berechnet…</translation>
    </message>
    <message>
        <source>The plan could not be computed: %1</source>
        <translation>Der Plan konnte nicht berechnet werden: %1</translation>
    </message>
    <message>
        <source>Not planned: %1</source>
        <translation>Nicht geplant: %1</translation>
    </message>
    <message>
        <source>no result</source>
        <translation>kein Ergebnis</translation>
    </message>
    <message>
        <source>The next update would be refused: %1</source>
        <translation>Die nächste Aktualisierung würde abgelehnt: %1</translation>
    </message>
    <message>
        <source>Plan of %1: what the next update would do (nothing was changed).</source>
        <translation>Plan für %1: was die nächste Aktualisierung tun würde (nichts wurde geändert).</translation>
    </message>
    <message>
        <source>Nothing to change.</source>
        <translation>Nichts zu ändern.</translation>
    </message>
    <message>
        <source>The default branch would change: %1 → %2</source>
        <translation>Der Standard-Branch würde sich ändern: %1 → %2</translation>
    </message>
</context>
<context>
    <name>md::ui::DurationEdit</name>
    <message>
        <source>seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>Stunden</translation>
    </message>
</context>
<context>
    <name>md::ui::HostKeysDialog</name>
    <message>
        <source>SHA256</source>
        <translation>SHA256</translation>
    </message>
    <message>
        <source>MD5</source>
        <translation>MD5</translation>
    </message>
    <message>
        <source>SSH host keys</source>
        <translation>SSH-Hostschlüssel</translation>
    </message>
    <message>
        <source>Pinned keys</source>
        <translation>Fest hinterlegte Schlüssel</translation>
    </message>
    <message>
        <source>An SSH connection goes ahead only when the server&apos;s host key is pinned for its host and port. Pin every key a host offers.</source>
        <translation>Eine SSH-Verbindung kommt nur zustande, wenn der Hostschlüssel des Servers für seinen Host und Port hinterlegt ist. Hinterlegen Sie jeden Schlüssel, den ein Host anbietet.</translation>
    </message>
    <message>
        <source>Host / type</source>
        <translation>Host / Typ</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Unpin the selected key, or every key of the selected host</source>
        <translation>Den gewählten Schlüssel entfernen, oder jeden Schlüssel des gewählten Hosts</translation>
    </message>
    <message>
        <source>Import known_hosts…</source>
        <translation>known_hosts importieren…</translation>
    </message>
    <message>
        <source>Pin the keys of an OpenSSH known_hosts file (hashed host names cannot be read back)</source>
        <translation>Die Schlüssel einer OpenSSH-known_hosts-Datei hinterlegen (gehashte Hostnamen lassen sich nicht zurücklesen)</translation>
    </message>
    <message>
        <source>Add keys</source>
        <translation>Schlüssel hinzufügen</translation>
    </message>
    <message>
        <source>host, host:port, [host]:port, user@host:path or an ssh:// URL</source>
        <translation>Host, Host:Port, [Host]:Port, Benutzer@Host:Pfad oder eine ssh://-URL</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Erkennen</translation>
    </message>
    <message>
        <source>Ask the server for every host key it offers (nothing is pinned, no login is tried)</source>
        <translation>Den Server nach jedem Hostschlüssel fragen, den er anbietet (nichts wird hinterlegt, keine Anmeldung versucht)</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Compare the fingerprints with the ones the host&apos;s admin publishes, tick the keys that match.</source>
        <translation>Vergleichen Sie die Fingerabdrücke mit denen, die der Administrator des Hosts veröffentlicht, und haken Sie die passenden Schlüssel an.</translation>
    </message>
    <message>
        <source>Pin ticked keys</source>
        <translation>Angehakte Schlüssel hinterlegen</translation>
    </message>
    <message>
        <source>or paste an OpenSSH public-key line: ssh-ed25519 AAAA…</source>
        <translation>oder eine OpenSSH-Zeile mit öffentlichem Schlüssel einfügen: ssh-ed25519 AAAA…</translation>
    </message>
    <message>
        <source>Pin line</source>
        <translation>Zeile hinterlegen</translation>
    </message>
    <message>
        <source>Cannot read the pinned keys: %1</source>
        <translation>Die hinterlegten Schlüssel können nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n Schlüssel</numerusform>
            <numerusform>%n Schlüssel</numerusform>
        </translation>
    </message>
    <message>
        <source>Pinned already</source>
        <translation>Bereits hinterlegt</translation>
    </message>
    <message>
        <source>%1 is not a known host: the connection was refused before any login. It offered the %2 key below; if its fingerprint is the one the host&apos;s admin publishes, pin it (Detect lists every key the host offers).</source>
        <translation>%1 ist kein bekannter Host: Die Verbindung wurde vor jeder Anmeldung abgelehnt. Er hat den %2-Schlüssel unten angeboten; wenn sein Fingerabdruck der ist, den der Administrator des Hosts veröffentlicht, hinterlegen Sie ihn („Erkennen“ listet jeden Schlüssel, den der Host anbietet).</translation>
    </message>
    <message>
        <source>The host key of %1 changed: it offered %2 %3, but %4 is pinned. The server may have been reinstalled, or someone is in between: pin the new key only once its admin confirms the fingerprint.</source>
        <translation>Der Hostschlüssel von %1 hat sich geändert: Er bot %2 %3 an, hinterlegt ist aber %4. Der Server wurde vielleicht neu installiert, oder jemand sitzt dazwischen: Hinterlegen Sie den neuen Schlüssel erst, wenn sein Administrator den Fingerabdruck bestätigt.</translation>
    </message>
    <message>
        <source>Asking %1 for its host keys…</source>
        <translation>%1 wird nach seinen Hostschlüsseln gefragt…</translation>
    </message>
    <message>
        <source>Detect failed: %1</source>
        <translation>Erkennen fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 offers %n host key(s). Tick the ones whose fingerprints match what its admin publishes, then pin them.</source>
        <translation>
            <numerusform>%1 bietet %n Hostschlüssel an. Haken Sie diejenigen an, deren Fingerabdrücke zu denen passen, die sein Administrator veröffentlicht, und hinterlegen Sie sie.</numerusform>
            <numerusform>%1 bietet %n Hostschlüssel an. Haken Sie diejenigen an, deren Fingerabdrücke zu denen passen, die sein Administrator veröffentlicht, und hinterlegen Sie sie.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot pin: %1</source>
        <translation>Hinterlegen nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Pinned %n key(s) for %1.</source>
        <translation>
            <numerusform>%n Schlüssel für %1 hinterlegt.</numerusform>
            <numerusform>%n Schlüssel für %1 hinterlegt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot pin the line: %1</source>
        <translation>Die Zeile kann nicht hinterlegt werden: %1</translation>
    </message>
    <message>
        <source>Pinned the key for %1.</source>
        <translation>Der Schlüssel für %1 ist hinterlegt.</translation>
    </message>
    <message>
        <source>That key is pinned for %1 already.</source>
        <translation>Dieser Schlüssel ist für %1 bereits hinterlegt.</translation>
    </message>
    <message>
        <source>Cannot remove: %1</source>
        <translation>Entfernen nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Unpinned %n key(s) of %1.</source>
        <translation>
            <numerusform>%n Schlüssel von %1 entfernt.</numerusform>
            <numerusform>%n Schlüssel von %1 entfernt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Mirrors on that host are refused until a key of it is pinned again: %1.</source>
        <translation>Spiegel auf diesem Host werden abgelehnt, bis wieder ein Schlüssel von ihm hinterlegt ist: %1.</translation>
    </message>
    <message>
        <source>known_hosts file</source>
        <translation>known_hosts-Datei</translation>
    </message>
    <message>
        <source>Cannot import: %1</source>
        <translation>Import nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n key(s) from %1.</source>
        <translation>
            <numerusform>%n Schlüssel aus %1 importiert.</numerusform>
            <numerusform>%n Schlüssel aus %1 importiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not imported:</source>
        <translation>Nicht importiert:</translation>
    </message>
    <message>
        <source>%1 offered a %2 key, and no key of that type is pinned for it. MirrorDesk cannot tell whether it is the host&apos;s own key: pin it only if its fingerprint is the one the host&apos;s admin publishes (every key a host offers must be pinned).</source>
        <translation>%1 bot einen %2-Schlüssel an, und für diesen Host ist kein Schlüssel dieses Typs hinterlegt. MirrorDesk kann nicht erkennen, ob es der eigene Schlüssel des Hosts ist: hinterlegen Sie ihn nur, wenn sein Fingerabdruck mit dem übereinstimmt, den der Administrator des Hosts veröffentlicht (jeder Schlüssel, den ein Host anbietet, muss hinterlegt sein).</translation>
    </message>
    <message numerus="yes">
        <source>Replaced the keys pinned for %1 with the %n accepted key(s); the old ones are no longer trusted. Detect lists the other keys it offers.</source>
        <translation>
            <numerusform>Die für %1 hinterlegten Schlüssel wurden durch den angenommenen Schlüssel ersetzt; die alten gelten nicht mehr als vertrauenswürdig. „Erkennen“ listet die weiteren Schlüssel auf, die er anbietet.</numerusform>
            <numerusform>Die für %1 hinterlegten Schlüssel wurden durch die %n angenommenen Schlüssel ersetzt; die alten gelten nicht mehr als vertrauenswürdig. „Erkennen“ listet die weiteren Schlüssel auf, die er anbietet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>… und %n weitere.</numerusform>
            <numerusform>… und %n weitere.</numerusform>
        </translation>
    </message>
</context>
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
    <message>
        <source>Review host key…</source>
        <translation>Hostschlüssel prüfen…</translation>
    </message>
    <message>
        <source>The selected mirror was refused for its SSH host key: see the key the server offered and pin it</source>
        <translation>Der gewählte Spiegel wurde wegen seines SSH-Hostschlüssels abgelehnt: Sehen Sie den angebotenen Schlüssel an und hinterlegen Sie ihn</translation>
    </message>
    <message>
        <source>Credentials…</source>
        <translation>Zugangsdaten…</translation>
    </message>
    <message>
        <source>Named credentials: passwords, tokens and SSH keys the mirrors use</source>
        <translation>Benannte Zugangsdaten: Passwörter, Tokens und SSH-Schlüssel, die die Spiegel verwenden</translation>
    </message>
    <message>
        <source>Host keys…</source>
        <translation>Hostschlüssel…</translation>
    </message>
    <message>
        <source>The SSH host keys pinned per host: detect, pin, import known_hosts, remove</source>
        <translation>Die pro Host hinterlegten SSH-Hostschlüssel: erkennen, hinterlegen, known_hosts importieren, entfernen</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>%1 was not refused for its host key</source>
        <translation>%1 wurde nicht wegen seines Hostschlüssels abgelehnt</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message>
        <source>Filter by name or host…</source>
        <translation>Nach Name oder Host filtern…</translation>
    </message>
    <message>
        <source>Any health</source>
        <translation>Jeder Zustand</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>Neu…</translation>
    </message>
    <message>
        <source>Add a mirror</source>
        <translation>Einen Spiegel hinzufügen</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Change the selected mirror (Enter or double-click)</source>
        <translation>Den ausgewählten Spiegel ändern (Eingabetaste oder Doppelklick)</translation>
    </message>
    <message>
        <source>Duplicate…</source>
        <translation>Duplizieren…</translation>
    </message>
    <message>
        <source>A new mirror with the selected one&apos;s settings</source>
        <translation>Ein neuer Spiegel mit den Einstellungen des ausgewählten</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Remove the selected mirror (its cache is kept unless you choose)</source>
        <translation>Den ausgewählten Spiegel entfernen (sein Cache bleibt erhalten, sofern Sie nichts anderes wählen)</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Aktivieren</translation>
    </message>
    <message>
        <source>Let the scheduler update the selected mirrors again</source>
        <translation>Den Planer die ausgewählten Spiegel wieder aktualisieren lassen</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>Stop scheduled updates of the selected mirrors</source>
        <translation>Geplante Aktualisierungen der ausgewählten Spiegel einstellen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the selected mirrors&apos; running check or update (recorded as interrupted)</source>
        <translation>Die laufende Prüfung oder Aktualisierung der ausgewählten Spiegel abbrechen (wird als unterbrochen gespeichert)</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Neu laden</translation>
    </message>
    <message>
        <source>Read the configuration and every mirror&apos;s state again</source>
        <translation>Die Konfiguration und den Zustand aller Spiegel neu einlesen</translation>
    </message>
    <message>
        <source>Preferences…</source>
        <translation>Voreinstellungen…</translation>
    </message>
    <message>
        <source>Concurrency, default interval, cache folder, proxy, timeouts, guards</source>
        <translation>Parallelität, Standardintervall, Cache-Ordner, Proxy, Zeitlimits, Sperren</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Close MirrorDesk</source>
        <translation>MirrorDesk schließen</translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation>Werkzeugleiste</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>The configuration file cannot be used and was left unchanged. MirrorDesk keeps showing the last good list until it is fixed.
%1</source>
        <translation>Die Konfigurationsdatei kann nicht verwendet werden und wurde nicht verändert. MirrorDesk zeigt weiter die letzte gültige Liste, bis sie korrigiert ist.
%1</translation>
    </message>
    <message>
        <source>Running elsewhere</source>
        <translation>Läuft anderswo</translation>
    </message>
    <message>
        <source>Scheduled updates cannot start: %1</source>
        <translation>Geplante Aktualisierungen können nicht beginnen: %1</translation>
    </message>
    <message>
        <source>%1 is not in the list</source>
        <translation>%1 ist nicht in der Liste</translation>
    </message>
    <message>
        <source>%1 is being checked or updated</source>
        <translation>%1 wird gerade geprüft oder aktualisiert</translation>
    </message>
    <message>
        <source>%1 is being updated by another MirrorDesk process</source>
        <translation>%1 wird von einem anderen MirrorDesk-Prozess aktualisiert</translation>
    </message>
    <message>
        <source>%1 was updated by hand %2 ago; Update now is possible again in %3 (minimum manual interval %4)</source>
        <translation>%1 wurde vor %2 von Hand aktualisiert; „Jetzt aktualisieren“ ist in %3 wieder möglich (manueller Mindestabstand %4)</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message numerus="yes">
        <source>%n mirror(s)</source>
        <translation>
            <numerusform>%n Spiegel</numerusform>
            <numerusform>%n Spiegel</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n läuft</numerusform>
            <numerusform>%n laufen</numerusform>
        </translation>
    </message>
    <message>
        <source>Check All finished: %1 in sync, %2 behind, %3 diverged, %4 unreachable, %5 empty, %6 skipped</source>
        <translation>Alle prüfen abgeschlossen: %1 synchron, %2 im Rückstand, %3 auseinandergelaufen, %4 nicht erreichbar, %5 leer, %6 übersprungen</translation>
    </message>
    <message>
        <source>Update now refused: %1</source>
        <translation>Aktualisieren abgelehnt: %1</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message numerus="yes">
        <source>Cancelling %n run(s)…</source>
        <translation>
            <numerusform>%n Lauf wird abgebrochen…</numerusform>
            <numerusform>%n Läufe werden abgebrochen…</numerusform>
        </translation>
    </message>
    <message>
        <source>Check cancelled</source>
        <translation>Prüfung abgebrochen</translation>
    </message>
    <message>
        <source>Skipped: disabled</source>
        <translation>Übersprungen: deaktiviert</translation>
    </message>
    <message>
        <source>Skipped: not due</source>
        <translation>Übersprungen: nicht fällig</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>%1 is being updated by another MirrorDesk process; its result shows when that run ends</source>
        <translation>%1 wird von einem anderen MirrorDesk-Prozess aktualisiert; das Ergebnis erscheint, wenn dieser Lauf endet</translation>
    </message>
    <message>
        <source>deleted: %1</source>
        <translation>gelöscht: %1</translation>
    </message>
    <message>
        <source>forced: %1</source>
        <translation>erzwungen: %1</translation>
    </message>
    <message>
        <source>Confirm a mass change</source>
        <translation>Massenänderung bestätigen</translation>
    </message>
    <message>
        <source>The update of %1 would delete or force %2 of %3 refs (the guard allows %4). Every old tip is kept in the attic. Run it anyway?</source>
        <translation>Die Aktualisierung von %1 würde %2 von %3 Refs löschen oder erzwingen (die Sperre erlaubt %4). Jeder alte Stand wird im Attic aufbewahrt. Trotzdem ausführen?</translation>
    </message>
    <message>
        <source>Run with the change allowed</source>
        <translation>Mit erlaubter Änderung ausführen</translation>
    </message>
    <message>
        <source>Update cannot start: %1</source>
        <translation>Aktualisierung kann nicht beginnen: %1</translation>
    </message>
    <message>
        <source>Updating %1 with the mass change allowed…</source>
        <translation>%1 wird mit erlaubter Massenänderung aktualisiert…</translation>
    </message>
    <message>
        <source>Runs in progress</source>
        <translation>Laufende Vorgänge</translation>
    </message>
    <message numerus="yes">
        <source>%n check(s) or update(s) are running. MirrorDesk cannot keep running them once the window is closed: closing cancels them (an update is recorded as interrupted, not failed, and its repository is left valid).</source>
        <translation>
            <numerusform>%n Prüfung oder Aktualisierung läuft. MirrorDesk kann sie nach dem Schließen des Fensters nicht weiterlaufen lassen: Schließen bricht sie ab (eine Aktualisierung wird als unterbrochen gespeichert, nicht als fehlgeschlagen, und ihr Repository bleibt gültig).</numerusform>
            <numerusform>%n Prüfungen oder Aktualisierungen laufen. MirrorDesk kann sie nach dem Schließen des Fensters nicht weiterlaufen lassen: Schließen bricht sie ab (eine Aktualisierung wird als unterbrochen gespeichert, nicht als fehlgeschlagen, und ihr Repository bleibt gültig).</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel runs and close</source>
        <translation>Läufe abbrechen und schließen</translation>
    </message>
    <message>
        <source>Wait for them</source>
        <translation>Abwarten</translation>
    </message>
    <message>
        <source>Cancelling the running checks and updates…</source>
        <translation>Laufende Prüfungen und Aktualisierungen werden abgebrochen…</translation>
    </message>
    <message>
        <source>MirrorDesk closes when you ask again after the runs have finished</source>
        <translation>MirrorDesk wird geschlossen, wenn Sie es nach dem Ende der Läufe erneut versuchen</translation>
    </message>
    <message>
        <source>%1 is being checked or updated; cancel it first</source>
        <translation>%1 wird gerade geprüft oder aktualisiert; brechen Sie das zuerst ab</translation>
    </message>
    <message>
        <source>Remove mirror</source>
        <translation>Spiegel entfernen</translation>
    </message>
    <message>
        <source>Remove the mirror %1 from MirrorDesk? Its cache %2 is kept unless you tick the box below; nothing on the source or the target is touched.</source>
        <translation>Den Spiegel %1 aus MirrorDesk entfernen? Sein Cache %2 bleibt erhalten, sofern Sie nicht das Kästchen unten anhaken; an Quelle und Ziel wird nichts verändert.</translation>
    </message>
    <message>
        <source>Also delete the cache %1</source>
        <translation>Auch den Cache %1 löschen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Cannot remove: %1</source>
        <translation>Entfernen nicht möglich: %1</translation>
    </message>
    <message>
        <source>Removed %1 and deleted its cache %2</source>
        <translation>%1 entfernt und seinen Cache %2 gelöscht</translation>
    </message>
    <message>
        <source>Removed %1; its cache path was a link: the link went, what it points at was kept</source>
        <translation>%1 entfernt; sein Cache-Pfad war ein Link: Der Link wurde entfernt, sein Ziel blieb erhalten</translation>
    </message>
    <message>
        <source>Removed %1; its cache %2 was kept</source>
        <translation>%1 entfernt; sein Cache %2 blieb erhalten</translation>
    </message>
    <message>
        <source>Removed %1</source>
        <translation>%1 entfernt</translation>
    </message>
    <message>
        <source>Cannot change: %1</source>
        <translation>Ändern nicht möglich: %1</translation>
    </message>
    <message numerus="yes">
        <source>Enabled %n mirror(s)</source>
        <translation>
            <numerusform>%n Spiegel aktiviert</numerusform>
            <numerusform>%n Spiegel aktiviert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Disabled %n mirror(s)</source>
        <translation>
            <numerusform>%n Spiegel deaktiviert</numerusform>
            <numerusform>%n Spiegel deaktiviert</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 is no longer in the configuration</source>
        <translation>%1 ist nicht mehr in der Konfiguration</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>The preferences are in the configuration file, which cannot be read now</source>
        <translation>Die Voreinstellungen stehen in der Konfigurationsdatei, die sich gerade nicht lesen lässt</translation>
    </message>
    <message>
        <source>Preferences saved; they apply from the next check or update</source>
        <translation>Voreinstellungen gespeichert; sie gelten ab der nächsten Prüfung oder Aktualisierung</translation>
    </message>
    <message>
        <source>New org mirror…</source>
        <translation>Neuer Org-Spiegel…</translation>
    </message>
    <message>
        <source>Mirror a whole GitHub organisation, GitLab group, Bitbucket workspace or Bitbucket Server project, repository by repository</source>
        <translation>Eine ganze GitHub-Organisation, GitLab-Gruppe, einen Bitbucket-Workspace oder ein Bitbucket-Server-Projekt spiegeln, Repository für Repository</translation>
    </message>
    <message>
        <source>Edit org mirror…</source>
        <translation>Org-Spiegel bearbeiten…</translation>
    </message>
    <message>
        <source>Change the selected org mirror&apos;s provider, filter, target or sync new</source>
        <translation>Anbieter, Filter, Ziel oder die Suche nach neuen Repositorys des ausgewählten Org-Spiegels ändern</translation>
    </message>
    <message>
        <source>Preview/Run org mirror…</source>
        <translation>Vorschau/Ausführen des Org-Spiegels…</translation>
    </message>
    <message>
        <source>List the selected org mirror&apos;s repositories, see what a Run would do with each, then run it</source>
        <translation>Die Repositorys des ausgewählten Org-Spiegels auflisten, sehen, was ein Lauf mit jedem täte, und ihn dann ausführen</translation>
    </message>
    <message>
        <source>Remove org mirror…</source>
        <translation>Org-Spiegel entfernen…</translation>
    </message>
    <message>
        <source>Remove the selected org mirror (its mirrors stay unless you choose; caches are always kept)</source>
        <translation>Den ausgewählten Org-Spiegel entfernen (seine Spiegel bleiben, sofern Sie nichts anderes wählen; Caches bleiben immer erhalten)</translation>
    </message>
    <message>
        <source>Org mirrors</source>
        <translation>Org-Spiegel</translation>
    </message>
    <message>
        <source>Discovering…</source>
        <translation>Sucht neue Repositorys…</translation>
    </message>
    <message>
        <source>The org mirror %1 is discovering new repositories; try again when it is done</source>
        <translation>Der Org-Spiegel %1 sucht gerade neue Repositorys; versuchen Sie es erneut, wenn er fertig ist</translation>
    </message>
    <message>
        <source>Saved org mirror %1</source>
        <translation>Org-Spiegel %1 gespeichert</translation>
    </message>
    <message>
        <source>The org mirror %1 or one of its mirrors is running; wait for it or cancel it first</source>
        <translation>Der Org-Spiegel %1 oder einer seiner Spiegel läuft gerade; warten Sie darauf oder brechen Sie ihn zuerst ab</translation>
    </message>
    <message>
        <source>Remove org mirror</source>
        <translation>Org-Spiegel entfernen</translation>
    </message>
    <message numerus="yes">
        <source>Remove the org mirror %1 from MirrorDesk? Its %n mirror(s) stay as ordinary mirrors unless you tick the box below. Caches are always kept; nothing on the provider or the target is touched.</source>
        <translation>
            <numerusform>Den Org-Spiegel %1 aus MirrorDesk entfernen? Sein %n Spiegel bleibt als gewöhnlicher Spiegel erhalten, sofern Sie nicht das Kästchen unten anhaken. Caches bleiben immer erhalten; beim Anbieter und im Ziel wird nichts verändert.</numerusform>
            <numerusform>Den Org-Spiegel %1 aus MirrorDesk entfernen? Seine %n Spiegel bleiben als gewöhnliche Spiegel erhalten, sofern Sie nicht das Kästchen unten anhaken. Caches bleiben immer erhalten; beim Anbieter und im Ziel wird nichts verändert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Also remove its %n mirror(s) from MirrorDesk (their caches are kept)</source>
        <translation>
            <numerusform>Auch seinen %n Spiegel aus MirrorDesk entfernen (der Cache bleibt erhalten)</numerusform>
            <numerusform>Auch seine %n Spiegel aus MirrorDesk entfernen (die Caches bleiben erhalten)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed the org mirror %1 and its %n mirror(s); their caches were kept</source>
        <translation>
            <numerusform>Org-Spiegel %1 und sein %n Spiegel entfernt; der Cache blieb erhalten</numerusform>
            <numerusform>Org-Spiegel %1 und seine %n Spiegel entfernt; die Caches blieben erhalten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed the org mirror %1; its %n mirror(s) stay as ordinary mirrors</source>
        <translation>
            <numerusform>Org-Spiegel %1 entfernt; sein %n Spiegel bleibt als gewöhnlicher Spiegel erhalten</numerusform>
            <numerusform>Org-Spiegel %1 entfernt; seine %n Spiegel bleiben als gewöhnliche Spiegel erhalten</numerusform>
        </translation>
    </message>
    <message>
        <source>Discovery of the org mirror %1 failed: %2</source>
        <translation>Die Suche nach neuen Repositorys des Org-Spiegels %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message numerus="yes">
        <source>Org mirror %1: added %n mirror(s) for new repositories</source>
        <translation>
            <numerusform>Org-Spiegel %1: %n Spiegel für neue Repositorys hinzugefügt</numerusform>
            <numerusform>Org-Spiegel %1: %n Spiegel für neue Repositorys hinzugefügt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Org mirror %1: %n mirror(s) for new repositories could not be added</source>
        <translation>
            <numerusform>Org-Spiegel %1: %n Spiegel für neue Repositorys konnte nicht hinzugefügt werden</numerusform>
            <numerusform>Org-Spiegel %1: %n Spiegel für neue Repositorys konnten nicht hinzugefügt werden</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>md::ui::MirrorEditor</name>
    <message>
        <source>New mirror</source>
        <translation>Neuer Spiegel</translation>
    </message>
    <message>
        <source>Edit mirror %1</source>
        <translation>Spiegel %1 bearbeiten</translation>
    </message>
    <message>
        <source>Duplicate mirror %1</source>
        <translation>Spiegel %1 duplizieren</translation>
    </message>
    <message>
        <source>Mirror</source>
        <translation>Spiegel</translation>
    </message>
    <message>
        <source>e.g. team/project (letters, digits, . _ - and / between parts)</source>
        <translation>z. B. team/projekt (Buchstaben, Ziffern, . _ - und / zwischen Teilen)</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Pull: the cache is the mirror</source>
        <translation>Pull: Der Cache ist der Spiegel</translation>
    </message>
    <message>
        <source>Relay: from a remote to a remote, through the cache</source>
        <translation>Relay: von Remote zu Remote, über den Cache</translation>
    </message>
    <message>
        <source>Push: from a local repository to a remote</source>
        <translation>Push: von einem lokalen Repository zu einem Remote</translation>
    </message>
    <message>
        <source>Shape:</source>
        <translation>Form:</translation>
    </message>
    <message>
        <source>Sync on its schedule</source>
        <translation>Nach Zeitplan abgleichen</translation>
    </message>
    <message>
        <source>Enabled:</source>
        <translation>Aktiviert:</translation>
    </message>
    <message>
        <source>default: the environment&apos;s and git&apos;s proxy settings</source>
        <translation>Standard: die Proxy-Einstellungen der Umgebung und von git</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>Standard: %1</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Credentials are managed under Settings ▸ Credentials…</source>
        <translation>Zugangsdaten werden unter Einstellungen ▸ Zugangsdaten… verwaltet</translation>
    </message>
    <message>
        <source>Credential:</source>
        <translation>Zugangsdaten:</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>Proxy:</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>https://host/group/project.git, git@host:group/project.git or /path/to/repository</source>
        <translation>https://host/group/project.git, git@host:group/project.git oder /path/to/repository</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>none for a pull mirror (the cache is the mirror)</source>
        <translation>leer bei einem Pull-Spiegel (der Cache ist der Spiegel)</translation>
    </message>
    <message>
        <source>Cache and schedule</source>
        <translation>Cache und Zeitplan</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Cache folder</source>
        <translation>Cache-Ordner</translation>
    </message>
    <message>
        <source>Cache path:</source>
        <translation>Cache-Pfad:</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>default (%1 min)</source>
        <translation>Standard (%1 min)</translation>
    </message>
    <message>
        <source>Interval:</source>
        <translation>Intervall:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>The least time between two manual updates (Update now)</source>
        <translation>Die kürzeste Zeit zwischen zwei manuellen Aktualisierungen („Jetzt aktualisieren“)</translation>
    </message>
    <message>
        <source>Minimum manual interval:</source>
        <translation>Manueller Mindestabstand:</translation>
    </message>
    <message>
        <source>Branches and tags</source>
        <translation>Branches und Tags</translation>
    </message>
    <message>
        <source>Only branches matching the patterns below</source>
        <translation>Nur Branches, die auf die Muster unten passen</translation>
    </message>
    <message>
        <source>Protected only:</source>
        <translation>Nur geschützte:</translation>
    </message>
    <message>
        <source>one pattern a line; * matches any run of characters, / included (e.g. release/*)</source>
        <translation>ein Muster pro Zeile; * passt auf jede Zeichenfolge, / eingeschlossen (z. B. release/*)</translation>
    </message>
    <message>
        <source>Patterns:</source>
        <translation>Muster:</translation>
    </message>
    <message>
        <source>RE2, unanchored, on the branch name (e.g. ^(main|release/.*)$)</source>
        <translation>RE2, nicht verankert, auf den Branch-Namen (z. B. ^(main|release/.*)$)</translation>
    </message>
    <message>
        <source>Branch regex:</source>
        <translation>Branch-Regex:</translation>
    </message>
    <message>
        <source>All tags</source>
        <translation>Alle Tags</translation>
    </message>
    <message>
        <source>Tags reachable from mirrored branches</source>
        <translation>Von gespiegelten Branches erreichbare Tags</translation>
    </message>
    <message>
        <source>No tags</source>
        <translation>Keine Tags</translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation>Tags:</translation>
    </message>
    <message>
        <source>Default for the shape</source>
        <translation>Standard für die Form</translation>
    </message>
    <message>
        <source>All: remove what is gone</source>
        <translation>Alle: entfernen, was verschwunden ist</translation>
    </message>
    <message>
        <source>Merged: remove what is merged into the default branch</source>
        <translation>Gemergte: entfernen, was in den Standard-Branch gemergt ist</translation>
    </message>
    <message>
        <source>None: remove nothing</source>
        <translation>Keine: nichts entfernen</translation>
    </message>
    <message>
        <source>Prune:</source>
        <translation>Bereinigen:</translation>
    </message>
    <message>
        <source>Overwrite branches rewritten upstream (pull)</source>
        <translation>In der Quelle umgeschriebene Branches überschreiben (Pull)</translation>
    </message>
    <message>
        <source>Keep refs that diverged on the target (relay, push)</source>
        <translation>Im Ziel auseinandergelaufene Refs behalten (Relay, Push)</translation>
    </message>
    <message>
        <source>What a sync does</source>
        <translation>Was ein Abgleich tut</translation>
    </message>
    <message>
        <source>Source branches</source>
        <translation>Branches der Quelle</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>List the source&apos;s branches (nothing is downloaded) and show which ones the filter selects</source>
        <translation>Die Branches der Quelle auflisten (nichts wird heruntergeladen) und zeigen, welche davon der Filter auswählt</translation>
    </message>
    <message>
        <source>This URL carries a password or token. Secrets never go into a mirror: add a credential under Settings ▸ Credentials…, pick it below and type the URL without it.</source>
        <translation>Diese URL enthält ein Passwort oder Token. Geheimnisse gehören nie in einen Spiegel: Fügen Sie unter Einstellungen ▸ Zugangsdaten… Zugangsdaten hinzu, wählen Sie sie unten aus und geben Sie die URL ohne das Geheimnis ein.</translation>
    </message>
    <message>
        <source>This URL carries a user name (or a token) before “@”. Add a credential with that user name (or token) under Settings ▸ Credentials…, pick it below and type the URL without it.</source>
        <translation>Diese URL enthält vor „@“ einen Benutzernamen (oder ein Token). Fügen Sie unter Einstellungen ▸ Zugangsdaten… Zugangsdaten mit diesem Benutzernamen (oder Token) hinzu, wählen Sie sie unten aus und geben Sie die URL ohne ihn ein.</translation>
    </message>
    <message>
        <source>Chosen from the URLs: pull (no target, so the cache is the mirror).</source>
        <translation>Aus den URLs gewählt: Pull (kein Ziel, also ist der Cache der Spiegel).</translation>
    </message>
    <message>
        <source>Chosen from the URLs: relay (source and target are both remote).</source>
        <translation>Aus den URLs gewählt: Relay (Quelle und Ziel sind beide entfernt).</translation>
    </message>
    <message>
        <source>Chosen from the URLs: push (the source is a local repository).</source>
        <translation>Aus den URLs gewählt: Push (die Quelle ist ein lokales Repository).</translation>
    </message>
    <message>
        <source>default: %1/&lt;name&gt;.git</source>
        <translation>Standard: %1/&lt;name&gt;.git</translation>
    </message>
    <message>
        <source>A local repository is given by its absolute path.</source>
        <translation>Ein lokales Repository wird mit seinem absoluten Pfad angegeben.</translation>
    </message>
    <message>
        <source>Listing the source&apos;s branches…</source>
        <translation>Branches der Quelle werden aufgelistet…</translation>
    </message>
    <message>
        <source>Not listed yet.</source>
        <translation>Noch nicht aufgelistet.</translation>
    </message>
    <message>
        <source>Fix the branch filter to see which branches it selects.</source>
        <translation>Korrigieren Sie den Branch-Filter, um zu sehen, welche Branches er auswählt.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n branch(es) selected</source>
        <translation>
            <numerusform>%1 von %n Branch ausgewählt</numerusform>
            <numerusform>%1 von %n Branches ausgewählt</numerusform>
        </translation>
    </message>
    <message>
        <source>(default branch: %1)</source>
        <translation>(Standard-Branch: %1)</translation>
    </message>
    <message>
        <source>Cannot list the source: %1</source>
        <translation>Die Quelle kann nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <source>That is the default for a %1 mirror.</source>
        <translation>Das ist der Standard für einen %1-Spiegel.</translation>
    </message>
    <message>
        <source>Refs are fetched from the source into the cache, a bare repository: the cache is the mirror.</source>
        <translation>Refs werden aus der Quelle in den Cache geholt, ein Bare-Repository: Der Cache ist der Spiegel.</translation>
    </message>
    <message>
        <source>Refs are fetched from the source into the cache, which follows the source exactly, then pushed to the target.</source>
        <translation>Refs werden aus der Quelle in den Cache geholt, der der Quelle genau folgt, und dann ins Ziel gepusht.</translation>
    </message>
    <message>
        <source>The local repository is only read, never written: its refs are fetched into the cache, then pushed to the target.</source>
        <translation>Das lokale Repository wird nur gelesen, nie beschrieben: Seine Refs werden in den Cache geholt und dann ins Ziel gepusht.</translation>
    </message>
    <message>
        <source>Every branch is mirrored.</source>
        <translation>Jeder Branch wird gespiegelt.</translation>
    </message>
    <message>
        <source>No branch is mirrored: no protected-branch pattern is given.</source>
        <translation>Kein Branch wird gespiegelt: Es ist kein Muster für geschützte Branches angegeben.</translation>
    </message>
    <message>
        <source>Only branches matching %1 are mirrored; the others are never created, updated or deleted.</source>
        <translation>Nur Branches, die auf %1 passen, werden gespiegelt; die anderen werden nie erstellt, aktualisiert oder gelöscht.</translation>
    </message>
    <message>
        <source>Only branches whose name matches “%1” (anywhere in the name) are mirrored; the others are never created, updated or deleted.</source>
        <translation>Nur Branches, deren Name auf „%1“ passt (irgendwo im Namen), werden gespiegelt; die anderen werden nie erstellt, aktualisiert oder gelöscht.</translation>
    </message>
    <message>
        <source>Every tag is mirrored.</source>
        <translation>Jedes Tag wird gespiegelt.</translation>
    </message>
    <message>
        <source>Only tags reachable from the mirrored branches are mirrored.</source>
        <translation>Nur Tags, die von den gespiegelten Branches erreichbar sind, werden gespiegelt.</translation>
    </message>
    <message>
        <source>Tags are not mirrored.</source>
        <translation>Tags werden nicht gespiegelt.</translation>
    </message>
    <message>
        <source>A branch rewritten upstream is overwritten; its old tip is kept in the attic.</source>
        <translation>Ein in der Quelle umgeschriebener Branch wird überschrieben; sein alter Stand wird im Attic aufbewahrt.</translation>
    </message>
    <message>
        <source>A branch rewritten upstream is reported and left as it was; when it is the default branch, the run fails.</source>
        <translation>Ein in der Quelle umgeschriebener Branch wird gemeldet und bleibt, wie er war; ist es der Standard-Branch, schlägt der Lauf fehl.</translation>
    </message>
    <message>
        <source>A ref that diverged on the target is left alone and named, and the run ends failed; every other ref is still updated.</source>
        <translation>Eine im Ziel auseinandergelaufene Ref bleibt unangetastet und wird genannt, und der Lauf endet als fehlgeschlagen; alle anderen Refs werden trotzdem aktualisiert.</translation>
    </message>
    <message>
        <source>A ref that differs on the target is overwritten; its old tip is kept in the attic.</source>
        <translation>Eine Ref, die im Ziel abweicht, wird überschrieben; ihr alter Stand wird im Attic aufbewahrt.</translation>
    </message>
    <message>
        <source>Branches and tags deleted upstream are moved to the attic, then removed.</source>
        <translation>In der Quelle gelöschte Branches und Tags werden ins Attic verschoben und dann entfernt.</translation>
    </message>
    <message>
        <source>Branches and tags deleted upstream are moved to the attic, then removed, when merged into the default branch; the others are kept.</source>
        <translation>In der Quelle gelöschte Branches und Tags werden ins Attic verschoben und dann entfernt, wenn sie in den Standard-Branch gemergt sind; die anderen bleiben erhalten.</translation>
    </message>
    <message>
        <source>Branches and tags deleted upstream are kept.</source>
        <translation>In der Quelle gelöschte Branches und Tags bleiben erhalten.</translation>
    </message>
    <message>
        <source>Branches and tags found only on the target are deleted there; their tips are kept in the attic.</source>
        <translation>Branches und Tags, die es nur im Ziel gibt, werden dort gelöscht; ihre Stände werden im Attic aufbewahrt.</translation>
    </message>
    <message>
        <source>Branches and tags found only on the target are deleted there when merged into the source&apos;s default branch (their tips kept in the attic); the others are kept.</source>
        <translation>Branches und Tags, die es nur im Ziel gibt, werden dort gelöscht, wenn sie in den Standard-Branch der Quelle gemergt sind (ihre Stände werden im Attic aufbewahrt); die anderen bleiben erhalten.</translation>
    </message>
    <message>
        <source>Branches and tags found only on the target are kept.</source>
        <translation>Branches und Tags, die es nur im Ziel gibt, bleiben erhalten.</translation>
    </message>
    <message>
        <source>Nothing is ever deleted on the target (keep divergent refs).</source>
        <translation>Im Ziel wird nie etwas gelöscht (auseinandergelaufene Refs behalten).</translation>
    </message>
    <message numerus="yes">
        <source>Synced every %n minute(s), the default interval.</source>
        <translation>
            <numerusform>Abgleich im Abstand von %n Minute, das Standardintervall.</numerusform>
            <numerusform>Abgleich im Abstand von %n Minuten, das Standardintervall.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Synced every %n minute(s).</source>
        <translation>
            <numerusform>Abgleich im Abstand von %n Minute.</numerusform>
            <numerusform>Abgleich im Abstand von %n Minuten.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not synced on a schedule (disabled); Update now still runs it.</source>
        <translation>Kein Abgleich nach Zeitplan (deaktiviert); „Jetzt aktualisieren“ führt ihn trotzdem aus.</translation>
    </message>
    <message>
        <source>Update now may run at any time.</source>
        <translation>„Jetzt aktualisieren“ ist jederzeit möglich.</translation>
    </message>
    <message numerus="yes">
        <source>Update now runs at most once every %n second(s).</source>
        <translation>
            <numerusform>„Jetzt aktualisieren“ läuft höchstens einmal pro %n Sekunde.</numerusform>
            <numerusform>„Jetzt aktualisieren“ läuft höchstens einmal alle %n Sekunden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Attic entries are kept %n day(s), and always the last 5 of each ref.</source>
        <translation>
            <numerusform>Attic-Einträge werden %n Tag lang aufbewahrt, die letzten 5 jeder Ref immer.</numerusform>
            <numerusform>Attic-Einträge werden %n Tage lang aufbewahrt, die letzten 5 jeder Ref immer.</numerusform>
        </translation>
    </message>
    <message>
        <source>A run that would delete or force more than 10 refs and 20 % of them waits for confirmation.</source>
        <translation>Ein Lauf, der mehr als 10 Refs und zugleich mehr als 20 % davon löschen oder erzwingen würde, wartet auf Bestätigung.</translation>
    </message>
    <message>
        <source>The mass-change guard is off: large deletions run without asking.</source>
        <translation>Die Sperre gegen Massenänderungen ist aus: Große Löschungen laufen ohne Nachfrage.</translation>
    </message>
</context>
<context>
    <name>md::ui::MirrorTableModel</name>
    <message>
        <source>Never run</source>
        <translation>Noch nie gelaufen</translation>
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
        <source>Host key changed</source>
        <translation>Hostschlüssel geändert</translation>
    </message>
    <message>
        <source>Host key unknown</source>
        <translation>Hostschlüssel unbekannt</translation>
    </message>
    <message>
        <source>Refused: host key changed</source>
        <translation>Abgelehnt: Hostschlüssel geändert</translation>
    </message>
    <message>
        <source>Refused: host key unknown</source>
        <translation>Abgelehnt: Hostschlüssel unbekannt</translation>
    </message>
    <message>
        <source>Host key type not pinned</source>
        <translation>Hostschlüsseltyp nicht hinterlegt</translation>
    </message>
    <message>
        <source>Refused: host key type not pinned</source>
        <translation>Abgelehnt: Hostschlüsseltyp nicht hinterlegt</translation>
    </message>
    <message>
        <source>Stale</source>
        <translation>Veraltet</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>Running elsewhere</source>
        <translation>Läuft anderswo</translation>
    </message>
    <message>
        <source>Network error</source>
        <translation>Netzwerkfehler</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <source>Authentication failed</source>
        <translation>Authentifizierung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Host key refused</source>
        <translation>Hostschlüssel abgelehnt</translation>
    </message>
    <message>
        <source>TLS certificate refused</source>
        <translation>TLS-Zertifikat abgelehnt</translation>
    </message>
    <message>
        <source>Repository not found</source>
        <translation>Repository nicht gefunden</translation>
    </message>
    <message>
        <source>Refused by a protected branch</source>
        <translation>Von einem geschützten Branch abgelehnt</translation>
    </message>
    <message>
        <source>Rejected by the server</source>
        <translation>Vom Server zurückgewiesen</translation>
    </message>
    <message>
        <source>Diverged refs left alone</source>
        <translation>Auseinandergelaufene Refs belassen</translation>
    </message>
    <message>
        <source>Stopped by a safety guard</source>
        <translation>Von einer Sicherheitssperre gestoppt</translation>
    </message>
    <message>
        <source>Configuration problem</source>
        <translation>Konfigurationsproblem</translation>
    </message>
    <message>
        <source>Keychain problem</source>
        <translation>Schlüsselbundproblem</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
    <message>
        <source>Disk problem</source>
        <translation>Datenträgerproblem</translation>
    </message>
    <message>
        <source>Unreachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>before the last update</source>
        <translation>vor der letzten Aktualisierung</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>due</source>
        <translation>fällig</translation>
    </message>
    <message>
        <source>Checked</source>
        <translation>Geprüft</translation>
    </message>
</context>
<context>
    <name>md::ui::OrgListModel</name>
    <message>
        <source>GitHub</source>
        <translation>GitHub</translation>
    </message>
    <message>
        <source>GitLab</source>
        <translation>GitLab</translation>
    </message>
    <message>
        <source>Bitbucket Cloud</source>
        <translation>Bitbucket Cloud</translation>
    </message>
    <message>
        <source>Bitbucket Server</source>
        <translation>Bitbucket Server</translation>
    </message>
    <message>
        <source>not previewed yet</source>
        <translation>noch keine Vorschau</translation>
    </message>
    <message>
        <source>%1 to create</source>
        <translation>%1 anzulegen</translation>
    </message>
    <message>
        <source>%1 to update</source>
        <translation>%1 zu aktualisieren</translation>
    </message>
    <message>
        <source>%1 up to date</source>
        <translation>%1 aktuell</translation>
    </message>
    <message>
        <source>%1 filtered out</source>
        <translation>%1 ausgefiltert</translation>
    </message>
    <message>
        <source>%1 gone upstream</source>
        <translation>%1 beim Anbieter verschwunden</translation>
    </message>
    <message>
        <source>%1 clashing</source>
        <translation>%1 im Konflikt</translation>
    </message>
    <message>
        <source>no repositories</source>
        <translation>keine Repositorys</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message numerus="yes">
        <source>%1; sync new every %n min</source>
        <translation>
            <numerusform>%1; Suche nach neuen Repositorys alle %n Minute</numerusform>
            <numerusform>%1; Suche nach neuen Repositorys alle %n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Besitzer</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Mirrors</source>
        <translation>Spiegel</translation>
    </message>
    <message>
        <source>Last discovery</source>
        <translation>Letzte Suche</translation>
    </message>
    <message>
        <source>Last preview</source>
        <translation>Letzte Vorschau</translation>
    </message>
    <message>
        <source>Gone</source>
        <translation>Verschwunden</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
</context>
<context>
    <name>md::ui::OrgPreviewModel</name>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>Aktuell</translation>
    </message>
    <message>
        <source>Filtered out</source>
        <translation>Ausgefiltert</translation>
    </message>
    <message>
        <source>Gone upstream</source>
        <translation>Beim Anbieter verschwunden</translation>
    </message>
    <message>
        <source>Clash</source>
        <translation>Konflikt</translation>
    </message>
    <message>
        <source>Its name does not match the regular expression “%1”</source>
        <translation>Sein Name passt nicht auf den regulären Ausdruck „%1“</translation>
    </message>
    <message>
        <source>Archived (tick “Include archived repositories” to mirror it)</source>
        <translation>Archiviert (haken Sie „Archivierte Repositorys einbeziehen“ an, um es zu spiegeln)</translation>
    </message>
    <message>
        <source>A fork (tick “Include forks” to mirror it)</source>
        <translation>Ein Fork (haken Sie „Forks einbeziehen“ an, um ihn zu spiegeln)</translation>
    </message>
    <message>
        <source>Its path is not a valid mirror name</source>
        <translation>Sein Pfad ist kein gültiger Spiegelname</translation>
    </message>
    <message>
        <source>A mirror of that name exists and was not made for this repository</source>
        <translation>Ein Spiegel dieses Namens existiert bereits und wurde nicht für dieses Repository angelegt</translation>
    </message>
    <message>
        <source>Another repository of the list has the same name ignoring case</source>
        <translation>Ein anderes Repository der Liste hat denselben Namen (ohne Beachtung der Groß-/Kleinschreibung)</translation>
    </message>
    <message>
        <source>Its mirror has not been updated successfully yet</source>
        <translation>Sein Spiegel wurde noch nie erfolgreich aktualisiert</translation>
    </message>
    <message>
        <source>Its mirror&apos;s last update failed</source>
        <translation>Die letzte Aktualisierung seines Spiegels ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>Changed upstream since its last update</source>
        <translation>Beim Anbieter seit der letzten Aktualisierung geändert</translation>
    </message>
    <message>
        <source>Its mirror&apos;s last check found it behind</source>
        <translation>Laut der letzten Prüfung seines Spiegels im Rückstand</translation>
    </message>
    <message>
        <source>No longer listed by the provider; its mirror is disabled (the cache is kept)</source>
        <translation>Vom Anbieter nicht mehr aufgeführt; sein Spiegel wird deaktiviert (der Cache bleibt erhalten)</translation>
    </message>
    <message>
        <source>No longer listed by the provider; its mirror is kept</source>
        <translation>Vom Anbieter nicht mehr aufgeführt; sein Spiegel bleibt erhalten</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>Gone, kept</source>
        <translation>Verschwunden, behalten</translation>
    </message>
    <message>
        <source>Gone, disabled</source>
        <translation>Verschwunden, deaktiviert</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Untick to leave this repository out: no mirror is made for it</source>
        <translation>Haken entfernen, um dieses Repository auszulassen: Es wird kein Spiegel dafür angelegt</translation>
    </message>
    <message>
        <source>Untick to leave this mirror&apos;s update out of the run</source>
        <translation>Haken entfernen, um die Aktualisierung dieses Spiegels im Lauf auszulassen</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
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
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
</context>
<context>
    <name>md::ui::OrgWizard</name>
    <message>
        <source>New org mirror</source>
        <translation>Neuer Org-Spiegel</translation>
    </message>
    <message>
        <source>Org mirror %1</source>
        <translation>Org-Spiegel %1</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>An org mirror keeps its name: its mirrors are named after it</source>
        <translation>Ein Org-Spiegel behält seinen Namen: Seine Spiegel sind nach ihm benannt</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Where the repositories are listed, and the token MirrorDesk asks with.</source>
        <translation>Wo die Repositorys aufgelistet werden und mit welchem Token MirrorDesk dort fragt.</translation>
    </message>
    <message>
        <source>e.g. acme (its mirrors are named acme/&lt;repository&gt;)</source>
        <translation>z. B. acme (seine Spiegel heißen acme/&lt;Repository&gt;)</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>GitHub organisation or user</source>
        <translation>GitHub-Organisation oder -Benutzer</translation>
    </message>
    <message>
        <source>GitLab group (with its subgroups)</source>
        <translation>GitLab-Gruppe (mit ihren Untergruppen)</translation>
    </message>
    <message>
        <source>Bitbucket Cloud workspace</source>
        <translation>Bitbucket-Cloud-Workspace</translation>
    </message>
    <message>
        <source>Bitbucket Server / Data Center project</source>
        <translation>Bitbucket-Server-/Data-Center-Projekt</translation>
    </message>
    <message>
        <source>Provider:</source>
        <translation>Anbieter:</translation>
    </message>
    <message>
        <source>GitHub Enterprise: https://HOST/api/v3; self-managed GitLab: https://HOST/api/v4; Bitbucket Server: https://HOST. Empty: the public service.</source>
        <translation>GitHub Enterprise: https://HOST/api/v3; selbst betriebenes GitLab: https://HOST/api/v4; Bitbucket Server: https://HOST. Leer: der öffentliche Dienst.</translation>
    </message>
    <message>
        <source>API base URL:</source>
        <translation>API-Basis-URL:</translation>
    </message>
    <message>
        <source>(none: anonymous)</source>
        <translation>(keine: anonym)</translation>
    </message>
    <message>
        <source>The API token (also used to clone). Credentials are managed under Settings ▸ Credentials…</source>
        <translation>Das API-Token (wird auch zum Klonen verwendet). Zugangsdaten werden unter Einstellungen ▸ Zugangsdaten… verwaltet</translation>
    </message>
    <message>
        <source>Credential:</source>
        <translation>Zugangsdaten:</translation>
    </message>
    <message>
        <source>Repositories</source>
        <translation>Repositorys</translation>
    </message>
    <message>
        <source>Whose repositories, and which of them. List them to see what the filter selects as you type.</source>
        <translation>Wessen Repositorys, und welche davon. Listen Sie sie auf, um beim Tippen zu sehen, was der Filter auswählt.</translation>
    </message>
    <message>
        <source>Owner:</source>
        <translation>Besitzer:</translation>
    </message>
    <message>
        <source>empty: every repository; e.g. ^(api|web)-</source>
        <translation>leer: jedes Repository; z. B. ^(api|web)-</translation>
    </message>
    <message>
        <source>An RE2 regular expression, unanchored, matched against the repository&apos;s path below the owner</source>
        <translation>Ein regulärer Ausdruck (RE2), nicht verankert, geprüft am Pfad des Repositorys unterhalb des Besitzers</translation>
    </message>
    <message>
        <source>Name filter:</source>
        <translation>Namensfilter:</translation>
    </message>
    <message>
        <source>Include archived repositories</source>
        <translation>Archivierte Repositorys einbeziehen</translation>
    </message>
    <message>
        <source>Include forks</source>
        <translation>Forks einbeziehen</translation>
    </message>
    <message>
        <source>List repositories</source>
        <translation>Repositorys auflisten</translation>
    </message>
    <message>
        <source>Ask the provider for the owner&apos;s repositories (nothing is changed)</source>
        <translation>Den Anbieter nach den Repositorys des Besitzers fragen (nichts wird verändert)</translation>
    </message>
    <message>
        <source>Not listed yet.</source>
        <translation>Noch nicht aufgelistet.</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Where the mirrors go. Next saves the org mirror; nothing is listed or mirrored before the preview.</source>
        <translation>Wohin die Spiegel kommen. „Weiter“ speichert den Org-Spiegel; vor der Vorschau wird nichts aufgelistet oder gespiegelt.</translation>
    </message>
    <message>
        <source>Mirror into</source>
        <translation>Spiegeln in</translation>
    </message>
    <message>
        <source>A folder: one pull mirror per repository, its cache at FOLDER/&lt;repository&gt;.git</source>
        <translation>Einen Ordner: ein Pull-Spiegel je Repository, sein Cache unter ORDNER/&lt;Repository&gt;.git</translation>
    </message>
    <message>
        <source>A GitLab group or Bitbucket Server project: missing repositories are created there</source>
        <translation>Eine GitLab-Gruppe oder ein Bitbucket-Server-Projekt: Fehlende Repositorys werden dort angelegt</translation>
    </message>
    <message>
        <source>an absolute path, e.g. /srv/mirrors/acme</source>
        <translation>ein absoluter Pfad, z. B. /srv/mirrors/acme</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>https://gitlab.example/group/sub or https://bitbucket.example/projects/KEY</source>
        <translation>https://gitlab.example/gruppe/unter oder https://bitbucket.example/projects/KEY</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>(choose one)</source>
        <translation>(bitte wählen)</translation>
    </message>
    <message>
        <source>The token that creates the repositories there and pushes to them</source>
        <translation>Das Token, das dort die Repositorys anlegt und in sie pusht</translation>
    </message>
    <message>
        <source>Afterwards</source>
        <translation>Danach</translation>
    </message>
    <message>
        <source>Discover new repositories on the schedule and mirror them (sync new)</source>
        <translation>Nach Zeitplan neue Repositorys suchen und spiegeln</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Discover every:</source>
        <translation>Suchen alle:</translation>
    </message>
    <message>
        <source>Keep their mirrors (shown as gone)</source>
        <translation>Ihre Spiegel behalten (als verschwunden angezeigt)</translation>
    </message>
    <message>
        <source>Disable their mirrors (caches are kept)</source>
        <translation>Ihre Spiegel deaktivieren (Caches bleiben erhalten)</translation>
    </message>
    <message>
        <source>Repositories gone upstream:</source>
        <translation>Beim Anbieter verschwundene Repositorys:</translation>
    </message>
    <message>
        <source>Folder for the org&apos;s mirrors</source>
        <translation>Ordner für die Spiegel der Organisation</translation>
    </message>
    <message>
        <source>required: the server&apos;s base URL, e.g. https://bitbucket.example</source>
        <translation>erforderlich: die Basis-URL des Servers, z. B. https://bitbucket.example</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>Standard: %1</translation>
    </message>
    <message>
        <source>The organisation or user, e.g. acme.</source>
        <translation>Die Organisation oder der Benutzer, z. B. acme.</translation>
    </message>
    <message>
        <source>The group&apos;s path, e.g. acme or acme/platform; its subgroups are included.</source>
        <translation>Der Pfad der Gruppe, z. B. acme oder acme/platform; ihre Untergruppen sind eingeschlossen.</translation>
    </message>
    <message>
        <source>The workspace, e.g. acme.</source>
        <translation>Der Workspace, z. B. acme.</translation>
    </message>
    <message>
        <source>The project key, e.g. PLAT.</source>
        <translation>Der Projektschlüssel, z. B. PLAT.</translation>
    </message>
    <message>
        <source>Not a valid regular expression at position %1: %2</source>
        <translation>Kein gültiger regulärer Ausdruck an Position %1: %2</translation>
    </message>
    <message>
        <source>Not a valid regular expression: %1</source>
        <translation>Kein gültiger regulärer Ausdruck: %1</translation>
    </message>
    <message>
        <source>Name the org mirror.</source>
        <translation>Geben Sie dem Org-Spiegel einen Namen.</translation>
    </message>
    <message>
        <source>An org mirror named %1 exists (names are compared ignoring case).</source>
        <translation>Ein Org-Spiegel namens %1 existiert bereits (Namen werden ohne Beachtung der Groß-/Kleinschreibung verglichen).</translation>
    </message>
    <message>
        <source>Bitbucket Server has no public service: give its base URL.</source>
        <translation>Bitbucket Server hat keinen öffentlichen Dienst: Geben Sie seine Basis-URL an.</translation>
    </message>
    <message>
        <source>Name the organisation, user, group, workspace or project.</source>
        <translation>Nennen Sie die Organisation, den Benutzer, die Gruppe, den Workspace oder das Projekt.</translation>
    </message>
    <message>
        <source>Choose the folder the mirrors go into.</source>
        <translation>Wählen Sie den Ordner, in den die Spiegel kommen.</translation>
    </message>
    <message>
        <source>Give the URL of the GitLab group or Bitbucket Server project.</source>
        <translation>Geben Sie die URL der GitLab-Gruppe oder des Bitbucket-Server-Projekts an.</translation>
    </message>
    <message>
        <source>Choose the credential that creates repositories there and pushes.</source>
        <translation>Wählen Sie die Zugangsdaten, die dort Repositorys anlegen und pushen.</translation>
    </message>
    <message>
        <source>Give the folder&apos;s absolute path.</source>
        <translation>Geben Sie den absoluten Pfad des Ordners an.</translation>
    </message>
    <message>
        <source>Waiting for the provider&apos;s rate limit until %1…</source>
        <translation>Warten auf das Ratenlimit des Anbieters bis %1…</translation>
    </message>
    <message numerus="yes">
        <source>Listing… %n repositories so far</source>
        <translation>
            <numerusform>Auflisten… bisher %n Repository</numerusform>
            <numerusform>Auflisten… bisher %n Repositorys</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot list the repositories: %1</source>
        <translation>Die Repositorys können nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <source>Listing…</source>
        <translation>Auflisten…</translation>
    </message>
    <message>
        <source>The provider, owner or credential changed since the listing: list again.</source>
        <translation>Anbieter, Besitzer oder Zugangsdaten haben sich seit dem Auflisten geändert: Listen Sie erneut auf.</translation>
    </message>
    <message>
        <source>Fix the name filter to see which repositories it selects.</source>
        <translation>Korrigieren Sie den Namensfilter, um zu sehen, welche Repositorys er auswählt.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n repositories selected</source>
        <translation>
            <numerusform>%1 von %n Repository ausgewählt</numerusform>
            <numerusform>%1 von %n Repositorys ausgewählt</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot save the org mirror: %1</source>
        <translation>Der Org-Spiegel kann nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>What a Run does with each repository. Untick a repository to leave it out. Nothing has changed yet.</source>
        <translation>Was ein Lauf mit jedem Repository tut. Entfernen Sie den Haken bei einem Repository, um es auszulassen. Noch wurde nichts verändert.</translation>
    </message>
    <message>
        <source>Filter by repository, mirror, action or reason…</source>
        <translation>Nach Repository, Spiegel, Aktion oder Grund filtern…</translation>
    </message>
    <message>
        <source>Preview again</source>
        <translation>Vorschau erneuern</translation>
    </message>
    <message>
        <source>List the repositories again and compare them with the mirrors now configured</source>
        <translation>Die Repositorys erneut auflisten und mit den jetzt eingerichteten Spiegeln vergleichen</translation>
    </message>
    <message>
        <source>Adding the mirrors and running their first update. Cancel stops it; mirrors added before stay.</source>
        <translation>Die Spiegel werden hinzugefügt und erstmals aktualisiert. Abbrechen hält den Lauf an; bereits hinzugefügte Spiegel bleiben.</translation>
    </message>
    <message>
        <source>Cancel run</source>
        <translation>Lauf abbrechen</translation>
    </message>
    <message>
        <source>Stop the run: what is listing, being created or updating stops; mirrors added so far are kept</source>
        <translation>Den Lauf anhalten: Auflisten, Anlegen und Aktualisieren werden abgebrochen; bisher hinzugefügte Spiegel bleiben erhalten</translation>
    </message>
    <message>
        <source>Listing the repositories…</source>
        <translation>Die Repositorys werden aufgelistet…</translation>
    </message>
    <message>
        <source>Cannot read the configuration: %1</source>
        <translation>Die Konfiguration kann nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n repositories listed.</source>
        <translation>
            <numerusform>%n Repository aufgelistet.</numerusform>
            <numerusform>%n Repositorys aufgelistet.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 to create (%2 ticked), %3 to update (%4 ticked), %5 up to date, %6 filtered out, %7 gone upstream, %8 clashes</source>
        <translation>%1 anzulegen (%2 angehakt), %3 zu aktualisieren (%4 angehakt), %5 aktuell, %6 ausgefiltert, %7 beim Anbieter verschwunden, %8 Konflikte</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message numerus="yes">
        <source>Listing the repositories… %n so far</source>
        <translation>
            <numerusform>Die Repositorys werden aufgelistet… bisher %n</numerusform>
            <numerusform>Die Repositorys werden aufgelistet… bisher %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Creating the target repositories: %1 of %2…</source>
        <translation>Die Ziel-Repositorys werden angelegt: %1 von %2…</translation>
    </message>
    <message numerus="yes">
        <source>Adding %n mirror(s)…</source>
        <translation>
            <numerusform>%n Spiegel wird hinzugefügt…</numerusform>
            <numerusform>%n Spiegel werden hinzugefügt…</numerusform>
        </translation>
    </message>
    <message>
        <source>First updates: %1 of %2 done…</source>
        <translation>Erste Aktualisierungen: %1 von %2 fertig…</translation>
    </message>
    <message>
        <source>Cancelled. Mirrors added before the cancel are kept; run again to finish.</source>
        <translation>Abgebrochen. Vor dem Abbruch hinzugefügte Spiegel bleiben erhalten; führen Sie den Lauf erneut aus, um ihn abzuschließen.</translation>
    </message>
    <message>
        <source>The run failed: %1</source>
        <translation>Der Lauf ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Done: %1 created, %2 updated, %3 up to date, %4 skipped, %5 failed.</source>
        <translation>Fertig: %1 angelegt, %2 aktualisiert, %3 aktuell, %4 übersprungen, %5 fehlgeschlagen.</translation>
    </message>
    <message numerus="yes">
        <source>Cancelled: %n update(s) were stopped; their mirrors are kept and update on their schedule.</source>
        <translation>
            <numerusform>Abgebrochen: %n Aktualisierung wurde angehalten; ihr Spiegel bleibt erhalten und wird nach Zeitplan aktualisiert.</numerusform>
            <numerusform>Abgebrochen: %n Aktualisierungen wurden angehalten; ihre Spiegel bleiben erhalten und werden nach Zeitplan aktualisiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>md::ui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Voreinstellungen</translation>
    </message>
    <message>
        <source>Syncing</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <source>Mirrors at once:</source>
        <translation>Spiegel gleichzeitig:</translation>
    </message>
    <message>
        <source>How many mirrors sync at the same time (default %1).</source>
        <translation>Wie viele Spiegel gleichzeitig abgeglichen werden (Standard %1).</translation>
    </message>
    <message>
        <source>Per host:</source>
        <translation>Pro Host:</translation>
    </message>
    <message>
        <source>At most this many of them talk to one host at once, so one server is not flooded (default %1).</source>
        <translation>Höchstens so viele davon sprechen gleichzeitig mit einem Host, damit kein Server überlastet wird (Standard %1).</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Default interval:</source>
        <translation>Standardintervall:</translation>
    </message>
    <message>
        <source>Minutes between scheduled syncs of a mirror that has no interval of its own (default %1, at most one week).</source>
        <translation>Minuten zwischen geplanten Abgleichen eines Spiegels ohne eigenes Intervall (Standard %1, höchstens eine Woche).</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Cache folder:</source>
        <translation>Cache-Ordner:</translation>
    </message>
    <message>
        <source>Where each mirror&apos;s cache lives (&lt;folder&gt;/&lt;name&gt;.git) unless the mirror has a cache path of its own. Empty: the default shown. Changing it moves no cache: those mirrors start again from an empty cache in the new folder, and the old caches stay where they are.</source>
        <translation>Wo der Cache jedes Spiegels liegt (&lt;Ordner&gt;/&lt;name&gt;.git), sofern der Spiegel keinen eigenen Cache-Pfad hat. Leer: der angezeigte Standard. Eine Änderung verschiebt keinen Cache: Diese Spiegel beginnen im neuen Ordner wieder mit einem leeren Cache, und die alten Caches bleiben, wo sie sind.</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Keep attic entries:</source>
        <translation>Attic-Einträge behalten:</translation>
    </message>
    <message>
        <source>How long the attic keeps the old tips of rewritten or deleted refs (default %1 days). The last 5 entries of each ref are always kept.</source>
        <translation>Wie lange das Attic die alten Stände umgeschriebener oder gelöschter Refs aufbewahrt (Standard %1 Tage). Die letzten 5 Einträge jeder Ref bleiben immer erhalten.</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>Proxy:</translation>
    </message>
    <message>
        <source>http://host:port or https://host:port, for every mirror without a proxy of its own; no credentials in the URL. Empty: automatic (the http_proxy/https_proxy environment and git config), the default.</source>
        <translation>http://host:port oder https://host:port, für jeden Spiegel ohne eigenen Proxy; keine Zugangsdaten in der URL. Leer: automatisch (die Umgebungsvariablen http_proxy/https_proxy und die git-Konfiguration), der Standard.</translation>
    </message>
    <message>
        <source>the system&apos;s certificates</source>
        <translation>die Zertifikate des Systems</translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation>CA-Datei:</translation>
    </message>
    <message>
        <source>A PEM file of extra certificate authorities trusted for HTTPS (e.g. your company&apos;s). Empty: the system&apos;s certificates only, the default. Applies from the next sync on.</source>
        <translation>Eine PEM-Datei mit zusätzlichen Zertifizierungsstellen, denen für HTTPS vertraut wird (z. B. die Ihres Unternehmens). Leer: nur die Zertifikate des Systems, der Standard. Gilt ab dem nächsten Abgleich.</translation>
    </message>
    <message>
        <source>Connect timeout:</source>
        <translation>Zeitlimit Verbindung:</translation>
    </message>
    <message>
        <source>Give up connecting to a server after this long (default 30 seconds).</source>
        <translation>Den Verbindungsaufbau zu einem Server nach dieser Zeit aufgeben (Standard 30 Sekunden).</translation>
    </message>
    <message>
        <source>Stall timeout:</source>
        <translation>Zeitlimit Stillstand:</translation>
    </message>
    <message>
        <source>Stop a sync that has made no progress for this long (default 10 minutes).</source>
        <translation>Einen Abgleich abbrechen, der so lange keinen Fortschritt gemacht hat (Standard 10 Minuten).</translation>
    </message>
    <message>
        <source>Run timeout:</source>
        <translation>Zeitlimit Lauf:</translation>
    </message>
    <message>
        <source>Stop any one sync that runs longer than this, progress or not (default 3 hours).</source>
        <translation>Jeden einzelnen Abgleich abbrechen, der länger als diese Zeit läuft, ob mit Fortschritt oder ohne (Standard 3 Stunden).</translation>
    </message>
    <message>
        <source>Safety</source>
        <translation>Sicherheit</translation>
    </message>
    <message>
        <source>Refuse mass changes</source>
        <translation>Massenänderungen ablehnen</translation>
    </message>
    <message>
        <source>A sync that would delete or force-update more than a fifth of a mirror&apos;s refs (and more than 10) is refused and changes nothing until you allow it for that run: a branch cleanup or a bad push upstream is not mirrored by accident. On by default; every old tip goes to the attic either way.</source>
        <translation>Ein Abgleich, der mehr als ein Fünftel der Refs eines Spiegels (und mehr als 10) löschen oder erzwungen aktualisieren würde, wird abgelehnt und ändert nichts, bis Sie ihn für diesen Lauf erlauben: So wird ein Aufräumen von Branches oder ein fehlerhafter Push in der Quelle nicht versehentlich mitgespiegelt. Standardmäßig an; jeder alte Stand kommt so oder so ins Attic.</translation>
    </message>
    <message>
        <source>Cannot save the preferences: %1</source>
        <translation>Die Voreinstellungen können nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Cache folder</source>
        <translation>Cache-Ordner</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA-Datei</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer)</source>
        <translation>PEM-Zertifikate (*.pem *.crt *.cer)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
</context>
</TS>
