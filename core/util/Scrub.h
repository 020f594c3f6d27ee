#pragma once

#include <QString>

namespace md {

// Masks the user info of every "scheme://user:secret@" found in free text (error messages, log
// lines): "https://*****:*****@host/…", keeping only an SSH login name. The lowest layer's rule,
// so that git errors are scrubbed before they leave core/git; GitUrl::scrubText is the same.
QString scrubText(const QString &text);

} // namespace md
