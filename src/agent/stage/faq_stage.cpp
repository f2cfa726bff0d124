// Q&A pairs: a question the business answered itself is answered with its words, before any retrieval.

#include "agent/pipeline.h"
#include "agent/stages.h"
#include "knowledge/faq.h"

namespace parley::agent {
namespace {

class FaqStage final : public Stage {
 public:
  explicit FaqStage(const StageDependencies& deps) : store_(deps.store), pool_(deps.pool) {}

  std::string_view name() const override { return "check_faq"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const int64_t tenant_id = state.request.tenant_id;
    boost::json::array matches;
    bool all_answered = true;
    for (auto& question : state.questions) {
      std::string key = knowledge::FaqKey(question.text);
      auto find = [&] { return store_.FindFaqByKey(tenant_id, key); };
      Result<std::optional<store::FaqEntry>> faq = co_await pool_.Run(find);
      if (!faq) co_return faq.error();
      if (*faq) {
        question.faq_id = (*faq)->id;
        question.answer = (*faq)->answer;
        question.cited.push_back({(*faq)->document_id.value_or(0), "Q&A", 0, (*faq)->answer, 1.0});
        matches.push_back({{"key", key}, {"faq_id", (*faq)->id}});
      } else {
        all_answered = false;
        matches.push_back({{"key", key}, {"faq_id", nullptr}});
      }
    }
    trace["matches"] = std::move(matches);
    if (all_answered && !state.questions.empty()) {
      std::string text;
      for (const auto& question : state.questions) {
        text += (text.empty() ? "" : "\n\n") + question.answer;
        state.out.sources.insert(state.out.sources.end(), question.cited.begin(), question.cited.end());
      }
      state.Settle(Decision::kAutoReply, Reason::kFaq, FormatForPlatform(text, state.request.platform));
    }
    co_return Ok();
  }

 private:
  store::KnowledgeStore& store_;
  BlockingPool& pool_;
};

}  // namespace

std::unique_ptr<Stage> MakeFaqStage(const StageDependencies& deps) { return std::make_unique<FaqStage>(deps); }

}  // namespace parley::agent
