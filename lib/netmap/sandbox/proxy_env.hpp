#pragma once
// The proxy environment the real sandboxes give their commands (Codex cloud's observed set:
// HTTP(S)_PROXY in both cases, NO_PROXY in both cases, npm, yarn, gradle, electron), pointed at
// the fence's proxy.

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::sandbox {

/// What NO_PROXY/no_proxy carry: loopback only, as the sandboxes set it.
inline constexpr const char* k_no_proxy = "localhost,127.0.0.1,::1";

/// `base` ("K=V" entries) with every proxy variable replaced by the proxy at host:port. Any other
/// variable naming a proxy (ALL_PROXY, FTP_PROXY, PIP_PROXY, CARGO_HTTP_PROXY: any *_PROXY or
/// *_NOPROXY, any case; GIT_PROXY_COMMAND) is removed. JVM option variables (GRADLE_OPTS,
/// JAVA_TOOL_OPTIONS, _JAVA_OPTIONS, JDK_JAVA_OPTIONS, JAVA_OPTS, MAVEN_OPTS) keep their other
/// flags, with their proxy properties pointed at host:port; GRADLE_OPTS is always set.
[[nodiscard]] std::vector<std::string> proxy_environment(const std::vector<std::string>& base,
                                                         const std::string& host, std::uint16_t port);

/// The current process environment as "K=V" entries.
[[nodiscard]] std::vector<std::string> current_environment();

} // namespace netmap::sandbox
