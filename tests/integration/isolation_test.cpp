// Access swept over the route table itself: tenant A creates one object of every kind, then tenant B's owner key
// calls every route of the OpenAPI document that takes an id with A's ids (404 every time, nothing changed), every
// list (none of A's data), the playground (none of A's knowledge) and the metrics (no tenant labels); every tenant
// route refuses callers without a valid token, and every route closed to agents refuses an agent key.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-isolation";
constexpr const char* kPhoneNumberId = "106540352249999";
constexpr const char* kContact = "33699988877";
constexpr const char* kFaqAnswer = "Our secret recipe uses saffron from Zanzibar.";
constexpr const char* kDocumentName = "acme-confidential-pricing.md";
constexpr const char* kUserEmail = "ana.private@acme.test";
constexpr const char* kKeyName = "acme-zapier-key";

std::string Multipart(const std::string& name, const std::string& content) {
  return "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
         "\"\r\nContent-Type: text/markdown\r\n\r\n" + content + "\r\n--b--\r\n";
}

TEST(IsolationTest, AnotherTenantsIdsAnswer404OnEveryRouteAndItsDataAppearsNowhere) {
  FakeGraph graph;
  ParleyProcess parley({{"WHATSAPP_APP_SECRET", kWhatsAppSecret},
                        {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
                        {"PARLEY_GRAPH_API_BASE_URL", graph.base_url()},
                        {"PARLEY_BATCH_WINDOW_MS", "200"},
                        {"PARLEY_BATCH_MAX_WAIT_MS", "2000"}});
  const CreatedTenant acme = CreateTenant(parley, "Acme");
  const CreatedTenant globex = CreateTenant(parley, "Globex");
  auto channel = parley.Cli({"channel", "add", "whatsapp", "--tenant", acme.id, "--phone-number-id", kPhoneNumberId,
                             "--access-token", "EAAG-isolation-token"});
  ASSERT_EQ(channel.exit_code, 0) << channel.out;
  int64_t channel_id = json::parse(channel.out).at("channel_id").to_number<int64_t>();
  parley.Start();

  auto as = [&](const std::string& key, const std::string& method, const std::string& path,
                const std::string& body = {}, const std::string& type = "application/json") {
    return Call(method, parley.url(path), body, {{"Authorization", "Bearer " + key}, {"Content-Type", type}});
  };

  // Tenant A: one object of every kind.
  std::string webhook = payloads::WhatsAppText(kPhoneNumberId, kContact, "wamid.iso.1", "Can I talk to a human?");
  ASSERT_EQ(Call("POST", parley.url("/api/whatsapp/webhook"), webhook,
                 {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, webhook)}})
                .status,
            200);
  ASSERT_TRUE(graph.WaitForSends(1, 5s)) << parley.logs();
  int64_t conversation =
      as(acme.api_key, "GET", "/api/conversations").Json().at("data").at(0).at("id").to_number<int64_t>();
  int64_t support = as(acme.api_key, "GET", "/api/support").Json().at("data").at(0).at("id").to_number<int64_t>();
  auto faq = as(acme.api_key, "POST", "/api/faq-qa",
                json::serialize(json::object{{"question", "What is in the recipe?"}, {"answer", kFaqAnswer}}));
  ASSERT_EQ(faq.status, 201) << faq.body;
  auto document = as(acme.api_key, "POST", "/api/knowledge-documents",
                     Multipart(kDocumentName, "# Pricing\nOur wholesale margin is forty-two percent."),
                     "multipart/form-data; boundary=b");
  ASSERT_EQ(document.status, 202) << document.body;
  auto user = as(acme.api_key, "POST", "/api/users",
                 json::serialize(json::object{{"email", kUserEmail}, {"password", "private-password-1"}}));
  ASSERT_EQ(user.status, 201) << user.body;
  auto key = as(acme.api_key, "POST", "/api/api-keys", json::serialize(json::object{{"name", kKeyName}}));
  ASSERT_EQ(key.status, 201) << key.body;
  auto canned = as(acme.api_key, "POST", "/api/canned-replies", R"({"shortcut":"hours","text":"We open at nine."})");
  ASSERT_EQ(canned.status, 201) << canned.body;
  std::string message_id =
      std::to_string(as(acme.api_key, "GET", "/api/conversations/" + std::to_string(conversation) + "/messages")
                         .Json()
                         .at("data")
                         .at(0)
                         .at("id")
                         .to_number<int64_t>());
  int64_t contact = as(acme.api_key, "GET", "/api/contacts").Json().at("data").at(0).at("id").to_number<int64_t>();
  auto invitation = as(acme.api_key, "POST", "/api/invitations", R"({"email":"carl.private@acme.test"})");
  ASSERT_EQ(invitation.status, 201) << invitation.body;
  auto endpoint = as(acme.api_key, "POST", "/api/webhook-endpoints", R"({"url":"https://crm.acme.test/hooks"})");
  ASSERT_EQ(endpoint.status, 201) << endpoint.body;
  const std::string endpoint_path =
      "/api/webhook-endpoints/" + std::to_string(endpoint.Json().at("id").to_number<int64_t>());
  ASSERT_EQ(as(acme.api_key, "POST", endpoint_path + "/ping").status, 202);
  std::string delivery_id;
  ASSERT_TRUE(Eventually(
      [&] {
        auto deliveries = as(acme.api_key, "GET", endpoint_path + "/deliveries").Json().at("data").as_array();
        if (deliveries.empty()) return false;
        delivery_id = std::to_string(deliveries[0].at("id").to_number<int64_t>());
        return true;
      },
      5s));
  // A path of tenant A's objects: its {id} and, for a conversation's message or an endpoint's delivery, the
  // {message_id} or {delivery_id} of one of them.
  auto concrete_path = [&message_id, &delivery_id](std::string path, int64_t id) {
    if (size_t brace = path.find("{id}"); brace != std::string::npos) path.replace(brace, 4, std::to_string(id));
    if (size_t brace = path.find("{message_id}"); brace != std::string::npos) path.replace(brace, 12, message_id);
    if (size_t brace = path.find("{delivery_id}"); brace != std::string::npos) path.replace(brace, 13, delivery_id);
    return path;
  };

  std::map<std::string, int64_t> ids{
      {"/api/conversations/", conversation},
      {"/api/support/", support},
      {"/api/faq-qa/", faq.Json().at("id").to_number<int64_t>()},
      {"/api/knowledge-documents/", document.Json().at("id").to_number<int64_t>()},
      {"/api/users/", user.Json().at("id").to_number<int64_t>()},
      {"/api/api-keys/", key.Json().at("id").to_number<int64_t>()},
      {"/api/social-accounts/", channel_id},
      {"/api/canned-replies/", canned.Json().at("id").to_number<int64_t>()},
      {"/api/contacts/", contact},
      {"/api/invitations/", invitation.Json().at("id").to_number<int64_t>()},
      {"/api/webhook-endpoints/", endpoint.Json().at("id").to_number<int64_t>()},
  };
  // Bodies that are valid apart from the id, so that only ownership can refuse them.
  std::map<std::string, std::string> bodies{
      {"PUT /api/faq-qa/{id}", R"({"question":"q?","answer":"a"})"},
      {"PATCH /api/users/{id}", R"({"name":"x"})"},
      {"POST /api/conversations/{id}/messages", R"({"text":"hello"})"},
      {"POST /api/conversations/{id}/assign", R"({"user_id":null})"},
      {"PUT /api/conversations/{id}/mode", R"({"mode":"bot"})"},
      {"POST /api/support/{id}/resolve", R"({"hand_back":true})"},
      {"PATCH /api/social-accounts/{id}", R"({"display_name":"x"})"},
      {"PUT /api/social-accounts/{id}", R"({"display_name":"x"})"},
      {"POST /api/conversations/{id}/notes", R"({"text":"a note"})"},
      {"POST /api/conversations/{id}/messages/{message_id}/save-as-qa", R"({"question":"q?"})"},
      {"PUT /api/canned-replies/{id}", R"({"shortcut":"x","text":"y"})"},
      {"PATCH /api/webhook-endpoints/{id}", R"({"description":"x"})"},
  };

  json::value openapi = Call("GET", parley.url("/api/openapi.json")).Json();
  int swept = 0;
  for (const auto& [pattern, item] : openapi.at("paths").as_object()) {
    std::string path(pattern);
    size_t brace = path.find("{id}");
    if (brace == std::string::npos) continue;
    std::string prefix = path.substr(0, brace);
    ASSERT_TRUE(ids.contains(prefix)) << "no object of tenant A for " << path << ": add one to this test";
    std::string concrete = concrete_path(path, ids[prefix]);
    for (const auto& [method, op] : item.as_object()) {
      if (!op.as_object().contains("x-parley-roles")) continue;
      std::string verb(method);
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string route = verb + " " + path;
      std::string body = bodies.contains(route) ? bodies[route] : (verb == "GET" || verb == "DELETE" ? "" : "{}");
      auto answer = as(globex.api_key, verb, concrete, body);
      EXPECT_EQ(answer.status, 404) << route << ": " << answer.body;
      ++swept;
    }
  }
  EXPECT_GE(swept, 20);

  // Every tenant route refuses a missing or unknown token (401), and every route an agent may not call refuses an
  // agent key (403) before doing anything.
  auto agent_key = as(acme.api_key, "POST", "/api/api-keys", R"({"name":"desk","role":"agent"})");
  ASSERT_EQ(agent_key.status, 201) << agent_key.body;
  std::string agent(agent_key.Json().at("key").as_string());
  int refused_to_agents = 0;
  for (const auto& [pattern, item] : openapi.at("paths").as_object()) {
    std::string path(pattern);
    if (size_t brace = path.find("{id}"); brace != std::string::npos) {
      path = concrete_path(path, ids[std::string(pattern).substr(0, brace)]);
    }
    if (size_t brace = path.find("{platform}"); brace != std::string::npos) path.replace(brace, 10, "whatsapp");
    for (const auto& [method, op] : item.as_object()) {
      if (!op.as_object().contains("x-parley-roles")) continue;
      std::string verb(method);
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_EQ(Call(verb, parley.url(path)).status, 401) << verb << " " << path;
      EXPECT_EQ(as("pk_not-a-key", verb, path).status, 401) << verb << " " << path;
      bool agents_allowed = false;
      for (const auto& role : op.at("x-parley-roles").as_array()) agents_allowed |= role == "agent";
      if (!agents_allowed) {
        auto answer = as(agent, verb, path, verb == "GET" || verb == "DELETE" ? "" : "{}");
        EXPECT_EQ(answer.status, 403) << verb << " " << path << ": " << answer.body;
        ++refused_to_agents;
      }
    }
  }
  EXPECT_GE(refused_to_agents, 15);

  // Nothing of A's in B's lists, searches, retrieval or exports.
  for (const char* list :
       {"/api/conversations", "/api/conversations?q=33699988877", "/api/support", "/api/faq-qa",
        "/api/knowledge-documents", "/api/knowledge-bases", "/api/users", "/api/api-keys", "/api/audit-logs",
        "/api/usage", "/api/subscriptions", "/api/social-accounts", "/api/auth/me", "/api/contacts",
        "/api/contacts?q=33699988877", "/api/invitations", "/api/webhook-endpoints"}) {
    auto answer = as(globex.api_key, "GET", list);
    EXPECT_EQ(answer.status, 200) << list << ": " << answer.body;
    for (const char* marker : {kContact, kFaqAnswer, kDocumentName, kUserEmail, kKeyName, kPhoneNumberId}) {
      EXPECT_EQ(answer.body.find(marker), std::string::npos) << list << " shows " << marker;
    }
  }
  auto asked = as(globex.api_key, "POST", "/api/playground/ask", R"({"question":"What is in the recipe?"})").Json();
  EXPECT_EQ(asked.at("answer").as_string().find("saffron"), json::string::npos);
  auto margin =
      as(globex.api_key, "POST", "/api/playground/ask", R"({"question":"What is the wholesale margin?"})").Json();
  EXPECT_TRUE(margin.at("sources").as_array().empty()) << json::serialize(margin);
  auto metrics = Call("GET", parley.url("/metrics"));
  EXPECT_EQ(metrics.body.find("tenant"), std::string::npos);

  // And A still has everything, unchanged.
  auto mine = as(acme.api_key, "GET", "/api/conversations/" + std::to_string(conversation)).Json();
  EXPECT_EQ(mine.at("status"), "open");
  EXPECT_EQ(as(acme.api_key, "GET", "/api/users").body.find(kUserEmail) != std::string::npos, true);
  EXPECT_EQ(graph.sends().size(), 1u);
}

}  // namespace
}  // namespace parley::testing
