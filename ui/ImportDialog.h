#pragma once

#include "ops/MirrorOps.h"

#include <QDialog>

class QTreeWidget;

namespace md::ui {

// "Import existing mirrors…": the list to confirm before existing `git clone --mirror`
// repositories are adopted (MirrorOps::importClones, the same operation as `mirrordesk import`).
// Each repository that can be imported is listed checked with the mirror it would become; one
// that cannot is listed greyed out with the reason. Opened with open(), never exec().
class ImportDialog : public QDialog {
    Q_OBJECT
public:
    ImportDialog(const QList<MirrorOps::Imported> &preview, QWidget *parent = nullptr);

    // The paths left checked.
    QStringList checkedPaths() const;
    QTreeWidget *list() const { return m_list; }

private:
    QTreeWidget *m_list = nullptr;
};

} // namespace md::ui
