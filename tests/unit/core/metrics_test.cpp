#include "core/metrics.h"

#include <gtest/gtest.h>

namespace parley::metrics {
namespace {

TEST(MetricsTest, RendersCountersWithLabelsInPrometheusFormat) {
  Registry registry;
  registry.GetCounter("parley_x_total", "Things.", {{"platform", "whatsapp"}}).Inc(3);
  registry.GetCounter("parley_x_total", "Things.", {{"platform", "instagram"}}).Inc();
  auto text = registry.Render();
  EXPECT_NE(text.find("# HELP parley_x_total Things.\n# TYPE parley_x_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("parley_x_total{platform=\"whatsapp\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("parley_x_total{platform=\"instagram\"} 1\n"), std::string::npos);
  EXPECT_EQ(registry.CounterTotal("parley_x_total"), 4u);
  EXPECT_EQ(registry.CounterTotal("absent"), 0u);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry registry;
  auto& h = registry.GetHistogram("parley_t_seconds", "Time.", {{"platform", "whatsapp"}});
  h.Observe(0.0001);
  h.Observe(0.003);
  h.Observe(100);
  auto text = registry.Render();
  EXPECT_NE(text.find("parley_t_seconds_bucket{platform=\"whatsapp\",le=\"0.0005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("parley_t_seconds_bucket{platform=\"whatsapp\",le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("parley_t_seconds_bucket{platform=\"whatsapp\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("parley_t_seconds_count{platform=\"whatsapp\"} 3\n"), std::string::npos);
}

TEST(MetricsTest, SameSeriesIsReturnedTwice) {
  Registry registry;
  auto& a = registry.GetCounter("c", "h", {{"k", "v"}});
  auto& b = registry.GetCounter("c", "h", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace parley::metrics
