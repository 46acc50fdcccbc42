#include "netmap/inventory/inventory.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/capture_magic.hpp"
#include "netmap/base/clock.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/inventory/field_values.hpp"
#include "netmap/inventory/json_text.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace netmap::inventory {

namespace {

// A time no inventory can write (before the epoch, after year 9999: a capture file's to choose)
// is unknown, like 0, so that every inventory netmap writes reads back.
void widen(std::int64_t& first, std::int64_t& last, std::int64_t f, std::int64_t l) {
  if (!base::rfc3339_representable(f)) f = 0;
  if (!base::rfc3339_representable(l)) l = 0;
  if (f != 0 && (first == 0 || f < first)) first = f;
  if (l > last) last = l;
}

std::string unnamed_key(const std::string& transport, const std::string& addr, std::uint16_t port) {
  return transport + " " + addr + " " + std::to_string(port);
}

// Counts from files are the files' to choose: a sum that would wrap stays at the largest value.
void add_saturating(std::uint64_t& into, std::uint64_t v) {
  if (__builtin_add_overflow(into, v, &into)) into = UINT64_MAX;
}

// One record folded into another of the same name (merge, and a name listed twice in a file).
void fold(DomainRecord& d, const DomainRecord& r) {
  d.name = r.name;
  d.via.insert(r.via.begin(), r.via.end());
  d.ports.insert(r.ports.begin(), r.ports.end());
  d.addresses.insert(r.addresses.begin(), r.addresses.end());
  d.notes.insert(r.notes.begin(), r.notes.end());
  d.processes.insert(r.processes.begin(), r.processes.end());
  add_saturating(d.count, r.count);
  add_saturating(d.blocked, r.blocked);
  widen(d.first_us, d.last_us, r.first_us, r.last_us);
  if (d.verdict.empty()) {
    d.verdict = r.verdict;
    d.rule = r.rule;
    d.rule_source = r.rule_source;
  }
}

void fold(UnnamedRecord& u, const UnnamedRecord& r) {
  u.address = r.address;
  u.port = r.port;
  u.transport = r.transport;
  add_saturating(u.count, r.count);
  widen(u.first_us, u.last_us, r.first_us, r.last_us);
}

} // namespace

void Inventory::add(const Event& e) {
  widen(started_us, finished_us, e.time_us, e.time_us);
  if (e.name.empty()) {
    if (e.address.empty()) return;
    auto& u = unnamed[unnamed_key(e.transport, e.address, e.port)];
    u.address = e.address;
    u.port = e.port;
    u.transport = e.transport;
    ++u.count;
    widen(u.first_us, u.last_us, e.time_us, e.time_us);
    return;
  }
  auto& d = domains[e.name];
  d.name = e.name;
  d.via.insert(seen_via_name(e.via));
  if (e.port) d.ports.insert(e.port);
  if (!e.address.empty()) d.addresses.insert(e.address);
  d.addresses.insert(e.answers.begin(), e.answers.end());
  ++d.count;
  if (e.verdict == "denied" || e.verdict == "unlisted" || e.verdict == "mock" || e.verdict == "invalid" ||
      e.status == 403 || e.rcode == "NXDOMAIN" || e.rcode == "REFUSED")
    if (e.producer != "discover") ++d.blocked;
  widen(d.first_us, d.last_us, e.time_us, e.time_us);
  if (!e.note.empty()) d.notes.insert(e.note);
  if (e.pid) d.processes.insert(std::to_string(e.pid) + (e.command.empty() ? "" : " " + e.command));
  if (!e.verdict.empty()) {
    d.verdict = e.verdict;
    d.rule = e.rule;
    d.rule_source = e.rule_source;
  }
}

void Inventory::merge(const Inventory& o) {
  for (const auto& [name, r] : o.domains) fold(domains[name], r);
  for (const auto& [key, r] : o.unnamed) fold(unnamed[key], r);
  for (const auto& [k, v] : o.stats) add_saturating(stats[k], v);
  for (const auto& s : o.sources)
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
  widen(started_us, finished_us, o.started_us, o.finished_us);
}

