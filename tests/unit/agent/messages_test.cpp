// The bot's own messages in the customer's language: built-in texts in seven languages, the tenant's texts per
// language over them, the older single-language settings, and the fallbacks when a language has neither.

#include "agent/messages.h"

#include "agent/settings.h"
#include "core/utf8.h"
#include "knowledge/language.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace parley::agent {
namespace {

TEST(BotMessagesTest, KeysRoundTrip) {
  std::set<std::string_view> keys;
  for (BotMessage message : kAllBotMessages) {
    EXPECT_EQ(ParseBotMessage(ToString(message)), message);
    keys.insert(ToString(message));
  }
  EXPECT_EQ(keys.size(), std::size(kAllBotMessages));
  EXPECT_EQ(ToString(BotMessage::kImageNotice), "image_notice");
  EXPECT_EQ(ParseBotMessage("colour"), std::nullopt);
  EXPECT_EQ(ParseBotMessage("Greeting"), std::nullopt);
}

TEST(BotMessagesTest, SevenLanguagesHaveEveryMessageEachInItsOwnWords) {
  const std::set<std::string_view> expected{"en", "fr", "de", "es", "it", "pt", "nl"};
  std::set<std::string_view> languages(BuiltinMessageLanguages().begin(), BuiltinMessageLanguages().end());
  EXPECT_EQ(languages, expected);
  for (std::string_view language : BuiltinMessageLanguages()) {
    EXPECT_TRUE(knowledge::IsSupportedLanguage(language)) << language;
    for (BotMessage message : kAllBotMessages) {
      auto text = BuiltinText(message, language);
      ASSERT_TRUE(text) << language << " " << ToString(message);
      EXPECT_FALSE(text->empty());
      EXPECT_TRUE(IsValidUtf8(*text));
      // Short enough for every channel's message limit, with room to spare.
      EXPECT_LE(text->size(), 500u) << language << " " << ToString(message);
      if (language != "en") EXPECT_NE(*text, *BuiltinText(message, "en")) << language << " " << ToString(message);
    }
    // The text is in its language, as the customer's language detection reads it (the lead-in of a quoted answer
    // is too short to tell on its own, and the image notice is checked with the audio one).
    for (BotMessage message : {BotMessage::kGreeting, BotMessage::kHandoff, BotMessage::kFallback, BotMessage::kSafety,
                               BotMessage::kQuota, BotMessage::kAudioNotice}) {
      EXPECT_EQ(knowledge::DetectLanguage(*BuiltinText(message, language)).code, language)
          << language << " " << ToString(message);
    }
  }
  EXPECT_EQ(BuiltinText(BotMessage::kGreeting, "sv"), std::nullopt);
  EXPECT_EQ(BuiltinText(BotMessage::kGreeting, "french"), std::nullopt);
}

TEST(BotMessagesTest, TheSafetyMessagePointsToEmergencyServicesAndAPerson) {
  for (std::string_view language : BuiltinMessageLanguages()) {
    std::string text(*BuiltinText(BotMessage::kSafety, language));
    EXPECT_NE(text.find("112"), std::string::npos) << language;
    EXPECT_NE(text.find("911"), std::string::npos) << language;
  }
  std::string english(*BuiltinText(BotMessage::kSafety, "en"));
  EXPECT_NE(english.find("local emergency number"), std::string::npos);
  EXPECT_NE(english.find("a person will reply"), std::string::npos);
}

TEST(BotTextTest, TheCustomersLanguageFirst) {
  AiSettings settings;
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "fr"), "Bonjour ! Comment puis-je vous aider ?");
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "de"), *BuiltinText(BotMessage::kHandoff, "de"));
  EXPECT_EQ(BotText(settings, BotMessage::kFallback, "en"), *BuiltinText(BotMessage::kFallback, "en"));
  // No built-in Swedish, no text of the tenant's: English.
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "sv"), "Hello! How can I help you?");
  // An unknown language is the assistant's default language.
  settings.language = "nl";
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, ""), "Hallo! Waarmee kan ik u helpen?");
}

