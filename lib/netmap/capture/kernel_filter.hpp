#pragma once
// The BPF filter netmap installs in the kernel on live captures: only packets that can carry a
// name (or start a connection) are copied to user space, so a busy machine does not cost names.

#include "netmap/dissect/dissector.hpp"

#include <string>

namespace netmap::capture {

/// The pcap filter expression selecting name-bearing packets for link type `link`
/// (802.1Q-tagged copies are included on Ethernet). `mdns_llmnr` also admits ports 5353/5355.
[[nodiscard]] std::string name_filter(dissect::LinkType link, bool mdns_llmnr = false);

/// `ours` and `user` joined so a packet must pass both; either may be empty.
[[nodiscard]] std::string combine_filters(const std::string& ours, const std::string& user);

} // namespace netmap::capture
