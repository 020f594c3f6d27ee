#pragma once

#include "mirror/JobPreparer.h"
#include "ops/AtticOps.h"

#include <QPointer>
#include <QWidget>

class QDialog;
class QLabel;
class QPushButton;
class QTableWidget;
class QThread;

namespace md::ui {

// The attic of the shown mirror (DESIGN section 3, "Nothing lost"): the old tips kept before refs
// were forced or deleted, Restore… (into a ref name the user chooses) and Purge… (entries older
// than a number of days, the last five of each ref always kept). Both run AtticOps off the UI
// thread: restore on the pool (a target entry's job prepared first, keychain reads asynchronous),
// purge on a thread of its own with an event loop (its repack is a child process). The listing
// itself is read by the DetailsPane; after a restore or purge this asks for a new one (changed).
class AtticPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { When, Ref, Oid, Why, Side, ColumnCount };

    AtticPanel(QString configPath, QString stateDir, QWidget *parent = nullptr);
    ~AtticPanel() override;

    // The attic of `mirror` as read on a worker (an error is shown instead of the table).
    void setListing(const QString &mirror, const Result<AtticOps::Listing> &listing);
    // Nothing shown (no mirror, or the next mirror's attic is being read).
    void clear(const QString &mirror = QString());

    QString mirrorName() const { return m_mirror; }
    const QList<AtticEntry> &entries() const { return m_entries; }
    QTableWidget *table() const { return m_table; }
    QPushButton *restoreButton() const { return m_restoreButton; }
    QPushButton *purgeButton() const { return m_purgeButton; }
    // The last restore's or purge's result (or refusal), as shown under the table.
    QString resultText() const;
    bool isBusy() const { return m_busy; }

    // Restore…: asks the ref name for the selected entry (prefilled with its own ref) in a dialog
    // opened with open(); accepting it restores. Returns the dialog (null without a selection).
    QDialog *askRestore();
    // Purge…: asks the age in days (default: attic_retention_days); accepting it purges.
    QDialog *askPurge();
    // What the dialogs run: restore `entryId` into `as` (empty: its own ref), purge entries older
    // than `days`. The result arrives later (message, resultText) and the attic is read again.
    void restore(const QString &entryId, const QString &as);
    void purge(int days);

Q_SIGNALS:
    void message(const QString &text); // for the status bar
    void changed(const QString &mirror); // the attic of `mirror` changed: read it again

private:
    void runRestore(const QString &mirror, const QString &entryId, const QString &as,
                    const std::optional<Result<MirrorJob>> &prepared);
    void restored(const QString &mirror, const Result<AtticOps::Restored> &result);
    void purged(const QString &mirror, const Result<AtticOps::Purged> &result);
    void setBusy(bool busy, const QString &text = QString());
    void finish(const QString &mirror, const QString &text);
    void updateButtons();
    AtticOps *purgeOps();

    QString m_configPath;
    QString m_stateDir;
    QString m_mirror;
    int m_retentionDays = 90;
    QList<AtticEntry> m_entries;
    bool m_busy = false;
    QTableWidget *m_table = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_restoreButton = nullptr;
    QPushButton *m_purgeButton = nullptr;
    JobPreparer *m_preparer = nullptr;
    QThread *m_purgeThread = nullptr; // started on the first purge
    AtticOps *m_purgeOps = nullptr;   // lives on m_purgeThread
};

} // namespace md::ui
