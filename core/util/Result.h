#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace md {

// The categories of DESIGN section 2; the CLI prints them in JSON as snake_case strings.
enum class ErrorCategory {
    None,
    Network,
    Timeout,
    Auth,
    HostKey,
    Tls,
    NotFound,
    Protected,
    Rejected,
    Diverged,
    Guard,
    Config,
    Keychain,
    Usage,
    Interrupted, // SIGINT/SIGTERM or a cancel: not the mirror's failure
    Io,
};

QString errorCategoryName(ErrorCategory category);

// An error as a value: a category, a message for the user (scrubbed of secrets), and, when
// libgit2 produced it, libgit2's class and code. `field` names the offending field for
// validation errors (e.g. "mirrors[2].interval_minutes"). `detail` is optional structured data a
// front end can act on without parsing the message (e.g. the host key a server offered:
// {"host", "reason": "unknown_host"|"changed"|"type_not_pinned", "offered": {"type","line","sha256","md5"}, "pinned"}).
struct Error {
    ErrorCategory category = ErrorCategory::None;
    QString message;
    QString field;
    int gitClass = 0;
    int gitCode = 0;
    QJsonObject detail = {};

    static Error config(QString field, QString message)
    {
        return Error{ErrorCategory::Config, std::move(message), std::move(field), 0, 0};
    }
    static Error usage(QString message)
    {
        return Error{ErrorCategory::Usage, std::move(message), {}, 0, 0};
    }
    static Error io(QString message)
    {
        return Error{ErrorCategory::Io, std::move(message), {}, 0, 0};
    }

    // "field: message" when a field is known, else the message alone.
    QString text() const;
};

// Result<T>: either a T or an Error. Result<void> carries only success or an Error.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::move(value)) {}
    Result(Error error) : m_data(std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T *operator->() const { return &std::get<0>(m_data); }
    T *operator->() { return &std::get<0>(m_data); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace md
