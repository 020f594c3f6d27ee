#include "util/JsonReader.h"

#include "util/Scrub.h"

#include <cmath>

namespace md {

JsonReader::JsonReader(const QJsonObject &object, QString path)
    : m_object(object)
    , m_path(std::move(path))
{
}

QString JsonReader::fieldPath(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

void JsonReader::fail(const QString &key, const QString &message)
{
    if (!m_error)
        m_error = Error::config(fieldPath(key), message);
}

bool JsonReader::take(const QString &key, QJsonValue &value)
{
    // One lookup: the key's position marks it seen, its value is read from the same place.
    const auto it = m_object.constFind(key);
    if (it == m_object.constEnd())
        return false;
    const qsizetype index = it - m_object.constBegin();
    if (m_seen.isEmpty())
        m_seen.resize(m_object.size());
    if (!m_seen.at(index)) {
        m_seen[index] = true;
        ++m_seenCount;
    }
    value = it.value();
    if (value.isNull()) {
        fail(key, QStringLiteral("must not be null (leave the field out for its default)"));
        return false;
    }
    return true;
}

QString JsonReader::string(const QString &key, const QString &fallback)
{
    return optionalString(key).value_or(fallback);
}

std::optional<QString> JsonReader::optionalString(const QString &key)
{
    QJsonValue value;
    if (!take(key, value))
        return std::nullopt;
    if (!value.isString()) {
        fail(key, QStringLiteral("must be a string"));
        return std::nullopt;
    }
    return value.toString();
}

bool JsonReader::boolean(const QString &key, bool fallback)
{
    QJsonValue value;
    if (!take(key, value))
        return fallback;
    if (!value.isBool()) {
        fail(key, QStringLiteral("must be true or false"));
        return fallback;
    }
    return value.toBool();
}

int JsonReader::integer(const QString &key, int fallback, int min, int max)
{
    return optionalInteger(key, min, max).value_or(fallback);
}

std::optional<int> JsonReader::optionalInteger(const QString &key, int min, int max)
{
    QJsonValue value;
    if (!take(key, value))
        return std::nullopt;
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(number) != number) {
        fail(key, QStringLiteral("must be a whole number"));
        return std::nullopt;
    }
    if (number < min || number > max) {
        fail(key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return std::nullopt;
    }
    return static_cast<int>(number);
}

QStringList JsonReader::stringList(const QString &key)
{
    QJsonValue value;
    if (!take(key, value))
        return {};
    if (!value.isArray()) {
        fail(key, QStringLiteral("must be a list of strings"));
        return {};
    }
    QStringList result;
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString()) {
            fail(key, QStringLiteral("must be a list of strings"));
            return {};
        }
        result.append(item.toString());
    }
    return result;
}

QJsonObject JsonReader::object(const QString &key)
{
    QJsonValue value;
    if (!take(key, value))
        return {};
    if (!value.isObject()) {
        fail(key, QStringLiteral("must be an object"));
        return {};
    }
    return value.toObject();
}

QJsonArray JsonReader::array(const QString &key)
{
    QJsonValue value;
    if (!take(key, value))
        return {};
    if (!value.isArray()) {
        fail(key, QStringLiteral("must be a list"));
        return {};
    }
    return value.toArray();
}

Status JsonReader::finish()
{
    if (m_error)
        return *m_error;
    if (m_seenCount == m_object.size())
        return {};
    qsizetype index = 0;
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it, ++index) {
        if (!m_seen.value(index, false))
            return Error::config(fieldPath(quoteInput(it.key())), QStringLiteral("unknown field"));
    }
    return {};
}

} // namespace md
