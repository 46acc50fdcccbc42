#include "netmap/dns/server.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/sched_slice.hpp"
#include "netmap/policy/rule.hpp"
#include "unit/socket_test_helpers.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <mutex>
#include <thread>
#include <vector>

using namespace netmap;

namespace {

using test::bound_udp;

std::vector<std::uint8_t> ask(std::uint16_t port, const std::vector<std::uint8_t>& q) {
  base::Fd c(socket(AF_INET, SOCK_DGRAM, 0));
  test::receive_timeout(c.get(), 2);
  sockaddr_in a = test::loopback(port);
  sendto(c.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  std::vector<std::uint8_t> buf(4096);
  ssize_t n = recv(c.get(), buf.data(), buf.size(), 0);
  buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return buf;
}

std::vector<std::uint8_t> query(std::uint16_t qtype) {
  std::vector<std::uint8_t> q = {0x77, 0x77, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  q.push_back(static_cast<std::uint8_t>(qtype >> 8));
  q.push_back(static_cast<std::uint8_t>(qtype));
  q.insert(q.end(), {0, 1});
  return q;
}

std::shared_ptr<const policy::Matcher> allowing(const char* rule) {
  auto m = std::make_shared<policy::Matcher>();
  if (rule) m->add(policy::parse_rule(rule).value());
  return m;
}

// The events a server emits (its threads append; the test reads after stop()).
struct EventLog {
  std::mutex mu;
  std::vector<inventory::Event> events;
};

// A server that blocks every name, has a dead upstream and records its events in `log`.
dns::ServerConfig logging_config(EventLog& log) {
  dns::ServerConfig cfg;
  cfg.matcher = allowing(nullptr);
  cfg.upstreams = {"127.0.0.1:9"};
  cfg.stop_on_signal = false;
  cfg.on_event = [&log](const inventory::Event& e) {
    std::lock_guard lock(log.mu);
    log.events.push_back(e);
  };
  return cfg;
}

} // namespace

TEST(DnsServer, ServesHandedInSocketsReloadsAndReportsEvents) {
  std::uint16_t port = 0;
  base::Fd fd = bound_udp(port);
  EventLog log;
  dns::ServerConfig cfg = logging_config(log);
  cfg.producer = "replay";
  auto& events = log.events;
  dns::Server server(std::move(cfg));
  server.add_udp_socket(std::move(fd));
  std::thread t([&] { server.run(); });

  auto blocked = ask(port, query(1));
  ASSERT_GE(blocked.size(), 12u);
  EXPECT_EQ(blocked[0], 0x77);
  EXPECT_EQ(blocked[3] & 0xF, 3); // NXDOMAIN

  server.reload(allowing("www.example"));
  auto any = ask(port, query(255)); // ANY is answered locally (RFC 8482), no upstream needed
  ASSERT_GE(any.size(), 12u);
  EXPECT_EQ(any[3] & 0xF, 0);
  EXPECT_EQ(any[7], 1);

  server.stop();
  t.join();
  auto c = server.counters();
  EXPECT_EQ(c.queries, 2u);
  EXPECT_EQ(c.blocked, 1u);
  EXPECT_EQ(c.allowed, 1u);
  auto s = server.summary();
  ASSERT_EQ(s.blocked.size(), 1u);
  EXPECT_EQ(s.blocked[0].key, "www.example");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].producer, "replay");
  EXPECT_EQ(events[0].verdict, "unlisted");
  EXPECT_EQ(events[1].verdict, "allowed");
}

TEST(DnsServer, RejectsBadConfig) {
  dns::ServerConfig cfg;
  EXPECT_THROW(dns::Server{cfg}, base::UserError); // no policy
  cfg.matcher = allowing(nullptr);
  cfg.upstreams = {"not-an-address"};
  EXPECT_THROW(dns::Server{cfg}, base::UserError);
  cfg.upstreams = {"127.0.0.1:53"};
  cfg.allow_from = {"10.0.0.0/99"};
  EXPECT_THROW(dns::Server{cfg}, base::UserError);
}

TEST(DnsServer, DefaultUpstreamsSkipItselfAndPreferCustomResolvers) {
  EXPECT_EQ(dns::default_upstreams({"10.1.1.1"}, "/nonexistent", {}), std::vector<std::string>{"10.1.1.1"});
  char path[] = "/tmp/netmap-resolv-test.XXXXXX";
  int fd = mkstemp(path);
  std::string text = "search corp\nnameserver 127.53.0.1\nnameserver ::1\nnameserver 192.0.2.53\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  auto ups = dns::default_upstreams({}, path, {"127.53.0.1:53"});
  unlink(path);
  EXPECT_EQ(ups, (std::vector<std::string>{"[::1]", "192.0.2.53"}));
  EXPECT_THROW((void)dns::default_upstreams({}, "/nonexistent", {}), base::UserError);
}

