#include "netmap/dns/wire.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/hash.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/domain_name.hpp"

#include <algorithm>
#include <cstring>

namespace netmap::dns {

namespace {

using base::ByteReader;

// Per byte: its lowercase form, and whether a host name may hold it. Table loads instead of
// range checks and a branch per byte: the name loop is most of what parsing a query costs.
struct CanonTable {
  std::uint8_t lower[256];
  std::uint8_t bad[256]; ///< 1: not a letter, digit, '-' or '_'
};
constexpr CanonTable k_canon = [] {
  CanonTable t{};
  for (int c = 0; c < 256; ++c) {
    int l = lower(static_cast<std::uint8_t>(c));
    t.lower[c] = static_cast<std::uint8_t>(l);
    t.bad[c] = ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '_') ? 0 : 1;
  }
  return t;
}();

// Reads the question's name, which must be uncompressed (nothing precedes it to point at), and
// decides on the way whether it is a canonical host name (policy::is_canonical_host), so the
// matcher can take it as is.
bool read_qname(ByteReader& r, Query& q) noexcept {
  std::size_t wire = 1, last_label = 0;
  std::uint8_t bad = 0;
  bool punycode = false;
  q.name_len = 0;
  for (;;) {
    auto len = r.u8();
    if (!len) return false;
    if (*len == 0) break;
    if (*len > 63) return false;
    auto label = r.bytes(*len);
    if (!label) return false;
    wire += *len + 1u;
    if (wire > 255) return false;
    std::size_t at = q.name_len;
    if (at != 0) q.name[at++] = '.';
    last_label = at;
    for (std::uint8_t c : *label) {
      q.name[at++] = static_cast<char>(k_canon.lower[c]);
      bad |= k_canon.bad[c];
    }
    bad |= static_cast<std::uint8_t>(label->front() == '-' || label->back() == '-');
    punycode = punycode || (*len >= 4 && std::string_view(q.name + last_label, 4) == "xn--");
    q.name_len = static_cast<std::uint8_t>(at);
  }
  q.qname_wire_len = wire;
  // The root, or a numeric last label, is no host name.
  bool digits = q.name_len != 0;
  for (std::size_t i = last_label; i < q.name_len && digits; ++i) digits = q.name[i] >= '0' && q.name[i] <= '9';
  q.name_ok = q.name_len != 0 && !bad && !digits;
  // An "xn--" label must be a real A-label, as for every other name netmap decides: a rule for
  // **.example must not admit xn--zz.example here while explain calls it invalid. Rare: only then
  // is the name decoded.
  if (q.name_ok && punycode) q.name_ok = policy::is_canonical_host(q.name_view());
  if (q.name_ok) q.name_hash = base::hash_text(q.name_view());
  return true;
}

// Reads the additional section of a query: at most one OPT (RFC 6891 §6.1.1), owned by the root.
QueryStatus read_additional(ByteReader& r, std::uint16_t count, Query& q) noexcept {
  for (std::uint16_t i = 0; i < count; ++i) {
    auto name_first = r.peek();
    if (!skip_name(r)) return QueryStatus::FormErr;
    auto type = r.u16be();
    auto cls = r.u16be();
    auto ttl = r.u32be();
    auto rdlen = r.u16be();
    if (!type || !cls || !ttl || !rdlen || !r.skip(*rdlen)) return QueryStatus::FormErr;
    if (*type != k_type_opt) continue;
    if (q.edns || name_first != std::uint8_t{0}) return QueryStatus::FormErr;
    q.edns = true;
    q.udp_size = std::max<std::uint16_t>(512, *cls);
    q.dnssec_ok = (*ttl & 0x8000u) != 0;
    if (((*ttl >> 16) & 0xFFu) != 0) return QueryStatus::BadVers;
  }
  return QueryStatus::Ok;
}

} // namespace

// RFC 1035 §4.1.4: a pointer ends a name; extended label types are obsolete (RFC 6891 §5).
bool skip_name(ByteReader& r) noexcept {
  for (std::size_t guard = 0; guard < 128; ++guard) {
    auto len = r.u8();
    if (!len) return false;
    if (*len == 0) return true;
    if ((*len & 0xC0) == 0xC0) return r.skip(1);
    if ((*len & 0xC0) != 0) return false; // RFC 6891 §5: extended label types are obsolete
    if (!r.skip(*len)) return false;
  }
  return false;
}


