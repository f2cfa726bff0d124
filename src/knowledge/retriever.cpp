#include "knowledge/retriever.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace parley::knowledge {

std::vector<std::string> ContentWords(std::string_view question) {
  std::vector<std::string> words;
  std::unordered_set<std::string> seen;
  for (auto& word : Words(Fold(question))) {
    if (IsStopWord(word) || !seen.insert(word).second) continue;
    words.push_back(std::move(word));
  }
  return words;
}

std::string LexicalText(std::string_view text, std::string_view language) {
  Stemmer& stemmer = ThreadStemmer(language);
  std::vector<std::string> words = Words(Fold(text));
  std::string lexical;
  for (const auto& word : words) lexical += (lexical.empty() ? "" : " ") + word;
  for (const auto& word : words) {
    std::string stem = stemmer.Stem(word);
    if (stem != word) lexical += " " + stem;
  }
  return lexical;
}

std::vector<std::string> LexicalTerms(const std::vector<std::string>& words, std::string_view language,
                                      std::string_view question_language) {
  std::vector<Stemmer*> stemmers{&ThreadStemmer(language)};
  if (!question_language.empty()) {
    Stemmer& other = ThreadStemmer(question_language);
    if (other.language() != stemmers[0]->language()) stemmers.push_back(&other);
  }
  std::vector<std::string> terms;
  auto add = [&terms](std::string term) {
    if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(std::move(term));
  };
  for (const auto& word : words) {
    add(word);
    for (Stemmer* stemmer : stemmers) add(stemmer->Stem(word));
  }
  return terms;
}

std::vector<std::string> LexicalTerms(std::string_view question, std::string_view language) {
  return LexicalTerms(ContentWords(question), language);
}

std::vector<FusedHit> ReciprocalRankFusion(const std::vector<std::vector<int64_t>>& rankings, double k, size_t limit,
                                           const std::vector<double>& weights) {
  std::unordered_map<int64_t, FusedHit> fused;
  for (size_t list = 0; list < rankings.size(); ++list) {
    for (size_t i = 0; i < rankings[list].size(); ++i) {
      int64_t id = rankings[list][i];
      auto& hit = fused[id];
      if (hit.ranks.empty()) {
        hit.id = id;
        hit.ranks.assign(rankings.size(), 0);
      }
      if (hit.ranks[list] != 0) continue;  // A ranking that repeats an id counts its best rank only.
      hit.ranks[list] = static_cast<int>(i + 1);
      double weight = weights.empty() ? 1.0 : weights[list];
      hit.score += weight / (k + static_cast<double>(i + 1));
    }
  }
  std::vector<FusedHit> ordered;
  ordered.reserve(fused.size());
  for (auto& [id, hit] : fused) ordered.push_back(std::move(hit));
  std::sort(ordered.begin(), ordered.end(),
            [](const FusedHit& a, const FusedHit& b) { return a.score != b.score ? a.score > b.score : a.id < b.id; });
  if (ordered.size() > limit) ordered.resize(limit);
  return ordered;
}

double StemCoverage(std::string_view question, std::string_view passage_text, std::string_view language) {
  return StemCoverage(ContentWords(question), passage_text, language);
}

double StemCoverage(const std::vector<std::string>& words, std::string_view passage_text, std::string_view language) {
  Stemmer& stemmer = ThreadStemmer(language);
  std::set<std::string> wanted;
  for (const auto& word : words) wanted.insert(stemmer.Stem(word));
  if (wanted.empty()) return 0;
  std::unordered_set<std::string> present;
  for (const auto& word : Words(Fold(passage_text))) present.insert(stemmer.Stem(word));
  size_t found = 0;
  for (const auto& stem : wanted) found += present.count(stem);
  return static_cast<double>(found) / static_cast<double>(wanted.size());
}

double Idf(size_t holding, size_t chunks) {
  const double df = static_cast<double>(holding);
  return std::log(1.0 + (static_cast<double>(chunks) - df + 0.5) / (df + 0.5));
}

double WeightedStemCoverage(const std::vector<std::string>& stems, const std::vector<double>& weights,
                            std::string_view passage_text, std::string_view language) {
  Stemmer& stemmer = ThreadStemmer(language);
  std::unordered_set<std::string> present;
  for (const auto& word : Words(Fold(passage_text))) present.insert(stemmer.Stem(word));
  double total = 0, found = 0;
  for (size_t i = 0; i < stems.size(); ++i) {
    total += weights[i];
    if (present.count(stems[i])) found += weights[i];
  }
  return total > 0 ? found / total : 0;
}

