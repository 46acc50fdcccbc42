// The tunnel's first bytes are read by the dissect module's ClientHello scanner (the same one
// discover uses on captures), so the proxy and discover agree on what a hello names.

#include "netmap/proxy/client_hello.hpp"

#include "netmap/dissect/tls_client_hello.hpp"

#include <vector>

namespace netmap::proxy {

ClientHelloInfo read_client_hello(std::span<const std::uint8_t> bytes) noexcept {
  ClientHelloInfo info;
  try {
    std::vector<std::uint8_t> scratch;
    dissect::ClientHello hello;
    switch (dissect::scan_tls_stream(bytes, scratch, hello)) {
    case dissect::Scan::NeedMore: info.status = HelloStatus::NeedMore; return info;
    case dissect::Scan::NotThis: info.status = HelloStatus::NotTls; return info;
    case dissect::Scan::Malformed: info.status = HelloStatus::Malformed; return info;
    case dissect::Scan::Found: break;
    }
    info.status = HelloStatus::Ok;
    info.has_server_name = hello.has_sni;
    info.server_name = hello.sni;
    info.ech = hello.ech;
  } catch (...) { // allocation failure in the scratch buffer
    info.status = HelloStatus::Malformed;
  }
  return info;
}

} // namespace netmap::proxy
