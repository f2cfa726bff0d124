// The AI studio's settings as the agent obeys them: the out-of-hours hand-off in the customer's language, and the
// triage options (greetings left unanswered, escalation reasons the bot tries first, never urgent safety).

#include "agent/agent.h"

#include "agent/messages.h"
#include "agent/pipeline.h"
#include "core/decision.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <future>
#include <string>

namespace parley::agent {
namespace {

namespace asio = boost::asio;

// Monday 5 January 2026, 20:00 and 10:00 in Paris (UTC+1).
constexpr int64_t kMondayEvening = 1'767'639'600'000;
constexpr int64_t kMondayMorning = kMondayEvening - 10 * 3600 * 1000;

class OfflineProviders final : public Providers {
 public:
  std::shared_ptr<knowledge::Embedder> EmbedderFor(const AiSettings&) override { return embedder; }
  std::shared_ptr<ChatModel> ChatModelFor(const AiSettings&) override { return nullptr; }
  std::shared_ptr<knowledge::Embedder> embedder = std::make_shared<knowledge::BuiltinEmbedder>();
};

class AiStudioAgentTest : public knowledge::fixture::KnowledgeStoreFixture {
 protected:
  void SetUp() override {
    int64_t kb = KnowledgeBase(acme_, "main");
    AddDocument(acme_, kb, "policies.md",
                {Chunk(0, "Refunds",
                       "Any item can be returned within 30 days of delivery. Refunds are paid back to the original "
                       "card within 5 business days.")},
                builtin_.id());
    // Open on weekdays from 09:00 to 18:00, Paris time.
    auto hours = ParseBusinessHours(boost::json::parse(R"({"enabled": true, "weekly": {
        "monday": [{"open": "09:00", "close": "18:00"}], "tuesday": [{"open": "09:00", "close": "18:00"}]}})"));
    ASSERT_TRUE(hours);
    settings_.business_hours = *hours;
    settings_.time_zone = "Europe/Paris";
  }

  store::NewChunk Chunk(int position, const std::string& heading, const std::string& text) {
    return knowledge::fixture::EmbeddedChunk(builtin_, position, heading, text);
  }

  AgentAnswer Ask(const std::string& question, int64_t at_ms) {
    AgentRequest request;
    request.tenant_id = acme_;
    request.question = question;
    request.at_ms = at_ms;
    std::future<Result<AgentAnswer>> future = asio::co_spawn(io_, agent_.Answer(request, settings_), asio::use_future);
    io_.restart();
    io_.run();
    Result<AgentAnswer> answer = future.get();
    EXPECT_TRUE(answer) << answer.error().detail;
    return answer ? std::move(*answer) : AgentAnswer{};
  }

