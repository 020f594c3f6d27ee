#pragma once

#include "util/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace md {

// Reads one JSON object strictly: each getter records the first error with the full field path
// ("mirrors[2].interval_minutes"), and finish() refuses keys nobody asked for (typos matter in a
// config that moves refs).
class JsonReader {
public:
    JsonReader(const QJsonObject &object, QString path);

    QString string(const QString &key, const QString &fallback = {});
    std::optional<QString> optionalString(const QString &key);
    bool boolean(const QString &key, bool fallback);
    int integer(const QString &key, int fallback, int min, int max);
    std::optional<int> optionalInteger(const QString &key, int min, int max);
    QStringList stringList(const QString &key);
    QJsonObject object(const QString &key);
    QJsonArray array(const QString &key);
    bool has(const QString &key) const { return m_object.contains(key); }

    // Records a custom error for `key` (only the first error is kept).
    void fail(const QString &key, const QString &message);
    QString fieldPath(const QString &key) const;
    const QString &path() const { return m_path; }

    // Reports the first error, or an unknown key.
    Status finish();

private:
    bool take(const QString &key, QJsonValue &value);

    QJsonObject m_object;
    QString m_path;
    // Which of the object's keys (by position) a getter asked for, and how many: finish() then
    // only walks the keys when one was not asked for.
    QList<bool> m_seen;
    qsizetype m_seenCount = 0;
    std::optional<Error> m_error;
};

} // namespace md