std::uint64_t Inventory::stat(const std::string& key) const {
  auto it = stats.find(key);
  return it == stats.end() ? 0 : it->second;
}

void Inventory::apply_policy(const policy::Matcher& matcher) {
  for (auto& [name, d] : domains) {
    auto v = matcher.decide(name);
    d.verdict = policy::decision_name(v.decision);
    d.rule = v.rule ? v.rule->text() : "";
    d.rule_source = v.rule ? v.rule->source.str() : "";
  }
}

nlohmann::json to_json(const Inventory& inv) {
  using nlohmann::json;
  json j;
  j["schema"] = k_schema;
  j["version"] = k_schema_version;
  if (inv.started_us) j["started"] = base::format_rfc3339(inv.started_us);
  if (inv.finished_us) j["finished"] = base::format_rfc3339(inv.finished_us);
  j["sources"] = inv.sources;
  j["stats"] = json::object();
  for (const auto& [k, v] : inv.stats) j["stats"][k] = v;
  j["domains"] = json::array();
  for (const auto& [name, d] : inv.domains) j["domains"].push_back(to_json(d));
  j["unnamed"] = json::array();
  for (const auto& [key, u] : inv.unnamed) j["unnamed"].push_back(to_json(u));
  return j;
}

nlohmann::json to_json(const DomainRecord& d) {
  nlohmann::json o;
  o["name"] = d.name;
  o["seen_via"] = d.via;
  o["ports"] = d.ports;
  o["count"] = d.count;
  if (d.blocked) o["blocked"] = d.blocked;
  if (d.first_us) o["first_seen"] = base::format_rfc3339(d.first_us);
  if (d.last_us) o["last_seen"] = base::format_rfc3339(d.last_us);
  o["addresses"] = d.addresses;
  if (!d.notes.empty()) o["notes"] = d.notes;
  if (!d.processes.empty()) o["processes"] = d.processes;
  if (!d.verdict.empty()) {
    o["verdict"] = d.verdict;
    if (!d.rule.empty()) o["rule"] = d.rule;
    if (!d.rule_source.empty()) o["rule_source"] = d.rule_source;
  }
  return o;
}

nlohmann::json to_json(const UnnamedRecord& u) {
  nlohmann::json o{{"address", u.address}, {"port", u.port}, {"transport", u.transport}, {"count", u.count}};
  if (u.first_us) o["first_seen"] = base::format_rfc3339(u.first_us);
  if (u.last_us) o["last_seen"] = base::format_rfc3339(u.last_us);
  return o;
}

namespace {

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  throw base::UserError(base::Location{file, 0, 0}, "not a netmap inventory: " + what,
                        "netmap writes inventories with 'discover -o', 'replay -o' and 'merge'");
}

// Where a field sits, for messages: "domain 'api.example.com'", "'unnamed' entry 3".
struct Where {
  const std::string& file;
  std::string entry; ///< empty for the top level

  [[noreturn]] void fail(const char* key, const std::string& what) const {
    bad(file, (entry.empty() ? "" : entry + ": ") + "'" + key + "' " + what);
  }
};

// A missing field is the writer's choice (netmap leaves out what is empty or zero); a field of the
// wrong type is a damaged or hand-made file, and is said so rather than read as zero.
std::int64_t time_field(const nlohmann::json& o, const char* key, const Where& w) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (!it->is_string()) w.fail(key, "is not a time (RFC 3339 text)");
  auto t = base::parse_rfc3339(it->get<std::string>());
  const std::string quoted = "'" + base::escape_bytes(it->get<std::string>()) + "'";
  if (!t) w.fail(key, t.error().starts_with("not ") ? "is " + t.error() + ": " + quoted : "is not a valid time: " + quoted + ": " + t.error());
  return t.value();
}

