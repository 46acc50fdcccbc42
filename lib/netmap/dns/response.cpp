#include "netmap/dns/response.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/text.hpp"
#include "netmap/dns/wire.hpp"
#include "netmap/policy/domain_name.hpp"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <string_view>

namespace netmap::dns {

namespace {

using base::ByteReader;

// RFC 5452 §9.1: the answer repeats our question. Only the name folds case (RFC 4343): QTYPE and
// QCLASS are numbers, and 0x41 is not 0x61 there.
bool same_question(std::span<const std::uint8_t> msg, std::span<const std::uint8_t> question) {
  if (question.size() < 5 || msg.size() < k_header_size + question.size()) return false;
  const std::size_t name_len = question.size() - 4;
  for (std::size_t i = 0; i < question.size(); ++i) {
    std::uint8_t a = msg[k_header_size + i], b = question[i];
    if (i < name_len ? lower(a) != lower(b) : a != b) return false;
  }
  return true;
}

std::string address_text(int family, std::span<const std::uint8_t> rdata) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, rdata.data(), buf, sizeof buf)) return {};
  return buf;
}

// Looks at one RR's rdata for what the policy and the event need (RFC 1035 §3.3, RFC 9460 §2.2).
// False when an alias target cannot be read: ldns and the client's stub may still follow it
// (a forward pointer, say), and a target the policy never saw must not reach a client.
bool inspect_answer(std::span<const std::uint8_t> msg, std::uint16_t type, std::size_t rdata, std::uint16_t rdlen,
                    ResponseInfo& info) {
  if (type == k_type_cname || type == k_type_dname) {
    auto n = decode_name(msg, rdata);
    if (!n) return false;
    info.alias_targets.push_back(*n);
  } else if (type == k_type_svcb || type == k_type_https) {
    if (rdlen < 3) return false;
    auto n = decode_name(msg, rdata + 2);
    if (!n) return false;
    if (*n != ".") info.alias_targets.push_back(*n);
  } else if (type == k_type_a && rdlen == 4) {
    info.addresses.push_back(address_text(AF_INET, msg.subspan(rdata, 4)));
  } else if (type == 28 && rdlen == 16) {
    info.addresses.push_back(address_text(AF_INET6, msg.subspan(rdata, 16)));
  }
  return true;
}

// Aliases followed from the question's name at most: systemd-resolved's CNAME_REDIRECT_MAX.
// Real chains reach 9 (unbound had to raise its limit of 8 for one), none comes near 16.
constexpr std::size_t k_max_aliases = 16;

// An answer-section RR, for the chain check.
struct AnswerRr {
  std::size_t owner = 0;
  std::uint16_t type = 0;
  std::size_t rdata = 0;
};

// True when `anc` is `name` or one of its ancestors (both lowercase, dotted, escaped).
bool is_ancestor(std::string_view anc, std::string_view name) { return anc == "." || policy::name_within(name, anc); }

// RFC 1034 §3.6.2 / RFC 2181 §10.1: the answer section is the question's name, then one CNAME
// each hop; a DNAME (and RRSIGs) may sit on an ancestor of a name of the chain (RFC 6672 §3.4).
// False for a loop, more than k_max_aliases hops, two CNAMEs on one name, or any RR that belongs
// to no name of the chain: what a client's stub may pick up must be what the policy was shown.
bool answer_is_one_chain(std::span<const std::uint8_t> msg, const std::vector<AnswerRr>& rrs) {
  auto qname = decode_name(msg, k_header_size);
  if (!qname) return false;
  std::vector<std::string> owners;
  owners.reserve(rrs.size());
  for (const auto& rr : rrs) {
    auto n = decode_name(msg, rr.owner);
    if (!n) return false;
    owners.push_back(std::move(*n));
  }
  std::vector<std::string> chain{std::move(*qname)};
  for (;;) {
    std::optional<std::string> next;
    for (std::size_t i = 0; i < rrs.size(); ++i) {
      if (rrs[i].type != k_type_cname || owners[i] != chain.back()) continue;
      auto target = decode_name(msg, rrs[i].rdata);
      if (!target || (next && *next != *target)) return false;
      next = std::move(target);
    }
    if (!next) break;
    if (std::find(chain.begin(), chain.end(), *next) != chain.end() || chain.size() > k_max_aliases) return false;
    chain.push_back(std::move(*next));
  }
  for (std::size_t i = 0; i < rrs.size(); ++i) {
    if (std::find(chain.begin(), chain.end(), owners[i]) != chain.end()) continue;
    bool above = rrs[i].type == k_type_dname || rrs[i].type == k_type_rrsig;
    auto below = [&](const std::string& n) { return is_ancestor(owners[i], n); };
    if (!above || std::none_of(chain.begin(), chain.end(), below)) return false;
  }
  return true;
}

} // namespace

