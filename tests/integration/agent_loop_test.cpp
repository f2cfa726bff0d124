// The AI agent end to end: the real binary answering webhooks from an ingested document, through the fake Graph
// API, offline (extractive) and with a fake OpenAI-compatible model; hand-off to people; the knowledge API.

#include "fakes/fake_graph.h"
#include "fakes/fake_openai.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-agent-tests";
constexpr const char* kInstagramSecret = "ig-app-secret-agent-tests";
constexpr const char* kPhoneNumberId = "106540352240001";
constexpr const char* kInstagramAccount = "17841405822300001";
constexpr const char* kHandoff = "I'm passing you to a member of our team, who will answer you here shortly.";

constexpr const char* kBakeryGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Saturday we open from 9:00 to 17:00. On Sunday we open from 10:00 to 14:00.

# Delivery
We deliver within 5 km of the shop for 3 euros. Orders above 30 euros are delivered free of charge.

# Refunds
If a cake is damaged, bring it back within 24 hours with the receipt and we refund you in full.
)";

std::string Multipart(const std::string& boundary, const std::string& file_name, const std::string& content,
                      const std::string& knowledge_base = {}) {
  std::string body;
  if (!knowledge_base.empty()) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"knowledge_base\"\r\n\r\n" + knowledge_base +
            "\r\n";
  }
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
          "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
  return body;
}

class AgentLoopTest : public ::testing::Test {
 protected:
  // Starts nothing: each test adds its environment, then calls Boot().
  void Boot(std::map<std::string, std::string> extra = {}, bool start = true) {
    std::map<std::string, std::string> env{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
        {"INSTAGRAM_APP_SECRET", kInstagramSecret},
        {"INSTAGRAM_VERIFY_TOKEN", "ig-verify"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
    };
    for (auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id_, "--phone-number-id", kPhoneNumberId,
                         "--access-token", "EAAG-agent-token"})
                  .exit_code,
              0);
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "instagram", "--tenant", tenant_id_, "--account-id", kInstagramAccount,
                         "--access-token", "IGQ-agent-token"})
                  .exit_code,
              0);
    if (start) parley_->Start();
  }

  // `parley kb add` on the bakery guide; returns its one JSON line.
  json::object AddGuide() {
    std::string path = parley_->data_dir() + "/bakery-guide.md";
    std::ofstream(path) << kBakeryGuide;
    auto added = parley_->Cli({"kb", "add", "--tenant", tenant_id_, path});
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out).as_object();
  }

  HttpResult PostWhatsApp(const std::string& from, const std::string& id, const std::string& text) {
    std::string body = payloads::WhatsAppText(kPhoneNumberId, from, id, text);
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}});
  }
  HttpResult PostInstagram(const std::string& body) {
    return Call("POST", parley_->url("/api/instagram/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kInstagramSecret, body)}});
  }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& content_type = "application/json") {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", content_type}});
  }
  json::object OnlyConversation() {
    auto list = Api("GET", "/api/conversations").Json().at("data").as_array();
    EXPECT_EQ(list.size(), 1u);
    return list.empty() ? json::object{} : list[0].as_object();
  }
  std::string SentText(size_t index) {
    auto sends = graph_.sends();
    if (index >= sends.size()) return {};
    const auto& body = sends[index].body.as_object();
    // WhatsApp: {"text":{"body"}}; Instagram: {"message":{"text"}}.
    const auto& text = body.contains("text") ? body.at("text").at("body") : body.at("message").at("text");
    return std::string(text.as_string());
  }

  FakeGraph graph_;
  FakeOpenAi model_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
};

