#pragma once
// BM25 search over one knowledge base's chunks (an inverted index in memory), and the catalog that keeps one
// index per knowledge base in memory and on disk.
//
// Why not SQLite FTS5, which Parley used first: FTS5 has no top-k pruning. bm25() counts every row holding each
// query term, then scores every row the query matches before sorting them, so a question of common words costs
// tens of milliseconds at a million chunks (docs/benchmarks.md). Here the query is evaluated document at a time
// with MaxScore (Turtle & Flood, 1995): once the k-th best score exceeds what the rarest terms' upper bounds can
// add, the posting lists of the common terms are only probed for documents that can still make the top k. The
// ranking is exact BM25 all the same. Statistics (document count, frequencies, average length) are those of the
// knowledge base, so one tenant's documents never weigh on another's scores.
//
// The store stays the source of truth, as for the vector index: the catalog catches each index up from the
// chunks' folded text (`ChunkTextsAfter`) and the deletion log before answering, and the files under
// <data dir>/indexes are a cache that spares a rebuild at start-up.

#include "core/error.h"
#include "knowledge/index_catalog.h"
#include "knowledge/spelling.h"
#include "store/knowledge_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley::knowledge {

// A word of a question in the two forms the index may hold it in: folded, and stemmed.
struct QueryWord {
  std::string word;
  std::string stem;
};

// The term a misspelt word is corrected to.
struct Suggestion {
  std::string term;
  int distance = 0;        //!< Edits from the word (optimal string alignment).
  uint32_t frequency = 0;  //!< Chunks holding the term.
};

struct LexicalHit {
  int64_t chunk_id = 0;
  double score = 0;  //!< BM25, higher is better.
};

// BM25's parameters (Robertson et al.), at the values FTS5 and Lucene use.
struct Bm25Options {
  double k1 = 1.2;  //!< Term-frequency saturation.
  double b = 0.75;  //!< Document-length normalization.
};

// One knowledge base's inverted index. Not thread-safe by itself: the catalog guards it with a shared mutex.
class LexicalIndex {
 public:
  explicit LexicalIndex(Bm25Options options = {}) : options_(options) {}

  // Indexes the chunk whose BM25 text (`LexicalText`: folded words separated by spaces) is `lexical_text`.
  // Chunks are added in increasing id order, as the store assigns them; an id not above the last one is ignored.
  // Stop words count in the chunk's length but are not indexed: questions never search them.
  void Add(int64_t chunk_id, std::string_view lexical_text);
  // Removes the chunk from results; unknown ids are ignored. Its postings are reclaimed once removed chunks make
  // up a quarter of the index (until then they still count in the statistics, as in Lucene).
  void Remove(int64_t chunk_id);
  // The `k` best live chunks by BM25 for the union of `terms` (folded words; repeats count once), best first,
  // ties broken by the smaller id. Chunks holding none of the terms are never returned.
  std::vector<LexicalHit> Search(const std::vector<std::string>& terms, size_t k) const;

  // Whether `term` is one of the index's terms (stop words never are).
  bool Contains(std::string_view term) const { return terms_.count(std::string(term)) != 0; }
  // Chunks holding `term` (removed ones not yet reclaimed included, as in the BM25 statistics); 0 when none does.
  size_t DocumentFrequency(std::string_view term) const;
  // The term closest in spelling to `word` (a folded word the index does not hold), within
  // SpellingDictionary::MaxDistance of it and beginning with the same letter: the fewest edits, then the most
  // frequent, then the first in byte order.
  std::optional<Suggestion> Suggest(std::string_view word) const;
  // Makes the terms added since the last call quick to suggest (SpellingDictionary::Settle): after a batch of Add.
  void SettleSpelling() { spelling_.Settle(); }

  size_t size() const { return live_; }  //!< Live chunks.

  // Writes the index and `position` to `path` (through a temporary file and a rename).
  Result<void> Save(const std::string& path, const StorePosition& position) const;
  // Reads a file written by Save; kUnavailable when missing, truncated or not an index file.
  static Result<std::unique_ptr<LexicalIndex>> Load(const std::string& path, StorePosition* position,
                                                    Bm25Options options = {});

 private:
  struct Postings {
    std::vector<uint32_t> documents;    //!< Ordinals, increasing.
    std::vector<uint16_t> frequencies;  //!< Occurrences in each document (saturating).
    uint16_t max_frequency = 0;
    uint32_t min_length = UINT32_MAX;  //!< Shortest document holding the term: with max_frequency, a score bound.
  };
  struct Cursor;

  void Compact();
  void RebuildSpelling();

  Bm25Options options_;
  std::vector<int64_t> chunk_ids_;  //!< By ordinal, increasing.
  std::vector<uint32_t> lengths_;   //!< Tokens per document, by ordinal.
  std::vector<bool> removed_;       //!< By ordinal.
  uint64_t total_length_ = 0;       //!< Over every ordinal, removed ones included.
  size_t live_ = 0;
  std::unordered_map<std::string, Postings> terms_;
  SpellingDictionary spelling_;  //!< The keys of terms_, kept in step with it.
};

// The in-memory lexical indexes of every knowledge base, kept in step with the store. Thread-safe.
class LexicalCatalog {
 public:
  // `directory` is where index files live (created if missing); empty keeps indexes in memory only.
  LexicalCatalog(store::KnowledgeStore& store, std::string directory, Bm25Options options = {});

  // The `k` best chunks for `terms` across `knowledge_base_ids` (the caller has checked they are the tenant's),
  // each knowledge base ranked by its own statistics, after catching up with the store. Blocks (store reads):
  // call from the blocking pool.
  Result<std::vector<LexicalHit>> Search(const std::vector<int64_t>& knowledge_base_ids,
                                         const std::vector<std::string>& terms, size_t k);
  // Spelling corrections for a question's `words`, after catching up with the store: for each word that none of
  // `knowledge_base_ids` holds in either form, the closest of their terms (LexicalIndex::Suggest; on a tie
  // between knowledge bases, the most frequent); empty for the other words. Blocks.
  Result<std::vector<std::string>> Correct(const std::vector<int64_t>& knowledge_base_ids,
                                           const std::vector<QueryWord>& words);
  // For each of `terms`, the number of chunks of `knowledge_base_ids` holding it, and `chunks` the number of live
  // chunks there: the statistics of an IDF weight. Blocks.
  struct TermStatistics {
    size_t chunks = 0;
    std::vector<size_t> frequencies;  //!< Parallel to the terms asked.
  };
  Result<TermStatistics> Statistics(const std::vector<int64_t>& knowledge_base_ids,
                                    const std::vector<std::string>& terms);
  // Catches the index up with the store without searching (after an ingestion, to keep queries fast).
  Result<void> Refresh(int64_t knowledge_base_id);
  // Writes every index changed since its last save. Blocks.
  Result<void> Flush();

 private:
  using Entries = IndexEntries<int64_t, LexicalIndex>;

  Result<void> CatchUp(int64_t knowledge_base_id, Entries::Entry& entry);
  std::string PathFor(int64_t knowledge_base_id) const;

  store::KnowledgeStore& store_;
  std::string directory_;
  Bm25Options options_;
  Entries entries_;
};

}  // namespace parley::knowledge
