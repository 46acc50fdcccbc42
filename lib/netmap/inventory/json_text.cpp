#include "netmap/inventory/json_text.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace netmap::inventory {

namespace {

// The keys of one open object: a short list (most objects have a dozen keys), a hash set once
// it grows, so a hostile object of a million keys stays linear.
class KeySet {
public:
  /// Adds `k`; false when it was already there.
  bool insert(std::string k) {
    if (!m_set.empty()) return m_set.insert(std::move(k)).second;
    if (std::find(m_list.begin(), m_list.end(), k) != m_list.end()) return false;
    m_list.push_back(std::move(k));
    if (m_list.size() > 32) {
      m_set.insert(std::make_move_iterator(m_list.begin()), std::make_move_iterator(m_list.end()));
      m_list.clear();
    }
    return true;
  }

private:
  std::vector<std::string> m_list;
  std::unordered_set<std::string> m_set;
};

} // namespace

nlohmann::json parse_json(std::string_view text, std::string& duplicate) {
  using Event = nlohmann::json::parse_event_t;
  duplicate.clear();
  std::vector<KeySet> open;
  auto check = [&](int, Event ev, nlohmann::json& parsed) {
    if (ev == Event::object_start) open.emplace_back();
    else if (ev == Event::object_end && !open.empty()) open.pop_back();
    else if (ev == Event::key && !open.empty() && parsed.is_string()) {
      std::string k = parsed.get<std::string>();
      if (!open.back().insert(k) && duplicate.empty()) duplicate = std::move(k);
    }
    return true;
  };
  return nlohmann::json::parse(text, check);
}

} // namespace netmap::inventory
