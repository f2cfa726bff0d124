// The API reference is built from the route table: every registered route appears with its roles, parameters and
// error answers; the route table enforces authentication, roles and the per-tenant rate limit.

#include "api/openapi.h"
#include "api/auth.h"
#include "api/route_table.h"

#include <gtest/gtest.h>

namespace parley::api {
namespace {

TEST(RoleTest, OwnerOutranksAdminOutranksAgent) {
  EXPECT_TRUE(AtLeast(Role::kOwner, Role::kAdmin));
  EXPECT_TRUE(AtLeast(Role::kAdmin, Role::kAdmin));
  EXPECT_TRUE(AtLeast(Role::kAdmin, Role::kAgent));
  EXPECT_FALSE(AtLeast(Role::kAgent, Role::kAdmin));
  EXPECT_FALSE(AtLeast(Role::kAdmin, Role::kOwner));
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ToString(Role::kOwner), "owner");
}

TEST(PrincipalTest, TheAuditLogNamesUsersAndKeys) {
  EXPECT_EQ((Principal{1, Role::kAdmin, 12, std::nullopt}).Actor(), "user:12");
  EXPECT_EQ((Principal{1, Role::kAdmin, std::nullopt, 3}).Actor(), "api_key:3");
}

TEST(OpenApiTest, DescribesEveryRouteWithItsRolesParametersAndErrors) {
  std::vector<RouteEntry> routes{
      {http::Verb::get, "/api/faq-qa/{id}", {"A Q&A pair", "knowledge"}, kAnyRole},
      {http::Verb::delete_, "/api/faq-qa/{id}", {"Remove", "knowledge", {}, BodyKind::kNone, 204}, kAdmins},
      {http::Verb::post, "/api/whatsapp/webhook", {"Receive", "webhooks", {}, BodyKind::kJson}, std::nullopt},
      {http::Verb::get, "/api/audit-logs", {"Audit", "access", {"action", "cursor"}}, kAdmins},
  };
  boost::json::object doc = OpenApiDocument(routes);
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  const auto& paths = doc.at("paths").as_object();
  ASSERT_EQ(paths.size(), 3u);

  const auto& get = paths.at("/api/faq-qa/{id}").at("get").as_object();
  EXPECT_EQ(get.at("operationId"), "get_api_faq_qa_id");
  EXPECT_EQ(get.at("parameters").at(0).at("in"), "path");
  EXPECT_EQ(get.at("parameters").at(0).at("schema").at("type"), "integer");
  EXPECT_EQ(get.at("x-parley-roles").as_array().size(), 3u);
  const auto& responses = get.at("responses").as_object();
  for (const char* status : {"200", "401", "403", "404", "429"}) EXPECT_TRUE(responses.contains(status)) << status;
  EXPECT_EQ(get.at("security").at(0).as_object().count("bearerAuth"), 1u);

  const auto& remove = paths.at("/api/faq-qa/{id}").at("delete").as_object();
  EXPECT_TRUE(remove.at("responses").as_object().contains("204"));
  EXPECT_EQ(remove.at("x-parley-roles"), (boost::json::array{"owner", "admin"}));

  const auto& webhook = paths.at("/api/whatsapp/webhook").at("post").as_object();
  EXPECT_FALSE(webhook.contains("security"));
  EXPECT_FALSE(webhook.at("responses").as_object().contains("401"));
  EXPECT_TRUE(webhook.contains("requestBody"));

  const auto& audit = paths.at("/api/audit-logs").at("get").as_object();
  EXPECT_EQ(audit.at("parameters").as_array().size(), 2u);
  EXPECT_EQ(audit.at("parameters").at(1).at("name"), "cursor");
}

TEST(OpenApiTest, TheAiSettingsFollowTheirSchema) {
  std::vector<RouteEntry> routes{
      {http::Verb::get, "/api/ai-settings", {"Settings", "ai", {}, BodyKind::kNone, 200, "AiSettings"}, kAdmins},
      {http::Verb::put, "/api/ai-settings", {"Change", "ai", {}, BodyKind::kJson, 200, "AiSettings"}, kAdmins},
  };
  boost::json::object doc = OpenApiDocument(routes);
  const boost::json::value ref{{"$ref", "#/components/schemas/AiSettings"}};
  const auto& item = doc.at("paths").at("/api/ai-settings");
  EXPECT_EQ(item.at("get").at("responses").at("200").at("content").at("application/json").at("schema"), ref);
  EXPECT_EQ(item.at("put").at("requestBody").at("content").at("application/json").at("schema"), ref);
  EXPECT_EQ(item.at("put").at("responses").at("200").at("content").at("application/json").at("schema"), ref);
  const auto& schema = doc.at("components").at("schemas").at("AiSettings");
  EXPECT_TRUE(schema.at("properties").as_object().contains("messages"));
  EXPECT_TRUE(schema.at("properties").as_object().contains("language"));
}

}  // namespace
}  // namespace parley::api
