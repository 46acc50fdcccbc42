#include "netmap/sandbox/fence.hpp"

#include "netmap/base/error.hpp"
#include "netmap/sandbox/direct_watch.hpp"
#include "netmap/sandbox/proxy_env.hpp"
#include "netmap/sandbox/socket_owner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace netmap::sandbox;

namespace {

bool fence_available(std::string& why) {
  try {
    check_fence_support();
    return true;
  } catch (const netmap::base::UserError& e) {
    why = e.what();
    return false;
  }
}

std::uint16_t peer_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

} // namespace

// Without the refusing device (no /dev/net/tun for this user): every destination is local, a
// public IP is refused at once by loopback (not "unreachable"), and the packet socket sees the SYN.
TEST(Fence, ChildSeesOnlyLoopbackAndReachesHandedOutSockets) {
  std::string why;
  if (!fence_available(why)) GTEST_SKIP() << why;
  FenceConfig cfg;
  cfg.proxy_port = 3128;
  cfg.refusing_tun = false;
  Fence fence(cfg);
  ChildSpec spec;
  // Inside: resolv.conf names the fence's resolver; the proxy port answers; a public IP is refused
  // at once; then the interface list has only lo.
  spec.argv = {"python3", "-c",
               "import socket,sys,os\n"
               "rc=open('/etc/resolv.conf').read()\n"
               "assert 'nameserver 127.0.0.1' in rc, rc\n"
               "assert os.environ['HTTPS_PROXY']=='http://127.0.0.1:3128'\n"
               "s=socket.create_connection(('127.0.0.1',3128)); s.sendall(b'hi'); assert s.recv(2)==b'ok'\n"
               "d=socket.socket()\n"
               "try:\n d.connect(('192.0.2.1',443)); sys.exit(3)\n"
               "except ConnectionRefusedError: pass\n"
               "ifs=[n for _,n in socket.if_nameindex()]\n"
               "assert ifs==['lo'], ifs\n"};
  spec.env = fence.environment(current_environment());
  spec.pre_exec = fence.hook();
  auto child = ChildProcess::spawn(spec);
  FenceSockets s = fence.receive();
  ASSERT_TRUE(s.proxy);
  ASSERT_TRUE(s.dns_udp);
  ASSERT_FALSE(s.tun);
  ASSERT_NE(s.netns_inode, 0u);
  std::mutex mu;
  std::vector<DirectAttempt> seen;
  DirectWatch watch(std::move(s.packet), {}, [&](const DirectAttempt& a) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(a);
  });
  pollfd p{s.proxy.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  netmap::base::Fd conn(::accept(s.proxy.get(), nullptr, nullptr));
  ASSERT_TRUE(conn);
  char buf[2];
  ASSERT_EQ(::recv(conn.get(), buf, 2, MSG_WAITALL), 2);
  SocketOwnerFinder finder(s.netns_inode, child.pid());
  auto owner = finder.find("tcp", peer_port(conn.get()), 3128);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->pid, child.pid());
  EXPECT_NE(owner->command.find("python3 -c"), std::string::npos) << owner->command;
  ASSERT_EQ(::send(conn.get(), "ok", 2, 0), 2);
  EXPECT_EQ(child.wait().code, 0);
  watch.stop();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].destination, "192.0.2.1");
  EXPECT_EQ(seen[0].port, 443);
  EXPECT_EQ(seen[0].transport, "tcp");
}

