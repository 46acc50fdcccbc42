// Fuzzes the proxy's readers of untrusted input: request heads and targets, response heads, the
// no_proxy list and proxy URLs. Never crash; what parses must be free of CR/LF and in range.

#include "netmap/proxy/no_proxy.hpp"
#include "netmap/proxy/request_head.hpp"
#include "netmap/proxy/upstream.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

namespace {

void check_clean(std::string_view s) {
  if (s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  using namespace netmap::proxy;
  auto req = parse_request_head(bytes, 4096);
  if (req.status == HeadStatus::Error) check_clean(req.reason);
  if (req.status == HeadStatus::Complete) {
    if (req.head_bytes > size || req.head_bytes > 4096) std::abort();
    check_clean(req.head.method);
    check_clean(req.head.target);
    if (req.head.target.find(' ') != std::string::npos) std::abort();
    for (const auto& h : req.head.headers) {
      check_clean(h.name);
      check_clean(h.value);
    }
    auto t = parse_target(req.head);
    if (t.target) {
      if (t.target->authority.port == 0 || t.target->authority.host.empty()) std::abort();
      check_clean(t.target->path);
    } else {
      check_clean(t.reason);
    }
  }
  auto resp = parse_response_head(bytes, 4096);
  if (resp.status == HeadStatus::Complete && (resp.head.status < 100 || resp.head.status > 599)) std::abort();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto a = parse_authority(text, std::uint16_t{80}); a && a->port == 0) std::abort();
  auto np = NoProxy::parse(text);
  (void)np.bypass(text);
  (void)np.bypass("example.com");
  if (auto u = parse_proxy_url(text); u && (u->port == 0 || u->host.empty())) std::abort();
  return 0;
}
