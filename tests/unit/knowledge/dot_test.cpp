#include "knowledge/dot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace parley::knowledge {
namespace {

// Both kernels (AVX2 where the CPU has it), at every length around the SIMD widths (8, 16), tails included, against
// a double-precision reference.
TEST(DotTest, MatchesTheExactInnerProductForEveryLength) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1, 1);
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<float> a(n), b(n);
    double exact = 0;
    for (size_t i = 0; i < n; ++i) {
      a[i] = value(rng);
      b[i] = value(rng);
      exact += static_cast<double>(a[i]) * b[i];
    }
    EXPECT_NEAR(DotPortable(a.data(), b.data(), n), exact, 1e-5) << "n = " << n;
    if (DotUsesAvx2()) {
      EXPECT_NEAR(DotAvx2(a.data(), b.data(), n), exact, 1e-5) << "n = " << n;
    }
    EXPECT_NEAR(Dot(a.data(), b.data(), n), exact, 1e-5) << "n = " << n;
  }
}

// The int8 kernel is exact: every length around its width (32), at the extremes of the range.
TEST(DotTest, Int8KernelsAreExactForEveryLength) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> value(-128, 127);
  for (size_t n = 0; n <= 100; ++n) {
    std::vector<int8_t> a(n), b(n);
    int32_t exact = 0;
    for (size_t i = 0; i < n; ++i) {
      a[i] = static_cast<int8_t>(n % 7 == 0 ? -128 : value(rng));
      b[i] = static_cast<int8_t>(n % 7 == 0 ? -128 : value(rng));
      exact += int32_t{a[i]} * int32_t{b[i]};
    }
    EXPECT_EQ(DotI8Portable(a.data(), b.data(), n), exact) << "n = " << n;
    if (__builtin_cpu_supports("avx2")) {
      EXPECT_EQ(DotI8Avx2(a.data(), b.data(), n), exact) << "n = " << n;
    }
    EXPECT_EQ(BestDotI8()(a.data(), b.data(), n), exact) << "n = " << n;
  }
}

TEST(DotTest, UsesAvx2WhereTheCpuHasIt) {
  EXPECT_EQ(DotUsesAvx2(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

}  // namespace
}  // namespace parley::knowledge