TEST_F(AgentLoopTest, OfflineAnswerFromAnIngestedDocumentCitesIt) {
  Boot({}, /*start=*/false);
  // The CLI works without a server on the same data directory.
  auto added = AddGuide();
  EXPECT_EQ(added.at("name"), "bakery-guide.md");
  EXPECT_EQ(added.at("status"), "ready");
  EXPECT_EQ(added.at("chunks").to_number<int64_t>(), 3);
  EXPECT_TRUE(added.at("error").is_null());
  parley_->Start();

  ASSERT_EQ(PostWhatsApp("33612345678", "wamid.q1", "What time do you open on Sunday?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  EXPECT_NE(SentText(0).find("On Sunday we open from 10:00 to 14:00."), std::string::npos) << SentText(0);

  auto conversation = OnlyConversation();
  EXPECT_EQ(conversation.at("mode"), "bot");
  auto traces =
      Api("GET", "/api/conversations/" + std::to_string(conversation.at("id").to_number<int64_t>()) + "/traces")
          .Json()
          .at("data")
          .as_array();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].at("decision"), "AUTO_REPLY");
  EXPECT_EQ(traces[0].at("reason"), "answered");
  const auto& detail = traces[0].at("detail").as_object();
  ASSERT_FALSE(detail.at("sources").as_array().empty());
  EXPECT_EQ(detail.at("sources").as_array()[0].at("name"), "bakery-guide.md");
  std::vector<std::string> stages;
  for (const auto& stage : detail.at("trace").as_array()) stages.emplace_back(stage.at("stage").as_string());
  EXPECT_EQ(stages, (std::vector<std::string>{"triage", "check_faq", "retrieve", "generate", "validate"}));
}

TEST_F(AgentLoopTest, ModelGetsThePassagesAndTheHistory) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()},
        {"PARLEY_LLM_API_KEY", "sk-test-key-0123456789abcdef"},
        {"PARLEY_LLM_MODEL", "gpt-test"}});
  AddGuide();
  model_.set_reply(FakeOpenAi::Answering("On Sunday we open from 10:00 to 14:00."));

  ASSERT_EQ(PostWhatsApp("33600000001", "wamid.h1", "Hello").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(0), "Hello! How can I help you?");
  EXPECT_TRUE(model_.requests().empty());  // A greeting needs no model.

  ASSERT_EQ(PostWhatsApp("33600000001", "wamid.h2", "When can I come on Sunday?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(1), "On Sunday we open from 10:00 to 14:00.");

  auto requests = model_.requests();
  ASSERT_EQ(requests.size(), 2u);  // The triage, then the answer.
  EXPECT_EQ(requests[0].body.at("response_format").at("json_schema").at("name"), "triage");
  EXPECT_EQ(requests[1].path, "/v1/chat/completions");
  EXPECT_EQ(requests[1].authorization, "Bearer sk-test-key-0123456789abcdef");
  const auto& body = requests[1].body.as_object();
  EXPECT_EQ(body.at("model"), "gpt-test");
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].at("role"), "system");
  EXPECT_NE(messages[0].at("content").as_string().find("On Sunday we open from 10:00 to 14:00."), json::string::npos);
  EXPECT_EQ(messages[1].at("role"), "user");
  EXPECT_EQ(messages[1].at("content"), "Hello");
  EXPECT_EQ(messages[2].at("role"), "assistant");
  EXPECT_EQ(messages[2].at("content"), "Hello! How can I help you?");
  EXPECT_EQ(messages[3].at("role"), "user");
  EXPECT_EQ(messages[3].at("content"), "When can I come on Sunday?");
  // The key reaches the model and nothing else.
  EXPECT_EQ(parley_->logs().find("sk-test-key-0123456789abcdef"), std::string::npos);
}

TEST_F(AgentLoopTest, TheModelIsAskedWhileTheTypingIndicatorIsStillOnItsWay) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()}});
  AddGuide();
  model_.set_reply(FakeOpenAi::Answering("On Sunday we open from 10:00 to 14:00."));
  graph_.set_indicator_delay(1500ms);
  ASSERT_EQ(PostWhatsApp("33600000009", "wamid.t1", "When can I come on Sunday?").status, 200);
  ASSERT_TRUE(Eventually([&] { return !graph_.requests().empty(); }, 5s)) << parley_->logs();
  // Meta has not answered the read receipt yet, and the model is already at work.
  EXPECT_TRUE(Eventually([&] { return !model_.requests().empty(); }, 1s)) << parley_->logs();
  EXPECT_TRUE(graph_.sends().empty());
  // The reply goes out after the indicator, never before it.
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(0), "On Sunday we open from 10:00 to 14:00.");
  auto requests = graph_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].body.at("type"), "text");
}

