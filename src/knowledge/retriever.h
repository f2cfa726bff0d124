#pragma once
// Hybrid retrieval: the BM25 ranking (LexicalCatalog) and the vector ranking (HNSW) of a tenant's knowledge bases,
// each restricted to those knowledge bases before ranking, fused by reciprocal rank fusion (Cormack et al.,
// 2009): score(d) = Σ 1 / (k + rank_i(d)). RRF needs no score calibration between the two rankings, which is why
// it is used instead of mixing BM25 and cosine values.
//
// Fusion orders passages; it says nothing about whether the best one answers the question. `relevance` does:
// the larger of the passage's cosine similarity and the share of the question's content words (stemmed) that
// the passage contains. The agent abstains below its threshold.

#include "core/error.h"
#include "knowledge/indexes.h"
#include "store/knowledge_store.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

struct RetrievalOptions {
  int top_k = 5;        //!< Passages returned.
  int candidates = 40;  //!< Depth of each ranking before fusion.
  double rrf_k = 60;    //!< RRF's damping constant (60 in the original paper).
  // Weight of the BM25 ranking in the fusion (the vector ranking weighs 1). The built-in embedder already sees
  // stems and character n-grams, so exact-word BM25 mostly confirms it; on tests/eval a weight of 0.5 raised
  // hit@1 from 0.57 to 0.63 and MRR from 0.72 to 0.74 over equal weights, without losing hit@3.
  double lexical_weight = 0.5;
  std::string language = "english";  //!< The knowledge's: how its chunks were stemmed (ISO code or Snowball name).
  //! The question's, when known and different (a French question to English documents): its words are stemmed in
  //! both languages. Empty: the knowledge's.
  std::string question_language;
  //! Question words that no knowledge base holds, in either form, are searched as the closest term in spelling
  //! too (LexicalCatalog::Correct): "glutten" finds "gluten".
  bool correct_spelling = true;
  //! Further phrases searched by BM25 beside the question (a translated question's other senses: term_translator.h):
  //! they help find a passage but count in no coverage.
  std::vector<std::string> expansions;
};

struct Passage {
  store::ChunkRecord chunk;
  double score = 0;       //!< RRF score.
  int vector_rank = 0;    //!< 1-based; 0 when absent from that ranking.
  int lexical_rank = 0;   //!< 1-based; 0 when absent.
  double similarity = 0;  //!< Cosine with the question (0 when not in the vector ranking).
  double bm25 = 0;        //!< 0 when not in the lexical ranking.
  double coverage = 0;    //!< Share of the question's content stems found in the passage (spelling corrected).
  //! The same share with each stem weighted by its IDF in the knowledge searched (a stem no chunk holds weighs the
  //! most): a passage holding only the question's common words ("yoga" at a yoga studio) covers little of it.
  double weighted_coverage = 0;
  double relevance = 0;  //!< max(similarity, coverage).
};

// What the BM25 index stores for a text: its folded words, then the Snowball stem of each word whose stem differs
// from it, so an inflected form in a question ("deliveries") matches another in a document ("delivered"). Exact
// forms match twice (word and stem) and so still rank first.
std::string LexicalText(std::string_view text, std::string_view language);

// The content words of a question: folded, stop words removed, once each, in order.
std::vector<std::string> ContentWords(std::string_view question);

// The terms of a question's BM25 query for its content `words`: each word followed by its stem in `language` and
// in `question_language` (when given) where they differ, deduplicated, in order; empty when no word remains.
std::vector<std::string> LexicalTerms(const std::vector<std::string>& words, std::string_view language,
                                      std::string_view question_language = {});
std::vector<std::string> LexicalTerms(std::string_view question, std::string_view language);

struct FusedHit {
  int64_t id = 0;
  double score = 0;
  std::vector<int> ranks;  //!< Per input ranking, 1-based; 0 when absent.
};