std::optional<std::string> decode_name(std::span<const std::uint8_t> msg, std::size_t offset, std::size_t* end) {
  std::string out;
  std::size_t pos = offset;
  std::size_t wire = 1;
  bool jumped = false;
  for (int hops = 0; hops < 64;) {
    if (pos >= msg.size()) return std::nullopt;
    std::uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) return std::nullopt;
      std::size_t target = (std::size_t{len & 0x3Fu} << 8) | msg[pos + 1];
      if (target >= pos) return std::nullopt; // only backwards, so no loops
      if (!jumped && end) *end = pos + 2;
      jumped = true;
      pos = target;
      ++hops;
      continue;
    }
    if (len > 63) return std::nullopt;
    if (len == 0) {
      if (!jumped && end) *end = pos + 1;
      break;
    }
    if (pos + 1 + len > msg.size()) return std::nullopt;
    wire += len + 1u;
    if (wire > 255) return std::nullopt;
    std::string label;
    for (std::size_t i = 0; i < len; ++i) label += static_cast<char>(lower(msg[pos + 1 + i]));
    std::string esc = base::escape_bytes(label);
    if (!out.empty()) out += '.';
    for (char c : esc) {
      if (c == '.') out += '\\';
      out += c;
    }
    pos += 1u + len;
  }
  if (out.empty()) return std::string(1, '.');
  return out;
}

std::optional<ResponseInfo> read_response(std::span<const std::uint8_t> msg, std::span<const std::uint8_t> question,
                                          ResponseError& err) {
  err = ResponseError::Malformed;
  ByteReader r(msg);
  ResponseInfo info;
  auto id = r.u16be(), flags = r.u16be(), qd = r.u16be(), an = r.u16be(), ns = r.u16be(), ar = r.u16be();
  if (!id || !flags || !qd || !an || !ns || !ar || !(*flags & 0x8000u)) return std::nullopt;
  if (((*flags >> 11) & 0xFu) != 0) return std::nullopt; // RFC 1035 §4.1.1: opcode copied from our QUERY
  info.id = *id;
  info.flags = *flags;
  info.rcode = *flags & 0xFu;
  info.truncated = (*flags & 0x0200u) != 0;
  info.answer_count = *an;
  if (*qd != 1 || !same_question(msg, question)) {
    err = ResponseError::Mismatch;
    return std::nullopt;
  }
  if (!r.skip(question.size())) return std::nullopt;
  info.body_end = msg.size();
  info.arcount_without_opt = *ar;
  std::uint32_t total = std::uint32_t{*an} + *ns + *ar;
  bool have_min = false;
  std::vector<AnswerRr> answers;
  for (std::uint32_t i = 0; i < total; ++i) {
    std::size_t rr_start = r.position();
    if (!skip_name(r)) return std::nullopt;
    auto type = r.u16be(), cls = r.u16be();
    std::size_t ttl_at = r.position();
    auto ttl = r.u32be();
    auto rdlen = r.u16be();
    std::size_t rdata = r.position();
    if (!type || !cls || !ttl || !rdlen || !r.skip(*rdlen)) return std::nullopt;
    if (*type == k_type_opt) {
      if (i < std::uint32_t{*an} + *ns) return std::nullopt; // RFC 6891 §6.1.1: additional section only
      if (i + 1 != total) {
        err = ResponseError::OptNotLast;
        return std::nullopt;
      }
      info.body_end = rr_start;
      info.arcount_without_opt = static_cast<std::uint16_t>(*ar - 1);
      info.rcode |= (*ttl >> 24) << 4;
      continue;
    }
    if (ttl_at > 0xFFFF) return std::nullopt;
    info.ttl_offsets.push_back(static_cast<std::uint16_t>(ttl_at));
    std::uint32_t t = (*ttl & 0x80000000u) ? 0 : *ttl; // RFC 2181 §8: the top bit set means 0
    if (i < *an) {
      info.min_ttl = have_min ? std::min(info.min_ttl, t) : t;
      have_min = true;
      if (!inspect_answer(msg, *type, rdata, *rdlen, info)) return std::nullopt;
      answers.push_back({rr_start, *type, rdata});
    } else if (i < std::uint32_t{*an} + *ns && *type == k_type_soa && *rdlen >= 20) {
      ByteReader m(msg.subspan(rdata + *rdlen - 4, 4));
      std::uint32_t minimum = m.u32be().value_or(0);
      info.negative_ttl = std::min(t, minimum);
    }
  }
  if (!answer_is_one_chain(msg, answers)) return std::nullopt;
  err = ResponseError::None;
  return info;
}

bool ldns_accepts(std::span<const std::uint8_t> msg) noexcept {
  ldns_pkt* pkt = nullptr;
  ldns_status st = ldns_wire2pkt(&pkt, msg.data(), msg.size());
  if (pkt) ldns_pkt_free(pkt);
  return st == LDNS_STATUS_OK;
}

} // namespace netmap::dns