// With the refusing device: direct attempts over IPv4 and IPv6, TCP and UDP, reach the watcher
// while their sockets still wait, so each names its process; the answers fail them at once with
// "connection refused", as a closed network would; a ping is refused as filtered, not answered.
TEST(Fence, RefusingDeviceNamesTheProcessAndRefusesAtOnce) {
  std::string why;
  if (!fence_available(why)) GTEST_SKIP() << why;
  FenceConfig cfg;
  cfg.proxy_port = 3128;
  Fence fence(cfg);
  ChildSpec spec;
  spec.argv = {"python3", "-c",
               "import socket,sys,time\n"
               "def refused(family, kind, addr):\n"
               "  s=socket.socket(family, kind); s.settimeout(5)\n"
               "  t=time.monotonic()\n"
               "  try:\n"
               "    s.connect(addr)\n"
               "    if kind==socket.SOCK_DGRAM: s.send(b'x'); s.recv(1)\n"
               "    sys.exit('escaped: %r' % (addr,))\n"
               "  except ConnectionRefusedError: pass\n"
               "  assert time.monotonic()-t < 3, addr\n"
               "refused(socket.AF_INET, socket.SOCK_STREAM, ('192.0.2.1',443))\n"
               "refused(socket.AF_INET, socket.SOCK_DGRAM, ('192.0.2.53',53))\n"
               "if socket.has_ipv6:\n"
               "  refused(socket.AF_INET6, socket.SOCK_STREAM, ('2001:db8::1',443))\n"
               "ifs=[n for _,n in socket.if_nameindex()]\n"
               "assert ifs==['lo','netmap0'], ifs\n"};
  spec.env = fence.environment(current_environment());
  spec.pre_exec = fence.hook();
  auto child = ChildProcess::spawn(spec);
  FenceSockets s = fence.receive();
  if (!s.tun) {
    (void)child.wait();
    GTEST_SKIP() << "no refusing device here: " << s.tun_unavailable;
  }
  SocketOwnerFinder finder(s.netns_inode, child.pid());
  std::mutex mu;
  std::vector<std::pair<DirectAttempt, std::optional<SocketOwner>>> seen;
  DirectWatch watch(std::move(s.packet), std::move(s.tun), [&](const DirectAttempt& a) {
    auto owner = finder.find(a.transport, a.source_port, a.transport == "udp" ? 0 : a.port);
    std::lock_guard<std::mutex> lock(mu);
    seen.emplace_back(a, owner);
  });
  EXPECT_EQ(child.wait().code, 0);
  watch.stop();
  EXPECT_GE(watch.refused(), 2u);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(seen.size(), 2u);
  for (const auto& [a, owner] : seen) {
    EXPECT_TRUE(a.destination == "192.0.2.1" || a.destination == "192.0.2.53" || a.destination == "2001:db8::1")
        << a.destination;
    EXPECT_TRUE(a.source == "10.64.0.2" || a.source == "fd6e:6d00::2") << a.source;
    ASSERT_TRUE(owner.has_value()) << a.transport << " to " << a.destination << " was not named";
    EXPECT_EQ(owner->pid, child.pid());
  }
  EXPECT_EQ(seen[0].first.transport, "tcp");
  EXPECT_EQ(seen[1].first.dns, true);
}

TEST(ProxyEnvironment, SetsEverySandboxVariableAndKeepsGradleFlags) {
  auto env = proxy_environment({"PATH=/bin", "ALL_PROXY=socks5://x:1", "https_proxy=http://corp:8080",
                                "GRADLE_OPTS=-Xmx1g -Dhttp.proxyHost=corp"},
                               "127.0.0.1", 3128);
  auto has = [&](const std::string& kv) { return std::find(env.begin(), env.end(), kv) != env.end(); };
  EXPECT_TRUE(has("PATH=/bin"));
  EXPECT_TRUE(has("HTTP_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("https_proxy=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("npm_config_https_proxy=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("YARN_HTTP_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("NO_PROXY=localhost,127.0.0.1,::1"));
  EXPECT_TRUE(has("no_proxy=localhost,127.0.0.1,::1"));
  EXPECT_FALSE(has("ALL_PROXY=socks5://x:1"));
  EXPECT_FALSE(has("https_proxy=http://corp:8080"));
  auto g = std::find_if(env.begin(), env.end(), [](const std::string& e) { return e.rfind("GRADLE_OPTS=", 0) == 0; });
  ASSERT_NE(g, env.end());
  EXPECT_NE(g->find("-Xmx1g"), std::string::npos);
  EXPECT_EQ(g->find("corp"), std::string::npos);
  EXPECT_NE(g->find("-Dhttps.proxyPort=3128"), std::string::npos);
}

// Tools' own proxy settings would send the client to a proxy outside the fence, and replay would
// blame that proxy's name instead of the host the client wanted.
TEST(ProxyEnvironment, ToolProxySettingsPointAtTheFenceOrGo) {
  auto env = proxy_environment({"PIP_PROXY=http://corp:8080", "CARGO_HTTP_PROXY=corp:8080", "NPM_CONFIG_PROXY=http://corp:1",
                                "npm_config_noproxy=corp", "GIT_PROXY_COMMAND=/bin/corp", "GOPROXY=https://proxy.golang.org",
                                "JAVA_TOOL_OPTIONS=-Dfile.encoding=UTF-8 -Dhttps.proxyHost=corp -Dhttps.proxyPort=8080",
                                "MAVEN_OPTS=-Xmx2g", "_JAVA_OPTIONS=-DsocksProxyHost=corp"},
                               "127.0.0.1", 3128);
  auto value = [&](const std::string& key) -> std::optional<std::string> {
    for (const auto& e : env)
      if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
    return std::nullopt;
  };
  for (const char* gone : {"PIP_PROXY", "CARGO_HTTP_PROXY", "NPM_CONFIG_PROXY", "npm_config_noproxy", "GIT_PROXY_COMMAND"})
    EXPECT_FALSE(value(gone)) << gone;
  EXPECT_EQ(value("GOPROXY"), "https://proxy.golang.org") << "a Go module mirror, not a proxy";
  EXPECT_EQ(value("MAVEN_OPTS"), "-Xmx2g") << "no proxy properties: left as it was";
  auto jto = value("JAVA_TOOL_OPTIONS");
  ASSERT_TRUE(jto);
  EXPECT_NE(jto->find("-Dfile.encoding=UTF-8"), std::string::npos);
  EXPECT_EQ(jto->find("corp"), std::string::npos);
  EXPECT_NE(jto->find("-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=3128"), std::string::npos);
  auto jo = value("_JAVA_OPTIONS");
  ASSERT_TRUE(jo);
  EXPECT_EQ(jo->find("socks"), std::string::npos);
}

TEST(DirectAttempt, DecodesSynAndIgnoresRepliesAndJunk) {
  // lo frame: 12 zero bytes of MACs, ethertype, IPv4 header (20), TCP header (20) with SYN.
  std::vector<std::uint8_t> f(14 + 20 + 20, 0);
  f[12] = 0x08;
  f[14] = 0x45;
  f[14 + 9] = 6;
  const std::uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {192, 0, 2, 1};
  std::copy(src, src + 4, f.begin() + 14 + 12);
  std::copy(dst, dst + 4, f.begin() + 14 + 16);
  f[34] = 0xd4;
  f[35] = 0x31;
  f[36] = 0x01;
  f[37] = 0xbb;
  f[34 + 13] = 0x02;
  auto a = decode_direct_attempt(f);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->destination, "192.0.2.1");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->source_port, 0xd431);
  // The refusing device hands out the same packet without the link header.
  auto bare = decode_direct_packet(std::span<const std::uint8_t>(f).subspan(14));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->destination, "192.0.2.1");
  EXPECT_EQ(bare->port, 443);
  f[12] = 0x86; // link header says IPv6, the packet is IPv4: junk
  f[13] = 0xdd;
  EXPECT_FALSE(decode_direct_attempt(f));
  f[12] = 0x08;
  f[13] = 0x00;
  f[34 + 13] = 0x12; // SYN+ACK: a reply
  EXPECT_FALSE(decode_direct_attempt(f));
  f[34 + 13] = 0x14; // RST+ACK
  EXPECT_FALSE(decode_direct_attempt(f));
  for (std::size_t n = 0; n < f.size(); ++n) {
    f[34 + 13] = 0x02;
    (void)decode_direct_attempt(std::span<const std::uint8_t>(f.data(), n)); // truncated: no crash
  }
  f[14] = 0x4f; // IHL 60 > available
  EXPECT_FALSE(decode_direct_attempt(f));
}