QueryStatus parse_query(std::span<const std::uint8_t> packet, Query& q) noexcept {
  ByteReader r(packet);
  auto id = r.u16be();
  auto flags = r.u16be();
  auto qd = r.u16be();
  auto an = r.u16be();
  auto ns = r.u16be();
  auto ar = r.u16be();
  if (!id || !flags || !qd || !an || !ns || !ar) return QueryStatus::Drop;
  q.id = *id;
  q.flags = *flags;
  q.question_end = k_header_size;
  q.edns = false;
  q.dnssec_ok = false;
  q.udp_size = 512;
  q.name_len = 0;
  q.name_ok = false;
  if (*flags & 0x8000u) return QueryStatus::Drop; // a response: answering it could loop
  if (((*flags >> 11) & 0xFu) != 0) return QueryStatus::NotImp;
  if (*qd != 1 || *an != 0 || *ns != 0) return QueryStatus::FormErr;
  if (!read_qname(r, q)) return QueryStatus::FormErr;
  auto type = r.u16be();
  auto cls = r.u16be();
  if (!type || !cls) return QueryStatus::FormErr;
  q.qtype = *type;
  q.qclass = *cls;
  q.question_end = r.position();
  return read_additional(r, *ar, q);
}

std::string display_name(std::span<const std::uint8_t> packet) {
  ByteReader r(packet);
  if (!r.skip(k_header_size)) return {};
  std::string out;
  for (;;) {
    auto len = r.u8();
    if (!len || *len == 0 || *len > 63) break;
    auto label = r.bytes(*len);
    if (!label) break;
    std::string raw(label->begin(), label->end());
    for (auto& c : raw) c = static_cast<char>(lower(static_cast<std::uint8_t>(c)));
    std::string esc = base::escape_bytes(raw);
    // A dot inside a label must stay distinguishable from the separator (RFC 4343 §2.1).
    std::string label_text;
    for (char c : esc) {
      if (c == '.') label_text += "\\.";
      else label_text += c;
    }
    if (!out.empty()) out += '.';
    out += label_text;
  }
  return out.empty() ? "." : out;
}

void Writer::put(const void* p, std::size_t n) noexcept {
  if (overflow || n > cap - len) {
    overflow = true;
    return;
  }
  std::memcpy(data + len, p, n);
  len += n;
}

void Writer::u16(std::uint16_t v) noexcept {
  std::uint8_t b[2];
  store16(b, v);
  put(b, 2);
}

void Writer::u32(std::uint32_t v) noexcept {
  std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  put(b, 4);
}

