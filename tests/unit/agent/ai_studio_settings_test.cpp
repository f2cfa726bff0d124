// The AI studio's settings: the batch window, the triage options, business hours and the out-of-hours message,
// as the API reads, validates, stores and shows them.

#include "agent/settings.h"

#include "knowledge/language.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace parley::agent {
namespace {

namespace json = boost::json;

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

std::string ErrorOf(const std::string& text) {
  AiSettings settings;
  auto applied = ApplyAiSettingsJson(Obj(text), settings);
  return applied ? "" : applied.error().message;
}

TEST(AiStudioSettingsTest, TheBatchWindowDefaultsToTheServersAndIsBounded) {
  Config config;
  config.batch_window_ms = 1500;
  AiSettings settings = DefaultAiSettings(config);
  EXPECT_EQ(settings.batch_window_ms, 1500);
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"batch_window_ms": 4000})"), settings));
  EXPECT_EQ(settings.batch_window_ms, 4000);
  EXPECT_EQ(ToPublicJson(settings).at("batch_window_ms"), 4000);
  EXPECT_EQ(ErrorOf(R"({"batch_window_ms": 60001})"), "batch_window_ms must be between 0 and 60000");
  EXPECT_EQ(ErrorOf(R"({"batch_window_ms": -1})"), "batch_window_ms must be between 0 and 60000");
  EXPECT_EQ(ErrorOf(R"({"batch_window_ms": 1.5})"), "batch_window_ms must be an integer");
}

TEST(AiStudioSettingsTest, TriageOptions) {
  AiSettings settings;
  EXPECT_TRUE(settings.triage.answer_greetings);
  EXPECT_TRUE(settings.triage.try_to_answer.empty());
  ASSERT_TRUE(ApplyAiSettingsJson(
      Obj(R"({"triage": {"answer_greetings": false, "try_to_answer": ["complaint", "legal", "complaint"]}})"),
      settings));
  EXPECT_FALSE(settings.triage.answer_greetings);
  EXPECT_EQ(settings.triage.try_to_answer, (std::vector<Reason>{Reason::kComplaint, Reason::kLegal}));
  EXPECT_EQ(json::serialize(ToPublicJson(settings).at("triage")),
            R"({"answer_greetings":false,"try_to_answer":["complaint","legal"]})");
  // A field left out keeps its value.
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"triage": {"try_to_answer": []}})"), settings));
  EXPECT_FALSE(settings.triage.answer_greetings);
  EXPECT_TRUE(settings.triage.try_to_answer.empty());
  const std::string allowed = "an array of reasons among complaint, billing_dispute, account_access, legal";
  EXPECT_EQ(ErrorOf(R"({"triage": {"try_to_answer": ["urgent_safety"]}})"), "triage.try_to_answer must be " + allowed);
  EXPECT_EQ(ErrorOf(R"({"triage": {"try_to_answer": ["human_requested"]}})"),
            "triage.try_to_answer must be " + allowed);
  EXPECT_EQ(ErrorOf(R"({"triage": {"try_to_answer": "complaint"}})"), "triage.try_to_answer must be " + allowed);
  EXPECT_EQ(ErrorOf(R"({"triage": {"answer_greetings": 1}})"), "triage.answer_greetings must be true or false");
  EXPECT_EQ(ErrorOf(R"({"triage": {"greet": true}})"), "unknown field triage.greet");
  EXPECT_EQ(ErrorOf(R"({"triage": true})"), "triage must be an object {\"answer_greetings\", \"try_to_answer\"}");
}

