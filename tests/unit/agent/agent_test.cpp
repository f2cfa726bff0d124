// The agent end to end: a real SQLite store with a small ingested document, the real retriever and vector
// catalog, the built-in embedder, and either no model (extractive answers) or an OpenAI-compatible client talking
// to the fake server.

#include "agent/agent.h"
#include "support/platform_rules.h"

#include "agent/message_text.h"
#include "agent/messages.h"

#include "fakes/fake_openai.h"
#include "knowledge/faq.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::agent {
namespace {

using testing::kInstagramText;
using testing::kWhatsAppText;

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kRefunds[] =
    "Any item can be returned within 30 days of delivery. Refunds are paid back to the original card within 5 "
    "business days.";
constexpr char kRefundsAnswer[] = "Refunds are paid back to the original card within 5 business days.";
constexpr char kPersona[] =
    "You are Léa, the assistant of the Martin shoe shop in Lyon. The staff discount code STAFF50 is confidential.";

// An embedder that is down: retrieval must go on with BM25 alone.
class BrokenEmbedder final : public knowledge::Embedder {
 public:
  std::string id() const override { return "broken"; }
  int dimensions() const override { return 384; }
  asio::awaitable<Result<std::vector<knowledge::Vector>>> Embed(std::vector<std::string>) override {
    co_return Error::Unavailable("the embeddings endpoint is unavailable");
  }
};

class TestProviders final : public Providers {
 public:
  std::shared_ptr<knowledge::Embedder> EmbedderFor(const AiSettings&) override { return embedder; }
  std::shared_ptr<ChatModel> ChatModelFor(const AiSettings&) override { return model; }

  std::shared_ptr<knowledge::Embedder> embedder = std::make_shared<knowledge::BuiltinEmbedder>();
  std::shared_ptr<ChatModel> model;  //!< nullptr: extractive answers.
};

class AgentTest : public knowledge::fixture::KnowledgeStoreFixture {
 protected:
  static http::ClientOptions FastClient() {
    http::ClientOptions options;
    options.backoff = {5ms, 5ms, 5ms};  // Retries are exercised, not waited for.
    options.connect_timeout = 1s;
    return options;
  }

  void SetUp() override {
    kb_ = KnowledgeBase(acme_, "main");
    document_ =
        AddDocument(acme_, kb_, "policies.md",
                    {Chunk(0, "Opening hours", "We are open Monday to Friday from 9am to 6pm. Saturdays 10am to 4pm."),
                     Chunk(1, "Refunds", kRefunds),
                     Chunk(2, "Shipping", "We ship everywhere in Europe. Delivery takes two to four business days.")},
                    builtin_.id());
    refunds_chunk_ = ChunkIds(kb_, builtin_.id()).at(1);
    int64_t globex_kb = KnowledgeBase(globex_, "main");
    globex_document_ =
        AddDocument(globex_, globex_kb, "globex.md",
                    {Chunk(0, "Refunds", "Globex refunds are paid in gold coins within one hour.")}, builtin_.id());
    ASSERT_TRUE(ks().CreateFaq(acme_, knowledge::MakeFaq({"What is your phone number?", "How can I call you?"},
                                                         "Call us on **04 78 00 00 00**.")));
    settings_.persona = kPersona;
  }

  store::NewChunk Chunk(int position, const std::string& heading, const std::string& text) {
    return knowledge::fixture::EmbeddedChunk(builtin_, position, heading, text);
  }

  void UseModel() {
    OpenAiOptions options;
    options.base_url = fake_.base_url();
    options.api_key = "sk-test";
    options.model = "gpt-test";
    options.timeout = 2s;
    providers_.model = std::make_shared<OpenAiChatModel>(client_, options);
  }

  // The name of the JSON schema a chat request asks for ("triage", "grounded_answer"), "" for none.
  static std::string SchemaName(const json::value& request) {
    const auto* format = request.as_object().if_contains("response_format");
    if (format == nullptr) return "";
    return std::string(format->at("json_schema").at("name").as_string());
  }

