#pragma once
// Which destinations bypass the upstream proxy: a no_proxy list read with curl's semantics
// (see docs/reference §4.1): a name matches itself and its subdomains on a label boundary, a leading
// dot is ignored, `*` alone bypasses everything, CIDR and IP literals match addresses, ports are
// ignored; loopback (localhost, *.localhost, 127.0.0.0/8, ::1) is always direct.

#include "netmap/base/sock_addr.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::proxy {

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
  std::vector<base::Cidr> m_nets;   // CIDRs and single addresses
  bool m_all = false;
};

} // namespace netmap::proxy
