#pragma once

#include <QString>

namespace md {

// Masks the secrets found in free text (error messages, log lines, warnings), the lowest layer's
// rule, so that git errors are scrubbed before they leave core/git; GitUrl::scrubText is the same.
// One pass over the text, linear in its length (no regex). Per whitespace-separated word:
// - "scheme://user:secret@…" → "scheme://*****:*****@…" (an SSH login name is kept:
//   "ssh://git:*****@…"); everything up to the last "@" of the word is user info;
// - a mistyped scheme ("https:/user:pw@host", "https:user:pw@host") the same way;
// - SCP-style and schemeless forms ("user:pw@host:path", a proxy "u:pw@host:port") →
//   "user:*****@host:path": a ":" before the word's last "@" starts a secret;
// - secret-looking parameters ("?token=…", "&access_token=…", "private_token=…", "password=…",
//   "…_key=…") → "token=*****";
// - the word after "Authorization:", "Bearer", "Private-Token:" and similar header names.
// Over-masking a path that holds ":" and "@" is the safe mistake.
QString scrubText(const QString &text);

// A proxy as shown (settings, the environment's http(s)_proxy): any user info masked whole, with
// or without a scheme ("u:pw@host:port" → "*****@host:port"), since a proxy's user name may
// itself be a token.
QString scrubProxy(const QString &proxy);

// How much of a user's input a message quotes.
constexpr qsizetype kMaxQuotedInput = 200;

// The one form in which a value a user gave (a URL, a path, a name, a regex, an option's value)
// is quoted in a message: scrubbed as scrubText does, control and bidirectional-format characters
// shown as \xNN / \uNNNN, and cut to `max` characters followed by "…(N characters)" when longer.
QString quoteInput(const QString &text, qsizetype max = kMaxQuotedInput);

// quoteInput() without the scrubbing, for names that hold no secret but may hold anything (a ref
// name a server advertised): control characters escaped, cut to `max`.
QString printable(const QString &text, qsizetype max = kMaxQuotedInput);

} // namespace md
