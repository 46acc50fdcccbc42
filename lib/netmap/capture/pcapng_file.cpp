#include "netmap/capture/pcapng_file.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/capture_magic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>

namespace netmap::capture {

namespace {

// draft-ietf-opsawg-pcapng §4: block types and the section header's byte-order magic.
constexpr std::uint32_t k_idb = 1;
constexpr std::uint32_t k_opb = 2; // obsolete Packet Block (Appendix A)
constexpr std::uint32_t k_spb = 3;
constexpr std::uint32_t k_epb = 6;
constexpr std::uint32_t k_byte_order_magic = 0x1a2b3c4d;
constexpr std::uint16_t k_opt_end = 0, k_if_tsresol = 9, k_if_tsoffset = 14;
// A block is at least its type, both lengths; libpcap refuses blocks over 16 MiB, and so do we
// (the window maps a whole block).
constexpr std::size_t k_min_block = 12;
constexpr std::uint32_t k_max_block = 16u << 20;
// libpcap's MAXIMUM_SNAPLEN, as for classic pcap: a longer record is corrupt.
constexpr std::uint32_t k_max_caplen = 262144;

// Field reads in the section's byte order.
struct Fields {
  base::ByteReader r;
  bool big;
  std::optional<std::uint16_t> u16() noexcept { return big ? r.u16be() : r.u16le(); }
  std::optional<std::uint32_t> u32() noexcept { return big ? r.u32be() : r.u32le(); }
  std::optional<std::uint64_t> u64() noexcept {
    auto a = u32(), b = u32();
    if (!a || !b) return std::nullopt;
    return big ? std::uint64_t{*a} << 32 | *b : std::uint64_t{*b} << 32 | *a;
  }
};

} // namespace

std::unique_ptr<PcapngFile> PcapngFile::open(const std::string& path) {
  auto window = std::make_unique<FileWindow>(path, k_min_block + 16);
  std::uint8_t head[12];
  if (!window->is_open() || !window->read(0, head, sizeof head)) return nullptr;
  base::ByteReader r{std::span<const std::uint8_t>(head)};
  if (r.u32be() != base::k_pcapng_shb || !r.skip(4)) return nullptr;
  const auto magic = r.u32be();
  if (magic != k_byte_order_magic && magic != __builtin_bswap32(k_byte_order_magic)) return nullptr;
  std::unique_ptr<PcapngFile> f(new PcapngFile(std::move(window)));
  // Read the section header and the interfaces that precede the first packet, so the source can
  // say at once which link types the file holds. A broken or cut block is left for next() to
  // meet again and report.
  f->m_peek_only = true;
  PcapRecord unused;
  const Status s = f->next(unused);
  f->m_peek_only = false;
  if (s != Status::End) {
    f->m_pos = 0;
    f->m_error.clear();
  }
  return f;
}

PcapngFile::~PcapngFile() = default;

PcapngFile::Status PcapngFile::fail(Status s, std::string why) {
  m_error = std::move(why);
  if (s == Status::CutShort) m_pos = m_file->size(); // read no further: the rest is gone
  return s;
}

PcapngFile::Status PcapngFile::next(PcapRecord& out) {
  const std::uint64_t size = m_file->size();
  while (m_pos < size) {
    const std::uint64_t left = size - m_pos;
    // The same words libpcap uses (sf-pcapng.c), so a bad file fails the same way whichever
    // reader saw it.
    auto cut = [&](std::uint64_t want) {
      return fail(Status::CutShort, "truncated pcapng dump file; tried to read " + std::to_string(want) +
                                        " bytes, only got " + std::to_string(left));
    };
    if (left < k_min_block) return cut(k_min_block);
    const std::uint8_t* h = m_file->at(m_pos, k_min_block);
    if (!h) return fail(Status::Error, m_file->error());
    base::ByteReader hr{std::span<const std::uint8_t>(h, k_min_block)};
    const std::uint32_t raw_type = hr.u32be().value_or(0);
    bool big = m_big_endian;
    if (raw_type == base::k_pcapng_shb) { // a palindrome: the byte order comes from the magic after the length
      base::ByteReader mr{std::span<const std::uint8_t>(h + 8, 4)};
      const std::uint32_t magic = mr.u32be().value_or(0);
      if (magic == k_byte_order_magic) big = true;
      else if (magic == __builtin_bswap32(k_byte_order_magic)) big = false;
      else return fail(Status::Error, "the section header has an unknown byte-order magic");
    }
    Fields hf{base::ByteReader{std::span<const std::uint8_t>(h, 8)}, big};
    const std::uint32_t type = hf.u32().value_or(0);
    const std::uint32_t total = hf.u32().value_or(0);
    if (total < k_min_block || total % 4 != 0)
      return fail(Status::Error, "block in pcapng dump file has a length of " + std::to_string(total) +
                                     " (less than 12, or not a multiple of 4)");
    if (total > k_max_block)
      return fail(Status::Error, "pcapng block size " + std::to_string(total) + " > maximum " +
                                     std::to_string(k_max_block));
    if (m_peek_only && (type == k_epb || type == k_spb || type == k_opb)) return Status::End;
    if (left < total) return cut(total);
    const std::uint8_t* b = m_file->at(m_pos, total);
    if (!b) return fail(Status::Error, m_file->error());
    if (type == base::k_pcapng_shb) m_big_endian = big;
    const Status s = block(type, b + 8, total - k_min_block, out);
    if (s == Status::Error) return s;
    m_pos += total;
    if (s == Status::Packet) {
      m_file->prefetch(m_pos);
      return s;
    }
  }
  return Status::End;
}

// One block's body (between the lengths). Packet when `out` was filled, End when the block only
// changed what later packets mean (or was skipped), Error when it is broken.
PcapngFile::Status PcapngFile::block(std::uint32_t type, const std::uint8_t* body, std::size_t len,
                                     PcapRecord& out) {
  switch (type) {
  case base::k_pcapng_shb:
    return section(body, len);
  case k_idb:
    return interface(body, len);
  case k_epb:
  case k_spb:
  case k_opb:
    return packet(type, body, len, out);
  default: // statistics, name resolution, decryption secrets, custom blocks: nothing to read
    return Status::End;
  }
}

PcapngFile::Status PcapngFile::section(const std::uint8_t* body, std::size_t len) {
  Fields f{base::ByteReader{std::span<const std::uint8_t>(body, len)}, m_big_endian};
  auto magic = f.u32();
  auto major = f.u16();
  if (!magic || !major || !f.u16() || !f.u64())
    return fail(Status::Error, "section header block is too short");
  if (*major != 1) return fail(Status::Error, "unsupported pcapng version " + std::to_string(*major));
  m_interfaces.clear(); // interface IDs are numbered per section
  return Status::End;
}

PcapngFile::Status PcapngFile::interface(const std::uint8_t* body, std::size_t len) {
  Fields f{base::ByteReader{std::span<const std::uint8_t>(body, len)}, m_big_endian};
  auto link = f.u16();
  auto reserved = f.u16();
  auto snap = f.u32();
  if (!link || !reserved || !snap) return fail(Status::Error, "interface description block is too short");
  Interface i;
  i.linktype = *link;
  i.snaplen = *snap;
  // Options (§3.5): code, length, value padded to 32 bits. Unknown or malformed ones are passed
  // over: the defaults (microseconds, no offset) are what a reader must assume without them.
  while (f.r.remaining() >= 4) {
    auto code = f.u16(), olen = f.u16();
    if (!code || !olen || *code == k_opt_end) break;
    auto value = f.r.bytes(*olen);
    if (!value || !f.r.skip((4 - *olen % 4) % 4)) break;
    if (*code == k_if_tsresol && *olen >= 1) {
      i.binary = ((*value)[0] & 0x80) != 0;
      i.exponent = static_cast<std::uint8_t>((*value)[0] & 0x7f);
    } else if (*code == k_if_tsoffset && *olen == 8) {
      Fields v{base::ByteReader{*value}, m_big_endian};
      i.offset_s = static_cast<std::int64_t>(v.u64().value_or(0));
    }
  }
  m_interfaces.push_back(i);
  if (m_peek_only) m_first_linktypes.push_back(i.linktype);
  return Status::End;
}

std::int64_t PcapngFile::to_us(const Interface& i, std::uint64_t ts) const noexcept {
  constexpr std::uint64_t k_max = std::numeric_limits<std::int64_t>::max();
  std::uint64_t us = ts;
  if (i.binary) { // 2^-exponent seconds: a long double holds 64 bits of mantissa, exact enough
    const long double v = std::ldexp(static_cast<long double>(ts) * 1000000.0L, -static_cast<int>(i.exponent));
    us = v >= static_cast<long double>(k_max) ? k_max : static_cast<std::uint64_t>(v);
  } else if (i.exponent < 6) {
    for (unsigned e = i.exponent; e < 6; ++e) us = us > k_max / 10 ? k_max : us * 10;
  } else {
    for (unsigned e = 6; e < i.exponent && us != 0; ++e) us /= 10;
  }
  // if_tsoffset: seconds added to every timestamp (may be negative); a result outside the
  // representable range is clamped, as a capture's clock is not ours to trust.
  std::int64_t t = static_cast<std::int64_t>(std::min(us, k_max));
  std::int64_t offset_us = 0;
  if (__builtin_mul_overflow(i.offset_s, std::int64_t{1000000}, &offset_us))
    offset_us = i.offset_s < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  if (__builtin_add_overflow(t, offset_us, &t)) t = offset_us < 0 ? 0 : std::numeric_limits<std::int64_t>::max();
  return t < 0 ? 0 : t;
}

PcapngFile::Status PcapngFile::packet(std::uint32_t type, const std::uint8_t* body, std::size_t len,
                                      PcapRecord& out) {
  Fields f{base::ByteReader{std::span<const std::uint8_t>(body, len)}, m_big_endian};
  std::uint32_t id = 0, caplen = 0, wire = 0;
  std::optional<std::uint64_t> ts;
  if (type == k_spb) { // §4.4: no interface ID (0), no timestamp, caplen implied by the block
    auto orig = f.u32();
    if (!orig) return fail(Status::Error, "simple packet block is too short");
    wire = *orig;
    caplen = static_cast<std::uint32_t>(std::min<std::size_t>(wire, f.r.remaining()));
  } else {
    std::optional<std::uint32_t> iface;
    if (type == k_opb) {
      auto i16 = f.u16();
      if (i16 && f.u16()) iface = *i16;
    } else {
      iface = f.u32();
    }
    auto hi = f.u32(), lo = f.u32(), cap = f.u32(), orig = f.u32();
    if (!iface || !hi || !lo || !cap || !orig) return fail(Status::Error, "packet block is too short");
    id = *iface;
    ts = std::uint64_t{*hi} << 32 | *lo;
    caplen = *cap;
    wire = *orig;
  }
  if (id >= m_interfaces.size())
    return fail(Status::Error, "a packet arrived on interface " + std::to_string(id) + ", but there's no such interface");
  if (caplen > k_max_caplen)
    return fail(Status::Error, "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
                                   std::to_string(k_max_caplen));
  auto data = f.r.bytes(caplen);
  if (!data) return fail(Status::Error, "packet block length is too small for its " + std::to_string(caplen) + " bytes");
  const Interface& i = m_interfaces[id];
  // A record longer than its interface's snapshot length is cut to it, as libpcap does.
  if (i.snaplen != 0 && data->size() > i.snaplen) data = data->first(i.snaplen);
  if (ts) m_last_us = to_us(i, *ts);
  out.bytes = *data;
  out.time_us = m_last_us;
  out.linktype = i.linktype;
  out.wire_len = wire;
  return Status::Packet;
}

} // namespace netmap::capture
