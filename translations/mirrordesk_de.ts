<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
</context>
</TS>
