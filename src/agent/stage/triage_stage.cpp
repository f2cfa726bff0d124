// Triage: whether the burst needs an answer at all, in which language, and which questions it asks. The rules decide
// first; what they leave open goes, with a model, to one structured call that decides and rewrites the burst into
// standalone questions (an urgent rule still wins), and offline to the classifier, the burst split at its questions.

#include "agent/message_text.h"
#include "agent/pipeline.h"
#include "agent/triage.h"
#include "knowledge/language.h"

namespace parley::agent {
namespace {

std::vector<ChatMessage> HistoryMessages(const AgentState& state) {
  const auto& history = state.request.history;
  const size_t turns = static_cast<size_t>(std::max(state.settings.history_turns, 0));
  std::vector<ChatMessage> messages;
  for (size_t i = history.size() > turns ? history.size() - turns : 0; i < history.size(); ++i) {
    messages.push_back({history[i].role, history[i].text});
  }
  return messages;
}

// The customer's language from the burst, with their previous message (else the knowledge's language) breaking
// ties and standing in when the burst says nothing ("ok", "👍", a price).
std::string CustomerLanguage(const AgentState& state, boost::json::object& trace) {
  std::string hint = state.settings.language;
  for (auto turn = state.request.history.rbegin(); turn != state.request.history.rend(); ++turn) {
    if (turn->role != "user") continue;
    auto earlier = knowledge::DetectLanguage(turn->text);
    if (earlier.reliable) hint = earlier.code;
    break;
  }
  auto detected = knowledge::DetectLanguage(state.request.question, hint);
  trace["language_evidence"] = knowledge::ToString(detected.evidence);
  return detected.code.empty() ? hint : detected.code;
}

// What triage decides without a model: the customer's language and the rules' or classifier's verdict.
struct OfflineVerdict {
  std::string language;
  boost::json::object evidence;
  TriageResult triage;
};

class TriageStage final : public Stage {
 public:
  explicit TriageStage(const StageDependencies& deps) : providers_(deps.providers), pool_(deps.pool) {}

  std::string_view name() const override { return "triage"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    // Phrase rules and the classifier scan the whole burst: on the pool, so that a long one (thousands of
    // characters, thousands of bursts at once after an outage) never holds an I/O thread and the webhooks behind it.
    auto judge = [&state] {
      OfflineVerdict verdict;
      verdict.language = CustomerLanguage(state, verdict.evidence);
      verdict.triage = TriageOffline(state.request.question);
      return verdict;
    };
    OfflineVerdict verdict = co_await pool_.Run(judge);
    state.language = std::move(verdict.language);
    for (auto& [key, value] : verdict.evidence) trace[key] = std::move(value);
    TriageResult triage = std::move(verdict.triage);
    std::vector<std::string> questions;
    state.model = providers_.ChatModelFor(state.settings);
    // A rule's verdict (a greeting, thanks, a request for a person, an emergency) is precise and needs no rewritten
    // question: the model is asked only about what the rules leave open.
    if (state.model != nullptr && triage.source != "rule") {
      TriageModelOptions options;
      options.knowledge_language = state.settings.language;
      Result<ModelTriage> judged = co_await TriageWithModel(*state.model, state.request.question,
                                                            HistoryMessages(state), state.request.images, options);
      if (!judged) {
        trace["model_error"] = judged.error().message;
      } else {
        state.out.prompt_tokens += judged->prompt_tokens;
        state.out.completion_tokens += judged->completion_tokens;
        if (!judged->invalid_reply.empty()) trace["invalid_reply"] = judged->invalid_reply;
        if (judged->invalid_reply.empty()) {
          triage = judged->triage;
          questions = std::move(judged->questions);
          if (!judged->language.empty()) state.language = judged->language;
        }
      }
    }
    trace["language"] = state.language;
    trace["decision"] = ToString(triage.decision);
    trace["reason"] = ToString(triage.reason);
    trace["priority"] = ToString(triage.priority);
    trace["source"] = triage.source;
    trace["confidence"] = triage.confidence;
    switch (triage.decision) {
      case Decision::kIgnore:
        state.Settle(Decision::kIgnore, triage.reason, "");
        co_return Ok();
      case Decision::kGreeting:
        state.Settle(Decision::kGreeting, Reason::kGreeting,
                     state.settings.triage.answer_greetings ? state.Text(BotMessage::kGreeting) : "");
        co_return Ok();
      case Decision::kEscalate:
        // The business lets the bot try this reason first (settings' triage.try_to_answer): answered as a question.
        if (TriesToAnswer(state.settings.triage, triage.reason)) {
          trace["tries_to_answer"] = true;
          break;
        }
        state.Settle(Decision::kEscalate, triage.reason,
                     state.Text(triage.reason == Reason::kUrgentSafety ? BotMessage::kSafety : BotMessage::kHandoff));
        state.out.priority = triage.priority;
        co_return Ok();
      case Decision::kAutoReply:
        break;
    }
    if (questions.empty()) questions = WithAntecedents(SplitQuestions(state.request.question), state.language);
    boost::json::array listed;
    for (auto& text : questions) {
      listed.push_back(boost::json::string(text));
      state.questions.push_back({std::move(text)});
    }
    trace["questions"] = std::move(listed);
    co_return Ok();
  }

 private:
  Providers& providers_;
  BlockingPool& pool_;
};

}  // namespace

std::unique_ptr<Stage> MakeTriageStage(const StageDependencies& deps) { return std::make_unique<TriageStage>(deps); }

}  // namespace parley::agent
