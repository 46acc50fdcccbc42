#pragma once
// The resolver's bounded tally of names and clients for the summary. Written by one worker for
// every query, so the write path takes no lock and rehashes no key: an open-addressing table of
// (hash, index) slots over entries that never move.

#include "netmap/dns/server.hpp"
#include "netmap/dns/stats.hpp"

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace netmap::dns {

/// Distinct keys with a count each, at most `cap` keys; lookups without a lock (one writer).
class KeyCounts {
public:
  struct Entry {
    std::string key;
    Counter count;
    bool allowed = false;
    std::string verdict, rule;
  };
  /// At most `cap` keys.
  explicit KeyCounts(std::size_t cap) : m_cap(cap) {}
  /// The entry for `key`, or nullptr (owner only; no lock).
  [[nodiscard]] Entry* find(std::string_view key, std::uint64_t hash) noexcept;
  /// Adds `key` (not present); nullptr when full. The caller holds the lock readers take.
  Entry* insert(std::string_view key, std::uint64_t hash);
  /// True when no key can be added.
  [[nodiscard]] bool full() const noexcept { return m_entries.size() >= m_cap || m_entries.size() >= 0xFFFFFFFEu; }
  /// Calls f(entry) for each entry; the caller holds the lock insert() was called under.
  template <class F> void each(F&& f) const {
    for (const auto& e : m_entries) f(e);
  }

private:
  void grow();
  std::size_t m_cap;
  std::deque<Entry> m_entries;      // stable addresses: counters are bumped through pointers
  std::vector<std::uint64_t> m_slots; // (hash high 32 bits << 32) | (entry index + 1); 0 = empty
};

/// Names and clients with counts, bounded: past the capacity new keys are only counted.
/// One writer (the owning worker) and any number of readers (add_to): the writer takes the lock
/// only to add a key, which is what a reader's walk must not overlap.
class Tally {
public:
  /// A tally keeping at most `names` names and as many clients.
  explicit Tally(std::size_t names) : m_names(names), m_clients(names) {}
  /// Counts a query for `name` (already escaped) with its verdict and rule text (owner only).
  void name(std::string_view name, bool allowed, std::string_view verdict, std::string_view rule);
  /// The same, for a name whose base::hash_text() the caller has already.
  void name(std::string_view name, std::uint64_t hash, bool allowed, std::string_view verdict, std::string_view rule);
  /// Counts a query from `client` (owner only).
  void client(std::string_view client);
  /// Adds this tally into `out` (any thread).
  void add_to(Summary& out, std::unordered_map<std::string, std::size_t>& allowed_idx,
              std::unordered_map<std::string, std::size_t>& blocked_idx,
              std::unordered_map<std::string, std::size_t>& client_idx) const;

private:
  mutable std::mutex m_mu;
  KeyCounts m_names, m_clients;
  Counter m_untracked;
  // The last client counted: queries come in runs from one socket, so most skip the lookup.
  std::string m_last_client;
  Counter* m_last_client_count = nullptr;
};

} // namespace netmap::dns
