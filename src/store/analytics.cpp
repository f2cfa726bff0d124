// The backend-independent parts of store/analytics_store.h: sums and duration histograms.

#include "store/analytics_store.h"

#include <cmath>

namespace parley::store {

AnalyticsCounts& AnalyticsCounts::operator+=(const AnalyticsCounts& other) {
  conversations_started += other.conversations_started;
  conversations_bot_answered += other.conversations_bot_answered;
  conversations_handed_off += other.conversations_handed_off;
  conversations_automated += other.conversations_automated;
  messages_in += other.messages_in;
  messages_out_bot += other.messages_out_bot;
  messages_out_person += other.messages_out_person;
  escalations += other.escalations;
  credits += other.credits;
  return *this;
}

int DurationBin(int64_t duration_ms) {
  if (duration_ms < 1000) return 0;
  // floor(4·log2(seconds)) + 1, nudged so that exact powers of 2^(1/4) land in the bin they start.
  const double quarters = 4.0 * std::log2(static_cast<double>(duration_ms) / 1000.0);
  return static_cast<int>(std::floor(quarters + 1e-9)) + 1;
}

int64_t DurationBinMiddleMs(int bin) {
  if (bin <= 0) return 500;
  return std::llround(1000.0 * std::exp2((static_cast<double>(bin) - 0.5) / 4.0));
}

std::optional<int64_t> MedianMs(const DurationHistogram& histogram) {
  int64_t total = 0;
  for (const auto& [bin, count] : histogram) total += count;
  if (total == 0) return std::nullopt;
  int64_t seen = 0;
  for (const auto& [bin, count] : histogram) {
    seen += count;
    if (2 * seen >= total) return DurationBinMiddleMs(bin);
  }
  return DurationBinMiddleMs(histogram.rbegin()->first);
}

}  // namespace parley::store
