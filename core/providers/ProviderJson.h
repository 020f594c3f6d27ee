#pragma once

// Lenient-about-extras, strict-about-what-we-use reading of forge JSON (internal to
// core/providers). Unlike util/JsonReader, unknown keys are fine (APIs add fields all the time);
// a field we read that is missing or of the wrong type fails the page with the field's path
// ("[3].full_name is missing", "values[0].links.clone[1].href is not a string").

#include "util/Result.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace md::providers::detail {

class JsonFields {
public:
    // `context` starts every message: "the repositories of \"acme\" on api.github.com, page 2".
    explicit JsonFields(QString context);

    // The body as JSON; a parse error is recorded ("is not JSON (…at offset N)").
    std::optional<QJsonDocument> parse(const QByteArray &body);
    // The document's top level as an array / an object (else an error naming what it is).
    QJsonArray topArray(const QJsonDocument &document);
    QJsonObject topObject(const QJsonDocument &document);

    // "path.key" (or "key" at the top level).
    static QString join(const QString &path, const QString &key);
    static QString index(const QString &path, qsizetype i); // "path[i]"

    // Present and not null.
    static bool present(const QJsonObject &object, const QString &key);

    QString requiredString(const QJsonObject &object, const QString &key, const QString &path);
    QString optionalString(const QJsonObject &object, const QString &key, const QString &path); // absent/null: empty
    bool optionalBool(const QJsonObject &object, const QString &key, const QString &path, bool fallback = false);
    qint64 requiredInteger(const QJsonObject &object, const QString &key, const QString &path);
    std::optional<qint64> optionalInteger(const QJsonObject &object, const QString &key, const QString &path);
    QJsonObject requiredObject(const QJsonObject &object, const QString &key, const QString &path);
    QJsonObject optionalObject(const QJsonObject &object, const QString &key, const QString &path); // absent/null: empty
    QJsonArray optionalArray(const QJsonObject &object, const QString &key, const QString &path);   // absent/null: empty
    QJsonArray requiredArray(const QJsonObject &object, const QString &key, const QString &path);
    // An element of an array that must be an object.
    QJsonObject element(const QJsonValue &value, const QString &path);

    // Records a problem ("is missing", "is not a string", or anything) for `path`; the first is kept.
    void fail(const QString &path, const QString &problem);
    bool ok() const { return !m_error.has_value(); }
    // The first problem: Network, message "<context>: <path> <problem>", field = path.
    Error error() const;

private:
    QString m_context;
    std::optional<Error> m_error;
};

} // namespace md::providers::detail
