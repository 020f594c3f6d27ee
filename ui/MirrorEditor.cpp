#include "MirrorEditor.h"

#include "ops/MirrorOps.h"
#include "security/GitUrl.h"
#include "util/Scrub.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace md::ui {

namespace {

const QString kErrorStyle = QStringLiteral("QLabel { color: #a4262c; }");
const QString kWarningStyle = QStringLiteral("QLabel { color: #8a5300; }");

QLabel *noteLabel(QWidget *parent, const QString &objectName, const QString &style)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet(style);
    label->hide();
    return label;
}

void setNote(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QWidget *row(QWidget *parent, std::initializer_list<QWidget *> widgets)
{
    auto *box = new QWidget(parent);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget *widget : widgets)
        layout->addWidget(widget, widget == *widgets.begin() ? 1 : 0);
    return box;
}

void selectData(QComboBox *box, const QVariant &data)
{
    const int index = box->findData(data);
    if (index >= 0)
        box->setCurrentIndex(index);
}

// The name a duplicate gets: "<name>-copy", then "<name>-copy-2", … until one is free.
QString copyName(const Config &config, const QString &name)
{
    QString candidate = name + QStringLiteral("-copy");
    for (int n = 2; config.mirror(candidate); ++n)
        candidate = name + QStringLiteral("-copy-%1").arg(n);
    return candidate;
}

} // namespace

MirrorEditor *MirrorEditor::open(Mode mode, const Config &config, const QString &name, QWidget *parent)
{
    if (mode == Mode::New)
        return new MirrorEditor(mode, config, Mirror{}, parent);
    const Mirror *mirror = config.mirror(name);
    return mirror ? new MirrorEditor(mode, config, *mirror, parent) : nullptr;
}

