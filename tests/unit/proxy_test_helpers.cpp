#include "unit/proxy_test_helpers.hpp"

#include "netmap/policy/rule.hpp"

#include <sys/socket.h>

namespace netmap::test {

RunningProxy::RunningProxy(proxy::ProxyConfig cfg) : server(std::move(cfg)) {
  std::string bound = server.listen("127.0.0.1:0");
  port = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
  thread = std::thread([this] { server.run(); });
}

RunningProxy::~RunningProxy() {
  server.stop();
  thread.join();
}

proxy::ProxyConfig allowing_allowed_test() {
  auto matcher = std::make_shared<policy::Matcher>();
  matcher->add(policy::parse_rule("allowed.test").value());
  proxy::ProxyConfig cfg;
  cfg.matcher = matcher;
  cfg.host_overrides = {{"allowed.test", "127.0.0.1"}};
  return cfg;
}

std::string read_until_closed(int fd) {
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

} // namespace netmap::test
