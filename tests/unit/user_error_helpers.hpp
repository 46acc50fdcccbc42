#pragma once
// What a call fails with, for tests of the errors users see.

#include "netmap/base/error.hpp"

#include <functional>
#include <string>

namespace netmap::test {

/// The message of the base::UserError that `f` throws; "(no error)" when it throws none.
inline std::string user_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const base::UserError& e) {
    return e.message();
  }
  return "(no error)";
}

} // namespace netmap::test
