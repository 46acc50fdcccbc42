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

namespace {

// One line of a table whose column widths are known; Table and StreamedTable share it.
std::string line(const std::vector<std::string>& cells, const std::vector<std::string>* sgr,
                 const std::vector<std::size_t>& width, bool colour, bool bold) {
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
}

} // namespace

std::string Table::render(bool colour) const {
  std::vector<std::size_t> width(m_headers.size());
  for (std::size_t c = 0; c < m_headers.size(); ++c) {
    width[c] = display_width(m_headers[c]);
    for (const auto& r : m_rows) width[c] = std::max(width[c], display_width(r[c]));
  }
  std::string out = line(m_headers, nullptr, width, colour, true);
  for (std::size_t i = 0; i < m_rows.size(); ++i) out += line(m_rows[i], &m_sgr[i], width, colour, false);
  return out;
}

StreamedTable::StreamedTable(std::vector<std::string> headers) : m_headers(std::move(headers)) {
  for (const auto& h : m_headers) m_width.push_back(display_width(h));
}

void StreamedTable::measure(const std::vector<std::string>& cells) {
  for (std::size_t c = 0; c < cells.size() && c < m_width.size(); ++c)
    m_width[c] = std::max(m_width[c], display_width(cells[c]));
}

void StreamedTable::write_header(std::ostream& out, bool colour) const {
  out << line(m_headers, nullptr, m_width, colour, true);
}

void StreamedTable::write_row(std::ostream& out, std::vector<std::string> cells, const std::vector<std::string>& sgr,
                              bool colour) const {
  cells.resize(m_headers.size());
  std::vector<std::string> codes = sgr;
  codes.resize(m_headers.size());
  out << line(cells, &codes, m_width, colour, false);
}

} // namespace netmap::report
