#include "api/login_guard.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

namespace parley::api {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

LoginLimits Limits() {
  LoginLimits limits;
  limits.per_address_per_second = 1;
  limits.per_address_burst = 5;
  limits.global_per_second = 10;
  limits.global_burst = 20;
  limits.account_per_address_per_second = 1.0 / 6;
  limits.account_per_address_burst = 3;
  limits.account_per_second = 1.0 / 60;
  limits.account_burst = 8;
  return limits;
}

// One attempt, run to completion (the in-process buckets complete at once).
LoginGuard::Verdict Admit(LoginGuard& guard, std::string address, std::string email, int64_t now_ms) {
  boost::asio::io_context io;
  auto verdict =
      boost::asio::co_spawn(io, guard.Admit(std::move(address), std::move(email), now_ms), boost::asio::use_future);
  io.run();
  return verdict.get();
}

TEST(LoginGuardTest, OneAddressIsLimitedWhateverTheEmails) {
  LoginGuard guard(Limits(), LocalRateLimiters());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(Admit(guard, "198.51.100.4", "user" + std::to_string(i) + "@x.test", kT0).allowed());
  }
  auto refused = Admit(guard, "198.51.100.4", "user9@x.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kAddress);
  EXPECT_EQ(refused.retry_after_ms, 1000);
  EXPECT_TRUE(Admit(guard, "198.51.100.5", "user9@x.test", kT0).allowed());
  EXPECT_TRUE(Admit(guard, "198.51.100.4", "user9@x.test", kT0 + 1000).allowed());
}

TEST(LoginGuardTest, AllAddressesTogetherAreLimited) {
  LoginGuard guard(Limits(), LocalRateLimiters());
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(Admit(guard, "203.0.113." + std::to_string(i), "a@x.test" + std::to_string(i), kT0).allowed());
  }
  auto refused = Admit(guard, "203.0.113.200", "b@x.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kGlobal);
  EXPECT_EQ(refused.retry_after_ms, 100);
}

TEST(LoginGuardTest, GuessingFromOneAddressDoesNotLockTheOwnerOutElsewhere) {
  LoginLimits limits = Limits();
  limits.per_address_burst = 100;  // The address's own limit is not what this test is about.
  LoginGuard guard(limits, LocalRateLimiters());
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    // One guess every 6 s is the refill rate of the account-and-address bucket: the attacker stays locked out.
    if (!Admit(guard, "203.0.113.7", "owner@acme.test", kT0 + i * 100).allowed()) ++refused;
  }
  EXPECT_GE(refused, 9);
  auto attacker = Admit(guard, "203.0.113.7", "owner@acme.test", kT0 + 2000);
  EXPECT_EQ(attacker.refusal, LoginGuard::Refusal::kAccount);
  EXPECT_GT(attacker.retry_after_ms, 0);
  EXPECT_TRUE(Admit(guard, "198.51.100.20", "owner@acme.test", kT0 + 2000).allowed());
}

TEST(LoginGuardTest, GuessingOneAccountFromManyAddressesStopsAtTheHigherThreshold) {
  LoginGuard guard(Limits(), LocalRateLimiters());
  int allowed = 0;
  for (int i = 0; i < 20; ++i) {
    if (Admit(guard, "203.0.113." + std::to_string(i), "owner@acme.test", kT0).allowed()) ++allowed;
  }
  EXPECT_EQ(allowed, 8);
  auto refused = Admit(guard, "198.51.100.20", "owner@acme.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kAccount);
  EXPECT_EQ(refused.retry_after_ms, 60'000);
}

TEST(LoginGuardTest, ARefusedAddressSpendsNoSharedTokens) {
  LoginLimits limits = Limits();
  limits.global_burst = 6;
  limits.global_per_second = 0.001;
  LoginGuard guard(limits, LocalRateLimiters());
  for (int i = 0; i < 50; ++i) Admit(guard, "198.51.100.4", "x" + std::to_string(i) + "@x.test", kT0);
  // The spraying address took its 5 and no more, so the others still have the 6th.
  EXPECT_TRUE(Admit(guard, "198.51.100.5", "y@x.test", kT0).allowed());
  EXPECT_EQ(Admit(guard, "198.51.100.6", "z@x.test", kT0).refusal, LoginGuard::Refusal::kGlobal);
}

}  // namespace
}  // namespace parley::api