  // The number NumberedPassages gave the passage headed `heading` in the request's system message.
  static int PassageNumber(const json::value& request, const std::string& heading) {
    std::string system(request.at("messages").at(0).at("content").as_string());
    size_t at = system.find("] (policies.md › " + heading + ")");
    if (at == std::string::npos) return 0;
    return std::stoi(system.substr(system.rfind('[', at) + 1));
  }

  // A grounded answer citing `ids`, or declining when `answer` is null.
  static std::string Grounded(std::optional<std::string> answer, std::vector<int> ids) {
    json::object reply{{"answer", answer ? json::value(*answer) : json::value(nullptr)}};
    json::array cited;
    for (int id : ids) cited.push_back(id);
    reply["passage_ids"] = std::move(cited);
    return json::serialize(reply);
  }

  // A model that triages every burst as one question in English and answers as `answer` says.
  void ScriptModel(std::function<std::string(const json::value&)> answer) {
    UseModel();
    fake_.set_reply([answer = std::move(answer)](const json::value& request) {
      if (SchemaName(request) != "triage") return answer(request);
      // The burst, as the triage request quotes it: between "<<<" and ">>>" lines.
      std::string quoted(request.at("messages").as_array().back().at("content").as_string());
      size_t begin = quoted.find("<<<\n") + 4;
      std::string burst = quoted.substr(begin, quoted.find("\n>>>", begin) - begin);
      json::object triage{{"decision", "AUTO_REPLY"},
                          {"reason", "question"},
                          {"priority", "normal"},
                          {"language", "en"},
                          {"questions", json::array{json::string(burst)}}};
      return json::serialize(triage);
    });
  }

  // The requests that asked for an answer (not a triage).
  std::vector<testing::FakeOpenAi::Request> AnswerRequests() {
    std::vector<testing::FakeOpenAi::Request> answers;
    for (auto& request : fake_.requests()) {
      if (SchemaName(request.body) == "grounded_answer") answers.push_back(std::move(request));
    }
    return answers;
  }

  AgentAnswer Ask(const std::string& question, std::vector<Turn> history = {}, TextRules text = kWhatsAppText) {
    AgentRequest request;
    request.tenant_id = acme_;
    request.text = text;
    request.question = question;
    request.history = std::move(history);
    std::future<Result<AgentAnswer>> future = asio::co_spawn(io_, agent_.Answer(request, settings_), asio::use_future);
    io_.restart();
    io_.run();
    Result<AgentAnswer> answer = future.get();
    EXPECT_TRUE(answer) << answer.error().detail;
    return answer ? std::move(*answer) : AgentAnswer{};
  }

  // The trace's stage names, in order.
  static std::vector<std::string> Stages(const AgentAnswer& answer) {
    std::vector<std::string> stages;
    for (const auto& entry : answer.trace) stages.emplace_back(entry.at("stage").as_string());
    return stages;
  }

  static const json::object& Stage(const AgentAnswer& answer, std::string_view name) {
    for (const auto& entry : answer.trace) {
      if (entry.at("stage").as_string() == name) return entry.as_object();
    }
    static const json::object kNone;
    ADD_FAILURE() << "no stage " << name;
    return kNone;
  }

