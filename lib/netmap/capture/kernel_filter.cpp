#include "netmap/capture/kernel_filter.hpp"

namespace netmap::capture {

namespace {

// Why this filter, clause by clause. On a machine whose build saturates both cores, copying every
// packet to user space is what makes tcpdump lose up to 80% of them; names live in a tiny share of
// the traffic, so the kernel keeps only:
//   * DNS over UDP and TCP (port 53; TCP DNS messages span segments, so the whole stream).
//   * TCP segments with SYN set (SYN and SYN-ACK): connection starts, for attribution by address.
//   * TCP segments whose payload starts a TLS handshake record (0x16 0x03: ClientHello, any TLS
//     1.x, on any port, recognised by content) or an HTTP request line (the method's first four
//     bytes: GET, POST, PUT, HEAD, DELETE, OPTIONS, PATCH, CONNECT, TRACE).
//   * TCP segments carrying 1..1200 payload bytes: the continuation of a ClientHello or request
//     head split over segments. A relative sequence offset ("the first N bytes of the flow") is
//     not expressible in BPF (it needs per-flow state); bulk transfers use full-sized segments,
//     so this passes continuations and little else. A middle segment of a hello longer than two
//     full segments can still be missed; the dissector then counts the flow (flows_lost_to_gaps).
//     What is left out leaves sequence gaps: the dissector resumes reading a flow at the next
//     segment these clauses pass that begins a head, a hello or (port 53) a DNS message.
//   * UDP datagrams with the long-header bit (first byte & 0x80, RFC 9000 §17.2): QUIC Initials
//     of v1 and v2. Short-header QUIC (the bulk of QUIC traffic) is left in the kernel.
//   * IPv6 whose next header is neither TCP, UDP nor ICMPv6: extension headers hide the transport
//     offset from BPF, and such packets are rare, so they all go to the dissector.
// tcp[]/udp[] in libpcap address IPv4 only (and skip later fragments), so IPv6 repeats the TCP and
// UDP clauses with offsets past the fixed 40-byte header.
constexpr const char* k_payload4 = "tcp[((tcp[12] & 0xf0) >> 2):4]";
constexpr const char* k_payload6 = "ip6[(40 + ((ip6[52] & 0xf0) >> 2)):4]";
constexpr const char* k_len4 = "(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2))";
constexpr const char* k_len6 = "(ip6[4:2] - ((ip6[52] & 0xf0) >> 2))";

// "GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC", "CONN", "TRAC" as big-endian words.
constexpr const char* k_methods[] = {"0x47455420", "0x504f5354", "0x50555420", "0x48454144", "0x44454c45",
                                     "0x4f505449", "0x50415443", "0x434f4e4e", "0x54524143"};

std::string method_test(const char* payload) {
  std::string out = "(";
  bool first = true;
  for (const char* m : k_methods) {
    if (!first) out += " or ";
    first = false;
    out += std::string(payload) + " = " + m;
  }
  return out + ")";
}

std::string length_test(const char* len) {
  return std::string("(") + len + " > 0 and " + len + " <= 1200)";
}

std::string base_filter(bool mdns_llmnr) {
  std::string ports = mdns_llmnr ? "port 53 or port 5353 or port 5355" : "port 53";
  std::string v4 = "(ip and ((" + ports + ") or (tcp[tcpflags] & tcp-syn != 0)" +
                   " or (tcp[((tcp[12] & 0xf0) >> 2):2] = 0x1603) or (tcp and " + method_test(k_payload4) + ")" +
                   " or (tcp and " + length_test(k_len4) + ") or (udp[8] & 0x80 != 0)))";
  std::string v6 = "(ip6 and ((" + ports + ")" +
                   " or (ip6[6] = 6 and (ip6[53] & 0x02 != 0 or ip6[(40 + ((ip6[52] & 0xf0) >> 2)):2] = 0x1603 or " +
                   method_test(k_payload6) + " or " + length_test(k_len6) + "))" +
                   " or (ip6[6] = 17 and ip6[48] & 0x80 != 0)" +
                   " or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))";
  return v4 + " or " + v6;
}

} // namespace

std::string name_filter(dissect::LinkType link, bool mdns_llmnr) {
  std::string f = base_filter(mdns_llmnr);
  // On Ethernet the same clauses again behind one and two VLAN tags (802.1Q, QinQ). libpcap's
  // "vlan" shifts the offsets of everything after it in the expression, parentheses or not, so the
  // second "vlan" clause adds one more tag to the first one's shift.
  if (link == dissect::LinkType::Ethernet) return f + " or (vlan and (" + f + ")) or (vlan and (" + f + "))";
  return f;
}

std::string combine_filters(const std::string& ours, const std::string& user) {
  if (ours.empty()) return user;
  if (user.empty()) return ours;
  // The user's expression first: a "vlan" inside ours shifts the offsets of whatever follows it.
  return "(" + user + ") and (" + ours + ")";
}

} // namespace netmap::capture
