#include "netmap/report/replay_sink.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/fd.hpp"
#include "netmap/policy/rule.hpp"
#include "unit/scratch_dir_helpers.hpp"
#include "unit/socket_test_helpers.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace netmap;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

policy::Matcher allowing(const char* rule) {
  policy::Matcher m;
  m.add(policy::parse_rule(rule).value());
  return m;
}

inventory::Event resolver_event(std::string name, std::string verdict, std::string client) {
  inventory::Event e;
  e.time_us = 1000;
  e.via = inventory::SeenVia::Resolver;
  e.name = std::move(name);
  e.verdict = std::move(verdict);
  e.transport = "udp";
  e.client = std::move(client);
  return e;
}

} // namespace

TEST(ReplaySink, DirectAttemptsBecomeEventsNamedFromTheResolversAnswers) {
  auto m = allowing("api.example.org");
  test::ScratchDir dir;
  const std::string path = dir.path + "/events.jsonl";
  report::ReplaySink sink(&m, 53, 3128, path);
  auto answer = resolver_event("api.example.org", "allowed", "127.0.0.1:4000");
  answer.address = "2001:db8::7";
  sink.add(answer);
  sandbox::DirectAttempt a;
  a.time_us = 2000;
  a.transport = "tcp";
  a.source = "fd00::2";
  a.source_port = 41000;
  a.destination = "2001:db8::7";
  a.port = 443;
  sink.add_direct(a);
  a.transport = "udp";
  a.destination = "192.0.2.53";
  a.port = 53;
  a.dns = true;
  sink.add_direct(a);
  EXPECT_FALSE(std::filesystem::exists(path)); // in place only when the run ends
  sink.finish_events();
  std::string lines = read(path);
  ASSERT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3);
  auto second = lines.substr(lines.find('\n') + 1);
  EXPECT_NE(second.find("\"client\":\"[fd00::2]:41000\""), std::string::npos) << second;
  EXPECT_NE(second.find("\"name\":\"api.example.org\""), std::string::npos) << second;
  EXPECT_NE(second.find("\"note\":\"direct connection\""), std::string::npos) << second;
  EXPECT_NE(lines.find("\"note\":\"direct dns query\""), std::string::npos) << lines;
  EXPECT_NE(lines.find("\"producer\":\"replay\""), std::string::npos) << lines;
  EXPECT_EQ(sink.process_lookups(), 0u); // no owners yet: nothing walked /proc
  EXPECT_EQ(sink.collector().inventory().domains.size(), 1u);
}

TEST(ReplaySink, NamesTheProcessBehindARefusedQueryOnlyAndKeepsNoEventsUnasked) {
  // This process, in its own namespace, holds the client socket.
  struct stat ns{};
  ASSERT_EQ(stat("/proc/self/ns/net", &ns), 0);
  std::uint16_t port = 0;
  base::Fd client = test::bound_udp(port);
  std::string from = "127.0.0.1:" + std::to_string(port);

  auto m = allowing("api.example.org");
  report::ReplaySink sink(&m, 53, 3128);
  sink.set_owners(std::make_unique<sandbox::SocketOwnerFinder>(ns.st_ino, getpid()));
  sink.add(resolver_event("api.example.org", "allowed", from));
  EXPECT_EQ(sink.process_lookups(), 0u); // allowed: not worth a walk of /proc
  inventory::Event refused = resolver_event("registry.npmjs.org", "unlisted", from);
  sink.attribute(refused, 53);
  EXPECT_EQ(refused.pid, getpid());
  EXPECT_FALSE(refused.command.empty());
  EXPECT_EQ(sink.process_lookups(), 1u);
  sink.add(refused); // already named: no second walk
  EXPECT_EQ(sink.process_lookups(), 1u);
  EXPECT_NO_THROW(sink.finish_events()); // no --events: nothing to write
}

TEST(ReplaySink, AnEventsFileThatCannotBeWrittenIsDroppedWholeAndReportedAtTheEnd) {
  // A file-size limit stands in for a full disk: writes past it fail with EFBIG.
  auto m = allowing("api.example.org");
  test::ScratchDir dir;
  const std::string path = dir.path + "/events.jsonl";
  report::ReplaySink sink(&m, 53, 3128, path);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  for (int i = 0; i < 200; ++i) sink.add(resolver_event("q" + std::to_string(i) + ".example.org", "unlisted", "127.0.0.1:4000"));
  try {
    sink.finish_events();
    ADD_FAILURE() << "a write past the limit went unreported";
  } catch (const base::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + path + ": File too large"), std::string::npos) << e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path)); // neither the file nor its temporary
  EXPECT_EQ(sink.collector().inventory().domains.size(), 200u); // the report lost nothing
}
