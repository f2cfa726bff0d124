// Validation: an answer goes out only when its passages support it and it reveals nothing it must not.

#include "agent/pipeline.h"
#include "agent/stages.h"

namespace parley::agent {
namespace {

constexpr double kMinSupport = 0.5;  // Share of an answer's content words the passages must contain.

class ValidateStage final : public Stage {
 public:
  std::string_view name() const override { return "validate"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const AiSettings& settings = state.settings;
    double support = state.extractive ? 1.0 : Support(state.candidate, state.context, settings.language);
    bool leaks = LeaksSecrets(state.candidate, settings.persona);
    trace["support"] = support;
    trace["leak"] = leaks;
    if (leaks) {
      state.Settle(Decision::kEscalate, Reason::kLeakBlocked, settings.fallback_message);
      co_return Ok();
    }
    if (support < kMinSupport) {
      state.Settle(Decision::kEscalate, Reason::kUnsupportedAnswer, settings.fallback_message);
      co_return Ok();
    }
    std::string formatted = FormatForPlatform(state.candidate, state.request.platform);
    if (state.partial) {
      // What could be answered is sent; a person answers the rest.
      state.out.draft = Draft{state.candidate, state.out.sources};
      state.Settle(Decision::kEscalate, Reason::kLowRelevance, formatted + "\n\n" + settings.fallback_message);
    } else {
      state.Settle(Decision::kAutoReply, Reason::kAnswered, std::move(formatted));
    }
    trace["parts"] = static_cast<int64_t>(state.out.parts.size());
    co_return Ok();
  }
};

}  // namespace

std::unique_ptr<Stage> MakeValidateStage(const StageDependencies&) { return std::make_unique<ValidateStage>(); }

}  // namespace parley::agent