TEST_F(AgentLoopTest, FailingModelEscalatesAndHumanModeSilencesTheBotUntilHandedBack) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()}});
  AddGuide();
  model_.FailNext(6, 500);

  ASSERT_EQ(PostWhatsApp("33600000002", "wamid.f1", "Do you deliver to my street?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << parley_->logs();
  EXPECT_EQ(SentText(0), kHandoff);
  // The client's three attempts at the triage (then triaged offline) and at the answer, then escalation: never
  // silence.
  EXPECT_EQ(model_.requests().size(), 6u);
  auto conversation = OnlyConversation();
  EXPECT_EQ(conversation.at("mode"), "human");
  EXPECT_EQ(conversation.at("handoff_reason"), "model_failed");
  EXPECT_FALSE(conversation.at("human_until").is_null());

  // A person is in charge now: the next message is stored, not answered by the bot.
  ASSERT_EQ(PostWhatsApp("33600000002", "wamid.f2", "Hello? Anyone?").status, 200);
  std::this_thread::sleep_for(1200ms);  // Four debounce windows.
  EXPECT_EQ(graph_.sends().size(), 1u);

  // Handed back: the bot answers again.
  std::string id = std::to_string(conversation.at("id").to_number<int64_t>());
  auto handed_back = Api("PUT", "/api/conversations/" + id + "/mode", R"({"mode":"bot"})");
  ASSERT_EQ(handed_back.status, 200) << handed_back.body;
  EXPECT_EQ(handed_back.Json().at("mode"), "bot");
  model_.set_reply(FakeOpenAi::Answering("We deliver within 5 km of the shop for 3 euros."));
  ASSERT_EQ(PostWhatsApp("33600000002", "wamid.f3", "Do you deliver?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(1), "We deliver within 5 km of the shop for 3 euros.");
}

TEST_F(AgentLoopTest, AskingForAPersonHandsOffWithoutCallingTheModel) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()}});
  ASSERT_EQ(PostWhatsApp("33600000003", "wamid.p1", "I want to talk to a real person please").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(0), kHandoff);
  EXPECT_TRUE(model_.requests().empty());
  auto conversation = OnlyConversation();
  EXPECT_EQ(conversation.at("mode"), "human");
  EXPECT_EQ(conversation.at("handoff_reason"), "human_requested");
}

