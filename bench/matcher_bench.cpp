// The policy matcher: decisions per second against 10 000 rules and against every preset.
// Target (issue 2): at least 10 million lookups per second on one core.

#include "netmap/policy/matcher.hpp"
#include "netmap/policy/preset.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace netmap::policy;

// 10 000 rules of every kind over 500 registrable domains, like a large monorepo's policy.
Matcher big_matcher() {
  Matcher m;
  for (int i = 0; i < 10000; ++i) {
    std::string base = "svc" + std::to_string(i) + ".team" + std::to_string(i % 500) + ".example" + std::to_string(i % 7) + ".com";
    const char* prefix = i % 3 == 0 ? "" : i % 3 == 1 ? "*." : "**.";
    Rule r = parse_rule(prefix + base).value();
    r.action = i % 50 == 0 ? Action::Deny : Action::Allow;
    m.add(std::move(r));
  }
  return m;
}

// Names to look up: a third exact hits, a third below wildcard rules, a third misses.
std::vector<DomainName> query_names(std::size_t n) {
  std::mt19937 rng(42);
  std::vector<DomainName> out;
  for (std::size_t k = 0; k < n; ++k) {
    int i = static_cast<int>(rng() % 10000);
    std::string base = "svc" + std::to_string(i) + ".team" + std::to_string(i % 500) + ".example" + std::to_string(i % 7) + ".com";
    std::string name = k % 3 == 0 ? base : k % 3 == 1 ? "cdn-" + std::to_string(k % 97) + "." + base : "miss" + std::to_string(k) + ".other" + std::to_string(i) + ".org";
    out.push_back(DomainName::parse(name).value());
  }
  return out;
}

void BM_Decide10kRules(benchmark::State& st) {
  Matcher m = big_matcher();
  auto names = query_names(4096);
  std::size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(m.decide(names[i++ & 4095]));
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}
BENCHMARK(BM_Decide10kRules);

void BM_DecideAllPresets(benchmark::State& st) {
  Matcher m;
  for (const auto* p : presets())
    for (const auto& r : p->rules) m.add(r);
  std::vector<DomainName> names;
  for (const char* n : {"registry.npmjs.org", "files.pythonhosted.org", "github.com", "objects.githubusercontent.com",
                        "proxy.golang.org", "static.crates.io", "repo1.maven.org", "unknown.example.net",
                        "telemetry.vendor.io", "deb.debian.org", "api.github.com", "x.y.z.not-listed.dev"})
    names.push_back(DomainName::parse(n).value());
  std::size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(m.decide(names[i++ % names.size()]));
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}
BENCHMARK(BM_DecideAllPresets);

// The whole path from untrusted text: normalize (DomainName::parse) then decide.
void BM_ParseAndDecide10kRules(benchmark::State& st) {
  Matcher m = big_matcher();
  auto names = query_names(4096);
  std::vector<std::string> texts;
  for (const auto& n : names) texts.push_back(n.str());
  std::size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(m.decide(std::string_view(texts[i++ & 4095])));
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}
BENCHMARK(BM_ParseAndDecide10kRules);

} // namespace

BENCHMARK_MAIN();
