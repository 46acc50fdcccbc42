#pragma once
// Bounded per-direction flow state: an open-addressing (linear probing) table, so the hot path for
// an already-classified flow is a hash, one or two probes and a return. It starts small and doubles
// as flows arrive, up to the size its flow limit needs; idle and evicted flows leave in place.

#include "netmap/dissect/quic_keys.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace netmap::dissect {

/// One direction of a transport flow. 40 bytes, no implicit padding (hashed as raw words).
struct FlowKey {
  std::array<std::uint8_t, 16> src{};
  std::array<std::uint8_t, 16> dst{};
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t protocol = 0;
  std::uint8_t family = 0;
  std::uint16_t zero = 0;
  /// Field-wise equality.
  bool operator==(const FlowKey&) const = default;
  /// The key of the opposite direction.
  [[nodiscard]] FlowKey reversed() const noexcept;
  /// A cheap, well-mixed hash of the 40 bytes.
  [[nodiscard]] std::uint64_t hash() const noexcept;
};

/// Where a flow direction stands.
enum class FlowState : std::uint8_t {
  Start,   ///< nothing classified yet (SYN seen, or first payload pending)
  Tls,     ///< collecting a ClientHello
  Http,    ///< collecting a request head
  Heads,   ///< client side of a kept-alive HTTP connection: every request head is reported
  Dns,     ///< DNS over TCP: length-prefixed messages, followed for the flow's life
  Quic,    ///< collecting QUIC CRYPTO data
  Done,    ///< nothing more to learn: packets return at once
};

/// What one held out-of-order piece costs beyond its bytes (vector header, allocation), so that
/// many tiny pieces cannot exceed the byte budgets by their overhead.
inline constexpr std::size_t k_pending_overhead = 64;

/// Heap state of a flow that is still collecting bytes (freed once it is classified).
struct FlowData {
  std::vector<std::uint8_t> stream;  ///< contiguous bytes from the stream (or CRYPTO) start
  std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> pending; ///< out-of-order pieces
  std::size_t pending_bytes = 0;     ///< held pieces' bytes plus k_pending_overhead each
  std::uint64_t dns_skip = 0;        ///< DNS over TCP: bytes of an oversized message to skip
  std::optional<QuicKeys> quic_keys; ///< keys of the connection's first Initial (RFC 9001 §5.2)
  /// Bytes held, for the global budget.
  [[nodiscard]] std::size_t bytes() const noexcept { return stream.capacity() + pending_bytes; }
};

/// FlowEntry::flags: an HTTP head was already read on this connection (keep-alive: a later head
/// without a name does not end the flow).
inline constexpr std::uint8_t k_flow_keepalive = 1;
/// FlowEntry::flags: the flow was already counted as having lost bytes to a sequence gap.
inline constexpr std::uint8_t k_flow_gap_counted = 2;

/// One slot: one cache line, so a probe costs one memory access (the hash is recomputed from
/// the key when a slot moves, rather than stored).
struct alignas(64) FlowEntry {
  FlowKey key;
  std::uint32_t next_seq = 0; ///< TCP: the next in-order sequence number
  FlowState state = FlowState::Start;
  bool used = false;
  std::uint8_t flags = 0;     ///< k_flow_* bits
  std::int64_t last_us = 0;
  std::unique_ptr<FlowData> data;
};
static_assert(sizeof(FlowEntry) == 64, "a flow slot is one cache line");

/// The table. Entry pointers stay valid until the next insert() or erase().
class FlowTable {
public:
  /// A table for at most `max_flows` flows that forgets flows idle longer than `idle_us`.
  FlowTable(std::size_t max_flows, std::int64_t idle_us);

  /// Slots a new table starts with (it doubles on demand).
  static constexpr std::size_t k_initial_slots = 1024;

  /// The entry for `key`, or nullptr.
  [[nodiscard]] FlowEntry* find(const FlowKey& key, std::uint64_t hash) noexcept;
  /// Inserts a fresh entry (the key must be absent), evicting idle or the oldest flows when full.
  [[nodiscard]] FlowEntry* insert(const FlowKey& key, std::uint64_t hash, std::int64_t now_us);
  /// Removes an entry.
  void erase(FlowEntry* e) noexcept;
  /// Frees the entry's heap state (accounting for its bytes).
  void release(FlowEntry& e) noexcept;
  /// Forgets flows idle at `now_us`.
  void sweep(std::int64_t now_us);
  /// Frees the buffers of the least recently seen collecting flows until at most `budget` bytes
  /// remain buffered.
  void shed(std::size_t budget);
  /// Records a change of an entry's buffered bytes.
  void account(std::size_t before, std::size_t after) noexcept { m_buffered += after - before; }

  /// Flows held.
  [[nodiscard]] std::size_t size() const noexcept { return m_size; }
  /// Slots in the table now (a power of two, at least twice the flows held).
  [[nodiscard]] std::size_t capacity() const noexcept { return m_slots.size(); }
  /// Slots the table may grow to (a power of two, at least twice max_flows).
  [[nodiscard]] std::size_t max_capacity() const noexcept { return m_max_slots; }
  /// Bytes held in flow buffers.
  [[nodiscard]] std::size_t buffered() const noexcept { return m_buffered; }
  /// Flows forgotten (evicted, idle or shed) while still collecting.
  [[nodiscard]] std::uint64_t lost_unfinished() const noexcept { return m_lost; }
  /// Flows held now that still wait for bytes missing before held out-of-order ones (gaps never
  /// filled) and were not yet counted for a gap (O(table): for end-of-run statistics).
  [[nodiscard]] std::uint64_t waiting_on_gaps() const noexcept;

private:
  void evict_oldest(std::int64_t now_us);
  void grow();
  template <class Pred> void remove_if(Pred drop);
  void count_lost(const FlowEntry& e) noexcept;

  std::vector<FlowEntry> m_slots;
  std::size_t m_mask = 0;
  std::size_t m_size = 0;
  std::size_t m_max = 0;
  std::size_t m_max_slots = 0;
  std::int64_t m_idle_us = 0;
  std::size_t m_buffered = 0;
  std::uint64_t m_lost = 0;
};

} // namespace netmap::dissect