Result<std::vector<std::string>> Retriever::CorrectedWords(const std::vector<int64_t>& scope, std::string_view question,
                                                           const RetrievalOptions& options) {
  std::vector<std::string> words = ContentWords(question);
  if (!options.correct_spelling || words.empty()) return words;
  Stemmer& stemmer = ThreadStemmer(options.language);
  std::vector<QueryWord> forms;
  forms.reserve(words.size());
  for (const auto& word : words) forms.push_back({word, stemmer.Stem(word)});
  auto corrections = indexes_.lexical.Correct(scope, forms);
  if (!corrections) return corrections.error();
  for (size_t i = 0; i < words.size(); ++i) {
    if (!(*corrections)[i].empty()) words[i] = std::move((*corrections)[i]);
  }
  return words;
}

Result<LexicalCatalog::TermStatistics> Retriever::CountTerms(const std::vector<int64_t>& scope,
                                                             const std::vector<std::string>& terms) {
  return indexes_.lexical.Statistics(scope, terms);
}

Result<std::vector<size_t>> Retriever::ChunksHolding(const std::vector<int64_t>& scope,
                                                     const std::vector<std::string>& terms) {
  if (terms.empty()) return std::vector<size_t>{};
  auto statistics = CountTerms(scope, terms);
  if (!statistics) return statistics.error();
  return std::move(statistics->frequencies);
}

Result<std::vector<Passage>> Retriever::Retrieve(int64_t tenant_id, const std::vector<int64_t>& knowledge_base_ids,
                                                 std::string_view question, const std::vector<float>& query_vector,
                                                 const std::string& embedder_id, const RetrievalOptions& options) {
  auto bases = store_.ListKnowledgeBases(tenant_id);
  if (!bases) return bases.error();
  std::vector<int64_t> scope;
  for (const auto& base : *bases) {
    if (std::find(knowledge_base_ids.begin(), knowledge_base_ids.end(), base.id) != knowledge_base_ids.end()) {
      scope.push_back(base.id);
    }
  }
  std::vector<Passage> passages;
  if (scope.empty()) return passages;

  // BM25 and the vector search run side by side: this thread searches the vectors (a scan of their columns is
  // split with the search threads) while a free helper ranks by BM25, then joins the scan.
  std::optional<Result<std::vector<LexicalHit>>> lexical;
  std::optional<Result<std::vector<VectorHit>>> nearest;
  Result<std::vector<std::string>> words = std::vector<std::string>{};
  std::vector<std::string> stems;  // The corrected words' distinct stems, and the IDF weight of each.
  std::vector<double> weights;
  std::vector<std::function<void()>> searches;
  if (!query_vector.empty()) {
    searches.emplace_back([&] { nearest = Neighbours(scope, query_vector, embedder_id, options.candidates); });
  }
  searches.emplace_back([&] {
    words = CorrectedWords(scope, question, options);
    if (!words) {
      lexical = words.error();
      return;
    }
    // A word corrected is searched as written too: its stem may still match ("pizzas").
    std::vector<std::string> searched = ContentWords(question);
    for (const auto& word : *words) {
      if (std::find(searched.begin(), searched.end(), word) == searched.end()) searched.push_back(word);
    }
    for (const auto& phrase : options.expansions) {
      for (auto& word : ContentWords(phrase)) {
        if (std::find(searched.begin(), searched.end(), word) == searched.end()) searched.push_back(std::move(word));
      }
    }
    lexical = indexes_.lexical.Search(scope, LexicalTerms(searched, options.language, options.question_language),
                                      static_cast<size_t>(options.candidates));
    if (!*lexical) return;
    Stemmer& stemmer = ThreadStemmer(options.language);
    for (const auto& word : *words) {
      std::string stem = stemmer.Stem(word);
      if (std::find(stems.begin(), stems.end(), stem) == stems.end()) stems.push_back(std::move(stem));
    }
    auto statistics = indexes_.lexical.Statistics(scope, stems);
    if (!statistics) {
      lexical = statistics.error();
      return;
    }
    for (size_t frequency : statistics->frequencies) weights.push_back(Idf(frequency, statistics->chunks));
  });
  indexes_.threads.Run(searches.size(), [&searches](size_t part) { searches[part](); });
  if (!*lexical) return lexical->error();
  std::vector<int64_t> lexical_ids;
  std::unordered_map<int64_t, double> bm25;
  for (const auto& hit : **lexical) {
    lexical_ids.push_back(hit.chunk_id);
    bm25[hit.chunk_id] = hit.score;
  }

  std::vector<int64_t> vector_ids;
  std::unordered_map<int64_t, double> similarity;
  if (nearest) {
    if (!*nearest) return nearest->error();
    auto ranking =
        WithCandidates(scope, query_vector, embedder_id, std::move(**nearest), lexical_ids, options.candidates);
    if (!ranking) return ranking.error();
    for (const auto& hit : *ranking) {
      vector_ids.push_back(hit.chunk_id);
      similarity[hit.chunk_id] = hit.similarity;
    }
  }

  auto fused = ReciprocalRankFusion({vector_ids, lexical_ids}, options.rrf_k, static_cast<size_t>(options.top_k),
                                    {1.0, options.lexical_weight});
  std::vector<int64_t> ids;
  for (const auto& hit : fused) ids.push_back(hit.id);
  auto chunks = store_.GetChunks(tenant_id, ids);
  if (!chunks) return chunks.error();
  std::unordered_map<int64_t, store::ChunkRecord*> by_id;
  for (auto& chunk : *chunks) by_id[chunk.id] = &chunk;
  for (const auto& hit : fused) {
    auto found = by_id.find(hit.id);
    if (found == by_id.end()) continue;  // Deleted since it was ranked.
    Passage passage;
    passage.chunk = std::move(*found->second);
    passage.score = hit.score;
    passage.vector_rank = hit.ranks[0];
    passage.lexical_rank = hit.ranks[1];
    passage.similarity = similarity.count(hit.id) ? similarity[hit.id] : 0;
    passage.bm25 = bm25.count(hit.id) ? bm25[hit.id] : 0;
    const std::string text = passage.chunk.heading_path + "\n" + passage.chunk.text;
    passage.coverage = StemCoverage(*words, text, options.language);
    passage.weighted_coverage = WeightedStemCoverage(stems, weights, text, options.language);
    passage.relevance = std::max(passage.similarity, passage.coverage);
    passages.push_back(std::move(passage));
  }
  return passages;
}

