// Q&A pairs: a question the business answered itself is answered with its words, before any retrieval. The
// customer's question is matched against the pairs' questions (knowledge/faq.h), whether the pairs came from the API
// or from a CSV file.

#include "agent/message_text.h"
#include "agent/pipeline.h"
#include "knowledge/faq.h"

namespace parley::agent {
namespace {

class FaqStage final : public Stage {
 public:
  explicit FaqStage(const StageDependencies& deps) : matcher_(deps.store), pool_(deps.pool) {}

  std::string_view name() const override { return "check_faq"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const int64_t tenant_id = state.request.tenant_id;
    const std::string& language = state.settings.language;
    boost::json::array matches;
    bool all_answered = true;
    for (auto& question : state.questions) {
      auto match = [&] { return matcher_.Match(tenant_id, question.text, language); };
      Result<std::optional<knowledge::FaqMatch>> found = co_await pool_.Run(match);
      if (!found) co_return found.error();
      if (!*found) {
        all_answered = false;
        matches.push_back(boost::json::object{{"faq_id", nullptr}});
        continue;
      }
      const store::FaqEntry& entry = (*found)->entry;
      question.faq_id = entry.id;
      question.answer = entry.answer;
      question.cited.push_back({entry.document_id.value_or(0), "Q&A", 0, entry.answer, (*found)->score});
      matches.push_back({{"faq_id", entry.id}, {"question", (*found)->question}, {"score", (*found)->score}});
    }
    trace["matches"] = std::move(matches);
    // A pair answers in the words the business chose, in its language: a customer writing in another one gets
    // them from the model, which translates, or, offline, with the lead-in that says they are quoted.
    if (all_answered && !state.questions.empty() && (state.model == nullptr || SameLanguage(state))) {
      std::string text = Framed(state);
      for (const auto& question : state.questions) {
        text += (text.empty() ? "" : "\n\n") + question.answer;
        state.out.sources.insert(state.out.sources.end(), question.cited.begin(), question.cited.end());
      }
      state.Settle(Decision::kAutoReply, Reason::kFaq, FormatForPlatform(text, state.request.text.markup));
    }
    co_return Ok();
  }

 private:
  static bool SameLanguage(const AgentState& state) { return state.ReplyLanguage() == state.settings.language; }

  static std::string Framed(const AgentState& state) {
    return SameLanguage(state) ? std::string() : state.Text(BotMessage::kAnswerIntro);
  }

  knowledge::FaqMatcher matcher_;
  BlockingPool& pool_;
};

}  // namespace

std::unique_ptr<Stage> MakeFaqStage(const StageDependencies& deps) { return std::make_unique<FaqStage>(deps); }

}  // namespace parley::agent
