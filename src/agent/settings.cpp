#include "agent/settings.h"

#include "core/json.h"
#include "core/utf8.h"
#include "knowledge/language.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <tuple>

namespace parley::agent {
namespace {

Error FieldError(std::string_view field, std::string_view expected) {
  return Error::InvalidArgument(std::string(field) + " must be " + std::string(expected));
}

Result<void> ReadString(const boost::json::value& value, std::string_view field, size_t max_size, std::string& out) {
  if (!value.is_string() || value.as_string().size() > max_size) {
    return FieldError(field, "a string of at most " + std::to_string(max_size) + " bytes");
  }
  out = std::string(value.as_string());
  return Ok();
}

Result<void> ReadNumber(const boost::json::value& value, std::string_view field, double low, double high, double& out) {
  if (!value.is_number()) return FieldError(field, "a number");
  double number = value.to_number<double>();
  if (number < low || number > high) {
    return FieldError(field, "between " + std::to_string(low) + " and " + std::to_string(high));
  }
  out = number;
  return Ok();
}

Result<void> ReadInt(const boost::json::value& value, std::string_view field, int64_t low, int64_t high, int& out) {
  if (!value.is_int64() && !value.is_uint64()) return FieldError(field, "an integer");
  int64_t number = value.is_int64() ? value.as_int64() : static_cast<int64_t>(value.as_uint64());
  if (number < low || number > high) {
    return FieldError(field, "between " + std::to_string(low) + " and " + std::to_string(high));
  }
  out = static_cast<int>(number);
  return Ok();
}

Result<void> ReadUrl(const boost::json::value& value, std::string_view field, std::string& out) {
  auto read = ReadString(value, field, 2048, out);
  if (!read) return read;
  if (!out.empty() && out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0) {
    return FieldError(field, "an http:// or https:// URL");
  }
  return Ok();
}

constexpr size_t kMaxMessageBytes = 1000;
// Enough for every language a business may meet; a bound on what one tenant stores.
constexpr size_t kMaxMessageLanguages = 40;

std::string SupportedCodes() {
  std::string codes;
  for (const auto& language : knowledge::SupportedLanguages()) {
    codes += (codes.empty() ? "" : ", ") + std::string(language.code);
  }
  return codes;
}

Result<void> ReadLanguage(const boost::json::value& value, std::string_view field, std::string& out) {
  auto code = value.is_string() ? knowledge::LanguageCode(value.as_string()) : std::nullopt;
  if (!code || !knowledge::IsSupportedLanguage(*code)) {
    return FieldError(field,
                      "the ISO 639-1 code (or the Snowball name) of a language with a stemmer: " + SupportedCodes());
  }
  out = std::move(*code);
  return Ok();
}

Result<void> ReadAnswerLanguage(const boost::json::value& value, std::string_view field, std::string& out) {
  if (value.is_string() && value.as_string() == "auto") {
    out = "auto";
    return Ok();
  }
  auto code = value.is_string() ? knowledge::LanguageCode(value.as_string()) : std::nullopt;
  if (!code) return FieldError(field, "\"auto\" or an ISO 639-1 language code");
  out = std::move(*code);
  return Ok();
}

// {"fr": {"greeting": "…", …}, …}: known languages (by code or name), known messages, UTF-8 texts of at most
// kMaxMessageBytes. An empty text leaves that message to the built-in one.
Result<void> ReadMessages(const boost::json::value& value, std::string_view field, BotTexts& out) {
  if (!value.is_object() || value.as_object().size() > kMaxMessageLanguages) {
    return FieldError(field, "an object of at most " + std::to_string(kMaxMessageLanguages) +
                                 " languages, each an object of texts by message");
  }
  BotTexts texts;
  for (const auto& [language, entries] : value.as_object()) {
    const std::string language_field = std::string(field) + "." + std::string(language);
    auto code = knowledge::LanguageCode(language);
    if (!code) return FieldError(language_field, "named by an ISO 639-1 language code");
    if (!entries.is_object()) return FieldError(language_field, "an object of texts by message");
    for (const auto& [key, text] : entries.as_object()) {
      const std::string text_field = language_field + "." + std::string(key);
      auto message = ParseBotMessage(key);
      if (!message) {
        std::string keys;
        for (BotMessage known : kAllBotMessages) keys += (keys.empty() ? "" : ", ") + std::string(ToString(known));
        return FieldError(text_field, "one of the messages " + keys);
      }
      if (!text.is_string() || text.as_string().size() > kMaxMessageBytes || !IsValidUtf8(text.as_string())) {
        return FieldError(text_field, "a UTF-8 string of at most " + std::to_string(kMaxMessageBytes) + " bytes");
      }
      if (!text.as_string().empty()) texts[*code][*message] = std::string(text.as_string());
    }
  }
  out = std::move(texts);
  return Ok();
}

// {"answer_greetings": bool, "try_to_answer": ["complaint", …]}: fields left out keep their value; reasons from
// kTriableReasons, each once.
Result<void> ReadTriage(const boost::json::value& value, std::string_view field, TriageOptions& out) {
  if (!value.is_object()) return FieldError(field, "an object {\"answer_greetings\", \"try_to_answer\"}");
  TriageOptions options = out;
  for (const auto& [key, entry] : value.as_object()) {
    const std::string entry_field = std::string(field) + "." + std::string(key);
    if (key == "answer_greetings") {
      if (!entry.is_bool()) return FieldError(entry_field, "true or false");
      options.answer_greetings = entry.as_bool();
    } else if (key == "try_to_answer") {
      std::string allowed;
      for (Reason reason : kTriableReasons) allowed += (allowed.empty() ? "" : ", ") + std::string(ToString(reason));
      if (!entry.is_array()) return FieldError(entry_field, "an array of reasons among " + allowed);
      std::vector<Reason> reasons;
      for (const auto& item : entry.as_array()) {
        auto reason = item.is_string() ? ParseReason(item.as_string()) : std::nullopt;
        if (!reason ||
            std::find(std::begin(kTriableReasons), std::end(kTriableReasons), *reason) == std::end(kTriableReasons)) {
          return FieldError(entry_field, "an array of reasons among " + allowed);
        }
        if (std::find(reasons.begin(), reasons.end(), *reason) == reasons.end()) reasons.push_back(*reason);
      }
      options.try_to_answer = std::move(reasons);
    } else {
      return Error::InvalidArgument("unknown field " + entry_field);
    }
  }
  out = std::move(options);
  return Ok();
}

boost::json::object TriageJson(const TriageOptions& options) {
  boost::json::array reasons;
  for (Reason reason : options.try_to_answer) reasons.push_back(boost::json::string(ToString(reason)));
  return {{"answer_greetings", options.answer_greetings}, {"try_to_answer", std::move(reasons)}};
}

// The built-in texts as this server has them, by language: what a message without the tenant's own text says.
boost::json::object BuiltinMessagesJson(const AiSettings& settings) {
  boost::json::object languages;
  AiSettings untouched;
  untouched.operator_image_notice = settings.operator_image_notice;
  untouched.operator_audio_notice = settings.operator_audio_notice;
  for (std::string_view language : BuiltinMessageLanguages()) {
    untouched.language = std::string(language);
    boost::json::object entries;
    for (BotMessage message : kAllBotMessages) entries[ToString(message)] = BotText(untouched, message, language);
    languages[language] = std::move(entries);
  }
  return languages;
}

boost::json::object MessagesJson(const BotTexts& texts) {
  boost::json::object languages;
  for (const auto& [language, messages] : texts) {
    boost::json::object entries;
    for (const auto& [message, text] : messages) entries[ToString(message)] = text;
    languages[language] = std::move(entries);
  }
  return languages;
}

}  // namespace

AiSettings DefaultAiSettings(const Config& config) {
  AiSettings settings;
  settings.llm = {config.llm_base_url, config.llm_api_key, config.llm_model, config.llm_vision};
  settings.embeddings = {config.embeddings_base_url, config.embeddings_api_key, config.embeddings_model};
  settings.operator_image_notice = config.image_notice;
  settings.operator_audio_notice = config.audio_notice;
  settings.batch_window_ms = std::min<int64_t>(config.batch_window_ms, kMaxBatchWindowMs);
  return settings;
}

bool TriesToAnswer(const TriageOptions& options, Reason reason) {
  return reason != Reason::kUrgentSafety &&
         std::find(options.try_to_answer.begin(), options.try_to_answer.end(), reason) != options.try_to_answer.end();
}

std::string_view ToString(CommentReplies c) {
  switch (c) {
    case CommentReplies::kOff:
      return "off";
    case CommentReplies::kPublic:
      return "public";
    case CommentReplies::kPrivate:
      return "private";
    case CommentReplies::kBoth:
      return "both";
  }
  return "private";
}

std::optional<CommentReplies> ParseCommentReplies(std::string_view s) {
  for (CommentReplies c :
       {CommentReplies::kOff, CommentReplies::kPublic, CommentReplies::kPrivate, CommentReplies::kBoth}) {
    if (s == ToString(c)) return c;
  }
  return std::nullopt;
}

std::string_view ToString(UnheardVoiceNotes u) {
  return u == UnheardVoiceNotes::kHandOff ? "hand_off" : "ask_to_write";
}

std::optional<UnheardVoiceNotes> ParseUnheardVoiceNotes(std::string_view s) {
  for (UnheardVoiceNotes u : {UnheardVoiceNotes::kAskToWrite, UnheardVoiceNotes::kHandOff}) {
    if (s == ToString(u)) return u;
  }
  return std::nullopt;
}

bool OutOfHours(const AiSettings& settings, int64_t utc_ms) {
  return !IsOpen(settings.business_hours, settings.time_zone, utc_ms);
}

Result<void> ApplyAiSettingsJson(const boost::json::object& json, AiSettings& settings) {
  for (const auto& [key, value] : json) {
    Result<void> read = Ok();
    if (key == "enabled") {
      if (!value.is_bool()) return FieldError(key, "true or false");
      settings.enabled = value.as_bool();
    } else if (key == "knowledge_base_ids") {
      if (!value.is_array()) return FieldError(key, "an array of ids");
      std::vector<int64_t> ids;
      for (const auto& id : value.as_array()) {
        if (!id.is_int64() || id.as_int64() <= 0) return FieldError(key, "an array of ids");
        ids.push_back(id.as_int64());
      }
      settings.knowledge_base_ids = std::move(ids);
    } else if (key == "persona") {
      read = ReadString(value, key, 8000, settings.persona);
    } else if (key == "answer_language") {
      read = ReadAnswerLanguage(value, key, settings.answer_language);
    } else if (key == "language") {
      read = ReadLanguage(value, key, settings.language);
    } else if (key == "messages") {
      read = ReadMessages(value, key, settings.messages);
    } else if (key == "llm_base_url") {
      read = ReadUrl(value, key, settings.llm.base_url);
    } else if (key == "llm_api_key") {
      read = ReadString(value, key, 512, settings.llm.api_key);
    } else if (key == "model" || key == "llm_model") {
      read = ReadString(value, key, 200, settings.llm.model);
    } else if (key == "llm_vision") {
      if (!value.is_bool()) return FieldError(key, "true or false");
      settings.llm.vision = value.as_bool();
    } else if (key == "temperature") {
      read = ReadNumber(value, key, 0, 2, settings.temperature);
    } else if (key == "max_tokens") {
      read = ReadInt(value, key, 16, 16384, settings.max_tokens);
    } else if (key == "embeddings_base_url") {
      read = ReadUrl(value, key, settings.embeddings.base_url);
    } else if (key == "embeddings_api_key") {
      read = ReadString(value, key, 512, settings.embeddings.api_key);
    } else if (key == "embeddings_model") {
      read = ReadString(value, key, 200, settings.embeddings.model);
    } else if (key == "min_relevance") {
      read = ReadNumber(value, key, 0, 1, settings.min_relevance);
    } else if (key == "top_k") {
      read = ReadInt(value, key, 1, 20, settings.top_k);
    } else if (key == "history_turns") {
      read = ReadInt(value, key, 0, 50, settings.history_turns);
    } else if (key == "handoff_message") {
      read = ReadString(value, key, 1000, settings.handoff_message);
    } else if (key == "fallback_message") {
      read = ReadString(value, key, 1000, settings.fallback_message);
    } else if (key == "chunk_size") {
      read = ReadInt(value, key, 200, 4000, settings.chunk_size);
    } else if (key == "chunk_overlap") {
      read = ReadInt(value, key, 0, 1000, settings.chunk_overlap);
    } else if (key == "greeting_message") {
      read = ReadString(value, key, 1000, settings.greeting_message);
    } else if (key == "batch_window_ms") {
      int window = 0;
      read = ReadInt(value, key, 0, kMaxBatchWindowMs, window);
      if (read) settings.batch_window_ms = window;
    } else if (key == "triage") {
      read = ReadTriage(value, key, settings.triage);
    } else if (key == "comment_replies") {
      std::optional<CommentReplies> replies =
          value.is_string() ? ParseCommentReplies(value.get_string()) : std::nullopt;
      if (!replies) return FieldError(key, "one of off, public, private, both");
      settings.comment_replies = *replies;
    } else if (key == "unheard_voice_notes") {
      std::optional<UnheardVoiceNotes> unheard =
          value.is_string() ? ParseUnheardVoiceNotes(value.get_string()) : std::nullopt;
      if (!unheard) return FieldError(key, "one of ask_to_write, hand_off");
      settings.unheard_voice_notes = *unheard;
    } else if (key == "business_hours") {
      auto hours = ParseBusinessHours(value, settings.business_hours);
      if (!hours) return hours.error();
      settings.business_hours = std::move(*hours);
    } else if (key == "llm_api_key_set" || key == "embeddings_api_key_set" || key == "builtin_messages") {
      continue;  // Read-only fields of the public form, tolerated so a GET can be PUT back.
    } else {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
    if (!read) return read;
  }
  return Ok();
}

boost::json::object ToPublicJson(const AiSettings& s) {
  boost::json::array ids;
  for (int64_t id : s.knowledge_base_ids) ids.push_back(id);
  return {{"enabled", s.enabled},
          {"knowledge_base_ids", std::move(ids)},
          {"persona", s.persona},
          {"answer_language", s.answer_language},
          {"language", s.language},
          {"llm_base_url", s.llm.base_url},
          {"llm_api_key_set", !s.llm.api_key.empty()},
          {"model", s.llm.model},
          {"llm_vision", s.llm.vision},
          {"temperature", s.temperature},
          {"max_tokens", s.max_tokens},
          {"embeddings_base_url", s.embeddings.base_url},
          {"embeddings_api_key_set", !s.embeddings.api_key.empty()},
          {"embeddings_model", s.embeddings.model},
          {"min_relevance", s.min_relevance},
          {"top_k", s.top_k},
          {"history_turns", s.history_turns},
          {"handoff_message", s.handoff_message},
          {"fallback_message", s.fallback_message},
          {"greeting_message", s.greeting_message},
          {"messages", MessagesJson(s.messages)},
          {"builtin_messages", BuiltinMessagesJson(s)},
          {"chunk_size", s.chunk_size},
          {"chunk_overlap", s.chunk_overlap},
          {"batch_window_ms", s.batch_window_ms},
          {"triage", TriageJson(s.triage)},
          {"business_hours", ToJson(s.business_hours)},
          {"comment_replies", ToString(s.comment_replies)},
          {"unheard_voice_notes", ToString(s.unheard_voice_notes)}};
}

boost::json::object AiSettingsJsonSchema() {
  auto string = [](std::string_view description, std::optional<int> max_length = std::nullopt) {
    boost::json::object schema{{"type", "string"}, {"description", description}};
    if (max_length) schema["maxLength"] = *max_length;
    return schema;
  };
  auto number = [](std::string_view type, double low, double high, std::string_view description) {
    return boost::json::object{{"type", type}, {"minimum", low}, {"maximum", high}, {"description", description}};
  };
  auto url = [](std::string_view description) {
    return boost::json::object{{"type", "string"}, {"pattern", "^(https?://.*)?$"}, {"description", description}};
  };
  boost::json::array supported;
  for (const auto& language : knowledge::SupportedLanguages()) supported.push_back(boost::json::string(language.code));
  boost::json::array triable;
  for (Reason reason : kTriableReasons) triable.push_back(boost::json::string(ToString(reason)));
  boost::json::object texts;
  boost::json::object builtin_texts;
  boost::json::array every_message;
  for (BotMessage message : kAllBotMessages) {
    texts[ToString(message)] = string("At most 1000 bytes; \"\" leaves the message to the built-in text.");
    builtin_texts[ToString(message)] = string("The built-in text of this message in this language.");
    every_message.push_back(boost::json::string(ToString(message)));
  }
  const std::string legacy =
      " in the default language (`language`); \"\" restores the built-in texts. A `messages` entry for that "
      "language wins over it.";
  boost::json::object properties{
      {"enabled", {{"type", "boolean"}, {"description", "False: the bot never answers; messages wait for a person."}}},
      {"knowledge_base_ids",
       {{"type", "array"},
        {"items", {{"type", "integer"}, {"minimum", 1}}},
        {"description", "The knowledge bases the assistant answers from; empty: all of the tenant's."}}},
      {"persona", string("The model's instructions about who it is and how it speaks.")},
      {"answer_language",
       string("\"auto\" answers in the customer's language; an ISO 639-1 code answers always in that language.")},
      {"language",
       {{"type", "string"},
        {"examples", std::move(supported)},
        {"description",
         "The knowledge's language and the assistant's default one: an ISO 639-1 code of a language with a "
         "stemmer (its Snowball name, \"english\", is accepted and stored as the code). A change re-indexes the "
         "knowledge; an unknown language is refused (400) and changes nothing."}}},
      {"llm_base_url", url("OpenAI-compatible chat endpoint; \"\": the server's default (or offline).")},
      {"llm_api_key", string("Write-only; sealed at rest. \"\" removes the tenant's key.")},
      {"llm_api_key_set", {{"type", "boolean"}, {"readOnly", true}}},
      {"model", string("The chat model's name (also accepted as `llm_model`).")},
      {"llm_model", string("Another name for `model`, accepted on input.")},
      {"llm_vision",
       {{"type", "boolean"},
        {"description",
         "The chat model reads images: the customer's photos go to it with their messages. The server's "
         "PARLEY_LLM_VISION by default, for the server's model only: a tenant who names another endpoint or model "
         "says whether it does."}}},
      {"temperature", number("number", 0, 2, "The model's sampling temperature.")},
      {"max_tokens", number("integer", 16, 16384, "Most tokens the model may write per answer.")},
      {"embeddings_base_url", url("OpenAI-compatible embeddings endpoint; \"\": the built-in embedder.")},
      {"embeddings_api_key", string("Write-only; sealed at rest. \"\" removes the tenant's key.")},
      {"embeddings_api_key_set", {{"type", "boolean"}, {"readOnly", true}}},
      {"embeddings_model", string("The embeddings model's name.")},
      {"min_relevance", number("number", 0, 1,
                               "Offline, passages less relevant than this are never quoted; 0 leaves the decision to "
                               "the fitted answerability model.")},
      {"top_k", number("integer", 1, 20, "Passages retrieved per question.")},
      {"history_turns", number("integer", 0, 50, "Earlier messages of the conversation given to the model.")},
      {"greeting_message", string("The answer to a bare greeting" + legacy)},
      {"handoff_message", string("Sent when the conversation goes to a person" + legacy)},
      {"fallback_message", string("Sent when the knowledge has no answer" + legacy)},
      {"messages",
       {{"type", "object"},
        {"maxProperties", kMaxMessageLanguages},
        {"propertyNames", {{"description", "An ISO 639-1 language code."}}},
        {"additionalProperties",
         {{"type", "object"}, {"properties", std::move(texts)}, {"additionalProperties", false}}},
        {"description",
         "The tenant's own texts for the bot's messages, by language, over the built-in ones (en, fr, de, es, it, "
         "pt, nl). A PUT replaces the whole set."}}},
      {"builtin_messages",
       {{"type", "object"},
        {"readOnly", true},
        {"propertyNames", {{"description", "An ISO 639-1 language code."}}},
        {"additionalProperties",
         {{"type", "object"},
          {"properties", std::move(builtin_texts)},
          {"required", std::move(every_message)},
          {"additionalProperties", false}}},
        {"description",
         "The built-in texts by language (en, fr, de, es, it, pt, nl) and message: what a message says where the "
         "tenant wrote none. Ignored on input."}}},
      {"chunk_size", number("integer", 200, 4000, "Characters per chunk, about; a change re-indexes the knowledge.")},
      {"chunk_overlap", number("integer", 0, 1000, "Characters repeated between consecutive chunks of a section.")},
      {"batch_window_ms",
       number("integer", 0, static_cast<double>(kMaxBatchWindowMs),
              "Milliseconds the bot waits after a customer's message for the next one before answering the burst; "
              "the server's PARLEY_BATCH_WINDOW_MS unless set. PARLEY_BATCH_MAX_WAIT_MS still bounds the wait.")},
      {"triage",
       {{"type", "object"},
        {"additionalProperties", false},
        {"description",
         "What triage leaves to the bot. Urgent safety is always answered with the `safety` message and handed to "
         "a person, whatever these say."},
        {"properties",
         {{"answer_greetings",
           {{"type", "boolean"},
            {"description", "True (default): a bare greeting gets the `greeting` message; false: no reply."}}},
          {"try_to_answer",
           {{"type", "array"},
            {"uniqueItems", true},
            {"items", {{"type", "string"}, {"enum", std::move(triable)}}},
            {"description",
             "Escalation reasons the bot still tries to answer from the knowledge before handing off (default: "
             "none, every such burst goes straight to a person)."}}}}}}},
      {"business_hours", BusinessHoursJsonSchema()},
      {"comment_replies",
       {{"type", "string"},
        {"enum", {"off", "public", "private", "both"}},
        {"description",
         "How public comments (Instagram) are answered: off; public (a sentence or two under the comment, never a "
         "price, e-mail or phone number: those go privately with an invitation in public); private (default: one "
         "private message to the commenter, within 7 days of the comment); both (short in public, whole in "
         "private)."}}},
      {"unheard_voice_notes",
       {{"type", "string"},
        {"enum", {"ask_to_write", "hand_off"}},
        {"description",
         "A voice note no transcript was made of (no transcription endpoint, a failure, nothing said): ask_to_write "
         "(default: the audio notice asks the customer to write, the rest of the burst is answered) or hand_off "
         "(the conversation goes to a person, who listens; the hand-off message is sent)."}}},
  };
  return {{"type", "object"},
          {"description", "The assistant's settings. Fields left out of a PUT keep their value."},
          {"properties", std::move(properties)},
          {"additionalProperties", false}};
}

Result<std::string> MergeStoredSettings(const std::optional<std::string>& stored, const boost::json::object& changes,
                                        const AiSettings& defaults, const crypto::SecretBox& box) {
  auto current = FromStoredJson(stored, defaults, box);
  if (!current) return current.error();
  auto applied = ApplyAiSettingsJson(changes, *current);
  if (!applied) return applied.error();
  boost::json::object overrides;
  if (stored) overrides = boost::json::parse(*stored).as_object();
  const boost::json::object shown = ToPublicJson(*current);
  for (const auto& [key, value] : changes) {
    if (key == "llm_api_key_set" || key == "embeddings_api_key_set" || key == "builtin_messages") continue;
    if (key == "model" || key == "llm_model") {
      // Two names for one field, kept under one so that the latest change wins over an earlier one by the other name.
      overrides.erase("llm_model");
      overrides["model"] = value;
      continue;
    }
    if (key == "language" || key == "answer_language" || key == "messages" || key == "triage" ||
        key == "business_hours") {
      // Stored as read: codes, whatever name the change used.
      overrides[key] = shown.at(key);
      if (key == "messages" && current->messages.empty()) overrides.erase(key);
      continue;
    }
    if ((key == "greeting_message" || key == "handoff_message" || key == "fallback_message") &&
        value.as_string().empty()) {
      overrides.erase(key);  // Back to the built-in texts.
      continue;
    }
    if (key == "llm_api_key" || key == "embeddings_api_key") {
      std::string sealed_key = std::string(key) + "_sealed";
      if (value.as_string().empty()) {
        overrides.erase(sealed_key);
      } else {
        overrides[sealed_key] = box.Seal(value.as_string());
      }
      continue;
    }
    overrides[key] = value;
  }
  return SerializeJson(overrides);
}

Result<AiSettings> FromStoredJson(const std::optional<std::string>& stored, const AiSettings& defaults,
                                  const crypto::SecretBox& box) {
  if (!stored) return defaults;
  boost::system::error_code error;
  auto parsed = boost::json::parse(*stored, error);
  if (error || !parsed.is_object()) return Error::Internal("stored AI settings are not a JSON object");
  boost::json::object fields = parsed.as_object();
  AiSettings settings = defaults;
  bool own_llm_key = false;
  bool own_embeddings_key = false;
  for (auto [sealed_field, target, own] :
       {std::tuple{"llm_api_key_sealed", &settings.llm.api_key, &own_llm_key},
        std::tuple{"embeddings_api_key_sealed", &settings.embeddings.api_key, &own_embeddings_key}}) {
    if (auto* sealed = fields.if_contains(sealed_field); sealed != nullptr && sealed->is_string()) {
      auto opened = box.Open(sealed->as_string());
      if (opened) {
        *target = std::move(*opened);
        *own = true;
      }
    }
    fields.erase(sealed_field);
  }
  // Before languages were checked, any string was stored. One that names no language acted as English (the
  // stemmer's fallback) or as no instruction to the model: dropping it keeps that, where refusing would lock the
  // tenant out of its settings.
  for (const char* field : {"language", "answer_language"}) {
    AiSettings scratch;
    if (auto* value = fields.if_contains(field); value != nullptr && !ApplyAiSettingsJson({{field, *value}}, scratch)) {
      fields.erase(field);
    }
  }
  auto applied = ApplyAiSettingsJson(fields, settings);
  if (!applied) return applied.error();
  // The server's keys are for the server's endpoints: a tenant who points a provider at another URL without a key
  // of its own must not have the operator's key sent there in the Authorization header.
  if (!own_llm_key && settings.llm.base_url != defaults.llm.base_url) settings.llm.api_key.clear();
  // Whether the server's model reads images says nothing of another model.
  if (!fields.contains("llm_vision") &&
      (settings.llm.base_url != defaults.llm.base_url || settings.llm.model != defaults.llm.model)) {
    settings.llm.vision = false;
  }
  if (!own_embeddings_key && settings.embeddings.base_url != defaults.embeddings.base_url) {
    settings.embeddings.api_key.clear();
  }
  return settings;
}

}  // namespace parley::agent