MirrorEditor::MirrorEditor(Mode mode, Config config, const Mirror &mirror, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_config(std::move(config))
    , m_lister(new SourceLister(this))
{
    switch (mode) {
    case Mode::New: setWindowTitle(tr("New mirror")); break;
    case Mode::Edit: setWindowTitle(tr("Edit mirror %1").arg(mirror.name)); break;
    case Mode::Duplicate: setWindowTitle(tr("Duplicate mirror %1").arg(mirror.name)); break;
    }
    if (mode == Mode::Edit)
        m_originalName = mirror.name;
    m_shapeByHand = mode != Mode::New; // a stored shape stays what it is

    auto *outer = new QVBoxLayout(this);
    auto *columns = new QHBoxLayout;
    outer->addLayout(columns, 1);

    // Left: the fields, in a scroll area (the form is taller than a small screen).
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *fields = new QWidget(scroll);
    auto *fieldsLayout = new QVBoxLayout(fields);
    scroll->setWidget(fields);
    columns->addWidget(scroll, 3);

    auto group = [&](const QString &title) {
        auto *box = new QGroupBox(title, fields);
        fieldsLayout->addWidget(box);
        return new QFormLayout(box);
    };
    // A field's row, and under it the label for its error.
    auto add = [this](QFormLayout *form, const QString &label, QWidget *widget, const QString &field) {
        form->addRow(label, widget);
        if (!field.isEmpty()) {
            QLabel *error = noteLabel(this, QStringLiteral("error_") + field, kErrorStyle);
            m_errors.insert(field, error);
            form->addRow(QString(), error);
        }
    };

    QFormLayout *general = group(tr("Mirror"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("e.g. team/project (letters, digits, . _ - and / between parts)"));
    add(general, tr("Name:"), m_name, QStringLiteral("name"));
    m_shape = new QComboBox(this);
    m_shape->setObjectName(QStringLiteral("shape"));
    m_shape->addItem(tr("Pull: the cache is the mirror"), static_cast<int>(Shape::Pull));
    m_shape->addItem(tr("Relay: from a remote to a remote, through the cache"), static_cast<int>(Shape::Relay));
    m_shape->addItem(tr("Push: from a local repository to a remote"), static_cast<int>(Shape::Push));
    add(general, tr("Shape:"), m_shape, QString());
    m_shapeNote = noteLabel(this, QStringLiteral("note_shape"), QString());
    general->addRow(QString(), m_shapeNote);
    m_enabled = new QCheckBox(tr("Sync on its schedule"), this);
    m_enabled->setObjectName(QStringLiteral("enabled"));
    add(general, tr("Enabled:"), m_enabled, QString());

    const QString proxyDefault = m_config.settings.proxy.isEmpty()
        ? tr("default: the environment's and git's proxy settings")
        : tr("default: %1").arg(scrubProxy(m_config.settings.proxy));
    auto endpoint = [&](const QString &title, const QString &side, QLineEdit *&url, QLabel *&warning, QComboBox *&credential,
                        QLineEdit *&proxy) {
        QFormLayout *form = group(title);
        url = new QLineEdit(this);
        url->setObjectName(side + QStringLiteral(".url"));
        add(form, tr("URL:"), url, side + QStringLiteral(".url"));
        warning = noteLabel(this, QStringLiteral("warning_") + side + QStringLiteral(".url"), kWarningStyle);
        form->addRow(QString(), warning);
        credential = new QComboBox(this);
        credential->setObjectName(side + QStringLiteral(".credential"));
        credential->addItem(tr("(none)"), QString());
        for (const Credential &c : std::as_const(m_config.credentials))
            credential->addItem(QStringLiteral("%1 — %2").arg(c.name, credentialKindName(c.kind)), c.name);
        credential->setToolTip(tr("Credentials are managed under Settings ▸ Credentials…"));
        add(form, tr("Credential:"), credential, side + QStringLiteral(".credential"));
        proxy = new QLineEdit(this);
        proxy->setObjectName(side + QStringLiteral(".proxy"));
        proxy->setPlaceholderText(proxyDefault);
        add(form, tr("Proxy:"), proxy, side + QStringLiteral(".proxy"));
    };
    endpoint(tr("Source"), QStringLiteral("source"), m_sourceUrl, m_sourceWarning, m_sourceCredential, m_sourceProxy);
    m_sourceUrl->setPlaceholderText(tr("https://host/group/project.git, git@host:group/project.git or /path/to/repository"));
    endpoint(tr("Target"), QStringLiteral("target"), m_targetUrl, m_targetWarning, m_targetCredential, m_targetProxy);
    m_targetUrl->setPlaceholderText(tr("none for a pull mirror (the cache is the mirror)"));

    QFormLayout *storage = group(tr("Cache and schedule"));
    m_cachePath = new QLineEdit(this);
    m_cachePath->setObjectName(QStringLiteral("cache_path"));
    m_browseCache = new QPushButton(tr("Browse…"), this);
    connect(m_browseCache, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Cache folder"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        connect(dialog, &QFileDialog::fileSelected, m_cachePath, &QLineEdit::setText);
        dialog->open();
    });
    add(storage, tr("Cache path:"), row(this, {m_cachePath, m_browseCache}), QStringLiteral("cache_path"));
    m_interval = new QSpinBox(this);
    m_interval->setObjectName(QStringLiteral("interval_minutes"));
    m_interval->setRange(0, 10080);
    m_interval->setSuffix(tr(" min"));
    m_interval->setSpecialValueText(tr("default (%1 min)").arg(m_config.settings.defaultIntervalMinutes));
    add(storage, tr("Interval:"), m_interval, QStringLiteral("interval_minutes"));
    m_minInterval = new QSpinBox(this);
    m_minInterval->setObjectName(QStringLiteral("min_update_interval_seconds"));
    m_minInterval->setRange(0, 86400);
    m_minInterval->setSuffix(tr(" s"));
    m_minInterval->setToolTip(tr("The least time between two manual updates (Update now)"));
    add(storage, tr("Minimum manual interval:"), m_minInterval, QStringLiteral("min_update_interval_seconds"));

    QFormLayout *refs = group(tr("Branches and tags"));
    m_onlyProtected = new QCheckBox(tr("Only branches matching the patterns below"), this);
    m_onlyProtected->setObjectName(QStringLiteral("only_protected_branches"));
    add(refs, tr("Protected only:"), m_onlyProtected, QString());
    m_protected = new QPlainTextEdit(this);
    m_protected->setObjectName(QStringLiteral("protected_branches"));
    m_protected->setPlaceholderText(tr("one pattern a line; * matches any run of characters, / included (e.g. release/*)"));
    m_protected->setTabChangesFocus(true);
    m_protected->setMaximumHeight(70);
    add(refs, tr("Patterns:"), m_protected, QStringLiteral("protected_branches"));
    m_regex = new QLineEdit(this);
    m_regex->setObjectName(QStringLiteral("mirror_branch_regex"));
    m_regex->setPlaceholderText(tr("RE2, unanchored, on the branch name (e.g. ^(main|release/.*)$)"));
    add(refs, tr("Branch regex:"), m_regex, QStringLiteral("mirror_branch_regex"));
    m_tags = new QComboBox(this);
    m_tags->setObjectName(QStringLiteral("mirror_tags"));
    m_tags->addItem(tr("All tags"), static_cast<int>(TagPolicy::All));
    m_tags->addItem(tr("Tags reachable from mirrored branches"), static_cast<int>(TagPolicy::Reachable));
    m_tags->addItem(tr("No tags"), static_cast<int>(TagPolicy::None));
    add(refs, tr("Tags:"), m_tags, QString());
    m_prune = new QComboBox(this);
    m_prune->setObjectName(QStringLiteral("prune"));
    m_prune->addItem(tr("Default for the shape"), -1);
    m_prune->addItem(tr("All: remove what is gone"), static_cast<int>(PrunePolicy::All));
    m_prune->addItem(tr("Merged: remove what is merged into the default branch"), static_cast<int>(PrunePolicy::Merged));
    m_prune->addItem(tr("None: remove nothing"), static_cast<int>(PrunePolicy::None));
    add(refs, tr("Prune:"), m_prune, QString());
    m_overwriteDiverged = new QCheckBox(tr("Overwrite branches rewritten upstream (pull)"), this);
    m_overwriteDiverged->setObjectName(QStringLiteral("mirror_overwrites_diverged_branches"));
    add(refs, QString(), m_overwriteDiverged, QStringLiteral("mirror_overwrites_diverged_branches"));
    m_keepDivergent = new QCheckBox(tr("Keep refs that diverged on the target (relay, push)"), this);
    m_keepDivergent->setObjectName(QStringLiteral("keep_divergent_refs"));
    add(refs, QString(), m_keepDivergent, QStringLiteral("keep_divergent_refs"));
    fieldsLayout->addStretch(1);

    // Right: the rules in words, and Test connection.
    auto *side = new QVBoxLayout;
    columns->addLayout(side, 2);
    auto *rulesBox = new QGroupBox(tr("What a sync does"), this);
    auto *rulesLayout = new QVBoxLayout(rulesBox);
    m_rules = new QLabel(rulesBox);
    m_rules->setObjectName(QStringLiteral("rules"));
    m_rules->setWordWrap(true);
    m_rules->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_rules->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    rulesLayout->addWidget(m_rules);
    side->addWidget(rulesBox);
    auto *testBox = new QGroupBox(tr("Source branches"), this);
    auto *testLayout = new QVBoxLayout(testBox);
    m_test = new QPushButton(tr("Test connection"), testBox);
    m_test->setObjectName(QStringLiteral("testConnection"));
    m_test->setToolTip(tr("List the source's branches (nothing is downloaded) and show which ones the filter selects"));
    connect(m_test, &QPushButton::clicked, this, &MirrorEditor::testConnection);
    testLayout->addWidget(m_test, 0, Qt::AlignLeft);
    m_testStatus = new QLabel(testBox);
    m_testStatus->setObjectName(QStringLiteral("testStatus"));
    m_testStatus->setWordWrap(true);
    m_testStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    testLayout->addWidget(m_testStatus);
    m_branches = new QListWidget(testBox);
    m_branches->setObjectName(QStringLiteral("branches"));
    m_branches->setUniformItemSizes(true);
    testLayout->addWidget(m_branches, 1);
    side->addWidget(testBox, 1);

    QLabel *generalError = noteLabel(this, QStringLiteral("error_general"), kErrorStyle);
    m_errors.insert(QStringLiteral("general"), generalError);
    outer->addWidget(generalError);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(m_ok, &QPushButton::clicked, this, &MirrorEditor::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    outer->addWidget(buttons);

    Mirror start = mode == Mode::New ? Mirror{} : mirror;
    if (mode == Mode::Duplicate) {
        start.name = copyName(m_config, mirror.name);
        start.cachePath.clear(); // two mirrors never share a cache
    }
    fill(start);

    for (QLineEdit *edit : {m_name, m_sourceUrl, m_sourceProxy, m_targetUrl, m_targetProxy, m_cachePath, m_regex})
        connect(edit, &QLineEdit::textChanged, this, &MirrorEditor::revalidate);
    connect(m_protected, &QPlainTextEdit::textChanged, this, &MirrorEditor::revalidate);
    for (QComboBox *box : {m_sourceCredential, m_targetCredential, m_prune, m_tags})
        connect(box, &QComboBox::currentIndexChanged, this, &MirrorEditor::revalidate);
    // A shape the user picks stays; until then (a new mirror) it follows the URLs (set under a
    // signal blocker, so every change seen here is the user's).
    connect(m_shape, &QComboBox::currentIndexChanged, this, [this] {
        m_shapeByHand = true;
        revalidate();
    });
    for (QCheckBox *box : {m_enabled, m_onlyProtected, m_overwriteDiverged, m_keepDivergent})
        connect(box, &QCheckBox::toggled, this, &MirrorEditor::revalidate);
    for (QSpinBox *box : {m_interval, m_minInterval})
        connect(box, &QSpinBox::valueChanged, this, &MirrorEditor::revalidate);
    resize(1000, 760);
    revalidate();
}

void MirrorEditor::fill(const Mirror &m)
{
    m_name->setText(m.name);
    selectData(m_shape, static_cast<int>(m.shape));
    m_enabled->setChecked(m.enabled);
    auto fillEndpoint = [](const Endpoint &endpoint, QLineEdit *url, QComboBox *credential, QLineEdit *proxy) {
        url->setText(endpoint.url);
        if (!endpoint.credential.isEmpty() && credential->findData(endpoint.credential) < 0)
            credential->addItem(endpoint.credential, endpoint.credential); // not in the config: its error shows
        selectData(credential, endpoint.credential);
        proxy->setText(endpoint.proxy);
    };
    fillEndpoint(m.source, m_sourceUrl, m_sourceCredential, m_sourceProxy);
    fillEndpoint(m.target, m_targetUrl, m_targetCredential, m_targetProxy);
    m_cachePath->setText(m.cachePath);
    m_interval->setValue(m.intervalMinutes.value_or(0));
    m_minInterval->setValue(m.minUpdateIntervalSeconds);
    m_onlyProtected->setChecked(m.onlyProtectedBranches);
    m_protected->setPlainText(m.protectedBranches.join(QLatin1Char('\n')));
    m_regex->setText(m.mirrorBranchRegex);
    m_overwriteDiverged->setChecked(m.mirrorOverwritesDivergedBranches);
    m_keepDivergent->setChecked(m.keepDivergentRefs);
    selectData(m_prune, m.prune ? static_cast<int>(*m.prune) : -1);
    selectData(m_tags, static_cast<int>(m.mirrorTags));
}

Shape MirrorEditor::currentShape() const
{
    return static_cast<Shape>(m_shape->currentData().toInt());
}

Mirror MirrorEditor::mirror() const
{
    Mirror m;
    m.name = m_name->text().trimmed();
    m.shape = currentShape();
    m.source.url = m_sourceUrl->text().trimmed();
    m.source.credential = m_sourceCredential->currentData().toString();
    m.source.proxy = m_sourceProxy->text().trimmed();
    // No target URL, no target (as the command line clears it): its credential and proxy go too.
    if (!m_targetUrl->text().trimmed().isEmpty()) {
        m.target.url = m_targetUrl->text().trimmed();
        m.target.credential = m_targetCredential->currentData().toString();
        m.target.proxy = m_targetProxy->text().trimmed();
    }
    const QString cache = m_cachePath->text().trimmed();
    m.cachePath = QDir::isAbsolutePath(cache) ? QDir::cleanPath(cache) : cache;
    m.enabled = m_enabled->isChecked();
    if (m_interval->value() > 0)
        m.intervalMinutes = m_interval->value();
    m.minUpdateIntervalSeconds = m_minInterval->value();
    m.onlyProtectedBranches = m_onlyProtected->isChecked();
    for (const QString &line : m_protected->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            m.protectedBranches.append(line.trimmed());
    }
    m.mirrorBranchRegex = m_regex->text();
    // Each diverged-ref option belongs to its shapes; the other keeps its default.
    m.mirrorOverwritesDivergedBranches = m.shape != Shape::Pull || m_overwriteDiverged->isChecked();
    m.keepDivergentRefs = m.shape != Shape::Pull && m_keepDivergent->isChecked();
    if (const int prune = m_prune->currentData().toInt(); prune >= 0)
        m.prune = static_cast<PrunePolicy>(prune);
    m.mirrorTags = static_cast<TagPolicy>(m_tags->currentData().toInt());
    return m;
}

QString MirrorEditor::errorOf(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label ? label->text() : QString();
}

QString MirrorEditor::rulesText() const { return m_rules->text(); }
QString MirrorEditor::shapeNote() const { return m_shapeNote->text(); }
QString MirrorEditor::testStatus() const { return m_testStatus->text(); }

void MirrorEditor::setFieldError(const QString &field, const QString &text)
{
    QLabel *label = m_errors.value(field, m_errors.value(QStringLiteral("general")));
    // Several messages for one label (the general one) are kept, one a line.
    const QString now = label->text();
    setNote(label, now.isEmpty() || text.isEmpty() ? text : now + QLatin1Char('\n') + text);
}

// The form's field an error names: the mirror's own fields, with or without a "mirrors[N]."
// prefix (whole-config errors from a save), "NEW" of a rename.
QString MirrorEditor::fieldOf(const Error &error) const
{
    QString field = error.field;
    if (field.startsWith(QLatin1String("mirrors["))) {
        const qsizetype dot = field.indexOf(QLatin1String("]."));
        field = dot < 0 ? QString() : field.mid(dot + 2);
    }
    if (field == QLatin1String("NEW"))
        field = QStringLiteral("name");
    if (field == QLatin1String("only_protected_branches"))
        field = QStringLiteral("protected_branches");
    return m_errors.contains(field) ? field : QStringLiteral("general");
}

QString MirrorEditor::messageOf(const Error &error) const
{
    // A URL with a secret in it: the window keeps secrets in credentials, never in a mirror.
    const QString reason = error.detail.value(QStringLiteral("reason")).toString();
    if (reason == QLatin1String("url_password"))
        return tr("This URL carries a password or token. Secrets never go into a mirror: add a credential under Settings ▸ "
                  "Credentials…, pick it below and type the URL without it.");
    if (reason == QLatin1String("url_user"))
        return tr("This URL carries a user name (or a token) before “@”. Add a credential with that user name (or token) under "
                  "Settings ▸ Credentials…, pick it below and type the URL without it.");
    return GitUrl::scrubText(error.message);
}

void MirrorEditor::showError(const Error &error)
{
    setFieldError(fieldOf(error), messageOf(error));
}

void MirrorEditor::revalidate()
{
    // A new mirror's shape follows its URLs until the user picks one.
    if (!m_shapeByHand) {
        const Shape inferred = inferShape(m_sourceUrl->text().trimmed(), m_targetUrl->text().trimmed());
        if (inferred != currentShape()) {
            const QSignalBlocker blocker(m_shape);
            selectData(m_shape, static_cast<int>(inferred));
        }
        switch (inferred) {
        case Shape::Pull: setNote(m_shapeNote, tr("Chosen from the URLs: pull (no target, so the cache is the mirror).")); break;
        case Shape::Relay: setNote(m_shapeNote, tr("Chosen from the URLs: relay (source and target are both remote).")); break;
        case Shape::Push: setNote(m_shapeNote, tr("Chosen from the URLs: push (the source is a local repository).")); break;
        }
    } else {
        setNote(m_shapeNote, QString());
    }
    const Shape shape = currentShape();
    const bool hasTarget = !m_targetUrl->text().trimmed().isEmpty();
    m_targetCredential->setEnabled(hasTarget && !m_saving);
    m_targetProxy->setEnabled(hasTarget && !m_saving);
    m_overwriteDiverged->setEnabled(shape == Shape::Pull && !m_saving);
    m_keepDivergent->setEnabled(shape != Shape::Pull && !m_saving);

    const Mirror m = mirror();
    m_cachePath->setPlaceholderText(m.name.isEmpty() ? tr("default: %1/<name>.git").arg(m_config.cacheRoot())
                                                     : tr("default: %1").arg(m.effectiveCachePath(m_config.cacheRoot())));
    for (QLabel *label : std::as_const(m_errors))
        setNote(label, QString());
    Status valid = validateMirrorInConfig(m_config, m, m_originalName);
    // The window has no working folder to resolve a relative path against (the command line does).
    if (valid) {
        const auto source = GitUrl::parse(m.source.url);
        if (source && source->kind() == GitUrl::Kind::Local && !QDir::isAbsolutePath(m.source.url))
            valid = Error::config(QStringLiteral("source.url"), tr("A local repository is given by its absolute path."));
    }
    if (!valid)
        showError(valid.error());
    m_valid = valid.ok();
    m_ok->setEnabled(m_valid && !m_saving);

    // Warnings that do not block: git reads an address differently than it probably means.
    for (auto [edit, label] : {std::pair{m_sourceUrl, m_sourceWarning}, std::pair{m_targetUrl, m_targetWarning}}) {
        const auto url = GitUrl::parse(edit->text().trimmed());
        setNote(label, url && !edit->text().trimmed().isEmpty() ? url->ambiguityWarning() : QString());
    }

    QStringList lines;
    for (const MirrorRule &rule : describeRules(m, m_config.settings))
        lines.append(QStringLiteral("• ") + ruleText(rule, m.shape));
    m_rules->setText(lines.join(QLatin1Char('\n')));

    m_test->setEnabled(!m.source.url.isEmpty() && !m_saving);
    updateBranchList();
}

void MirrorEditor::updateBranchList()
{
    if (m_lister->busy()) {
        m_testStatus->setText(tr("Listing the source's branches…"));
        return;
    }
    if (!m_testError.isEmpty()) {
        m_testStatus->setText(m_testError);
        m_testStatus->setStyleSheet(kErrorStyle);
        return;
    }
    m_testStatus->setStyleSheet(QString());
    if (!m_listed) {
        m_testStatus->setText(tr("Not listed yet."));
        return;
    }
    // The filter as typed now: re-ticked without listing again, unless it has an error.
    const Mirror m = mirror();
    if (!validateBranchRegex(m.mirrorBranchRegex, QString()) || (m.onlyProtectedBranches && !m.mirrorBranchRegex.isEmpty())) {
        m_testStatus->setText(tr("Fix the branch filter to see which branches it selects."));
        return;
    }
    const BranchSelection selection = selectBranches(m, m_listed->refs);
    m_branches->clear();
    for (const BranchChoice &choice : selection.branches) {
        auto *item = new QListWidgetItem(choice.name, m_branches);
        item->setFlags(Qt::ItemIsEnabled);
        item->setCheckState(choice.selected ? Qt::Checked : Qt::Unchecked);
        if (!choice.reason.isEmpty())
            item->setToolTip(choice.reason);
    }
    const int total = static_cast<int>(selection.branches.size());
    QString text = tr("%1 of %n branch(es) selected", nullptr, total).arg(selection.selected);
    if (!m_listed->headTarget.isEmpty())
        text += QLatin1Char(' ') + tr("(default branch: %1)").arg(m_listed->headTarget.section(QLatin1Char('/'), 2));
    m_testStatus->setText(text);
}

void MirrorEditor::testConnection()
{
    Mirror m = mirror();
    // Only the source and the filter matter here: checked as the mirror would be, the rest set aside.
    Mirror probe = m;
    probe.name = QStringLiteral("connection-test");
    probe.shape = Shape::Pull;
    probe.target = Endpoint{};
    probe.cachePath.clear();
    probe.keepDivergentRefs = false;
    probe.mirrorOverwritesDivergedBranches = true;
    m_listed.reset();
    m_branches->clear();
    m_testError.clear();
    if (auto status = validateMirror(probe); !status) {
        m_testError = messageOf(status.error());
        updateBranchList();
        return;
    }
    QPointer<MirrorEditor> self(this);
    m_lister->list(m_config, m, [self](Result<SourceRefs> listed) {
        if (!self)
            return;
        if (listed)
            self->m_listed = *listed;
        else
            self->m_testError = tr("Cannot list the source: %1").arg(listed.error().message);
        self->updateBranchList();
    });
    updateBranchList();
}

void MirrorEditor::setBusy(bool busy)
{
    m_saving = busy;
    for (QWidget *widget : std::initializer_list<QWidget *>{m_name, m_shape, m_enabled, m_sourceUrl, m_sourceCredential, m_sourceProxy,
                                                            m_targetUrl, m_cachePath, m_browseCache, m_interval, m_minInterval,
                                                            m_onlyProtected, m_protected, m_regex, m_prune, m_tags})
        widget->setEnabled(!busy);
    revalidate();
}

void MirrorEditor::save()
{
    if (!m_valid || m_saving)
        return;
    const Mirror m = mirror();
    setBusy(true);
    Q_EMIT saveRequested(m_originalName, m);
}

void MirrorEditor::finishSave(const Status &status)
{
    if (!m_saving)
        return;
    setBusy(false);
    if (!status) {
        showError(status.error());
        m_ok->setEnabled(false); // until the form changes
        return;
    }
    const QString name = mirror().name;
    if (m_mode == Mode::Edit)
        m_originalName = name;
    Q_EMIT saved(name);
    accept();
}

} // namespace md::ui
