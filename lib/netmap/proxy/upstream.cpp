#include "netmap/proxy/upstream.hpp"

#include "netmap/base/text.hpp"

#include <charconv>
#include <cstdlib>
#include <initializer_list>

extern char** environ; // NOLINT: POSIX

namespace netmap::proxy {

namespace {

std::string base64(std::string_view in) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
             (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8) |
             static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    for (int s = 18; s >= 0; s -= 6) out += k_alphabet[(n >> s) & 63];
  }
  std::size_t left = in.size() - i;
  if (left > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (left == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += left == 2 ? k_alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 3986 §2.1 percent-decoding of userinfo; nothing when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

} // namespace

base::Result<UpstreamProxy> parse_proxy_url(std::string_view url) {
  using R = base::Result<UpstreamProxy>;
  std::string_view rest = base::trim(url);
  auto scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string scheme = base::ascii_lower(rest.substr(0, scheme_end));
    if (scheme == "https")
      return R::failure("https:// proxies need TLS to the proxy itself, which netmap does not speak; use http://");
    if (scheme != "http") return R::failure("unsupported proxy scheme '" + base::escape_bytes(scheme) + "' (use http://)");
    rest.remove_prefix(scheme_end + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) return R::failure("a proxy URL has no path");
  UpstreamProxy p;
  auto at = rest.rfind('@');
  if (at != std::string_view::npos) {
    auto info = rest.substr(0, at);
    auto user = percent_decode(info.substr(0, info.find(':')));
    auto pass = info.find(':') == std::string_view::npos ? std::optional<std::string>("")
                                                         : percent_decode(info.substr(info.find(':') + 1));
    if (!user || !pass) return R::failure("bad percent-escape in the proxy URL's user or password");
    p.authorization = "Basic " + base64(*user + ":" + *pass);
    rest.remove_prefix(at + 1);
  }
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return R::failure("unclosed '[' in the proxy address");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return R::failure("junk after ']' in the proxy address");
      port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return R::failure("the proxy URL names no host");
  if (host.find_first_of(" \t\r\n@") != std::string_view::npos) return R::failure("bad character in the proxy host");
  p.host = base::ascii_lower(host);
  p.port = 80; // curl's default for a proxy URL without a port is 1080; http:// implies 80 here
  if (!port.empty()) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535)
      return R::failure("bad proxy port '" + base::escape_bytes(port) + "'");
    p.port = static_cast<std::uint16_t>(v);
  }
  bool v6 = p.host.find(':') != std::string::npos;
  p.url = "http://" + (v6 ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
  return p;
}

const UpstreamProxy* UpstreamSettings::pick(std::string_view host, bool tunnel) const {
  const auto& chosen = tunnel ? https : http;
  if (!chosen || no_proxy.bypass(host)) return nullptr;
  return &*chosen;
}

namespace {

// Lowercase first, then uppercase: curl's order, and what Codex sets (both, identical).
std::string env_value(const std::map<std::string, std::string>& env, const std::string& lower, std::string* which) {
  std::string upper;
  for (char c : lower) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  for (const std::string* name : std::initializer_list<const std::string*>{&lower, &upper}) {
    auto it = env.find(*name);
    if (it != env.end() && !base::trim(it->second).empty()) {
      *which = *name;
      return it->second;
    }
  }
  return {};
}

UpstreamProxy parse_or_throw(const std::string& url, const std::string& origin, const base::Location& at = {}) {
  auto p = parse_proxy_url(url);
  if (!p && !at.file.empty()) throw base::UserError(at, "bad upstream proxy URL: " + p.error());
  if (!p) throw base::UserError(origin + ": bad upstream proxy URL: " + p.error());
  return p.value();
}

} // namespace

UpstreamSettings make_upstream_settings(const std::string& http_url, const std::string& https_url,
                                        const std::string& no_proxy,
                                        const std::map<std::string, std::string>& env, const std::string& origin,
                                        const base::Location& http_at, const base::Location& https_at) {
  UpstreamSettings s;
  std::string which;
  if (!http_url.empty()) s.http = parse_or_throw(http_url, origin, http_at);
  else if (auto v = env_value(env, "http_proxy", &which); !v.empty()) s.http = parse_or_throw(v, which);
  if (!https_url.empty()) s.https = parse_or_throw(https_url, origin, https_at);
  else if (auto v = env_value(env, "https_proxy", &which); !v.empty()) s.https = parse_or_throw(v, which);
  if (!s.https && s.http) s.https = s.http; // one parent for both, as most environments set
  if (!no_proxy.empty()) s.no_proxy = NoProxy::parse(no_proxy);
  else s.no_proxy = NoProxy::parse(env_value(env, "no_proxy", &which));
  return s;
}

std::map<std::string, std::string> proxy_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = base::ascii_lower(kv.substr(0, eq));
    if (key == "http_proxy" || key == "https_proxy" || key == "no_proxy")
      out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

} // namespace netmap::proxy