TEST_F(AgentLoopTest, NothingRelevantEscalatesInsteadOfGuessing) {
  Boot();
  AddGuide();
  ASSERT_EQ(PostWhatsApp("33600000004", "wamid.n1", "Do you repair motorbikes?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  EXPECT_EQ(SentText(0), "Sorry, I don't have that information. A member of our team will get back to you.");
  EXPECT_EQ(OnlyConversation().at("handoff_reason"), "low_relevance");
}

TEST_F(AgentLoopTest, APersonWritingFromInstagramTakesTheConversationOver) {
  Boot();
  AddGuide();
  const std::string customer = "1254459154600001";
  ASSERT_EQ(PostInstagram(payloads::InstagramText(kInstagramAccount, customer, "aWdfZAG1faWQx", "Hi")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();

  // The echo of Parley's own reply changes nothing; the echo of a message typed in Instagram's app pauses the bot.
  std::string own_id;
  ASSERT_TRUE(Eventually(
      [&] {
        auto id = std::to_string(OnlyConversation().at("id").to_number<int64_t>());
        auto m = Api("GET", "/api/conversations/" + id + "/messages").Json().at("data").as_array();
        if (m.size() != 2 || !m[1].at("platform_message_id").is_string()) return false;
        own_id = std::string(m[1].at("platform_message_id").as_string());
        return !own_id.empty();
      },
      3s));
  ASSERT_EQ(PostInstagram(payloads::InstagramEcho(kInstagramAccount, customer, own_id, SentText(0))).status, 200);
  EXPECT_EQ(OnlyConversation().at("mode"), "bot");
  ASSERT_EQ(
      PostInstagram(payloads::InstagramEcho(kInstagramAccount, customer, "aWdfZAG1faWQyAPP", "I'll check for you!"))
          .status,
      200);
  auto conversation = OnlyConversation();
  EXPECT_EQ(conversation.at("mode"), "human");
  EXPECT_EQ(conversation.at("handoff_reason"), "takeover");

  ASSERT_EQ(PostInstagram(payloads::InstagramText(kInstagramAccount, customer, "aWdfZAG1faWQz", "Thanks, and Sunday?"))
                .status,
            200);
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(graph_.sends().size(), 1u);
  auto id = std::to_string(conversation.at("id").to_number<int64_t>());
  auto thread = Api("GET", "/api/conversations/" + id + "/messages").Json().at("data").as_array();
  ASSERT_EQ(thread.size(), 4u);
  EXPECT_EQ(thread[2].at("direction"), "out");
  EXPECT_EQ(thread[2].at("text"), "I'll check for you!");
}

TEST_F(AgentLoopTest, KnowledgeApiUploadsAsksAndDeletes) {
  Boot();
  auto uploaded = Api("POST", "/api/knowledge-documents", Multipart("XyZ", "guide.md", kBakeryGuide),
                      "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(uploaded.status, 202) << uploaded.body;
  auto document = uploaded.Json().as_object();
  EXPECT_EQ(document.at("name"), "guide.md");
  std::string path = "/api/knowledge-documents/" + std::to_string(document.at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 10s)) << parley_->logs();
  auto ready = Api("GET", path).Json();
  EXPECT_EQ(ready.at("chunks").to_number<int64_t>(), 3);
  EXPECT_EQ(ready.at("progress").to_number<double>(), 1.0);

  auto asked = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?","history":[]})");
  ASSERT_EQ(asked.status, 200) << asked.body;
  auto answer = asked.Json();
  EXPECT_EQ(answer.at("decision"), "AUTO_REPLY");
  EXPECT_NE(answer.at("answer").as_string().find("delivered free of charge"), json::string::npos) << asked.body;
  ASSERT_FALSE(answer.at("sources").as_array().empty());
  const auto& source = answer.at("sources").as_array()[0];
  EXPECT_EQ(source.at("name"), "guide.md");
  EXPECT_EQ(source.at("document_id"), document.at("id"));
  EXPECT_NE(source.at("text").as_string().find("free of charge"), json::string::npos);

  // The CLI answers the same from the same data directory while the server runs.
  auto cli = parley_->Cli({"ask", "--tenant", tenant_id_, "Is delivery free?"});
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_EQ(json::parse(cli.out).at("answer"), answer.at("answer"));

  ASSERT_EQ(Api("DELETE", path).status, 200);
  EXPECT_EQ(Api("GET", path).status, 404);
  auto after = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})").Json();
  EXPECT_EQ(after.at("decision"), "ESCALATE");
  EXPECT_EQ(after.at("reason"), "low_relevance");
}

TEST_F(AgentLoopTest, BadDocumentsFailWithAReasonAndOversizedUploadsAreRefused) {
  // The page is on the loopback fake, which the operator opens to tenants' URLs (tests/integration/outbound_test.cpp
  // shows it refused without).
  Boot({{"PARLEY_MAX_UPLOAD_BYTES", "4096"}, {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"}});
  auto binary = Api("POST", "/api/knowledge-documents", Multipart("b", "tool.exe", "MZ\x90\x00 binary"),
                    "multipart/form-data; boundary=b");
  ASSERT_EQ(binary.status, 202) << binary.body;
  std::string path = "/api/knowledge-documents/" + std::to_string(binary.Json().at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "failed"; }, 10s)) << parley_->logs();
  EXPECT_EQ(Api("GET", path).Json().at("error"), "unsupported file type: tool.exe");

  // A page that cannot be fetched for good (404) is refused with the reason when it is added (it is fetched at once),
  // and nothing is stored for it.
  auto page = Api("POST", "/api/knowledge-documents", R"({"url":")" + graph_.base_url() + R"(/no/such/page.html"})");
  ASSERT_EQ(page.status, 400) << page.body;
  EXPECT_EQ(page.Json().at("error").at("message"), "url: the page answered 404");

  auto big = Api("POST", "/api/knowledge-documents", Multipart("b", "big.txt", std::string(8000, 'a')),
                 "multipart/form-data; boundary=b");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Api("POST", "/api/knowledge-documents", R"({"url":"ftp://example.com/x"})").status, 400);
  EXPECT_EQ(Api("POST", "/api/knowledge-documents", "--b\r\nbroken", "multipart/form-data; boundary=b").status, 400);
  EXPECT_EQ(Api("GET", "/api/knowledge-documents").Json().at("data").as_array().size(), 1u);  // The binary only.
}

TEST_F(AgentLoopTest, ThePlansKnowledgeLimitsRefuseMoreDocumentsWithAClearReason) {
  Boot({}, /*start=*/false);
  ASSERT_EQ(parley_
                ->Cli({"plan", "put", "--name", "tiny", "--display-name", "Tiny", "--max-knowledge-documents", "2",
                       "--max-knowledge-bytes", "1000"})
                .exit_code,
            0);
  ASSERT_EQ(parley_->Cli({"tenant", "plan", "--tenant", tenant_id_, "--plan", "tiny"}).exit_code, 0);
  parley_->Start();
  auto upload = [&](const std::string& name, const std::string& text) {
    return Api("POST", "/api/knowledge-documents", Multipart("b", name, text), "multipart/form-data; boundary=b");
  };
  EXPECT_EQ(upload("a.txt", std::string(600, 'a')).status, 202);
  auto too_big = upload("b.txt", std::string(600, 'b'));
  EXPECT_EQ(too_big.status, 403);
  EXPECT_EQ(too_big.Json().at("error").at("code"), "plan_limit");
  EXPECT_NE(too_big.Json().at("error").at("message").as_string().find("Tiny plan"), json::string::npos);
  EXPECT_EQ(upload("c.txt", "small").status, 202);
  auto too_many = upload("d.txt", "small");
  EXPECT_EQ(too_many.status, 403);
  EXPECT_NE(too_many.Json().at("error").at("message").as_string().find("2 documents"), json::string::npos);
  EXPECT_EQ(Api("GET", "/api/knowledge-documents").Json().at("data").as_array().size(), 2u);
}

TEST_F(AgentLoopTest, RemoteEmbeddingsAndChangingTheEmbedderReembedsInTheBackground) {
  Boot({{"PARLEY_EMBEDDINGS_BASE_URL", model_.base_url()}, {"PARLEY_EMBEDDINGS_MODEL", "embed-test"}});
  auto added = AddGuide();
  ASSERT_EQ(added.at("status"), "ready") << parley_->logs();
  auto requests = model_.requests();
  ASSERT_EQ(requests.size(), 1u);  // Three chunks in one batch.
  EXPECT_EQ(requests[0].path, "/v1/embeddings");
  EXPECT_EQ(requests[0].body.at("model"), "embed-test");
  ASSERT_EQ(requests[0].body.at("input").as_array().size(), 3u);
  EXPECT_NE(requests[0].body.at("input").as_array()[0].as_string().find("Opening hours"), json::string::npos);

  auto asked = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})").Json();
  EXPECT_EQ(asked.at("decision"), "AUTO_REPLY");
  const auto& retrieve = asked.at("trace").as_array()[2].as_object();
  EXPECT_TRUE(retrieve.at("embedder").as_string().starts_with("openai:embed-test@"));
  EXPECT_EQ(model_.requests().size(), 2u);  // The question was embedded by the same model.

  // Back to the built-in embedder: the document is embedded again in the background. Retrieval uses the new
  // embedder at once, so its vector ranking is empty until the chunks are re-embedded.
  ASSERT_EQ(Api("PUT", "/api/ai-settings", R"({"embeddings_base_url":""})").status, 200);
  std::string path = "/api/knowledge-documents/" + std::to_string(added.at("document_id").to_number<int64_t>());
  ASSERT_TRUE(Eventually(
      [&] {
        auto document = Api("GET", path).Json();
        return document.at("status") == "ready" &&
               Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})")
                       .Json()
                       .at("trace")
                       .as_array()[2]
                       .at("questions")
                       .at(0)
                       .at("passages")
                       .as_array()[0]
                       .at("vector_rank")
                       .to_number<int64_t>() > 0;
      },
      10s))
      << parley_->logs();
  auto after = Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})").Json();
  EXPECT_EQ(after.at("trace").as_array()[2].at("embedder"), "builtin-v1-384-english");
  EXPECT_EQ(model_.requests().size(), 2u);
}

