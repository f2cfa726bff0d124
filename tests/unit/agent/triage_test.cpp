#include "agent/triage.h"

#include "agent/triage_model.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace parley::agent {
namespace {

namespace asio = boost::asio;

void ExpectTriage(const std::string& text, Decision decision, Reason reason) {
  TriageResult result = TriageOffline(text);
  EXPECT_EQ(ToString(result.decision), ToString(decision)) << text << " (" << result.source << ")";
  EXPECT_EQ(ToString(result.reason), ToString(reason)) << text << " (" << result.source << ")";
  if (result.decision == Decision::kEscalate) {
    EXPECT_EQ(result.priority, DefaultPriority(result.reason)) << text;
  }
}

TEST(TriageOfflineTest, NothingToReadIsIgnored) {
  ExpectTriage("", Decision::kIgnore, Reason::kEmpty);
  ExpectTriage(" \n", Decision::kIgnore, Reason::kEmpty);
  ExpectTriage("👍🙏", Decision::kIgnore, Reason::kEmojiOnly);
  ExpectTriage("?!", Decision::kIgnore, Reason::kEmojiOnly);
}

TEST(TriageOfflineTest, ThanksInEveryLanguageAreIgnored) {
  for (const char* text : {"Thanks a lot!", "Merci beaucoup", "Vielen Dank!", "Muchas gracias", "Grazie mille",
                           "Muito obrigado", "Dank je wel", "ok 👍", "Danke schön, alles klar"}) {
    ExpectTriage(text, Decision::kIgnore, Reason::kAcknowledgement);
  }
}

TEST(TriageOfflineTest, BareGreetingsInEveryLanguage) {
  for (const char* text :
       {"Hello!", "Bonjour", "Guten Morgen", "Buenas tardes", "Buongiorno", "Bom dia", "Goedemorgen", "Hi there 👋"}) {
    ExpectTriage(text, Decision::kGreeting, Reason::kGreeting);
  }
}

TEST(TriageOfflineTest, UrgentSafetyAlwaysWins) {
  for (const char* text : {
           "someone fell and is bleeding in your shop",
           "my child swallowed a battery",
           "I want to end my life",
           "Thanks for the cake, but my son is having an allergic reaction, what's in it?",
           "Quelqu'un saigne devant votre magasin",
           "Mein Sohn hat eine Batterie verschluckt",
           "Mi hijo se ha tragado una moneda",
           "Voglio farla finita",
           "Uma cliente desmaiou e não respira",
           "Ik denk aan zelfmoord",
           // Another rule would match too (a complaint, a person, a refund): safety comes first.
           "This is unacceptable, your delivery guy threatened me and I want a refund",
           "Je veux parler au responsable, un client s'est évanoui",
       }) {
    ExpectTriage(text, Decision::kEscalate, Reason::kUrgentSafety);
    EXPECT_EQ(TriageOffline(text).priority, Priority::kUrgent) << text;
  }
}

TEST(TriageOfflineTest, PhishingIsIgnoredButACustomerCallingItAScamIsHeard) {
  ExpectTriage("Your account is suspended, verify here: http://secure-check.example", Decision::kIgnore, Reason::kScam);
  ExpectTriage("Votre compte est suspendu, vérifiez vos informations sur https://verif.example", Decision::kIgnore,
               Reason::kScam);
  ExpectTriage("Sie haben gewonnen! Jetzt einlösen: http://gewinn.example", Decision::kIgnore, Reason::kScam);
  // Bare domains and "click the link" reach the fraudster as well as a link does.
  ExpectTriage("Congratulations, you won a gift card! Claim it at bit.ly/claim-now", Decision::kIgnore, Reason::kScam);
  ExpectTriage("Uw pas verloopt vandaag, verifieer uw gegevens via ing-pasvernieuwen.nl", Decision::kIgnore,
               Reason::kScam);
  ExpectTriage("Vous avez gagné un iPhone, cliquez sur le lien pour le recevoir", Decision::kIgnore, Reason::kScam);
  // A prize and a request for bank details are a scam together, each alone a customer's words.
  ExpectTriage("Ha ganado un premio de 2.000 €. Envíe sus datos bancarios", Decision::kIgnore, Reason::kScam);
  ExpectTriage("What are your bank details for a transfer?", Decision::kAutoReply, Reason::kAnswered);
  ExpectTriage("I ordered on shop.nl and the parcel went to shop.de's warehouse, where is it?", Decision::kAutoReply,
               Reason::kAnswered);
  ExpectTriage("this is a scam, I want my money back", Decision::kEscalate, Reason::kComplaint);
  ExpectTriage("C'est une arnaque, je veux être remboursé", Decision::kEscalate, Reason::kComplaint);
}

TEST(TriageOfflineTest, SpamIsIgnoredButPaymentQuestionsAreNot) {
  ExpectTriage("Earn money fast with crypto, click here http://spam.example", Decision::kIgnore, Reason::kSpam);
  ExpectTriage("see http://a.example and http://b.example", Decision::kIgnore, Reason::kSpam);
  ExpectTriage("Gana dinero desde casa con nuestro sistema", Decision::kIgnore, Reason::kSpam);
  ExpectTriage("Do you accept bitcoin?", Decision::kAutoReply, Reason::kAnswered);
  ExpectTriage("Is this bag still available? https://shop.example/bag", Decision::kAutoReply, Reason::kAnswered);
}

TEST(TriageOfflineTest, BillingDisputesAndAccountAccessGoToAPerson) {
  ExpectTriage("I was charged twice for my order", Decision::kEscalate, Reason::kBillingDispute);
  ExpectTriage("J'ai été débité deux fois", Decision::kEscalate, Reason::kBillingDispute);
  ExpectTriage("Ich wurde doppelt abgebucht", Decision::kEscalate, Reason::kBillingDispute);
  ExpectTriage("Me habéis cobrado dos veces", Decision::kEscalate, Reason::kBillingDispute);
  ExpectTriage("I'm locked out of my account", Decision::kEscalate, Reason::kAccountAccess);
  ExpectTriage("J'ai oublié mon mot de passe", Decision::kEscalate, Reason::kAccountAccess);
  ExpectTriage("Wachtwoord vergeten, help", Decision::kEscalate, Reason::kAccountAccess);
  // The wifi's password and the refund policy are for the knowledge.
  ExpectTriage("What's the wifi password?", Decision::kAutoReply, Reason::kAnswered);
  ExpectTriage("Can I get a refund if the shoes don't fit?", Decision::kAutoReply, Reason::kAnswered);
}

TEST(TriageOfflineTest, PeopleLegalAndAbuse) {
  ExpectTriage("I want to talk to a human", Decision::kEscalate, Reason::kHumanRequested);
  ExpectTriage("Quero falar com um atendente", Decision::kEscalate, Reason::kHumanRequested);
  ExpectTriage("My lawyer will contact you", Decision::kEscalate, Reason::kLegal);
  ExpectTriage("Ci vediamo in tribunale", Decision::kEscalate, Reason::kLegal);
  ExpectTriage("Welches Gericht empfehlen Sie heute?", Decision::kAutoReply, Reason::kAnswered);
  ExpectTriage("You idiots lost my parcel", Decision::kEscalate, Reason::kAbuse);
  ExpectTriage("Sorry for the stupid question, do you open on Sunday?", Decision::kAutoReply, Reason::kAnswered);
}

TEST(TriageOfflineTest, QuestionsGoToTheAnswerStages) {
  for (const char* text :
       {"Do you have this in blue?", "Thanks! Do you deliver on Sundays?", "Quels sont vos horaires ?",
        "Habt ihr am Montag offen?", "¿Cuánto cuesta el envío?", "Avete tavoli all'aperto?", "Vocês abrem no domingo?",
        "Hebben jullie parkeerplaatsen?", "Is it in brand new condition?", "Does it cost a bomb to ship?"}) {
    TriageResult result = TriageOffline(text);
    EXPECT_EQ(ToString(result.decision), "AUTO_REPLY") << text << " → " << ToString(result.reason);
  }
}

TEST(TriageModelTest, FeaturesAreNormalisedAndSorted) {
  std::vector<triage::Feature> features = triage::Features("Hello, do you DELIVER to Lyon?");
  ASSERT_FALSE(features.empty());
  double norm = 0;
  for (size_t i = 0; i < features.size(); ++i) {
    norm += features[i].value * features[i].value;
    if (i > 0) {
      EXPECT_LT(features[i - 1].bucket, features[i].bucket);
    }
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
  // Folding: case and accents do not change the features.
  auto same = triage::Features("hello, do you deliver to lyon?");
  ASSERT_EQ(same.size(), features.size());
  for (size_t i = 0; i < same.size(); ++i) EXPECT_EQ(same[i].bucket, features[i].bucket);
}

TEST(TriageModelTest, TheTrainedWeightsCoverEveryClass) {
  const triage::Weights& weights = triage::TrainedWeights();
  EXPECT_GT(weights.buckets.size(), 1000u);
  EXPECT_EQ(weights.rows.size(), weights.buckets.size() * triage::kClassCount);
  EXPECT_TRUE(std::is_sorted(weights.buckets.begin(), weights.buckets.end()));
  auto probabilities = triage::Probabilities(weights, triage::Features("hello"));
  double total = 0;
  for (double p : probabilities) total += p;
  EXPECT_NEAR(total, 1.0, 1e-9);
}

// Accuracy of the whole offline triage (rules and classifier) on the examples of src/agent/triage_data that training
// left out, per category. The floors are the measured figures, rounded down.
TEST(TriageOfflineTest, AccuracyOnTheHeldOutExamples) {
  std::map<std::string, std::pair<int, int>> per_label;  // label → (right, total)
  int decisions_right = 0, total = 0, urgent_missed = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PARLEY_SOURCE_DIR) + "/src/agent/triage_data")) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 7u);
  for (const auto& file : files) {
    auto examples = triage::ReadExamples(file);
    ASSERT_TRUE(examples) << examples.error().message;
    for (const auto& example : *examples) {
      if (!example.held_out) continue;
      TriageResult result = TriageOffline(example.text);
      auto& [right, count] = per_label[std::string(triage::LabelName(example.label))];
      ++count;
      ++total;
      if (result.reason == example.label) {
        ++right;
      } else {
        std::printf("  miss [%s → %s/%s] %s: %s\n", std::string(triage::LabelName(example.label)).c_str(),
                    std::string(triage::LabelName(result.reason)).c_str(), result.source.c_str(),
                    example.language.c_str(), example.text.c_str());
      }
      decisions_right += result.decision == triage::DecisionOf(example.label);
      if (example.label == Reason::kUrgentSafety && result.reason != Reason::kUrgentSafety) ++urgent_missed;
    }
  }
  int reasons_right = 0;
  for (const auto& [label, counts] : per_label) {
    std::printf("%-16s %3d/%3d  %.2f\n", label.c_str(), counts.first, counts.second,
                static_cast<double>(counts.first) / counts.second);
    reasons_right += counts.first;
  }
  double reason_accuracy = static_cast<double>(reasons_right) / total;
  double decision_accuracy = static_cast<double>(decisions_right) / total;
  std::printf("reason accuracy %.3f, decision accuracy %.3f, urgent missed %d, held-out examples %d\n", reason_accuracy,
              decision_accuracy, urgent_missed, total);
  EXPECT_GE(reason_accuracy, 0.92);
  // 0.929 measured since the classifier needs 0.7 to escalate (questions it took for complaints on the development
  // set were handed to people); it was 0.932 at 0.5.
  EXPECT_GE(decision_accuracy, 0.92);
  EXPECT_EQ(urgent_missed, 0);
}

