#pragma once
// The answers the proxy gives instead of a connection: status, the x-proxy-error tag sandboxes use,
// and a one-line body that names the host and what would let it through.

#include "netmap/policy/matcher.hpp"

#include <string>
#include <utility>
#include <vector>

namespace netmap::proxy {

/// An error response the proxy sends itself (always with Connection: close).
struct Refusal {
  int status = 403;                 ///< HTTP status
  std::string tag;                  ///< x-proxy-error value ("blocked-by-allowlist", …); empty for none
  std::string body;                 ///< one line, ASCII, no CR/LF (a newline is appended)
  std::vector<std::pair<std::string, std::string>> headers; ///< extra headers (Retry-After, …)
};

/// The 403 for a host the policy does not let through (Unlisted, Denied, Mock, Ignored, Invalid).
/// `host` must already be safe (normalized or escaped); `policy_name` is named in the hint.
[[nodiscard]] Refusal policy_refusal(const policy::Verdict& v, const std::string& host, const std::string& policy_name);
/// The 403 for a method outside the policy's `methods:` list.
[[nodiscard]] Refusal method_refusal(const std::string& method, const std::string& host,
                                     const std::vector<std::string>& methods, const std::string& policy_name);
/// The 403 for a CONNECT or URL naming a bare IP address.
[[nodiscard]] Refusal ip_literal_refusal(const std::string& host);
/// A plain error (400, 408, 429, 431, 502, 504, 508, …) with a one-line body and optional tag.
[[nodiscard]] Refusal plain_refusal(int status, std::string body, std::string tag = {});
/// The standard reason phrase for a status ("Forbidden").
[[nodiscard]] const char* reason_phrase(int status) noexcept;
/// The whole response as bytes: status line, headers, body.
[[nodiscard]] std::string render(const Refusal& r);

} // namespace netmap::proxy
