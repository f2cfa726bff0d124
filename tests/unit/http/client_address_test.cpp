#include "http/client_address.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

namespace ip = boost::asio::ip;

ip::address A(const char* text) { return ip::make_address(text); }

TrustedProxies Proxies(std::string_view list) {
  auto parsed = TrustedProxies::Parse(list);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : TrustedProxies();
}

TEST(TrustedProxiesTest, ParsesBlocksAndBareAddresses) {
  auto proxies = Proxies(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8,, 2001:db8::7");
  EXPECT_TRUE(proxies.Contains(A("10.1.2.3")));
  EXPECT_TRUE(proxies.Contains(A("127.0.0.1")));
  EXPECT_FALSE(proxies.Contains(A("127.0.0.2")));
  EXPECT_TRUE(proxies.Contains(A("fd12::1")));
  EXPECT_TRUE(proxies.Contains(A("2001:db8::7")));
  EXPECT_FALSE(proxies.Contains(A("2001:db8::8")));
  EXPECT_FALSE(proxies.Contains(A("11.0.0.1")));
  // A dual-stack listener sees IPv4 peers as IPv4-mapped IPv6 addresses.
  EXPECT_TRUE(proxies.Contains(A("::ffff:10.9.9.9")));
  // Host bits set in a block are ignored, as routers do.
  EXPECT_TRUE(Proxies("192.168.1.77/24").Contains(A("192.168.1.1")));
}

TEST(TrustedProxiesTest, RefusesWhatIsNotAnAddressOrBlock) {
  for (const char* bad : {"proxy.internal", "10.0.0.0/33", "300.1.1.1", "10.0.0.0/8, nope"}) {
    auto parsed = TrustedProxies::Parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(Proxies("").empty());
}

TEST(ClientAddressTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  EXPECT_EQ(ClientAddress(A("198.51.100.4"), "203.0.113.9", TrustedProxies()), A("198.51.100.4"));
  EXPECT_EQ(ClientAddress(A("::ffff:198.51.100.4"), "", TrustedProxies()), A("198.51.100.4"));
}

TEST(ClientAddressTest, AnUntrustedPeerCannotNameAnotherClient) {
  auto proxies = Proxies("10.0.0.0/8");
  EXPECT_EQ(ClientAddress(A("198.51.100.4"), "203.0.113.9", proxies), A("198.51.100.4"));
}

TEST(ClientAddressTest, TheRightMostHopThatIsNotAProxyIsTheClient) {
  auto proxies = Proxies("10.0.0.0/8");
  // A client may write anything on the left; only what trusted proxies appended counts.
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "1.2.3.4, 203.0.113.9", proxies), A("203.0.113.9"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "1.2.3.4, 203.0.113.9, 10.0.0.2", proxies), A("203.0.113.9"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "203.0.113.9:4711", proxies), A("203.0.113.9"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "[2001:db8::5]:443", proxies), A("2001:db8::5"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "2001:db8::5", proxies), A("2001:db8::5"));
}

TEST(ClientAddressTest, GarbageStopsTheWalkAtTheLastTrustedHop) {
  auto proxies = Proxies("10.0.0.0/8");
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "203.0.113.9, unknown", proxies), A("10.0.0.1"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "unknown, 10.0.0.3", proxies), A("10.0.0.3"));
  // A proxy that forwards nothing is the client itself.
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "", proxies), A("10.0.0.1"));
  EXPECT_EQ(ClientAddress(A("10.0.0.1"), "10.0.0.5", proxies), A("10.0.0.5"));
}

TEST(LimitKeyTest, IPv6ClientsCountByTheirSlash64) {
  EXPECT_EQ(LimitKey(A("198.51.100.4")), "198.51.100.4");
  EXPECT_EQ(LimitKey(A("::ffff:198.51.100.4")), "198.51.100.4");
  EXPECT_EQ(LimitKey(A("2001:db8:1:2:aaaa::1")), LimitKey(A("2001:db8:1:2:bbbb::9")));
  EXPECT_NE(LimitKey(A("2001:db8:1:2::1")), LimitKey(A("2001:db8:1:3::1")));
}

}  // namespace
}  // namespace parley::http
