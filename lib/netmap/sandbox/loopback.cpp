#include "netmap/sandbox/loopback.hpp"

#include "netmap/base/error.hpp"
#include "netmap/sandbox/route_netlink.hpp"

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

namespace netmap::sandbox {

std::string bring_loopback_up() { return bring_link_up("lo"); }

std::string add_local_default_routes() {
  RouteNetlink nl;
  if (!nl.error().empty()) return nl.error();
  unsigned lo = ::if_nametoindex("lo");
  if (lo == 0) return base::errno_text("if_nametoindex lo");
  if (auto e = nl.add_default_route(AF_INET, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, lo, "route local 0.0.0.0/0"); !e.empty())
    return e;
  if (ipv6_disabled()) return {};
  return nl.add_default_route(AF_INET6, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, lo, "route local ::/0");
}

} // namespace netmap::sandbox
