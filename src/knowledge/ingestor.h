#pragma once
// Ingestion: turns pending documents into chunks, embeddings and index entries, as durable background jobs.
// A document row is its own job (store/knowledge_store.h): a worker leases it, extracts, chunks, embeds and
// commits everything in one transaction. A transient failure (a page that cannot be fetched, an embeddings
// endpoint down) is retried with exponential backoff; a document that cannot be read fails at once with the
// reason; a worker that dies leaves a lease that expires, and the document is taken again. One failing document
// never blocks the others: each is leased and finished on its own.
//
// Fair between tenants: a document costs at most its budget (pages, characters, and the processor time of the
// child process that reads it, knowledge/extract_process.h); documents are taken round-robin across tenants
// (ClaimDocumentJob), and no tenant holds more than `documents_per_tenant` of the `documents_in_flight` slots, so
// another tenant's document finds a free one. The lease of a document is renewed every third of its length for
// as long as it is processed, a long extraction included.

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/client.h"
#include "knowledge/chunker.h"
#include "knowledge/embedder.h"
#include "knowledge/extract_process.h"
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
  int64_t lease_ms = 60000;  //!< Renewed every third of it while processing; once lapsed, the document is taken again.
  int max_attempts = 5;
  int64_t retry_base_ms = 2000;  //!< Backoff: base × 2^(attempt-1), capped at 5 minutes.
  int embed_batch = 64;          //!< Texts per Embed call.
  int documents_in_flight = 3;   //!< Documents processed at once, all tenants together…
  int documents_per_tenant = 2;  //!< …of which one tenant holds at most this many (0: no limit).
  ExtractBudget budget;          //!< What reading one document may cost.
  // Starts the child process that reads PDF, DOCX, HTML and images within `budget` (the server: its own binary's
  // `extract` command). Empty: every format is read on the blocking pool, where only the page and character limits
  // hold.
  ExtractCommand extract_command;
  Clock* clock = nullptr;  //!< What claims, leases and retries read, and the lease keeper waits on; null: the system's.
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

  // Processes documents (IngestorOptions::documents_in_flight at a time) until none is due and none is in
  // flight; a document added meanwhile (Wake) is taken as soon as a slot is free. Completes with how many it
  // finished (ready or failed). Not concurrently with itself or Start().
  boost::asio::awaitable<int> RunDue();
  // Starts the background loop on the strand: it processes due documents, then sleeps until the next one is due
  // or Wake() is called, until Stop().
  void Start();
  void Wake();  //!< A document was added. Thread-safe.
  void Stop();  //!< Thread-safe; no document is taken after it, and the loop ends once those in flight are done.

 private:
  struct Lease;  // A document's lease as its keeper renews it.

  boost::asio::awaitable<Result<void>> Process(store::DocumentJob& job, Lease& lease);
  // Reads the document's blocks, the text of its images and scanned pages in `ocr_languages`: in a child process
  // within the budget when `extract_command` is set and the format can run away, else on the pool.
  boost::asio::awaitable<Result<ExtractedDocument>> ExtractBlocks(Format format, const std::string& content,
                                                                  std::string ocr_languages);
  // Claims due documents into the free slots and starts each; returns whether documents are due that could not be
  // taken for a reason other than a full slot (their knowledge base's graph is behind).
  boost::asio::awaitable<bool> FillSlots();
  // RunDue, on the strand.
  boost::asio::awaitable<int> Drain();
  boost::asio::awaitable<void> Work(store::DocumentJob job);  //!< One claimed document, to ready or failed.
  boost::asio::awaitable<void> KeepLease(std::shared_ptr<Lease> lease);
  boost::asio::awaitable<void> Sleep(std::chrono::milliseconds longest);  //!< Until Notify() or `longest`.
  // On the strand: wakes Sleep, now or at its next call.
  void Notify();
  boost::asio::awaitable<void> FlushIndexes();  //!< Saves the indexes changed since the last save.
  boost::asio::awaitable<void> Run();

  store::KnowledgeStore& store_;
  KnowledgeIndexes& indexes_;
  ProfileForTenant profile_for_;
  BlockingPool& pool_;
  http::Client* fetcher_;
  IngestorOptions options_;
  Clock& clock_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::atomic<bool> stopped_{false};
  // Used on strand_ only.
  boost::asio::steady_timer wake_;
  bool wake_pending_ = false;  //!< A Notify() that no Sleep has consumed yet.
  int in_flight_ = 0;          //!< Documents claimed and not finished.
  int finished_ = 0;           //!< Documents finished (ready or failed for good) since construction.
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace parley::knowledge
