#pragma once
// Ingestion: turns pending documents into chunks, embeddings and index entries, as durable background jobs.
// A document row is its own job (store/knowledge_store.h): a worker leases it, extracts, chunks, embeds and
// commits everything in one transaction. A transient failure (a page that cannot be fetched, an embeddings
// endpoint down) is retried with exponential backoff; a document that cannot be read fails at once with the
// reason; a worker that dies leaves a lease that expires, and the document is taken again. One failing document
// never blocks the others: each is leased and finished on its own.

#include "core/blocking_pool.h"
#include "core/error.h"
#include "http/client.h"
#include "knowledge/chunker.h"
#include "knowledge/embedder.h"
#include "knowledge/indexes.h"
#include "store/knowledge_store.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace parley::knowledge {

// How a tenant's knowledge is indexed: its embedder and the language of its stemming (its AI settings, else the
// server defaults).
struct IndexingProfile {
  std::shared_ptr<Embedder> embedder;
  std::string language = "english";
  ChunkOptions chunking;
};
// Blocking.
using ProfileForTenant = std::function<Result<IndexingProfile>(int64_t tenant_id)>;

struct IngestorOptions {
  int64_t lease_ms = 60000;  //!< Renewed after each batch; once it lapses the document is taken again.
  int max_attempts = 5;
  int64_t retry_base_ms = 2000;  //!< Backoff: base × 2^(attempt-1), capped at 5 minutes.
  int embed_batch = 64;          //!< Texts per Embed call.
  int documents_in_flight = 2;   //!< Documents processed at once.
  // A new document waits while its knowledge base holds more vectors than this not linked into its HNSW graphs yet
  // (documents of other knowledge bases go ahead): its searches scan those exactly (about 4 ms per 100,000 on one
  // core), and they take memory twice.
  size_t max_unlinked_vectors = 200000;
  uint64_t max_document_bytes = 50ull << 20;
};

class Ingestor {
 public:
  // `fetcher` downloads documents given by URL; null refuses them. Run() runs on a strand of `executor`.
  Ingestor(boost::asio::any_io_executor executor, store::KnowledgeStore& store, KnowledgeIndexes& indexes,
           ProfileForTenant profile_for, BlockingPool& pool, http::Client* fetcher, IngestorOptions options);

  // Processes documents (IngestorOptions::documents_in_flight at a time) until none is due; completes with how many
  // it finished (ready or failed).
  boost::asio::awaitable<int> RunDue();
  // Starts the background loop on the strand: it processes due documents, then sleeps until the next one is due
  // or Wake() is called, until Stop().
  void Start();
  void Wake();  //!< A document was added. Thread-safe.
  void Stop();  //!< Thread-safe; the loop ends at its next wake-up or between documents.

 private:
  boost::asio::awaitable<Result<void>> Process(store::DocumentJob& job);
  boost::asio::awaitable<int> RunDueDocuments();
  boost::asio::awaitable<void> FlushIndexes();  //!< Saves the indexes changed since the last save.
  boost::asio::awaitable<void> Run();

  store::KnowledgeStore& store_;
  KnowledgeIndexes& indexes_;
  ProfileForTenant profile_for_;
  BlockingPool& pool_;
  http::Client* fetcher_;
  IngestorOptions options_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer wake_;  // Used on strand_ only.
  std::atomic<bool> stopped_{false};
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();  // Used on strand_ only.
};

}  // namespace parley::knowledge
