// Capture files through netmap's pcapng reader: the input becomes a memory-backed file (a regular
// file, as PcapngFile requires) read to its end or its first error; every packet's bytes are
// touched, its link type is one an interface declared, and a file cut short stays ended.

#include "netmap/capture/pcapng_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using netmap::capture::PcapngFile;
  const int fd = ::memfd_create("pcapng-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (auto f = PcapngFile::open("/proc/self/fd/" + std::to_string(fd))) {
    netmap::capture::PcapRecord r;
    volatile std::uint8_t sink = 0;
    PcapngFile::Status st;
    while ((st = f->next(r)) == PcapngFile::Status::Packet) {
      for (std::uint8_t b : r.bytes) sink = static_cast<std::uint8_t>(sink ^ b);
      if (r.linktype > 0xffff || r.time_us < 0) __builtin_trap(); // a 16-bit IDB field; times clamp at 0
    }
    // A file cut short has ended: reading on must say End, never hand out more.
    if (st == PcapngFile::Status::CutShort && f->next(r) != PcapngFile::Status::End) __builtin_trap();
  }
  ::close(fd);
  return 0;
}
