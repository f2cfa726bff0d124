#pragma once
// A tenant's assistant: its AI settings, kept as one JSON object in the store (GET/PUT /api/ai-settings). Fields
// left out take the server's defaults (PARLEY_LLM_*, PARLEY_EMBEDDINGS_*); API keys are sealed with the master
// key at rest and never shown back (only whether one is set).

#include "agent/business_hours.h"
#include "agent/messages.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/decision.h"
#include "core/error.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::agent {

struct ProviderSettings {
  std::string base_url;  //!< Empty: none (offline).
  std::string api_key;
  std::string model;
  bool vision = false;  //!< The chat model reads images (the customer's photos go to it); embeddings ignore it.
};

// What triage leaves to the bot that it would otherwise hand to a person. Urgent safety is never among them: the
// safety message goes out at once and a person is told, whatever the settings say.
struct TriageOptions {
  bool answer_greetings = true;  //!< False: a bare greeting gets no reply (the customer's question will).
  //! Escalation reasons the bot still tries to answer from the knowledge first (one of kTriableReasons); a burst it
  //! cannot answer is handed off as usual. The others go straight to a person.
  std::vector<Reason> try_to_answer;
};

// The escalation reasons a business may let the bot try to answer: the customer may be asking something the
// knowledge answers (a refund policy, how to reset a password). A request for a person, abuse and urgent safety
// always go to a person.
inline constexpr Reason kTriableReasons[] = {Reason::kComplaint, Reason::kBillingDispute, Reason::kAccountAccess,
                                             Reason::kLegal};

// Whether triage's escalation for `reason` is tried by the bot first under `options`.
bool TriesToAnswer(const TriageOptions& options, Reason reason);

inline constexpr int64_t kMaxBatchWindowMs = 60000;

// How the assistant answers a public comment (an Instagram comment thread, store::Conversation::comment_on).
enum class CommentReplies {
  kOff,      //!< Not at all: comments wait for a person.
  kPublic,   //!< Under the comment, in a sentence or two; what may not be said in public goes privately.
  kPrivate,  //!< In one private message to the commenter (Instagram: within 7 days of the comment).
  kBoth,     //!< A short public reply, and the whole answer privately.
};
std::string_view ToString(CommentReplies c);
std::optional<CommentReplies> ParseCommentReplies(std::string_view s);

// What becomes of a voice note no transcript was made of (no transcription endpoint, a failure, nothing said): the
// customer is never left in silence.
enum class UnheardVoiceNotes {
  kAskToWrite,  //!< The audio notice asks the customer to write instead; the rest of the burst is answered.
  kHandOff,     //!< The conversation goes to a person, who listens: the hand-off message says so.
};
std::string_view ToString(UnheardVoiceNotes u);
std::optional<UnheardVoiceNotes> ParseUnheardVoiceNotes(std::string_view s);

struct AiSettings {
  bool enabled = true;                      //!< False: the bot never answers (messages wait for a person).
  std::vector<int64_t> knowledge_base_ids;  //!< Empty: every knowledge base of the tenant.
  std::string persona =
      "You are the friendly customer service assistant of this business. Answer briefly and precisely.";
  //! "auto" answers in the customer's language; else the ISO 639-1 code of the one language every reply is in.
  std::string answer_language = "auto";
  ProviderSettings llm;
  double temperature = 0.2;
  int max_tokens = 400;
  ProviderSettings embeddings;
  // Offline, a passage less relevant than this (0..1) is never quoted, whatever the fitted answerability model
  // (agent/answerability.h) says; 0 leaves the decision to the model, which is fitted on the development set.
  double min_relevance = 0;
  int top_k = 5;
  int history_turns = 10;  //!< Earlier messages of the conversation given to the model.
  // The tenant's texts for the bot's messages in the default language (`language`), from before `messages`: see
  // agent/messages.h. Empty, or the built-in English text they hold by default, means "the built-in text".
  std::string handoff_message = "I'm passing you to a member of our team, who will answer you here shortly.";
  std::string fallback_message = "Sorry, I don't have that information. A member of our team will get back to you.";
  std::string greeting_message = "Hello! How can I help you?";  //!< The answer to a bare greeting.
  BotTexts messages;  //!< The tenant's own texts by language, over the built-in ones (agent/messages.h).
  //! The knowledge's language (ISO 639-1, with a stemmer): how it is stemmed, and the assistant's default language.
  //! Its Snowball name ("english") is accepted too and stored as the code.
  std::string language = "en";
  int chunk_size = 800;     //!< Characters per chunk, about (the chunker never exceeds 1.5×).
  int chunk_overlap = 120;  //!< Characters repeated between consecutive chunks of a section.
  //! How long the bot waits after a customer's message for the next one before answering the burst
  //! (queue/batcher.h), 0..kMaxBatchWindowMs; the server's PARLEY_BATCH_WINDOW_MS unless the tenant set one. The
  //! server's PARLEY_BATCH_MAX_WAIT_MS still bounds the whole wait.
  int64_t batch_window_ms = 2000;
  TriageOptions triage;
  BusinessHours business_hours;  //!< Off by default: always open.
  //! Private by default, as comment-to-DM tools do: the commenter gets the whole answer, the post stays uncluttered.
  CommentReplies comment_replies = CommentReplies::kPrivate;
  UnheardVoiceNotes unheard_voice_notes = UnheardVoiceNotes::kAskToWrite;

  // The tenant's IANA time zone (GET/PATCH /api/tenant), which business hours are read in. A tenant setting of
  // its own, filled when the settings are loaded: never read from or written to the settings' JSON.
  std::string time_zone = "UTC";

  // The operator's media notices (PARLEY_IMAGE_NOTICE, PARLEY_AUDIO_NOTICE), which replace the built-in English ones.
  // Server configuration, not a tenant setting: never read from or written to the settings' JSON.
  std::string operator_image_notice;
  std::string operator_audio_notice;
};

// The settings with the server's defaults for what the tenant did not set.
AiSettings DefaultAiSettings(const Config& config);

// Whether, at `utc_ms`, the assistant is outside its business hours (never when they are off): what it cannot
// answer then is handed off with the out-of-hours message.
bool OutOfHours(const AiSettings& settings, int64_t utc_ms);

// Applies the fields present in `json` over `settings`. kInvalidArgument naming the field on a wrong type, an
// out-of-range value, an unknown language or an unknown field. Keys given as "" clear them. Languages are read as
// their ISO 639-1 code; `messages` replaces the whole set of the tenant's texts.
Result<void> ApplyAiSettingsJson(const boost::json::object& json, AiSettings& settings);

// The store keeps only what the tenant set (so a new server default reaches every tenant that did not), with API
// keys sealed by `box`. Validates `changes` against the current settings and returns the new stored form.
Result<std::string> MergeStoredSettings(const std::optional<std::string>& stored, const boost::json::object& changes,
                                        const AiSettings& defaults, const crypto::SecretBox& box);
// The stored form applied over the defaults; a key that cannot be unsealed (another master key) is dropped.
Result<AiSettings> FromStoredJson(const std::optional<std::string>& stored, const AiSettings& defaults,
                                  const crypto::SecretBox& box);

// The public form for GET /api/ai-settings: keys replaced by "llm_api_key_set"/"embeddings_api_key_set".
boost::json::object ToPublicJson(const AiSettings& settings);

// The JSON Schema of the public form, which is also what PUT /api/ai-settings accepts (every field optional there,
// the API keys write-only), for the API reference.
boost::json::object AiSettingsJsonSchema();

}  // namespace parley::agent
