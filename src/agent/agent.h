#pragma once
// The AI agent: a burst of customer messages (with the conversation's recent history) in, a decision and an answer
// out. It runs a pipeline of stages (agent/pipeline.h), each timed and recorded in the trace kept with the reply:
//   triage → faq → retrieve → generate (the model, or the extractive answerer offline) → validate.
// The agent never guesses: when nothing answers the question, or the model's answer is not supported by the
// passages it cites, it abstains and escalates to a person, with a draft the person can send or edit.

#include "agent/llm.h"
#include "agent/settings.h"
#include "core/blocking_pool.h"
#include "core/decision.h"
#include "core/error.h"
#include "core/message.h"
#include "knowledge/embedder.h"
#include "knowledge/retriever.h"
#include "knowledge/term_translator.h"
#include "store/knowledge_store.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::agent {

struct Turn {
  std::string role;  //!< "user" (the customer) or "assistant" (the business).
  std::string text;
};

struct AgentRequest {
  int64_t tenant_id = 0;
  TextRules text;                     //!< The platform's length limit and formatting.
  std::string question;               //!< The customer's unanswered messages, one per line.
  int earlier_messages_left_out = 0;  //!< Older messages of the burst not in `question` (BurstText).
  std::vector<Turn> history;          //!< Earlier turns, oldest first.
  //! The burst's photos, oldest first, for a model that reads images (AiSettings::llm.vision); empty otherwise.
  std::vector<ChatImage> images;
  int64_t at_ms = 0;  //!< When it is answered, for business hours; 0: now.
};

struct Source {
  int64_t document_id = 0;
  std::string name;
  int64_t chunk_id = 0;
  std::string text;
  double score = 0;  //!< The passage's relevance (0..1).
};

// What a person picking up an escalated conversation is offered to send or edit (agent assist).
struct Draft {
  std::string text;
  std::vector<Source> sources;
};

struct AgentAnswer {
  Decision decision = Decision::kAutoReply;
  Reason reason = Reason::kAnswered;
  Priority priority = Priority::kNormal;
  std::string language;            //!< The customer's language (ISO 639-1) as the agent understood it.
  std::string answer;              //!< What to send (the hand-off message when escalating; empty for IGNORE).
  std::vector<std::string> parts;  //!< `answer` split to the platform's limit.
  std::vector<Source> sources;
  std::optional<Draft> draft;  //!< When escalating: a proposed answer, if one is worth proposing.
  boost::json::array trace;    //!< One object per stage: {"stage","us" (duration),…details}.
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

boost::json::object ToJson(const AgentAnswer& answer);  //!< The playground's answer shape.
boost::json::object ToJson(const Draft& draft);         //!< {"text","sources":[…]}: the support item's draft.

// The models an assistant uses, resolved from its settings.
class Providers {
 public:
  virtual ~Providers() = default;
  virtual std::shared_ptr<knowledge::Embedder> EmbedderFor(const AiSettings& settings) = 0;
  // nullptr when no model is configured: the agent answers extractively.
  virtual std::shared_ptr<ChatModel> ChatModelFor(const AiSettings& settings) = 0;
};

class Agent {
 public:
  // Offline, `translator` renders a question in another language than the knowledge's in the knowledge's; null:
  // questions are searched as written.
  Agent(store::KnowledgeStore& store, knowledge::Retriever& retriever, Providers& providers, BlockingPool& pool,
        knowledge::TermTranslator* translator);
  ~Agent();

  // Runs the stages for `request` under `settings` (loaded once by the caller for the whole burst). An error only
  // for a failing store; a failing model gives an ESCALATE answer (reason model_failed) so the customer is never
  // left without a reply.
  boost::asio::awaitable<Result<AgentAnswer>> Answer(const AgentRequest& request, const AiSettings& settings);

 private:
  struct Pipeline;
  std::unique_ptr<Pipeline> pipeline_;
};

}  // namespace parley::agent
