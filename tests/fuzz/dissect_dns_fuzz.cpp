// DNS messages: the message decoder (strict and partial), its size, and CNAME resolution.

#include "netmap/dissect/dns_message.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap::dissect;
  for (bool partial : {false, true}) {
    auto msg = decode_dns_message({data, size}, partial);
    if (!msg) continue;
    // The size is where a next message of a GSO send would start: within the bytes, and where
    // the records end, so the same bytes alone end there too whenever their size is known (a
    // name's labels may run on past its record after a backward pointer, so it need not be).
    if (msg->size > size || (msg->partial && msg->size != 0)) __builtin_trap();
    if (msg->size != 0) {
      auto again = decode_dns_message({data, msg->size}, false);
      if (again && again->size != 0 && again->size != msg->size) __builtin_trap();
    }
    for (const auto& q : msg->questions) (void)resolve_answers(*msg, q.name);
    if (!msg->answers.empty()) (void)resolve_answers(*msg, msg->answers.front().owner);
  }
  return 0;
}
