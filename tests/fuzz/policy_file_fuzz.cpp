// Fuzzes the netmap.yaml loader: any bytes either load or raise UserError, nothing else escapes.

#include "netmap/base/error.hpp"
#include "netmap/policy/policy.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1 << 16) return 0; // yaml-cpp recursion on deep nesting is its own concern
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto p = netmap::policy::parse_policy(text, "fuzz.yaml");
    (void)p.build_matcher().decide("www.example.com");
  } catch (const netmap::base::UserError&) {
  }
  return 0;
}