// A model that answers from a script (unavailable once it runs out) and keeps the requests it was sent.
class ScriptedModel final : public ChatModel {
 public:
  std::string id() const override { return "scripted"; }
  asio::awaitable<Result<ChatResponse>> Complete(ChatRequest request) override {
    requests.push_back(request);
    if (replies.empty()) co_return Error::Unavailable("no reply scripted");
    ChatResponse response;
    response.text = replies.front();
    response.finish_reason = "stop";
    replies.erase(replies.begin());
    co_return response;
  }
  void Say(std::string text) { replies.push_back(std::move(text)); }

  std::vector<std::string> replies;
  std::vector<ChatRequest> requests;
};

class TriageWithModelTest : public ::testing::Test {
 protected:
  Result<ModelTriage> Run(std::string burst, std::vector<ChatMessage> history = {}, TriageModelOptions options = {}) {
    auto future = asio::co_spawn(io_, TriageWithModel(model_, std::move(burst), std::move(history), {}, options),
                                 asio::use_future);
    io_.run();
    io_.restart();
    return future.get();
  }

  asio::io_context io_;
  ScriptedModel model_;
};

TEST_F(TriageWithModelTest, AStructuredReplyDecidesAndRewritesTheQuestions) {
  model_.Say(R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"fr",
                 "questions":["Livrez-vous à Lyon le dimanche ?","Quel est le prix de la livraison à Lyon ?"]})");
  auto result = Run("vous livrez là-bas le dimanche ? et c'est combien ?",
                    {{"user", "Je suis à Lyon"}, {"assistant", "Bonjour ! Que puis-je faire pour vous ?"}});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->triage.decision, Decision::kAutoReply);
  EXPECT_EQ(result->triage.reason, Reason::kAnswered);
  EXPECT_EQ(result->triage.source, "model");
  EXPECT_EQ(result->language, "fr");
  ASSERT_EQ(result->questions.size(), 2u);
  EXPECT_EQ(result->questions[1], "Quel est le prix de la livraison à Lyon ?");
  EXPECT_TRUE(result->invalid_reply.empty());

  // One call, asking for the schema, with the history and the burst in the prompt.
  ASSERT_EQ(model_.requests.size(), 1u);
  const ChatRequest& request = model_.requests[0];
  ASSERT_TRUE(request.response_schema);
  EXPECT_EQ(request.response_schema->name, "triage");
  EXPECT_EQ(request.response_schema->schema, TriageSchema());
  EXPECT_EQ(TriageSchema().at("additionalProperties"), false);
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_NE(request.messages[1].content.find("customer: Je suis à Lyon"), std::string::npos);
  EXPECT_NE(request.messages[1].content.find("et c'est combien ?"), std::string::npos);
}

