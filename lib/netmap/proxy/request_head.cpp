#include "netmap/proxy/request_head.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/sock_addr.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace netmap::proxy {

namespace {

constexpr std::size_t k_max_headers = 100;

// RFC 9110 §5.6.2 tchar.
bool is_tchar(std::uint8_t c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
  case '^': case '_': case '`': case '|': case '~': return true;
  default: return false;
  }
}

// Field values may hold VCHAR, SP, HTAB and obs-text (RFC 9110 §5.5); never CR, LF, NUL or CTLs.
bool is_field_char(std::uint8_t c) noexcept { return c == '\t' || (c >= 0x20 && c != 0x7f); }

enum class LineResult { Ok, Bad };

// Reads one CRLF-terminated line. A CR not followed by LF, or an LF without CR, is an error: lenient
// line endings are what request smuggling between two parsers relies on (RFC 9112 §2.2).
LineResult read_line(base::ByteReader& r, std::string_view& line) noexcept {
  auto rest = r.rest();
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '\n') return LineResult::Bad;
    if (rest[i] == '\r') {
      if (i + 1 >= rest.size() || rest[i + 1] != '\n') return LineResult::Bad;
      line = std::string_view(reinterpret_cast<const char*>(rest.data()), i);
      (void)r.skip(i + 2);
      return LineResult::Ok;
    }
  }
  return LineResult::Bad;
}

// The end of the head (index just past CRLFCRLF) within the first `limit` bytes, or 0.
std::size_t find_head_end(std::span<const std::uint8_t> b, std::size_t limit) noexcept {
  std::size_t n = std::min(b.size(), limit);
  for (std::size_t i = 3; i < n; ++i)
    if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') return i + 1;
  return 0;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses header lines until the blank line; 0, or the status (with a reason) when one is malformed
// (400) or there are too many (431, RFC 6585 §5).
int parse_fields(base::ByteReader& r, std::vector<Header>& out, std::string& reason) {
  for (;;) {
    std::string_view line;
    if (read_line(r, line) != LineResult::Ok) {
      reason = "bare CR or LF in the header section";
      return 400;
    }
    if (line.empty()) return 0;
    if (line.front() == ' ' || line.front() == '\t') {
      reason = "obsolete line folding (obs-fold) in a header"; // RFC 9112 §5.2 allows rejecting it
      return 400;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      reason = "header line without a field name";
      return 400;
    }
    for (std::size_t i = 0; i < colon; ++i)
      if (!is_tchar(static_cast<std::uint8_t>(line[i]))) {
        reason = "invalid character in a header name"; // includes space before ':' (RFC 9112 §5.1)
        return 400;
      }
    auto value = line.substr(colon + 1);
    for (char c : value)
      if (!is_field_char(static_cast<std::uint8_t>(c))) {
        reason = "control character in a header value";
        return 400;
      }
    if (out.size() >= k_max_headers) {
      reason = "too many header fields";
      return 431;
    }
    out.push_back({std::string(line.substr(0, colon)), std::string(trim_ows(value))});
  }
}

// "HTTP/1.x" → x; -1 for another HTTP version; -2 when it is not a version at all.
int parse_version(std::string_view v) noexcept {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return -2;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return -2;
  if (v[5] != '1') return -1;
  return v[7] - '0';
}

// getaddrinfo(3) takes any inet_aton(3) form for an IPv4 address, not only dotted quads:
// "0x7f.0x1", "0x7f000001", "127.1". Such a name must count as the address it is, or it would pass
// as a host name (under an allow-all policy) and reach the address the literal check refuses.
bool resolver_reads_as_ipv4(std::string_view host) noexcept {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1); // the name is looked up without it
  char buf[64];
  if (host.empty() || host.size() >= sizeof buf) return false;
  host.copy(buf, host.size());
  buf[host.size()] = '\0';
  in_addr a{};
  return ::inet_aton(buf, &a) != 0;
}

