#include "netmap/proxy/client_hello.hpp"

#include "netmap/base/byte_reader.hpp"

#include <vector>

namespace netmap::proxy {

namespace {

constexpr std::uint8_t k_handshake = 22;        // RFC 8446 §5.1 ContentType.handshake
constexpr std::uint8_t k_client_hello = 1;      // HandshakeType.client_hello
constexpr std::uint16_t k_ext_server_name = 0;  // RFC 6066 §3
constexpr std::uint16_t k_ext_ech = 0xfe0d;     // draft-ietf-tls-esni encrypted_client_hello
constexpr std::size_t k_max_record = 16384 + 256; // RFC 8446 §5.1 plus compression slack

ClientHelloInfo with(HelloStatus s) {
  ClientHelloInfo i;
  i.status = s;
  return i;
}

// Walks the extensions block of a ClientHello body.
ClientHelloInfo read_extensions(base::ByteReader& r) {
  ClientHelloInfo info = with(HelloStatus::Ok);
  if (r.empty()) return info; // no extensions at all: legal for old clients
  auto len = r.u16be();
  if (!len) return with(HelloStatus::Malformed);
  auto exts = r.sub(*len);
  if (!exts) return with(HelloStatus::Malformed);
  while (!exts->empty()) {
    auto type = exts->u16be();
    auto elen = exts->u16be();
    if (!type || !elen) return with(HelloStatus::Malformed);
    auto body = exts->sub(*elen);
    if (!body) return with(HelloStatus::Malformed);
    if (*type == k_ext_ech) info.ech = true;
    if (*type != k_ext_server_name || info.has_server_name) continue;
    auto list_len = body->u16be();
    if (!list_len) return with(HelloStatus::Malformed);
    auto list = body->sub(*list_len);
    if (!list) return with(HelloStatus::Malformed);
    while (!list->empty()) {
      auto name_type = list->u8();
      auto nlen = list->u16be();
      if (!name_type || !nlen) return with(HelloStatus::Malformed);
      auto name = list->bytes(*nlen);
      if (!name) return with(HelloStatus::Malformed);
      if (*name_type == 0 && !info.has_server_name) { // host_name
        info.has_server_name = true;
        info.server_name.assign(reinterpret_cast<const char*>(name->data()), name->size());
      }
    }
  }
  return info;
}

ClientHelloInfo read_body(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  // legacy_version(2) random(32), then three length-prefixed vectors (RFC 8446 §4.1.2).
  if (!r.skip(2 + 32)) return with(HelloStatus::Malformed);
  auto sid = r.u8();
  if (!sid || !r.skip(*sid)) return with(HelloStatus::Malformed);
  auto suites = r.u16be();
  if (!suites || !r.skip(*suites)) return with(HelloStatus::Malformed);
  auto comp = r.u8();
  if (!comp || !r.skip(*comp)) return with(HelloStatus::Malformed);
  return read_extensions(r);
}

} // namespace

ClientHelloInfo read_client_hello(std::span<const std::uint8_t> bytes) noexcept {
  try {
    base::ByteReader r(bytes);
    std::vector<std::uint8_t> handshake; // the handshake message, reassembled across records
    std::size_t need = 0;                // its full size once the 4-byte header is known
    for (;;) {
      auto type = r.peek(0);
      if (!type) return with(HelloStatus::NeedMore);
      if (*type != k_handshake) return with(handshake.empty() ? HelloStatus::NotTls : HelloStatus::Malformed);
      if (r.remaining() < 5) {
        // Judge the version byte as soon as it is there, so plain text fails fast.
        auto major = r.peek(1);
        return with(major && *major != 3 ? HelloStatus::NotTls : HelloStatus::NeedMore);
      }
      (void)r.u8();
      auto version = r.u16be();
      auto len = r.u16be();
      if (!version || !len || (*version >> 8) != 3) return with(HelloStatus::NotTls);
      if (*len == 0 || *len > k_max_record) return with(HelloStatus::Malformed);
      auto frag = r.bytes(*len);
      if (!frag) return with(HelloStatus::NeedMore);
      handshake.insert(handshake.end(), frag->begin(), frag->end());
      if (need == 0 && handshake.size() >= 4) {
        if (handshake[0] != k_client_hello) return with(HelloStatus::Malformed);
        need = 4 + ((std::size_t{handshake[1]} << 16) | (std::size_t{handshake[2]} << 8) | handshake[3]);
      }
      if (need != 0 && handshake.size() >= need)
        return read_body(std::span<const std::uint8_t>(handshake).subspan(4, need - 4));
    }
  } catch (...) {
    return with(HelloStatus::Malformed);
  }
}

} // namespace netmap::proxy
