// DNS messages: the message decoder (strict and partial) and CNAME resolution.

#include "netmap/dissect/dns_message.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap::dissect;
  for (bool partial : {false, true}) {
    auto msg = decode_dns_message({data, size}, partial);
    if (!msg) continue;
    for (const auto& q : msg->questions) (void)resolve_answers(*msg, q.name);
    if (!msg->answers.empty()) (void)resolve_answers(*msg, msg->answers.front().owner);
  }
  return 0;
}
