// replay's other decoders: a frame from the fence's loopback and a packet from its refusing device
// (direct-attempt watcher), and the text of /proc/net/{tcp,udp}[6] (socket owner lookup).

#include "netmap/sandbox/direct_watch.hpp"
#include "netmap/sandbox/socket_owner.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)netmap::sandbox::decode_direct_attempt({data, size});
  (void)netmap::sandbox::decode_direct_packet({data, size});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)netmap::sandbox::parse_proc_net(text);
  (void)netmap::sandbox::port_of(text);
  return 0;
}
