#include "agent/settings.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>
#include <string>

namespace parley::agent {
namespace {

namespace json = boost::json;

constexpr char kTenantKey[] = "sk-tenant-SECRET-0001";
constexpr char kServerKey[] = "sk-server-SECRET-9999";

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

crypto::SecretBox Box(char fill = 'k') { return crypto::SecretBox::Create(std::string(32, fill)).value(); }

// The server's defaults: a model endpoint with the operator's key.
AiSettings ServerDefaults() {
  Config config;
  config.llm_base_url = "https://api.openai.com/v1";
  config.llm_api_key = kServerKey;
  config.llm_model = "gpt-4o-mini";
  return DefaultAiSettings(config);
}

void ExpectFieldError(const std::string& json_text, const std::string& field) {
  AiSettings settings;
  auto applied = ApplyAiSettingsJson(Obj(json_text), settings);
  ASSERT_FALSE(applied) << json_text;
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument) << json_text;
  EXPECT_NE(applied.error().message.find(field), std::string::npos) << applied.error().message;
}

TEST(AiSettingsTest, DefaultsComeFromTheServerConfig) {
  Config config;
  config.llm_base_url = "https://llm.example/v1";
  config.llm_api_key = "sk-x";
  config.llm_model = "m";
  config.embeddings_base_url = "https://emb.example/v1";
  config.embeddings_model = "e";
  AiSettings settings = DefaultAiSettings(config);
  EXPECT_EQ(settings.llm.base_url, "https://llm.example/v1");
  EXPECT_EQ(settings.llm.api_key, "sk-x");
  EXPECT_EQ(settings.llm.model, "m");
  EXPECT_EQ(settings.embeddings.base_url, "https://emb.example/v1");
  EXPECT_EQ(settings.embeddings.model, "e");
  EXPECT_TRUE(settings.enabled);
  EXPECT_EQ(settings.top_k, 5);
}

TEST(AiSettingsTest, AppliesEveryField) {
  AiSettings s;
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({
      "enabled": false, "knowledge_base_ids": [3, 4], "persona": "You are Bob.", "answer_language": "fr",
      "language": "french", "llm_base_url": "http://localhost:11434/v1", "llm_api_key": "sk-1", "model": "llama3",
      "temperature": 0.7, "max_tokens": 800, "embeddings_base_url": "https://emb.example", "embeddings_api_key": "ek",
      "embeddings_model": "small", "min_relevance": 0.5, "top_k": 8, "history_turns": 0,
      "handoff_message": "H", "fallback_message": "F", "greeting_message": "G", "chunk_size": 500,
      "chunk_overlap": 50, "llm_api_key_set": true, "embeddings_api_key_set": false})"),
                                  s));
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.knowledge_base_ids, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(s.persona, "You are Bob.");
  EXPECT_EQ(s.answer_language, "fr");
  EXPECT_EQ(s.language, "fr");  // Stored as its code.
  EXPECT_EQ(s.llm.base_url, "http://localhost:11434/v1");
  EXPECT_EQ(s.llm.api_key, "sk-1");
  EXPECT_EQ(s.llm.model, "llama3");
  EXPECT_DOUBLE_EQ(s.temperature, 0.7);
  EXPECT_EQ(s.max_tokens, 800);
  EXPECT_EQ(s.embeddings.base_url, "https://emb.example");
  EXPECT_EQ(s.embeddings.api_key, "ek");
  EXPECT_EQ(s.embeddings.model, "small");
  EXPECT_DOUBLE_EQ(s.min_relevance, 0.5);
  EXPECT_EQ(s.top_k, 8);
  EXPECT_EQ(s.history_turns, 0);
  EXPECT_EQ(s.handoff_message, "H");
  EXPECT_EQ(s.fallback_message, "F");
  EXPECT_EQ(s.greeting_message, "G");
  EXPECT_EQ(s.chunk_size, 500);
  EXPECT_EQ(s.chunk_overlap, 50);

  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"llm_model": "other", "temperature": 1, "llm_base_url": ""})"), s));
  EXPECT_EQ(s.llm.model, "other");
  EXPECT_DOUBLE_EQ(s.temperature, 1.0);
  EXPECT_EQ(s.llm.base_url, "");
  EXPECT_EQ(s.top_k, 8);  // Absent fields are left alone.
}

