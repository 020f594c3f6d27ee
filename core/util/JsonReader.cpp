#include "util/JsonReader.h"

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
    m_seen.append(key);
    if (!m_object.contains(key))
        return false;
    value = m_object.value(key);
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
    for (auto it = m_object.begin(); it != m_object.end(); ++it) {
        if (!m_seen.contains(it.key()))
            return Error::config(fieldPath(it.key()), QStringLiteral("unknown field"));
    }
    return {};
}

} // namespace md
