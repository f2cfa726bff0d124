#pragma once
// The agent's pipeline: stages behind one interface, run in order over one shared state until one of them settles
// the burst (decides to ignore, greet, answer or escalate). The loop times each stage and appends its trace entry,
// so a stage only says what it saw and decided.
//
// The state carries what the stages hand each other: the customer's language, the questions to answer (one per
// thing the burst asks), the passages found for each, the answer before validation, and finally the decision.

#include "agent/agent.h"
#include "agent/grounding.h"
#include "agent/messages.h"
#include "agent/support.h"
#include "knowledge/term_translator.h"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// One thing the burst asks, and what was found for it.
struct Question {
  std::string text;  //!< Standalone: readable without the rest of the burst.
  //! In the knowledge's language, offline: its words translated (knowledge/term_translator.h) when the customer
  //! writes in another language and a dictionary has the pair; empty when it is searched as written. Set by
  //! retrieval.
  std::string translated;
  //! The words of `searched()` whose spelling retrieval corrected, as corrected ("sundys" → "sundays"). Set by
  //! retrieval.
  std::vector<std::string> corrections;
  Subject subject;                           //!< What it asks about (support.h), spelling corrected.
  std::vector<knowledge::Passage> passages;  //!< Best first, as reranked (rerank.h).
  std::vector<double> rerank_scores;         //!< The reranker's probability of each passage, in the same order.
  std::optional<int64_t> faq_id;             //!< Set when a Q&A pair answers it.
  std::string answer;                        //!< What answers it (empty: nothing does).
  std::vector<Source> cited;

  //! What the knowledge is searched, judged and quoted with: the translation, else the text.
  const std::string& searched() const { return translated.empty() ? text : translated; }
  //! What a quote's sentences are chosen with (QuoteAnswer): `searched()` and its spelling corrections, so "are u
  //! open on sundys" quotes "We are closed on Sundays".
  std::string quoted() const;
};

struct AgentState {
  AgentState(const AgentRequest& request, const AiSettings& settings) : request(request), settings(settings) {}

  const AgentRequest& request;
  const AiSettings& settings;
  std::string language;                     // The customer's language (ISO 639-1), from triage.
  std::vector<Question> questions;          // From triage; answered in order.
  std::shared_ptr<ChatModel> model;         // nullptr: offline (the extractive answerer).
  std::string candidate;                    // The answer to the burst, before validation.
  std::vector<knowledge::Passage> context;  // The passages `candidate` may draw on.
  bool extractive = false;                  // `candidate` quotes the passages (nothing to check against them).
  GroundedAnswer grounded;                  // The model's answer and the passages it cites, when a model answered.
  bool partial = false;                     // Some question has no answer in `candidate`.
  AgentAnswer out;                          // The decision, once settled; usage and sources along the way.
  bool settled = false;
  bool out_of_hours = false;  // Outside business hours: hand-offs use the out-of-hours message (agent/settings.h).

  // Ends the pipeline with `decision`; `text` is sent (split to the platform's limit), nothing when empty.
  void Settle(Decision decision, Reason reason, std::string text);
  // The bot's own `message` in the language of the reply.
  std::string Text(BotMessage message) const;
  // The language of the reply: the assistant's fixed one, else the customer's, else the knowledge's.
  std::string ReplyLanguage() const;
};

// What a person taking the conversation over is offered: each question's answer, or the sentences of its best
// passage that share the question's words; nullopt when there is nothing of the kind.
std::optional<Draft> DraftFrom(const AgentState& state);

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Advances `state`, settling it when the burst is decided; what it saw goes into `trace` (the loop adds the stage
  // name and its duration). An error only for a failing store: the reply is then retried later.
  virtual boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) = 0;
};

// What the stages use, shared and outliving them.
struct StageDependencies {
  store::KnowledgeStore& store;
  knowledge::Retriever& retriever;
  Providers& providers;
  BlockingPool& pool;
  knowledge::TermTranslator* translator;  //!< Null: questions in another language are searched as written.
};

// The stages in order.
std::unique_ptr<Stage> MakeTriageStage(const StageDependencies& deps);
std::unique_ptr<Stage> MakeFaqStage(const StageDependencies& deps);
std::unique_ptr<Stage> MakeRetrieveStage(const StageDependencies& deps);
std::unique_ptr<Stage> MakeGenerateStage(const StageDependencies& deps);
std::unique_ptr<Stage> MakeValidateStage(const StageDependencies& deps);

}  // namespace parley::agent
