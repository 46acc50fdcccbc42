#include "netmap/dissect/dns_name.hpp"

#include "netmap/base/text.hpp"

namespace netmap::dissect {

void append_label(std::string& out, std::span<const std::uint8_t> label) {
  for (std::uint8_t c : label) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == '.') {
      out += "\\.";
    } else {
      out += base::escape_bytes(std::span<const std::uint8_t>(&c, 1));
    }
  }
}

bool read_dns_name(base::ByteReader& r, std::string& out) noexcept {
  out.clear();
  auto whole = r.whole();
  std::size_t pos = r.position();
  std::size_t limit = pos;          // a pointer must land strictly before this offset
  std::size_t resume = 0;           // where the caller's reader continues (after the 1st pointer)
  bool jumped = false;
  std::size_t wire_len = 0;
  try {
    for (;;) {
      if (pos >= whole.size()) return false;
      std::uint8_t len = whole[pos];
      if ((len & 0xc0) == 0xc0) {
        if (pos + 1 >= whole.size()) return false;
        std::size_t target = (std::size_t{len & 0x3fu} << 8) | whole[pos + 1];
        if (!jumped) resume = pos + 2;
        // RFC 1035 §4.1.4 allows any earlier offset; requiring each jump to go strictly
        // backwards past the last origin bounds the walk without a hop counter.
        if (target >= limit) return false;
        jumped = true;
        limit = target;
        pos = target;
        continue;
      }
      if ((len & 0xc0) != 0) return false; // RFC 6891 §5: extended label types are obsolete
      wire_len += std::size_t{len} + 1;
      if (wire_len > 255) return false;
      if (len == 0) {
        pos += 1;
        break;
      }
      if (pos + 1 + len > whole.size()) return false;
      if (!out.empty()) out += '.';
      append_label(out, whole.subspan(pos + 1, len));
      pos += 1 + std::size_t{len};
    }
  } catch (...) { // std::string growth failing: treat as undecodable, never throw
    return false;
  }
  return r.seek(jumped ? resume : pos);
}

} // namespace netmap::dissect