// Weighted reciprocal rank fusion of rankings (best first): score(d) = Σ weight_i / (k + rank_i(d)), best first;
// ties broken by the smaller id for determinism. `weights` has one entry per ranking, or is empty (all 1).
std::vector<FusedHit> ReciprocalRankFusion(const std::vector<std::vector<int64_t>>& rankings, double k, size_t limit,
                                           const std::vector<double>& weights = {});

// Share (0..1) of `question`'s content stems present in `passage_text`; 0 when the question has none.
double StemCoverage(std::string_view question, std::string_view passage_text, std::string_view language);
// The same for content words already taken from a question (ContentWords, spelling corrected).
double StemCoverage(const std::vector<std::string>& words, std::string_view passage_text, std::string_view language);
// BM25's IDF of a term that `holding` of `chunks` chunks hold (Lucene's form, never zero): a term no chunk holds
// weighs the most.
double Idf(size_t holding, size_t chunks);

// The share of the IDF weight of `stems` (distinct, parallel to `weights`) present in `passage_text`'s stems.
double WeightedStemCoverage(const std::vector<std::string>& stems, const std::vector<double>& weights,
                            std::string_view passage_text, std::string_view language);

class Retriever {
 public:
  Retriever(store::KnowledgeStore& store, KnowledgeIndexes& indexes) : store_(store), indexes_(indexes) {}

  // The content words of `question` (ContentWords) with each misspelt one (no knowledge base of `scope` holds it,
  // nor its stem) replaced by its correction, when it has one. Blocks.
  Result<std::vector<std::string>> CorrectedWords(const std::vector<int64_t>& scope, std::string_view question,
                                                  const RetrievalOptions& options);

  // How many chunks knowledge bases `scope` hold together (the N of Idf), and how many of them hold each of `terms`
  // (folded words or their stems, as LexicalText indexes them), in the same order: one read of the indexes. Blocks.
  Result<LexicalCatalog::TermStatistics> CountTerms(const std::vector<int64_t>& scope,
                                                    const std::vector<std::string>& terms);

  // CountTerms' counts per term alone. Blocks.
  Result<std::vector<size_t>> ChunksHolding(const std::vector<int64_t>& scope, const std::vector<std::string>& terms);

  // Top passages for `question` in the tenant's `knowledge_base_ids` (ids of other tenants are ignored).
  // `query_vector` is the question embedded by `embedder_id`; empty skips the vector ranking. Blocks.
  Result<std::vector<Passage>> Retrieve(int64_t tenant_id, const std::vector<int64_t>& knowledge_base_ids,
                                        std::string_view question, const std::vector<float>& query_vector,
                                        const std::string& embedder_id, const RetrievalOptions& options);

  // The hybrid's vector ranking over knowledge bases `scope` (already checked to be the tenant's): each one's
  // nearest neighbours of `query_vector`, and the chunks of `lexical_ids` (the BM25 candidates) scored exactly,
  // most similar first, at most `limit`. The neighbours are approximate (the graph's or the component columns');
  // the chunks holding the question's words are the likeliest of its true neighbours, and scoring 40 of them
  // exactly costs microseconds.
  Result<std::vector<VectorHit>> VectorRanking(const std::vector<int64_t>& scope,
                                               const std::vector<float>& query_vector, const std::string& embedder_id,
                                               const std::vector<int64_t>& lexical_ids, int limit);

 private:
  // Each knowledge base's `limit` nearest neighbours, once each.
  Result<std::vector<VectorHit>> Neighbours(const std::vector<int64_t>& scope, const std::vector<float>& query_vector,
                                            const std::string& embedder_id, int limit);
  // `ranking` with the chunks of `lexical_ids` it lacks, scored exactly; most similar first, at most `limit`.
  Result<std::vector<VectorHit>> WithCandidates(const std::vector<int64_t>& scope,
                                                const std::vector<float>& query_vector, const std::string& embedder_id,
                                                std::vector<VectorHit> ranking, const std::vector<int64_t>& lexical_ids,
                                                int limit);

  store::KnowledgeStore& store_;
  KnowledgeIndexes& indexes_;
};

}  // namespace parley::knowledge
