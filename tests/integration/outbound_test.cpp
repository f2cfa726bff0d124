// URLs a tenant supplies (knowledge pages, its own model endpoints) cannot reach inside the host: the real binary
// refuses them at submission with the reason, a page that cannot be fetched is refused without saying why, and the
// operator opens loopback explicitly with PARLEY_OUTBOUND_ALLOW. Every address aimed at here is a loopback one: a
// build without the policy really connects, and must never connect anywhere else.

#include "fakes/fake_openai.h"
#include "integration/harness.h"
#include "integration/local_http.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include <atomic>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Saturday we open from 9:00 to 17:00.

# Delivery
We deliver within 5 km of the shop for 3 euros. Orders above 30 euros are delivered free of charge.
)";

// A web server on 127.0.0.1 standing for an internal service: /guide.md answers the guide. Counts every request it
// receives.
class PageServer {
 public:
  PageServer() {
    server_.router().Add(http::Verb::get, "/guide.md",
                         [this](const http::Request&, const http::RouteContext&) -> asio::awaitable<http::Response> {
                           ++requests_;
                           co_return http::TextResponse(http::Status::ok, kGuide);
                         });
    server_.Start();
  }

  uint16_t port() const { return server_.port(); }
  std::string url(const std::string& path) const { return server_.url(path); }
  int requests() const { return requests_.load(); }

 private:
  std::atomic<int> requests_{0};
  LocalHttpServer server_;
};

class OutboundTest : public ::testing::Test {
 protected:
  void Boot(std::map<std::string, std::string> env) {
    env.emplace("PARLEY_RESPONDER", "agent");
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    api_key_ = tenant.api_key;
    parley_->Start();
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  }
  HttpResult Upload(const std::string& name, const std::string& content) {
    const std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                             "\"\r\nContent-Type: text/markdown\r\n\r\n" + content + "\r\n--b--\r\n";
    return Call("POST", parley_->url("/api/knowledge-documents"), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "multipart/form-data; boundary=b"}});
  }
  // Uploads the guide and waits until it is searchable.
  void AddGuide() {
    auto created = Upload("guide.md", kGuide);
    ASSERT_EQ(created.status, 202) << created.body;
    const std::string path = DocumentPath(created);
    ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 10s)) << parley_->logs();
  }
  HttpResult AddUrl(const std::string& url) { return Api("POST", "/api/knowledge-documents", SerializeUrl(url)); }
  static std::string SerializeUrl(const std::string& url) { return json::serialize(json::object{{"url", url}}); }
  static std::string Message(const HttpResult& result) {
    return std::string(result.Json().at("error").at("message").as_string());
  }
  std::string DocumentPath(const HttpResult& created) {
    return "/api/knowledge-documents/" + std::to_string(created.Json().at("id").to_number<int64_t>());
  }

  PageServer pages_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string api_key_;
};

TEST_F(OutboundTest, KnowledgeUrlsAtLoopbackAreRefusedAtSubmissionWithTheReason) {
  Boot({});
  const std::string port = std::to_string(pages_.port());
  for (const std::string host : {"127.0.0.1", "[::1]", "0x7f000001", "2130706433", "127.1", "localhost", "0.0.0.0",
                                 "[::ffff:127.0.0.1]", "LOCALHOST"}) {
    auto refused = AddUrl("http://" + host + ":" + port + "/guide.md");
    EXPECT_EQ(refused.status, 400) << host << ": " << refused.body;
    EXPECT_NE(Message(refused).find("only public addresses can be reached"), std::string::npos) << refused.body;
  }
  auto literal = AddUrl(pages_.url("/guide.md"));
  EXPECT_EQ(Message(literal), "url: 127.0.0.1 (loopback); only public addresses can be reached");
  auto named = AddUrl("http://localhost:" + port + "/guide.md");
  EXPECT_EQ(Message(named).rfind("url: localhost resolves to ", 0), 0u) << named.body;

  auto user_info = AddUrl("http://user:pw@127.0.0.1:" + port + "/guide.md");
  EXPECT_EQ(user_info.status, 400);
  EXPECT_EQ(Message(user_info), "url: URLs with user info are not accepted");

  // Parley's own metrics, a page only the operator should read.
  auto metrics = AddUrl(parley_->url("/metrics"));
  EXPECT_EQ(metrics.status, 400) << metrics.body;

  EXPECT_EQ(pages_.requests(), 0);
  EXPECT_TRUE(Api("GET", "/api/knowledge-documents").Json().at("data").as_array().empty());
}

