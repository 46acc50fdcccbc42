#pragma once
// JSON text as inventories and events are read: nlohmann's parser, plus the one check it lacks.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace netmap::inventory {

/// Parses `text` (throwing nlohmann::json::exception on a syntax error, as nlohmann::json::parse
/// does) and sets `duplicate` to the first key found twice in one object, else leaves it empty:
/// nlohmann keeps the last of them silently, and a reader must not guess which one was meant.
[[nodiscard]] nlohmann::json parse_json(std::string_view text, std::string& duplicate);

} // namespace netmap::inventory
