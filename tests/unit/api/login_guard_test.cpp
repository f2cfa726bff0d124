#include "api/login_guard.h"

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

TEST(LoginGuardTest, OneAddressIsLimitedWhateverTheEmails) {
  LoginGuard guard(Limits());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(guard.Admit("198.51.100.4", "user" + std::to_string(i) + "@x.test", kT0).allowed());
  }
  auto refused = guard.Admit("198.51.100.4", "user9@x.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kAddress);
  EXPECT_EQ(refused.retry_after_ms, 1000);
  EXPECT_TRUE(guard.Admit("198.51.100.5", "user9@x.test", kT0).allowed());
  EXPECT_TRUE(guard.Admit("198.51.100.4", "user9@x.test", kT0 + 1000).allowed());
}

TEST(LoginGuardTest, AllAddressesTogetherAreLimited) {
  LoginGuard guard(Limits());
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(guard.Admit("203.0.113." + std::to_string(i), "a@x.test" + std::to_string(i), kT0).allowed());
  }
  auto refused = guard.Admit("203.0.113.200", "b@x.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kGlobal);
  EXPECT_EQ(refused.retry_after_ms, 100);
}

TEST(LoginGuardTest, GuessingFromOneAddressDoesNotLockTheOwnerOutElsewhere) {
  LoginLimits limits = Limits();
  limits.per_address_burst = 100;  // The address's own limit is not what this test is about.
  LoginGuard guard(limits);
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    // One guess every 6 s is the refill rate of the account-and-address bucket: the attacker stays locked out.
    if (!guard.Admit("203.0.113.7", "owner@acme.test", kT0 + i * 100).allowed()) ++refused;
  }
  EXPECT_GE(refused, 9);
  auto attacker = guard.Admit("203.0.113.7", "owner@acme.test", kT0 + 2000);
  EXPECT_EQ(attacker.refusal, LoginGuard::Refusal::kAccount);
  EXPECT_GT(attacker.retry_after_ms, 0);
  EXPECT_TRUE(guard.Admit("198.51.100.20", "owner@acme.test", kT0 + 2000).allowed());
}

TEST(LoginGuardTest, GuessingOneAccountFromManyAddressesStopsAtTheHigherThreshold) {
  LoginGuard guard(Limits());
  int allowed = 0;
  for (int i = 0; i < 20; ++i) {
    if (guard.Admit("203.0.113." + std::to_string(i), "owner@acme.test", kT0).allowed()) ++allowed;
  }
  EXPECT_EQ(allowed, 8);
  auto refused = guard.Admit("198.51.100.20", "owner@acme.test", kT0);
  EXPECT_EQ(refused.refusal, LoginGuard::Refusal::kAccount);
  EXPECT_EQ(refused.retry_after_ms, 60'000);
}

TEST(LoginGuardTest, ARefusedAddressSpendsNoSharedTokens) {
  LoginLimits limits = Limits();
  limits.global_burst = 6;
  limits.global_per_second = 0.001;
  LoginGuard guard(limits);
  for (int i = 0; i < 50; ++i) guard.Admit("198.51.100.4", "x" + std::to_string(i) + "@x.test", kT0);
  // The spraying address took its 5 and no more, so the others still have the 6th.
  EXPECT_TRUE(guard.Admit("198.51.100.5", "y@x.test", kT0).allowed());
  EXPECT_EQ(guard.Admit("198.51.100.6", "z@x.test", kT0).refusal, LoginGuard::Refusal::kGlobal);
}

}  // namespace
}  // namespace parley::api
