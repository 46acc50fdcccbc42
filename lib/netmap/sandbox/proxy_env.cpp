#include "netmap/sandbox/proxy_env.hpp"

#include "netmap/base/text.hpp"

#include <algorithm>
#include <array>
#include <string_view>

extern char** environ; // NOLINT: POSIX global

namespace netmap::sandbox {

namespace {

std::string_view key_of(std::string_view entry) {
  auto eq = entry.find('=');
  return eq == std::string_view::npos ? entry : entry.substr(0, eq);
}

// Variables that name a proxy for some scheme; all are replaced or dropped so that nothing in
// the fence is told about a proxy outside it (which it could not reach anyway, and which would
// turn policy blocks into confusing connect errors).
bool is_proxy_key(std::string_view key) {
  static constexpr std::array<std::string_view, 20> k_keys{
      "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "FTP_PROXY", "RSYNC_PROXY",
      "http_proxy", "https_proxy", "no_proxy", "all_proxy", "ftp_proxy", "rsync_proxy",
      "npm_config_http_proxy", "npm_config_https_proxy", "npm_config_proxy", "npm_config_noproxy",
      "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY", "ELECTRON_GET_USE_PROXY", "GLOBAL_AGENT_HTTP_PROXY"};
  return std::find(k_keys.begin(), k_keys.end(), key) != k_keys.end();
}

// GRADLE_OPTS may carry the user's JVM flags; keep them, drop only proxy properties.
std::string gradle_opts(std::string_view existing, const std::string& host, std::uint16_t port) {
  std::string out;
  for (const auto& flag : base::split(existing, " \t")) {
    bool proxy_flag = false;
    for (std::string_view p : {"-Dhttp.proxyHost=", "-Dhttp.proxyPort=", "-Dhttps.proxyHost=", "-Dhttps.proxyPort=",
                               "-Dhttp.nonProxyHosts="})
      proxy_flag = proxy_flag || flag.rfind(p, 0) == 0;
    if (!proxy_flag) out += flag + " ";
  }
  const std::string p = std::to_string(port);
  out += "-Dhttp.proxyHost=" + host + " -Dhttp.proxyPort=" + p + " -Dhttps.proxyHost=" + host +
         " -Dhttps.proxyPort=" + p + " -Dhttp.nonProxyHosts=localhost|127.0.0.1|[::1]";
  return out;
}

} // namespace

std::vector<std::string> proxy_environment(const std::vector<std::string>& base, const std::string& host,
                                           std::uint16_t port) {
  std::vector<std::string> out;
  std::string old_gradle;
  for (const auto& e : base) {
    std::string_view k = key_of(e);
    if (k == "GRADLE_OPTS") {
      old_gradle = e.substr(std::min(e.size(), k.size() + 1));
      continue;
    }
    if (!is_proxy_key(k)) out.push_back(e);
  }
  const std::string url = "http://" + host + ":" + std::to_string(port);
  for (const char* k : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "npm_config_http_proxy",
                        "npm_config_https_proxy", "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY"})
    out.push_back(std::string(k) + "=" + url);
  out.push_back(std::string("NO_PROXY=") + k_no_proxy);
  out.push_back(std::string("no_proxy=") + k_no_proxy);
  out.push_back("ELECTRON_GET_USE_PROXY=true");
  out.push_back("GRADLE_OPTS=" + gradle_opts(old_gradle, host, port));
  return out;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

} // namespace netmap::sandbox
