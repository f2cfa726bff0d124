#pragma once
// Triage: what a burst of customer messages needs, decided before anything is retrieved. IGNORE (thanks,
// acknowledgements, emoji, spam, scams and phishing), GREETING (a bare greeting), AUTO_REPLY (a question the
// knowledge may answer: the answer stages decide the rest) or ESCALATE to a person, with a reason and a priority.
//
// Offline, high-precision rules in en, fr, de, es, it, pt and nl come first, and an urgent-safety rule (injury,
// medical emergency, threats, self-harm) always wins; what no rule decides goes to the classifier of
// triage_model.h, and a classifier unsure of itself leaves the burst to the answer stages (AUTO_REPLY).
//
// With a model, one structured call decides, detects the customer's language and rewrites the burst into
// standalone questions; its reply is validated strictly, and the rules stay as a guard.

#include "agent/llm.h"
#include "core/decision.h"
#include "core/error.h"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

struct TriageResult {
  ::parley::Decision decision = ::parley::Decision::kAutoReply;
  Reason reason = Reason::kAnswered;  //!< kAnswered for AUTO_REPLY: a question for the answer stages.
  Priority priority = Priority::kNormal;
  double confidence = 1;  //!< 1 for a rule; the classifier's or the fallback's probability otherwise.
  std::string source;     //!< "rule", "classifier", "fallback" (the classifier was unsure) or "model".
};

// Offline triage of a burst (its messages joined by '\n'). Deterministic, no I/O, microseconds per burst.
TriageResult TriageOffline(std::string_view burst_text);

struct ModelTriage {
  TriageResult triage;
  std::string language;                //!< The customer's language (ISO 639-1); empty when the model failed.
  std::vector<std::string> questions;  //!< Standalone questions; the burst itself when the model's reply was invalid.
  std::string invalid_reply;           //!< Why the model's reply was refused (then `triage` is the offline one).
  int prompt_tokens = 0;               //!< What the call consumed, counted with the reply's usage.
  int completion_tokens = 0;
};

struct TriageModelOptions {
  std::string knowledge_language;  //!< ISO 639-1: questions are rewritten in it (translated); empty: the customer's.
  size_t max_questions = 4;        //!< Sub-questions kept from one burst.
};

// One structured call to `model` (ChatRequest::response_schema; a reply that is JSON in plain text, possibly in a
// ```json fence, is accepted too) returning the decision, reason, priority, language and standalone questions of
// `burst`, read in the light of `history` (the conversation's earlier turns, oldest first) and of `images` (the photos
// of the burst, given only to a model that reads images: what they show goes into the questions). The reply is
// validated strictly: the five fields and nothing else, known codes, a reason that belongs to the decision, a
// two-letter language, non-empty questions (at least one for AUTO_REPLY). An invalid reply gives the offline triage
// with `invalid_reply` set; an urgent-safety rule match escalates whatever the model said. An error only when the model
// could not be reached (its error, unchanged): the caller then uses TriageOffline.
boost::asio::awaitable<Result<ModelTriage>> TriageWithModel(ChatModel& model, std::string burst,
                                                            std::vector<ChatMessage> history,
                                                            std::vector<ChatImage> images,
                                                            TriageModelOptions options = {});

// The JSON schema the model's reply must match (also sent as the request's response_schema).
boost::json::object TriageSchema();

// The model's reply text read strictly against TriageSchema() (through ParseJsonReply: whitespace and one ```json
// fence around the object are allowed); kInvalidArgument says what is wrong. The urgent-safety guard is not applied
// here.
Result<ModelTriage> ParseModelTriage(std::string_view reply, size_t max_questions = 4);

}  // namespace parley::agent
