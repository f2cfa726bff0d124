// Retrieval: the passages of the tenant's knowledge for each question no Q&A pair answered, each question searched
// on its own so that a burst asking three things finds three passages. The hybrid's best candidates are reranked
// (rerank.h) and the best `top_k` kept.

#include "agent/pipeline.h"
#include "agent/rerank.h"
#include "agent/support.h"
#include "knowledge/language.h"

#include <algorithm>

namespace parley::agent {
namespace {

boost::json::object PassageTrace(const knowledge::Passage& p) {
  return {{"chunk_id", p.chunk.id},
          {"document_id", p.chunk.document_id},
          {"score", p.score},
          {"vector_rank", p.vector_rank},
          {"lexical_rank", p.lexical_rank},
          {"similarity", p.similarity},
          {"bm25", p.bm25},
          {"coverage", p.coverage},
          {"relevance", p.relevance}};
}

class RetrieveStage final : public Stage {
 public:
  explicit RetrieveStage(const StageDependencies& deps)
      : store_(deps.store),
        retriever_(deps.retriever),
        providers_(deps.providers),
        pool_(deps.pool),
        translator_(deps.translator) {}

  std::string_view name() const override { return "retrieve"; }

  boost::asio::awaitable<Result<void>> Run(AgentState& state, boost::json::object& trace) override {
    const AiSettings& settings = state.settings;
    std::vector<Question*> open;
    for (auto& question : state.questions) {
      if (!question.faq_id) open.push_back(&question);
    }
    std::shared_ptr<knowledge::Embedder> embedder = providers_.EmbedderFor(settings);
    trace["embedder"] = embedder->id();
    if (open.empty()) co_return Ok();

    const int64_t tenant_id = state.request.tenant_id;
    std::vector<int64_t> scope = settings.knowledge_base_ids;
    std::vector<std::vector<std::string>> expansions(open.size());
    std::vector<std::vector<std::string>> firm(open.size());
    auto prepare = [&]() -> Result<void> {
      if (scope.empty()) {
        auto bases = store_.ListKnowledgeBases(tenant_id);
        if (!bases) return bases.error();
        for (const auto& base : *bases) scope.push_back(base.id);
      }
      return Translate(state, scope, open, expansions, firm);
    };
    Result<void> prepared = co_await pool_.Run(prepare);
    if (!prepared) co_return prepared.error();

    std::vector<std::string> texts;
    for (const Question* question : open) texts.push_back(question->searched());
    Result<std::vector<knowledge::Vector>> embedded = co_await embedder->Embed(std::move(texts));
    // BM25 alone still answers; the trace says the vector side was missing.
    if (!embedded) trace["embedding_error"] = embedded.error().message;

    const std::string embedder_id = embedder->id();
    knowledge::RetrievalOptions options;
    options.top_k = std::max(settings.top_k, kRerankCandidates);
    options.language = settings.language;
    auto retrieve = [&]() -> Result<void> {
      for (size_t i = 0; i < open.size(); ++i) {
        static const std::vector<float> kNoVector;
        const bool has_vector = embedded && i < embedded->size();
        const std::string& searched = open[i]->searched();
        // A rephrased question is in the knowledge's language; one searched as written is stemmed in both.
        options.question_language = open[i]->translated.empty() ? state.language : std::string();
        options.expansions = expansions[i];
        auto passages = retriever_.Retrieve(tenant_id, scope, searched, has_vector ? (*embedded)[i] : kNoVector,
                                            embedder_id, options);
        if (!passages) return passages.error();
        auto corrected = retriever_.CorrectedWords(scope, searched, options);
        if (!corrected) return corrected.error();
        const std::vector<std::string> written = knowledge::ContentWords(searched);
        for (size_t k = 0; k < written.size() && k < corrected->size(); ++k) {
          if ((*corrected)[k] != written[k]) open[i]->corrections.push_back((*corrected)[k]);
        }
        const std::vector<std::string> words = WithoutAskingPhrases(searched, std::move(*corrected));
        // A subject word is held when a chunk holds its stem or the word as written.
        const std::vector<std::string> stems = SubjectStems(words, settings.language);
        std::vector<std::string> terms = SubjectWords(words, settings.language);
        terms.insert(terms.begin(), stems.begin(), stems.end());
        auto counts = retriever_.CountTerms(scope, terms);
        if (!counts) return counts.error();
        std::vector<size_t>& holding = counts->frequencies;
        for (size_t k = 0; k < stems.size(); ++k) holding[k] += holding[k + stems.size()];
        open[i]->subject = KnownSubject(stems, holding, counts->chunks);
        open[i]->subject.duration = AsksDuration(searched);
        open[i]->subject.moment = AsksMoment(searched) || AsksMoment(open[i]->text);
        open[i]->subject.amount = AsksAmount(searched) || AsksAmount(open[i]->text);
        // quoted(): as searched, with its spelling corrections ("sundy" names Sunday).
        open[i]->subject.days = DaysNamed(open[i]->quoted()) | DaysNamed(open[i]->text);
        for (const auto& stem : SubjectStems(firm[i], settings.language)) {
          const auto& held = open[i]->subject.stems;
          if (std::find(held.begin(), held.end(), stem) != held.end()) open[i]->subject.firm.push_back(stem);
        }
        open[i]->rerank_scores = Rerank(searched, *passages, settings.language);
        const auto keep = static_cast<size_t>(std::max(settings.top_k, 1));
        if (passages->size() > keep) {
          passages->resize(keep);
          open[i]->rerank_scores.resize(keep);
        }
        open[i]->passages = std::move(*passages);
      }
      return Ok();
    };
    Result<void> retrieved = co_await pool_.Run(retrieve);
    if (!retrieved) co_return retrieved.error();

    boost::json::array per_question;
    for (const Question* question : open) {
      boost::json::array passages;
      double best = 0;
      for (size_t i = 0; i < question->passages.size(); ++i) {
        const auto& passage = question->passages[i];
        boost::json::object entry = PassageTrace(passage);
        entry["rerank"] = question->rerank_scores[i];
        passages.push_back(std::move(entry));
        best = std::max(best, passage.relevance);
      }
      boost::json::array subject(question->subject.stems.begin(), question->subject.stems.end());
      boost::json::array unheld(question->subject.unheld.begin(), question->subject.unheld.end());
      boost::json::object entry{{"question", question->text}};
      if (!question->translated.empty()) entry["translated"] = question->translated;
      entry["subject"] = std::move(subject);
      entry["subject_weights"] = boost::json::array(question->subject.weights.begin(), question->subject.weights.end());
      entry["subject_unheld"] = std::move(unheld);
      entry["subject_unknown"] = question->subject.unknown;
      if (question->subject.days != 0) entry["subject_days"] = question->subject.days;
      if (!question->corrections.empty()) {
        entry["corrections"] = boost::json::array(question->corrections.begin(), question->corrections.end());
      }
      if (!question->translated.empty()) {
        entry["subject_firm"] = boost::json::array(question->subject.firm.begin(), question->subject.firm.end());
      }
      entry["passages"] = std::move(passages);
      entry["best_relevance"] = best;
      per_question.push_back(std::move(entry));
    }
    trace["questions"] = std::move(per_question);
    co_return Ok();
  }