RequestParse fail(int status, std::string reason) {
  RequestParse p;
  p.status = HeadStatus::Error;
  p.error_status = status;
  p.reason = std::move(reason);
  return p;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool is_hop_by_hop(std::string_view name, std::string_view connection) noexcept {
  // RFC 9110 §7.6.1 names Connection and the fields it lists; the rest are the classic hop-by-hop
  // set (RFC 2616 §13.5.1) plus Proxy-Connection, which some clients still send.
  static constexpr std::string_view k_fixed[] = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
                                                 "proxy-authorization", "te", "trailer", "upgrade"};
  for (auto f : k_fixed)
    if (iequals(name, f)) return true;
  std::size_t start = 0;
  while (start <= connection.size()) {
    auto comma = connection.find(',', start);
    auto token = trim_ows(connection.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    // Framing fields stay whatever Connection lists: without its Content-Length the server would
    // read the body the proxy relays as a request of its own (request smuggling).
    if (!token.empty() && iequals(token, name) && !iequals(token, "transfer-encoding") && !iequals(token, "host") &&
        !iequals(token, "content-length"))
      return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

const Header* RequestHead::find(std::string_view name) const noexcept {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

RequestParse parse_request_head(std::span<const std::uint8_t> bytes, std::size_t max_head) noexcept {
  try {
    std::size_t end = find_head_end(bytes, max_head);
    if (end == 0) {
      if (bytes.size() >= max_head) {
        // No end of the request line within the limit: the target is what is too long (RFC 9112 §3).
        for (std::size_t i = 0; i + 1 < max_head && i + 1 < bytes.size(); ++i)
          if (bytes[i] == '\r' && bytes[i + 1] == '\n') return fail(431, "request head larger than the limit");
        return fail(414, "request line longer than the limit");
      }
      // An early bare LF or a NUL can be refused now instead of waiting for more bytes.
      for (std::size_t i = 0; i < bytes.size(); ++i)
        if (bytes[i] == 0 || (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))) return fail(400, "bare LF or NUL in the request head");
      RequestParse p;
      return p;
    }
    base::ByteReader r(bytes.first(end));
    std::string_view line;
    if (read_line(r, line) != LineResult::Ok) return fail(400, "bare CR or LF in the request line");
    RequestParse p;
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
      return fail(400, "malformed request line");
    auto method = line.substr(0, sp1);
    auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (method.empty() || target.empty()) return fail(400, "malformed request line");
    for (char c : method)
      if (!is_tchar(static_cast<std::uint8_t>(c))) return fail(400, "invalid character in the method");
    for (char c : target)
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
        return fail(400, "invalid character in the request target");
    int minor = parse_version(line.substr(sp2 + 1));
    if (minor == -2) return fail(400, "malformed HTTP version");
    if (minor == -1) return fail(505, "only HTTP/1.x is spoken here");
    p.head.method = std::string(method);
    p.head.target = std::string(target);
    p.head.minor_version = minor;
    if (int bad = parse_fields(r, p.head.headers, p.reason); bad != 0) return fail(bad, p.reason);
    p.status = HeadStatus::Complete;
    p.head_bytes = end;
    return p;
  } catch (...) { // allocation failure only; a decoder never throws
    return fail(400, "request head could not be stored");
  }
}

ResponseParse parse_response_head(std::span<const std::uint8_t> bytes, std::size_t max_head) noexcept {
  ResponseParse p;
  try {
    std::size_t end = find_head_end(bytes, max_head);
    if (end == 0) {
      if (bytes.size() >= max_head) p.status = HeadStatus::Error;
      return p;
    }
    base::ByteReader r(bytes.first(end));
    std::string_view line;
    p.status = HeadStatus::Error;
    if (read_line(r, line) != LineResult::Ok || line.size() < 12 || line[8] != ' ') return p;
    int minor = parse_version(line.substr(0, 8));
    if (minor < 0) return p;
    int code = 0;
    auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, code);
    if (ec != std::errc() || ptr != line.data() + 12 || code < 100 || code > 599) return p;
    if (line.size() > 12 && line[12] != ' ') return p;
    std::string_view reason_text = line.size() > 13 ? line.substr(13) : std::string_view();
    // reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4): control bytes would reach
    // the client's terminal or log through the status line the proxy writes.
    for (unsigned char c : reason_text)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return p;
    p.head.minor_version = minor;
    p.head.status = code;
    p.head.reason = std::string(reason_text);
    std::string reason;
    if (parse_fields(r, p.head.headers, reason) != 0) return p;
    p.status = HeadStatus::Complete;
    p.head_bytes = end;
  } catch (...) {
    p.status = HeadStatus::Error;
  }
  return p;
}

std::string Authority::str() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Authority> parse_authority(std::string_view text, std::optional<std::uint16_t> default_port) {
  Authority a;
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
      has_port = true;
    }
    if (host.find(':') == std::string_view::npos || !base::sockaddr_of(host, 0)) return std::nullopt;
    a.ip_literal = true;
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return std::nullopt;
    // reg-name as DNS names use it; percent-escapes, '@' (userinfo) and sub-delims are refused.
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
      if (!ok) return std::nullopt;
    }
    a.ip_literal = base::sockaddr_of(host, 0).has_value() || resolver_reads_as_ipv4(host);
  }
  if (has_port) {
    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || ptr != port.data() + port.size() || v == 0 || v > 65535) return std::nullopt;
    a.port = static_cast<std::uint16_t>(v);
  } else {
    if (!default_port) return std::nullopt;
    a.port = *default_port;
  }
  for (char c : host) a.host += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return a;
}