TEST_F(AgentLoopTest, AnIngestionCutShortByACrashFinishesAfterTheRestart) {
  Boot({{"PARLEY_EMBEDDINGS_BASE_URL", model_.base_url()}, {"PARLEY_INGEST_LEASE_MS", "1500"}});
  model_.set_delay(2500ms);  // The embeddings call is still in flight when the server dies.
  auto uploaded = Api("POST", "/api/knowledge-documents", Multipart("k", "guide.md", kBakeryGuide),
                      "multipart/form-data; boundary=k");
  ASSERT_EQ(uploaded.status, 202) << uploaded.body;
  std::string path = "/api/knowledge-documents/" + std::to_string(uploaded.Json().at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually(
      [&] { return !model_.requests().empty() || Api("GET", path).Json().at("status") == "processing"; }, 5s));
  parley_->Kill9();

  model_.set_delay(0ms);
  parley_->Start();
  // The dead worker's lease lapses and the restarted server takes the document up again.
  ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 15s)) << parley_->logs();
  auto document = Api("GET", path).Json();
  EXPECT_EQ(document.at("chunks").to_number<int64_t>(), 3);
  EXPECT_EQ(document.at("attempts").to_number<int64_t>(), 2);
  EXPECT_EQ(Api("POST", "/api/playground/ask", R"({"question":"Is delivery free?"})").Json().at("decision"),
            "AUTO_REPLY");
}

