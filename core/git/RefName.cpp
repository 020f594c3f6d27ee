#include "git/RefName.h"

#include <QStringList>

#include <algorithm>

#include <git2.h>

namespace md::git {

namespace {

// The first of git's ref-name rules `name` breaks, in words (only called for an invalid name).
QString brokenRule(const QString &name)
{
    if (name.isEmpty())
        return QStringLiteral("is empty");
    for (QChar c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return QStringLiteral("contains a control character");
        if (c == QLatin1Char(' '))
            return QStringLiteral("contains a space");
        if (QStringView(u"~^:?*[\\").contains(c))
            return QStringLiteral("contains \"%1\"").arg(c);
    }
    if (name.contains(QLatin1String("..")))
        return QStringLiteral("contains \"..\"");
    if (name.contains(QLatin1String("@{")))
        return QStringLiteral("contains \"@{\"");
    if (name == QLatin1String("@"))
        return QStringLiteral("is \"@\"");
    for (const QString &component : name.split(QLatin1Char('/'))) {
        if (component.isEmpty())
            return QStringLiteral("has an empty component (a leading, trailing or doubled \"/\")");
        if (component.startsWith(QLatin1Char('.')))
            return QStringLiteral("has a component starting with \".\"");
        if (component.endsWith(QLatin1String(".lock")))
            return QStringLiteral("has a component ending in \".lock\"");
    }
    if (name.endsWith(QLatin1Char('.')))
        return QStringLiteral("ends with \".\"");
    return QStringLiteral("is not a valid ref name");
}

} // namespace

QString invalidRefNameReason(const QString &name)
{
    // libgit2 allocates nothing before it is initialised (reference counted: this one is never
    // undone, and GitLibrary's own initialisation adds to it).
    static const int initialized = git_libgit2_init();
    (void)initialized;
    // git refuses every control character, DEL included (libgit2 1.5 lets DEL through).
    if (std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; }))
        return QStringLiteral("contains a control character");
    const QByteArray utf8 = name.toUtf8();
    int valid = 0;
    if (git_reference_name_is_valid(&valid, utf8.constData()) == 0 && valid)
        return {};
    return brokenRule(name);
}

} // namespace md::git
