#include "knowledge/ingestor.h"

#include "core/log.h"
#include "core/time.h"
#include "knowledge/extract.h"
#include "knowledge/faq.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace parley::knowledge {
namespace {

constexpr int64_t kMaxRetryDelayMs = 5 * 60 * 1000;

// What extraction yields before embedding: the rows to store, and the text to embed for each chunk.
struct Prepared {
  std::vector<store::NewChunk> chunks;
  std::vector<std::string> texts;
  std::vector<store::NewFaq> faqs;
};

std::string JoinPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const auto& heading : path) joined += (joined.empty() ? "" : " › ") + heading;
  return joined;
}

std::string FileName(const store::Document& document) {
  if (document.source_url.empty()) return document.name;
  // A URL's path decides its format as a file name would ("…/faq.csv"); a bare page is HTML by content type.
  std::string path = document.source_url;
  if (auto query = path.find_first_of("?#"); query != std::string::npos) path.resize(query);
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<Prepared> Prepare(const store::Document& document, const std::string& content, const ChunkOptions& options,
                         const std::string& language) {
  auto format = DetectFormat(FileName(document), document.content_type, content);
  if (!format) return format.error();
  Prepared prepared;
  if (*format == Format::kCsv) {
    auto pairs = ParseQaCsv(content);
    if (!pairs) return pairs.error();
    int position = 0;
    for (auto& pair : *pairs) {
      store::NewFaq faq = MakeFaq(pair.questions, pair.answer);
      if (faq.questions.empty() || faq.answer.empty()) continue;
      std::string text;
      for (const auto& question : faq.questions) text += (text.empty() ? "" : "\n") + question;
      text += "\n" + faq.answer;
      store::NewChunk chunk;
      chunk.position = position++;
      chunk.heading_path = faq.questions.front();
      chunk.text = faq.answer;
      chunk.lexical_text = LexicalText(text, language);
      prepared.texts.push_back(text);
      prepared.chunks.push_back(std::move(chunk));
      prepared.faqs.push_back(std::move(faq));
    }
    return prepared;
  }
  auto extracted = Extract(*format, content);
  if (!extracted) return extracted.error();
  for (const Chunk& chunk : ChunkDocument(*extracted, options)) {
    std::string indexed = IndexedText(chunk);
    store::NewChunk row;
    row.position = chunk.position;
    row.heading_path = JoinPath(chunk.heading_path);
    row.page = chunk.page;
    row.text = chunk.text;
    row.lexical_text = LexicalText(indexed, language);
    prepared.texts.push_back(std::move(indexed));
    prepared.chunks.push_back(std::move(row));
  }
  if (prepared.chunks.empty()) return Error::InvalidArgument("document has no text");
  return prepared;
}

}  // namespace

Ingestor::Ingestor(boost::asio::any_io_executor executor, store::KnowledgeStore& store, KnowledgeIndexes& indexes,
                   ProfileForTenant profile_for, BlockingPool& pool, http::Client* fetcher, IngestorOptions options)
    : store_(store),
      indexes_(indexes),
      profile_for_(std::move(profile_for)),
      pool_(pool),
      fetcher_(fetcher),
      options_(options),
      strand_(boost::asio::make_strand(executor)),
      wake_(strand_) {}

