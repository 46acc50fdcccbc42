#include "netmap/dissect/flow_table.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace netmap::dissect {

FlowKey FlowKey::reversed() const noexcept {
  FlowKey k = *this;
  std::swap(k.src, k.dst);
  std::swap(k.src_port, k.dst_port);
  return k;
}

std::uint64_t FlowKey::hash() const noexcept {
  static_assert(sizeof(FlowKey) == 40, "FlowKey must have no padding");
  std::uint64_t w[5];
  std::memcpy(w, this, sizeof w);
  std::uint64_t h = 0x243f6a8885a308d3ull;
  for (std::uint64_t x : w) {
    h = (h ^ x) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  return h;
}

FlowTable::FlowTable(std::size_t max_flows, std::int64_t idle_us)
    : m_max(std::max<std::size_t>(max_flows, 1)), m_idle_us(idle_us) {
  m_max_slots = 16;
  while (m_max_slots < m_max * 2) m_max_slots *= 2; // load factor ≤ 1/2 keeps probe runs short
  // Most captures hold a few hundred flows at once: the full table (65 536 flows × 64 bytes × 2)
  // would be mostly empty memory, so it grows as flows arrive.
  m_slots.resize(std::min(m_max_slots, k_initial_slots));
  m_mask = m_slots.size() - 1;
}

FlowEntry* FlowTable::find(const FlowKey& key, std::uint64_t hash) noexcept {
  for (std::size_t i = hash & m_mask;; i = (i + 1) & m_mask) {
    FlowEntry& e = m_slots[i];
    if (!e.used) return nullptr;
    if (e.key == key) return &e;
  }
}

FlowEntry* FlowTable::insert(const FlowKey& key, std::uint64_t hash, std::int64_t now_us) {
  if (m_size >= m_max) evict_oldest(now_us);
  else if ((m_size + 1) * 2 > m_slots.size() && m_slots.size() < m_max_slots) grow();
  for (std::size_t i = hash & m_mask;; i = (i + 1) & m_mask) {
    FlowEntry& e = m_slots[i];
    if (e.used) continue;
    e.key = key;
    e.used = true;
    e.state = FlowState::Start;
    e.flags = 0;
    e.next_seq = 0;
    e.last_us = now_us;
    e.data.reset();
    ++m_size;
    return &e;
  }
}

void FlowTable::grow() {
  std::vector<FlowEntry> old(m_slots.size() * 2);
  old.swap(m_slots);
  m_mask = m_slots.size() - 1;
  for (auto& e : old) {
    if (!e.used) continue;
    for (std::size_t i = e.key.hash() & m_mask;; i = (i + 1) & m_mask) {
      if (m_slots[i].used) continue;
      m_slots[i] = std::move(e);
      break;
    }
  }
}

void FlowTable::evict_oldest(std::int64_t now_us) {
  // Forget idle flows and the least recently seen eighth, so eviction costs O(capacity) once per
  // max/8 inserts.
  std::vector<std::int64_t> seen;
  seen.reserve(m_size);
  for (const auto& e : m_slots)
    if (e.used) seen.push_back(e.last_us);
  std::size_t k = std::max<std::size_t>(seen.size() / 8, 1);
  auto nth = seen.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(seen.begin(), nth, seen.end());
  const std::int64_t threshold = *nth;
  // Flows seen exactly at the threshold fill what is left of the eighth, no more.
  std::size_t equal_quota =
      k - static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [&](std::int64_t t) { return t < threshold; }));
  const std::int64_t idle_before = now_us - m_idle_us;
  remove_if([&](const FlowEntry& e) {
    if (e.last_us < threshold || e.last_us < idle_before) return true;
    if (e.last_us == threshold && equal_quota > 0) {
      --equal_quota;
      return true;
    }
    return false;
  });
}

// Erasing shifts later entries of the probe run back (never past the slot being looked at, since
// the run cannot wrap around a table at most half full), so slot i is looked at again after an
// erase; an entry kept once is kept when seen again.
template <class Pred> void FlowTable::remove_if(Pred drop) {
  for (std::size_t i = 0; i < m_slots.size();) {
    FlowEntry& e = m_slots[i];
    if (e.used && drop(e)) {
      count_lost(e);
      erase(&e);
      continue;
    }
    ++i;
  }
}

void FlowTable::release(FlowEntry& e) noexcept {
  if (e.data) {
    m_buffered -= e.data->bytes();
    e.data.reset();
  }
}

void FlowTable::count_lost(const FlowEntry& e) noexcept {
  if (e.state != FlowState::Done && e.data && !(e.data->stream.empty() && e.data->pending.empty()))
    ++m_lost;
}

std::uint64_t FlowTable::waiting_on_gaps() const noexcept {
  std::uint64_t n = 0;
  for (const auto& e : m_slots)
    if (e.used && e.state != FlowState::Done && e.data && !e.data->pending.empty() &&
        (e.flags & k_flow_gap_counted) == 0)
      ++n;
  return n;
}

void FlowTable::erase(FlowEntry* e) noexcept {
  release(*e);
  e->used = false;
  --m_size;
  // Backward-shift deletion (Knuth 6.4 Algorithm R): no tombstones, so probe runs stay short.
  std::size_t hole = static_cast<std::size_t>(e - m_slots.data());
  for (std::size_t j = (hole + 1) & m_mask; m_slots[j].used; j = (j + 1) & m_mask) {
    std::size_t home = m_slots[j].key.hash() & m_mask;
    bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      m_slots[hole] = std::move(m_slots[j]);
      m_slots[j].used = false;
      m_slots[j].data.reset();
      hole = j;
    }
  }
}

void FlowTable::sweep(std::int64_t now_us) {
  const std::int64_t idle_before = now_us - m_idle_us;
  remove_if([&](const FlowEntry& e) { return e.last_us < idle_before; });
}

void FlowTable::shed(std::size_t budget) {
  if (m_buffered <= budget) return;
  std::vector<std::pair<std::int64_t, FlowEntry*>> holders;
  for (auto& e : m_slots)
    if (e.used && e.data) holders.emplace_back(e.last_us, &e);
  std::sort(holders.begin(), holders.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [seen, e] : holders) {
    if (m_buffered <= budget) break;
    if (!(e->data->stream.empty() && e->data->pending.empty())) ++m_lost;
    release(*e);
    e->state = FlowState::Done; // gave up on it: later packets return at once
  }
}

} // namespace netmap::dissect
