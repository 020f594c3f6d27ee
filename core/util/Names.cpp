#include "util/Names.h"

#include "util/Scrub.h"

#include <QRegularExpression>
#include <QUrl>

namespace md {

namespace {

bool isNameChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.') || c == QLatin1Char('_')
        || c == QLatin1Char('-');
}

Status validateSegment(const QString &segment, const QString &field, const QString &what)
{
    if (segment.isEmpty())
        return Error::config(field, QStringLiteral("%1 has an empty segment (check for a leading, "
                                                   "trailing or doubled \"/\")").arg(what));
    for (QChar c : segment) {
        if (!isNameChar(c))
            return Error::config(field, QStringLiteral("%1 contains \"%2\"; use only letters, digits, "
                                                       "\".\", \"_\" and \"-\"%3")
                                            .arg(what, quoteInput(QString(c)),
                                                 what == QLatin1String("mirror name")
                                                     ? QStringLiteral(", with \"/\" between segments")
                                                     : QString()));
    }
    if (segment.startsWith(QLatin1Char('.')))
        return Error::config(field, QStringLiteral("%1 segment \"%2\" starts with \".\"").arg(what, quoteInput(segment)));
    return {};
}

} // namespace

Status validateMirrorName(const QString &name, const QString &field)
{
    if (name.isEmpty())
        return Error::config(field, QStringLiteral("mirror name is empty"));
    if (name.size() > 200)
        return Error::config(field, QStringLiteral("mirror name is longer than 200 characters"));
    if (name.contains(QLatin1String("..")))
        return Error::config(field, QStringLiteral("mirror name contains \"..\""));
    for (const QString &segment : name.split(QLatin1Char('/'))) {
        if (auto status = validateSegment(segment, field, QStringLiteral("mirror name")); !status)
            return status;
    }
    return {};
}

Status validateCredentialName(const QString &name, const QString &field)
{
    if (name.isEmpty())
        return Error::config(field, QStringLiteral("credential name is empty"));
    if (name.size() > 100)
        return Error::config(field, QStringLiteral("credential name is longer than 100 characters"));
    if (name.contains(QLatin1Char('/')))
        return Error::config(field, QStringLiteral("credential name contains \"/\""));
    return validateSegment(name, field, QStringLiteral("credential name"));
}

QString encodeNameForFile(const QString &name)
{
    // Names are validated to [A-Za-z0-9._-/]; "/" becomes "%2F". Case-insensitive uniqueness of
    // names keeps the files distinct on case-insensitive file systems too.
    return QString::fromLatin1(QUrl::toPercentEncoding(name, QByteArrayLiteral("._-")));
}

} // namespace md