TEST(AiSettingsTest, ValidationErrorsNameTheField) {
  ExpectFieldError(R"({"enabled": "yes"})", "enabled");
  ExpectFieldError(R"({"knowledge_base_ids": 3})", "knowledge_base_ids");
  ExpectFieldError(R"({"knowledge_base_ids": [1, -2]})", "knowledge_base_ids");
  ExpectFieldError(R"({"knowledge_base_ids": [1, "2"]})", "knowledge_base_ids");
  ExpectFieldError(R"({"persona": 5})", "persona");
  ExpectFieldError("{\"persona\": \"" + std::string(8001, 'x') + "\"}", "persona");
  ExpectFieldError(R"({"answer_language": "a language name far too long"})", "answer_language");
  ExpectFieldError(R"({"llm_base_url": "ftp://example.com"})", "llm_base_url");
  ExpectFieldError(R"({"embeddings_base_url": "localhost:8080"})", "embeddings_base_url");
  ExpectFieldError(R"({"llm_api_key": null})", "llm_api_key");
  ExpectFieldError(R"({"model": ["gpt"]})", "model");
  ExpectFieldError(R"({"temperature": 2.5})", "temperature");
  ExpectFieldError(R"({"temperature": "warm"})", "temperature");
  ExpectFieldError(R"({"max_tokens": 8})", "max_tokens");
  ExpectFieldError(R"({"max_tokens": 100.5})", "max_tokens");
  ExpectFieldError(R"({"min_relevance": -0.1})", "min_relevance");
  ExpectFieldError(R"({"top_k": 0})", "top_k");
  ExpectFieldError(R"({"top_k": 21})", "top_k");
  ExpectFieldError(R"({"history_turns": 51})", "history_turns");
  ExpectFieldError(R"({"greeting_message": false})", "greeting_message");
  ExpectFieldError(R"({"chunk_size": 100})", "chunk_size");
  ExpectFieldError(R"({"chunk_overlap": 1001})", "chunk_overlap");
  ExpectFieldError(R"({"colour": "blue"})", "colour");
  ExpectFieldError(R"({"language": "klingon"})", "language");
  ExpectFieldError(R"({"language": "ja"})", "language");  // Known, but without a stemmer.
  ExpectFieldError(R"({"language": 7})", "language");
  ExpectFieldError(R"({"answer_language": "klingon"})", "answer_language");
  ExpectFieldError(R"({"answer_language": ""})", "answer_language");
  ExpectFieldError(R"({"messages": "hello"})", "messages");
  ExpectFieldError(R"({"messages": {"klingon": {"greeting": "nuqneH"}}})", "messages.klingon");
  ExpectFieldError(R"({"messages": {"fr": "Bonjour"}})", "messages.fr");
  ExpectFieldError(R"({"messages": {"fr": {"farewell": "Au revoir"}}})", "messages.fr.farewell");
  ExpectFieldError(R"({"messages": {"fr": {"greeting": 5}}})", "messages.fr.greeting");
  ExpectFieldError("{\"messages\": {\"de\": {\"safety\": \"" + std::string(1001, 'x') + "\"}}}", "messages.de.safety");
}

TEST(AiSettingsTest, LanguagesAreCodesAndTheOldNamesStillWork) {
  AiSettings s;
  EXPECT_EQ(s.language, "en");
  for (const char* name : {"english", "English", "en", "EN"}) {
    ASSERT_TRUE(ApplyAiSettingsJson(Obj(std::string(R"({"language": ")") + name + "\"}"), s)) << name;
    EXPECT_EQ(s.language, "en") << name;
  }
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"language": "Dutch", "answer_language": "pt-BR"})"), s));
  EXPECT_EQ(s.language, "nl");
  EXPECT_EQ(s.answer_language, "pt");
  // A model can answer in a language without a stemmer.
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"answer_language": "ja"})"), s));
  EXPECT_EQ(s.answer_language, "ja");
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"answer_language": "auto"})"), s));
  EXPECT_EQ(s.answer_language, "auto");

  // The stored form holds the code, whatever name the change used, so that the same language never looks changed
  // (which would re-index the knowledge).
  crypto::SecretBox box = Box();
  std::string stored =
      MergeStoredSettings(std::nullopt, Obj(R"({"language": "French"})"), ServerDefaults(), box).value();
  EXPECT_EQ(json::parse(stored), json::parse(R"({"language": "fr"})"));

  // Settings stored before: "english" reads as "en"; a name that was never a language (accepted then, and stemmed
  // as English) reads as the default instead of locking the tenant out of its settings.
  EXPECT_EQ(FromStoredJson(std::string(R"({"language": "english", "top_k": 3})"), ServerDefaults(), box)->language,
            "en");
  AiSettings odd = FromStoredJson(std::string(R"({"language": "klingon", "answer_language": "xx", "top_k": 3})"),
                                  ServerDefaults(), box)
                       .value();
  EXPECT_EQ(odd.language, "en");
  EXPECT_EQ(odd.answer_language, "auto");
  EXPECT_EQ(odd.top_k, 3);

  // An unknown language is refused and nothing is stored.
  auto refused = MergeStoredSettings(stored, Obj(R"({"top_k": 4, "language": "klingon"})"), ServerDefaults(), box);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("language"), std::string::npos);
}

