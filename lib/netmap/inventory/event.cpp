#include "netmap/inventory/event.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/inventory/field_values.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <nlohmann/json.hpp>
#include <utility>

namespace netmap::inventory {

namespace {
constexpr std::array<std::pair<SeenVia, const char*>, 8> k_via{{
    {SeenVia::Dns, "dns"}, {SeenVia::Sni, "sni"}, {SeenVia::HttpHost, "http-host"},
    {SeenVia::Connect, "connect"}, {SeenVia::Quic, "quic"}, {SeenVia::Resolver, "resolver"},
    {SeenVia::Proxy, "proxy"}, {SeenVia::Direct, "direct"},
}};

template <class T>
void put(nlohmann::json& j, const char* k, const T& v) {
  if (v != T{}) j[k] = v;
}

// Reads an optional field: absent leaves `out` as it is; present, it must have T's type and fit
// in it (a float never lands in an integer, a negative never in an unsigned). False otherwise.
template <class T>
bool get(const nlohmann::json& j, const char* k, T& out) {
  auto it = j.find(k);
  if (it == j.end()) return true;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
    out = it->template get<std::string>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) return false;
    double v = it->template get<double>();
    if (!std::isfinite(v)) return false;
    out = static_cast<T>(v);
  } else if constexpr (std::is_unsigned_v<T>) {
    if (!it->is_number_unsigned()) return false;
    auto v = it->template get<std::uint64_t>();
    if (v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
  } else {
    if (!it->is_number_integer()) return false;
    auto v = it->template get<std::int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
  }
  return true;
}
} // namespace

const char* seen_via_name(SeenVia v) noexcept {
  for (const auto& [k, n] : k_via)
    if (k == v) return n;
  return "dns";
}

std::optional<SeenVia> parse_seen_via(std::string_view s) noexcept {
  for (const auto& [k, n] : k_via)
    if (s == n) return k;
  return std::nullopt;
}

nlohmann::json to_json(const Event& e) {
  nlohmann::json j;
  j["v"] = k_event_version;
  j["time"] = base::format_rfc3339(e.time_us);
  put(j, "producer", e.producer);
  j["via"] = seen_via_name(e.via);
  put(j, "name", e.name);
  put(j, "address", e.address);
  put(j, "port", e.port);
  put(j, "transport", e.transport);
  put(j, "client", e.client);
  put(j, "qtype", e.qtype);
  put(j, "rcode", e.rcode);
  put(j, "verdict", e.verdict);
  put(j, "rule", e.rule);
  put(j, "rule_source", e.rule_source);
  put(j, "method", e.method);
  put(j, "status", e.status);
  put(j, "bytes_up", e.bytes_up);
  put(j, "bytes_down", e.bytes_down);
  put(j, "latency_ms", e.latency_ms);
  put(j, "pid", e.pid);
  put(j, "command", e.command);
  put(j, "note", e.note);
  put(j, "ttl", e.ttl);
  if (!e.answers.empty()) j["answers"] = e.answers;
  return j;
}

base::Result<Event> event_from_json(const nlohmann::json& j) {
  using R = base::Result<Event>;
  if (!j.is_object()) return R::failure("not a JSON object");
  // "v" is checked by the file reader first (a newer version has its own message); here only
  // its type, for callers that read single events.
  if (auto v = j.find("v"); v != j.end() && (!v->is_number_integer() || v->get<std::int64_t>() < 1))
    return R::failure("'v' is not a version number");
  auto via = j.find("via");
  auto time = j.find("time");
  if (via == j.end() || !via->is_string()) return R::failure("'via' is missing or not a string");
  if (time == j.end() || !time->is_string()) return R::failure("'time' is missing or not a string");
  auto v = parse_seen_via(via->get<std::string>());
  if (!v) return R::failure("'via' is not one of dns, sni, http-host, connect, quic, resolver, proxy, direct");
  auto t = base::parse_rfc3339(time->get<std::string>());
  if (!t) return R::failure("'time' is " + (t.error().starts_with("not ") ? t.error() : "not a valid time: " + t.error()));
  Event e;
  e.via = *v;
  e.time_us = t.value();
  const char* bad = nullptr;
  auto field = [&](const char* k, auto& out) {
    if (!bad && !get(j, k, out)) bad = k;
  };
  field("producer", e.producer);
  field("name", e.name);
  field("address", e.address);
  field("port", e.port);
  field("transport", e.transport);
  field("client", e.client);
  field("qtype", e.qtype);
  field("rcode", e.rcode);
  field("verdict", e.verdict);
  field("rule", e.rule);
  field("rule_source", e.rule_source);
  field("method", e.method);
  field("status", e.status);
  field("bytes_up", e.bytes_up);
  field("bytes_down", e.bytes_down);
  field("latency_ms", e.latency_ms);
  field("pid", e.pid);
  field("command", e.command);
  field("note", e.note);
  field("ttl", e.ttl);
  if (bad) return R::failure(std::string("'") + bad + "' has the wrong type or is out of range");
  if (auto it = j.find("answers"); it != j.end()) {
    if (!it->is_array()) return R::failure("'answers' is not a list");
    for (const auto& a : *it) {
      auto addr = a.is_string() ? normalized_address(a.get<std::string>()) : std::nullopt;
      if (!addr) return R::failure("'answers' holds something that is not an IPv4 or IPv6 address");
      e.answers.push_back(std::move(*addr));
    }
  }
  if (!e.address.empty()) {
    auto addr = normalized_address(e.address);
    if (!addr) return R::failure("'address' is not an IPv4 or IPv6 address");
    e.address = std::move(*addr);
  }
  if (!e.verdict.empty() && !is_known_verdict(e.verdict)) return R::failure("'verdict' is not one of " + known_verdicts());
  if (!e.name.empty()) e.name = normalized_name(e.name);
  if (e.name.empty() && e.address.empty()) return R::failure("neither 'name' nor 'address' is set");
  return e;
}

std::string to_jsonl(const Event& e) { return to_json(e).dump() + "\n"; }

} // namespace netmap::inventory
