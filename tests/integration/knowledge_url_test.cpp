// POST /api/knowledge-documents {"url"} against the real binary: a page served on 127.0.0.1 (opened to tenant URLs by
// PARLEY_OUTBOUND_ALLOW) is fetched, followed through its redirects, ingested and answered from; the same URL again
// replaces the document; pages of other types, errors, redirect loops and addresses the policy refuses are refused
// with the reason, and nothing is stored for them.

#include "integration/harness.h"
#include "integration/local_http.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

// A small web site: /hours (HTML, whose text changes with `version`), /old → /moved → /hours (redirects), /loop
// (redirects to itself), /to-internal (redirects to a loopback address that is not opened), /logo.png (an image) and
// /missing (404).
class Site {
 public:
  Site() {
    auto page = [this](const http::Request&, const http::RouteContext&) -> asio::awaitable<http::Response> {
      http::Response response = http::TextResponse(
          http::Status::ok, version_ == 1 ? "<html><body><h1>Opening hours</h1><p>We open at 9 on Saturday, and we "
                                            "close at 17.</p></body></html>"
                                          : "<html><body><h1>Opening hours</h1><p>We open at 10 on Saturday, and "
                                            "we close at 16.</p></body></html>");
      response.set(boost::beast::http::field::content_type, "text/html; charset=utf-8");
      co_return response;
    };
    auto redirect = [](std::string to) {
      return [to](const http::Request&, const http::RouteContext&) -> asio::awaitable<http::Response> {
        http::Response response = http::TextResponse(http::Status::found, "");
        response.set(boost::beast::http::field::location, to);
        co_return response;
      };
    };
    http::Router& router = server_.router();
    router.Add(http::Verb::get, "/hours", page);
    router.Add(http::Verb::get, "/old", redirect("/moved"));
    router.Add(http::Verb::get, "/moved", redirect("hours"));
    router.Add(http::Verb::get, "/loop", redirect("/loop"));
    router.Add(http::Verb::get, "/to-internal", redirect("http://127.0.0.2/secret"));
    router.Add(http::Verb::get, "/logo.png",
               [](const http::Request&, const http::RouteContext&) -> asio::awaitable<http::Response> {
                 http::Response response = http::TextResponse(http::Status::ok, "\x89PNG");
                 response.set(boost::beast::http::field::content_type, "image/png");
                 co_return response;
               });
    server_.Start();
  }
  std::string url(const std::string& path) const { return server_.url(path); }
  void set_version(int version) { version_ = version; }

 private:
  std::atomic<int> version_{1};
  LocalHttpServer server_;
};

class KnowledgeUrlTest : public ::testing::Test {
 protected:
  void Boot(std::map<std::string, std::string> env) {
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    key_ = tenant.api_key;
    parley_->Start();
  }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}});
  }
  HttpResult AddUrl(const std::string& url) {
    return Api("POST", "/api/knowledge-documents", json::serialize(json::object{{"url", url}}));
  }
  static std::string Message(const HttpResult& result) {
    return std::string(result.Json().at("error").at("message").as_string());
  }
  bool Ready(int64_t id, int version) {
    auto document = Api("GET", "/api/knowledge-documents/" + std::to_string(id)).Json();
    return document.at("status") == "ready" && document.at("version").to_number<int64_t>() == version;
  }
  std::string Ask(const std::string& question) {
    auto answer = Api("POST", "/api/playground/ask", json::serialize(json::object{{"question", question}}));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.body;
  }
  int64_t Documents() {
    return static_cast<int64_t>(Api("GET", "/api/knowledge-documents").Json().at("data").as_array().size());
  }

  Site site_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string key_;
};

TEST_F(KnowledgeUrlTest, APageIsFetchedThroughItsRedirectsIngestedAndReplacedWhenAddedAgain) {
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  auto added = AddUrl(site_.url("/old"));
  ASSERT_EQ(added.status, 202) << added.body;
  json::object document = added.Json().as_object();
  const int64_t id = document.at("id").to_number<int64_t>();
  EXPECT_EQ(document.at("name").as_string(), site_.url("/old"));
  EXPECT_EQ(document.at("source_url").as_string(), site_.url("/hours"));  // Where the redirects ended.
  EXPECT_EQ(document.at("content_type"), "text/html");
  EXPECT_EQ(document.at("replaced"), false);
  ASSERT_TRUE(Eventually([&] { return Ready(id, 1); }, 15s)) << parley_->logs();
  EXPECT_NE(Ask("When do you open on Saturday?").find("open at 9 on Saturday"), std::string::npos);

  // The page changed: adding the same URL again replaces the document, same id, next version.
  site_.set_version(2);
  auto again = AddUrl(site_.url("/old"));
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Json().at("id").to_number<int64_t>(), id);
  EXPECT_EQ(again.Json().at("replaced"), true);
  ASSERT_TRUE(Eventually([&] { return Ready(id, 2); }, 15s)) << parley_->logs();
  const std::string answer = Ask("When do you open on Saturday?");
  EXPECT_NE(answer.find("open at 10 on Saturday"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("open at 9 on Saturday"), std::string::npos) << answer;
  EXPECT_EQ(Documents(), 1);
  auto audit = Api("GET", "/api/audit-logs?action=document.replace");
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);
}

TEST_F(KnowledgeUrlTest, PagesThatCannotBeReadAreRefusedWithTheReasonAndNothingIsStored) {
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  auto image = AddUrl(site_.url("/logo.png"));
  EXPECT_EQ(image.status, 400);
  EXPECT_EQ(Message(image), "url: the page is image/png; HTML, plain text, Markdown or PDF can be added");
  auto missing = AddUrl(site_.url("/missing"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Message(missing), "url: the page answered 404");
  auto loop = AddUrl(site_.url("/loop"));
  EXPECT_EQ(loop.status, 400);
  EXPECT_EQ(Message(loop), "url: the page redirects more than 5 times");
  auto closed = AddUrl("http://127.0.0.1:1/nothing-listens-here");
  EXPECT_EQ(closed.status, 400);
  EXPECT_EQ(Message(closed), "url: the page could not be fetched");
  EXPECT_EQ(AddUrl("ftp://example.com/file").status, 400);
  EXPECT_EQ(Api("POST", "/api/knowledge-documents", R"({"url":"https://example.com","extra":1})").status, 400);
  EXPECT_EQ(Documents(), 0);
}

TEST_F(KnowledgeUrlTest, TheAddressPolicyAppliesToThePageAndToEveryRedirect) {
  Boot({{"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  auto redirected = AddUrl(site_.url("/to-internal"));
  EXPECT_EQ(redirected.status, 400);
  EXPECT_EQ(Message(redirected), "url: 127.0.0.2 (loopback); only public addresses can be reached");
  parley_->Terminate();
  parley_->env().erase("PARLEY_OUTBOUND_ALLOW");  // Loopback closed again: the site is an internal service.
  parley_->Start();
  auto direct = AddUrl(site_.url("/hours"));
  EXPECT_EQ(direct.status, 400);
  EXPECT_EQ(Message(direct), "url: 127.0.0.1 (loopback); only public addresses can be reached");
  EXPECT_EQ(Documents(), 0);
}

}  // namespace
}  // namespace parley::testing