TEST(AiSettingsTest, MessagesPerLanguage) {
  crypto::SecretBox box = Box();
  AiSettings defaults = ServerDefaults();
  std::string stored = MergeStoredSettings(std::nullopt, Obj(R"({"messages": {
      "french": {"greeting": "Bienvenue !", "safety": "Appelez le 112."},
      "de": {"handoff": "Einen Moment, bitte.", "fallback": ""}}})"),
                                           defaults, box)
                           .value();
  // Codes for names; an empty text is no text.
  EXPECT_EQ(json::parse(stored), json::parse(R"({"messages": {"de": {"handoff": "Einen Moment, bitte."},
                                               "fr": {"greeting": "Bienvenue !", "safety": "Appelez le 112."}}})"));
  AiSettings settings = FromStoredJson(stored, defaults, box).value();
  EXPECT_EQ(settings.messages.at("fr").at(BotMessage::kGreeting), "Bienvenue !");
  EXPECT_EQ(BotText(settings, BotMessage::kSafety, "fr"), "Appelez le 112.");
  EXPECT_EQ(BotText(settings, BotMessage::kHandoff, "de"), "Einen Moment, bitte.");
  EXPECT_EQ(BotText(settings, BotMessage::kFallback, "de"), *BuiltinText(BotMessage::kFallback, "de"));

  // The public form shows the tenant's texts, and can be put back.
  json::object shown = ToPublicJson(settings);
  EXPECT_EQ(shown.at("messages").at("fr").at("safety"), "Appelez le 112.");
  AiSettings back;
  ASSERT_TRUE(ApplyAiSettingsJson(shown, back));
  EXPECT_EQ(back.messages, settings.messages);

  // A change replaces the whole set; an empty set leaves nothing stored.
  stored = MergeStoredSettings(stored, Obj(R"({"messages": {"it": {"quota": "Grazie, a presto!"}}})"), defaults, box)
               .value();
  EXPECT_EQ(json::parse(stored), json::parse(R"({"messages": {"it": {"quota": "Grazie, a presto!"}}})"));
  stored = MergeStoredSettings(stored, Obj(R"({"messages": {}})"), defaults, box).value();
  EXPECT_EQ(json::parse(stored), json::parse("{}"));
}

