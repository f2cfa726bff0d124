#include "webhooks/webhooks.h"

#include "core/crypto.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace parley::webhooks {
namespace {

TEST(SignatureHeaderTest, IsTheHmacOfTheTimestampADotAndTheBody) {
  const std::string body = R"({"id":7,"type":"message.created"})";
  EXPECT_EQ(SignatureHeader("whsec_test", 1765000000, body),
            "t=1765000000,v1=" + crypto::HmacSha256Hex("whsec_test", "1765000000." + body));
  // A value computed apart (Python: hmac.new(b"whsec_test", b"1765000000.{}", hashlib.sha256).hexdigest()).
  EXPECT_EQ(SignatureHeader("whsec_test", 1765000000, "{}"),
            "t=1765000000,v1=41ab0587bd54fb0a220f7463b1c7654c6abb2910d7d4bbd956d1c7bb7cb3a2f3");
  EXPECT_NE(SignatureHeader("whsec_test", 1765000001, body), SignatureHeader("whsec_test", 1765000000, body));
}

TEST(NewSecretTest, IsPrefixedAndRandom) {
  const std::string a = NewSecret();
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_EQ(a.size(), 6u + 43u);  // 32 bytes, base64url without padding.
  EXPECT_NE(a, NewSecret());
}

TEST(EventTypesTest, AreTheEventLogsTypes) {
  EXPECT_EQ(EventTypes().size(), 8u);
  for (const auto& type : EventTypes()) EXPECT_TRUE(IsEventType(type)) << type;
  EXPECT_FALSE(IsEventType("ping"));
  EXPECT_FALSE(IsEventType("stream.reset"));
}

TEST(PingPayloadTest, IsAnEnvelopeWithIdZero) {
  auto ping = boost::json::parse(PingPayload(3, 1765000000123)).as_object();
  EXPECT_EQ(ping.at("id").as_int64(), 0);
  EXPECT_EQ(ping.at("type").as_string(), "ping");
  EXPECT_EQ(ping.at("created_at").as_string(), "2025-12-06T05:46:40.123Z");
  EXPECT_EQ(ping.at("data").at("endpoint_id").as_int64(), 3);
}

TEST(NextAttemptAtTest, DoublesFromTheBaseUpToTheMaxWithJitterInTheUpperHalf) {
  RetryOptions options{.base_ms = 1000, .max_ms = 8000, .window_ms = 86400000};
  const int64_t now = 1000000;
  const int64_t expires = now + options.window_ms;
  EXPECT_EQ(NextAttemptAt(1, now, expires, options, 1.0), now + 1000);
  EXPECT_EQ(NextAttemptAt(1, now, expires, options, 0.0), now + 500);
  EXPECT_EQ(NextAttemptAt(2, now, expires, options, 1.0), now + 2000);
  EXPECT_EQ(NextAttemptAt(3, now, expires, options, 1.0), now + 4000);
  EXPECT_EQ(NextAttemptAt(4, now, expires, options, 1.0), now + 8000);
  EXPECT_EQ(NextAttemptAt(40, now, expires, options, 1.0), now + 8000);  // Capped, and no overflow.
  EXPECT_EQ(NextAttemptAt(40, now, expires, options, 0.5), now + 6000);
}

TEST(NextAttemptAtTest, GivesUpWhenTheNextAttemptWouldFallAfterTheWindow) {
  RetryOptions options{.base_ms = 1000, .max_ms = 3600000, .window_ms = 86400000};
  EXPECT_FALSE(NextAttemptAt(1, 10000, 10500, options, 1.0).has_value());
  EXPECT_EQ(NextAttemptAt(1, 10000, 11000, options, 1.0), 11000);
  // Over 24 hours at the defaults a failing endpoint is tried some 30 times, then the delivery has failed.
  RetryOptions defaults;
  int64_t now = 0;
  int attempts = 1;
  while (auto next = NextAttemptAt(attempts, now, defaults.window_ms, defaults, 1.0)) {
    now = *next;
    ++attempts;
  }
  EXPECT_GE(attempts, 25);
  EXPECT_LE(attempts, 35);
}

}  // namespace
}  // namespace parley::webhooks
