// The kernel filter, compiled by libpcap and run (pcap_offline_filter) on generated frames: what
// can carry a name passes, bulk payload stays in the kernel.

#include "netmap/capture/kernel_filter.hpp"

#include "message_builder.hpp"
#include "packet_builder.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

using namespace netmap;
using namespace netmap::testgen;

namespace {

class Filter {
public:
  Filter(Link link, const std::string& expr) {
    // pcap_open_dead takes DLT_ values; only raw IP's differs from its LINKTYPE_ number.
    m_pcap = pcap_open_dead(link == Link::Raw ? DLT_RAW : static_cast<int>(link), 262144);
    m_ok = pcap_compile(m_pcap, &m_prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  }
  ~Filter() {
    if (m_ok) pcap_freecode(&m_prog);
    pcap_close(m_pcap);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  [[nodiscard]] bool ok() const { return m_ok; }
  [[nodiscard]] std::string error() const { return pcap_geterr(m_pcap); }
  [[nodiscard]] bool passes(const Bytes& frame) const {
    pcap_pkthdr h{};
    h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
    return pcap_offline_filter(&m_prog, &h, frame.data()) != 0;
  }

private:
  pcap_t* m_pcap = nullptr;
  bpf_program m_prog{};
  bool m_ok = false;
};

Bytes dns_query(const std::string& src, const std::string& dst) {
  return udp_packet({src, dst, 40000, 53}, DnsBuilder::query(1, "a.example.com", k_rr_a));
}

} // namespace

TEST(KernelFilter, PassesNameBearingPacketsOnly) {
  for (Link link : {Link::Ethernet, Link::Sll, Link::Sll2, Link::Raw}) {
    Filter f(link, capture::name_filter(static_cast<dissect::LinkType>(link)));
    ASSERT_TRUE(f.ok()) << f.error();
    for (const char* fam : {"4", "6"}) {
      std::string c = fam[0] == '4' ? "10.0.0.2" : "2001:db8::2", s = fam[0] == '4' ? "192.0.2.1" : "2001:db8::1";
      SCOPED_TRACE(std::string("link ") + std::to_string(static_cast<int>(link)) + " IPv" + fam);
      TcpFlow flow({c, s, 41000, 8443}, 100, 200);
      EXPECT_TRUE(f.passes(frame(link, dns_query(c, s)))) << "DNS query";
      EXPECT_TRUE(f.passes(frame(link, flow.syn()))) << "SYN";
      EXPECT_TRUE(f.passes(frame(link, flow.syn_ack()))) << "SYN-ACK";
      EXPECT_FALSE(f.passes(frame(link, flow.ack()))) << "a bare ACK carries nothing";
      Bytes hello = tls_records(client_hello({.sni = "x.example.com", .padding = 3000}));
      EXPECT_TRUE(f.passes(frame(link, flow.client(hello)))) << "ClientHello on any port";
      EXPECT_TRUE(f.passes(frame(link, flow.client(http_request("CONNECT", "x.example.com:443", ""))))) << "CONNECT";
      Bytes big_get = http_request("GET", "/", "x.example.com");
      big_get.resize(1400, 'a');
      EXPECT_TRUE(f.passes(frame(link, flow.client(big_get)))) << "a long request head still starts with its method";
      EXPECT_TRUE(f.passes(frame(link, flow.client(Bytes(300, 0x41))))) << "a short continuation segment";
      EXPECT_FALSE(f.passes(frame(link, flow.server(Bytes(1400, 0x42))))) << "bulk payload stays in the kernel";
      Bytes quic_long(1200, 0);
      quic_long[0] = 0xc3;
      EXPECT_TRUE(f.passes(frame(link, udp_packet({c, s, 50000, 443}, quic_long)))) << "QUIC long header";
      Bytes quic_short(1200, 0);
      quic_short[0] = 0x43;
      EXPECT_FALSE(f.passes(frame(link, udp_packet({c, s, 50000, 443}, quic_short)))) << "QUIC short header";
    }
  }
}

TEST(KernelFilter, VlanTaggedAndExtensionHeaders) {
  Filter f(Link::Ethernet, capture::name_filter(dissect::LinkType::Ethernet));
  ASSERT_TRUE(f.ok()) << f.error();
  TcpFlow flow({"10.0.0.2", "192.0.2.1", 41000, 443}, 1, 2);
  EXPECT_TRUE(f.passes(frame(Link::Ethernet, flow.syn(), 1))) << "802.1Q";
  EXPECT_TRUE(f.passes(frame(Link::Ethernet, flow.syn(), 2))) << "QinQ";
  EXPECT_FALSE(f.passes(frame(Link::Ethernet, flow.server(Bytes(1400, 0x42)), 1))) << "tagged bulk";
  IpOptions ext;
  ext.ipv6_ext.push_back(Ipv6Ext{0, 8, 0, false});
  TcpFlow v6({"2001:db8::2", "2001:db8::1", 41000, 443}, 1, 2, ext);
  EXPECT_TRUE(f.passes(frame(Link::Ethernet, v6.server(Bytes(1400, 0x42))))) << "IPv6 extension headers go to the dissector";
}

TEST(KernelFilter, CombinesWithTheUsersFilter) {
  EXPECT_EQ(capture::combine_filters("", "port 80"), "port 80");
  EXPECT_EQ(capture::combine_filters("tcp", ""), "tcp");
  Filter f(Link::Ethernet, capture::combine_filters(capture::name_filter(dissect::LinkType::Ethernet), "tcp"));
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_FALSE(f.passes(frame(Link::Ethernet, dns_query("10.0.0.2", "10.0.0.53")))) << "the user's 'tcp' removes UDP DNS";
  TcpFlow flow({"10.0.0.2", "192.0.2.1", 41000, 443}, 1, 2);
  EXPECT_TRUE(f.passes(frame(Link::Ethernet, flow.syn())));
}
