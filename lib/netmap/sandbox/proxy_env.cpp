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

// Variables that name a proxy for some scheme or tool (HTTPS_PROXY, all_proxy, PIP_PROXY,
// CARGO_HTTP_PROXY, npm_config_proxy, npm_config_noproxy, GIT_PROXY_COMMAND…): all are replaced or
// dropped, so nothing in the fence is told about a proxy outside it. It could not reach it, and
// replay would then blame the outside proxy's name instead of the host the client wanted.
// GOPROXY and GONOPROXY name Go module mirrors, not proxies, and have no underscore.
bool is_proxy_key(std::string_view key) {
  const std::string k = base::ascii_lower(key);
  auto ends = [&](std::string_view suffix) {
    return k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return k == "proxy" || ends("_proxy") || ends("_noproxy") || k == "git_proxy_command";
}

// The JVM takes proxies from system properties, which these variables pass to every java process.
constexpr std::array<std::string_view, 6> k_jvm_option_keys{"GRADLE_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                                                             "JDK_JAVA_OPTIONS", "JAVA_OPTS", "MAVEN_OPTS"};

bool is_jvm_proxy_flag(std::string_view flag) {
  for (std::string_view p : {"-Dhttp.proxyHost=", "-Dhttp.proxyPort=", "-Dhttps.proxyHost=", "-Dhttps.proxyPort=",
                             "-Dhttp.nonProxyHosts=", "-DsocksProxyHost=", "-DsocksProxyPort=", "-Djava.net.useSystemProxies=",
                             "-Dftp.proxyHost=", "-Dftp.proxyPort="})
    if (flag.rfind(p, 0) == 0) return true;
  return false;
}

// JVM options keep the user's own flags (-Xmx…); their proxy properties point at the fence's proxy.
std::string jvm_opts(std::string_view existing, const std::string& host, std::uint16_t port) {
  std::string out;
  for (const auto& flag : base::split(existing, " \t"))
    if (!is_jvm_proxy_flag(flag)) out += flag + " ";
  const std::string p = std::to_string(port);
  out += "-Dhttp.proxyHost=" + host + " -Dhttp.proxyPort=" + p + " -Dhttps.proxyHost=" + host +
         " -Dhttps.proxyPort=" + p + " -Dhttp.nonProxyHosts=localhost|127.0.0.1|[::1]";
  return out;
}

bool has_jvm_proxy_flag(std::string_view value) {
  for (const auto& flag : base::split(value, " \t"))
    if (is_jvm_proxy_flag(flag)) return true;
  return false;
}

} // namespace

std::vector<std::string> proxy_environment(const std::vector<std::string>& base, const std::string& host,
                                           std::uint16_t port) {
  std::vector<std::string> out;
  std::string old_gradle;
  for (const auto& e : base) {
    std::string_view k = key_of(e);
    std::string_view value = std::string_view(e).substr(std::min(e.size(), k.size() + 1));
    if (k == "GRADLE_OPTS") {
      old_gradle = value; // always set below: the sandboxes set it
      continue;
    }
    if (std::find(k_jvm_option_keys.begin(), k_jvm_option_keys.end(), k) != k_jvm_option_keys.end()) {
      out.push_back(has_jvm_proxy_flag(value) ? std::string(k) + "=" + jvm_opts(value, host, port) : e);
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
  out.push_back("GRADLE_OPTS=" + jvm_opts(old_gradle, host, port));
  return out;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

} // namespace netmap::sandbox
