// netmap-gen: writes the test fixtures and long benchmark captures with their ground truth.
//   netmap-gen fixtures DIR
//   netmap-gen seeds DIR          (fuzz seeds into DIR/<target>/, one directory per fuzz target)
//   netmap-gen bulk --packets N --seed S -o FILE [--truth FILE.json] [--pcapng]

#include "example_capture.hpp"
#include "bulk_mix.hpp"
#include "fixtures.hpp"
#include "fuzz_seeds.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

namespace {

int usage() {
  std::fputs("usage: netmap-gen fixtures DIR\n"
             "       netmap-gen seeds DIR\n"
             "       netmap-gen example FILE.pcap   (examples/webapp/capture.pcap)\n"
             "       netmap-gen bulk --packets N --seed S -o FILE [--truth FILE.json] [--pcapng]\n",
             stderr);
  return 2;
}

int bulk(int argc, char** argv) {
  netmap::testgen::BulkOptions o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--packets") o.packets = std::stoull(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else if (a == "-o" || a == "--output") o.output = value();
    else if (a == "--truth") o.truth = value();
    else if (a == "--pcapng") o.pcapng = true;
    else throw std::invalid_argument("unknown option " + a);
  }
  if (o.output.empty()) throw std::invalid_argument("-o FILE is required");
  auto stats = netmap::testgen::write_bulk(o);
  std::fprintf(stderr, "netmap-gen: %llu packets, %llu names\n",
               static_cast<unsigned long long>(stats.packets), static_cast<unsigned long long>(stats.names));
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    if (cmd == "fixtures" && argc == 3) {
      netmap::testgen::write_fixtures(argv[2]);
      return 0;
    }
    if (cmd == "seeds" && argc == 3) {
      netmap::testgen::write_fuzz_seeds(argv[2]);
      return 0;
    }
    if (cmd == "example" && argc == 3) {
      netmap::testgen::write_example_capture(argv[2]);
      return 0;
    }
    if (cmd == "bulk") return bulk(argc, argv);
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netmap-gen: error: %s\n", e.what());
    return 2;
  }
}
