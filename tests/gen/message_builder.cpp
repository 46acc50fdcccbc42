#include "message_builder.hpp"

#include <arpa/inet.h>

#include <map>
#include <stdexcept>

namespace netmap::testgen {
namespace {

// Writes a name, reusing any suffix already written (pointer to its offset).
class NameWriter {
public:
  explicit NameWriter(Bytes& msg) : m_msg(msg) {}
  void write(const std::string& name) {
    std::string rest = name;
    while (!rest.empty()) {
      auto it = m_seen.find(rest);
      if (it != m_seen.end()) {
        put16(m_msg, 0xc000u | static_cast<std::uint32_t>(it->second));
        return;
      }
      if (m_msg.size() < 0x3fff) m_seen[rest] = m_msg.size();
      auto dot = rest.find('.');
      std::string label = rest.substr(0, dot);
      if (label.empty() || label.size() > 63) throw std::invalid_argument("bad label in " + name);
      m_msg.push_back(static_cast<std::uint8_t>(label.size()));
      append(m_msg, label);
      rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    }
    m_msg.push_back(0);
  }

private:
  Bytes& m_msg;
  std::map<std::string, std::size_t> m_seen;
};

Bytes address_bytes(const std::string& text, int family) {
  Bytes b(family == AF_INET ? 4 : 16);
  if (inet_pton(family, text.c_str(), b.data()) != 1) throw std::invalid_argument("bad address " + text);
  return b;
}

void header(Bytes& m, std::uint16_t id, std::uint16_t flags, std::uint16_t an) {
  put16(m, id);
  put16(m, flags);
  put16(m, 1);
  put16(m, an);
  put16(m, 0);
  put16(m, 0);
}

void extension(Bytes& b, std::uint16_t type, const Bytes& data) {
  put16(b, type);
  put16(b, static_cast<std::uint32_t>(data.size()));
  append(b, data);
}

} // namespace

Bytes DnsBuilder::query(std::uint16_t id, const std::string& name, std::uint16_t qtype) {
  Bytes m;
  header(m, id, 0x0100, 0); // RD
  NameWriter w(m);
  w.write(name);
  put16(m, qtype);
  put16(m, 1);
  return m;
}

Bytes DnsBuilder::response(std::uint16_t id, const std::string& name, std::uint16_t qtype,
                           const std::vector<DnsRr>& answers, std::uint8_t rcode) {
  Bytes m;
  header(m, id, 0x8180u | rcode, static_cast<std::uint16_t>(answers.size()));
  NameWriter w(m);
  w.write(name);
  put16(m, qtype);
  put16(m, 1);
  for (const auto& rr : answers) {
    w.write(rr.owner);
    put16(m, rr.type);
    put16(m, 1);
    put32(m, rr.ttl);
    std::size_t len_at = m.size();
    put16(m, 0);
    if (rr.type == k_rr_a) append(m, address_bytes(rr.value, AF_INET));
    else if (rr.type == k_rr_aaaa) append(m, address_bytes(rr.value, AF_INET6));
    else if (rr.type == k_rr_cname) w.write(rr.value);
    else if (rr.type == k_rr_https) {
      put16(m, rr.priority);
      if (rr.value.empty()) m.push_back(0);
      else w.write(rr.value); // RFC 9460 forbids compressing TargetName; decoders must cope anyway
      if (!rr.ipv4hint.empty()) {
        put16(m, 4);
        put16(m, static_cast<std::uint32_t>(4 * rr.ipv4hint.size()));
        for (const auto& a : rr.ipv4hint) append(m, address_bytes(a, AF_INET));
      }
      if (!rr.ipv6hint.empty()) {
        put16(m, 6);
        put16(m, static_cast<std::uint32_t>(16 * rr.ipv6hint.size()));
        for (const auto& a : rr.ipv6hint) append(m, address_bytes(a, AF_INET6));
      }
    }
    std::size_t len = m.size() - len_at - 2;
    m[len_at] = static_cast<std::uint8_t>(len >> 8);
    m[len_at + 1] = static_cast<std::uint8_t>(len);
  }
  return m;
}

Bytes DnsBuilder::tcp_framed(const Bytes& message) {
  Bytes b;
  put16(b, static_cast<std::uint32_t>(message.size()));
  append(b, message);
  return b;
}

std::vector<DnsRr> cname_chain(const std::string& asked, const std::vector<std::string>& aliases,
                               const std::vector<std::string>& addresses) {
  std::vector<DnsRr> rrs;
  std::string owner = asked;
  for (const auto& a : aliases) {
    rrs.push_back({owner, k_rr_cname, 60, a, 1, {}, {}});
    owner = a;
  }
  for (const auto& addr : addresses)
    rrs.push_back({owner, addr.find(':') != std::string::npos ? k_rr_aaaa : k_rr_a, 120, addr, 1, {}, {}});
  return rrs;
}

Bytes client_hello(const HelloOptions& o) {
  Bytes body;
  put16(body, o.version);
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0x40 + i)); // random
  body.push_back(32);
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(0xa0 + i)); // session id
  Bytes suites{0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9c};
  put16(body, static_cast<std::uint32_t>(suites.size()));
  append(body, suites);
  body.push_back(1);
  body.push_back(0);
  Bytes ext;
  Bytes sni;
  if (!o.sni.empty()) {
    put16(sni, static_cast<std::uint32_t>(o.sni.size() + 3));
    sni.push_back(0);
    put16(sni, static_cast<std::uint32_t>(o.sni.size()));
    append(sni, o.sni);
  }
  if (!o.sni.empty() && !o.sni_last) extension(ext, 0, sni);
  extension(ext, 10, Bytes{0x00, 0x04, 0x00, 0x1d, 0x00, 0x17});           // supported_groups
  extension(ext, 13, Bytes{0x00, 0x04, 0x04, 0x03, 0x08, 0x04});           // signature_algorithms
  extension(ext, 16, Bytes{0x00, 0x03, 0x02, 'h', '2'});                   // ALPN
  if (o.tls13) extension(ext, 43, Bytes{0x02, 0x03, 0x04});                // supported_versions
  Bytes share{0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
  for (int i = 0; i < 32; ++i) share.push_back(static_cast<std::uint8_t>(i * 7));
  extension(ext, 51, share);                                               // key_share
  if (o.ech) { // outer ECH: type, cipher suite, config id, enc, payload (draft-ietf-tls-esni §5)
    Bytes ech{0x00, 0x00, 0x01, 0x00, 0x01, 0x2a, 0x00, 0x20};
    for (int i = 0; i < 32; ++i) ech.push_back(static_cast<std::uint8_t>(0x11 * (i % 15)));
    put16(ech, 144);
    for (int i = 0; i < 144; ++i) ech.push_back(static_cast<std::uint8_t>(i));
    extension(ext, 0xfe0d, ech);
  }
  if (o.padding > 0) extension(ext, 21, Bytes(o.padding, 0));
  if (!o.sni.empty() && o.sni_last) extension(ext, 0, sni);
  put16(body, static_cast<std::uint32_t>(ext.size()));
  append(body, ext);
  Bytes hs{0x01};
  hs.push_back(static_cast<std::uint8_t>(body.size() >> 16));
  put16(hs, static_cast<std::uint32_t>(body.size() & 0xffff));
  append(hs, body);
  return hs;
}

Bytes tls_records(const Bytes& handshake, std::size_t max_fragment) {
  Bytes out;
  for (std::size_t i = 0; i < handshake.size(); i += max_fragment) {
    std::size_t n = std::min(max_fragment, handshake.size() - i);
    out.push_back(22);
    put16(out, 0x0301);
    put16(out, static_cast<std::uint32_t>(n));
    out.insert(out.end(), handshake.begin() + static_cast<std::ptrdiff_t>(i),
               handshake.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return out;
}

Bytes http_request(const std::string& method, const std::string& target, const std::string& host) {
  std::string head = method + " " + target + " HTTP/1.1\r\n";
  if (!host.empty()) head += "Host: " + host + "\r\n";
  head += "User-Agent: netmap-gen/1\r\nAccept: */*\r\n\r\n";
  return Bytes(head.begin(), head.end());
}

} // namespace netmap::testgen
