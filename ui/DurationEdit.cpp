#include "DurationEdit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace md::ui {

DurationEdit::DurationEdit(IntRange range, QWidget *parent)
    : QWidget(parent)
    , m_range(range)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_value = new QSpinBox(this);
    m_unit = new QComboBox(this);
    // A unit is offered when at least one whole step of it fits the range.
    const std::pair<int, QString> units[] = {{1, tr("seconds")}, {60, tr("minutes")}, {3600, tr("hours")}};
    for (const auto &[perUnit, name] : units) {
        if (range.max / perUnit >= 1)
            m_unit->addItem(name, perUnit);
    }
    layout->addWidget(m_value);
    layout->addWidget(m_unit);
    layout->addStretch(1);
    applyRange();
    connect(m_value, &QSpinBox::valueChanged, this, &DurationEdit::changed);
    connect(m_unit, &QComboBox::currentIndexChanged, this, [this] {
        applyRange();
        Q_EMIT changed();
    });
}

int DurationEdit::unit() const
{
    return m_unit->currentData().toInt();
}

void DurationEdit::setUnit(int secondsPerUnit)
{
    const int index = m_unit->findData(secondsPerUnit);
    if (index >= 0)
        m_unit->setCurrentIndex(index);
}

void DurationEdit::applyRange()
{
    const int perUnit = std::max(1, unit());
    const int min = std::max(1, (m_range.min + perUnit - 1) / perUnit);
    m_value->setRange(min, std::max(min, m_range.max / perUnit));
}

int DurationEdit::seconds() const
{
    return m_value->value() * std::max(1, unit());
}

void DurationEdit::setSeconds(int seconds)
{
    // The largest unit that shows the value exactly and within its range.
    int chosen = 1;
    for (int i = 0; i < m_unit->count(); ++i) {
        const int perUnit = m_unit->itemData(i).toInt();
        if (seconds % perUnit == 0 && seconds / perUnit >= 1 && seconds / perUnit <= m_range.max / perUnit)
            chosen = std::max(chosen, perUnit);
    }
    {
        const QSignalBlocker blockUnit(m_unit);
        const QSignalBlocker blockValue(m_value);
        setUnit(chosen);
        applyRange();
        m_value->setValue(seconds / chosen);
    }
    Q_EMIT changed();
}

} // namespace md::ui
