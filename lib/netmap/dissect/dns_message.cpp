#include "netmap/dissect/dns_message.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/dissect/dns_name.hpp"
#include "netmap/dissect/frame.hpp"

#include <arpa/inet.h>

namespace netmap::dissect {
namespace {

using base::ByteReader;

constexpr std::uint16_t k_type_a = 1;
constexpr std::uint16_t k_type_cname = 5;
constexpr std::uint16_t k_type_aaaa = 28;
constexpr std::uint16_t k_type_svcb = 64;
constexpr std::uint16_t k_type_https = 65;

// RFC 9460 §2.2: SvcPriority, TargetName (uncompressed, but we use the one decoder), then
// SvcParams as key/length/value; ipv4hint is key 4, ipv6hint key 6.
bool decode_svcb(ByteReader rdata, DnsRecord& rec) {
  if (!rdata.u16be()) return false;
  if (!read_dns_name(rdata, rec.target)) return false;
  while (!rdata.empty()) {
    auto key = rdata.u16be();
    auto len = rdata.u16be();
    if (!key || !len) return false;
    auto value = rdata.sub(*len);
    if (!value) return false;
    std::size_t width = *key == 4 ? 4 : *key == 6 ? 16 : 0;
    if (width == 0) continue;
    if (value->remaining() % width != 0) return false;
    while (!value->empty()) rec.addresses.push_back(address_text(*value->bytes(width)));
  }
  return true;
}

enum class RecordStatus { Ok, Short, Bad };

RecordStatus decode_record(ByteReader& r, std::vector<DnsRecord>& out) {
  DnsRecord rec;
  if (!read_dns_name(r, rec.owner)) return RecordStatus::Bad;
  auto type = r.u16be();
  auto cls = r.u16be();
  auto ttl = r.u32be();
  auto rdlen = r.u16be();
  if (!type || !cls || !ttl || !rdlen) return RecordStatus::Short;
  // The rdata is a sub-reader over the whole message so that compressed names inside it resolve.
  std::size_t start = r.position();
  if (!r.skip(*rdlen)) return RecordStatus::Short;
  ByteReader rdata(r.whole().first(start + *rdlen));
  (void)rdata.seek(start);
  rec.type = *type;
  rec.ttl = *ttl;
  switch (*type) {
  case k_type_a:
  case k_type_aaaa: {
    std::size_t width = *type == k_type_a ? 4 : 16;
    if (*rdlen != width) return RecordStatus::Bad;
    rec.addresses.push_back(address_text(*rdata.bytes(width)));
    break;
  }
  case k_type_cname:
    if (!read_dns_name(rdata, rec.target) || !rdata.empty()) return RecordStatus::Bad;
    break;
  case k_type_svcb:
  case k_type_https:
    if (!decode_svcb(rdata, rec)) return RecordStatus::Bad;
    break;
  default:
    return RecordStatus::Ok; // other types are skipped by their length
  }
  out.push_back(std::move(rec));
  return RecordStatus::Ok;
}

// Steps over `count` records of the authority and additional sections, whose contents the
// dissector does not report; false when the bytes end or a name is malformed first.
bool skip_records(ByteReader& r, unsigned count) {
  std::string owner;
  for (unsigned i = 0; i < count; ++i) {
    owner.clear();
    if (!read_dns_name(r, owner) || !r.skip(8)) return false; // type, class, TTL
    auto rdlen = r.u16be();
    if (!rdlen || !r.skip(*rdlen)) return false;
  }
  return true;
}

std::optional<DnsMessage> decode(std::span<const std::uint8_t> bytes, bool allow_partial) {
  ByteReader r(bytes);
  DnsMessage m;
  auto id = r.u16be();
  auto flags = r.u16be();
  auto qd = r.u16be();
  auto an = r.u16be();
  auto ns = r.u16be();
  auto ar = r.u16be();
  if (!id || !flags || !qd || !an || !ns || !ar) return std::nullopt;
  m.id = *id;
  m.response = (*flags & 0x8000) != 0;
  m.opcode = static_cast<std::uint8_t>((*flags >> 11) & 0x0f);
  m.rcode = static_cast<std::uint8_t>(*flags & 0x0f);
  // Counts are not trusted for allocation: each record must be present in the bytes.
  for (std::uint16_t i = 0; i < *qd; ++i) {
    DnsQuestion q;
    if (!read_dns_name(r, q.name)) return std::nullopt;
    auto type = r.u16be();
    if (!type || !r.skip(2)) return std::nullopt;
    q.type = *type;
    m.questions.push_back(std::move(q));
  }
  for (std::uint16_t i = 0; i < *an; ++i) {
    RecordStatus s = decode_record(r, m.answers);
    if (s == RecordStatus::Ok) continue;
    // A snapshot can end anywhere, so in partial mode any failure means "the bytes stopped".
    if (allow_partial) {
      m.partial = true;
      break;
    }
    return std::nullopt;
  }
  if (!m.partial && skip_records(r, *ns + *ar)) m.size = r.position();
  return m;
}

} // namespace

std::optional<DnsMessage> decode_dns_message(std::span<const std::uint8_t> bytes,
                                             bool allow_partial) noexcept {
  try {
    return decode(bytes, allow_partial);
  } catch (...) { // allocation failure only; decoders never throw
    return std::nullopt;
  }
}

DnsResolution resolve_answers(const DnsMessage& msg, const std::string& asked) {
  DnsResolution res;
  std::string current = asked;
  // Each step consumes one CNAME, so the chain cannot be longer than the answer count; a loop
  // (a → b → a) ends there too.
  for (std::size_t step = 0; step < msg.answers.size(); ++step) {
    const DnsRecord* next = nullptr;
    for (const auto& rec : msg.answers)
      if (rec.type == k_type_cname && rec.owner == current) { next = &rec; break; }
    if (next == nullptr || next->target.empty()) break;
    res.chain.push_back(next->target);
    current = next->target;
  }
  for (const auto& rec : msg.answers) {
    if ((rec.type == k_type_a || rec.type == k_type_aaaa) && rec.owner == current)
      res.addresses.push_back(&rec);
    if ((rec.type == k_type_svcb || rec.type == k_type_https) &&
        (rec.owner == current || rec.owner == asked))
      res.services.push_back(&rec);
  }
  return res;
}

std::string dns_type_name(std::uint16_t type) {
  switch (type) {
  case 1: return "A";
  case 2: return "NS";
  case 5: return "CNAME";
  case 6: return "SOA";
  case 12: return "PTR";
  case 13: return "HINFO";
  case 15: return "MX";
  case 16: return "TXT";
  case 28: return "AAAA";
  case 33: return "SRV";
  case 39: return "DNAME";
  case 43: return "DS";
  case 48: return "DNSKEY";
  case 64: return "SVCB";
  case 65: return "HTTPS";
  case 99: return "SPF";
  case 251: return "IXFR";
  case 252: return "AXFR";
  case 255: return "ANY";
  case 257: return "CAA";
  default: return "TYPE" + std::to_string(type);
  }
}

std::string dns_rcode_name(std::uint8_t rcode) {
  switch (rcode) {
  case 0: return "NOERROR";
  case 1: return "FORMERR";
  case 2: return "SERVFAIL";
  case 3: return "NXDOMAIN";
  case 4: return "NOTIMP";
  case 5: return "REFUSED";
  default: return "RCODE" + std::to_string(rcode);
  }
}

bool looks_like_dns_tcp(std::span<const std::uint8_t> b) noexcept {
  // 2 length bytes, then the 12-byte header and at least a root-name question (5 bytes).
  if (b.size() < 2 + 12) return false;
  const std::size_t len = std::size_t{b[0]} << 8 | b[1];
  const unsigned opcode = (b[4] >> 3) & 0x0f;
  const unsigned qdcount = unsigned{b[6]} << 8 | b[7];
  return len >= 12 + 5 && opcode <= 5 && opcode != 3 && qdcount == 1;
}

} // namespace netmap::dissect