TEST(AiSettingsTest, AnEmptyOlderMessageBringsBackTheBuiltInTexts) {
  crypto::SecretBox box = Box();
  AiSettings defaults = ServerDefaults();
  std::string stored =
      MergeStoredSettings(std::nullopt, Obj(R"({"handoff_message": "Hang on!", "top_k": 3})"), defaults, box).value();
  EXPECT_EQ(BotText(FromStoredJson(stored, defaults, box).value(), BotMessage::kHandoff, "en"), "Hang on!");
  stored = MergeStoredSettings(stored, Obj(R"({"handoff_message": ""})"), defaults, box).value();
  EXPECT_EQ(json::parse(stored), json::parse(R"({"top_k": 3})"));
  EXPECT_EQ(BotText(FromStoredJson(stored, defaults, box).value(), BotMessage::kHandoff, "en"),
            *BuiltinText(BotMessage::kHandoff, "en"));
}

TEST(AiSettingsTest, TheSchemaDescribesEveryFieldOfThePublicForm) {
  json::object schema = AiSettingsJsonSchema();
  const json::object& properties = schema.at("properties").as_object();
  for (const auto& [key, value] : ToPublicJson(AiSettings{})) EXPECT_TRUE(properties.contains(key)) << key;
  // And only fields the settings accept.
  for (const auto& [key, value] : properties) {
    AiSettings scratch;
    auto applied = ApplyAiSettingsJson(json::object{{key, nullptr}}, scratch);
    if (!applied) {
      EXPECT_EQ(applied.error().message.find("unknown field"), std::string::npos) << key;
    }
  }
  EXPECT_EQ(schema.at("additionalProperties"), false);
  const json::object& texts = properties.at("messages").at("additionalProperties").at("properties").as_object();
  EXPECT_EQ(texts.size(), std::size(kAllBotMessages));
}

TEST(AiSettingsTest, StoredFormKeepsOnlyWhatTheTenantSet) {
  crypto::SecretBox box = Box();
  AiSettings defaults = ServerDefaults();
  auto stored = MergeStoredSettings(std::nullopt, Obj(R"({"top_k": 8})"), defaults, box);
  ASSERT_TRUE(stored);
  EXPECT_EQ(json::parse(*stored), json::parse(R"({"top_k": 8})"));

  stored = MergeStoredSettings(*stored, Obj(R"({"persona": "You are Bob.", "top_k": 3})"), defaults, box);
  ASSERT_TRUE(stored);
  EXPECT_EQ(json::parse(*stored), json::parse(R"({"top_k": 3, "persona": "You are Bob."})"));

  // A new server default reaches the tenant, who did not set that field.
  defaults.greeting_message = "Welcome!";
  AiSettings settings = FromStoredJson(*stored, defaults, box).value();
  EXPECT_EQ(settings.greeting_message, "Welcome!");
  EXPECT_EQ(settings.top_k, 3);
  EXPECT_EQ(settings.persona, "You are Bob.");
  EXPECT_EQ(settings.llm.base_url, defaults.llm.base_url);
  EXPECT_EQ(settings.llm.api_key, kServerKey);

  EXPECT_EQ(FromStoredJson(std::nullopt, defaults, box).value().greeting_message, "Welcome!");
}

TEST(AiSettingsTest, InvalidChangesAreRefusedAndNothingIsStored) {
  crypto::SecretBox box = Box();
  auto refused =
      MergeStoredSettings(R"({"top_k": 3})", Obj(R"({"persona": "ok", "top_k": 99})"), ServerDefaults(), box);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("top_k"), std::string::npos);
  EXPECT_FALSE(FromStoredJson(std::string("[1, 2]"), ServerDefaults(), box));
  EXPECT_FALSE(FromStoredJson(std::string("{broken"), ServerDefaults(), box));
}

