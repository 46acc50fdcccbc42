// QUIC: long-header parsing and frame walking. Random bytes never authenticate, so the input is
// sealed with the keys its own DCID derives (the generator's procedure) before it is opened: the
// fuzzer then reaches the frame parser and the ClientHello inside.

#include "netmap/dissect/quic_initial.hpp"
#include "netmap/dissect/quic_keys.hpp"
#include "netmap/dissect/tls_client_hello.hpp"
#include "quic_builder.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap;
  std::span<const std::uint8_t> in(data, size);
  // As a raw datagram: header parsing and an (almost always failing) open.
  if (auto h = dissect::parse_quic_long_header(in)) {
    if (auto keys = dissect::client_initial_keys(h->version, h->dcid_span())) {
      std::vector<std::uint8_t> plain;
      std::vector<dissect::QuicCryptoFragment> frags;
      (void)dissect::open_quic_initial(in, *h, *keys, plain, frags);
    }
  }
  // As a plaintext payload: protect it, then open it and walk its frames.
  if (size < 2 || size > 4000) return 0;
  testgen::Bytes payload(in.begin() + 1, in.end());
  if (payload.size() < 20) payload.resize(20, 0);
  std::uint32_t version = (data[0] & 1) != 0 ? dissect::k_quic_v2 : dissect::k_quic_v1;
  testgen::Bytes dcid{1, 2, 3, 4, 5, 6, 7, 8};
  testgen::Bytes header{static_cast<std::uint8_t>(version == 1 ? 0xc3 : 0xd3)};
  testgen::put32(header, version);
  header.push_back(8);
  header.insert(header.end(), dcid.begin(), dcid.end());
  header.push_back(0);
  header.push_back(0);
  std::size_t length = 4 + payload.size() + 16;
  header.push_back(static_cast<std::uint8_t>(0x40 | (length >> 8)));
  header.push_back(static_cast<std::uint8_t>(length & 0xff));
  testgen::put32(header, 0);
  testgen::Bytes packet = testgen::protect_initial(version, dcid, header, 4, 0, payload);
  auto h = dissect::parse_quic_long_header(packet);
  auto keys = dissect::client_initial_keys(version, dcid);
  if (!h || !keys) __builtin_trap();
  std::vector<std::uint8_t> plain;
  std::vector<dissect::QuicCryptoFragment> frags;
  if (!dissect::open_quic_initial(packet, *h, *keys, plain, frags)) return 0;
  for (const auto& f : frags) {
    dissect::ClientHello hello;
    (void)dissect::scan_handshake(f.data, hello);
  }
  return 0;
}
