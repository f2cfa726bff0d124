#pragma once
// A small Prometheus registry: counters and histograms with fixed label sets, lock-free on the hot path.
// Get*() registers on first use and returns a reference that stays valid for the registry's life, so hot code
// looks a series up once and keeps the reference.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace parley::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Buckets are upper bounds in seconds; the +Inf bucket is implicit.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double seconds);
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const;
  const std::vector<double>& bounds() const { return bounds_; }
  uint64_t BucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // Cumulative counts are computed on render.
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help, const Labels& labels = {});

  // The whole registry in Prometheus text exposition format 0.0.4.
  std::string Render() const;

  // Sum of a counter over every label set, or 0 when it was never registered.
  uint64_t CounterTotal(const std::string& name) const;

 private:
  struct Family {
    std::string help;
    bool histogram = false;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;  // GUARDED_BY(mutex_)
};

// The process-wide registry that /metrics renders.
Registry& Global();

// Latency buckets from 0.5 ms to 60 s.
std::vector<double> DefaultLatencyBuckets();

}  // namespace parley::metrics
