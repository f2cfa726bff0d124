#include "core/metrics.h"

#include <cmath>
#include <sstream>

namespace parley::metrics {
namespace {

std::string RenderLabels(const Labels& labels, const std::string& extra_key = {}, const std::string& extra = {}) {
  if (labels.empty() && extra_key.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_key.empty()) add(extra_key, extra);
  out += '}';
  return out;
}

std::string FormatBound(double b) {
  std::ostringstream s;
  s << b;
  return s.str();
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(seconds, 0.0) * 1e6)), std::memory_order_relaxed);
}

double Histogram::Sum() const { return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6; }

Counter& Registry::GetCounter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.help = help;
  auto& slot = family.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.help = help;
  family.histogram = true;
  auto& slot = family.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(DefaultLatencyBuckets());
  return *slot;
}

uint64_t Registry::CounterTotal(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  uint64_t total = 0;
  for (const auto& [labels, counter] : it->second.counters) total += counter->Value();
  return total;
}

std::string Registry::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + (family.histogram ? " histogram\n" : " counter\n");
    for (const auto& [labels, counter] : family.counters) {
      out += name + RenderLabels(labels) + " " + std::to_string(counter->Value()) + "\n";
    }
    for (const auto& [labels, h] : family.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        cumulative += h->BucketCount(i);
        out += name + "_bucket" + RenderLabels(labels, "le", FormatBound(h->bounds()[i])) + " " +
               std::to_string(cumulative) + "\n";
      }
      cumulative += h->BucketCount(h->bounds().size());
      out += name + "_bucket" + RenderLabels(labels, "le", "+Inf") + " " + std::to_string(cumulative) + "\n";
      out += name + "_sum" + RenderLabels(labels) + " " + FormatBound(h->Sum()) + "\n";
      out += name + "_count" + RenderLabels(labels) + " " + std::to_string(h->Count()) + "\n";
    }
  }
  return out;
}

Registry& Global() {
  static Registry registry;
  return registry;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace parley::metrics
