#pragma once
// Turns a policy and an inventory into a target's own configuration text.

#include "netmap/report/entries.hpp"

#include <string>
#include <vector>

namespace netmap::report {

/// A target's configuration plus the notes that could not go into it as comments (JSON targets).
struct ExportOutput {
  std::string text;                ///< the configuration, ending with a newline
  std::vector<std::string> notes;  ///< one line each, for stderr ("api.x: widened: …")
};

/// The configuration text for `target` (ending with a newline). Throws base::UserError when the
/// target has no exporter or the input cannot be expressed (a bad upstream address).
[[nodiscard]] std::string export_config(policy::Target target, const ExportInput& in);
/// Same, with the notes JSON targets cannot hold as comments.
/// `upstream` (resolver targets): "ADDR[#PORT],…" to forward to; empty: the policy's
/// dns.custom_resolvers, else the target's default.
[[nodiscard]] ExportOutput export_target(policy::Target target, const ExportInput& in, const std::string& upstream = {});

/// The Codex environment `network:` block (spec CDX-301f module 1), YAML.
[[nodiscard]] std::string export_codex(const ExportInput& in);
/// Copilot coding agent custom allowlist entries, one a line, plus the legacy variable in a comment.
[[nodiscard]] std::string export_copilot(const ExportInput& in);
/// Claude Code settings.json fragment: sandbox.network.allowedDomains. Notes go to `notes`.
[[nodiscard]] std::string export_claude(const ExportInput& in, std::vector<std::string>& notes);
/// sandbox-runtime settings: network.allowedDomains / network.deniedDomains. Notes go to `notes`.
[[nodiscard]] std::string export_srt(const ExportInput& in, std::vector<std::string>& notes);
/// netmap's own JSON allowlist (schema netmap.allowlist), with reasons and notes per entry.
[[nodiscard]] std::string export_json(const ExportInput& in);
/// A GitHub Actions step running step-security/harden-runner with egress-policy block.
[[nodiscard]] std::string export_harden_runner(const ExportInput& in);
/// squid.conf fragment: dstdomain ACLs, CONNECT/port restrictions, http_access, deny all last.
[[nodiscard]] std::string export_squid(const ExportInput& in);
/// dnsmasq.conf for an allowlist-only resolver (no-resolv, server=/x/UP per entry, NXDOMAIN for
/// the rest). Without `upstream` or dns.custom_resolvers, the nameservers of `resolv_conf` are
/// written out; none there is a base::UserError.
[[nodiscard]] std::string export_dnsmasq(const ExportInput& in, const std::string& upstream = {},
                                         const std::string& resolv_conf = "/etc/resolv.conf");
/// unbound.conf for an allowlist-only resolver (local-zone "." always_nxdomain, transparent zones;
/// do-not-query-localhost: no when an upstream is on loopback).
[[nodiscard]] std::string export_unbound(const ExportInput& in, const std::string& upstream = {});

} // namespace netmap::report
