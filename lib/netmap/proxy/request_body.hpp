#pragma once
// Where a forwarded request's body ends (RFC 9112 §6.3): a Content-Length count or a chunked body
// (§7.1) scanned as it streams by. The proxy relays exactly the body and nothing after it, so a
// second request hidden behind the first one never reaches the server unjudged. Never throws.

#include <cstddef>
#include <cstdint>
#include <span>

namespace netmap::proxy {

/// Follows one request body through the byte stream that carries it.
class BodyFramer {
public:
  /// How far the body got.
  enum class Status {
    More,  ///< the body goes on
    Done,  ///< the body ended; bytes after it are not part of this request
    Error, ///< the chunked framing is malformed (the request must not be relayed further)
  };
  /// A body of exactly `length` bytes (0: no body at all).
  [[nodiscard]] static BodyFramer fixed(std::uint64_t length) noexcept;
  /// A chunked body, ending with the last chunk and the trailer section.
  [[nodiscard]] static BodyFramer chunked() noexcept;
  /// Scans the next bytes of the stream; returns how many of them belong to the body (a prefix
  /// of `bytes`: all of them while More, those up to its end when Done, those before the bad
  /// byte when Error).
  [[nodiscard]] std::size_t feed(std::span<const std::uint8_t> bytes) noexcept;
  /// The state after the bytes fed so far.
  [[nodiscard]] Status status() const noexcept { return m_status; }

private:
  enum class State { Fixed, Size, ExtStart, Ext, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, EndLf };
  /// One byte of chunked framing; false when it is malformed.
  bool step(std::uint8_t c) noexcept;
  State m_state = State::Fixed;
  Status m_status = Status::More;
  std::uint64_t m_left = 0;       ///< bytes left of the fixed body or of the current chunk's data
  std::size_t m_digits = 0;       ///< hex digits of the chunk size read so far
  std::size_t m_line = 0;         ///< bytes of the current size or trailer line (bounded)
};

} // namespace netmap::proxy
