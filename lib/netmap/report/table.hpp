#pragma once
// Plain-text tables for terminals: columns padded to the widest cell, optional colour per cell.

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

/// Display width of UTF-8 text (code points; netmap prints escaped ASCII names, so this suffices).
[[nodiscard]] std::size_t display_width(const std::string& s) noexcept;

} // namespace netmap::report
