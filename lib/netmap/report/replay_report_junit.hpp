#pragma once
// A small, defensive JUnit XML reader for replay: testsuite/testcase/failure/error/skipped and the
// case's system-out/err. Test reports are untrusted input (any tool writes them, truncated files
// are common): no entity expansion beyond the five predefined and character references, no
// recursion, bounded text per case, never throws, keeps what it could read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::report {

/// One failed or errored test case.
struct JUnitCase {
  std::string suite;      ///< enclosing testsuite name (safe text)
  std::string name;       ///< "classname.name", or name alone (safe text)
  std::string file;       ///< the report it came from
  bool error = false;     ///< <error> (the test crashed) rather than <failure> (an assertion)
  std::string message;    ///< the failure's message attribute (safe text)
  std::string text;       ///< failure body and the case's system-out/err, raw bytes, bounded
};

/// What the reports held.
struct JUnitResult {
  std::vector<JUnitCase> failed;   ///< failed and errored cases, in document order
  std::uint64_t tests = 0;         ///< testcase elements seen
  std::uint64_t failures = 0;      ///< of which failed
  std::uint64_t errors = 0;        ///< of which errored
  std::uint64_t skipped = 0;       ///< of which skipped
  std::vector<std::string> files;  ///< reports read
  std::vector<std::string> problems; ///< "file:line: what" for malformed or unreadable reports
};

/// Parses one report's text; `file` names it in problems. Never throws.
void parse_junit(std::string_view xml, const std::string& file, JUnitResult& into);

/// Reads every file matching each pattern (glob(3); a plain path is its own pattern). A pattern
/// matching nothing, an unreadable or oversized file is a problem, not an error.
[[nodiscard]] JUnitResult read_junit(const std::vector<std::string>& patterns);

} // namespace netmap::report
