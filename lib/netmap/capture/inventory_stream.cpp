#include "netmap/capture/inventory_stream.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <fcntl.h>
#include <unistd.h>

namespace netmap::capture {

namespace {

// One element of an array, dumped the way nlohmann nests it at depth 2 (4 spaces); written in
// one piece, not a character at a time.
void put_element(std::ostream& out, const nlohmann::json& element, bool first) {
  const std::string text = element.dump(2);
  std::string nested = first ? "\n    " : ",\n    ";
  nested.reserve(nested.size() + text.size() + text.size() / 8);
  for (char c : text) {
    nested += c;
    if (c == '\n') nested += "    ";
  }
  out.write(nested.data(), static_cast<std::streamsize>(nested.size()));
}

using DomainWalk = std::function<void(const std::function<void(const inventory::DomainRecord&)>&)>;

// The formatting of each record comes from inventory::to_json itself, so this writer cannot
// drift from the format; only the array framing is written here.
void put_domains(std::ostream& out, const DomainWalk& walk) {
  out << "\"domains\": [";
  bool first = true;
  walk([&](const inventory::DomainRecord& d) {
    put_element(out, inventory::to_json(d), first);
    first = false;
  });
  out << (first ? "]" : "\n  ]");
}

void put_unnamed(std::ostream& out, const inventory::Inventory& inv) {
  out << "\"unnamed\": [";
  bool first = true;
  for (const auto& [k, u] : inv.unnamed) {
    put_element(out, inventory::to_json(u), first);
    first = false;
  }
  out << (first ? "]" : "\n  ]");
}

void stream(std::ostream& out, const inventory::Inventory& inv, const DomainWalk& walk) {
  inventory::Inventory head;
  head.stats = inv.stats;
  head.sources = inv.sources;
  head.started_us = inv.started_us;
  head.finished_us = inv.finished_us;
  // The document without records, split where each (empty) array stands; keys are sorted, so the
  // arrays land where the full dump would put them.
  std::string text = inventory::to_json(head).dump(2);
  for (const char* key : {"domains", "unnamed"}) {
    std::string marker = std::string("\"") + key + "\": []";
    auto at = text.find(marker);
    if (at == std::string::npos) continue;
    out << text.substr(0, at);
    if (std::string(key) == "domains") put_domains(out, walk);
    else put_unnamed(out, inv);
    text.erase(0, at + marker.size());
  }
  out << text << "\n";
}

// Writes through `write` to `path` atomically ("-" = stdout).
void save(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path == "-") {
    write(std::cout);
    std::cout.flush();
    return;
  }
  const std::string tmp = base::temp_path(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw base::UserError("cannot write " + base::printable(path) + ": " + std::strerror(errno));
    try {
      write(out);
    } catch (...) {
      ::unlink(tmp.c_str()); // a writer that fails midway leaves no half-written file behind
      throw;
    }
    out.flush();
    if (!out) {
      ::unlink(tmp.c_str());
      throw base::UserError("cannot write " + base::printable(path) + ": " + std::strerror(errno));
    }
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw base::UserError("cannot write " + base::printable(path) + ": " + std::strerror(err));
  }
}

} // namespace

void stream_inventory(std::ostream& out, const inventory::Inventory& inv) {
  stream(out, inv, [&](const auto& f) {
    for (const auto& [name, d] : inv.domains) f(d);
  });
}

void stream_inventory(std::ostream& out, const Findings& found) {
  stream(out, found.inventory, [&](const auto& f) { found.for_each_domain(f); });
}

void save_inventory(const std::string& path, const inventory::Inventory& inv) {
  save(path, [&](std::ostream& out) { stream_inventory(out, inv); });
}

void save_inventory(const std::string& path, const Findings& found) {
  save(path, [&](std::ostream& out) { stream_inventory(out, found); });
}

} // namespace netmap::capture
