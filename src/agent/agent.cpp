#include "agent/agent.h"

#include "agent/pipeline.h"
#include "core/time.h"

#include <chrono>

namespace parley::agent {
namespace {

using Clock = std::chrono::steady_clock;

boost::json::array SourcesJson(const std::vector<Source>& sources) {
  boost::json::array out;
  for (const auto& source : sources) {
    out.push_back({{"document_id", source.document_id},
                   {"name", source.name},
                   {"chunk_id", source.chunk_id},
                   {"text", source.text},
                   {"score", source.score}});
  }
  return out;
}

}  // namespace

struct Agent::Pipeline {
  std::vector<std::unique_ptr<Stage>> stages;
};

Agent::Agent(store::KnowledgeStore& store, knowledge::Retriever& retriever, Providers& providers, BlockingPool& pool,
             knowledge::TermTranslator* translator)
    : pipeline_(std::make_unique<Pipeline>()) {
  StageDependencies deps{store, retriever, providers, pool, translator};
  pipeline_->stages.push_back(MakeTriageStage(deps));
  pipeline_->stages.push_back(MakeFaqStage(deps));
  pipeline_->stages.push_back(MakeRetrieveStage(deps));
  pipeline_->stages.push_back(MakeGenerateStage(deps));
  pipeline_->stages.push_back(MakeValidateStage(deps));
}

Agent::~Agent() = default;

boost::json::object ToJson(const Draft& draft) {
  return {{"text", draft.text}, {"sources", SourcesJson(draft.sources)}};
}

boost::json::object ToJson(const AgentAnswer& answer) {
  boost::json::array parts;
  for (const auto& part : answer.parts) parts.push_back(boost::json::string(part));
  boost::json::object json{
      {"decision", ToString(answer.decision)},
      {"reason", ToString(answer.reason)},
      {"priority", ToString(answer.priority)},
      {"language", answer.language},
      {"answer", answer.answer},
      {"parts", std::move(parts)},
      {"sources", SourcesJson(answer.sources)},
      {"usage", {{"prompt_tokens", answer.prompt_tokens}, {"completion_tokens", answer.completion_tokens}}},
      {"trace", answer.trace}};
  json["draft"] = answer.draft ? boost::json::value(ToJson(*answer.draft)) : boost::json::value(nullptr);
  return json;
}

boost::asio::awaitable<Result<AgentAnswer>> Agent::Answer(const AgentRequest& request, const AiSettings& settings) {
  AgentState state(request, settings);
  if (settings.business_hours.enabled) {
    state.out_of_hours = OutOfHours(settings, request.at_ms != 0 ? request.at_ms : NowMs());
    // The trace says why a hand-off read "we are closed": the hours were checked, in this zone, and found closed.
    state.out.trace.push_back(
        {{"stage", "business_hours"}, {"us", 0}, {"open", !state.out_of_hours}, {"time_zone", settings.time_zone}});
  }
  if (request.earlier_messages_left_out > 0) {
    state.out.trace.push_back({{"stage", "burst"}, {"us", 0}, {"left_out", request.earlier_messages_left_out}});
  }
  for (const auto& stage : pipeline_->stages) {
    boost::json::object trace{{"stage", stage->name()}};
    const auto started = Clock::now();
    Result<void> ran = co_await stage->Run(state, trace);
    if (!ran) co_return ran.error();
    // Whole microseconds: readable in the JSON trace, and fine enough for stages that take 20 µs.
    trace["us"] = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    state.out.trace.push_back(std::move(trace));
    if (state.settled) break;
  }
  if (!state.settled) state.Settle(Decision::kEscalate, Reason::kLowRelevance, settings.fallback_message);
  state.out.language = state.language;
  co_return std::move(state.out);
}

}  // namespace parley::agent
