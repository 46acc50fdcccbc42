#include "netmap/dns/summary_text.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace netmap::dns {

std::string format_counters(const Counters& c) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "queries %llu (tcp %llu): allowed %llu (cache hits %llu), blocked %llu, alias targets reported %llu, "
                "alias answers blocked %llu\n"
                "upstream queries %llu, upstream errors %llu, truncated %llu, formerr %llu, notimp %llu, "
                "refused clients %llu, rate-limited %llu, dropped %llu, tcp accept pauses %llu\n"
                "latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                static_cast<unsigned long long>(c.queries), static_cast<unsigned long long>(c.tcp_queries),
                static_cast<unsigned long long>(c.allowed), static_cast<unsigned long long>(c.cache_hits),
                static_cast<unsigned long long>(c.blocked), static_cast<unsigned long long>(c.alias_reported),
                static_cast<unsigned long long>(c.alias_blocked), static_cast<unsigned long long>(c.upstream_queries),
                static_cast<unsigned long long>(c.upstream_errors), static_cast<unsigned long long>(c.truncated),
                static_cast<unsigned long long>(c.formerr), static_cast<unsigned long long>(c.notimp),
                static_cast<unsigned long long>(c.refused_clients), static_cast<unsigned long long>(c.rate_limited),
                static_cast<unsigned long long>(c.dropped), static_cast<unsigned long long>(c.accept_pauses), c.latency_p50_ms, c.latency_p90_ms, c.latency_p99_ms,
                c.latency_max_ms);
  return buf;
}

std::string render_summary(const Summary& s, const Counters& c, bool color) {
  auto paint = [&](const std::string& text, const char* code) {
    return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  };
  std::string out;
  out += "allowed names (" + std::to_string(s.allowed.size()) + "):\n";
  for (const auto& e : s.allowed)
    out += "  " + paint(e.key, "32") + "  " + std::to_string(e.count) + (e.rule.empty() ? "" : "  rule " + e.rule) + "\n";
  out += "blocked names (" + std::to_string(s.blocked.size()) + "):\n";
  for (const auto& e : s.blocked) {
    out += "  " + paint(e.key, "31") + "  " + std::to_string(e.count) + "  " + e.verdict;
    if (e.verdict == "unlisted" || e.verdict == "ignored") out += "  (to allow: add '" + e.key + "')";
    else if (!e.rule.empty()) out += "  rule " + e.rule;
    out += "\n";
  }
  if (s.untracked_names) out += "  … and " + std::to_string(s.untracked_names) + " queries for names past the summary's capacity\n";
  out += "clients (" + std::to_string(s.clients.size()) + "):\n";
  for (const auto& e : s.clients) out += "  " + e.key + "  " + std::to_string(e.count) + "\n";
  out += format_counters(c);
  return out;
}

nlohmann::json summary_json(const Summary& s, const Counters& c, const std::vector<std::string>& listen) {
  auto list = [](const std::vector<TallyEntry>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : v) {
      nlohmann::json j{{"name", e.key}, {"count", e.count}};
      if (!e.verdict.empty()) j["verdict"] = e.verdict;
      if (!e.rule.empty()) j["rule"] = e.rule;
      a.push_back(std::move(j));
    }
    return a;
  };
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& e : s.clients) clients.push_back({{"client", e.key}, {"count", e.count}});
  nlohmann::json counters{{"queries", c.queries}, {"tcp_queries", c.tcp_queries}, {"allowed", c.allowed},
                          {"blocked", c.blocked}, {"alias_reported", c.alias_reported}, {"alias_blocked", c.alias_blocked},
                          {"cache_hits", c.cache_hits}, {"upstream_queries", c.upstream_queries},
                          {"upstream_errors", c.upstream_errors}, {"truncated", c.truncated}, {"formerr", c.formerr},
                          {"notimp", c.notimp}, {"refused_clients", c.refused_clients}, {"rate_limited", c.rate_limited},
                          {"dropped", c.dropped}, {"accept_pauses", c.accept_pauses}, {"latency_p50_ms", c.latency_p50_ms}, {"latency_p90_ms", c.latency_p90_ms},
                          {"latency_p99_ms", c.latency_p99_ms}, {"latency_max_ms", c.latency_max_ms}};
  return {{"listen", listen}, {"allowed", list(s.allowed)}, {"blocked", list(s.blocked)}, {"clients", clients},
          {"untracked_name_queries", s.untracked_names}, {"counters", counters}};
}

} // namespace netmap::dns
