#pragma once
// The AI agent: one question (with the conversation's recent history) in, a decision and an answer out, through
// explicit stages, each timed and recorded in the trace kept with the reply:
//   triage → check_faq → retrieve → generate (the model, or the extractive answerer offline) → validate.
// The agent never guesses: when nothing relevant enough is found, or the model's answer is not supported by the
// passages, it abstains and escalates to a person.

#include "agent/llm.h"
#include "agent/settings.h"
#include "agent/stages.h"
#include "core/blocking_pool.h"
#include "core/error.h"
#include "core/message.h"
#include "knowledge/embedder.h"
#include "knowledge/retriever.h"
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
  Platform platform = Platform::kWhatsApp;  //!< Decides the length limit and formatting.
  std::string question;                     //!< The customer's unanswered messages, joined.
  std::vector<Turn> history;                //!< Earlier turns, oldest first.
};

struct Source {
  int64_t document_id = 0;
  std::string name;
  int64_t chunk_id = 0;
  std::string text;
  double score = 0;  //!< The passage's relevance (0..1).
};

struct AgentAnswer {
  Decision decision = Decision::kAutoReply;
  std::string reason;              //!< Why (triage reason, "faq", "answered", "low_relevance", "model_failed", …).
  std::string answer;              //!< What to send (the hand-off message when escalating; empty for IGNORE).
  std::vector<std::string> parts;  //!< `answer` split to the platform's limit.
  std::vector<Source> sources;
  boost::json::array trace;  //!< One object per stage: {"stage","us" (duration),…details}.
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

boost::json::object ToJson(const AgentAnswer& answer);  //!< The playground's answer shape.

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
  Agent(store::KnowledgeStore& store, knowledge::Retriever& retriever, Providers& providers, BlockingPool& pool)
      : store_(store), retriever_(retriever), providers_(providers), pool_(pool) {}

  // Runs the stages for `request` under `settings`. An error only for a failing store; a failing model gives
  // an ESCALATE answer (reason "model_failed") so the customer is never left without a reply.
  boost::asio::awaitable<Result<AgentAnswer>> Answer(const AgentRequest& request, const AiSettings& settings);

 private:
  store::KnowledgeStore& store_;
  knowledge::Retriever& retriever_;
  Providers& providers_;
  BlockingPool& pool_;
};

}  // namespace parley::agent
