#pragma once

#include "mirror/Config.h"
#include "ops/OrgOps.h"

#include <QHash>
#include <QWizard>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;

namespace md {
class RunOps;
}

namespace md::ui {

class OrgPreviewModel;
class OrgWizardPage;

// Org mirroring, Preview then Run (DESIGN section 1, job 5; section 4). Pages:
//  1. Provider: the org mirror's name, the provider, its API base URL and the credential (picked
//     by name from the config).
//  2. Repositories: the owner and the repository-name regex, checked as typed (validateOrgRegex:
//     the message with the position under the field, Next disabled); "List repositories" lists
//     the owner's repositories once (OrgOps::listRepositories: the network on the event loop, no
//     disk), and the count the regex and the archived / fork options select follows every
//     keystroke (previewOrg over the listed repositories: pure, no network).
//  3. Target: a folder, or a GitLab group / Bitbucket Server project URL with its credential;
//     sync new and what to do with repositories gone upstream. Next saves the definition
//     (OrgOps::add, or edit for an existing org, on a worker) and stays on the page with the
//     error under its field when refused.
//  4. Preview: one row per repository (action with its icon, repository, mirror, why), totals,
//     a filter box; rows to create or update can be unticked to leave them out. "Run" commits.
//  5. Run: OrgOps::run on the window's engine (RunOps) with the unticked repositories skipped,
//     a progress bar and Cancel.
// Every field's message is under it (a QLabel named "error_<field>": "name", "api_url",
// "credential", "owner", "regex", "target", "target.dir", "target.url", "target.credential",
// "interval_minutes"). The wizard reads and writes the config only through workers and OrgOps.
class OrgWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId { ProviderPage, RepositoriesPage, TargetPage, PreviewPage, RunPage };
    enum class Mode { New, Edit, Preview }; // Preview: an existing org, opened at its preview

