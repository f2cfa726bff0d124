#pragma once
// The search indexes of every knowledge base, both kept in step with the store: the vector index (HNSW, one per
// knowledge base and embedder) and the BM25 index (one per knowledge base). Their files live side by side under
// <data dir>/indexes.

#include "core/error.h"
#include "knowledge/lexical_index.h"
#include "knowledge/search_threads.h"
#include "knowledge/vector_index.h"
#include "store/knowledge_store.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>

namespace parley::knowledge {

struct KnowledgeIndexes {
  // `directory` is where index files live (created if missing); empty keeps indexes in memory only.
  KnowledgeIndexes(store::KnowledgeStore& store, const std::string& directory, HnswOptions hnsw = {},
                   Bm25Options bm25 = {})
      : threads(std::max(1u, std::thread::hardware_concurrency()) - 1),
        vectors(store, directory, hnsw, &threads),
        lexical(store, directory, bm25) {}

  // Catches both indexes of the knowledge base up with the store (after an ingestion, so that the next question
  // does not pay for it). Blocks.
  // Both are tried; the first failure is returned.
  Result<void> Refresh(int64_t knowledge_base_id, const std::string& embedder_id, int dimensions) {
    auto vectors_refreshed = vectors.Refresh(knowledge_base_id, embedder_id, dimensions);
    auto lexical_refreshed = lexical.Refresh(knowledge_base_id);
    return vectors_refreshed ? lexical_refreshed : vectors_refreshed;
  }
  // Writes every index changed since its last save; both kinds are tried, the first failure is returned. Blocks.
  Result<void> Flush() {
    auto vectors_flushed = vectors.Flush();
    auto lexical_flushed = lexical.Flush();
    return vectors_flushed ? lexical_flushed : vectors_flushed;
  }

  SearchThreads threads;  // One helper per other core, for searches that split (declared first: vectors use it).
  VectorCatalog vectors;
  LexicalCatalog lexical;
};

}  // namespace parley::knowledge