TEST(BotTextTest, TheTenantsTextsComeBeforeTheBuiltInOnes) {
  AiSettings settings;
  settings.language = "fr";
  settings.messages["fr"][BotMessage::kGreeting] = "Bienvenue chez Bowling Étoile ! Que puis-je faire pour vous ?";
  settings.messages["de"][BotMessage::kSafety] = "Bitte rufen Sie sofort 112 an.";
  settings.messages["sv"][BotMessage::kGreeting] = "Hej! Hur kan jag hjälpa dig?";

  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "fr"),
            "Bienvenue chez Bowling Étoile ! Que puis-je faire pour vous ?");
  EXPECT_EQ(BotText(settings, BotMessage::kSafety, "de"), "Bitte rufen Sie sofort 112 an.");
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "sv"), "Hej! Hur kan jag hjälpa dig?");
  // Other messages of an overridden language stay built-in.
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "fr"), *BuiltinText(BotMessage::kHandoff, "fr"));
  // A language with a built-in text keeps it rather than take the default language's own text.
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "es"), *BuiltinText(BotMessage::kGreeting, "es"));
  // A language with neither: the tenant's text in its default language, before English.
  EXPECT_EQ(BotText(settings, BotMessage::kGreeting, "da"),
            "Bienvenue chez Bowling Étoile ! Que puis-je faire pour vous ?");
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "da"), *BuiltinText(BotMessage::kHandoff, "en"));
}

TEST(BotTextTest, TheOlderSettingsAreTheDefaultLanguagesText) {
  AiSettings settings;  // Default language English; the older settings hold the built-in English texts.
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "fr"), *BuiltinText(BotMessage::kHandoff, "fr"));

  settings.handoff_message = "One of our bowling experts will be with you in a minute!";
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "en"), "One of our bowling experts will be with you in a minute!");
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, ""), "One of our bowling experts will be with you in a minute!");
  // A French customer is not handed an English text: the built-in French one is in their language.
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "fr"), *BuiltinText(BotMessage::kHandoff, "fr"));
  // A Finnish customer, with neither: the tenant's own text.
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "fi"), "One of our bowling experts will be with you in a minute!");

  // A `messages` entry for the default language wins over the older setting.
  settings.messages["en"][BotMessage::kHandoff] = "A teammate is on the way.";
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "en"), "A teammate is on the way.");

  // For a French business, the older settings speak French; left at their English defaults they are no text of its.
  AiSettings french;
  french.language = "fr";
  EXPECT_EQ(BotText(french, BotMessage::kGreeting, "fr"), *BuiltinText(BotMessage::kGreeting, "fr"));
  EXPECT_EQ(BotText(french, BotMessage::kGreeting, "en"), "Hello! How can I help you?");
  french.greeting_message = "Salut ! On vous écoute.";
  EXPECT_EQ(BotText(french, BotMessage::kGreeting, "fr"), "Salut ! On vous écoute.");
  EXPECT_EQ(BotText(french, BotMessage::kGreeting, "en"), "Hello! How can I help you?");
  french.greeting_message.clear();
  EXPECT_EQ(BotText(french, BotMessage::kGreeting, "fr"), *BuiltinText(BotMessage::kGreeting, "fr"));
}

TEST(BotTextTest, TheOperatorsMediaNoticesReplaceTheEnglishOnes) {
  Config config;
  config.image_notice = "Images are not part of this service.";
  config.audio_notice = "Voice notes are not part of this service.";
  AiSettings settings = DefaultAiSettings(config);
  EXPECT_EQ(BotText(settings, BotMessage::kImageNotice, "en"), "Images are not part of this service.");
  EXPECT_EQ(BotText(settings, BotMessage::kAudioNotice, "sv"), "Voice notes are not part of this service.");
  EXPECT_EQ(BotText(settings, BotMessage::kImageNotice, "it"), *BuiltinText(BotMessage::kImageNotice, "it"));
  settings.messages["en"][BotMessage::kImageNotice] = "No pictures, please.";
  EXPECT_EQ(BotText(settings, BotMessage::kImageNotice, "en"), "No pictures, please.");
  // Without a configuration (the defaults of the struct), the built-in English notice.
  EXPECT_EQ(BotText(AiSettings{}, BotMessage::kImageNotice, "en"), *BuiltinText(BotMessage::kImageNotice, "en"));
}

TEST(ReplyLanguageTest, AFixedAnswerLanguageElseTheCustomersElseTheDefault) {
  AiSettings settings;
  settings.language = "de";
  EXPECT_EQ(ReplyLanguage(settings, "fr"), "fr");
  EXPECT_EQ(ReplyLanguage(settings, ""), "de");
  settings.answer_language = "es";
  EXPECT_EQ(ReplyLanguage(settings, "fr"), "es");
  EXPECT_EQ(ReplyLanguage(settings, ""), "es");
}

}  // namespace
}  // namespace parley::agent