  testing::FakeOpenAi fake_;
  asio::io_context io_;
  http::Client client_{io_.get_executor(), FastClient()};
  BlockingPool pool_{2};
  knowledge::BuiltinEmbedder builtin_;
  knowledge::KnowledgeIndexes indexes_{ks(), ""};
  knowledge::Retriever retriever_{ks(), indexes_};
  TestProviders providers_;
  Agent agent_{ks(), retriever_, providers_, pool_, nullptr};
  AiSettings settings_;
  int64_t kb_ = 0;
  int64_t document_ = 0;
  int64_t refunds_chunk_ = 0;
  int64_t globex_document_ = 0;
};

TEST_F(AgentTest, IgnoresThanks) {
  AgentAnswer answer = Ask("Thanks a lot!");
  EXPECT_EQ(answer.decision, Decision::kIgnore);
  EXPECT_EQ(ToString(answer.reason), "acknowledgement");
  EXPECT_EQ(answer.answer, "");
  EXPECT_TRUE(answer.parts.empty());
  EXPECT_TRUE(answer.sources.empty());
  EXPECT_EQ(Stages(answer), std::vector<std::string>{"triage"});
  EXPECT_EQ(Stage(answer, "triage").at("decision"), "IGNORE");
  EXPECT_TRUE(Stage(answer, "triage").at("us").is_int64());
}

TEST_F(AgentTest, EscalatesWithTheHandOffMessageWhenAskedForAPerson) {
  AgentAnswer answer = Ask("I want to talk to a human");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "human_requested");
  EXPECT_EQ(answer.answer, settings_.handoff_message);
  EXPECT_EQ(answer.parts, std::vector<std::string>{settings_.handoff_message});
  EXPECT_EQ(Stages(answer), std::vector<std::string>{"triage"});
}

TEST_F(AgentTest, AnswersABareGreetingWithTheGreetingMessage) {
  settings_.greeting_message = "Hello from Martin shoes! How can I help?";
  AgentAnswer answer = Ask("Hello");
  EXPECT_EQ(answer.decision, Decision::kGreeting);
  EXPECT_EQ(ToString(answer.reason), "greeting");
  EXPECT_EQ(answer.parts, std::vector<std::string>{"Hello from Martin shoes! How can I help?"});
}

TEST_F(AgentTest, AnswersFromTheFaqWhenAPairsQuestionMatches) {
  ScriptModel([](const json::value&) { return std::string("not asked"); });  // Triages; the Q&A pair answers.
  for (const char* question : {"What is your phone number?", "phone number??", "How can I CALL you"}) {
    AgentAnswer answer = Ask(question);
    EXPECT_EQ(answer.decision, Decision::kAutoReply) << question;
    EXPECT_EQ(ToString(answer.reason), "faq") << question;
    EXPECT_EQ(answer.answer, "Call us on *04 78 00 00 00*.") << question;  // WhatsApp's bold.
    ASSERT_EQ(answer.sources.size(), 1u);
    EXPECT_EQ(answer.sources[0].name, "Q&A");
    EXPECT_EQ(answer.sources[0].text, "Call us on **04 78 00 00 00**.");
    EXPECT_GE(answer.sources[0].score, knowledge::FaqMatcherOptions{}.threshold);
    EXPECT_EQ(Stages(answer), (std::vector<std::string>{"triage", "check_faq"}));
    EXPECT_TRUE(Stage(answer, "check_faq").at("matches").at(0).at("faq_id").is_int64());
  }
  EXPECT_EQ(Ask("phone number", {}, kInstagramText).answer, "Call us on 04 78 00 00 00.");
  EXPECT_TRUE(AnswerRequests().empty());
}

TEST_F(AgentTest, AnswersExtractivelyFromTheBestPassageWithoutAModel) {
  AgentAnswer answer = Ask("How do refunds work?");
  EXPECT_EQ(answer.decision, Decision::kAutoReply);
  EXPECT_EQ(ToString(answer.reason), "answered");
  EXPECT_EQ(answer.answer, kRefundsAnswer);
  EXPECT_EQ(answer.parts, std::vector<std::string>{kRefundsAnswer});
  ASSERT_FALSE(answer.sources.empty());
  const Source& source = answer.sources[0];
  EXPECT_EQ(source.document_id, document_);
  EXPECT_EQ(source.name, "policies.md");
  EXPECT_EQ(source.chunk_id, refunds_chunk_);
  EXPECT_EQ(source.text, kRefunds);
  EXPECT_GE(source.score, 0.5);  // At least half of {refund, work}.
  for (const auto& s : answer.sources) {
    EXPECT_GE(s.score, settings_.min_relevance);
    EXPECT_NE(s.document_id, globex_document_);
  }

  // One timed entry per stage that ran.
  EXPECT_EQ(Stages(answer), (std::vector<std::string>{"triage", "check_faq", "retrieve", "generate", "validate"}));
  for (const auto& entry : answer.trace) {
    ASSERT_TRUE(entry.as_object().contains("us")) << json::serialize(entry);
    EXPECT_GE(entry.at("us").to_number<int64_t>(), 0);
  }
  EXPECT_TRUE(Stage(answer, "check_faq").at("matches").at(0).at("faq_id").is_null());
  const json::object& retrieve = Stage(answer, "retrieve");
  EXPECT_EQ(retrieve.at("embedder").as_string(), builtin_.id());
  EXPECT_GE(retrieve.at("questions").at(0).at("best_relevance").as_double(), 0.5);
  EXPECT_EQ(retrieve.at("questions").at(0).at("passages").at(0).at("chunk_id"), refunds_chunk_);
  EXPECT_EQ(Stage(answer, "generate").at("mode"), "extractive");
  EXPECT_EQ(Stage(answer, "generate").at("questions").at(0).at("chunk_id"), refunds_chunk_);
  EXPECT_EQ(Stage(answer, "validate").at("leak"), false);
  EXPECT_EQ(Stage(answer, "validate").at("parts"), 1);
}

