#include "agent/pipeline.h"

#include "agent/stages.h"

namespace parley::agent {

void AgentState::Settle(Decision decision, Reason reason, std::string text) {
  out.decision = decision;
  out.reason = reason;
  out.priority = decision == Decision::kEscalate ? DefaultPriority(reason) : Priority::kNormal;
  out.answer = std::move(text);
  out.parts =
      out.answer.empty() ? std::vector<std::string>{} : SplitMessage(out.answer, MessageLimit(request.platform));
  settled = true;
}

}  // namespace parley::agent
