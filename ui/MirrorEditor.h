#pragma once

#include "mirror/Config.h"
#include "ops/MirrorRules.h"
#include "ops/SourceBranches.h"

#include <QDialog>
#include <QHash>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace md::ui {

// The mirror editor (New…, Edit…, Duplicate…): every field of a mirror (DESIGN section 3), checked
// as the user types by the command line's own rules (validateMirrorInConfig: the mirror's fields,
// a name free ignoring case, credentials that fit, cache paths that do not overlap), the message
// under the bad field (a label named "error_<field>", e.g. "error_source.url"), OK disabled until
// the form is valid. The mirror's effective rules in words (describeRules), updated live. "Test
// connection" lists the source's branches on a worker, as a check does, and ticks those the filter
// selects; changing the filter afterwards re-ticks them without listing again.
//
// The dialog writes nothing: OK emits saveRequested(originalName, mirror) and waits; the caller
// runs MirrorOps::save(originalName, mirror) on a worker and hands the result to finishSave(),
// which closes the dialog (accept(), saved()) or shows the error under its field.
class MirrorEditor : public QDialog {
    Q_OBJECT
public:
    enum class Mode { New, Edit, Duplicate };

    // `config`: a copy of the config as loaded (the other mirrors, the credentials, the settings).
    // `mirror`: the mirror to edit or duplicate (unused for New).
    MirrorEditor(Mode mode, Config config, const Mirror &mirror = {}, QWidget *parent = nullptr);

    // The editor for the mirror `name` of `config` (Edit, Duplicate) or a new one (New, name
    // ignored); null when the named mirror is not in the config.
    static MirrorEditor *open(Mode mode, const Config &config, const QString &name, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    // Edit: the name the mirror has in the config (what save() edits); otherwise empty.
    QString originalName() const { return m_originalName; }

    // The form as a mirror (what OK saves).
    Mirror mirror() const;
    bool isValid() const { return m_valid; }
    // The message under a field ("name", "source.url", "target.credential", "cache_path",
    // "mirror_branch_regex", …; "general" for the rest), empty when it has none.
    QString errorOf(const QString &field) const;
    // The effective rules as shown, one per line.
    QString rulesText() const;
    // The shape note ("chosen from the URLs: …"), empty when the shape was chosen by hand.
    QString shapeNote() const;

    // Test connection: the status line ("3 of 5 branches selected", or the error), the branches
    // listed (item text: the branch name; check state: selected), whether a listing runs.
    QString testStatus() const;
    QListWidget *branchList() const { return m_branches; }
    bool testing() const { return m_lister->busy(); }

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *shapeBox() const { return m_shape; } // data: int(Shape)
    QCheckBox *enabledBox() const { return m_enabled; }
    QLineEdit *sourceUrlEdit() const { return m_sourceUrl; }
    QComboBox *sourceCredentialBox() const { return m_sourceCredential; } // data: the name ("" none)
    QLineEdit *sourceProxyEdit() const { return m_sourceProxy; }
    QLineEdit *targetUrlEdit() const { return m_targetUrl; }
    QComboBox *targetCredentialBox() const { return m_targetCredential; }
    QLineEdit *targetProxyEdit() const { return m_targetProxy; }
    QLineEdit *cachePathEdit() const { return m_cachePath; }
    QSpinBox *intervalBox() const { return m_interval; } // 0: the settings' default
    QSpinBox *minIntervalBox() const { return m_minInterval; }
    QCheckBox *onlyProtectedBox() const { return m_onlyProtected; }
    QPlainTextEdit *protectedEdit() const { return m_protected; } // one pattern a line
    QLineEdit *regexEdit() const { return m_regex; }
    QCheckBox *overwriteDivergedBox() const { return m_overwriteDiverged; }
    QCheckBox *keepDivergentBox() const { return m_keepDivergent; }
    QComboBox *pruneBox() const { return m_prune; } // data: -1 default, else int(PrunePolicy)
    QComboBox *tagsBox() const { return m_tags; }   // data: int(TagPolicy)
    QPushButton *testButton() const { return m_test; }
    QPushButton *okButton() const { return m_ok; }

    // Words for one rule (also for other views of a mirror's rules).
    static QString ruleText(const MirrorRule &rule, Shape shape);

public Q_SLOTS:
    // OK: when valid, emits saveRequested() and waits for finishSave().
    void save();
    // The outcome of MirrorOps::save(): closes the dialog, or shows why not under the field.
    void finishSave(const md::Status &status);
    // Lists the source's branches on a worker (a newer click replaces an older listing).
    void testConnection();

Q_SIGNALS:
    void saveRequested(const QString &originalName, const md::Mirror &mirror);
    // The mirror was saved under `name` (the dialog then closes).
    void saved(const QString &name);

private:
    void fill(const Mirror &mirror);
    void revalidate();
    void showError(const Error &error);
    void setFieldError(const QString &field, const QString &text);
    QString fieldOf(const Error &error) const;
    QString messageOf(const Error &error) const;
    Shape currentShape() const;
    void updateBranchList();
    void setBusy(bool busy);

    Mode m_mode;
    Config m_config;
    QString m_originalName;
    bool m_shapeByHand = false;
    bool m_valid = false;
    bool m_saving = false;
    SourceLister *m_lister = nullptr;
    std::optional<SourceRefs> m_listed;
    QString m_testError;

    QLineEdit *m_name = nullptr;
    QComboBox *m_shape = nullptr;
    QLabel *m_shapeNote = nullptr;
    QCheckBox *m_enabled = nullptr;
    QLineEdit *m_sourceUrl = nullptr;
    QLabel *m_sourceWarning = nullptr;
    QComboBox *m_sourceCredential = nullptr;
    QLineEdit *m_sourceProxy = nullptr;
    QLineEdit *m_targetUrl = nullptr;
    QLabel *m_targetWarning = nullptr;
    QComboBox *m_targetCredential = nullptr;
    QLineEdit *m_targetProxy = nullptr;
    QLineEdit *m_cachePath = nullptr;
    QPushButton *m_browseCache = nullptr;
    QSpinBox *m_interval = nullptr;
    QSpinBox *m_minInterval = nullptr;
    QCheckBox *m_onlyProtected = nullptr;
    QPlainTextEdit *m_protected = nullptr;
    QLineEdit *m_regex = nullptr;
    QCheckBox *m_overwriteDiverged = nullptr;
    QCheckBox *m_keepDivergent = nullptr;
    QComboBox *m_prune = nullptr;
    QComboBox *m_tags = nullptr;
    QLabel *m_rules = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_testStatus = nullptr;
    QListWidget *m_branches = nullptr;
    QPushButton *m_ok = nullptr;
    QHash<QString, QLabel *> m_errors; // field -> the label under it ("general": above the buttons)
};

} // namespace md::ui
