#include "netmap/inventory/event.hpp"

#include "netmap/base/clock.hpp"

#include <array>
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

template <class T>
void get(const nlohmann::json& j, const char* k, T& out) {
  auto it = j.find(k);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) out = it->template get<std::string>();
  } else {
    if (it->is_number()) out = it->template get<T>();
  }
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
  return j;
}

std::optional<Event> event_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  auto via = j.find("via");
  auto time = j.find("time");
  if (via == j.end() || !via->is_string() || time == j.end() || !time->is_string()) return std::nullopt;
  auto v = parse_seen_via(via->get<std::string>());
  auto t = base::parse_rfc3339(time->get<std::string>());
  if (!v || t < 0) return std::nullopt;
  Event e;
  e.via = *v;
  e.time_us = t;
  get(j, "producer", e.producer);
  get(j, "name", e.name);
  get(j, "address", e.address);
  get(j, "port", e.port);
  get(j, "transport", e.transport);
  get(j, "client", e.client);
  get(j, "qtype", e.qtype);
  get(j, "rcode", e.rcode);
  get(j, "verdict", e.verdict);
  get(j, "rule", e.rule);
  get(j, "rule_source", e.rule_source);
  get(j, "method", e.method);
  get(j, "status", e.status);
  get(j, "bytes_up", e.bytes_up);
  get(j, "bytes_down", e.bytes_down);
  get(j, "latency_ms", e.latency_ms);
  get(j, "pid", e.pid);
  get(j, "command", e.command);
  get(j, "note", e.note);
  get(j, "ttl", e.ttl);
  if (e.name.empty() && e.address.empty()) return std::nullopt;
  return e;
}

std::string to_jsonl(const Event& e) { return to_json(e).dump() + "\n"; }

} // namespace netmap::inventory
