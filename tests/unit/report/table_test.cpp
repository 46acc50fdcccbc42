#include "netmap/report/table.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace netmap::report;

TEST(Table, StreamedTableWritesWhatTableRenders) {
  const std::vector<std::string> headers{"DOMAIN", "PORTS", "VERDICT"};
  const std::vector<std::vector<std::string>> rows{
      {"a.example.com", "443", "covered"}, {"much-longer-name.example.org", "", "needs allowlisting"}, {"b", "80, 443"}};
  for (bool colour : {false, true}) {
    Table whole(headers);
    StreamedTable streamed(headers);
    for (const auto& r : rows) {
      whole.add_row(r);
      whole.colour_last(2, "33");
      streamed.measure(r);
    }
    std::ostringstream out;
    streamed.write_header(out, colour);
    for (const auto& r : rows) streamed.write_row(out, r, {"", "", "33"}, colour);
    EXPECT_EQ(out.str(), whole.render(colour)) << colour;
  }
}
