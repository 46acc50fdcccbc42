#include "netmap/proxy/host_overrides.hpp"

#include "netmap/base/error.hpp"

#include <gtest/gtest.h>

using netmap::proxy::parse_host_overrides;

TEST(HostOverrides, MapsLowercasedNamesToNumericAddresses) {
  auto m = parse_host_overrides({"Registry.Example=127.0.0.1", "v6.test=::1", "registry.example=10.0.0.2"});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("registry.example"), "10.0.0.2"); // the last one for a name wins, as in curl
  EXPECT_EQ(m.at("v6.test"), "::1");
}

TEST(HostOverrides, RejectsItemsThatAreNotNameEqualsAddress) {
  for (const char* bad : {"registry.example", "=127.0.0.1", "registry.example=", "registry.example=localhost",
                          "registry.example=127.0.0.1:8080"}) {
    try {
      (void)parse_host_overrides({"ok.test=127.0.0.1", bad});
      ADD_FAILURE() << "accepted " << bad;
    } catch (const netmap::base::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(HostOverrides, HostsFileLinesMapEveryNameAndPointAtABadOne) {
  auto m = netmap::proxy::parse_hosts_file("127.0.0.1 A.example b.example # c.example\n\n# x\n::1\tv6.test\r\n", "hosts");
  EXPECT_EQ(m, (std::map<std::string, std::string>{{"a.example", "127.0.0.1"}, {"b.example", "127.0.0.1"}, {"v6.test", "::1"}}));
  try {
    (void)netmap::proxy::parse_hosts_file("127.0.0.1 a.example\nnot-an-ip c.example\n", "hosts");
    FAIL() << "accepted a line without an address";
  } catch (const netmap::base::UserError& e) {
    EXPECT_EQ(e.where().str(), "hosts:2:1");
    EXPECT_EQ(e.message(), "'not-an-ip' is not an IP address");
  }
}
