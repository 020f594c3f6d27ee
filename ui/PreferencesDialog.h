#pragma once

#include "mirror/Settings.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace md::ui {

class DurationEdit;

// Preferences (DESIGN section 3, Settings): concurrency, per-host limit, default interval, cache
// root, proxy, CA file, the three timeouts, attic retention and the mass-change guard. Every rule
// is core's (validateSettings, settingsFileProblems; the spin boxes' ranges are settingsLimits),
// checked as the user types: the message under the field (a QLabel named "error_<field>", the
// field's JSON key), OK disabled until the form is valid. What needs the disk (the CA file
// readable, the cache root a folder) is checked on a worker. OK saves on a worker through
// saveSettings (lock, re-read, validate, atomic write: the mirrors in the file are kept as they
// are on disk); a failure is shown in the dialog, which stays open; success emits saved() and
// closes.
class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(QString configPath, Settings current, QWidget *parent = nullptr);

    // The settings the form shows now.
    Settings settings() const;

    QSpinBox *concurrencyBox() const { return m_concurrency; }
    QSpinBox *perHostBox() const { return m_perHost; }
    QSpinBox *intervalBox() const { return m_interval; }
    QLineEdit *cacheRootEdit() const { return m_cacheRoot; }
    QLineEdit *proxyEdit() const { return m_proxy; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    DurationEdit *connectTimeoutEdit() const { return m_connectTimeout; }
    DurationEdit *stallTimeoutEdit() const { return m_stallTimeout; }
    DurationEdit *runTimeoutEdit() const { return m_runTimeout; }
    QSpinBox *atticRetentionBox() const { return m_atticRetention; }
    QCheckBox *massChangeGuardBox() const { return m_massChangeGuard; }
    QPushButton *okButton() const { return m_ok; }

    // The message under a field (its JSON key: "proxy", "ca_file", …); empty when none.
    QString fieldError(const QString &field) const;
    // The dialog's own message (a failed save).
    QString message() const;
    // A disk check of the CA file / cache root is running.
    bool checking() const { return m_checking; }
    bool busy() const { return m_busy; }

public Q_SLOTS:
    void save();
    void chooseCacheRoot();
    void chooseCaFile();

Q_SIGNALS:
    // The settings were written to the config file (as saved).
    void saved(const md::Settings &settings);

private:
    void revalidate();
    void showProblems();
    void setBusy(bool busy);
    QLabel *addField(QFormLayout *form, const QString &label, QWidget *field, const QString &key, const QString &help);

    QString m_configPath;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_perHost = nullptr;
    QSpinBox *m_interval = nullptr;
    QLineEdit *m_cacheRoot = nullptr;
    QLineEdit *m_proxy = nullptr;
    QLineEdit *m_caFile = nullptr;
    DurationEdit *m_connectTimeout = nullptr;
    DurationEdit *m_stallTimeout = nullptr;
    DurationEdit *m_runTimeout = nullptr;
    QSpinBox *m_atticRetention = nullptr;
    QCheckBox *m_massChangeGuard = nullptr;
    QWidget *m_form = nullptr;
    QMap<QString, QLabel *> m_errors; // JSON key → the label under its field
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_ok = nullptr;

    QMap<QString, QString> m_problems;     // from settingsProblems(), by field
    QMap<QString, QString> m_fileProblems; // from settingsFileProblems(), for m_checkedPaths
    QStringList m_checkedPaths;            // {cache root, CA file} the file problems are for
    quint64 m_checkGeneration = 0;
    bool m_checking = false;
    bool m_busy = false;
};

} // namespace md::ui