// How each element of a list is checked and spelled: as it stands, or in the one spelling
// (addresses), or against the values netmap knows (seen_via).
enum class Elements { Text, Address, Via };

template <class Set>
void read_set(const nlohmann::json& o, const char* key, Set& out, const Where& w, Elements kind = Elements::Text) {
  auto it = o.find(key);
  if (it == o.end()) return;
  if (!it->is_array()) w.fail(key, "is not a list");
  for (const auto& v : *it) {
    using V = typename Set::value_type;
    if constexpr (std::is_same_v<V, std::string>) {
      if (!v.is_string()) w.fail(key, "holds a non-string");
      const auto& text = v.get_ref<const std::string&>();
      if (kind == Elements::Address) {
        auto a = normalized_address(text);
        if (!a) w.fail(key, "holds '" + base::escape_bytes(text) + "', which is not an IPv4 or IPv6 address");
        out.insert(std::move(*a));
        continue;
      }
      if (kind == Elements::Via && !parse_seen_via(text))
        w.fail(key, "holds '" + base::escape_bytes(text) + "', not one of dns, sni, http-host, connect, quic, resolver, proxy, direct");
      out.insert(text);
    } else {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 65535) w.fail(key, "holds a bad port");
      out.insert(static_cast<V>(v.get<std::uint64_t>()));
    }
  }
}

std::string str_field(const nlohmann::json& o, const char* key, const Where& w) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (!it->is_string()) w.fail(key, "is not a string");
  return it->get<std::string>();
}

std::uint64_t count_field(const nlohmann::json& o, const char* key, const Where& w) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (!it->is_number_unsigned()) w.fail(key, "is not a whole number of zero or more");
  return it->get<std::uint64_t>();
}

// nlohmann reports a syntax error at a byte offset; users need the line and column.
base::Location json_error_location(const std::string& file, std::string_view text, std::size_t byte) {
  byte = std::min(byte == 0 ? 0 : byte - 1, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < byte; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return base::Location{file, line, static_cast<int>(byte - line_start + 1)};
}

} // namespace

