#include "netmap/report/table.hpp"

#include <algorithm>

namespace netmap::report {

Table::Table(std::vector<std::string> headers) : m_headers(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(m_headers.size());
  m_rows.push_back(std::move(cells));
  m_sgr.emplace_back(m_headers.size());
}

void Table::colour_last(std::size_t col, std::string sgr) {
  if (!m_sgr.empty() && col < m_headers.size()) m_sgr.back()[col] = std::move(sgr);
}

std::size_t display_width(const std::string& s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Table::render(bool colour) const {
  std::vector<std::size_t> width(m_headers.size());
  for (std::size_t c = 0; c < m_headers.size(); ++c) {
    width[c] = display_width(m_headers[c]);
    for (const auto& r : m_rows) width[c] = std::max(width[c], display_width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, const std::vector<std::string>* sgr, bool bold) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      bool last = c + 1 == cells.size();
      std::string cell = cells[c];
      std::size_t pad = last ? 0 : width[c] - display_width(cell) + 2;
      if (colour && bold) cell = "\x1b[1m" + cell + "\x1b[0m";
      else if (colour && sgr && !(*sgr)[c].empty()) cell = "\x1b[" + (*sgr)[c] + "m" + cell + "\x1b[0m";
      out += cell + std::string(pad, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(m_headers, nullptr, true);
  for (std::size_t i = 0; i < m_rows.size(); ++i) out += line(m_rows[i], &m_sgr[i], false);
  return out;
}

} // namespace netmap::report
