#pragma once
// The bot's own messages (greeting, hand-off, fallback, safety, quota, media notices, the lead-in of a quoted
// answer, the out-of-hours hand-off) in the customer's language. Built-in texts exist in en, fr, de, es, it, pt and nl.
// A tenant overrides any of them per language in its AI settings (`messages`: {"fr": {"greeting": "…"}}); the older
// greeting_message, handoff_message and fallback_message settings override the texts of the assistant's default
// language (its knowledge's `language`), where a `messages` entry for that language wins over them.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace parley::agent {

struct AiSettings;

enum class BotMessage {
  kGreeting,     //!< The answer to a bare greeting.
  kHandoff,      //!< Sent when the conversation goes to a person.
  kFallback,     //!< The knowledge does not answer: "I don't have that information"; a person follows up.
  kSafety,       //!< Sent at once for urgent_safety: points to the emergency services and says a person is told.
  kQuota,        //!< The plan's AI replies are used up: a person will answer.
  kImageNotice,  //!< An image the plan does not cover.
  kAudioNotice,  //!< A voice or audio message the plan does not cover.
  kAnswerIntro,  //!< Before a quoted passage written in another language than the customer's.
  kOutOfHours,   //!< Replaces the hand-off and fallback outside business hours: a person answers once open.
};

inline constexpr BotMessage kAllBotMessages[] = {
    BotMessage::kGreeting,    BotMessage::kHandoff,     BotMessage::kFallback,
    BotMessage::kSafety,      BotMessage::kQuota,       BotMessage::kImageNotice,
    BotMessage::kAudioNotice, BotMessage::kAnswerIntro, BotMessage::kOutOfHours,
};

//! The message's key in the `messages` setting: "greeting", "handoff", "fallback", "safety", "quota",
//! "image_notice", "audio_notice", "answer_intro", "out_of_hours".
std::string_view ToString(BotMessage message);
std::optional<BotMessage> ParseBotMessage(std::string_view key);

// The languages with built-in texts, as ISO 639-1 codes: en, fr, de, es, it, pt, nl.
std::span<const std::string_view> BuiltinMessageLanguages();

// The built-in text of `message` in `language` (a code); nullopt for a language without built-in texts.
std::optional<std::string_view> BuiltinText(BotMessage message, std::string_view language);

// A tenant's own texts: language code → message → text (never empty).
using BotTexts = std::map<std::string, std::map<BotMessage, std::string>, std::less<>>;

// The text of `message` for a customer writing in `language` (a code; "" when unknown, which stands for the
// assistant's default language, settings.language). The first that exists wins:
//  1. the tenant's text for `language` (for the default language, also the older *_message settings);
//  2. the built-in text for `language`;
//  3. the tenant's text for its default language (a business writing its texts in Swedish prefers them to English);
//  4. the built-in English text.
// The operator's PARLEY_IMAGE_NOTICE and PARLEY_AUDIO_NOTICE replace the built-in English media notices.
std::string BotText(const AiSettings& settings, BotMessage message, std::string_view language);

// The language to reply in: the tenant's `answer_language` when it is a code, else the customer's language (a code,
// "" when unknown), else the assistant's default language.
std::string ReplyLanguage(const AiSettings& settings, std::string_view customer_language);

}  // namespace parley::agent