TEST_F(AgentTest, AQuoteIsChosenWithTheQuestionsWordsAsSpellingCorrectedThem) {
  // "saturdys" is corrected to "saturday": the Saturday sentence is quoted, not the weekdays' hours.
  AgentAnswer answer = Ask("are u open on saturdys");
  EXPECT_EQ(answer.decision, Decision::kAutoReply);
  EXPECT_EQ(answer.answer, "Saturdays 10am to 4pm.");
  EXPECT_EQ(Stage(answer, "retrieve").at("questions").at(0).at("corrections"), json::array{"saturdays"});
}

TEST_F(AgentTest, EscalatesWithTheFallbackWhenNothingAnswers) {
  AgentAnswer answer = Ask("Do you sell bicycles?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "low_relevance");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kFallback, "en"));
  EXPECT_TRUE(answer.sources.empty());
  EXPECT_EQ(Stages(answer), (std::vector<std::string>{"triage", "check_faq", "retrieve", "generate"}));

  // With a model, the best passages go to it, and it declines.
  ScriptModel(testing::FakeOpenAi::AnswerFromPassages());
  answer = Ask("Do you sell bicycles?");
  EXPECT_EQ(ToString(answer.reason), "low_relevance");
  EXPECT_EQ(Stage(answer, "validate").at("grounding"), "no_answer");
  EXPECT_EQ(AnswerRequests().size(), 1u);

  // Knowledge outside the assistant's knowledge bases does not count either.
  settings_.knowledge_base_ids = {KnowledgeBase(acme_, "empty")};
  EXPECT_EQ(ToString(Ask("How do refunds work?").reason), "low_relevance");
}

TEST_F(AgentTest, TheModelAnswersFromThePassagesAndTheHistory) {
  ScriptModel([](const json::value& request) { return Grounded(kRefundsAnswer, {PassageNumber(request, "Refunds")}); });
  std::vector<Turn> history = {{"user", "Hi"},
                               {"assistant", "Hello! How can I help you?"},
                               {"user", "I bought shoes last week"},
                               {"assistant", "Great, what would you like to know?"}};
  settings_.history_turns = 3;
  AgentAnswer answer = Ask("How do refunds work?", history);
  EXPECT_EQ(answer.decision, Decision::kAutoReply);
  EXPECT_EQ(ToString(answer.reason), "answered");
  EXPECT_EQ(answer.answer, kRefundsAnswer);
  // Both calls count: the triage's and the answer's.
  EXPECT_GT(answer.prompt_tokens, 0);
  EXPECT_GT(answer.completion_tokens, testing::FakeOpenAi::TokensFor(Grounded(kRefundsAnswer, {1})));
  ASSERT_EQ(answer.sources.size(), 1u);  // The passage it cites.
  EXPECT_EQ(answer.sources[0].chunk_id, refunds_chunk_);

  auto requests = AnswerRequests();
  ASSERT_EQ(requests.size(), 1u);
  const json::array& messages = requests[0].body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 5u);  // System, the last 3 turns, the question.
  EXPECT_EQ(messages[0].at("role"), "system");
  std::string system(messages[0].at("content").as_string());
  EXPECT_NE(system.find(kPersona), std::string::npos);
  EXPECT_NE(system.find("(policies.md › Refunds) " + std::string(kRefunds)), std::string::npos) << system;
  EXPECT_EQ(system.find("gold coins"), std::string::npos);  // Another tenant's knowledge never reaches the model.
  EXPECT_EQ(messages[1], json::parse(R"({"role": "assistant", "content": "Hello! How can I help you?"})"));
  EXPECT_EQ(messages[2], json::parse(R"({"role": "user", "content": "I bought shoes last week"})"));
  EXPECT_EQ(messages[3], json::parse(R"({"role": "assistant", "content": "Great, what would you like to know?"})"));
  EXPECT_EQ(messages[4], json::parse(R"({"role": "user", "content": "How do refunds work?"})"));
  EXPECT_DOUBLE_EQ(requests[0].body.at("temperature").as_double(), settings_.temperature);
  EXPECT_EQ(requests[0].body.at("max_tokens"), settings_.max_tokens);

  const json::object& generate = Stage(answer, "generate");
  EXPECT_EQ(generate.at("mode"), "model");
  EXPECT_EQ(generate.at("model"), "openai:gpt-test");
  EXPECT_EQ(generate.at("finish_reason"), "stop");
  EXPECT_EQ(Stage(answer, "validate").at("grounding"), "supported");
  EXPECT_EQ(Stages(answer), (std::vector<std::string>{"triage", "check_faq", "retrieve", "generate", "validate"}));
}

