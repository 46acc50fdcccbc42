#pragma once
// Pointing a command at one resolver: a resolv.conf naming it, bind-mounted over /etc/resolv.conf
// in a private mount namespace, so the rest of the system keeps its own.

#include <string>
#include <vector>

namespace netmap::sandbox {

/// The text of a resolv.conf whose only nameservers are `nameservers` (numeric addresses, port 53:
/// glibc's stub cannot use another port), keeping the host's `search`, `domain` and `options`
/// lines from `host_text` so nothing else changes.
[[nodiscard]] std::string resolv_conf_text(const std::string& host_text, const std::vector<std::string>& nameservers);

/// A file with given contents that is removed when this object goes away.
class TempFile {
public:
  /// Writes `text` to a new 0644 file in `dir` (mkstemp). Throws base::UserError.
  TempFile(const std::string& dir, const std::string& text);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  /// The file's path.
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

private:
  std::string m_path;
};

/// For a child before exec: enters a new mount namespace, makes every mount private (so nothing
/// propagates back to the host) and bind-mounts `file` over `target` (default /etc/resolv.conf).
/// Returns an empty string on success, else the reason (errno text and what failed).
[[nodiscard]] std::string bind_resolv_conf(const std::string& file, const std::string& target = "/etc/resolv.conf");

/// The capabilities `sandbox-dns -- CMD` lacks: "CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE" (empty when
/// the effective set holds both, as it does for root outside a restricted container).
[[nodiscard]] std::vector<std::string> missing_resolver_capabilities();

} // namespace netmap::sandbox
