// Fuzzes the proxy's readers of untrusted input: request heads and targets, response heads, the
// no_proxy list, proxy URLs and request bodies' framing. Never crash; what parses must be free of
// CR/LF and in range; a body's end must not depend on how its bytes were split into reads.

#include "netmap/proxy/no_proxy.hpp"
#include "netmap/proxy/request_body.hpp"
#include "netmap/proxy/request_head.hpp"
#include "netmap/proxy/upstream.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

namespace {

void check_clean(std::string_view s) {
  if (s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos) std::abort();
}

// Feeds `bytes` to `f` in pieces of `step` bytes (all at once when 0), as reads would deliver them;
// returns the bytes the framer took as body and aborts when it takes more than it was given.
std::size_t feed_in_steps(netmap::proxy::BodyFramer& f, std::span<const std::uint8_t> bytes, std::size_t step) {
  std::size_t taken = 0;
  while (taken < bytes.size() && f.status() == netmap::proxy::BodyFramer::Status::More) {
    auto piece = bytes.subspan(taken, step == 0 ? bytes.size() - taken : std::min(step, bytes.size() - taken));
    std::size_t n = f.feed(piece);
    if (n > piece.size()) std::abort();
    taken += n;
    if (n < piece.size()) break; // the body ended (or broke) inside this piece
  }
  return taken;
}

// The chunked framer over the input, whole and split: the verdict and where the body ends agree.
void check_body_framing(std::span<const std::uint8_t> bytes) {
  using netmap::proxy::BodyFramer;
  auto whole = BodyFramer::chunked();
  std::size_t end = feed_in_steps(whole, bytes, 0);
  for (std::size_t step : {std::size_t{1}, std::size_t{7}}) {
    auto split = BodyFramer::chunked();
    std::size_t split_end = feed_in_steps(split, bytes, step);
    if (split.status() != whole.status()) std::abort();
    if (whole.status() == BodyFramer::Status::Done && split_end != end) std::abort();
  }
  if (bytes.size() >= 2) {
    auto fixed = BodyFramer::fixed(bytes[0] | (std::uint64_t{bytes[1]} << 8));
    std::size_t n = feed_in_steps(fixed, bytes.subspan(2), 3);
    if (n > (bytes[0] | (std::size_t{bytes[1]} << 8))) std::abort();
  }
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
  // A request's body follows its head: what is left after a complete head is framed as one.
  if (req.status == HeadStatus::Complete) check_body_framing(bytes.subspan(req.head_bytes));
  check_body_framing(bytes);
  return 0;
}