TEST_F(AgentTest, TheModelsMarkdownIsFittedToThePlatform) {
  ScriptModel([](const json::value& request) {
    return Grounded("**Refunds** are paid back to the original card within 5 business days.",
                    {PassageNumber(request, "Refunds")});
  });
  EXPECT_EQ(Ask("How do refunds work?", {}, kInstagramText).answer, kRefundsAnswer);
  EXPECT_EQ(Ask("How do refunds work?", {}, kWhatsAppText).answer,
            "*Refunds* are paid back to the original card within 5 business days.");
}

TEST_F(AgentTest, EscalatesWhenTheModelHasNoAnswer) {
  ScriptModel([](const json::value&) { return Grounded(std::nullopt, {}); });
  AgentAnswer answer = Ask("How do refunds work?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "low_relevance");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kFallback, "en"));
  EXPECT_EQ(Stages(answer), (std::vector<std::string>{"triage", "check_faq", "retrieve", "generate", "validate"}));
  // The person who takes over is offered the passage that came closest.
  ASSERT_TRUE(answer.draft);
  EXPECT_EQ(answer.draft->text, kRefundsAnswer);
  EXPECT_EQ(answer.draft->sources.at(0).chunk_id, refunds_chunk_);
}

TEST_F(AgentTest, EscalatesWhenTheModelKeepsFailing) {
  UseModel();
  fake_.FailNext(6, 500);
  AgentAnswer answer = Ask("How do refunds work?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "model_failed");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kHandoff, "en"));
  EXPECT_EQ(fake_.requests().size(), 6u);  // Triage and answer, each retried by the client before it gave up.
  EXPECT_TRUE(Stage(answer, "triage").contains("model_error"));  // Triaged offline instead.
  const json::object& generate = Stage(answer, "generate");
  EXPECT_TRUE(generate.contains("error"));
  EXPECT_TRUE(generate.contains("us"));
}

TEST_F(AgentTest, RefusesAnAnswerThePassagesDoNotSupport) {
  ScriptModel([](const json::value& request) {
    return Grounded("Refunds take 2 business days, and our manager Paul pays them.",
                    {PassageNumber(request, "Refunds")});
  });
  AgentAnswer answer = Ask("How do refunds work?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "unsupported_answer");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kFallback, "en"));
  const json::object& validate = Stage(answer, "validate");
  EXPECT_EQ(validate.at("grounding"), "unsupported_fact");
  std::vector<std::string> unsupported;
  for (const auto& fact : validate.at("unsupported_facts").as_array()) {
    unsupported.emplace_back(fact.at("text").as_string());
  }
  EXPECT_EQ(unsupported, (std::vector<std::string>{"2", "Paul"}));
  // A person sees what the model proposed, to check before sending.
  ASSERT_TRUE(answer.draft);
  EXPECT_EQ(answer.draft->text, "Refunds take 2 business days, and our manager Paul pays them.");

  // Cited passages the model was never sent, or no citation at all, are refused too.
  ScriptModel([](const json::value&) { return Grounded(kRefundsAnswer, {42}); });
  EXPECT_EQ(ToString(Ask("How do refunds work?").reason), "unsupported_answer");
  ScriptModel([](const json::value&) { return Grounded(kRefundsAnswer, {}); });
  EXPECT_EQ(ToString(Ask("How do refunds work?").reason), "unsupported_answer");
}

TEST_F(AgentTest, RefusesAnAnswerFromAPassageAboutSomethingElseThanWhatTheKnowledgeLacks) {
  // "exchanges" is in no chunk (spelling correction finds no term near it): the shop may not do them, and the refunds
  // passage, which shares only "items", is about something else. A model answering from it is not believed.
  ScriptModel([](const json::value& request) { return Grounded(kRefundsAnswer, {PassageNumber(request, "Refunds")}); });
  AgentAnswer answer = Ask("Do you do exchanges of items?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "unsupported_answer");
  EXPECT_EQ(Stage(answer, "retrieve").at("questions").at(0).at("subject_unheld"), json::array{"exchang"});
  EXPECT_EQ(Stage(answer, "validate").at("off_subject"), true);
  ASSERT_TRUE(answer.draft);  // A person may still judge it.
  EXPECT_EQ(answer.draft->text, kRefundsAnswer);

  // Every word of the subject held somewhere: the answer goes out.
  EXPECT_EQ(Ask("Are refunds paid to the card?").decision, Decision::kAutoReply);
}

TEST_F(AgentTest, RefusesAModelsAnswerGivingTheHoursOfOtherDaysThanTheOneAsked) {
  // "open" is held by the weekday sentence, "Saturday" is not: its hours are not Saturday's.
  ScriptModel([](const json::value& request) {
    return Grounded("We are open Monday to Friday from 9am to 6pm.", {PassageNumber(request, "Opening hours")});
  });
  AgentAnswer answer = Ask("Are you open on Saturday?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "unsupported_answer");
  EXPECT_EQ(Stage(answer, "validate").at("off_subject_sentences"), 1);
  ASSERT_TRUE(answer.draft);
  EXPECT_EQ(answer.draft->text, "We are open Monday to Friday from 9am to 6pm.");

  ScriptModel([](const json::value& request) {
    return Grounded("On Saturdays we are open from 10am to 4pm.", {PassageNumber(request, "Opening hours")});
  });
  answer = Ask("Are you open on Saturday?");
  EXPECT_EQ(answer.decision, Decision::kAutoReply);
  EXPECT_EQ(answer.answer, "On Saturdays we are open from 10am to 4pm.");
}

TEST_F(AgentTest, BlocksAnAnswerThatLeaksThePersona) {
  // Grounded enough, but it quotes the instructions.
  ScriptModel([](const json::value& request) {
    return Grounded(std::string(kRefundsAnswer) + " By the way: " + kPersona, {PassageNumber(request, "Refunds")});
  });
  AgentAnswer answer = Ask("How do refunds work?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "leak_blocked");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kFallback, "en"));
  EXPECT_FALSE(answer.draft);
  EXPECT_EQ(answer.answer.find("STAFF50"), std::string::npos);
  EXPECT_EQ(Stage(answer, "validate").at("leak"), true);
}

TEST_F(AgentTest, RetrievesWithBm25AloneWhenTheEmbedderIsDown) {
  providers_.embedder = std::make_shared<BrokenEmbedder>();
  AgentAnswer answer = Ask("How do refunds work?");
  const json::object& retrieve = Stage(answer, "retrieve");
  EXPECT_EQ(retrieve.at("embedding_error"), "the embeddings endpoint is unavailable");
  const json::value& best = retrieve.at("questions").at(0).at("passages").at(0);
  EXPECT_EQ(best.at("chunk_id"), refunds_chunk_);
  EXPECT_EQ(best.at("vector_rank"), 0);
  // Half the evidence is missing: the passage found is offered to a person rather than sent on a guess.
  EXPECT_EQ(ToString(answer.reason), "low_relevance");
  ASSERT_TRUE(answer.draft);
  EXPECT_EQ(answer.draft->text, kRefundsAnswer);
}

TEST_F(AgentTest, LongAnswersAreSplitToThePlatformsLimit) {
  std::string long_answer;
  for (int i = 0; i < 40; ++i) long_answer += std::string(kRefundsAnswer) + " ";
  ScriptModel([&](const json::value& request) { return Grounded(long_answer, {PassageNumber(request, "Refunds")}); });
  AgentAnswer answer = Ask("How do refunds work?", {}, kInstagramText);
  EXPECT_EQ(ToString(answer.reason), "answered");
  ASSERT_GT(answer.parts.size(), 2u);
  for (const auto& part : answer.parts) EXPECT_LE(part.size(), kInstagramText.max_length);
  EXPECT_EQ(Stage(answer, "validate").at("parts"), static_cast<int64_t>(answer.parts.size()));
}

TEST_F(AgentTest, ABurstOfSeveralQuestionsIsAnsweredPartByPart) {
  AgentAnswer answer = Ask("How do refunds work?\nHow long does delivery take?");
  EXPECT_EQ(answer.decision, Decision::kAutoReply);
  EXPECT_EQ(ToString(answer.reason), "answered");
  EXPECT_NE(answer.answer.find(kRefundsAnswer), std::string::npos) << answer.answer;
  EXPECT_NE(answer.answer.find("two to four business days"), std::string::npos) << answer.answer;
  EXPECT_EQ(answer.sources.size(), 2u);
  EXPECT_EQ(Stage(answer, "triage").at("questions").as_array().size(), 2u);

  // A part nothing answers goes to a person, after the parts that could be answered.
  answer = Ask("How do refunds work?\nDo you sell bicycles?");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "low_relevance");
  EXPECT_EQ(answer.answer.find(kRefundsAnswer), 0u) << answer.answer;
  ASSERT_TRUE(answer.draft);
}

TEST_F(AgentTest, AnEmergencyGetsTheSafetyMessageAtOnceAndAnUrgentHandOff) {
  AgentAnswer answer = Ask("Quelqu'un est tombé dans votre magasin, il saigne beaucoup et ne répond plus");
  EXPECT_EQ(answer.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(answer.reason), "urgent_safety");
  EXPECT_EQ(answer.priority, Priority::kUrgent);
  EXPECT_EQ(answer.language, "fr");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kSafety, "fr"));
  EXPECT_EQ(Stages(answer), std::vector<std::string>{"triage"});
}

TEST_F(AgentTest, TheBotsOwnMessagesAreInTheCustomersLanguage) {
  EXPECT_EQ(Ask("Bonjour").answer, BotText(settings_, BotMessage::kGreeting, "fr"));
  EXPECT_EQ(Ask("Guten Tag").answer, BotText(settings_, BotMessage::kGreeting, "de"));
  AgentAnswer answer = Ask("Verkaufen Sie auch Fahrräder und Zubehör für Kinder?");
  EXPECT_EQ(answer.language, "de");
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kFallback, "de"));
  // A fixed answer language wins over the customer's.
  settings_.answer_language = "es";
  EXPECT_EQ(Ask("Bonjour").answer, BotText(settings_, BotMessage::kGreeting, "es"));
}

}  // namespace
}  // namespace parley::agent