TEST(DnsServer, EventsNameTheClientsPort) {
  // replay traces a refused query to its process by the client's port: the event must carry it.
  std::uint16_t port = 0;
  base::Fd fd = bound_udp(port);
  EventLog log;
  dns::ServerConfig cfg = logging_config(log);
  auto& events = log.events;
  dns::Server server(std::move(cfg));
  server.add_udp_socket(std::move(fd));
  std::thread t([&] { server.run(); });
  std::uint16_t client_port = 0;
  std::uint16_t other_port = 0;
  base::Fd c = bound_udp(client_port);
  base::Fd c2 = bound_udp(other_port);
  sockaddr_in a = test::loopback(port);
  auto q = query(1);
  std::vector<std::uint8_t> buf(512);
  for (const base::Fd* s : {&c, &c2}) {
    test::receive_timeout(s->get(), 2);
    sendto(s->get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    EXPECT_GT(recv(s->get(), buf.data(), buf.size(), 0), 0);
  }
  server.stop();
  t.join();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].client, "127.0.0.1:" + std::to_string(client_port));
  EXPECT_EQ(events[1].client, "127.0.0.1:" + std::to_string(other_port));
  auto s = server.summary();
  ASSERT_EQ(s.clients.size(), 1u); // the summary still counts the address once
  EXPECT_EQ(s.clients[0].count, 2u);
}

TEST(DnsServer, WorkersAskForTheShortSlice) {
  // After a stall the scheduler should run the resolver before the build's processes: every
  // worker thread asks EEVDF for the shortest slice. Seen from inside the worker, in its event.
  bool supported = false;
  std::thread([&] { supported = base::request_slice(); }).join();
  if (!supported) GTEST_SKIP() << "this kernel keeps no slice per thread (Linux 6.12+ does)";
  std::uint16_t port = 0;
  base::Fd fd = bound_udp(port);
  std::mutex mu;
  std::vector<std::uint64_t> slices;
  dns::ServerConfig cfg;
  cfg.matcher = allowing(nullptr);
  cfg.upstreams = {"127.0.0.1:9"};
  cfg.stop_on_signal = false;
  cfg.threads = 2;
  cfg.on_event = [&](const inventory::Event&) {
    std::lock_guard lock(mu);
    slices.push_back(base::thread_slice_ns());
  };
  dns::Server server(std::move(cfg));
  server.add_udp_socket(std::move(fd));
  std::thread t([&] { server.run(); });
  for (int i = 0; i < 8; ++i) EXPECT_GE(ask(port, query(1)).size(), 12u);
  server.stop();
  t.join();
  ASSERT_EQ(slices.size(), 8u);
  for (auto s : slices) EXPECT_EQ(s, base::k_short_slice_ns);
}

