#pragma once
// A DNS name as netmap compares it: lowercase A-labels, no trailing dot, RFC 1035 lengths.

#include "netmap/base/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace netmap::policy {

/// A validated, normalized host name (never empty, never an IP literal).
class DomainName {
public:
  /// Parses user or wire text: lowercases, strips one trailing dot, converts Unicode (IDNA2008 via
  /// libidn2) to A-labels, checks lengths (label <= 63, name <= 253), characters, and that every
  /// "xn--" label is a valid A-label. Never throws.
  static base::Result<DomainName> parse(std::string_view text);

  /// The normalized name, e.g. "www.example.com".
  [[nodiscard]] const std::string& str() const noexcept { return m_name; }
  /// Number of labels ("www.example.com" has 3).
  [[nodiscard]] std::size_t label_count() const noexcept;
  /// True when this name equals `parent` or lies below it on a label boundary.
  [[nodiscard]] bool is_within(const DomainName& parent) const noexcept;
  /// True when this name lies strictly below `parent` on a label boundary.
  [[nodiscard]] bool is_strictly_below(const DomainName& parent) const noexcept;
  /// The parent name (one label less), or nothing for a single-label name.
  [[nodiscard]] base::Result<DomainName> parent() const;

  friend bool operator==(const DomainName& a, const DomainName& b) noexcept { return a.m_name == b.m_name; }
  friend auto operator<=>(const DomainName& a, const DomainName& b) noexcept { return a.m_name <=> b.m_name; }

  DomainName() = default; // an empty placeholder; only parse() makes valid names

private:
  explicit DomainName(std::string name) : m_name(std::move(name)) {}
  std::string m_name;
};

/// True when `text` is an IPv4 or IPv6 literal (bracketed or not), which a name rule cannot hold.
[[nodiscard]] bool is_ip_literal(std::string_view text) noexcept;

/// True when `text` is exactly what DomainName::parse(text).str() returns (lower-case LDH labels
/// of 1..63 bytes, at most 253 bytes, no trailing dot, last label not numeric, every "xn--" label
/// a valid A-label): no parse needed.
[[nodiscard]] bool is_canonical_host(std::string_view text) noexcept;

/// True when `name` equals `parent` or ends with "." + parent (both already normalized).
[[nodiscard]] bool name_within(std::string_view name, std::string_view parent) noexcept;

} // namespace netmap::policy
