// TLS: the record scanner over a stream and the handshake scanner (QUIC's CRYPTO stream), on
// every prefix length a growing stream would present.

#include "netmap/dissect/tls_client_hello.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap::dissect;
  std::vector<std::uint8_t> scratch;
  std::size_t step = size / 8 + 1;
  for (std::size_t n = 0; n <= size; n += step) {
    ClientHello a;
    (void)scan_tls_stream({data, n}, scratch, a);
    ClientHello b;
    (void)scan_handshake({data, n}, b);
  }
  ClientHello c;
  (void)scan_tls_stream({data, size}, scratch, c);
  return 0;
}
