#pragma once

#include "ops/Health.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace md::ui {

class MirrorTableModel;

// The status table's sort and filter: sorts on raw values (times as times, health in its order
// of concern), filters on a text (found in the name, the source's or the target's host) and on
// one health. Reads the model's value rows directly: no QVariant per row while filtering.
class MirrorFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit MirrorFilterProxy(MirrorTableModel *model, QObject *parent = nullptr);

    void setText(const QString &text);
    void setHealth(std::optional<md::Health> health);
    QString text() const { return m_text; }
    std::optional<md::Health> health() const { return m_health; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    MirrorTableModel *m_model;
    QString m_text;
    std::optional<md::Health> m_health;
};

} // namespace md::ui
