// Two servers sharing one Redis (a redis-server of the test's own, PARLEY_REDIS_URL): a client's login attempts are
// counted once across both; the readiness answer reports Redis; with Redis killed both still answer logins, each
// limiting on its own (fail open), and share the limits again once Redis is back. Each server has its own data
// directory: only the limits are shared here, which is what shows that they go through Redis.

#include "integration/harness.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Three attempts per client address, then one a minute: whatever the server they reach.
    const std::map<std::string, std::string> env{{"PARLEY_RESPONDER", "away_message"},
                                                 {"PARLEY_REDIS_URL", redis_.url()},
                                                 {"PARLEY_LOGIN_PER_ADDRESS_BURST", "3"},
                                                 {"PARLEY_LOGIN_PER_ADDRESS_PER_MINUTE", "1"}};
    a_ = std::make_unique<ParleyProcess>(env);
    b_ = std::make_unique<ParleyProcess>(env);
    a_->Start();
    b_->Start();
    ASSERT_TRUE(Eventually([&] { return RedisOk(*a_) && RedisOk(*b_); }, 20s));
  }

  static int Login(ParleyProcess& server) {
    return Call("POST", server.url("/api/auth/login"),
                json::serialize(json::object{{"email", "nobody@acme.test"}, {"password", "wrong-password"}}),
                {{"Content-Type", "application/json"}})
        .status;
  }

  static json::object Health(ParleyProcess& server) {
    auto health = Call("GET", server.url("/api/health"));
    return health.Json().as_object();
  }
  static bool RedisOk(ParleyProcess& server) {
    auto health = Health(server);
    return health.contains("redis") && health.at("redis").at("ok").as_bool();
  }

  OwnRedisServer redis_;
  std::unique_ptr<ParleyProcess> a_;
  std::unique_ptr<ParleyProcess> b_;
};

TEST_F(RedisTest, LoginAttemptsAreCountedOnceAcrossServers) {
  // Unknown account: 401 while admitted, 429 once the address's shared bucket is empty.
  EXPECT_EQ(Login(*a_), 401);
  EXPECT_EQ(Login(*b_), 401);
  EXPECT_EQ(Login(*a_), 401);
  EXPECT_EQ(Login(*b_), 429);  // B saw one attempt itself: the other two were A's, counted in Redis.
  EXPECT_EQ(Login(*a_), 429);

  auto health = Health(*a_);
  EXPECT_EQ(health.at("status").as_string(), "ok");
  EXPECT_EQ(health.at("redis").at("endpoint").as_string(), redis_.url());
}

TEST_F(RedisTest, WithRedisDownEachServerLimitsAloneThenTheyShareAgain) {
  redis_.Stop();
  ASSERT_TRUE(Eventually([&] { return !RedisOk(*a_) && !RedisOk(*b_); }, 20s));
  auto health = Health(*a_);
  EXPECT_EQ(health.at("status").as_string(), "ok");  // Not unready: every use of Redis falls back.
  EXPECT_FALSE(health.at("redis").at("detail").as_string().empty());

  // Each server has a bucket of its own: three attempts on each, not three in all.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login(*a_), 401) << i;
  EXPECT_EQ(Login(*a_), 429);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login(*b_), 401) << i;
  EXPECT_EQ(Login(*b_), 429);

  redis_.Start();  // Empty: the shared bucket starts full.
  ASSERT_TRUE(Eventually([&] { return RedisOk(*a_) && RedisOk(*b_); }, 20s));
  EXPECT_EQ(Login(*a_), 401);
  EXPECT_EQ(Login(*b_), 401);
  EXPECT_EQ(Login(*a_), 401);
  EXPECT_EQ(Login(*b_), 429);
}

}  // namespace
}  // namespace parley::testing
