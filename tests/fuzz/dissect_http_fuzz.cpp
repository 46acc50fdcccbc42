// HTTP request heads, whole and as the prefixes a growing stream presents.

#include "netmap/dissect/http_request.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap::dissect;
  std::size_t step = size / 8 + 1;
  for (std::size_t n = 0; n <= size; n += step) {
    HttpRequest r;
    (void)scan_http_request({data, n}, r);
  }
  HttpRequest r;
  (void)scan_http_request({data, size}, r);
  return 0;
}
