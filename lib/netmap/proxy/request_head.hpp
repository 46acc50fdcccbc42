#pragma once
// The proxy's reader of untrusted HTTP/1.x heads (RFC 9112): a strict request parser that rejects
// what request smuggling and header injection need (bare CR/LF, obs-fold, control bytes, conflicting
// framing), plus the response-head reader used on upstream answers. Never throws, never logs.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::proxy {

/// One header field as received (name case kept; compare with iequals).
struct Header {
  std::string name;
  std::string value; ///< without surrounding whitespace
};

/// How far parsing got.
enum class HeadStatus {
  Incomplete, ///< no end of head yet, and still under the size limit
  Complete,   ///< parsed; `head_bytes` bytes consumed
  Error,      ///< malformed or too large; `status` and `reason` say why
};

/// A parsed request head.
struct RequestHead {
  std::string method;           ///< e.g. "CONNECT", "GET" (case-sensitive, RFC 9110 §9.1)
  std::string target;           ///< request-target as sent (authority-form or absolute-form)
  int minor_version = 1;        ///< HTTP/1.<minor>
  std::vector<Header> headers;  ///< in order
  /// The first header with this name (case-insensitive), or null.
  [[nodiscard]] const Header* find(std::string_view name) const noexcept;
};

/// The outcome of parsing a request head.
struct RequestParse {
  HeadStatus status = HeadStatus::Incomplete;
  RequestHead head;            ///< valid when Complete
  std::size_t head_bytes = 0;  ///< bytes of the head including the blank line, when Complete
  int error_status = 0;        ///< 400, 414, 431 or 505 when Error
  std::string reason;          ///< a short, safe (ASCII, no CR/LF) explanation when Error
};

/// Parses a request head from the first bytes a client sent. `max_head` bounds the head size.
[[nodiscard]] RequestParse parse_request_head(std::span<const std::uint8_t> bytes, std::size_t max_head) noexcept;

/// host[:port] as a proxy target names it.
struct Authority {
  std::string host;        ///< lowercase; IPv6 without brackets
  std::uint16_t port = 0;  ///< 1..65535
  bool ip_literal = false; ///< host is an IPv4 or IPv6 address
  /// "host:port" with IPv6 bracketed.
  [[nodiscard]] std::string str() const;
};

/// What a proxy request asks for.
struct ProxyTarget {
  bool tunnel = false;  ///< CONNECT
  Authority authority;  ///< where to connect
  std::string path;     ///< origin-form path+query for forwarded requests ("/" when empty)
  bool chunked = false; ///< the body is chunked (Transfer-Encoding: chunked)
  std::uint64_t content_length = 0; ///< the body's length when not chunked (0: no body)
};

/// The target of a parsed request, or (status, reason) when it is not one a proxy serves:
/// CONNECT needs authority-form with a port; others need absolute-form http:// (no userinfo), and
/// a body framed by one Content-Length or by Transfer-Encoding: chunked alone.
struct TargetParse {
  std::optional<ProxyTarget> target; ///< set on success
  int error_status = 400;            ///< 400 or 501 (a transfer coding other than chunked)
  std::string reason;                ///< safe text when it failed
};
/// Classifies and checks the request target and framing headers (RFC 9112 §3.2, §6.3).
[[nodiscard]] TargetParse parse_target(const RequestHead& head);

/// Parses "host[:port]" (port required unless `default_port` is given). Nothing when malformed.
[[nodiscard]] std::optional<Authority> parse_authority(std::string_view text, std::optional<std::uint16_t> default_port);

/// A parsed response head (upstream proxy answers, origin responses to forwarded requests).
struct ResponseHead {
  int minor_version = 1;       ///< HTTP/1.<minor>
  int status = 0;              ///< 100..599
  std::string reason;          ///< reason phrase (escaped before any display)
  std::vector<Header> headers; ///< in order
};

/// The outcome of parsing a response head.
struct ResponseParse {
  HeadStatus status = HeadStatus::Incomplete;
  ResponseHead head;           ///< valid when Complete
  std::size_t head_bytes = 0;  ///< bytes of the head when Complete
};

/// Parses a response head; Error when malformed or larger than `max_head`.
[[nodiscard]] ResponseParse parse_response_head(std::span<const std::uint8_t> bytes, std::size_t max_head) noexcept;

/// ASCII case-insensitive equality (header names, methods in lists).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
/// True for the RFC 9110 §7.6.1 hop-by-hop fields a proxy must not forward, plus the names listed
/// in `connection` (the Connection header's value).
[[nodiscard]] bool is_hop_by_hop(std::string_view name, std::string_view connection) noexcept;

} // namespace netmap::proxy
