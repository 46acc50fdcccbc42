#include "netmap/dissect/tls_client_hello.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/dissect/dns_name.hpp"

namespace netmap::dissect {
namespace {

using base::ByteReader;

constexpr std::uint16_t k_ext_server_name = 0;
constexpr std::uint16_t k_ext_ech = 0xfe0d; // draft-ietf-tls-esni §5
constexpr std::size_t k_max_record = 16384 + 2048; // RFC 5246 §6.2.3 TLSCiphertext bound

// RFC 6066 §3: a list of (type, name) with type 0 = host_name; only one host_name is allowed.
bool read_server_name(ByteReader ext, ClientHello& out) {
  auto list_len = ext.u16be();
  if (!list_len) return false;
  auto list = ext.sub(*list_len);
  if (!list) return false;
  while (!list->empty()) {
    auto type = list->u8();
    auto len = list->u16be();
    if (!type || !len) return false;
    auto name = list->bytes(*len);
    if (!name) return false;
    if (*type != 0 || out.has_sni) continue;
    std::span<const std::uint8_t> n = *name;
    if (!n.empty() && n.back() == '.') n = n.first(n.size() - 1);
    out.sni.clear();
    // Each dot-separated piece rendered like a DNS label, so the escaping matches DNS names.
    std::size_t start = 0;
    for (std::size_t i = 0; i <= n.size(); ++i) {
      if (i == n.size() || n[i] == '.') {
        if (start != 0) out.sni += '.';
        append_label(out.sni, n.subspan(start, i - start));
        start = i + 1;
      }
    }
    out.has_sni = !out.sni.empty();
  }
  return true;
}

Scan parse_body(ByteReader r, bool complete, ClientHello& out) {
  const Scan short_result = complete ? Scan::Malformed : Scan::NeedMore;
  auto version = r.u16be();
  if (!version) return short_result;
  if ((*version >> 8) != 3) return Scan::NotThis;
  if (!r.skip(32)) return short_result;
  auto sid = r.u8();
  if (!sid) return short_result;
  if (*sid > 32) return Scan::Malformed;
  if (!r.skip(*sid)) return short_result;
  auto suites = r.u16be();
  if (!suites) return short_result;
  if (!r.skip(*suites)) return short_result;
  auto comp = r.u8();
  if (!comp) return short_result;
  if (!r.skip(*comp)) return short_result;
  if (r.empty() && complete) return Scan::Found; // RFC 5246 §7.4.1.2: extensions are optional
  auto ext_len = r.u16be();
  if (!ext_len) return short_result;
  std::size_t end = r.position() + *ext_len;
  while (r.position() < end) {
    auto type = r.u16be();
    auto len = r.u16be();
    if (!type || !len) return short_result;
    auto body = r.sub(*len);
    if (!body) return short_result;
    if (r.position() > end) return Scan::Malformed;
    if (*type == k_ext_server_name && !read_server_name(*body, out)) return Scan::Malformed;
    if (*type == k_ext_ech) out.ech = true;
  }
  return Scan::Found;
}

} // namespace

Scan scan_handshake(std::span<const std::uint8_t> stream, ClientHello& out) noexcept {
  try {
    ByteReader r(stream);
    auto type = r.u8();
    if (!type) return Scan::NeedMore;
    if (*type != 1) return Scan::NotThis; // RFC 8446 §4: client_hello(1)
    auto len = r.u24be();
    if (!len) return Scan::NeedMore;
    bool complete = r.remaining() >= *len;
    auto body = complete ? *r.bytes(*len) : r.rest();
    return parse_body(ByteReader(body), complete, out);
  } catch (...) {
    return Scan::Malformed;
  }
}

bool looks_like_tls(std::span<const std::uint8_t> b) noexcept {
  // ContentType handshake(22), legacy_record_version 3.x with x ≤ 4 (SSL 3.0 … TLS 1.3).
  if (b.empty() || b[0] != 22) return false;
  if (b.size() >= 2 && b[1] != 3) return false;
  if (b.size() >= 3 && b[2] > 4) return false;
  if (b.size() >= 6 && b[5] != 1) return false;
  return true;
}

Scan scan_tls_stream(std::span<const std::uint8_t> stream, std::vector<std::uint8_t>& scratch,
                     ClientHello& out) noexcept {
  try {
    if (!looks_like_tls(stream)) return Scan::NotThis;
    ByteReader r(stream);
    std::span<const std::uint8_t> handshake;
    bool joined = false;
    bool other_record = false;
    scratch.clear();
    // RFC 8446 §5.1: a handshake message may be split across records; join their payloads.
    while (!r.empty()) {
      auto type = r.u8();
      auto major = r.u8();
      auto minor = r.u8();
      auto len = r.u16be();
      if (!type || !major || !minor || !len) break; // header still arriving
      if (*type != 22) {
        other_record = true; // e.g. change_cipher_spec after the hello
        if (joined || !handshake.empty()) break;
        return Scan::NotThis;
      }
      if (*major != 3 || *len == 0 || *len > k_max_record) return Scan::Malformed;
      auto avail = r.remaining() < *len ? r.rest() : *r.bytes(*len);
      if (handshake.empty() && !joined) {
        handshake = avail;
      } else {
        if (!joined) scratch.assign(handshake.begin(), handshake.end());
        joined = true;
        scratch.insert(scratch.end(), avail.begin(), avail.end());
      }
      if (avail.size() < *len) break;
      // Stop joining once the first message is complete: later records are not needed.
      auto have = joined ? std::span<const std::uint8_t>(scratch) : handshake;
      if (have.size() >= 4) {
        std::size_t need = (std::size_t{have[1]} << 16 | std::size_t{have[2]} << 8 | have[3]) + 4;
        if (have.size() >= need) break;
      }
    }
    if (joined) handshake = scratch;
    Scan s = scan_handshake(handshake, out);
    // Another record type arrived before the hello was whole: it never will be.
    if (s == Scan::NeedMore && other_record) return Scan::Malformed;
    return s;
  } catch (...) {
    return Scan::Malformed;
  }
}

} // namespace netmap::dissect