boost::asio::awaitable<Result<void>> Ingestor::Process(store::DocumentJob& job) {
  std::string fetched;
  const std::string* content = &job.content;
  if (job.content.empty() && !job.document.source_url.empty()) {
    if (fetcher_ == nullptr) co_return Error::InvalidArgument("fetching web pages is not available here");
    http::ClientRequest request;
    request.url = job.document.source_url;
    request.headers = {{"Accept", "text/html, text/plain, text/markdown, application/pdf, */*;q=0.5"}};
    auto response = co_await fetcher_->Send(std::move(request));
    if (!response) co_return Error::Unavailable("the page could not be fetched", response.error().detail);
    if (response->status >= 500 || response->status == 429) {
      co_return Error::Unavailable("the page answered " + std::to_string(response->status));
    }
    if (response->status < 200 || response->status >= 300) {
      co_return Error::InvalidArgument("the page answered " + std::to_string(response->status));
    }
    if (auto type = response->headers.find("content-type"); type != response->headers.end()) {
      job.document.content_type = type->second.substr(0, type->second.find(';'));
    }
    fetched = std::move(response->body);
    content = &fetched;
  }
  if (content->size() > options_.max_document_bytes) co_return Error::InvalidArgument("file too large");

  int64_t tenant_id = job.document.tenant_id;
  auto resolve = [&] { return profile_for_(tenant_id); };
  Result<IndexingProfile> profile = co_await pool_.Run(resolve);
  if (!profile) co_return profile.error();
  std::shared_ptr<Embedder> embedder = profile->embedder;
  auto* builtin = dynamic_cast<BuiltinEmbedder*>(embedder.get());

  auto prepare = [&] { return Prepare(job.document, *content, profile->chunking, profile->language); };
  Result<Prepared> prepared = co_await pool_.Run(prepare);
  if (!prepared) co_return prepared.error();

  size_t total = prepared->texts.size();
  for (size_t begin = 0; begin < total; begin += static_cast<size_t>(options_.embed_batch)) {
    size_t end = std::min(total, begin + static_cast<size_t>(options_.embed_batch));
    std::vector<std::string> batch(prepared->texts.begin() + static_cast<long>(begin),
                                   prepared->texts.begin() + static_cast<long>(end));
    Result<std::vector<Vector>> vectors = std::vector<Vector>{};
    if (builtin != nullptr) {
      // The built-in embedder computes; it must not do so on an I/O thread.
      auto compute = [&] {
        std::vector<Vector> out;
        for (const auto& text : batch) out.push_back(builtin->EmbedOne(text));
        return out;
      };
      vectors = co_await pool_.Run(compute);
    } else {
      vectors = co_await embedder->Embed(batch);
    }
    if (!vectors) co_return vectors.error();
    if (vectors->size() != batch.size()) co_return Error::Unavailable("the embedder returned too few vectors");
    for (size_t i = begin; i < end; ++i) prepared->chunks[i].embedding = std::move((*vectors)[i - begin]);
    double progress = 0.95 * static_cast<double>(end) / static_cast<double>(total);
    int64_t lease_until = NowMs() + options_.lease_ms;
    auto report = [&] { return store_.SetDocumentProgress(job, progress, lease_until); };
    Result<void> reported = co_await pool_.Run(report);
    if (!reported) co_return reported.error();
  }

  std::string embedder_id = embedder->id();
  int dimensions = embedder->dimensions();
  auto complete = [&]() -> Result<void> {
    auto stored = store_.CompleteDocumentJob(job, embedder_id, prepared->chunks, prepared->faqs, fetched);
    if (!stored) return stored;
    // Index now, so the first question after ingestion does not read the new chunks itself: they are searchable
    // from here on, and the vector catalog links them into its graph in the background. The index files are
    // written later (FlushIndexes): the graph is about 1.7 KB per chunk, too much to rewrite after every document.
    auto refreshed = indexes_.Refresh(job.document.knowledge_base_id, embedder_id, dimensions);
    if (!refreshed) log::Warn("index_refresh_failed", {{"detail", refreshed.error().detail}});
    return Ok();
  };
  co_return co_await pool_.Run(complete);
}

boost::asio::awaitable<void> Ingestor::FlushIndexes() {
  auto flush = [this] { return indexes_.Flush(); };
  Result<void> flushed = co_await pool_.Run(flush);
  if (!flushed) log::Warn("index_not_saved", {{"detail", flushed.error().detail}});
  last_flush_ = std::chrono::steady_clock::now();
}

boost::asio::awaitable<int> Ingestor::RunDue() {
  // Several documents at once: one's extraction and embedding overlap another's commit and indexing, and the
  // built-in embedder keeps more than one core busy.
  using Worker = decltype(boost::asio::co_spawn(strand_, RunDueDocuments(), boost::asio::deferred));
  std::vector<Worker> workers;
  for (int i = 0; i < std::max(1, options_.documents_in_flight); ++i) {
    workers.push_back(boost::asio::co_spawn(strand_, RunDueDocuments(), boost::asio::deferred));
  }
  auto group = boost::asio::experimental::make_parallel_group(std::move(workers));
  auto [order, failures, counts] =
      co_await group.async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  int finished = std::accumulate(counts.begin(), counts.end(), 0);
  // The index files are a cache (a stale one is caught up from the store), so they are saved once the queue is
  // drained, and every few minutes during a long one (RunDueDocuments), not after each document.
  if (finished > 0) co_await FlushIndexes();
  co_return finished;
}