TEST(AiSettingsTest, ApiKeysAreSealedAndEmptyClearsThem) {
  crypto::SecretBox box = Box();
  AiSettings defaults = ServerDefaults();
  auto stored = MergeStoredSettings(
      std::nullopt, Obj(std::string(R"({"llm_api_key": ")") + kTenantKey + R"(", "embeddings_api_key": "ek-1"})"),
      defaults, box);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->find(kTenantKey), std::string::npos) << *stored;
  EXPECT_EQ(stored->find("ek-1"), std::string::npos) << *stored;
  json::object fields = json::parse(*stored).as_object();
  EXPECT_FALSE(fields.contains("llm_api_key"));
  EXPECT_EQ(box.Open(fields.at("llm_api_key_sealed").as_string()).value(), kTenantKey);

  AiSettings settings = FromStoredJson(*stored, defaults, box).value();
  EXPECT_EQ(settings.llm.api_key, kTenantKey);
  EXPECT_EQ(settings.embeddings.api_key, "ek-1");

  // Another change keeps the sealed key as it is.
  auto later = MergeStoredSettings(*stored, Obj(R"({"top_k": 2})"), defaults, box);
  ASSERT_TRUE(later);
  EXPECT_EQ(FromStoredJson(*later, defaults, box).value().llm.api_key, kTenantKey);

  // "" removes the tenant's key: the field takes the server's default again.
  auto cleared = MergeStoredSettings(*later, Obj(R"({"llm_api_key": "", "embeddings_api_key": ""})"), defaults, box);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(json::parse(*cleared), json::parse(R"({"top_k": 2})"));
  settings = FromStoredJson(*cleared, defaults, box).value();
  EXPECT_EQ(settings.llm.api_key, kServerKey);
  EXPECT_EQ(settings.embeddings.api_key, "");
}

TEST(AiSettingsTest, KeysSealedUnderAnotherMasterKeyAreDropped) {
  AiSettings defaults = ServerDefaults();
  std::string stored = MergeStoredSettings(std::nullopt, Obj(std::string(R"({"llm_api_key": ")") + kTenantKey + "\"}"),
                                           defaults, Box('a'))
                           .value();
  auto settings = FromStoredJson(stored, defaults, Box('b'));
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->llm.api_key, kServerKey);
}

