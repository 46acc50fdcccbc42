#pragma once
// Expected failures of user input (flags, config, files, permissions): a message, a location, a hint.

#include <stdexcept>
#include <string>

namespace netmap::base {

/// Where in a user's file something went wrong; line and column are 1-based, 0 when unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  /// "file:line:col" (parts that are unknown are left out); empty when no file is known.
  [[nodiscard]] std::string str() const;
};

/// A user-facing failure; the CLI prints it as `netmap <cmd>: error: <where>: <message>` and exits 2.
class UserError : public std::runtime_error {
public:
  /// An error with no location.
  explicit UserError(std::string message, std::string hint = {});
  /// An error that points into a file.
  UserError(Location where, std::string message, std::string hint = {});

  /// The message without location or hint.
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  /// Where it happened (file empty when unknown).
  [[nodiscard]] const Location& where() const noexcept { return m_where; }
  /// A suggestion for the user, possibly empty.
  [[nodiscard]] const std::string& hint() const noexcept { return m_hint; }

private:
  Location m_where;
  std::string m_message;
  std::string m_hint;
};

/// A value or an error message; for parsers of user text that must not throw.
template <class T>
class Result {
public:
  /// A success.
  Result(T value) : m_value(std::move(value)), m_ok(true) {} // NOLINT(google-explicit-constructor)
  /// A failure with a reason.
  static Result failure(std::string reason) {
    Result r;
    r.m_error = std::move(reason);
    return r;
  }
  /// True on success.
  [[nodiscard]] bool ok() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }
  /// The value; only valid when ok().
  [[nodiscard]] const T& value() const& { return m_value; }
  /// The value, moved out; only valid when ok().
  [[nodiscard]] T&& value() && { return std::move(m_value); }
  const T* operator->() const { return &m_value; }
  const T& operator*() const { return m_value; }
  /// The reason of a failure.
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }

private:
  Result() = default;
  T m_value{};
  std::string m_error;
  bool m_ok = false;
};

/// "`what`: <strerror(errno)>", for a failed system call; reads errno before anything can change it.
[[nodiscard]] std::string errno_text(const std::string& what);

} // namespace netmap::base
