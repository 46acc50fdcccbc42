// replay's readers of untrusted text: the JUnit XML reader and the failure-pattern scanner (the
// command's output), fed the same bytes; neither may crash, hang or grow without bound.

#include "netmap/report/failure_pattern.hpp"
#include "netmap/report/replay_report_junit.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  netmap::report::JUnitResult r;
  netmap::report::parse_junit(text, "fuzz.xml", r);
  for (const auto& c : r.failed) (void)netmap::report::match_failures(c.text);
  netmap::report::FailureScanner s(64);
  // Split feeds exercise the line reassembly.
  s.feed(text.substr(0, size / 2));
  s.feed(text.substr(size / 2));
  s.finish();
  return 0;
}
