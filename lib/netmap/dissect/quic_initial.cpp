#include "netmap/dissect/quic_initial.hpp"

namespace netmap::dissect {
namespace {

using base::ByteReader;

// RFC 9000 §19.3: ACK and ACK_ECN carry ranges (and ECN counts) that are skipped.
bool skip_ack(ByteReader& r, bool ecn) {
  if (!read_quic_varint(r) || !read_quic_varint(r)) return false;
  auto ranges = read_quic_varint(r);
  if (!ranges || !read_quic_varint(r)) return false;
  // Each range needs at least two bytes, so the count is bounded by what remains.
  if (*ranges > r.remaining() / 2) return false;
  for (std::uint64_t i = 0; i < *ranges; ++i)
    if (!read_quic_varint(r) || !read_quic_varint(r)) return false;
  if (ecn)
    for (int i = 0; i < 3; ++i)
      if (!read_quic_varint(r)) return false;
  return true;
}

bool walk_frames(std::span<const std::uint8_t> payload, std::vector<QuicCryptoFragment>& out) {
  ByteReader r(payload);
  while (!r.empty()) {
    auto type = read_quic_varint(r);
    if (!type) return false;
    switch (*type) {
    case 0x00: // PADDING
    case 0x01: // PING
      break;
    case 0x02:
    case 0x03:
      if (!skip_ack(r, *type == 0x03)) return false;
      break;
    case 0x06: { // CRYPTO: offset, length, data
      auto offset = read_quic_varint(r);
      auto len = read_quic_varint(r);
      if (!offset || !len || *len > r.remaining()) return false;
      out.push_back({*offset, *r.bytes(static_cast<std::size_t>(*len))});
      break;
    }
    case 0x1c: { // CONNECTION_CLOSE (transport): code, frame type, reason
      auto code = read_quic_varint(r);
      auto ftype = read_quic_varint(r);
      auto len = read_quic_varint(r);
      if (!code || !ftype || !len || *len > r.remaining()) return false;
      (void)r.skip(static_cast<std::size_t>(*len));
      break;
    }
    default:
      return false; // not permitted in an Initial packet
    }
  }
  return true;
}

} // namespace

std::optional<std::uint64_t> read_quic_varint(ByteReader& r) noexcept {
  auto first = r.peek();
  if (!first) return std::nullopt;
  std::size_t len = std::size_t{1} << (*first >> 6);
  auto b = r.bytes(len);
  if (!b) return std::nullopt;
  std::uint64_t v = (*b)[0] & 0x3fu;
  for (std::size_t i = 1; i < len; ++i) v = (v << 8) | (*b)[i];
  return v;
}

std::optional<QuicLongHeader> parse_quic_long_header(std::span<const std::uint8_t> packet) noexcept {
  ByteReader r(packet);
  auto first = r.u8();
  auto version = r.u32be();
  if (!first || !version || (*first & 0x80) == 0) return std::nullopt;
  if (*version != k_quic_v1 && *version != k_quic_v2) return std::nullopt;
  QuicLongHeader h;
  h.version = *version;
  // RFC 9000 §17.2.2: Initial is type 0 in v1; RFC 9369 §3.2 renumbers it to 1 in v2.
  unsigned type = (*first >> 4) & 0x03u;
  h.initial = type == (h.version == k_quic_v2 ? 1u : 0u);
  auto dlen = r.u8();
  if (!dlen || *dlen > 20) return std::nullopt;
  auto dcid = r.bytes(*dlen);
  if (!dcid) return std::nullopt;
  for (std::size_t i = 0; i < dcid->size(); ++i) h.dcid[i] = (*dcid)[i];
  h.dcid_len = dcid->size();
  auto slen = r.u8();
  if (!slen || *slen > 20 || !r.skip(*slen)) return std::nullopt;
  bool retry = type == (h.version == k_quic_v2 ? 0u : 3u);
  if (retry) { // no length field: a Retry runs to the end of the datagram
    h.packet_len = packet.size();
    return h;
  }
  if (h.initial) {
    auto token_len = read_quic_varint(r);
    if (!token_len || *token_len > r.remaining() || !r.skip(static_cast<std::size_t>(*token_len)))
      return std::nullopt;
  }
  auto length = read_quic_varint(r);
  if (!length || *length > r.remaining()) return std::nullopt;
  h.pn_offset = r.position();
  h.packet_len = h.pn_offset + static_cast<std::size_t>(*length);
  return h;
}

bool open_quic_initial(std::span<const std::uint8_t> packet, const QuicLongHeader& h,
                       const QuicKeys& keys, std::vector<std::uint8_t>& plain,
                       std::vector<QuicCryptoFragment>& fragments) noexcept {
  try {
    fragments.clear();
    if (!h.initial || h.packet_len > packet.size()) return false;
    // RFC 9001 §5.4.2: the sample starts 4 bytes after the packet number's first byte.
    if (h.packet_len < h.pn_offset + 4 + 16) return false;
    auto mask = header_protection_mask(keys, packet.subspan(h.pn_offset + 4, 16));
    if (!mask) return false;
    std::uint8_t first = static_cast<std::uint8_t>(packet[0] ^ ((*mask)[0] & 0x0f));
    std::size_t pn_len = std::size_t{first & 0x03u} + 1;
    // The header is the associated data, with protection removed; 20 + 4 + 255 bytes at most.
    std::array<std::uint8_t, 64 + 20> header{};
    std::size_t hlen = h.pn_offset + pn_len;
    std::vector<std::uint8_t> big;
    std::span<std::uint8_t> hdr;
    if (hlen <= header.size()) {
      hdr = std::span<std::uint8_t>(header.data(), hlen);
    } else { // a long token: rare, so a heap copy is fine
      big.resize(hlen);
      hdr = big;
    }
    for (std::size_t i = 0; i < hlen; ++i) hdr[i] = packet[i];
    hdr[0] = first;
    std::uint64_t pn = 0;
    for (std::size_t i = 0; i < pn_len; ++i) {
      hdr[h.pn_offset + i] = static_cast<std::uint8_t>(hdr[h.pn_offset + i] ^ (*mask)[1 + i]);
      pn = (pn << 8) | hdr[h.pn_offset + i];
    }
    // Initial packet numbers start at 0 and stay small, so the truncated number is the full one.
    if (!aead_open(keys, pn, hdr, packet.subspan(hlen, h.packet_len - hlen), plain)) return false;
    return walk_frames(plain, fragments);
  } catch (...) {
    return false;
  }
}

} // namespace netmap::dissect
