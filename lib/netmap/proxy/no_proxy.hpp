#pragma once
// Which destinations bypass the upstream proxy: a no_proxy list read with curl's semantics
// (see docs/reference §4.1): a name matches itself and its subdomains on a label boundary, a leading
// dot is ignored, `*` alone bypasses everything, CIDR and IP literals match addresses, ports are
// ignored; loopback (localhost, *.localhost, 127.0.0.0/8, ::1) is always direct.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::proxy {

/// An IPv4 or IPv6 network: an address (IPv4 stored as v4-mapped IPv6) and a prefix length.
struct Cidr {
  std::array<std::uint8_t, 16> address{}; ///< network address, IPv4 as ::ffff:a.b.c.d
  int prefix = 128;                       ///< prefix length in the 128-bit space
  /// True when `addr` (16 bytes, IPv4 v4-mapped) lies inside.
  [[nodiscard]] bool contains(const std::array<std::uint8_t, 16>& addr) const noexcept;
};

/// Parses "10.0.0.0/8", "::1/128", "192.168.1.5" (a host); nothing when it is not one.
[[nodiscard]] std::optional<Cidr> parse_cidr(std::string_view text);
/// Parses an IPv4 or IPv6 literal (IPv6 optionally bracketed) into the 16-byte v4-mapped form.
[[nodiscard]] std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text);
/// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
[[nodiscard]] bool is_loopback(const std::array<std::uint8_t, 16>& addr) noexcept;

/// A parsed no_proxy list.
class NoProxy {
public:
  NoProxy() = default;
  /// Parses a comma- (or space-) separated list as curl reads NO_PROXY; junk entries are ignored.
  static NoProxy parse(std::string_view list);
  /// True when `host` (a name or IP literal, lowercase, brackets allowed, port ignored) goes direct.
  [[nodiscard]] bool bypass(std::string_view host) const;
  /// True when the list is `*` (every host goes direct).
  [[nodiscard]] bool all() const noexcept { return m_all; }
  /// The list as given (for diagnostics).
  [[nodiscard]] const std::string& text() const noexcept { return m_text; }

private:
  std::string m_text;
  std::vector<std::string> m_names; // lowercase, no leading dot, no port
  std::vector<Cidr> m_nets;         // CIDRs and single addresses
  bool m_all = false;
};

} // namespace netmap::proxy
