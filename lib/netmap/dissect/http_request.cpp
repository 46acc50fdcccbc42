#include "netmap/dissect/http_request.hpp"

#include "netmap/dissect/dns_name.hpp"

#include <string_view>

namespace netmap::dissect {
namespace {

constexpr std::size_t k_max_method = 24;

bool is_upper(std::uint8_t c) { return c >= 'A' && c <= 'Z'; }

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §7.2 / RFC 3986 §3.2.2: host [":" port], IPv6 literals in brackets.
bool parse_authority(std::string_view a, HttpRequest& out) {
  if (auto at = a.rfind('@'); at != std::string_view::npos) a.remove_prefix(at + 1); // userinfo
  std::string_view host = a;
  std::string_view port;
  if (!a.empty() && a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(1, close - 1);
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (auto colon = a.rfind(':'); colon != std::string_view::npos) {
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253 + 2) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 65535) return false;
  }
  out.port = static_cast<std::uint16_t>(value);
  out.host.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (start != 0) out.host += '.';
      auto piece = host.substr(start, i - start);
      append_label(out.host, {reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()});
      start = i + 1;
    }
  }
  return true;
}

Scan request_line(std::string_view line, HttpRequest& out, bool& need_host) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Scan::NotThis;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Scan::NotThis;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = trim_ows(line.substr(sp2 + 1));
  if (version.substr(0, 7) != "HTTP/1.") return Scan::NotThis; // HTTP/2 preface, HTTP/0.9
  if (method == "CONNECT") { // RFC 9110 §9.3.6: authority-form
    out.connect = true;
    return parse_authority(target, out) ? Scan::Found : Scan::Malformed;
  }
  for (std::string_view scheme : {"http://", "https://", "ws://", "wss://"}) {
    if (target.size() > scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      std::string_view rest = target.substr(scheme.size());
      auto end = rest.find_first_of("/?#");
      out.absolute = true;
      return parse_authority(rest.substr(0, end), out) ? Scan::Found : Scan::Malformed;
    }
  }
  need_host = true;
  return Scan::NeedMore;
}

} // namespace

bool looks_like_http(std::span<const std::uint8_t> b) noexcept {
  for (std::size_t i = 0; i < b.size() && i <= k_max_method; ++i) {
    if (b[i] == ' ') return i > 0;
    if (!is_upper(b[i]) && !(i > 0 && (b[i] == '-' || b[i] == '_'))) return false;
  }
  return b.size() <= k_max_method && !b.empty();
}

Scan scan_http_request(std::span<const std::uint8_t> stream, HttpRequest& out) noexcept {
  try {
    if (!looks_like_http(stream)) return Scan::NotThis;
    std::string_view text = as_text(stream);
    bool need_host = false;
    std::size_t pos = 0;
    bool first = true;
    // RFC 9112 §2.2: lines end in CRLF; a bare LF is accepted as a terminator.
    for (;;) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) return Scan::NeedMore;
      std::string_view line = text.substr(pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos = nl + 1;
      if (first) {
        first = false;
        Scan s = request_line(line, out, need_host);
        if (s != Scan::NeedMore) return s;
        continue;
      }
      if (line.empty()) return Scan::NotThis; // head ended without a Host: nothing to name
      auto colon = line.find(':');
      if (colon == std::string_view::npos) return Scan::Malformed;
      if (iequals(line.substr(0, colon), "host")) {
        std::string_view value = trim_ows(line.substr(colon + 1));
        return parse_authority(value, out) ? Scan::Found : Scan::Malformed;
      }
    }
  } catch (...) {
    return Scan::Malformed;
  }
}

} // namespace netmap::dissect
