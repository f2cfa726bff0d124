#include "agent/pipeline.h"

#include "agent/answerability.h"
#include "agent/message_text.h"

namespace parley::agent {

void AgentState::Settle(Decision decision, Reason reason, std::string text) {
  out.decision = decision;
  out.reason = reason;
  out.priority = decision == Decision::kEscalate ? DefaultPriority(reason) : Priority::kNormal;
  out.answer = std::move(text);
  out.parts = out.answer.empty() ? std::vector<std::string>{} : SplitMessage(out.answer, request.text.max_length);
  settled = true;
}

std::string Question::quoted() const {
  std::string words = searched();
  for (const auto& correction : corrections) words += " " + correction;
  return words;
}

std::optional<Draft> DraftFrom(const AgentState& state) {
  Draft draft;
  for (const auto& question : state.questions) {
    if (!question.answer.empty()) {
      draft.text += (draft.text.empty() ? "" : "\n\n") + question.answer;
      draft.sources.insert(draft.sources.end(), question.cited.begin(), question.cited.end());
      continue;
    }
    if (question.passages.empty()) continue;
    const knowledge::Passage& best = question.passages.front();
    std::string quoted = QuoteAnswer(question.quoted(), best, state.settings.language);
    if (quoted.empty()) continue;
    draft.text += (draft.text.empty() ? "" : "\n\n") + quoted;
    draft.sources.push_back(
        {best.chunk.document_id, best.chunk.document_name, best.chunk.id, best.chunk.text, best.relevance});
  }
  if (draft.text.empty()) return std::nullopt;
  return draft;
}

std::string AgentState::Text(BotMessage message) const {
  if (out_of_hours && (message == BotMessage::kHandoff || message == BotMessage::kFallback)) {
    message = BotMessage::kOutOfHours;
  }
  return BotText(settings, message, ReplyLanguage());
}

std::string AgentState::ReplyLanguage() const { return agent::ReplyLanguage(settings, language); }

}  // namespace parley::agent