TEST_F(TriageWithModelTest, JsonInPlainTextOrInAFenceIsReadToo) {
  model_.Say(
      "```json\n{\"decision\":\"ESCALATE\",\"reason\":\"billing_dispute\",\"priority\":\"high\","
      "\"language\":\"de\",\"questions\":[]}\n```");
  auto result = Run("Ihr habt mir das Abo nach der Kündigung noch berechnet");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->triage.reason, Reason::kBillingDispute);
  EXPECT_EQ(result->triage.priority, Priority::kHigh);
  EXPECT_EQ(result->language, "de");
}

TEST_F(TriageWithModelTest, AnEscalationIsNeverBelowItsReasonsPriority) {
  auto parsed = ParseModelTriage(
      R"({"decision":"ESCALATE","reason":"legal","priority":"normal","language":"en","questions":[]})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->triage.priority, Priority::kHigh);
  parsed = ParseModelTriage(
      R"({"decision":"IGNORE","reason":"acknowledgement","priority":"urgent","language":"en","questions":[]})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->triage.priority, Priority::kNormal);
}

TEST_F(TriageWithModelTest, InvalidRepliesAreRefused) {
  const char* invalid[] = {
      "Sure! Here is the triage: AUTO_REPLY",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en","questions":["a?"],"note":"x"})",
      R"({"decision":"REPLY","reason":"question","priority":"normal","language":"en","questions":["a?"]})",
      R"({"decision":"ESCALATE","reason":"angry","priority":"high","language":"en","questions":[]})",
      R"({"decision":"IGNORE","reason":"complaint","priority":"high","language":"en","questions":[]})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"soon","language":"en","questions":["a?"]})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"klingon","questions":["a?"]})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en","questions":[]})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en","questions":[""]})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en","questions":"a?"})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en"})",
      R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en","questions":["a?"]} trailing)",
      R"([{"decision":"AUTO_REPLY"}])",
  };
  for (const char* reply : invalid) EXPECT_FALSE(ParseModelTriage(reply)) << reply;
}

