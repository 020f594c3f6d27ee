#pragma once

#include <QWizardPage>

#include <functional>

namespace md::ui {

// A wizard page whose completeness, validation and initialisation are the wizard's functions
// (the org wizard keeps all its state in one place, the pages only lay out its fields).
class OrgWizardPage : public QWizardPage {
public:
    explicit OrgWizardPage(QWidget *parent = nullptr) : QWizardPage(parent) {}

    std::function<bool()> complete;
    std::function<bool()> validate;
    std::function<void()> initialize;

    bool isComplete() const override { return complete ? complete() : QWizardPage::isComplete(); }
    bool validatePage() override { return validate ? validate() : true; }
    void initializePage() override
    {
        if (initialize)
            initialize();
    }
    // Tells the wizard to ask isComplete() again (its Next / Finish button follows).
    void refresh() { Q_EMIT completeChanged(); }
};

} // namespace md::ui
