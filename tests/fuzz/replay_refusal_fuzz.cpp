// replay's refusal builder: any bytes a fenced program can write to the fence's TUN device. An
// answer, when there is one, must be a well-formed packet from the attempt's destination back to
// its source, with valid checksums, within its family's size limit, and must itself get no answer.

#include "netmap/base/inet_checksum.hpp"
#include "netmap/sandbox/refusal.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace {

using Span = std::span<const std::uint8_t>;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

std::size_t be16(Span b, std::size_t at) { return std::size_t{b[at]} << 8 | b[at + 1]; }

bool same(Span a, Span b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Traps unless `out` is a well-formed answer to `in`.
void check_answer(Span in, Span out) {
  require(out.size() >= 20 && !in.empty() && (out[0] >> 4) == (in[0] >> 4));
  bool v6 = (out[0] >> 4) == 6;
  std::size_t header = v6 ? 40 : 20;
  require(out.size() >= header);
  std::uint8_t protocol = out[v6 ? 6 : 9];
  Span src = v6 ? out.subspan(8, 16) : out.subspan(12, 4);
  Span dst = v6 ? out.subspan(24, 16) : out.subspan(16, 4);
  // The attempt's addresses, swapped (its header is at least as long as the answer's).
  require(in.size() >= header);
  require(same(src, v6 ? in.subspan(24, 16) : in.subspan(16, 4)));
  require(same(dst, v6 ? in.subspan(8, 16) : in.subspan(12, 4)));
  Span body = out.subspan(header);
  if (v6) {
    require(out[0] == 0x60 && out[1] == 0 && out[2] == 0 && out[3] == 0 && out[7] == 64);
    require(be16(out, 4) == body.size());
  } else {
    require(out[0] == 0x45 && be16(out, 2) == out.size() && be16(out, 6) == 0x4000 && out[8] == 64);
    require(netmap::base::inet_checksum(out.first(20)) == 0);
  }
  if (protocol == 6) {
    require(out.size() == header + 20 && body[12] == 0x50 && (body[13] & 0x04) != 0);
    require(netmap::base::transport_checksum(src, dst, 6, body) == 0);
  } else if (!v6) {
    require(protocol == 1 && out.size() <= 576 && body.size() >= 8 && body[0] == 3);
    require(netmap::base::inet_checksum(body) == 0);
  } else {
    require(protocol == 58 && out.size() <= 1280 && body.size() >= 8 && body[0] == 1);
    require(netmap::base::transport_checksum(src, dst, 58, body) == 0);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Span in(data, size);
  std::vector<std::uint8_t> out = netmap::sandbox::refusal_for(in);
  if (out.empty()) return 0;
  check_answer(in, out);
  require(netmap::sandbox::refusal_for(out).empty());
  return 0;
}