TEST_F(TriageWithModelTest, AnInvalidReplyFallsBackToTheOfflineTriage) {
  model_.Say("I think this customer wants a refund.");
  auto result = Run("I was charged twice for my order");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->triage.reason, Reason::kBillingDispute);
  EXPECT_EQ(result->triage.source, "rule");
  EXPECT_FALSE(result->invalid_reply.empty());

  model_.Say("{\"decision\":\"AUTO_REPLY\"}");
  result = Run("Do you open on Sundays?");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->triage.decision, Decision::kAutoReply);
  EXPECT_EQ(result->questions, std::vector<std::string>{"Do you open on Sundays?"});
}

TEST_F(TriageWithModelTest, AnUrgentRuleOverridesTheModel) {
  model_.Say(R"({"decision":"IGNORE","reason":"acknowledgement","priority":"normal","language":"en","questions":[]})");
  auto result = Run("ok thanks. btw someone fell in your shop and is bleeding");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->triage.decision, Decision::kEscalate);
  EXPECT_EQ(result->triage.reason, Reason::kUrgentSafety);
  EXPECT_EQ(result->triage.priority, Priority::kUrgent);
  EXPECT_EQ(result->triage.source, "rule");
  EXPECT_EQ(result->language, "en");  // The rest of the model's reading is kept.
}

TEST_F(TriageWithModelTest, SubQuestionsPastTheLimitAreDropped) {
  model_.Say(R"({"decision":"AUTO_REPLY","reason":"question","priority":"normal","language":"en",
                 "questions":["a?","b?","c?"]})");
  TriageModelOptions options;
  options.max_questions = 2;
  options.knowledge_language = "fr";
  auto result = Run("a? b? c?", {}, options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->questions, (std::vector<std::string>{"a?", "b?"}));
  EXPECT_NE(model_.requests[0].messages[0].content.find("\"fr\""), std::string::npos);
}

TEST_F(TriageWithModelTest, AnUnreachableModelIsAnErrorAndEmojiNeedNoCall) {
  auto result = Run("Do you open on Sundays?");  // Nothing scripted: the model is down.
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);

  model_.requests.clear();
  result = Run("👍");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->triage.reason, Reason::kEmojiOnly);
  EXPECT_TRUE(model_.requests.empty());
}

}  // namespace
}  // namespace parley::agent
