#pragma once
// Making untrusted text safe to print, and small string helpers shared by every module.

#include <cstddef>
#include <span>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::base {

/// Renders bytes in DNS presentation style: printable ASCII kept, '\\' and '"' escaped, others as \DDD.
/// The result is plain ASCII, safe for JSON, YAML and terminals.
[[nodiscard]] std::string escape_bytes(std::span<const std::uint8_t> bytes);
/// Same, for a string of untrusted bytes.
[[nodiscard]] std::string escape_bytes(std::string_view bytes);
/// Free text (a line of output, a test name, a command word) made safe for a terminal or a report:
/// printable ASCII, spaces and valid UTF-8 kept; controls, invisible format characters (bidi
/// overrides, zero widths), invalid UTF-8 and '\\' escaped as \DDD / \\. At most `max` input bytes,
/// cut at a character boundary and marked with "…".
[[nodiscard]] std::string printable(std::string_view text, std::size_t max = std::string_view::npos);
/// A command for display, as a shell would read it back: each word printable(), quoted with ''
/// when it holds anything beyond letters, digits and @%+=:,./_-; cut after about `max` bytes
/// (at a character boundary) and marked with "…".
[[nodiscard]] std::string command_text(std::span<const std::string> argv, std::size_t max = std::string::npos);
/// The last UTF-8 character boundary at or before `pos` (clamped to s.size()): cutting there
/// never splits a character.
[[nodiscard]] std::size_t utf8_floor(std::string_view s, std::size_t pos) noexcept;
/// The first UTF-8 character boundary at or after `pos` (clamped to s.size()).
[[nodiscard]] std::size_t utf8_ceil(std::string_view s, std::size_t pos) noexcept;
/// ASCII lowercase copy (never locale-dependent).
[[nodiscard]] std::string ascii_lower(std::string_view s);
/// Splits on any of `seps`, dropping empty pieces.
[[nodiscard]] std::vector<std::string> split(std::string_view s, std::string_view seps);
/// `s` without leading and trailing spaces and tabs.
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
/// Levenshtein distance, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `word` within a small distance, or empty.
[[nodiscard]] std::string closest(std::string_view word, const std::vector<std::string>& candidates);

} // namespace netmap::base
