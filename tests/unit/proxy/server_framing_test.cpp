// The proxy relays exactly one request and one response per connection, with unambiguous framing:
// nothing a client sends after its request's body, and nothing a server sends after its
// response's body, crosses the proxy (RFC 9112 §6.3, §9.3.2).

#include "netmap/proxy/server.hpp"

#include "netmap/policy/rule.hpp"
#include "unit/proxy_test_helpers.hpp"
#include "unit/socket_test_helpers.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

using namespace netmap;

namespace {

using test::allowing_allowed_test;
using test::RunningProxy;

struct Exchange {
  std::string server_got; ///< every byte the origin received
  std::string client_got; ///< every byte the client received
};

// Sends `request` (its "ORIGIN" replaced by allowed.test:<origin port>) in the given pieces, 100 ms
// apart, through a proxy allowing allowed.test; the origin answers `answer` after its peer has
// been quiet for 300 ms, then holds its connection until the proxy closes it.
Exchange exchange(const std::vector<std::string>& pieces, const std::string& answer) {
  std::uint16_t origin_port = 0;
  base::Fd up = test::bound_loopback(SOCK_STREAM, origin_port);
  EXPECT_EQ(listen(up.get(), 4), 0);
  Exchange ex;
  std::thread server_side([&] {
    test::receive_timeout(up.get(), 5); // accept gives up too, when the proxy never connects
    base::Fd conn(accept(up.get(), nullptr, nullptr));
    if (!conn) return;
    timeval quiet{0, 300'000};
    setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &quiet, sizeof quiet);
    ex.server_got = test::read_until_closed(conn.get());
    (void)send(conn.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
    test::receive_timeout(conn.get(), 3);
    ex.server_got += test::read_until_closed(conn.get());
  });
  RunningProxy p(allowing_allowed_test());
  base::Fd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = test::loopback(p.port);
  EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  for (std::string piece : pieces) {
    for (std::size_t at; (at = piece.find("ORIGIN")) != std::string::npos;)
      piece.replace(at, 6, "allowed.test:" + std::to_string(origin_port));
    (void)send(c.get(), piece.data(), piece.size(), MSG_NOSIGNAL);
    usleep(100'000);
  }
  test::receive_timeout(c.get(), 5);
  ex.client_got = test::read_until_closed(c.get());
  server_side.join();
  return ex;
}

std::string status_of(const std::string& response) { return response.substr(0, response.find("\r\n")); }

const std::string k_ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

} // namespace

TEST(ProxyFraming, PipelinedRequestForAnotherHostNeverReachesTheServer) {
  // The second request names a host the policy blocks; relayed as "body" of the first, it would
  // reach the allowed server (or a parent proxy) unjudged.
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n"
                      "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
                     k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_NE(ex.server_got.find("GET / HTTP/1.1\r\n"), std::string::npos) << ex.server_got;
  EXPECT_EQ(ex.server_got.find("evil.test"), std::string::npos) << ex.server_got;
}

TEST(ProxyFraming, LaterSegmentsAfterABodilessRequestAreDropped) {
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n"}, k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_EQ(ex.server_got.find("evil.test"), std::string::npos) << ex.server_got;
}

TEST(ProxyFraming, ContentLengthBodyIsRelayedAndNothingAfterIt) {
  auto ex = exchange({"POST http://ORIGIN/ HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello",
                      "world", "GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
                     k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  const std::string tail = "\r\n\r\nhelloworld";
  EXPECT_TRUE(ex.server_got.ends_with(tail)) << ex.server_got;
}

TEST(ProxyFraming, ChunkedBodyIsRelayedUpToItsEnd) {
  auto ex = exchange({"POST http://ORIGIN/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                      "lo\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
                     k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_NE(ex.server_got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << ex.server_got;
  const std::string tail = "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  EXPECT_TRUE(ex.server_got.ends_with(tail)) << ex.server_got;
}

TEST(ProxyFraming, MalformedChunkedBodyIsRefusedBeforeAnyResponse) {
  // A bare LF after a chunk size: one parser's chunk boundary is not another's (RFC 9112 §7.1).
  auto ex = exchange({"POST http://ORIGIN/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                      "lo\r\n0\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
                     k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 400 Bad Request") << ex.client_got;
  EXPECT_EQ(ex.server_got.find("evil.test"), std::string::npos) << ex.server_got;
}

TEST(ProxyFraming, ConnectionHeaderCannotStripContentLength) {
  // Connection: content-length would make the proxy drop the field as hop-by-hop; the server
  // would then take the body for a second request.
  auto ex = exchange({"POST http://ORIGIN/ HTTP/1.1\r\nConnection: content-length\r\nContent-Length: 36\r\n\r\n"
                      "GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n"},
                     k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_NE(ex.server_got.find("\r\nContent-Length: 36\r\n"), std::string::npos) << ex.server_got;
}

TEST(ProxyFraming, ResponseWithConflictingContentLengthsIsA502) {
  // RFC 9112 §6.3 item 5: the proxy discards it; the client would pick one length, a cache another.
  for (const std::string& lengths : std::vector<std::string>{"Content-Length: 5\r\nContent-Length: 50\r\n", "Content-Length: 5x\r\n"}) {
    auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n"}, "HTTP/1.1 200 OK\r\n" + lengths + "\r\nhelloEXTRA");
    EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 502 Bad Gateway") << ex.client_got;
    EXPECT_EQ(ex.client_got.find("hello"), std::string::npos) << ex.client_got;
  }
}

TEST(ProxyFraming, AgreeingContentLengthCopiesGoOnAsOne) {
  // RFC 9110 §8.6 lets a recipient take copies of one value as one field; passed on twice, they
  // make stricter parsers (Node's) refuse the message. Both directions.
  auto ex = exchange({"POST http://ORIGIN/ HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"},
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok");
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK") << ex.client_got;
  auto count = [](const std::string& text) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = text.find("ontent-Length: 2\r\n", at)) != std::string::npos; ++at) ++n;
    for (std::size_t at = 0; (at = text.find("ontent-length: 2\r\n", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  EXPECT_EQ(count(ex.server_got), 1u) << ex.server_got;
  EXPECT_EQ(count(ex.client_got), 1u) << ex.client_got;
  EXPECT_TRUE(ex.server_got.ends_with("\r\n\r\nhi")) << ex.server_got;
  EXPECT_TRUE(ex.client_got.ends_with("\r\n\r\nok")) << ex.client_got;
}

TEST(ProxyFraming, BytesAfterTheResponseBodyAreNotRelayed) {
  // A second response behind the first would answer a request the client pipelined (and the
  // proxy dropped) as if it came from wherever that request was meant to go.
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n"},
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_TRUE(ex.client_got.ends_with("\r\n\r\nok")) << ex.client_got;
}

TEST(ProxyFraming, TransferEncodingWinsAndContentLengthIsDropped) {
  // RFC 9112 §6.3 item 3: an intermediary removes Content-Length before forwarding such a response.
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n"},
                     "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 200 OK");
  EXPECT_EQ(ex.client_got.find("Content-Length"), std::string::npos) << ex.client_got;
  EXPECT_NE(ex.client_got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << ex.client_got;
}

TEST(ProxyFraming, EndlessInterimResponsesEndInA502) {
  // Each 1xx is queued for the client at once; a server that never stops sending them would
  // otherwise grow that queue without bound while the client reads slowly.
  std::string flood;
  for (int i = 0; i < 2000; ++i) flood += "HTTP/1.1 100 Continue\r\n\r\n";
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n"}, flood + k_ok);
  std::size_t interims = 0;
  for (std::size_t at = 0; (at = ex.client_got.find("HTTP/1.1 100 ", at)) != std::string::npos; ++at) ++interims;
  EXPECT_LE(interims, 32u);
  EXPECT_NE(ex.client_got.find("HTTP/1.1 502 Bad Gateway\r\n"), std::string::npos) << ex.client_got.substr(0, 200);
  EXPECT_EQ(ex.client_got.find("200 OK"), std::string::npos);
}

TEST(ProxyFraming, AFewInterimResponsesPassBeforeTheFinalOne) {
  auto ex = exchange({"GET http://ORIGIN/ HTTP/1.1\r\n\r\n"},
                     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + k_ok);
  EXPECT_EQ(status_of(ex.client_got), "HTTP/1.1 100 Continue");
  EXPECT_NE(ex.client_got.find("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n"), std::string::npos) << ex.client_got;
  EXPECT_NE(ex.client_got.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << ex.client_got;
}
