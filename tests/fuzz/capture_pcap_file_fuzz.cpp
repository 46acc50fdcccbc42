// Capture files through the mapped pcap reader: the input becomes a memory-backed file (a regular
// file, as PcapFile requires) read to its end or its first error; every packet's bytes are touched,
// and a file cut short stays ended.

#include "netmap/capture/pcap_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using netmap::capture::PcapFile;
  const int fd = ::memfd_create("pcap-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (auto f = PcapFile::open("/proc/self/fd/" + std::to_string(fd))) {
    netmap::capture::PcapRecord r;
    volatile std::uint8_t sink = 0;
    PcapFile::Status st;
    while ((st = f->next(r)) == PcapFile::Status::Packet)
      for (std::uint8_t b : r.bytes) sink = static_cast<std::uint8_t>(sink ^ b);
    // A file cut short has ended: reading on must say End, never hand out more.
    if (st == PcapFile::Status::CutShort && f->next(r) != PcapFile::Status::End) __builtin_trap();
  }
  ::close(fd);
  return 0;
}
