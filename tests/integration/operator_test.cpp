// The operator's endpoints (metrics, readiness, the API reference) are kept from strangers on the listener Meta
// reaches: behind PARLEY_METRICS_TOKEN, or moved to PARLEY_ADMIN_LISTEN. Liveness stays open everywhere.

#include "integration/harness.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

constexpr const char* kToken = "operator-metrics-token-0123456789";
const char* const kOperatorPaths[] = {"/metrics", "/api/health", "/api/openapi.json"};

TEST(OperatorTest, WithoutSettingsEverythingIsOpenAsBefore) {
  ParleyProcess parley(std::map<std::string, std::string>{});
  parley.Start();
  for (const char* path : kOperatorPaths) EXPECT_EQ(Call("GET", parley.url(path)).status, 200) << path;
}

TEST(OperatorTest, TheMetricsTokenGuardsTheOperatorsRoutesButNotLiveness) {
  ParleyProcess parley(std::map<std::string, std::string>{{"PARLEY_METRICS_TOKEN", kToken}});
  parley.Start();
  EXPECT_EQ(Call("GET", parley.url("/health")).status, 200);
  for (const char* path : kOperatorPaths) {
    auto none = Call("GET", parley.url(path));
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.headers["www-authenticate"], "Bearer") << path;
    EXPECT_EQ(none.body.find("parley_"), std::string::npos) << path;
    EXPECT_EQ(Call("GET", parley.url(path), {}, {{"Authorization", "Bearer wrong-token"}}).status, 401) << path;
    EXPECT_EQ(Call("GET", parley.url(path), {}, {{"Authorization", std::string("Bearer ") + kToken}}).status, 200)
        << path;
  }
  auto reference =
      Call("GET", parley.url("/api/openapi.json"), {}, {{"Authorization", std::string("Bearer ") + kToken}});
  auto metrics = boost::json::parse(reference.body).at("paths").at("/metrics").at("get");
  EXPECT_EQ(metrics.at("x-parley-operator"), true);
  EXPECT_EQ(parley.logs().find(kToken), std::string::npos);
}

TEST(OperatorTest, AnAdminListenerTakesTheOperatorsRoutesOffThePublicOne) {
  ParleyProcess parley(std::map<std::string, std::string>{{"PARLEY_ADMIN_LISTEN", "127.0.0.1:0"}});
  parley.Start();
  for (const char* path : kOperatorPaths) {
    EXPECT_EQ(Call("GET", parley.url(path)).status, 404) << path;
    EXPECT_EQ(Call("GET", parley.admin_url(path)).status, 200) << path;
  }
  EXPECT_EQ(Call("GET", parley.url("/health")).status, 200);
  EXPECT_EQ(Call("GET", parley.admin_url("/health")).status, 200);
  // Nothing else of the API is on the operator's listener.
  EXPECT_EQ(Call("GET", parley.admin_url("/api/conversations")).status, 404);
  EXPECT_EQ(Call("POST", parley.admin_url("/api/auth/login"), R"({"email":"a@b.c","password":"x"})").status, 404);
}

}  // namespace
}  // namespace parley::testing
