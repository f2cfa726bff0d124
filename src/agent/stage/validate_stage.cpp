// Validation: an answer goes out only when the passages it cites state every fact in it and it reveals nothing it
// must not. A model's answer that fails is not lost: the person who takes the conversation over gets it as a draft
// to check, with its sources. Facts are checked against the cited passages without the table rows whose key
// contradicts the customer's quantities or codes (table_rows.h): a price from the row above is not supported. Then
// a sentence of the answer whose figure only a cited sentence about something else states is cut, and an answer
// whose cited passages are about something else than a question naming what the knowledge lacks, or that states no
// moment when asked when and no amount when asked how much, is not sent (support.h).

#include "agent/message_text.h"
#include "agent/pipeline.h"
#include "agent/support.h"
#include "agent/table_rows.h"

#include <algorithm>

namespace parley::agent {
namespace {

Reason ReasonFor(Grounding grounding) {
  return grounding == Grounding::kNoAnswer ? Reason::kLowRelevance : Reason::kUnsupportedAnswer;
}

// Whether `holds` is true of some question's subject that no Q&A pair answers; true when every question is answered
// by one. One question is enough: the model's answer to a burst is one text, not one per question.
template <class Predicate>
bool SomeQuestionWithoutPair(const AgentState& state, Predicate holds) {
  bool asked = false;
  for (const auto& question : state.questions) {
    if (question.faq_id) continue;
    asked = true;
    if (holds(question.subject)) return true;
  }
  return !asked;
}

// Whether some cited passage covers some question's subject (CoversSubject).
bool AboutAQuestion(const AgentState& state, const std::vector<size_t>& cited,
                    const std::vector<knowledge::Passage>& passages) {
  return SomeQuestionWithoutPair(state, [&](const Subject& subject) {
    return std::any_of(cited.begin(), cited.end(),
                       [&](size_t index) { return CoversSubject(subject, passages[index], state.settings.language); });
  });
}

// Whether `answer` states the kind of answer (StatesKindAsked: a moment, an amount) some question asks for. Asked
// "when do you charge my card", "Regular customers can buy a card of five full grooms" answers something else.
bool StatesAKindAsked(const AgentState& state, std::string_view answer) {
  return SomeQuestionWithoutPair(state, [&](const Subject& subject) { return StatesKindAsked(subject, answer); });
}

class ValidateStage final : public Stage {
 public:
  std::string_view name() const override { return "validate"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    // First: an answer that reveals the instructions is never sent, nor offered as a draft.
    bool leaks = LeaksSecrets(state.candidate, state.settings.persona);
    trace["leak"] = leaks;
    if (leaks) {
      state.Settle(Decision::kEscalate, Reason::kLeakBlocked, state.Text(BotMessage::kFallback));
      co_return Ok();
    }
    if (!state.extractive) {
      const QuestionEntities entities = EntitiesOf(state.request.question);
      std::vector<knowledge::Passage> rows_asked = state.context;
      for (auto& passage : rows_asked) passage.chunk.text = WithoutContradictedRows(entities, passage.chunk.text);
      GroundingCheck check = CheckGrounding(state.grounded, rows_asked, state.ReplyLanguage());
      if (check.verdict == Grounding::kSupported) {
        // Of the cited passages, only the sentences about what was asked may supply a figure (support.h): a sentence
        // of the answer whose figure only another sentence states is cut, and an answer left with no figure about
        // what was asked is not sent. A Q&A pair (FaqPassage, no chunk id) is the business's own answer.
        std::vector<Subject> subjects;
        for (const auto& question : state.questions) {
          if (!question.faq_id) subjects.push_back(question.subject);
        }
        const std::vector<std::string> about = SupportingText(subjects, rows_asked, state.settings.language);
        std::vector<std::string> supporting;
        for (size_t index : check.cited) {
          const auto& chunk = rows_asked[index].chunk;
          supporting.push_back(chunk.document_name + "\n" + chunk.heading_path + "\n" +
                               (chunk.id != 0 ? about[index] : chunk.text));
        }
        SubjectCut cut = CutOffSubject(state.candidate, supporting, state.ReplyLanguage());
        trace["off_subject_sentences"] = static_cast<int64_t>(cut.cut);
        // And the cited passages must be about one of the questions asked, when a question names what the knowledge
        // never mentions ("do you print on t-shirts" answered from the photo-print row): a model answering from a
        // passage that shares one common word would otherwise say "yes" to what the business does not offer.
        const bool about_asked = AboutAQuestion(state, check.cited, rows_asked);
        if (!about_asked) trace["off_subject"] = true;
        const bool kind_stated = StatesAKindAsked(state, cut.text);
        if (!kind_stated) trace["not_kind_asked"] = true;
        if (cut.text.empty() || !about_asked || !kind_stated) {
          check.verdict = Grounding::kUnsupportedFact;
        } else {
          state.candidate = std::move(cut.text);
        }
      }
      trace["grounding"] = ToString(check.verdict);
      trace["facts_checked"] = static_cast<int64_t>(check.facts.checked);
      boost::json::array unsupported;
      for (const auto& fact : check.facts.unsupported) {
        unsupported.push_back({{"kind", ToString(fact.kind)}, {"text", fact.text}});
      }
      trace["unsupported_facts"] = std::move(unsupported);
      for (size_t index : check.cited) {
        const auto& chunk = state.context[index].chunk;
        state.out.sources.push_back(
            {chunk.document_id, chunk.document_name, chunk.id, chunk.text, state.context[index].relevance});
      }
      if (check.verdict != Grounding::kSupported) {
        // The model's own answer, for a person to check; when it declined, what the passages say.
        state.out.draft = state.candidate.empty() ? DraftFrom(state) : Draft{state.candidate, state.out.sources};
        state.Settle(Decision::kEscalate, ReasonFor(check.verdict), state.Text(BotMessage::kFallback));
        co_return Ok();
      }
    }
    std::string formatted = FormatForPlatform(state.candidate, state.request.text.markup);
    if (state.partial) {
      // What could be answered is sent; a person answers the rest.
      state.out.draft = Draft{state.candidate, state.out.sources};
      state.Settle(Decision::kEscalate, Reason::kLowRelevance, formatted + "\n\n" + state.Text(BotMessage::kFallback));
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