    // `config`: the config as loaded (credentials, mirrors, orgs). Edit and Preview: the org
    // `name` of `config`; null when it is not there.
    static OrgWizard *create(Mode mode, QString configPath, QString stateDir, const Config &config, RunOps *runs,
                           const QString &name = {}, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    // The form as a definition.
    OrgMirror draft() const;
    // The org's name once it is in the config (saved here, or edited), else empty.
    QString savedName() const { return m_savedName; }
    // The message under a field, empty when it has none.
    QString errorOf(const QString &field) const;

    // Page 2: whether a listing runs, its status line ("3 of 5 repositories selected", or the
    // error), and how many listed repositories the filter selects (-1: not listed).
    bool listing() const { return m_listing; }
    QString listStatus() const;
    int selectedCount() const;

    // Pages 4 and 5.
    OrgPreviewModel *previewModel() const { return m_model; }
    QSortFilterProxyModel *previewProxy() const { return m_proxy; }
    bool previewing() const { return m_previewing; }
    QString totalsText() const;
    bool running() const { return m_running; }
    QString runStatus() const;
    // The last run's report (empty rows before one finished; nullopt when it failed).
    const std::optional<OrgRunReport> &report() const { return m_report; }

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *providerBox() const { return m_provider; } // data: int(providers::Provider)
    QLineEdit *apiUrlEdit() const { return m_apiUrl; }
    QComboBox *credentialBox() const { return m_credential; } // data: the name ("" anonymous)
    QLineEdit *ownerEdit() const { return m_owner; }
    QLineEdit *regexEdit() const { return m_regex; }
    QCheckBox *archivedBox() const { return m_archived; }
    QCheckBox *forksBox() const { return m_forks; }
    QPushButton *listButton() const { return m_list; }
    QRadioButton *folderChoice() const { return m_toFolder; }
    QRadioButton *forgeChoice() const { return m_toForge; }
    QLineEdit *targetDirEdit() const { return m_targetDir; }
    QLineEdit *targetUrlEdit() const { return m_targetUrl; }
    QComboBox *targetCredentialBox() const { return m_targetCredential; }
    QCheckBox *syncNewBox() const { return m_syncNew; }
    QSpinBox *intervalBox() const { return m_interval; }
    QComboBox *goneBox() const { return m_gone; } // data: int(GonePolicy)
    QLineEdit *filterEdit() const { return m_filter; }
    QTableView *previewView() const { return m_previewView; }
    QTableView *resultView() const { return m_resultView; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelRunButton() const { return m_cancelRun; }

public Q_SLOTS:
    // Page 2's button: lists the owner's repositories (a newer listing replaces an older one).
    void listRepositories();
    // Page 4: lists again and compares with the mirrors now in the config.
    void refreshPreview();
    // Page 5: stops the run (what was added before stays).
    void cancelRun();
    void reject() override;

Q_SIGNALS:
    // The definition was written to the config under `name`.
    void saved(const QString &name);
    // A run ended (finished, failed or cancelled): the window reads the config and states again.
    void runFinished(const QString &name);

private:
    OrgWizard(Mode mode, QString configPath, QString stateDir, Config config, RunOps *runs, const OrgMirror &org, QWidget *parent);
    void buildProviderPage();
    void buildRepositoriesPage();
    void buildTargetPage();
    void buildPreviewPage();
    void buildRunPage();
    void fill(const OrgMirror &org);
    QLabel *addError(QWidget *page, const QString &field);
    void setFieldError(const QString &field, const QString &text);
    void revalidate();
    bool pageValid(int page) const { return m_pageValid.value(page); }
    QString messageOf(const Error &error) const;
    QString fieldOf(const Error &error) const;
    void updateCount();
    void providerChanged();
    bool saveTarget();
    void startPreview();
    void startRun();
    void showProgress(const OrgProgress &progress);
    void finishRun(Result<OrgRunReport> report);
    void updateTotals();
    void chooseFolder();

    Mode m_mode;
    QString m_configPath;
    QString m_stateDir;
    Config m_config;
    RunOps *m_runs = nullptr;
    OrgOps *m_ops = nullptr;
    QString m_savedName;
    std::optional<OrgMirror> m_saved; // the definition as last saved here (or as opened)
    bool m_saving = false;
    QHash<int, bool> m_pageValid;

    // The listing of page 2, for the live count: what it was listed for and what came back.
    quint64 m_generation = 0; // the newest listing, preview or run; older callbacks are dropped
    bool m_listing = false;
    QString m_listedFor;
    std::optional<QList<providers::RemoteRepository>> m_listed;
    QString m_listError;
    QString m_listProgress;

    bool m_previewing = false;
    QString m_previewError;
    bool m_running = false;
    bool m_cancelling = false;
    QString m_runStatus;
    std::optional<OrgRunReport> m_report;

    OrgWizardPage *m_pages[5] = {};
    QLineEdit *m_name = nullptr;
    QComboBox *m_provider = nullptr;
    QLineEdit *m_apiUrl = nullptr;
    QComboBox *m_credential = nullptr;
    QLineEdit *m_owner = nullptr;
    QLabel *m_ownerHint = nullptr;
    QLineEdit *m_regex = nullptr;
    QCheckBox *m_archived = nullptr;
    QCheckBox *m_forks = nullptr;
    QPushButton *m_list = nullptr;
    QLabel *m_listStatus = nullptr;
    QRadioButton *m_toFolder = nullptr;
    QRadioButton *m_toForge = nullptr;
    QLineEdit *m_targetDir = nullptr;
    QPushButton *m_browse = nullptr;
    QLineEdit *m_targetUrl = nullptr;
    QComboBox *m_targetCredential = nullptr;
    QCheckBox *m_syncNew = nullptr;
    QSpinBox *m_interval = nullptr;
    QComboBox *m_gone = nullptr;
    QLabel *m_saveError = nullptr;
    OrgPreviewModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_previewView = nullptr;
    QLabel *m_totals = nullptr;
    QLabel *m_previewStatus = nullptr;
    QPushButton *m_refresh = nullptr;
    QTableView *m_resultView = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_runLabel = nullptr;
    QPushButton *m_cancelRun = nullptr;
    QHash<QString, QLabel *> m_errors; // field -> the label under it
};

} // namespace md::ui