Inventory inventory_from_json(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object()) bad(file, "the document is not a JSON object");
  const Where top{file, {}};
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || schema->get<std::string>() != k_schema)
    bad(file, "'schema' is not \"" + std::string(k_schema) + "\"");
  auto ver = j.find("version");
  if (ver == j.end() || !ver->is_number_integer()) bad(file, "'version' is missing");
  if (ver->get<std::int64_t>() > k_schema_version)
    throw base::UserError(base::Location{file, 0, 0}, "inventory version " + std::to_string(ver->get<std::int64_t>()) +
                                                          " is newer than this netmap understands (" +
                                                          std::to_string(k_schema_version) + ")",
                          "upgrade netmap");
  Inventory inv;
  inv.started_us = time_field(j, "started", top);
  inv.finished_us = time_field(j, "finished", top);
  if (auto it = j.find("sources"); it != j.end()) {
    if (!it->is_array()) top.fail("sources", "is not a list");
    for (const auto& v : *it) {
      if (!v.is_string()) top.fail("sources", "holds a non-string");
      inv.sources.push_back(v.get<std::string>());
    }
  }
  if (auto it = j.find("stats"); it != j.end()) {
    if (!it->is_object()) top.fail("stats", "is not an object");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_number_unsigned()) top.fail("stats", "value '" + base::escape_bytes(k) + "' is not a whole number of zero or more");
      inv.stats[k] = v.get<std::uint64_t>();
    }
  }
  // A missing list is an empty one, as for every other field (an inventory with only unnamed
  // destinations may leave "domains" out).
  static const nlohmann::json k_none = nlohmann::json::array();
  auto doms_it = j.find("domains");
  const nlohmann::json& doms = doms_it == j.end() ? k_none : *doms_it;
  if (!doms.is_array()) top.fail("domains", "is not a list");
  std::size_t index = 0;
  for (const auto& o : doms) {
    ++index;
    if (!o.is_object()) bad(file, "'domains' entry " + std::to_string(index) + " is not an object");
    DomainRecord d;
    d.name = str_field(o, "name", Where{file, "'domains' entry " + std::to_string(index)});
    if (d.name.empty()) bad(file, "'domains' entry " + std::to_string(index) + " has no name");
    const Where w{file, "domain '" + base::escape_bytes(d.name) + "'"};
    d.name = normalized_name(d.name); // "A.Example." and "a.example" are one domain
    read_set(o, "seen_via", d.via, w, Elements::Via);
    read_set(o, "ports", d.ports, w);
    read_set(o, "addresses", d.addresses, w, Elements::Address);
    read_set(o, "notes", d.notes, w);
    read_set(o, "processes", d.processes, w);
    d.count = count_field(o, "count", w);
    d.blocked = count_field(o, "blocked", w);
    d.first_us = time_field(o, "first_seen", w);
    d.last_us = time_field(o, "last_seen", w);
    d.verdict = str_field(o, "verdict", w);
    if (!d.verdict.empty() && !is_known_verdict(d.verdict))
      w.fail("verdict", "is '" + base::escape_bytes(d.verdict) + "', not one of " + known_verdicts());
    d.rule = str_field(o, "rule", w);
    d.rule_source = str_field(o, "rule_source", w);
    fold(inv.domains[d.name], d); // a name listed twice adds up, as two files merged would
  }
  if (auto it = j.find("unnamed"); it != j.end()) {
    if (!it->is_array()) top.fail("unnamed", "is not a list");
    index = 0;
    for (const auto& o : *it) {
      ++index;
      const Where w{file, "'unnamed' entry " + std::to_string(index)};
      if (!o.is_object()) bad(file, w.entry + " is not an object");
      UnnamedRecord u;
      u.address = str_field(o, "address", w);
      u.transport = str_field(o, "transport", w);
      auto p = count_field(o, "port", w);
      if (u.address.empty() || p > 65535) bad(file, w.entry + " has no address or a bad port");
      auto addr = normalized_address(u.address);
      if (!addr) w.fail("address", "is '" + base::escape_bytes(u.address) + "', not an IPv4 or IPv6 address");
      u.address = std::move(*addr);
      u.port = static_cast<std::uint16_t>(p);
      u.count = count_field(o, "count", w);
      u.first_us = time_field(o, "first_seen", w);
      u.last_us = time_field(o, "last_seen", w);
      fold(inv.unnamed[unnamed_key(u.transport, u.address, u.port)], u);
    }
  }
  return inv;
}

