#include "ImportDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace md::ui {

ImportDialog::ImportDialog(const QList<MirrorOps::Imported> &preview, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Import existing mirrors"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Each checked repository becomes a pull mirror whose cache is that repository; its "
                                "remote.origin.url is the source. Nothing else in it is changed."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_list = new QTreeWidget(this);
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Repository"), tr("Mirror"), tr("Source"), tr("Why not")});
    m_list->header()->setStretchLastSection(true);
    int importable = 0;
    for (const MirrorOps::Imported &entry : preview) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(0, entry.path);
        item->setData(0, Qt::UserRole, entry.path);
        item->setText(1, entry.name);
        item->setText(2, entry.source);
        if (entry.refused) {
            item->setText(3, entry.refused->text());
            item->setToolTip(3, entry.refused->text());
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable));
        } else {
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(0, Qt::Checked);
            ++importable;
        }
    }
    m_list->resizeColumnToContents(0);
    layout->addWidget(m_list);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *import = buttons->addButton(tr("Import %n mirror(s)", nullptr, importable), QDialogButtonBox::AcceptRole);
    import->setEnabled(importable > 0);
    connect(m_list, &QTreeWidget::itemChanged, this, [this, import] { import->setEnabled(!checkedPaths().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(900, 400);
}

QStringList ImportDialog::checkedPaths() const
{
    QStringList paths;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_list->topLevelItem(i);
        if ((item->flags() & Qt::ItemIsUserCheckable) && item->checkState(0) == Qt::Checked)
            paths.append(item->data(0, Qt::UserRole).toString());
    }
    return paths;
}

} // namespace md::ui
