#include "providers/ProviderJson.h"

#include "util/Scrub.h"

#include <cmath>

namespace md::providers::detail {

namespace {

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

} // namespace

JsonFields::JsonFields(QString context)
    : m_context(std::move(context))
{
}

QString JsonFields::join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString JsonFields::index(const QString &path, qsizetype i)
{
    return QStringLiteral("%1[%2]").arg(path).arg(i);
}

bool JsonFields::present(const QJsonObject &object, const QString &key)
{
    const auto it = object.constFind(key);
    return it != object.constEnd() && !it->isNull() && !it->isUndefined();
}

std::optional<QJsonDocument> JsonFields::parse(const QByteArray &body)
{
    QJsonParseError parseError{};
    QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // No quote of the body: it is the server's, and may be anything.
        if (!m_error)
            m_error = Error{ErrorCategory::Network,
                            QStringLiteral("%1: the answer is not JSON (%2 at offset %3 of %4 bytes)")
                                .arg(m_context, parseError.errorString())
                                .arg(parseError.offset)
                                .arg(body.size()),
                            {}, 0, 0};
        return std::nullopt;
    }
    return document;
}

QJsonArray JsonFields::topArray(const QJsonDocument &document)
{
    if (!document.isArray()) {
        if (!m_error)
            m_error = Error{ErrorCategory::Network,
                            QStringLiteral("%1: the answer is %2, not an array").arg(m_context, document.isObject() ? QStringLiteral("an object") : QStringLiteral("empty")),
                            {}, 0, 0};
        return {};
    }
    return document.array();
}

QJsonObject JsonFields::topObject(const QJsonDocument &document)
{
    if (!document.isObject()) {
        if (!m_error)
            m_error = Error{ErrorCategory::Network,
                            QStringLiteral("%1: the answer is %2, not an object").arg(m_context, document.isArray() ? QStringLiteral("an array") : QStringLiteral("empty")),
                            {}, 0, 0};
        return {};
    }
    return document.object();
}

void JsonFields::fail(const QString &path, const QString &problem)
{
    if (m_error)
        return;
    m_error = Error{ErrorCategory::Network, QStringLiteral("%1: %2 %3").arg(m_context, printable(path, 120), problem), printable(path, 120), 0, 0};
}

Error JsonFields::error() const
{
    return m_error ? *m_error : Error{ErrorCategory::Network, m_context, {}, 0, 0};
}

QString JsonFields::requiredString(const QJsonObject &object, const QString &key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        fail(join(path, key), QStringLiteral("is missing"));
        return {};
    }
    if (!value.isString()) {
        fail(join(path, key), QStringLiteral("is %1, not a string").arg(typeName(value)));
        return {};
    }
    const QString text = value.toString();
    if (text.isEmpty())
        fail(join(path, key), QStringLiteral("is empty"));
    return text;
}

QString JsonFields::optionalString(const QJsonObject &object, const QString &key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isString()) {
        fail(join(path, key), QStringLiteral("is %1, not a string").arg(typeName(value)));
        return {};
    }
    return value.toString();
}

bool JsonFields::optionalBool(const QJsonObject &object, const QString &key, const QString &path, bool fallback)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (!value.isBool()) {
        fail(join(path, key), QStringLiteral("is %1, not a boolean").arg(typeName(value)));
        return fallback;
    }
    return value.toBool();
}

std::optional<qint64> JsonFields::optionalInteger(const QJsonObject &object, const QString &key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const double number = value.toDouble();
    // Integral and exactly representable (ids are below 2^53 on every forge).
    if (!value.isDouble() || std::floor(number) != number || std::fabs(number) > 9007199254740992.0) {
        fail(join(path, key), QStringLiteral("is %1, not an integer").arg(value.isDouble() ? QStringLiteral("a fraction") : typeName(value)));
        return std::nullopt;
    }
    return static_cast<qint64>(number);
}

qint64 JsonFields::requiredInteger(const QJsonObject &object, const QString &key, const QString &path)
{
    if (!present(object, key)) {
        fail(join(path, key), QStringLiteral("is missing"));
        return 0;
    }
    return optionalInteger(object, key, path).value_or(0);
}

QJsonObject JsonFields::requiredObject(const QJsonObject &object, const QString &key, const QString &path)
{
    if (!present(object, key)) {
        fail(join(path, key), QStringLiteral("is missing"));
        return {};
    }
    return optionalObject(object, key, path);
}

QJsonObject JsonFields::optionalObject(const QJsonObject &object, const QString &key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isObject()) {
        fail(join(path, key), QStringLiteral("is %1, not an object").arg(typeName(value)));
        return {};
    }
    return value.toObject();
}

QJsonArray JsonFields::optionalArray(const QJsonObject &object, const QString &key, const QString &path)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray()) {
        fail(join(path, key), QStringLiteral("is %1, not an array").arg(typeName(value)));
        return {};
    }
    return value.toArray();
}

QJsonArray JsonFields::requiredArray(const QJsonObject &object, const QString &key, const QString &path)
{
    if (!present(object, key)) {
        fail(join(path, key), QStringLiteral("is missing"));
        return {};
    }
    return optionalArray(object, key, path);
}

QJsonObject JsonFields::element(const QJsonValue &value, const QString &path)
{
    if (!value.isObject()) {
        fail(path, QStringLiteral("is %1, not an object").arg(typeName(value)));
        return {};
    }
    return value.toObject();
}

} // namespace md::providers::detail
