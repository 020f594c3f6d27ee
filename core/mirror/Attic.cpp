#include "mirror/Attic.h"

#include "mirror/StatusRecord.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>

#include <algorithm>

namespace md {

QString atticRefName(const QDateTime &startedAt, const QString &run, const QString &side, const QString &ref)
{
    return QStringLiteral("%1%2-%3/%4/%5")
        .arg(QLatin1String(kAtticPrefix), startedAt.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")), run, side, ref);
}

std::optional<AtticEntry> parseAtticRef(const QString &refName, const QString &oid)
{
    static const QRegularExpression shape(QStringLiteral("^(\\d{8}T\\d{6}Z)-([^/]+)/(cache|target)/(refs/.+)$"));
    if (!refName.startsWith(QLatin1String(kAtticPrefix)))
        return std::nullopt;
    const QString id = refName.mid(static_cast<qsizetype>(qstrlen(kAtticPrefix)));
    const auto match = shape.match(id);
    if (!match.hasMatch())
        return std::nullopt;
    QDateTime when = QDateTime::fromString(match.captured(1), QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    when.setTimeSpec(Qt::UTC);
    if (!when.isValid())
        return std::nullopt;
    return AtticEntry{id, match.captured(4), oid, when, QString(), match.captured(3), match.captured(2)};
}

QList<AtticEntry> listAttic(const QList<RefTip> &cacheRefs, const QList<AtticEntry> &index)
{
    // The index is appended to in the order entries were made: its position is the sequence that
    // orders entries made within the same second (the stamp has whole seconds).
    QHash<QString, qsizetype> sequence;
    for (qsizetype i = 0; i < index.size(); ++i)
        sequence.insert(index.at(i).id, i);
    struct Sorted {
        AtticEntry entry;
        qsizetype sequence;
    };
    QList<Sorted> sorted;
    for (const RefTip &tip : cacheRefs) {
        auto entry = parseAtticRef(tip.name, tip.oid);
        if (!entry)
            continue;
        const qsizetype at = sequence.value(entry->id, -1);
        if (at >= 0)
            entry->why = index.at(at).why;
        sorted.append({*entry, at});
    }
    // A total order, newest first: time, then the index's sequence, then the id (unique).
    std::sort(sorted.begin(), sorted.end(), [](const Sorted &a, const Sorted &b) {
        if (a.entry.when != b.entry.when)
            return a.entry.when > b.entry.when;
        if (a.sequence != b.sequence)
            return a.sequence > b.sequence;
        return a.entry.id > b.entry.id;
    });
    QList<AtticEntry> entries;
    entries.reserve(sorted.size());
    for (Sorted &s : sorted)
        entries.append(std::move(s.entry));
    return entries;
}

QList<AtticEntry> expiredAttic(const QList<AtticEntry> &entries, int days, const QDateTime &now)
{
    QMap<QString, QList<AtticEntry>> byRef;
    for (const AtticEntry &entry : entries)
        byRef[entry.ref].append(entry);
    const QDateTime cutoff = now.addDays(-days);
    QList<AtticEntry> expired;
    for (QList<AtticEntry> &list : byRef) {
        std::stable_sort(list.begin(), list.end(), [](const AtticEntry &a, const AtticEntry &b) { return a.when > b.when; });
        for (qsizetype i = kAtticKeepPerRef; i < list.size(); ++i) {
            if (list.at(i).when < cutoff)
                expired.append(list.at(i));
        }
    }
    return expired;
}

QJsonObject atticEntryToJson(const AtticEntry &entry)
{
    return QJsonObject{{QStringLiteral("entry"), entry.id},       {QStringLiteral("ref"), entry.ref},
                       {QStringLiteral("oid"), entry.oid},        {QStringLiteral("when"), isoTime(entry.when)},
                       {QStringLiteral("why"), entry.why},        {QStringLiteral("side"), entry.side},
                       {QStringLiteral("run"), entry.run},        {QStringLiteral("attic_ref"), entry.atticRef()}};
}

std::optional<AtticEntry> atticEntryFromJson(const QJsonObject &object)
{
    auto entry = parseAtticRef(QLatin1String(kAtticPrefix) + object.value(QStringLiteral("entry")).toString(),
                               object.value(QStringLiteral("oid")).toString());
    if (!entry)
        return std::nullopt;
    entry->why = object.value(QStringLiteral("why")).toString();
    return entry;
}

} // namespace md
