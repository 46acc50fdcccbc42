#pragma once
// Plain-text tables for terminals: columns padded to the widest cell, optional colour per cell.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace netmap::report {

/// A table of text cells, rendered with two spaces between columns.
class Table {
public:
  /// A table with these column headers.
  explicit Table(std::vector<std::string> headers);
  /// Appends a row; missing cells are blank, extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  /// Colours cell `col` of the last row with an SGR code ("31" red, "32" green, "33" yellow).
  void colour_last(std::size_t col, std::string sgr);
  /// Number of rows (headers excluded).
  [[nodiscard]] std::size_t rows() const noexcept { return m_rows.size(); }
  /// The rendered table; `colour` enables the SGR codes and a bold header.
  [[nodiscard]] std::string render(bool colour) const;

private:
  std::vector<std::string> m_headers;
  std::vector<std::vector<std::string>> m_rows;
  std::vector<std::vector<std::string>> m_sgr;
};

/// A table too long to hold: measured row by row in a first pass, then written row by row in a
/// second, exactly as Table::render would have written it.
class StreamedTable {
public:
  /// A table with these column headers.
  explicit StreamedTable(std::vector<std::string> headers);
  /// First pass: widens the columns to fit a row that will be written.
  void measure(const std::vector<std::string>& cells);
  /// Second pass: the header line.
  void write_header(std::ostream& out, bool colour) const;
  /// Second pass: one row, `sgr` holding each cell's colour code (or empty strings).
  void write_row(std::ostream& out, std::vector<std::string> cells, const std::vector<std::string>& sgr,
                 bool colour) const;

private:
  std::vector<std::string> m_headers;
  std::vector<std::size_t> m_width;
};

/// Display width of UTF-8 text (code points; netmap prints escaped ASCII names, so this suffices).
[[nodiscard]] std::size_t display_width(const std::string& s) noexcept;

} // namespace netmap::report