  asio::io_context io_;
  BlockingPool pool_{2};
  knowledge::BuiltinEmbedder builtin_;
  knowledge::KnowledgeIndexes indexes_{ks(), ""};
  knowledge::Retriever retriever_{ks(), indexes_};
  OfflineProviders providers_;
  Agent agent_{ks(), retriever_, providers_, pool_, nullptr};
  AiSettings settings_;
};

TEST_F(AiStudioAgentTest, OutOfHoursTheHandOffSaysWhenAPersonWillAnswer) {
  AgentAnswer open = Ask("Je voudrais parler à un humain", kMondayMorning);
  EXPECT_EQ(open.decision, Decision::kEscalate);
  EXPECT_EQ(open.answer, BotText(settings_, BotMessage::kHandoff, "fr"));
  EXPECT_EQ(open.trace.at(0).at("stage"), "business_hours");
  EXPECT_EQ(open.trace.at(0).at("open"), true);

  AgentAnswer closed = Ask("Je voudrais parler à un humain", kMondayEvening);
  EXPECT_EQ(closed.decision, Decision::kEscalate);
  EXPECT_EQ(ToString(closed.reason), "human_requested");
  EXPECT_EQ(closed.answer, *BuiltinText(BotMessage::kOutOfHours, "fr"));
  EXPECT_EQ(closed.trace.at(0).at("open"), false);
  EXPECT_EQ(closed.trace.at(0).at("time_zone"), "Europe/Paris");
  // What the knowledge does not answer is handed off the same way, in the customer's language.
  AgentAnswer unknown = Ask("Verkaufen Sie auch Fahrräder und Zubehör für Kinder?", kMondayEvening);
  EXPECT_EQ(unknown.decision, Decision::kEscalate);
  EXPECT_EQ(unknown.answer, *BuiltinText(BotMessage::kOutOfHours, "de"));
  // The tenant's own text for the language wins, as for every bot message.
  settings_.messages["fr"][BotMessage::kOutOfHours] = "Nous sommes fermés, à demain !";
  EXPECT_EQ(Ask("Je voudrais parler à un humain", kMondayEvening).answer, "Nous sommes fermés, à demain !");
}

TEST_F(AiStudioAgentTest, OutOfHoursTheBotStillAnswersWhatItCan) {
  AgentAnswer answer = Ask("How long do refunds take?", kMondayEvening);
  EXPECT_EQ(answer.decision, Decision::kAutoReply) << answer.answer;
  EXPECT_NE(answer.answer.find("5 business days"), std::string::npos) << answer.answer;
  // An emergency gets the safety message at any hour.
  AgentAnswer urgent = Ask("Someone collapsed in your shop and is not breathing", kMondayEvening);
  EXPECT_EQ(ToString(urgent.reason), "urgent_safety");
  EXPECT_EQ(urgent.answer, BotText(settings_, BotMessage::kSafety, "en"));
}

TEST_F(AiStudioAgentTest, HoursOffLeaveTheTraceAsItWas) {
  settings_.business_hours.enabled = false;
  AgentAnswer answer = Ask("I want to talk to a human", kMondayEvening);
  EXPECT_EQ(answer.answer, BotText(settings_, BotMessage::kHandoff, "en"));
  EXPECT_EQ(answer.trace.at(0).at("stage"), "triage");
}

TEST_F(AiStudioAgentTest, GreetingsMayGoUnanswered) {
  EXPECT_EQ(Ask("Hello", kMondayMorning).answer, BotText(settings_, BotMessage::kGreeting, "en"));
  settings_.triage.answer_greetings = false;
  AgentAnswer answer = Ask("Hello", kMondayMorning);
  EXPECT_EQ(answer.decision, Decision::kGreeting);
  EXPECT_EQ(answer.answer, "");
  EXPECT_TRUE(answer.parts.empty());
}

TEST_F(AiStudioAgentTest, TheBotMayTryAComplaintFirstButNeverAnEmergency) {
  const std::string complaint = "This is unacceptable, I am very unhappy. How long do refunds take?";
  AgentAnswer handed = Ask(complaint, kMondayMorning);
  ASSERT_EQ(ToString(handed.reason), "complaint") << handed.answer;
  EXPECT_EQ(handed.decision, Decision::kEscalate);

  settings_.triage.try_to_answer = {Reason::kComplaint};
  AgentAnswer tried = Ask(complaint, kMondayMorning);
  EXPECT_EQ(tried.trace.at(1).at("tries_to_answer"), true);
  // Past triage into the answering stages, which decide as for any question (here the offline answerer finds the
  // complaint's words too far from the passage, and hands off for want of an answer).
  std::vector<std::string> stages;
  for (const auto& entry : tried.trace) stages.emplace_back(entry.at("stage").as_string());
  EXPECT_NE(std::find(stages.begin(), stages.end(), "retrieve"), stages.end());
  EXPECT_NE(ToString(tried.reason), "complaint");

  EXPECT_FALSE(TriesToAnswer({true, {Reason::kUrgentSafety}}, Reason::kUrgentSafety));
  EXPECT_TRUE(TriesToAnswer({true, {Reason::kLegal}}, Reason::kLegal));
  EXPECT_FALSE(TriesToAnswer({true, {Reason::kLegal}}, Reason::kComplaint));
}

}  // namespace
}  // namespace parley::agent