Result<std::vector<VectorHit>> Retriever::VectorRanking(const std::vector<int64_t>& scope,
                                                        const std::vector<float>& query_vector,
                                                        const std::string& embedder_id,
                                                        const std::vector<int64_t>& lexical_ids, int limit) {
  auto nearest = Neighbours(scope, query_vector, embedder_id, limit);
  if (!nearest) return nearest.error();
  return WithCandidates(scope, query_vector, embedder_id, std::move(*nearest), lexical_ids, limit);
}

Result<std::vector<VectorHit>> Retriever::Neighbours(const std::vector<int64_t>& scope,
                                                     const std::vector<float>& query_vector,
                                                     const std::string& embedder_id, int limit) {
  std::vector<VectorHit> ranking;
  std::unordered_set<int64_t> seen;
  for (int64_t base : scope) {
    auto nearest = indexes_.vectors.Search(base, embedder_id, query_vector, limit);
    if (!nearest) return nearest.error();
    for (const auto& hit : *nearest) {
      if (seen.insert(hit.chunk_id).second) ranking.push_back(hit);
    }
  }
  return ranking;
}

Result<std::vector<VectorHit>> Retriever::WithCandidates(const std::vector<int64_t>& scope,
                                                         const std::vector<float>& query_vector,
                                                         const std::string& embedder_id, std::vector<VectorHit> ranking,
                                                         const std::vector<int64_t>& lexical_ids, int limit) {
  std::unordered_set<int64_t> seen;
  for (const auto& hit : ranking) seen.insert(hit.chunk_id);
  std::vector<int64_t> unscored;
  for (int64_t id : lexical_ids) {
    if (!seen.count(id)) unscored.push_back(id);
  }
  if (!unscored.empty()) {
    for (int64_t base : scope) {
      auto scored = indexes_.vectors.Similarities(base, embedder_id, query_vector, unscored);
      if (!scored) return scored.error();
      for (const auto& hit : *scored) {
        if (seen.insert(hit.chunk_id).second) ranking.push_back(hit);
      }
    }
  }
  std::sort(ranking.begin(), ranking.end(), [](const VectorHit& a, const VectorHit& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.chunk_id < b.chunk_id;
  });
  if (ranking.size() > static_cast<size_t>(limit)) ranking.resize(static_cast<size_t>(limit));
  return ranking;
}

}  // namespace parley::knowledge