// A ping is an attempt, named by its echo identifier; its reply and ICMP errors are not.
TEST(DirectAttempt, DecodesEchoRequestsAsPings) {
  std::vector<std::uint8_t> v4 = {0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 64, 0, 2, 192, 0, 2, 9,
                                  8, 0, 0, 0, 0x4e, 0x4d, 0, 1};
  auto a = decode_direct_packet(v4);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->transport, "icmp");
  EXPECT_EQ(a->destination, "192.0.2.9");
  EXPECT_EQ(a->source_port, 0x4e4d);
  EXPECT_EQ(a->port, 0);
  EXPECT_FALSE(a->dns);
  v4[20] = 0; // echo reply
  EXPECT_FALSE(decode_direct_packet(v4));
  v4[20] = 3; // destination unreachable
  EXPECT_FALSE(decode_direct_packet(v4));
  v4[20] = 8;
  EXPECT_FALSE(decode_direct_packet(std::span<const std::uint8_t>(v4).first(25))) << "identifier cut off";
  std::vector<std::uint8_t> v6(48, 0);
  v6[0] = 0x60;
  v6[5] = 8;    // payload length
  v6[6] = 58;   // ICMPv6
  v6[7] = 64;
  v6[8] = 0xfd; // fd6e:6d00::2 → 2001:db8::9
  v6[9] = 0x6e;
  v6[10] = 0x6d;
  v6[23] = 2;
  v6[24] = 0x20;
  v6[25] = 0x01;
  v6[26] = 0x0d;
  v6[27] = 0xb8;
  v6[39] = 9;
  v6[40] = 128; // echo request
  v6[44] = 0x12;
  v6[45] = 0x34;
  auto b = decode_direct_packet(v6);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->transport, "icmp");
  EXPECT_EQ(b->destination, "2001:db8::9");
  EXPECT_EQ(b->source_port, 0x1234);
  v6[40] = 135; // neighbour solicitation
  EXPECT_FALSE(decode_direct_packet(v6));
}

TEST(SocketOwner, ParsesProcNetAndPorts) {
  auto rows = parse_proc_net(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:0C38 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0\n"
      "garbage line\n"
      "   1: 0100007F:D431 0100007F:0C38 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].local_port, 3128);
  EXPECT_EQ(rows[0].inode, 4242u);
  EXPECT_EQ(rows[1].local_port, 0xd431);
  EXPECT_EQ(rows[1].remote_port, 3128);
  EXPECT_EQ(port_of("127.0.0.1:5353"), 5353);
  EXPECT_EQ(port_of("[::1]:80"), 80);
  EXPECT_EQ(port_of("::1"), 0);
  EXPECT_EQ(port_of("127.0.0.1:99999"), 0);
}
