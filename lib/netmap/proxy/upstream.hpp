#pragma once
// The parent proxy netmap's proxy chains to: from the policy's `proxy:` block or from the
// environment netmap was started in (HTTPS_PROXY, HTTP_PROXY, NO_PROXY in both cases).

#include "netmap/base/error.hpp"
#include "netmap/proxy/no_proxy.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace netmap::proxy {

/// One upstream (parent) HTTP proxy.
struct UpstreamProxy {
  std::string host;          ///< name or IP literal (no brackets)
  std::uint16_t port = 0;    ///< TCP port (default 80 when the URL has none, as curl does)
  std::string authorization; ///< "Basic <base64(user:pass)>" from the URL userinfo, or empty
  std::string url;           ///< the URL without credentials, for messages
};

/// Parses "http://[user[:pass]@]host[:port][/]" (scheme optional, as curl accepts). Percent-escapes
/// in user and password are decoded. Fails for other schemes (an https:// proxy needs TLS to the
/// proxy itself, which netmap does not speak), paths, and bad ports.
[[nodiscard]] base::Result<UpstreamProxy> parse_proxy_url(std::string_view url);

/// Which parent proxy to use for what.
struct UpstreamSettings {
  std::optional<UpstreamProxy> http;  ///< for absolute-form http:// requests
  std::optional<UpstreamProxy> https; ///< for CONNECT tunnels
  NoProxy no_proxy;                   ///< destinations that go direct

  /// The parent for a destination, or nothing when it goes direct. `tunnel` picks https vs http.
  [[nodiscard]] const UpstreamProxy* pick(std::string_view host, bool tunnel) const;
  /// True when no parent proxy is configured at all.
  [[nodiscard]] bool empty() const noexcept { return !http && !https; }
};

/// Builds settings from explicit URLs (policy) falling back to `env` (name → value, e.g. the
/// process environment): https from HTTPS_PROXY/https_proxy, http from HTTP_PROXY/http_proxy,
/// https falling back to http; no_proxy from NO_PROXY/no_proxy (lowercase wins, as curl reads).
/// Throws base::UserError for an unusable URL, located at `http_at`/`https_at` when the URL came
/// from a file, else naming `origin` ("--upstream") or the variable it came from.
[[nodiscard]] UpstreamSettings make_upstream_settings(const std::string& http_url, const std::string& https_url,
                                                      const std::string& no_proxy,
                                                      const std::map<std::string, std::string>& env,
                                                      const std::string& origin, const base::Location& http_at = {},
                                                      const base::Location& https_at = {});

/// The proxy-related variables of this process's environment.
[[nodiscard]] std::map<std::string, std::string> proxy_environment();

} // namespace netmap::proxy