TEST_F(OutboundTest, ATenantsModelEndpointsAtLoopbackAreRefusedButTheOperatorsAreTrusted) {
  FakeOpenAi operator_model;
  FakeOpenAi tenant_model;
  Boot({{"PARLEY_LLM_BASE_URL", operator_model.base_url()}});

  auto llm = Api("PUT", "/api/ai-settings", json::serialize(json::object{{"llm_base_url", tenant_model.base_url()}}));
  EXPECT_EQ(llm.status, 400) << llm.body;
  EXPECT_EQ(Message(llm).rfind("llm_base_url: 127.0.0.1 (loopback)", 0), 0u) << llm.body;
  auto embeddings =
      Api("PUT", "/api/ai-settings", json::serialize(json::object{{"embeddings_base_url", "http://localhost:1/v1"}}));
  EXPECT_EQ(embeddings.status, 400) << embeddings.body;
  EXPECT_EQ(Message(embeddings).rfind("embeddings_base_url: localhost resolves to ", 0), 0u) << embeddings.body;
  // Nothing was stored.
  EXPECT_EQ(Api("GET", "/api/ai-settings").Json().at("llm_base_url").as_string(), operator_model.base_url());

  // The operator's own endpoint, though on loopback, stays usable, and may be set back explicitly.
  auto own = Api("PUT", "/api/ai-settings", json::serialize(json::object{{"llm_base_url", operator_model.base_url()}}));
  EXPECT_EQ(own.status, 200) << own.body;
  AddGuide();
  auto asked = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})");
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(operator_model.requests().size(), 2u) << asked.body;  // The triage, then the answer.
  EXPECT_EQ(tenant_model.requests().size(), 0u);
}

TEST_F(OutboundTest, ATenantModelEndpointStoredBeforeThePolicyIsNeverCalled) {
  FakeOpenAi tenant_model;
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  ASSERT_EQ(
      Api("PUT", "/api/ai-settings", json::serialize(json::object{{"llm_base_url", tenant_model.base_url()}})).status,
      200);
  ASSERT_EQ(parley_->Terminate(), 0);
  parley_->env().erase("PARLEY_OUTBOUND_ALLOW");  // The operator closes loopback again.
  parley_->Start();
  AddGuide();
  // The model call is refused, so the agent escalates as for any model that cannot be reached.
  auto asked = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})");
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(asked.Json().at("decision"), "ESCALATE") << asked.body;
  EXPECT_EQ(asked.Json().at("reason"), "model_failed") << asked.body;
  EXPECT_EQ(tenant_model.requests().size(), 0u);
}

TEST_F(OutboundTest, TheOperatorsAllowListOpensLoopbackToTenantUrls) {
  FakeOpenAi tenant_model;
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1, localhost"}});
  auto created = AddUrl(pages_.url("/guide.md"));
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string path = DocumentPath(created);
  ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 10s)) << parley_->logs();
  EXPECT_EQ(pages_.requests(), 1);
  auto asked = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})").Json();
  EXPECT_EQ(asked.at("decision"), "AUTO_REPLY");

  auto llm = Api("PUT", "/api/ai-settings", json::serialize(json::object{{"llm_base_url", tenant_model.base_url()}}));
  ASSERT_EQ(llm.status, 200) << llm.body;
  auto answered = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})");
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(tenant_model.requests().size(), 2u);  // The triage, then the answer.
}

TEST_F(OutboundTest, AClosedPortIsRefusedAtSubmissionWithoutSayingWhy) {
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  uint16_t closed_port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  // The page is fetched when it is added; a network failure reads the same whatever it was, so that answers cannot
  // map what listens inside the network.
  auto closed = AddUrl("http://127.0.0.1:" + std::to_string(closed_port) + "/guide.md");
  ASSERT_EQ(closed.status, 400) << closed.body;
  EXPECT_EQ(Message(closed), "url: the page could not be fetched");
  EXPECT_TRUE(Api("GET", "/api/knowledge-documents").Json().at("data").as_array().empty());
}

}  // namespace
}  // namespace parley::testing