void write_reply_head(Writer& w, std::span<const std::uint8_t> query, std::size_t question_end,
                      std::uint16_t query_flags, std::uint8_t rcode) noexcept {
  // RFC 1035 §4.1.1: QR set, opcode and RD copied; RA since we recurse; CD copied (RFC 4035 §3.2.2).
  auto flags = static_cast<std::uint16_t>(0x8000u | (query_flags & 0x7900u) | 0x0080u | (query_flags & 0x0010u) |
                                          (rcode & 0xFu));
  w.u16(load16(query.data()));
  w.u16(flags);
  w.u16(question_end > k_header_size ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (question_end > k_header_size) w.put(query.data() + k_header_size, question_end - k_header_size);
}

namespace {
void bump_count(Writer& w, std::size_t offset) noexcept {
  if (w.len < k_header_size) return;
  store16(w.data + offset, static_cast<std::uint16_t>(load16(w.data + offset) + 1));
}
} // namespace

void write_opt(Writer& w, bool dnssec_ok, std::uint8_t ext_rcode, std::uint16_t ede_code,
               std::string_view ede_text) noexcept {
  std::size_t text_len = std::min(ede_text.size(), k_ede_text_max);
  w.u8(0); // root owner
  w.u16(k_type_opt);
  w.u16(k_edns_size);
  w.u32((std::uint32_t{ext_rcode} << 24) | (dnssec_ok ? 0x8000u : 0u));
  if (ede_code == 0) {
    w.u16(0);
  } else {
    w.u16(static_cast<std::uint16_t>(4 + 2 + text_len));
    w.u16(15); // OPTION-CODE for EDE (RFC 8914 §2)
    w.u16(static_cast<std::uint16_t>(2 + text_len));
    w.u16(ede_code);
    w.put(ede_text.data(), text_len);
  }
  bump_count(w, 10);
}

std::size_t write_blocked(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                          std::uint8_t rcode, std::string_view text) noexcept {
  // The SOA lets stubs cache the negative answer for a short time (RFC 2308 §3). It is the same
  // size for every name, so the answer is the query's question plus a fixed size; RNAME points
  // at MNAME's "netmap.invalid" (RFC 1035 §4.1.4) rather than spelling it twice.
  static constexpr std::uint8_t k_head[] = {0, 0, 6, 0, 1, 0, 0, 0, 10, 0, 45}; // ". SOA IN TTL 10, RDLENGTH 45"
  static constexpr std::uint8_t k_mname[] = {6, 'n', 'e', 't', 'm', 'a', 'p', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0};
  static constexpr std::uint8_t k_nobody[] = {6, 'n', 'o', 'b', 'o', 'd', 'y'};
  static constexpr std::uint8_t k_numbers[] = {0, 0, 0, 1,          // SERIAL 1
                                               0, 0, 0x0e, 0x10,    // REFRESH 3600
                                               0, 0, 0x02, 0x58,    // RETRY 600
                                               0, 1, 0x51, 0x80,    // EXPIRE 86400
                                               0, 0, 0, 10};        // MINIMUM 10: the NXDOMAIN is cached 10 s
  static_assert(sizeof k_head + sizeof k_mname + sizeof k_nobody + 2 + sizeof k_numbers == k_blocked_soa_size);
  static_assert(sizeof k_mname + sizeof k_nobody + 2 + sizeof k_numbers == 45);
  Writer w{out.data(), out.size()};
  write_reply_head(w, query, q.question_end, q.flags, rcode);
  w.put(k_head, sizeof k_head);
  const std::size_t mname_at = w.len; // under 12 + 255 + 4 + 11, so a pointer reaches it
  w.put(k_mname, sizeof k_mname);
  w.put(k_nobody, sizeof k_nobody);
  w.u16(static_cast<std::uint16_t>(0xC000u | mname_at));
  w.put(k_numbers, sizeof k_numbers);
  bump_count(w, 8);
  if (q.edns) write_opt(w, q.dnssec_ok, 0, k_ede_blocked, text);
  return w.overflow ? 0 : w.len;
}

std::size_t write_simple(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                         std::uint8_t rcode, bool tc, std::uint16_t ede_code, std::string_view ede_text) noexcept {
  Writer w{out.data(), out.size()};
  std::uint8_t ext = 0;
  if (rcode == 16) { // BADVERS is 16: the upper bits go into OPT (RFC 6891 §6.1.3)
    ext = 1;
    rcode = 0;
  }
  write_reply_head(w, query, q.question_end, q.flags, rcode);
  if (tc && w.len >= 4) w.data[2] |= 0x02;
  if (q.edns) write_opt(w, q.dnssec_ok, ext, ede_code, ede_text);
  return w.overflow ? 0 : w.len;
}

std::size_t write_any_hinfo(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q) noexcept {
  static constexpr std::uint8_t k_hinfo[] = {0xc0, 0x0c, 0, 13, 0, 1, 0, 0, 0x0e, 0x10, 0, 9,
                                             7, 'R', 'F', 'C', '8', '4', '8', '2', 0};
  Writer w{out.data(), out.size()};
  write_reply_head(w, query, q.question_end, q.flags, k_noerror);
  w.put(k_hinfo, sizeof k_hinfo);
  bump_count(w, 6);
  if (q.edns) write_opt(w, q.dnssec_ok, 0, 0, {});
  return w.overflow ? 0 : w.len;
}

std::size_t write_upstream_query(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                                 std::uint16_t id) noexcept {
  Writer w{out.data(), out.size()};
  w.u16(id);
  w.u16(static_cast<std::uint16_t>(0x0100u | (q.flags & 0x0010u)));
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.put(query.data() + k_header_size, q.question_end - k_header_size);
  write_opt(w, q.dnssec_ok, 0, 0, {});
  return w.overflow ? 0 : w.len;
}


const char* rcode_name(unsigned rcode) noexcept {
  static constexpr const char* k_names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                            "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(k_names)) return k_names[rcode];
  if (rcode == 16) return "BADVERS";
  return "RCODE";
}

} // namespace netmap::dns