boost::asio::awaitable<int> Ingestor::RunDueDocuments() {
  constexpr auto kFlushInterval = std::chrono::minutes(5);
  int finished = 0;
  boost::asio::steady_timer pause(strand_);
  // A knowledge base whose graph's linking is behind ingestion by more than its searches should scan waits for it
  // to catch up; the others go on. This reads each index's lock, which the indexer holds for a slice at a time:
  // not on an I/O thread.
  auto behind = [this] {
    std::vector<int64_t> knowledge_bases;
    for (const auto& [knowledge_base_id, unlinked] : indexes_.vectors.UnlinkedByKnowledgeBase()) {
      if (unlinked > options_.max_unlinked_vectors) knowledge_bases.push_back(knowledge_base_id);
    }
    return knowledge_bases;
  };
  while (!stopped_) {
    std::vector<int64_t> waiting = co_await pool_.Run(behind);
    int64_t lease_ms = options_.lease_ms;
    auto claim = [&] { return store_.ClaimDocumentJob(NowMs(), lease_ms, waiting); };
    Result<std::optional<store::DocumentJob>> claimed = co_await pool_.Run(claim);
    if (!claimed) {
      log::Warn("document_claim_failed", {{"detail", claimed.error().detail}});
      co_return finished;
    }
    if (!*claimed) {
      if (waiting.empty()) co_return finished;
      auto next = [this] { return store_.NextDocumentJobAt(); };
      Result<std::optional<int64_t>> next_at = co_await pool_.Run(next);
      if (!next_at || !*next_at || **next_at > NowMs()) co_return finished;
      // Only documents of knowledge bases whose linking is behind are due.
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(boost::asio::use_awaitable);
      continue;
    }
    store::DocumentJob job = std::move(**claimed);
    auto started = std::chrono::steady_clock::now();
    Result<void> processed = co_await Process(job);
    auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    if (processed) {
      ++finished;
      if (std::chrono::steady_clock::now() - last_flush_ >= kFlushInterval) co_await FlushIndexes();
      log::Info("document_ready",
                {{"document_id", job.document.id}, {"tenant_id", job.document.tenant_id}, {"duration_ms", elapsed_ms}});
      continue;
    }
    const Error& error = processed.error();
    if (error.code == ErrorCode::kConflict) continue;  // Lease lost: the document is someone else's now.
    bool permanent = error.code == ErrorCode::kInvalidArgument || job.document.attempts >= options_.max_attempts;
    std::optional<int64_t> retry_at;
    if (!permanent) {
      int64_t delay = options_.retry_base_ms << std::min(job.document.attempts - 1, 20);
      retry_at = NowMs() + std::min(delay, kMaxRetryDelayMs);
    }
    std::string reason = error.message;
    auto fail = [&] { return store_.FailDocumentJob(job, reason, retry_at); };
    Result<void> recorded = co_await pool_.Run(fail);
    if (!recorded) log::Warn("document_fail_record_failed", {{"detail", recorded.error().detail}});
    if (permanent) ++finished;
    log::Warn("document_failed", {{"document_id", job.document.id},
                                  {"tenant_id", job.document.tenant_id},
                                  {"attempt", job.document.attempts},
                                  {"retrying", !permanent},
                                  {"reason", error.message},
                                  {"detail", error.detail}});
  }
  co_return finished;
}

void Ingestor::Start() {
  boost::asio::co_spawn(strand_, Run(), [](std::exception_ptr e) {
    if (e) log::Error("ingestor_stopped", {});
  });
}

boost::asio::awaitable<void> Ingestor::Run() {
  while (!stopped_) {
    co_await RunDue();
    if (stopped_) break;
    auto next = [this] { return store_.NextDocumentJobAt(); };
    Result<std::optional<int64_t>> next_at = co_await pool_.Run(next);
    int64_t wait_ms = 60000;  // Also a safety net: documents added by another process are picked up.
    if (next_at && *next_at) wait_ms = std::clamp<int64_t>(**next_at - NowMs(), 0, wait_ms);
    if (wait_ms == 0) continue;
    wake_.expires_after(std::chrono::milliseconds(wait_ms));
    boost::system::error_code ignored;
    co_await wake_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
}

void Ingestor::Wake() {
  boost::asio::post(strand_, [this] { wake_.cancel(); });
}

void Ingestor::Stop() {
  stopped_ = true;
  Wake();
}

}  // namespace parley::knowledge
