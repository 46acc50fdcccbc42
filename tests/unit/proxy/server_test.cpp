#include "netmap/proxy/server.hpp"
#include "netmap/proxy/worker.hpp"

#include "netmap/base/sock_addr.hpp"
#include "netmap/policy/rule.hpp"
#include "unit/proxy_test_helpers.hpp"
#include "unit/socket_test_helpers.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace netmap;

namespace {

using test::local_port;

// A listening socket on 127.0.0.1: the kernel completes connects to it, which is all a tunnel needs.
base::Fd origin(std::uint16_t& port) {
  base::Fd fd = test::bound_loopback(SOCK_STREAM, port);
  EXPECT_EQ(listen(fd.get(), 16), 0);
  return fd;
}

base::Fd connect_to(std::uint16_t port) {
  base::Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  test::receive_timeout(fd.get(), 5);
  sockaddr_in a = test::loopback(port);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

using test::allowing_allowed_test;
using test::RunningProxy;

std::string status_line(int fd) {
  std::string got;
  char buf[512];
  while (got.find("\r\n") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got.substr(0, got.find("\r\n"));
}

} // namespace

TEST(ProxyServer, RefusalHookRunsBeforeTheClientIsAnsweredAndNeverForAllowedTraffic) {
  std::uint16_t origin_port = 0;
  base::Fd up = origin(origin_port);
  auto matcher = std::make_shared<policy::Matcher>();
  matcher->add(policy::parse_rule("allowed.test").value());

  std::atomic<int> client_fd{-1};
  std::mutex mu;
  std::vector<std::string> hooked;          // names the hook saw
  std::vector<bool> answered_before_hook;   // whether the client could already read something
  std::vector<inventory::Event> events;
  proxy::ProxyConfig cfg;
  cfg.matcher = matcher;
  cfg.host_overrides = {{"allowed.test", "127.0.0.1"}};
  cfg.on_refusal = [&](inventory::Event& e) {
    char probe;
    ssize_t n = recv(client_fd.load(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    std::lock_guard lock(mu);
    hooked.push_back(e.name);
    answered_before_hook.push_back(!(n < 0 && errno == EAGAIN));
    e.pid = 4242; // what replay fills in; the emitted event must carry it
    e.command = "the-client";
  };
  cfg.on_event = [&](const inventory::Event& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  };
  proxy::Server server(std::move(cfg));
  std::uint16_t proxy_port = 0;
  {
    std::string bound = server.listen("127.0.0.1:0");
    proxy_port = static_cast<std::uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
  }
  std::thread t([&] { server.run(); });

  {
    base::Fd c = connect_to(proxy_port);
    client_fd = c.get();
    std::string req = "CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n";
    ASSERT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    EXPECT_EQ(status_line(c.get()), "HTTP/1.1 403 Forbidden");
  }
  for (int i = 0; i < 3; ++i) {
    base::Fd c = connect_to(proxy_port);
    client_fd = c.get();
    std::string target = "allowed.test:" + std::to_string(origin_port);
    std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
    ASSERT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    EXPECT_EQ(status_line(c.get()), "HTTP/1.1 200 Connection established");
  }
  server.stop();
  t.join();

  std::lock_guard lock(mu);
  ASSERT_EQ(hooked, std::vector<std::string>{"blocked.test"});
  EXPECT_FALSE(answered_before_hook[0]) << "the refusal was written before the hook ran";
  ASSERT_EQ(events.size(), 4u);
  int refused = 0;
  for (const auto& e : events) {
    if (e.name != "blocked.test") {
      EXPECT_EQ(e.pid, 0);
      continue;
    }
    ++refused;
    EXPECT_EQ(e.status, 403);
    EXPECT_EQ(e.pid, 4242);
    EXPECT_EQ(e.command, "the-client");
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(server.stats().blocked, 1u);
  EXPECT_EQ(server.stats().allowed, 3u);
}

TEST(ProxyServer, RefusedUpstreamConnectIsA502NamingTheCause) {
  std::uint16_t closed_port = 0;
  { base::Fd gone = origin(closed_port); } // bound then closed: nothing listens there now
  RunningProxy p(allowing_allowed_test());
  base::Fd c = connect_to(p.port);
  std::string target = "allowed.test:" + std::to_string(closed_port);
  std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
  ASSERT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string answer = test::read_until_closed(c.get());
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 502 Bad Gateway");
  EXPECT_NE(answer.find("cannot connect to allowed.test:" + std::to_string(closed_port) + ": Connection refused"),
            std::string::npos) << answer;
}

TEST(ProxyServer, SilentClientStillMeetsTheHeadTimeout) {
  // Connections are handed over once their first bytes arrive; one that never speaks must still
  // be accepted in the end and answered 408, not left in the kernel's queue.
  auto cfg = allowing_allowed_test();
  cfg.head_timeout_ms = 200;
  RunningProxy p(std::move(cfg));
  base::Fd c = connect_to(p.port);
  test::receive_timeout(c.get(), 15);
  EXPECT_EQ(status_line(c.get()), "HTTP/1.1 408 Request Timeout");
}

namespace {

// Sends a `method` request (its target on an origin that answers `answer` once, then holds its
// connection open for up to 5 s) through a proxy allowing allowed.test. Returns what the client
// got and whether the proxy ended the response (EOF) before the origin closed.
std::pair<std::string, bool> through_holding_origin(const std::string& method, const std::string& answer) {
  std::uint16_t origin_port = 0;
  base::Fd up = origin(origin_port);
  std::atomic<bool> done{false};
  std::thread server_side([&] {
    base::Fd conn(accept(up.get(), nullptr, nullptr));
    char buf[2048];
    (void)recv(conn.get(), buf, sizeof buf, 0);
    (void)send(conn.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
    for (int i = 0; i < 100 && !done; ++i) usleep(50'000);
  });
  RunningProxy p(allowing_allowed_test());
  base::Fd c = connect_to(p.port);
  test::receive_timeout(c.get(), 3);
  std::string req = method + " http://allowed.test:" + std::to_string(origin_port) + "/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n";
  std::string got;
  bool ended = false;
  if (send(c.get(), req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
    char buf[512];
    ssize_t n = 0;
    while ((n = recv(c.get(), buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<std::size_t>(n));
    ended = n == 0;
  }
  done = true;
  server_side.join();
  return {got, ended};
}

} // namespace

TEST(ProxyServer, ForwardedResponseOfKnownLengthEndsWithoutWaitingForTheServersClose) {
  // The origin answers with a Content-Length and then keeps its connection open: the client must
  // get the whole response and its end at once, not when the server finally closes.
  auto [got, ended] = through_holding_origin("GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(ended) << "no end of response while the server held its connection";
  EXPECT_EQ(got.substr(0, got.find("\r\n")), "HTTP/1.1 200 OK");
  ASSERT_GE(got.size(), 5u);
  EXPECT_EQ(got.substr(got.size() - 5), "hello");
}

TEST(ProxyServer, ServerThatNeverAnswersGetsTheClientA504) {
  std::uint16_t origin_port = 0;
  base::Fd up = origin(origin_port); // the kernel accepts; nobody ever reads or answers
  auto cfg = allowing_allowed_test();
  cfg.idle_timeout_ms = 300;
  RunningProxy p(std::move(cfg));
  base::Fd c = connect_to(p.port);
  std::string req = "GET http://allowed.test:" + std::to_string(origin_port) + "/ HTTP/1.1\r\n\r\n";
  ASSERT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string answer = test::read_until_closed(c.get());
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 504 Gateway Timeout") << answer;
  EXPECT_NE(answer.find("x-proxy-error: upstream-timeout"), std::string::npos) << answer;
}

TEST(ProxyServer, NameResolvingToTheUnspecifiedAddressIsStillALoop) {
  // Connecting to 0.0.0.0 reaches 127.0.0.1: a tunnel to the proxy's own port through it is the
  // same loop as through 127.0.0.1.
  auto cfg = allowing_allowed_test();
  cfg.host_overrides = {{"allowed.test", "0.0.0.0"}};
  RunningProxy p(std::move(cfg));
  base::Fd c = connect_to(p.port);
  std::string target = "allowed.test:" + std::to_string(p.port);
  std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
  ASSERT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(status_line(c.get()), "HTTP/1.1 508 Loop Detected");
}

// replay's fence: an allowed name that DNS (here /etc/hosts) points at this machine is refused,
// so fenced code cannot reach the host's own services through it; a --resolve mapping still is
// connected, and the standalone proxy (flag off) is unchanged.
TEST(ProxyServer, FenceRefusesANameThatResolvesToThisMachineUnlessItWasMapped) {
  std::uint16_t origin_port = 0;
  base::Fd origin_fd = origin(origin_port);
  auto connect_status = [&](proxy::ProxyConfig cfg, const std::string& host) {
    RunningProxy p(std::move(cfg));
    base::Fd c = connect_to(p.port);
    std::string target = host + ":" + std::to_string(origin_port);
    std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
    EXPECT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    return status_line(c.get());
  };
  auto fence = [](proxy::ProxyConfig cfg) {
    cfg.refuse_local_upstreams = true;
    auto m = std::make_shared<policy::Matcher>();
    m->add(policy::parse_rule("allowed.test").value());
    m->add(policy::parse_rule("localhost").value());
    cfg.matcher = m;
    return cfg;
  };
  EXPECT_EQ(connect_status(fence(allowing_allowed_test()), "localhost"), "HTTP/1.1 403 Forbidden");
  EXPECT_EQ(connect_status(fence(allowing_allowed_test()), "allowed.test"), "HTTP/1.1 200 Connection established");
  auto standalone = fence(allowing_allowed_test());
  standalone.refuse_local_upstreams = false;
  EXPECT_EQ(connect_status(std::move(standalone), "localhost"), "HTTP/1.1 200 Connection established");
}

TEST(ProxyServer, LocalAddressesAreLoopbackUnspecifiedAndLinkLocal) {
  for (const char* a : {"127.0.0.1", "127.9.9.9", "0.0.0.0", "169.254.169.254", "::1", "::", "fe80::1", "::ffff:127.0.0.1"})
    EXPECT_TRUE(proxy::detail::Shared::is_local(*base::sockaddr_of(a, 80))) << a;
  for (const char* a : {"192.0.2.1", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.1", "fec0::1"})
    EXPECT_FALSE(proxy::detail::Shared::is_local(*base::sockaddr_of(a, 80))) << a;
}

TEST(ProxyServer, ForwardedHeadResponseEndsAfterItsHead) {
  // A response to HEAD has no body whatever its Content-Length says (RFC 9110 §9.3.2).
  auto [got, ended] = through_holding_origin("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_TRUE(ended);
  EXPECT_NE(got.find("Content-Length: 1000\r\n"), std::string::npos) << got;
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got.substr(got.size() - 4), "\r\n\r\n");
}

namespace {

char pattern_byte(std::size_t i, unsigned salt) { return static_cast<char>((i * 131 + i / 7 + salt) & 0xFF); }

// Sends `n` pattern bytes (a position-dependent sequence, so a lost or reordered byte shows).
void send_pattern(int fd, std::size_t n, unsigned salt) {
  std::vector<char> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = pattern_byte(i, salt);
  for (std::size_t sent = 0; sent < n;) {
    ssize_t k = send(fd, out.data() + sent, n - sent, MSG_NOSIGNAL);
    if (k <= 0) return;
    sent += static_cast<std::size_t>(k);
  }
}

// Reads until EOF; returns the bytes read and how many of them differ from the pattern.
std::pair<std::size_t, std::size_t> read_pattern(int fd, unsigned salt) {
  std::size_t got = 0, bad = 0;
  std::vector<char> buf(65536);
  for (ssize_t n; (n = recv(fd, buf.data(), buf.size(), 0)) > 0;)
    for (ssize_t i = 0; i < n; ++i, ++got) bad += buf[static_cast<std::size_t>(i)] != pattern_byte(got, salt);
  return {got, bad};
}

// Through a CONNECT tunnel: the client sends `up` bytes and half-closes; the origin reads them all,
// then sends `down` bytes and closes. Both sides check every byte. Returns the proxy's stats.
proxy::ProxyStats bulk_tunnel(bool splice, std::size_t up, std::size_t down) {
  std::uint16_t origin_port = 0;
  base::Fd listener = origin(origin_port);
  std::size_t origin_got = 0, origin_bad = 0;
  std::thread server_side([&] {
    base::Fd conn(accept(listener.get(), nullptr, nullptr));
    std::tie(origin_got, origin_bad) = read_pattern(conn.get(), 1);
    send_pattern(conn.get(), down, 2);
  });
  auto cfg = allowing_allowed_test();
  cfg.splice = splice;
  RunningProxy p(std::move(cfg));
  base::Fd c = connect_to(p.port);
  std::string target = "allowed.test:" + std::to_string(origin_port);
  std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
  EXPECT_EQ(send(c.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string head; // nothing follows it until we send: the origin speaks only after our EOF
  char ch;
  while (head.find("\r\n\r\n") == std::string::npos && recv(c.get(), &ch, 1, 0) == 1) head += ch;
  EXPECT_EQ(head, "HTTP/1.1 200 Connection established\r\n\r\n");
  send_pattern(c.get(), up, 1);
  shutdown(c.get(), SHUT_WR);
  auto [got, bad] = read_pattern(c.get(), 2);
  server_side.join();
  EXPECT_EQ(origin_got, up);
  EXPECT_EQ(origin_bad, 0u);
  EXPECT_EQ(got, down);
  EXPECT_EQ(bad, 0u);
  return p.server.stats();
}

} // namespace

TEST(ProxyServer, BulkTunnelSplicesAndCarriesEveryByteBothWaysThroughAHalfClose) {
  auto st = bulk_tunnel(true, 3 * 1024 * 1024 + 17, 5 * 1024 * 1024 + 3);
  EXPECT_EQ(st.bytes_up, 3u * 1024 * 1024 + 17);
  EXPECT_EQ(st.bytes_down, 5u * 1024 * 1024 + 3);
  EXPECT_EQ(st.spliced, 2u); // both directions went past the threshold
}

TEST(ProxyServer, BulkTunnelCopiesWhenSpliceIsOff) {
  auto st = bulk_tunnel(false, 1024 * 1024, 2 * 1024 * 1024);
  EXPECT_EQ(st.spliced, 0u);
  EXPECT_EQ(st.bytes_down, 2u * 1024 * 1024);
}

TEST(ProxyServer, ShortTunnelStaysOnTheCopyPath) {
  auto st = bulk_tunnel(true, 1000, 200 * 1024);
  EXPECT_EQ(st.spliced, 0u);
}

TEST(ProxyServer, ListenersCarryNoDelayForEveryConnectionTheyAccept) {
  // Connections take TCP_NODELAY from their listener (no setsockopt per accept), handed-in
  // listeners (replay's, made inside the fence) included; and the kernel does pass it on.
  std::uint16_t port = 0;
  base::Fd listener = origin(port);
  base::Fd view(::dup(listener.get()));
  proxy::Server server(allowing_allowed_test());
  server.add_listener(std::move(listener));
  int nodelay = 0;
  socklen_t len = sizeof nodelay;
  ASSERT_EQ(getsockopt(view.get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_EQ(nodelay, 1);
  base::Fd c = connect_to(port);
  ASSERT_EQ(send(c.get(), "x", 1, 0), 1); // TCP_DEFER_ACCEPT: the connection is handed over with its first byte
  pollfd pfd{view.get(), POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 3000), 1);
  base::Fd accepted(::accept4(view.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted);
  nodelay = 0;
  ASSERT_EQ(getsockopt(accepted.get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_EQ(nodelay, 1);
}