TEST(AiStudioSettingsTest, BusinessHoursAreOffByDefaultAndValidatedByField) {
  AiSettings settings;
  EXPECT_FALSE(settings.business_hours.enabled);
  EXPECT_FALSE(OutOfHours(settings, 0));
  ASSERT_TRUE(ApplyAiSettingsJson(
      Obj(R"({"business_hours": {"enabled": true, "weekly": {"monday": [{"open": "09:00", "close": "17:00"}]},
                                 "closed_dates": ["2026-12-25"]}})"),
      settings));
  EXPECT_TRUE(settings.business_hours.enabled);
  EXPECT_TRUE(OutOfHours(settings, 0));  // A Thursday, 1970.
  auto shown = ToPublicJson(settings).at("business_hours");
  EXPECT_EQ(shown.at("weekly").at("monday").as_array().size(), 1u);
  EXPECT_EQ(shown.at("weekly").at("sunday").as_array().size(), 0u);
  EXPECT_EQ(shown.at("closed_dates").as_array()[0], "2026-12-25");
  // Switched off and on again, the schedule stays.
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"business_hours": {"enabled": false}})"), settings));
  EXPECT_FALSE(settings.business_hours.enabled);
  EXPECT_EQ(settings.business_hours.week[0].size(), 1u);
  EXPECT_EQ(settings.business_hours.closed_dates, std::vector<std::string>{"2026-12-25"});
  // A new week replaces the old one whole.
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"business_hours": {"weekly": {"friday": []}}})"), settings));
  EXPECT_TRUE(settings.business_hours.week[0].empty());
  EXPECT_EQ(ErrorOf(R"({"business_hours": {"weekly": {"monday": [{"open": "9", "close": "17:00"}]}}})"),
            "business_hours.weekly.monday[0].open must be a time HH:MM from 00:00 to 23:59");
}

TEST(AiStudioSettingsTest, TheOutOfHoursMessageIsABotTextLikeTheOthers) {
  AiSettings settings;
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"messages": {"fr": {"out_of_hours": "Fermé, à demain."}}})"), settings));
  EXPECT_EQ(BotText(settings, BotMessage::kOutOfHours, "fr"), "Fermé, à demain.");
  EXPECT_EQ(BotText(settings, BotMessage::kOutOfHours, "de"), *BuiltinText(BotMessage::kOutOfHours, "de"));
  for (std::string_view language : BuiltinMessageLanguages()) {
    std::string text(*BuiltinText(BotMessage::kOutOfHours, language));
    EXPECT_EQ(knowledge::DetectLanguage(text).code, language) << text;
    EXPECT_LE(text.size(), 500u);
  }
  auto schema = AiSettingsJsonSchema();
  const auto& texts = schema.at("properties").at("messages").at("additionalProperties").at("properties");
  EXPECT_TRUE(texts.as_object().contains("out_of_hours"));
}

TEST(AiStudioSettingsTest, TheStoredFormKeepsWhatTheTenantSet) {
  auto box = crypto::SecretBox::Create(std::string(32, 'k')).value();
  AiSettings defaults;
  defaults.batch_window_ms = 2000;
  auto stored =
      MergeStoredSettings(std::nullopt, Obj(R"({"batch_window_ms": 500, "triage": {"try_to_answer": ["legal"]},
              "business_hours": {"enabled": true, "weekly": {"friday": [{"open": "22:00", "close": "00:00"}]}}})"),
                          defaults, box);
  ASSERT_TRUE(stored) << stored.error().message;
  auto loaded = FromStoredJson(*stored, defaults, box);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->batch_window_ms, 500);
  EXPECT_EQ(loaded->triage.try_to_answer, std::vector<Reason>{Reason::kLegal});
  EXPECT_TRUE(loaded->triage.answer_greetings);
  EXPECT_EQ(loaded->business_hours.week[4], (std::vector<OpenInterval>{{22 * 60, 24 * 60}}));
  // A server default changed later reaches a tenant that never set the window.
  defaults.batch_window_ms = 3000;
  auto other = FromStoredJson(*MergeStoredSettings(std::nullopt, Obj(R"({"top_k": 3})"), defaults, box), defaults, box);
  EXPECT_EQ(other->batch_window_ms, 3000);
}

}  // namespace
}  // namespace parley::agent
