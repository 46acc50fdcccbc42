#include "netmap/capture/inventory_stream.hpp"

#include "netmap/base/output_file.hpp"
#include "netmap/base/error.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <fstream>
#include <functional>
#include <iostream>

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
    // An inventory piped to a full disk must not pass for written (errno is the failed write's).
    if (!std::cout) throw base::write_error(path, errno);
    return;
  }
  base::OutputFile file(path);
  std::ofstream out(file.write_path(), std::ios::binary | (file.in_place() ? std::ios::app : std::ios::trunc));
  if (!out) throw file.error(errno);
  write(out); // a writer that fails midway throws; `file` then removes what it wrote
  out.flush();
  if (!out) throw file.error(errno);
  out.close();
  if (!out) throw file.error(errno);
  file.commit();
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
