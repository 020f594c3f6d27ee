#pragma once

#include "mirror/Settings.h"

#include <QWidget>

class QComboBox;
class QSpinBox;

namespace md::ui {

// A duration stored in seconds, shown as a number and a unit (seconds, minutes, hours): 600
// reads "10 minutes", 90 reads "90 seconds", so every stored value is shown exactly. The
// number's range follows `range` (in seconds) for the chosen unit; changing the unit keeps the
// number (clamped to the unit's range).
class DurationEdit : public QWidget {
    Q_OBJECT
public:
    DurationEdit(IntRange range, QWidget *parent = nullptr);

    int seconds() const;
    void setSeconds(int seconds);

    QSpinBox *valueBox() const { return m_value; }
    QComboBox *unitBox() const { return m_unit; }
    // Seconds per unit shown (1, 60 or 3600).
    int unit() const;
    void setUnit(int secondsPerUnit);

Q_SIGNALS:
    void changed();

private:
    void applyRange();

    IntRange m_range;
    QSpinBox *m_value = nullptr;
    QComboBox *m_unit = nullptr;
};

} // namespace md::ui