TEST_F(AgentLoopTest, QaPairsAnswerFirstAndStayWithTheirTenant) {
  Boot();
  auto created =
      Api("POST", "/api/faq-qa",
          R"({"questions":["Do you have gluten-free bread?","gluten free?"],"answer":"Yes, every Friday."})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto faq = created.Json();
  std::string path = "/api/faq-qa/" + std::to_string(faq.at("id").to_number<int64_t>());
  auto asked = Api("POST", "/api/playground/ask", R"({"question":"GLUTEN-FREE bread??"})").Json();
  EXPECT_EQ(asked.at("decision"), "AUTO_REPLY");
  EXPECT_EQ(asked.at("reason"), "faq");
  EXPECT_EQ(asked.at("answer"), "Yes, every Friday.");

  auto updated = Api("PUT", path, R"({"question":"Gluten-free bread?","answer":"Yes, on Fridays and Saturdays."})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().at("questions").as_array().size(), 1u);
  EXPECT_EQ(Api("POST", "/api/faq-qa", R"({"answer":"no question"})").status, 400);
  EXPECT_EQ(Api("POST", "/api/faq-qa", R"({"question":"q","answer":"a","extra":1})").status, 400);

  // Another tenant sees none of it.
  const std::string other_key = CreateTenant(*parley_, "Other").api_key;
  auto as_other = [&](const std::string& method, const std::string& p, const std::string& body = {}) {
    return Call(method, parley_->url(p), body, {{"Authorization", "Bearer " + other_key}});
  };
  EXPECT_EQ(as_other("GET", path).status, 404);
  EXPECT_EQ(as_other("PUT", path, R"({"question":"x","answer":"y"})").status, 404);
  EXPECT_EQ(as_other("DELETE", path).status, 404);
  EXPECT_TRUE(as_other("GET", "/api/faq-qa").Json().at("data").as_array().empty());
  EXPECT_EQ(as_other("POST", "/api/playground/ask", R"({"question":"Gluten-free bread?"})").Json().at("reason"),
            "low_relevance");

  ASSERT_EQ(Api("DELETE", path).status, 200);
  EXPECT_EQ(Api("GET", path).status, 404);
}

TEST_F(AgentLoopTest, AiSettingsValidateAndNeverShowKeys) {
  Boot();
  auto defaults = Api("GET", "/api/ai-settings").Json();
  EXPECT_EQ(defaults.at("enabled"), true);
  EXPECT_EQ(defaults.at("llm_api_key_set"), false);

  auto put =
      Api("PUT", "/api/ai-settings",
          R"({"persona":"You are Crumb's assistant.","min_relevance":0.5,"llm_api_key":"sk-secret-abcdefghijkl"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("sk-secret"), std::string::npos);
  auto now = Api("GET", "/api/ai-settings").Json();
  EXPECT_EQ(now.at("persona"), "You are Crumb's assistant.");
  EXPECT_EQ(now.at("min_relevance").to_number<double>(), 0.5);
  EXPECT_EQ(now.at("llm_api_key_set"), true);

  auto bad = Api("PUT", "/api/ai-settings", R"({"temperature":7})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("temperature"), std::string::npos);
  EXPECT_EQ(Api("PUT", "/api/ai-settings", R"({"colour":"blue"})").status, 400);
  EXPECT_EQ(Call("GET", parley_->url("/api/ai-settings")).status, 401);

  // Switched off, the assistant leaves every conversation to people.
  ASSERT_EQ(Api("PUT", "/api/ai-settings", R"({"enabled":false})").status, 200);
  ASSERT_EQ(PostWhatsApp("33600000009", "wamid.off1", "Are you open today?").status, 200);
  ASSERT_TRUE(Eventually([&] { return OnlyConversation().at("mode") == "human"; }, 5s)) << parley_->logs();
  EXPECT_EQ(OnlyConversation().at("handoff_reason"), "assistant_disabled");
  EXPECT_TRUE(graph_.sends().empty());
}

}  // namespace
}  // namespace parley::testing