TEST(AiSettingsTest, TheServersKeyNeverGoesToAnEndpointOfTheTenantsChoosing) {
  // A tenant pointing the model (or the embeddings) at its own server without a key of its own must not
  // receive the operator's key in the Authorization header there.
  crypto::SecretBox box = Box();
  Config config;
  config.llm_base_url = "https://api.openai.com/v1";
  config.llm_api_key = kServerKey;
  config.embeddings_base_url = "https://api.openai.com/v1";
  config.embeddings_api_key = kServerKey;
  AiSettings defaults = DefaultAiSettings(config);
  std::string stored = MergeStoredSettings(std::nullopt, Obj(R"({"llm_base_url": "https://attacker.example/v1",
                                   "embeddings_base_url": "https://attacker.example/v1"})"),
                                           defaults, box)
                           .value();
  AiSettings settings = FromStoredJson(stored, defaults, box).value();
  EXPECT_EQ(settings.llm.base_url, "https://attacker.example/v1");
  EXPECT_EQ(settings.llm.api_key, "");
  EXPECT_EQ(settings.embeddings.api_key, "");

  // With its own key the tenant's endpoint gets that key; the server's own endpoint keeps the server's key.
  stored =
      MergeStoredSettings(stored, Obj(std::string(R"({"llm_api_key": ")") + kTenantKey + "\"}"), defaults, box).value();
  EXPECT_EQ(FromStoredJson(stored, defaults, box).value().llm.api_key, kTenantKey);
  stored =
      MergeStoredSettings(std::nullopt, Obj(R"({"llm_base_url": "https://api.openai.com/v1"})"), defaults, box).value();
  EXPECT_EQ(FromStoredJson(stored, defaults, box).value().llm.api_key, kServerKey);
}

TEST(AiSettingsTest, TheServersModelReadingImagesSaysNothingOfAnotherModel) {
  crypto::SecretBox box = Box();
  Config config;
  config.llm_base_url = "https://api.openai.com/v1";
  config.llm_model = "gpt-4o";
  config.llm_vision = true;
  AiSettings defaults = DefaultAiSettings(config);
  EXPECT_TRUE(defaults.llm.vision);
  auto with = [&](const char* changes) {
    return FromStoredJson(MergeStoredSettings(std::nullopt, Obj(changes), defaults, box).value(), defaults, box)
        .value()
        .llm.vision;
  };
  EXPECT_TRUE(with(R"({"temperature": 0.5})"));                          // The server's model: inherited.
  EXPECT_FALSE(with(R"({"model": "gpt-3.5-turbo"})"));                   // Another model: not unless said.
  EXPECT_FALSE(with(R"({"llm_base_url": "https://groq.example/v1"})"));  // Another endpoint: the same.
  EXPECT_TRUE(with(R"({"model": "llava", "llm_vision": true})"));
  EXPECT_FALSE(with(R"({"llm_vision": false})"));
  AiSettings settings = defaults;
  EXPECT_FALSE(ApplyAiSettingsJson(Obj(R"({"llm_vision": "yes"})"), settings));
  EXPECT_EQ(ToPublicJson(defaults).at("llm_vision"), true);
}

TEST(AiSettingsTest, UnheardVoiceNotesAskToWriteUnlessAPersonListens) {
  AiSettings settings;
  EXPECT_EQ(settings.unheard_voice_notes, UnheardVoiceNotes::kAskToWrite);
  EXPECT_EQ(ToPublicJson(settings).at("unheard_voice_notes"), "ask_to_write");
  ASSERT_TRUE(ApplyAiSettingsJson(Obj(R"({"unheard_voice_notes": "hand_off"})"), settings));
  EXPECT_EQ(settings.unheard_voice_notes, UnheardVoiceNotes::kHandOff);
  auto refused = ApplyAiSettingsJson(Obj(R"({"unheard_voice_notes": "ignore"})"), settings);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("unheard_voice_notes"), std::string::npos);
  EXPECT_EQ(settings.unheard_voice_notes, UnheardVoiceNotes::kHandOff);
}

TEST(AiSettingsTest, TheLatestModelChangeWinsWhicheverNameIsUsed) {
  crypto::SecretBox box = Box();
  AiSettings defaults = ServerDefaults();
  std::string stored = MergeStoredSettings(std::nullopt, Obj(R"({"model": "a"})"), defaults, box).value();
  stored = MergeStoredSettings(stored, Obj(R"({"llm_model": "b"})"), defaults, box).value();
  EXPECT_EQ(FromStoredJson(stored, defaults, box).value().llm.model, "b");
  stored = MergeStoredSettings(stored, Obj(R"({"model": "c"})"), defaults, box).value();
  EXPECT_EQ(FromStoredJson(stored, defaults, box).value().llm.model, "c");
}

TEST(AiSettingsTest, PublicFormNeverShowsKeysAndCanBePutBack) {
  AiSettings s = ServerDefaults();
  s.llm.api_key = kTenantKey;
  s.embeddings.api_key = "";
  s.knowledge_base_ids = {7};
  s.top_k = 9;
  s.persona = "You are Bob.";
  json::object shown = ToPublicJson(s);
  std::string text = json::serialize(shown);
  EXPECT_EQ(text.find(kTenantKey), std::string::npos);
  EXPECT_FALSE(shown.contains("llm_api_key"));
  EXPECT_FALSE(shown.contains("embeddings_api_key"));
  EXPECT_EQ(shown.at("llm_api_key_set"), true);
  EXPECT_EQ(shown.at("embeddings_api_key_set"), false);
  EXPECT_EQ(shown.at("model"), "gpt-4o-mini");
  EXPECT_EQ(shown.at("knowledge_base_ids"), json::array{7});

  // A GET's body is a valid PUT: it reproduces every setting except the keys.
  AiSettings back;
  ASSERT_TRUE(ApplyAiSettingsJson(shown, back));
  EXPECT_EQ(back.llm.api_key, "");
  back.llm.api_key = s.llm.api_key;
  EXPECT_EQ(ToPublicJson(back), shown);
}

}  // namespace
}  // namespace parley::agent