namespace {

TargetParse target_fail(int status, std::string reason) {
  TargetParse t;
  t.error_status = status;
  t.reason = std::move(reason);
  return t;
}

// The transfer codings of every Transfer-Encoding field, in order; false when one is not a token.
bool transfer_codings(const RequestHead& head, std::vector<std::string_view>& out) {
  for (const auto& h : head.headers) {
    if (!iequals(h.name, "transfer-encoding")) continue;
    std::string_view v = h.value;
    for (std::size_t start = 0;;) {
      auto comma = v.find(',', start);
      auto token = trim_ows(v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (token.empty()) return false;
      for (char c : token)
        if (!is_tchar(static_cast<std::uint8_t>(c))) return false; // parameters are refused too
      out.push_back(token);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return true;
}

// Conflicting or malformed framing is how a request is smuggled past one parser and into the next
// (RFC 9112 §6.3 items 3 to 5): refuse instead of guessing. Sets the body's framing in `t`.
TargetParse check_framing(const RequestHead& head, ProxyTarget& t) {
  std::string length;
  int hosts = 0;
  for (const auto& h : head.headers) {
    if (iequals(h.name, "host")) ++hosts;
    if (!iequals(h.name, "content-length")) continue;
    if (h.value.empty() || h.value.find_first_not_of("0123456789") != std::string::npos || h.value.size() > 18)
      return target_fail(400, "invalid Content-Length");
    if (!length.empty() && length != h.value) return target_fail(400, "conflicting Content-Length headers");
    length = h.value;
  }
  if (hosts > 1) return target_fail(400, "more than one Host header");
  std::vector<std::string_view> codings;
  if (!transfer_codings(head, codings)) return target_fail(400, "malformed Transfer-Encoding");
  if (!codings.empty()) {
    if (!length.empty()) return target_fail(400, "both Transfer-Encoding and Content-Length");
    if (head.minor_version == 0) return target_fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    // §6.3 item 4: without chunked last, the body's end cannot be known: 400. Any other coding
    // (chunked twice, gzip, identity) is one more way for two parsers to disagree: 501, as squid.
    if (!iequals(codings.back(), "chunked")) return target_fail(400, "Transfer-Encoding without chunked last");
    if (codings.size() != 1) return target_fail(501, "only Transfer-Encoding: chunked is supported");
    t.chunked = true;
  }
  if (!length.empty()) (void)std::from_chars(length.data(), length.data() + length.size(), t.content_length);
  return {};
}

} // namespace

TargetParse parse_target(const RequestHead& head) {
  ProxyTarget t;
  if (auto bad = check_framing(head, t); !bad.reason.empty()) return bad;
  const std::string& target = head.target;
  if (head.method == "CONNECT") {
    auto a = parse_authority(target, std::nullopt);
    if (!a) return target_fail(400, "CONNECT needs host:port with a port from 1 to 65535");
    t.tunnel = true;
    t.authority = *a;
    return {t, 0, {}};
  }
  auto lower_prefix = [&](std::string_view p) { return target.size() >= p.size() && iequals(std::string_view(target).substr(0, p.size()), p); };
  if (lower_prefix("https://")) return target_fail(400, "https:// URLs must be tunnelled with CONNECT");
  if (!lower_prefix("http://")) {
    if (!target.empty() && target.front() == '/')
      return target_fail(400, "this is a proxy: send an absolute URL (http://host/path) or CONNECT host:port");
    return target_fail(400, "unsupported request target (only http:// URLs and CONNECT)");
  }
  std::string_view rest = std::string_view(target).substr(7);
  auto slash = rest.find_first_of("/?#");
  auto auth = rest.substr(0, slash);
  if (auth.find('@') != std::string_view::npos) return target_fail(400, "user information in the URL is not allowed");
  auto a = parse_authority(auth, std::uint16_t{80});
  if (!a) return target_fail(400, "bad host or port in the URL");
  std::string path(slash == std::string_view::npos ? std::string_view() : rest.substr(slash));
  if (path.find('#') != std::string::npos) return target_fail(400, "a fragment does not belong in a request");
  if (path.empty()) path = "/";
  else if (path.front() == '?') path = "/" + path;
  t.authority = *a;
  t.path = std::move(path);
  return {t, 0, {}};
}

} // namespace netmap::proxy
