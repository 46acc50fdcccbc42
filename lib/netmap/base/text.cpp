#include "netmap/base/text.hpp"

#include <algorithm>
#include <cstdio>

namespace netmap::base {

std::string escape_bytes(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::uint8_t c : bytes) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x21 && c <= 0x7e) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", unsigned{c});
      out += buf;
    }
  }
  return out;
}

std::string escape_bytes(std::string_view bytes) {
  return escape_bytes(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

namespace {

// The length of the UTF-8 sequence at s[i] when it is valid, shortest-form and a character worth
// showing; 0 otherwise. C1 controls and the format characters that reorder or hide text
// (U+200B-U+200F, U+202A-U+202E, U+2060-U+206F, U+FEFF) are not.
std::size_t shown_utf8(std::string_view s, std::size_t i) noexcept {
  auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
  std::uint8_t c = b(0);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  std::uint32_t cp = c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3Fu);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  bool invalid = cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF);
  bool hidden = cp < 0xA0 || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
                (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
  return overlong || invalid || hidden ? 0 : n;
}

bool continuation(char c) noexcept { return (static_cast<std::uint8_t>(c) & 0xC0) == 0x80; }

bool shell_safe(std::string_view w) noexcept {
  if (w.empty()) return false;
  for (char c : w) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

} // namespace

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<std::uint8_t>(text[i]);
    std::size_t n = c >= 0x80 ? shown_utf8(text, i) : 1;
    if (i + std::max<std::size_t>(n, 1) > max) break;
    if (c >= 0x80 && n > 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) out += static_cast<char>(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", unsigned{c});
      out += buf;
    }
    ++i;
  }
  if (i < text.size()) out += "…";
  return out;
}

std::string command_text(std::span<const std::string> argv, std::size_t max) {
  std::string out;
  for (const auto& word : argv) {
    if (out.size() > max) break;
    if (!out.empty()) out += ' ';
    if (shell_safe(word)) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : printable(word)) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    out += '\'';
  }
  if (out.size() > max) {
    out.resize(utf8_floor(out, max));
    out += "…";
  }
  return out;
}

std::size_t utf8_floor(std::string_view s, std::size_t pos) noexcept {
  pos = std::min(pos, s.size());
  while (pos > 0 && pos < s.size() && continuation(s[pos])) --pos;
  return pos;
}

std::size_t utf8_ceil(std::string_view s, std::size_t pos) noexcept {
  pos = std::min(pos, s.size());
  while (pos < s.size() && continuation(s[pos])) ++pos;
  return pos;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<std::string> split(std::string_view s, std::string_view seps) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find_first_of(seps, i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

} // namespace netmap::base
