// Triage: whether the burst needs an answer at all, and which questions it asks.

#include "agent/pipeline.h"
#include "agent/stages.h"

namespace parley::agent {
namespace {

class TriageStage final : public Stage {
 public:
  std::string_view name() const override { return "triage"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const AiSettings& settings = state.settings;
    Triage triage = TriageMessage(state.request.question);
    trace["decision"] = ToString(triage.decision);
    trace["reason"] = ToString(triage.reason);
    switch (triage.decision) {
      case Decision::kIgnore:
        state.Settle(Decision::kIgnore, triage.reason, "");
        co_return Ok();
      case Decision::kGreeting:
        state.Settle(Decision::kGreeting, Reason::kGreeting, settings.greeting_message);
        co_return Ok();
      case Decision::kEscalate:
        state.Settle(Decision::kEscalate, triage.reason, settings.handoff_message);
        co_return Ok();
      case Decision::kAutoReply:
        break;
    }
    boost::json::array questions;
    for (auto& text : SplitQuestions(state.request.question)) {
      questions.push_back(boost::json::string(text));
      state.questions.push_back({std::move(text)});
    }
    trace["questions"] = std::move(questions);
    co_return Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeTriageStage(const StageDependencies&) { return std::make_unique<TriageStage>(); }

}  // namespace parley::agent
