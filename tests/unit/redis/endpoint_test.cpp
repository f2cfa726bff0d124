// PARLEY_REDIS_URL's parsing: the parts a connection needs, and a password that never shows where logs look.

#include "redis/client.h"

#include <gtest/gtest.h>

namespace parley::redis {
namespace {

TEST(RedisUrlTest, HostAloneTakesTheDefaultPortAndDatabase) {
  auto endpoint = ParseUrl("redis://cache.internal").value();
  EXPECT_EQ(endpoint.host, "cache.internal");
  EXPECT_EQ(endpoint.port, 6379);
  EXPECT_EQ(endpoint.db, 0);
  EXPECT_TRUE(endpoint.password.empty());
  EXPECT_EQ(endpoint.Redacted(), "redis://cache.internal:6379");
}

TEST(RedisUrlTest, CredentialsPortAndDatabase) {
  auto endpoint = ParseUrl("redis://parley:s%40cret:x@10.0.0.5:6380/2").value();
  EXPECT_EQ(endpoint.user, "parley");
  EXPECT_EQ(endpoint.password, "s@cret:x");
  EXPECT_EQ(endpoint.host, "10.0.0.5");
  EXPECT_EQ(endpoint.port, 6380);
  EXPECT_EQ(endpoint.db, 2);
  EXPECT_EQ(endpoint.Redacted(), "redis://10.0.0.5:6380/2");
}

TEST(RedisUrlTest, PasswordWithoutUserAndAnIpv6Host) {
  auto endpoint = ParseUrl("redis://:hunter2@[::1]:7000").value();
  EXPECT_TRUE(endpoint.user.empty());
  EXPECT_EQ(endpoint.password, "hunter2");
  EXPECT_EQ(endpoint.host, "::1");
  EXPECT_EQ(endpoint.port, 7000);
}

TEST(RedisUrlTest, MistakesAreNamedWithoutThePassword) {
  for (const char* url : {"http://host", "redis://", "redis://:pw@host:0", "redis://:pw@host:99999",
                          "redis://:pw@host:12x", "redis://:pw@host/db", "redis://:p%zzw@host"}) {
    auto parsed = ParseUrl(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_EQ(parsed.error().message.find("pw"), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace parley::redis