 private:
  // Offline, renders each question written in another language than the knowledge's in the knowledge's language
  // (Question::translated), when a dictionary has the pair; the other senses the knowledge holds go to `expansions`,
  // the words that say firmly what is asked to `firm`. With a model, triage has already rewritten the questions in
  // the knowledge's language.
  Result<void> Translate(const AgentState& state, const std::vector<int64_t>& scope, std::vector<Question*>& open,
                         std::vector<std::vector<std::string>>& expansions,
                         std::vector<std::vector<std::string>>& firm) {
    if (state.model != nullptr || translator_ == nullptr || state.language.empty()) return Ok();
    const std::string knowledge_language =
        knowledge::LanguageCode(state.settings.language).value_or(state.settings.language);
    if (state.language == knowledge_language) return Ok();
    auto held = [&](const std::vector<std::string>& terms) { return retriever_.ChunksHolding(scope, terms); };
    for (size_t i = 0; i < open.size(); ++i) {
      auto translated =
          knowledge::TranslateQuestion(*translator_, open[i]->text, state.language, knowledge_language, held);
      if (!translated) return translated.error();
      open[i]->translated = std::move(translated->text);
      expansions[i] = std::move(translated->alternatives);
      firm[i] = std::move(translated->firm);
    }
    return Ok();
  }

  store::KnowledgeStore& store_;
  knowledge::Retriever& retriever_;
  Providers& providers_;
  BlockingPool& pool_;
  knowledge::TermTranslator* translator_;
};

}  // namespace

std::unique_ptr<Stage> MakeRetrieveStage(const StageDependencies& deps) {
  return std::make_unique<RetrieveStage>(deps);
}

}  // namespace parley::agent
