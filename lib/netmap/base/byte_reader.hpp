#pragma once
// The one bounds-checked reader for untrusted bytes (packets, DNS messages, HTTP heads, files).
// Every read checks the remaining length first and fails without moving; nothing here throws.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace netmap::base {

/// A cursor over a byte span; reads fail (return false / nullopt) instead of running past the end.
class ByteReader {
public:
  /// Reads from `data`, starting at its first byte.
  explicit ByteReader(std::span<const std::uint8_t> data) noexcept : m_data(data) {}
  /// Reads from the bytes of a string view (for text protocols).
  explicit ByteReader(std::string_view text) noexcept
      : m_data(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()) {}

  /// Bytes not yet consumed.
  [[nodiscard]] std::size_t remaining() const noexcept { return m_data.size() - m_pos; }
  /// Offset of the next byte from the start of the span.
  [[nodiscard]] std::size_t position() const noexcept { return m_pos; }
  /// The whole underlying span (for name decoders that follow backward pointers).
  [[nodiscard]] std::span<const std::uint8_t> whole() const noexcept { return m_data; }
  /// True when every byte has been consumed.
  [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }

  /// Reads one byte.
  [[nodiscard]] std::optional<std::uint8_t> u8() noexcept;
  /// Reads a big-endian (network order) 16-bit value.
  [[nodiscard]] std::optional<std::uint16_t> u16be() noexcept;
  /// Reads a big-endian 24-bit value (TLS handshake lengths).
  [[nodiscard]] std::optional<std::uint32_t> u24be() noexcept;
  /// Reads a big-endian 32-bit value.
  [[nodiscard]] std::optional<std::uint32_t> u32be() noexcept;
  /// Reads a little-endian 16-bit value (pcap headers of the other byte order).
  [[nodiscard]] std::optional<std::uint16_t> u16le() noexcept;
  /// Reads a little-endian 32-bit value.
  [[nodiscard]] std::optional<std::uint32_t> u32le() noexcept;
  /// Takes the next `n` bytes as a sub-span, or nothing if fewer remain.
  [[nodiscard]] std::optional<std::span<const std::uint8_t>> bytes(std::size_t n) noexcept;
  /// Takes the next `n` bytes as a sub-reader (for length-prefixed structures).
  [[nodiscard]] std::optional<ByteReader> sub(std::size_t n) noexcept;
  /// Skips `n` bytes; false (and no move) if fewer remain.
  [[nodiscard]] bool skip(std::size_t n) noexcept;
  /// Moves to absolute offset `pos`; false if past the end.
  [[nodiscard]] bool seek(std::size_t pos) noexcept;
  /// The bytes not yet consumed, without consuming them.
  [[nodiscard]] std::span<const std::uint8_t> rest() const noexcept { return m_data.subspan(m_pos); }
  /// Looks at the byte `ahead` positions from the cursor without consuming it.
  [[nodiscard]] std::optional<std::uint8_t> peek(std::size_t ahead = 0) const noexcept;

private:
  std::span<const std::uint8_t> m_data;
  std::size_t m_pos = 0;
};

// Defined here, not in a .cpp: every packet goes through these, and a call per field read was
// the dissector's largest single cost.
inline std::optional<std::uint8_t> ByteReader::u8() noexcept {
  if (remaining() < 1) return std::nullopt;
  return m_data[m_pos++];
}

inline std::optional<std::uint16_t> ByteReader::u16be() noexcept {
  if (remaining() < 2) return std::nullopt;
  auto v = static_cast<std::uint16_t>((m_data[m_pos] << 8) | m_data[m_pos + 1]);
  m_pos += 2;
  return v;
}

inline std::optional<std::uint32_t> ByteReader::u24be() noexcept {
  if (remaining() < 3) return std::nullopt;
  auto v = (std::uint32_t{m_data[m_pos]} << 16) | (std::uint32_t{m_data[m_pos + 1]} << 8) |
           std::uint32_t{m_data[m_pos + 2]};
  m_pos += 3;
  return v;
}

inline std::optional<std::uint32_t> ByteReader::u32be() noexcept {
  if (remaining() < 4) return std::nullopt;
  auto v = (std::uint32_t{m_data[m_pos]} << 24) | (std::uint32_t{m_data[m_pos + 1]} << 16) |
           (std::uint32_t{m_data[m_pos + 2]} << 8) | std::uint32_t{m_data[m_pos + 3]};
  m_pos += 4;
  return v;
}

inline std::optional<std::uint16_t> ByteReader::u16le() noexcept {
  if (remaining() < 2) return std::nullopt;
  auto v = static_cast<std::uint16_t>(m_data[m_pos] | (m_data[m_pos + 1] << 8));
  m_pos += 2;
  return v;
}

inline std::optional<std::uint32_t> ByteReader::u32le() noexcept {
  if (remaining() < 4) return std::nullopt;
  auto v = std::uint32_t{m_data[m_pos]} | (std::uint32_t{m_data[m_pos + 1]} << 8) |
           (std::uint32_t{m_data[m_pos + 2]} << 16) | (std::uint32_t{m_data[m_pos + 3]} << 24);
  m_pos += 4;
  return v;
}

inline std::optional<std::span<const std::uint8_t>> ByteReader::bytes(std::size_t n) noexcept {
  if (remaining() < n) return std::nullopt;
  auto s = m_data.subspan(m_pos, n);
  m_pos += n;
  return s;
}

inline std::optional<ByteReader> ByteReader::sub(std::size_t n) noexcept {
  auto s = bytes(n);
  if (!s) return std::nullopt;
  return ByteReader(*s);
}

inline bool ByteReader::skip(std::size_t n) noexcept {
  if (remaining() < n) return false;
  m_pos += n;
  return true;
}

inline bool ByteReader::seek(std::size_t pos) noexcept {
  if (pos > m_data.size()) return false;
  m_pos = pos;
  return true;
}

inline std::optional<std::uint8_t> ByteReader::peek(std::size_t ahead) const noexcept {
  if (remaining() <= ahead) return std::nullopt;
  return m_data[m_pos + ahead];
}

} // namespace netmap::base
