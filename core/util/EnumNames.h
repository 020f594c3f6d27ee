#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace md {

// Name tables for enums written to JSON: `{{Value, "name"}, …}`.
template <typename E, size_t N>
std::optional<E> enumFromName(const QString &name, const std::pair<E, const char *> (&table)[N])
{
    for (const auto &[value, text] : table) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

template <typename E, size_t N>
QString enumName(E value, const std::pair<E, const char *> (&table)[N])
{
    for (const auto &[entry, text] : table) {
        if (entry == value)
            return QString::fromLatin1(text);
    }
    return {};
}

// "prefix.field", or "field" when there is no prefix.
inline QString joinField(const QString &prefix, const QString &field)
{
    return prefix.isEmpty() ? field : prefix + QLatin1Char('.') + field;
}

} // namespace md
