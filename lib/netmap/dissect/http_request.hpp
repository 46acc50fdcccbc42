#pragma once
// The head of an HTTP/1.x request (RFC 9112 §3): the Host header, an absolute-form target sent to
// a proxy, or a CONNECT authority. The request line is the truth; Host is consulted otherwise.

#include "netmap/dissect/scan.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace netmap::dissect {

/// The destination an HTTP request names.
struct HttpRequest {
  bool connect = false;     ///< a CONNECT (tunnel) request
  bool absolute = false;    ///< the host came from an absolute-form target, not a Host header
  std::string host;         ///< lowercase, no trailing dot, escaped; IPv6 literals without brackets
  std::uint16_t port = 0;   ///< the port named, 0 when none
};

/// Scans the first bytes of a TCP direction for a request head.
[[nodiscard]] Scan scan_http_request(std::span<const std::uint8_t> stream, HttpRequest& out) noexcept;

/// True when these bytes can begin a request line (an upper-case method token).
[[nodiscard]] bool looks_like_http(std::span<const std::uint8_t> bytes) noexcept;

} // namespace netmap::dissect