namespace {

constexpr const char* k_expected = "expected an inventory (JSON) or events (JSON Lines)";

// Where the first JSON text starts: past blanks and a UTF-8 byte order mark (editors write one;
// the JSON parser skips it too); npos when there is none.
std::size_t first_text(std::string_view text) {
  const std::size_t bom = text.substr(0, 3) == "\xef\xbb\xbf" ? 3 : 0;
  return text.find_first_not_of(" \t\r\n", bom);
}

// Both kinds of file open with '{': an inventory is one object, events one object a line.
bool starts_wrong(std::string_view text) {
  std::size_t first = first_text(text);
  return first != std::string_view::npos && text[first] != '{';
}

constexpr const char* k_events_hint = "events are JSON Lines: one contact, one JSON object, a line";

// The whole text as one JSON document, with nlohmann's errors turned into ours.
nlohmann::json parse_document(std::string_view text, const std::string& path) {
  std::string duplicate;
  nlohmann::json j;
  try {
    j = parse_json(text, duplicate);
  } catch (const nlohmann::json::parse_error& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 3, column 7: syntax
    // error while parsing …": the location is ours to print, the rest is the reason.
    std::string why = e.what();
    if (auto c = why.find("column "); c != std::string::npos)
      if (auto colon = why.find(": ", c); colon != std::string::npos) why.erase(0, colon + 2);
    throw base::UserError(json_error_location(path, text, e.byte), "invalid JSON: " + base::printable(why), k_expected);
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double ("1e999") is out_of_range, with no position.
    std::string why = e.what();
    if (auto b = why.find("] "); b != std::string::npos) why.erase(0, b + 2);
    throw base::UserError(base::Location{path, 0, 0}, "invalid JSON: " + base::printable(why), k_expected);
  }
  if (!duplicate.empty())
    bad(path, "the key '" + base::escape_bytes(duplicate) + "' appears twice in one object");
  return j;
}

// One events line; throws with the line (and the column of a syntax error).
Event parse_event_line(std::string_view line, const std::string& path, int line_no) {
  std::string duplicate;
  nlohmann::json j;
  try {
    j = parse_json(line, duplicate);
  } catch (const nlohmann::json::exception& e) {
    // A syntax error knows its byte in the line; an out-of-range number does not.
    const auto* pe = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    int column = pe && pe->byte > 0 ? static_cast<int>(std::min(pe->byte, line.size() + 1)) : 1;
    throw base::UserError(base::Location{path, line_no, column}, "invalid JSON on this line", k_events_hint);
  }
  const base::Location at{path, line_no, 1};
  if (!duplicate.empty())
    throw base::UserError(at, "not a netmap event: the key '" + base::escape_bytes(duplicate) + "' appears twice", k_events_hint);
  if (auto v = j.is_object() ? j.find("v") : j.end(); v != j.end() && v->is_number_unsigned() &&
                                                      v->get<std::uint64_t>() > static_cast<std::uint64_t>(k_event_version))
    throw base::UserError(at, "event version " + std::to_string(v->get<std::uint64_t>()) +
                                  " is newer than this netmap understands (" + std::to_string(k_event_version) + ")",
                          "upgrade netmap");
  auto e = event_from_json(j);
  if (!e) throw base::UserError(at, "not a netmap event: " + e.error(), k_events_hint);
  return std::move(e).value();
}

} // namespace

Inventory read_inventory(const std::string& path) {
  return parse_inventory(base::read_file(path, k_max_inventory_bytes, starts_wrong), path);
}

Inventory parse_inventory(std::string_view text, const std::string& path) {
  std::size_t first = first_text(text);
  if (first == std::string::npos) throw base::UserError(base::Location{path, 0, 0}, "the file is empty", k_expected);
  if (base::starts_like_capture(text)) // a common slip: a capture where an inventory belongs
    throw base::UserError(base::Location{path, 0, 0}, "this is a packet capture, not an inventory",
                          "read it with: netmap discover -r " + base::printable(path) + " -o inventory.json");
  if (text[first] != '{') // json_error_location counts bytes from 1, as nlohmann does
    throw base::UserError(json_error_location(path, text, first + 1), "not an inventory or events file: those start with '{'",
                          k_expected);
  // An inventory is one object with "schema"; events are one object per line.
  std::size_t nl = text.find('\n', first);
  bool jsonl = nl != std::string::npos && text.find_first_not_of(" \t\r\n", nl) != std::string::npos &&
               text.find("\"schema\"") == std::string::npos;
  if (!jsonl) {
    nlohmann::json j = parse_document(text, path);
    if (j.is_object() && j.contains("via")) jsonl = true;
    else return inventory_from_json(j, path);
  }
  Inventory inv;
  int line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (base::trim(line).empty()) continue;
    inv.add(parse_event_line(line, path, line_no));
  }
  inv.sources.push_back("events:" + path);
  return inv;
}

void write_inventory(const std::string& path, const Inventory& inv) {
  base::write_file_atomic(path, to_json(inv).dump(2) + "\n");
}

} // namespace netmap::inventory
