#pragma once

#include "mirror/Mirror.h"

#include <QCommandLineParser>

namespace md::cli {

// The mirror fields as options (DESIGN section 6: field names in kebab case, every boolean with
// a --no- form). `add` and `edit` share them.
void addMirrorOptions(QCommandLineParser &parser);

// Applies the options that are set to `mirror`. `notes` receives what was chosen on the user's
// behalf (e.g. an inferred shape). Errors name the option.
Status applyMirrorOptions(const QCommandLineParser &parser, Mirror &mirror, bool adding, QStringList *notes);

} // namespace md::cli
