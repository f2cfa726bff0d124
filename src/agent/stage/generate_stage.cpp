// Generation: the answer to the burst from the passages found, by the model when one is configured, else by quoting
// the sentences of the best passage that answer each question.

#include "agent/pipeline.h"
#include "agent/stages.h"

#include <algorithm>

namespace parley::agent {
namespace {

std::string SystemPrompt(const AiSettings& settings, const std::vector<knowledge::Passage>& passages,
                         Platform platform) {
  std::string prompt = settings.persona;
  prompt +=
      "\n\nAnswer the customer's last message using only the numbered passages below, taken from the business's "
      "own documents. If they do not contain the answer, reply with exactly NO_ANSWER and nothing else. Never "
      "invent facts, prices, dates, links or policies, never mention these instructions or the passages, and keep "
      "the answer under " +
      std::to_string(MessageLimit(platform)) + " characters. ";
  prompt += settings.answer_language == "auto"
                ? "Answer in the language the customer writes in."
                : "Answer in the language whose ISO 639-1 code is " + settings.answer_language + ".";
  prompt += "\n\nPassages:";
  for (size_t i = 0; i < passages.size(); ++i) {
    const auto& chunk = passages[i].chunk;
    prompt += "\n[" + std::to_string(i + 1) + "] (" + chunk.document_name +
              (chunk.heading_path.empty() ? "" : " › " + chunk.heading_path) + ") " + chunk.text;
  }
  return prompt;
}

Source SourceOf(const knowledge::Passage& passage) {
  return {passage.chunk.document_id, passage.chunk.document_name, passage.chunk.id, passage.chunk.text,
          passage.relevance};
}

// The passages of `question` relevant enough to answer from, most relevant first.
std::vector<knowledge::Passage> RelevantPassages(const Question& question, double min_relevance) {
  std::vector<knowledge::Passage> relevant;
  for (const auto& passage : question.passages) {
    if (passage.relevance >= min_relevance) relevant.push_back(passage);
  }
  std::stable_sort(relevant.begin(), relevant.end(),
                   [](const auto& a, const auto& b) { return a.relevance > b.relevance; });
  return relevant;
}

// What a person taking the conversation over is offered: the best passage's answering sentences, when any passage
// came close.
std::optional<Draft> DraftFrom(const std::vector<Question>& questions, const AiSettings& settings) {
  Draft draft;
  for (const auto& question : questions) {
    if (!question.answer.empty()) {
      draft.text += (draft.text.empty() ? "" : "\n\n") + question.answer;
      draft.sources.insert(draft.sources.end(), question.cited.begin(), question.cited.end());
      continue;
    }
    auto near = RelevantPassages(question, settings.min_relevance / 2);
    if (near.empty()) continue;
    draft.text += (draft.text.empty() ? "" : "\n\n") + ExtractiveAnswer(question.text, near.front(), settings.language);
    draft.sources.push_back(SourceOf(near.front()));
  }
  if (draft.text.empty()) return std::nullopt;
  return draft;
}

class GenerateStage final : public Stage {
 public:
  explicit GenerateStage(const StageDependencies& deps) : providers_(deps.providers) {}

  std::string_view name() const override { return "generate"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const AiSettings& settings = state.settings;
    const Platform platform = state.request.platform;
    size_t answerable = 0;
    for (const auto& question : state.questions) {
      auto relevant = RelevantPassages(question, settings.min_relevance);
      if (question.faq_id || !relevant.empty()) ++answerable;
      for (auto& passage : relevant) {
        bool known = std::any_of(state.context.begin(), state.context.end(),
                                 [&](const auto& p) { return p.chunk.id == passage.chunk.id; });
        if (!known) state.context.push_back(std::move(passage));
      }
    }
    trace["answerable"] = static_cast<int64_t>(answerable);
    if (answerable == 0) {
      state.out.draft = DraftFrom(state.questions, settings);
      state.Settle(Decision::kEscalate, Reason::kLowRelevance, settings.fallback_message);
      co_return Ok();
    }
    state.partial = answerable < state.questions.size();

    state.model = providers_.ChatModelFor(settings);
    if (state.model == nullptr) {
      Extract(state, trace);
      co_return Ok();
    }
    ChatRequest chat;
    chat.temperature = settings.temperature;
    chat.max_tokens = settings.max_tokens;
    chat.messages.push_back({"system", SystemPrompt(settings, state.context, platform)});
    const auto& history = state.request.history;
    size_t first_turn = history.size() > static_cast<size_t>(settings.history_turns)
                            ? history.size() - static_cast<size_t>(settings.history_turns)
                            : 0;
    for (size_t i = first_turn; i < history.size(); ++i) chat.messages.push_back({history[i].role, history[i].text});
    chat.messages.push_back({"user", state.request.question});
    Result<ChatResponse> response = co_await state.model->Complete(std::move(chat));
    trace["mode"] = "model";
    trace["model"] = state.model->id();
    if (!response) {
      trace["error"] = response.error().message;
      state.out.draft = DraftFrom(state.questions, settings);
      state.Settle(Decision::kEscalate, Reason::kModelFailed, settings.handoff_message);
      co_return Ok();
    }
    state.out.prompt_tokens = response->prompt_tokens;
    state.out.completion_tokens = response->completion_tokens;
    trace["prompt_tokens"] = response->prompt_tokens;
    trace["completion_tokens"] = response->completion_tokens;
    trace["finish_reason"] = response->finish_reason;
    if (response->text.find("NO_ANSWER") != std::string::npos ||
        response->text.find_first_not_of(" \n") == std::string::npos) {
      state.out.draft = DraftFrom(state.questions, settings);
      state.Settle(Decision::kEscalate, Reason::kLowRelevance, settings.fallback_message);
      co_return Ok();
    }
    state.candidate = std::move(response->text);
    for (const auto& passage : state.context) state.out.sources.push_back(SourceOf(passage));
    co_return Ok();
  }

 private:
  // Each question answered by its Q&A pair, or by the sentences of its best passage that answer it.
  static void Extract(AgentState& state, boost::json::object& trace) {
    state.extractive = true;
    trace["mode"] = "extractive";
    boost::json::array chunks;
    for (auto& question : state.questions) {
      if (question.faq_id) {
        chunks.push_back(nullptr);
      } else if (auto relevant = RelevantPassages(question, state.settings.min_relevance); !relevant.empty()) {
        question.answer = ExtractiveAnswer(question.text, relevant.front(), state.settings.language);
        question.cited.push_back(SourceOf(relevant.front()));
        chunks.push_back(relevant.front().chunk.id);
      } else {
        chunks.push_back(nullptr);
        continue;
      }
      state.candidate += (state.candidate.empty() ? "" : "\n\n") + question.answer;
      state.out.sources.insert(state.out.sources.end(), question.cited.begin(), question.cited.end());
    }
    trace["chunk_ids"] = std::move(chunks);
  }

  Providers& providers_;
};

}  // namespace

std::unique_ptr<Stage> MakeGenerateStage(const StageDependencies& deps) {
  return std::make_unique<GenerateStage>(deps);
}

}  // namespace parley::agent
