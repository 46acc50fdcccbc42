#include "netmap/proxy/request_body.hpp"

#include "netmap/base/byte_reader.hpp"

#include <algorithm>

namespace netmap::proxy {

namespace {

// A chunk-size line or trailer line longer than this is refused: no honest client needs one, and
// a bound keeps a parser differential with the server's own limit from mattering.
constexpr std::size_t k_max_line = 4096;
// 15 hex digits (< 2^60) is more than any body; more digits could overflow 64 bits.
constexpr std::size_t k_max_size_digits = 15;

int hex_value(std::uint8_t c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Field-value bytes (RFC 9110 §5.5): no CR, LF, NUL or other CTLs.
bool is_text(std::uint8_t c) noexcept { return c == '\t' || (c >= 0x20 && c != 0x7f); }

} // namespace

BodyFramer BodyFramer::fixed(std::uint64_t length) noexcept {
  BodyFramer f;
  f.m_state = State::Fixed;
  f.m_left = length;
  if (length == 0) f.m_status = Status::Done;
  return f;
}

BodyFramer BodyFramer::chunked() noexcept {
  BodyFramer f;
  f.m_state = State::Size;
  return f;
}

std::size_t BodyFramer::feed(std::span<const std::uint8_t> bytes) noexcept {
  base::ByteReader r(bytes);
  while (m_status == Status::More && !r.empty()) {
    if (m_state == State::Fixed || m_state == State::Data) {
      // Body and chunk data pass in bulk: only their length matters.
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_left, r.remaining()));
      (void)r.skip(n);
      m_left -= n;
      if (m_left == 0) {
        if (m_state == State::Fixed) m_status = Status::Done;
        else m_state = State::DataCr;
      }
      continue;
    }
    auto c = r.peek();
    if (!c || !step(*c)) {
      m_status = Status::Error;
      break;
    }
    (void)r.skip(1);
  }
  return r.position();
}

// RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF, then last-chunk (size 0),
// the trailer section and a final CRLF. Line ends are CRLF only, as in the head (§2.2).
bool BodyFramer::step(std::uint8_t c) noexcept {
  if (m_state == State::Size || m_state == State::ExtStart || m_state == State::Ext || m_state == State::Trailer ||
      m_state == State::TrailerStart) {
    if (++m_line > k_max_line) return false;
  }
  switch (m_state) {
  case State::Size:
    if (int v = hex_value(c); v >= 0) {
      if (++m_digits > k_max_size_digits) return false;
      m_left = m_left * 16 + static_cast<std::uint64_t>(v);
      return true;
    }
    if (m_digits == 0) return false;
    if (c == '\r') m_state = State::SizeLf;
    else if (c == ';') m_state = State::Ext;
    else if (c == ' ' || c == '\t') m_state = State::ExtStart; // BWS before ';'
    else return false;
    return true;
  case State::ExtStart:
    if (c == ';') m_state = State::Ext;
    else if (c != ' ' && c != '\t') return false;
    return true;
  case State::Ext:
    if (c == '\r') m_state = State::SizeLf;
    else if (!is_text(c)) return false;
    return true;
  case State::SizeLf:
    if (c != '\n') return false;
    m_line = 0;
    m_digits = 0;
    m_state = m_left == 0 ? State::TrailerStart : State::Data;
    return true;
  case State::DataCr:
    if (c != '\r') return false;
    m_state = State::DataLf;
    return true;
  case State::DataLf:
    if (c != '\n') return false;
    m_state = State::Size;
    return true;
  case State::TrailerStart:
    if (c == '\r') m_state = State::EndLf;
    else if (c == ' ' || c == '\t' || !is_text(c)) return false; // obs-fold is refused, as in the head
    else m_state = State::Trailer;
    return true;
  case State::Trailer:
    if (c == '\r') m_state = State::TrailerLf;
    else if (!is_text(c)) return false;
    return true;
  case State::TrailerLf:
    if (c != '\n') return false;
    m_line = 0;
    m_state = State::TrailerStart;
    return true;
  case State::EndLf:
    if (c != '\n') return false;
    m_status = Status::Done;
    return true;
  case State::Fixed:
  case State::Data:
    break;
  }
  return false;
}

} // namespace netmap::proxy