TEST(DnsServer, DrainsBurstsDirectlyAndStillWakesForALoneQuery) {
  // Under traffic a worker reads its UDP socket directly, outside epoll, and hands it back to
  // epoll once it runs dry: bursts deeper than a batch must all be answered, and a query after
  // a quiet spell must still wake it. Two workers share the handed-in socket in the second round.
  for (unsigned threads : {1u, 2u}) {
    SCOPED_TRACE(threads);
    std::uint16_t port = 0;
    base::Fd fd = bound_udp(port);
    EventLog log;
    dns::ServerConfig cfg = logging_config(log);
    cfg.on_event = nullptr;
    cfg.threads = threads;
    dns::Server server(std::move(cfg));
    server.add_udp_socket(std::move(fd));
    std::thread t([&] { server.run(); });
    std::uint16_t client_port = 0;
    base::Fd c = bound_udp(client_port);
    test::receive_timeout(c.get(), 2);
    sockaddr_in a = test::loopback(port);
    auto q = query(1);
    std::vector<std::uint8_t> buf(512);
    std::size_t answered = 0;
    constexpr std::size_t k_burst = 150, k_bursts = 4; // each deeper than one 64-query batch
    for (std::size_t b = 0; b < k_bursts; ++b) {
      for (std::size_t i = 0; i < k_burst; ++i)
        sendto(c.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
      for (std::size_t i = 0; i < k_burst && recv(c.get(), buf.data(), buf.size(), 0) > 0; ++i) ++answered;
    }
    EXPECT_EQ(answered, k_burst * k_bursts);
    usleep(60'000); // a quiet spell: every worker is back in epoll_wait
    auto lone = ask(port, query(1));
    ASSERT_GE(lone.size(), 12u);
    EXPECT_EQ(lone[3] & 0xF, 3);
    server.stop();
    t.join();
    EXPECT_EQ(server.counters().queries, k_burst * k_bursts + 1);
  }
}

// A query for "<n x 'a'>.<id>.example" with ID `id`: names of several lengths, so a burst's
// replies come in several sizes.
std::vector<std::uint8_t> sized_query(std::uint16_t id, std::size_t n) {
  std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0x01, 0x00,
                                 0, 1, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(n)};
  q.insert(q.end(), n, 'a');
  std::string label = std::to_string(id);
  q.push_back(static_cast<std::uint8_t>(label.size()));
  q.insert(q.end(), label.begin(), label.end());
  q.insert(q.end(), {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1});
  return q;
}

TEST(DnsServer, CoalescedRepliesReachEveryClientWhole) {
  // A batch's replies go to each client as few UDP GSO sends as their sizes allow. Two clients
  // interleave bursts of queries of mixed lengths: each must get exactly its own answers, every
  // one a whole message echoing its question. The second round's socket refuses segmentation
  // (SO_NO_CHECK makes the kernel answer EINVAL), so the fallback must deliver them all too.
  for (bool refuse_gso : {false, true}) {
    SCOPED_TRACE(refuse_gso);
    std::uint16_t port = 0;
    base::Fd fd = bound_udp(port);
    int one = 1;
    if (refuse_gso) {
      ASSERT_EQ(setsockopt(fd.get(), SOL_SOCKET, SO_NO_CHECK, &one, sizeof one), 0);
    }
    EventLog log;
    dns::ServerConfig cfg = logging_config(log);
    cfg.on_event = nullptr;
    dns::Server server(std::move(cfg));
    server.add_udp_socket(std::move(fd));
    std::thread t([&] { server.run(); });
    sockaddr_in a = test::loopback(port);
    std::uint16_t ports[2] = {};
    base::Fd clients[2] = {bound_udp(ports[0]), bound_udp(ports[1])};
    std::vector<std::vector<std::uint8_t>> sent[2];
    // Rounds of 40 queries a client keep every socket's queue far below its default buffer.
    constexpr std::uint16_t k_round = 40, k_rounds = 3, k_each = k_round * k_rounds;
    std::vector<bool> seen[2] = {std::vector<bool>(k_each), std::vector<bool>(k_each)};
    std::vector<std::uint8_t> buf(4096);
    for (int c = 0; c < 2; ++c) test::receive_timeout(clients[c].get(), 2);
    for (std::uint16_t round = 0; round < k_rounds; ++round) {
      for (std::uint16_t i = round * k_round; i < (round + 1) * k_round; ++i)
        for (int c = 0; c < 2; ++c) {
          auto id = static_cast<std::uint16_t>(c * 1000 + i);
          sent[c].push_back(sized_query(id, 1 + (i * 7) % 5));
          sendto(clients[c].get(), sent[c].back().data(), sent[c].back().size(), 0,
                 reinterpret_cast<sockaddr*>(&a), sizeof a);
        }
      for (int c = 0; c < 2; ++c) {
        std::size_t got = 0;
        for (ssize_t n; got < k_round && (n = recv(clients[c].get(), buf.data(), buf.size(), 0)) > 0; ++got) {
          ASSERT_GE(n, 12);
          unsigned id = buf[0] << 8 | buf[1];
          ASSERT_GE(id, c * 1000u);
          unsigned i = id - c * 1000u;
          ASSERT_LT(i, sent[c].size());
          EXPECT_FALSE(seen[c][i]) << "answered twice: " << id;
          seen[c][i] = true;
          const auto& q = sent[c][i];
          EXPECT_EQ(buf[3] & 0xF, 3);
          // The question section, case and all, right after the header.
          ASSERT_GE(static_cast<std::size_t>(n), q.size());
          EXPECT_TRUE(std::equal(q.begin() + 12, q.end(), buf.begin() + 12)) << id;
        }
        EXPECT_EQ(got, k_round) << "client " << c << ", round " << round;
      }
    }
    server.stop();
    t.join();
    auto counters = server.counters();
    EXPECT_EQ(counters.queries, 2u * k_each);
    EXPECT_EQ(counters.dropped, 0u);
  }
}

TEST(DnsServer, AWorkersFailureStopsTheServerAndComesOutOfRun) {
  // An event sink that cannot keep an event (a full disk) fails in whichever worker answered:
  // run() must stop every worker and rethrow, never terminate the process.
  dns::ServerConfig cfg;
  cfg.matcher = allowing(nullptr);
  cfg.upstreams = {"127.0.0.1:9"};
  cfg.stop_on_signal = false;
  cfg.threads = 2;
  cfg.on_event = [](const inventory::Event&) { throw base::UserError("cannot write the log"); };
  dns::Server server(std::move(cfg));
  // Port 0: the server picks one free for both workers' SO_REUSEPORT sockets and for TCP (a port
  // probed here first could be taken by another test's connection before the server binds it).
  server.listen("127.0.0.1:0");
  auto local = server.local_addresses().front();
  auto port = static_cast<std::uint16_t>(std::stoi(local.substr(local.rfind(':') + 1)));
  std::exception_ptr failure;
  std::atomic<bool> came_out{false}; // read while run() may still be writing `failure`
  std::thread t([&] {
    try {
      server.run();
    } catch (...) {
      failure = std::current_exception();
    }
    came_out = true;
  });
  base::Fd c(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a = test::loopback(port);
  auto q = query(1);
  for (int i = 0; i < 200 && !came_out; ++i) { // from several ports, so both workers see queries
    base::Fd s(socket(AF_INET, SOCK_DGRAM, 0));
    sendto(s.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  t.join(); // returns by itself: the failure stopped both workers
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), base::UserError);
}
