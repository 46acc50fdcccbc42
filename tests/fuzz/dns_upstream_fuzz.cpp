// Fuzzes the upstream side of the resolver: the bytes are an upstream's answer to a fixed question
// ("www.example.com", its type picked by the first byte), read by read_response(), stored by the
// cache and written back for a client. Checks what the policy relies on: every answer-section RR
// belongs to the question's alias chain, every alias target was reported, and the cached answer
// carries the client's ID and question within the entry's bounds.

#include "netmap/base/byte_reader.hpp"
#include "netmap/dns/cache.hpp"
#include "netmap/dns/response.hpp"
#include "netmap/dns/wire.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

using namespace netmap::dns;

namespace {

constexpr std::uint8_t k_qname[] = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
constexpr std::uint16_t k_types[] = {k_type_a, 28, k_type_https, k_type_cname, k_type_soa, 16};

bool listed(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool ancestor_of_any(const std::string& anc, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (anc == "." || n == anc || (n.size() > anc.size() && n.ends_with(anc) && n[n.size() - anc.size() - 1] == '.'))
      return true;
  return false;
}

// Walks the answer section again on its own and aborts on an RR no alias of the question leads to.
void check_answer_section(std::span<const std::uint8_t> msg, std::size_t question_size, const ResponseInfo& info) {
  netmap::base::ByteReader r(msg);
  if (!r.skip(k_header_size + question_size)) std::abort();
  std::vector<std::string> chain = info.alias_targets;
  chain.push_back("www.example.com");
  for (std::uint16_t i = 0; i < info.answer_count; ++i) {
    std::size_t owner_at = r.position();
    if (!skip_name(r)) std::abort(); // read_response accepted it
    auto type = r.u16be();
    (void)r.u16be();
    (void)r.u32be();
    auto rdlen = r.u16be();
    if (!type || !rdlen || !r.skip(*rdlen)) std::abort();
    auto owner = decode_name(msg, owner_at);
    if (!owner) std::abort();
    bool above = *type == k_type_dname || *type == k_type_rrsig;
    if (!listed(chain, *owner) && !(above && ancestor_of_any(*owner, chain))) std::abort();
    if (*type == k_type_cname || *type == k_type_dname) {
      auto target = decode_name(msg, r.position() - *rdlen);
      if (!target || !listed(info.alias_targets, *target)) std::abort();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint16_t qtype = k_types[data[0] % std::size(k_types)];
  std::span<const std::uint8_t> msg(data + 1, size - 1);

  // The client's query: ID 0xBEEF, the name in mixed case (0x20), no EDNS.
  std::vector<std::uint8_t> query = {0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  query.insert(query.end(), std::begin(k_qname), std::end(k_qname));
  query[13] = 'W';
  query.insert(query.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
  std::span<const std::uint8_t> question(query.data() + k_header_size, query.size() - k_header_size);

  ResponseError err;
  auto info = read_response(msg, question, err);
  if (!info) {
    if (err == ResponseError::None) std::abort();
    return 0;
  }
  if (err != ResponseError::None || info->body_end > msg.size() || info->alias_targets.size() > 64) std::abort();
  for (auto off : info->ttl_offsets)
    if (off + 4u > info->body_end) std::abort();
  check_answer_section(msg, question.size(), *info);

  Cache cache(4);
  std::array<char, 264> kb;
  auto key = cache_key(std::span(k_qname), qtype, k_class_in, false, false, kb);
  auto e = cache.store(key, msg, *info, 1);
  if (e->ttl > k_max_ttl || e->message.size() != info->body_end) std::abort();
  if (cache.find(key, 2) && (e->ttl == 0 || info->truncated)) std::abort();
  static std::uint8_t out[70000];
  std::size_t n = write_from_cache(out, *e, query, query.size(), 0x0100, (size & 1) != 0, false, 3'000'000'000);
  if (n == 0) return 0;
  if (n > sizeof out || load16(out) != 0xBEEF) std::abort();
  if (std::memcmp(out + k_header_size, question.data(), question.size()) != 0) std::abort();
  return 0;
}
