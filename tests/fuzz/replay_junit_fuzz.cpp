// replay's readers of untrusted text: the JUnit XML reader and the failure-pattern scanner (the
// command's output, in chunks and as timed lines), fed the same bytes; neither may crash, hang or grow without bound. What they
// print goes through base::printable, which must never let a control byte through.

#include "netmap/base/text.hpp"
#include "netmap/report/failure_pattern.hpp"
#include "netmap/report/replay_report_junit.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

// No C0 control or DEL: escapes of those are how a report stays safe for a terminal.
void check_printable(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
}

} // namespace

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
  for (const auto& f : s.failed_tests()) check_printable(f.name);
  for (const auto& m : s.matches()) check_printable(m.text);
  // Live output as replay feeds it: whole lines, each timed by its first byte; test runs are
  // bounded like the rest and never end before they start.
  netmap::report::FailureScanner timed(64);
  std::int64_t t = 0;
  for (std::size_t at = 0; at <= size;) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = size;
    timed.feed_line(text.substr(at, nl - at), t += 10);
    at = nl + 1;
  }
  timed.finish();
  if (timed.runs().size() > 64) std::abort();
  for (const auto& run : timed.runs()) {
    check_printable(run.name);
    if (run.end_us != 0 && run.end_us < run.start_us) std::abort();
  }
  check_printable(netmap::base::printable(text, size / 3));
  std::vector<std::string> argv;
  for (std::size_t at = 0; at < size; at += 7) argv.emplace_back(text.substr(at, 7));
  check_printable(netmap::base::command_text(argv, size));
  return 0;
}
