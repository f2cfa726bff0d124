#include "http/address_policy.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <string>
#include <utility>
#include <vector>

namespace parley::http {
namespace {

namespace ip = boost::asio::ip;

AddressClass ClassOf(const std::string& text) { return Classify(ip::make_address(text)); }

// The address the system resolver gives a host written without brackets as a name: inet_aton's legacy forms
// ("127.1", "0x7f000001", "2130706433", "0177.0.0.1") all mean 127.0.0.1. The client decides on that address,
// so these spellings need no parser of their own; this shows what the resolver will hand it.
std::string ResolverForm(const std::string& host) {
  in_addr address{};
  if (inet_aton(host.c_str(), &address) == 0) return "not numeric";
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, &address, text, sizeof text);
}

TEST(AddressPolicyTest, EverySpellingOfLoopbackFromTheIssueEndsAsALoopbackAddress) {
  for (const std::string host : {"127.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.0.0.1"}) {
    const std::string resolved = ResolverForm(host);
    EXPECT_EQ(resolved, "127.0.0.1") << host;
    EXPECT_EQ(ClassOf(resolved), AddressClass::kLoopback) << host;
  }
  EXPECT_EQ(ClassOf("127.255.255.254"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("::1"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("0.1.2.3"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("::"), AddressClass::kUnspecified);
}

TEST(AddressPolicyTest, IPv6FormsCarryingAnIPv4AddressAreJudgedByIt) {
  EXPECT_EQ(ClassOf("::ffff:127.0.0.1"), AddressClass::kLoopback);         // IPv4-mapped.
  EXPECT_EQ(ClassOf("::ffff:7f00:1"), AddressClass::kLoopback);            // The same, in hex.
  EXPECT_EQ(ClassOf("::127.0.0.1"), AddressClass::kLoopback);              // IPv4-compatible.
  EXPECT_EQ(ClassOf("::ffff:169.254.169.254"), AddressClass::kLinkLocal);  // Cloud metadata.
  EXPECT_EQ(ClassOf("64:ff9b::10.0.0.1"), AddressClass::kPrivate);         // NAT64.
  EXPECT_EQ(ClassOf("64:ff9b::a9fe:a9fe"), AddressClass::kLinkLocal);      // NAT64 to 169.254.169.254.
  EXPECT_EQ(ClassOf("2002:7f00:1::"), AddressClass::kLoopback);            // 6to4 of 127.0.0.1.
  EXPECT_EQ(ClassOf("2002:c0a8:101::1"), AddressClass::kPrivate);          // 6to4 of 192.168.1.1.
  EXPECT_EQ(ClassOf("::ffff:0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("::ffff:8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("64:ff9b::8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, SpecialPurposeIPv4Blocks) {
  const std::vector<std::pair<std::string, AddressClass>> cases{
      {"10.0.0.1", AddressClass::kPrivate},
      {"10.255.255.255", AddressClass::kPrivate},
      {"172.16.0.1", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},
      {"172.15.255.255", AddressClass::kPublic},
      {"172.32.0.0", AddressClass::kPublic},
      {"192.168.0.1", AddressClass::kPrivate},
      {"100.64.0.1", AddressClass::kSharedNat},
      {"100.127.255.255", AddressClass::kSharedNat},
      {"100.128.0.0", AddressClass::kPublic},
      {"169.254.169.254", AddressClass::kLinkLocal},
      {"192.0.0.8", AddressClass::kReserved},
      {"192.0.2.1", AddressClass::kReserved},
      {"198.18.0.1", AddressClass::kReserved},
      {"198.19.255.255", AddressClass::kReserved},
      {"198.51.100.7", AddressClass::kReserved},
      {"203.0.113.9", AddressClass::kReserved},
      {"224.0.0.1", AddressClass::kMulticast},
      {"239.255.255.250", AddressClass::kMulticast},
      {"240.0.0.1", AddressClass::kReserved},
      {"255.255.255.255", AddressClass::kBroadcast},
      {"8.8.8.8", AddressClass::kPublic},
      {"1.1.1.1", AddressClass::kPublic},
      {"93.184.215.14", AddressClass::kPublic},
      {"223.255.255.255", AddressClass::kPublic},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(ClassOf(text), expected) << text;
}

TEST(AddressPolicyTest, SpecialPurposeIPv6Blocks) {
  const std::vector<std::pair<std::string, AddressClass>> cases{
      {"fe80::1", AddressClass::kLinkLocal},      {"febf::1", AddressClass::kLinkLocal},
      {"fc00::1", AddressClass::kUniqueLocal},    {"fd12:3456::1", AddressClass::kUniqueLocal},
      {"fec0::1", AddressClass::kUniqueLocal},    {"ff02::1", AddressClass::kMulticast},
      {"ff0e::1", AddressClass::kMulticast},      {"2001:db8::1", AddressClass::kReserved},
      {"2001::1", AddressClass::kReserved},       // Teredo.
      {"3fff::1", AddressClass::kReserved},       // Documentation (RFC 9637).
      {"64:ff9b:1::1", AddressClass::kReserved},  // Local-use NAT64.
      {"100::1", AddressClass::kReserved},        // Discard-only.
      {"::2:1", AddressClass::kUnspecified},      // IPv4-compatible 0.2.0.1.
      {"2606:4700::1111", AddressClass::kPublic}, {"2a00:1450:4007:80e::200e", AddressClass::kPublic},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(ClassOf(text), expected) << text;
}

TEST(AddressPolicyTest, OnlyPublicAddressesPassWithoutAnAllowList) {
  OutboundAllowList none;
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(CheckTenantDestination(none, "example.com", ip::make_address("93.184.215.14")));
  auto literal = CheckTenantDestination(none, "127.0.0.1", ip::make_address("127.0.0.1"));
  ASSERT_FALSE(literal);
  EXPECT_EQ(literal.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(literal.error().message, "127.0.0.1 (loopback); only public addresses can be reached");
  auto named = CheckTenantDestination(none, "localhost", ip::make_address("::1"));
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().message, "localhost resolves to ::1 (loopback); only public addresses can be reached");
  auto metadata = CheckTenantDestination(none, "169.254.169.254", ip::make_address("169.254.169.254"));
  ASSERT_FALSE(metadata);
  EXPECT_NE(metadata.error().message.find("link-local"), std::string::npos);
}

TEST(AddressPolicyTest, TheOperatorsAllowListOpensBlocksAddressesAndNames) {
  auto allow = OutboundAllowList::Parse(" 10.20.0.0/16, 127.0.0.1 ,fd00:1::/32,wiki.Internal., ,::1");
  ASSERT_TRUE(allow) << allow.error().message;
  EXPECT_FALSE(allow->empty());
  EXPECT_TRUE(allow->AllowsAddress(ip::make_address("10.20.3.4")));
  EXPECT_FALSE(allow->AllowsAddress(ip::make_address("10.21.0.1")));
  EXPECT_TRUE(allow->AllowsAddress(ip::make_address("127.0.0.1")));
  EXPECT_FALSE(allow->AllowsAddress(ip::make_address("127.0.0.2")));
  EXPECT_TRUE(allow->AllowsAddress(ip::make_address("::ffff:10.20.0.9")));  // Matched as its IPv4 address.
  EXPECT_TRUE(allow->AllowsAddress(ip::make_address("fd00:1:ffff::1")));
  EXPECT_FALSE(allow->AllowsAddress(ip::make_address("fd00:2::1")));
  EXPECT_TRUE(allow->AllowsAddress(ip::make_address("::1")));
  EXPECT_TRUE(allow->AllowsHost("WIKI.internal"));
  EXPECT_TRUE(allow->AllowsHost("wiki.internal."));
  EXPECT_FALSE(allow->AllowsHost("wiki.internal.evil.example"));

  EXPECT_TRUE(CheckTenantDestination(*allow, "wiki.internal", ip::make_address("192.168.7.7")));
  EXPECT_TRUE(CheckTenantDestination(*allow, "127.0.0.1", ip::make_address("127.0.0.1")));
  EXPECT_FALSE(CheckTenantDestination(*allow, "localhost", ip::make_address("127.0.0.2")));
  EXPECT_FALSE(CheckTenantDestination(*allow, "intranet", ip::make_address("192.168.7.7")));
}

TEST(AddressPolicyTest, AnAllowListEntryThatIsNeitherBlockNorNameIsRefused) {
  EXPECT_TRUE(OutboundAllowList::Parse(""));
  for (const std::string bad :
       {"10.0.0.0/33", "10.0.0/8", "fd00::/129", "http://wiki", "a b", "host:80", "10.1", "0x7f000001", "127.1."}) {
    auto parsed = OutboundAllowList::Parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace parley::http
