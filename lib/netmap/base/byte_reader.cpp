#include "netmap/base/byte_reader.hpp"

namespace netmap::base {

std::optional<std::uint8_t> ByteReader::u8() noexcept {
  if (remaining() < 1) return std::nullopt;
  return m_data[m_pos++];
}

std::optional<std::uint16_t> ByteReader::u16be() noexcept {
  if (remaining() < 2) return std::nullopt;
  auto v = static_cast<std::uint16_t>((m_data[m_pos] << 8) | m_data[m_pos + 1]);
  m_pos += 2;
  return v;
}

std::optional<std::uint32_t> ByteReader::u24be() noexcept {
  if (remaining() < 3) return std::nullopt;
  auto v = (std::uint32_t{m_data[m_pos]} << 16) | (std::uint32_t{m_data[m_pos + 1]} << 8) |
           std::uint32_t{m_data[m_pos + 2]};
  m_pos += 3;
  return v;
}

std::optional<std::uint32_t> ByteReader::u32be() noexcept {
  if (remaining() < 4) return std::nullopt;
  auto v = (std::uint32_t{m_data[m_pos]} << 24) | (std::uint32_t{m_data[m_pos + 1]} << 16) |
           (std::uint32_t{m_data[m_pos + 2]} << 8) | std::uint32_t{m_data[m_pos + 3]};
  m_pos += 4;
  return v;
}

std::optional<std::uint16_t> ByteReader::u16le() noexcept {
  if (remaining() < 2) return std::nullopt;
  auto v = static_cast<std::uint16_t>(m_data[m_pos] | (m_data[m_pos + 1] << 8));
  m_pos += 2;
  return v;
}

std::optional<std::uint32_t> ByteReader::u32le() noexcept {
  if (remaining() < 4) return std::nullopt;
  auto v = std::uint32_t{m_data[m_pos]} | (std::uint32_t{m_data[m_pos + 1]} << 8) |
           (std::uint32_t{m_data[m_pos + 2]} << 16) | (std::uint32_t{m_data[m_pos + 3]} << 24);
  m_pos += 4;
  return v;
}

std::optional<std::span<const std::uint8_t>> ByteReader::bytes(std::size_t n) noexcept {
  if (remaining() < n) return std::nullopt;
  auto s = m_data.subspan(m_pos, n);
  m_pos += n;
  return s;
}

std::optional<ByteReader> ByteReader::sub(std::size_t n) noexcept {
  auto s = bytes(n);
  if (!s) return std::nullopt;
  return ByteReader(*s);
}

bool ByteReader::skip(std::size_t n) noexcept {
  if (remaining() < n) return false;
  m_pos += n;
  return true;
}

bool ByteReader::seek(std::size_t pos) noexcept {
  if (pos > m_data.size()) return false;
  m_pos = pos;
  return true;
}

std::optional<std::uint8_t> ByteReader::peek(std::size_t ahead) const noexcept {
  if (remaining() <= ahead) return std::nullopt;
  return m_data[m_pos + ahead];
}

} // namespace netmap::base
