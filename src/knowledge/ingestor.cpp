#include "knowledge/ingestor.h"

#include "core/log.h"
#include "knowledge/extract.h"
#include "knowledge/extract_process.h"
#include "knowledge/faq.h"
#include "knowledge/language.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

namespace parley::knowledge {
namespace {

constexpr int64_t kMaxRetryDelayMs = 5 * 60 * 1000;

// What extraction yields before embedding: the rows to store, the text to embed for each chunk, and the Q&A
// pairs of a CSV.
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

// A CSV of Q&A pairs: each pair becomes a Q&A entry, as one added through the API does, and is matched the same
// way (FaqMatcher, question to question). Its answer is not a passage: a passage is found by the words it shares
// with a question, and an answer shares words with questions it does not answer ("Can I pay by card?" and
// "Students get 10% off with their student card").
Result<Prepared> PrepareQa(const std::string& content) {
  auto pairs = ParseQaCsv(content);
  if (!pairs) return pairs.error();
  Prepared prepared;
  for (auto& pair : *pairs) {
    store::NewFaq faq = MakeFaq(pair.questions, pair.answer);
    if (faq.questions.empty() || faq.answer.empty()) continue;
    prepared.faqs.push_back(std::move(faq));
  }
  if (prepared.faqs.empty()) return Error::InvalidArgument("the CSV has no question with an answer");
  return prepared;
}

// Tesseract's languages for a knowledge base in `language`: its own alone when the server reads it (one language is
// read faster, and its accents better, than four together), else all the server's (`limits.ocr_languages`).
std::string OcrLanguagesFor(std::string_view language, const ExtractLimits& limits) {
  std::optional<std::string> code = LanguageCode(language);
  std::optional<std::string_view> tesseract = code ? Iso639_3(*code) : std::nullopt;
  if (!tesseract) return limits.ocr_languages;
  std::string_view configured = limits.ocr_languages;
  while (!configured.empty()) {
    const size_t plus = configured.find('+');
    if (configured.substr(0, plus) == *tesseract) return std::string(*tesseract);
    configured = plus == std::string_view::npos ? std::string_view() : configured.substr(plus + 1);
  }
  return limits.ocr_languages;
}

Result<Prepared> PrepareChunks(const ExtractedDocument& extracted, const ChunkOptions& options,
                               const std::string& language) {
  Prepared prepared;
  for (const Chunk& chunk : ChunkDocument(extracted, options)) {
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

// Shared by a document's worker and its lease keeper, on the strand.
struct Ingestor::Lease {
  Lease(store::DocumentJob job, boost::asio::any_io_executor executor) : job(std::move(job)), timer(executor) {}

  store::DocumentJob job;  //!< The document and its lease token, without its content.
  double progress = 0;     //!< Last reported.
  bool done = false;       //!< The worker finished: the keeper stops.
  boost::asio::steady_timer timer;
};

Ingestor::Ingestor(boost::asio::any_io_executor executor, store::KnowledgeStore& store, KnowledgeIndexes& indexes,
                   ProfileForTenant profile_for, BlockingPool& pool, http::Client* fetcher, IngestorOptions options)
    : store_(store),
      indexes_(indexes),
      profile_for_(std::move(profile_for)),
      pool_(pool),
      fetcher_(fetcher),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : RealClock()),
      strand_(boost::asio::make_strand(executor)),
      wake_(strand_) {}

boost::asio::awaitable<Result<void>> Ingestor::Process(store::DocumentJob& job, Lease& lease) {
  std::string fetched;
  const std::string* content = &job.content;
  if (job.content.empty() && !job.document.source_url.empty()) {
    if (fetcher_ == nullptr) co_return Error::InvalidArgument("fetching web pages is not available here");
    http::ClientRequest request;
    request.url = job.document.source_url;
    request.url_source = http::UrlSource::kTenant;
    request.headers = {{"Accept", "text/html, text/plain, text/markdown, application/pdf, */*;q=0.5"}};
    auto response = co_await fetcher_->Send(std::move(request));
    // One text for a refused address, a closed port, a reset and a timeout alike, so that a document's error
    // cannot map what listens inside the network; what happened goes to the logs.
    if (!response) co_return Error::Unavailable("the page could not be fetched", response.error().detail);
    if (response->status >= 300 && response->status < 400) {
      co_return Error::InvalidArgument("the page answered " + std::to_string(response->status) +
                                       " (redirects are not followed: give the page's final URL)");
    }
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

  auto detect = [&] { return DetectFormat(FileName(job.document), job.document.content_type, *content); };
  Result<Format> format = co_await pool_.Run(detect);
  if (!format) co_return format.error();
  Result<Prepared> prepared = Prepared{};
  std::string note;  // What the document left out, shown beside its status once ready.
  if (*format == Format::kCsv && IsQaCsv(*content)) {  // Any other CSV is a table, read as a document.
    auto prepare = [&] { return PrepareQa(*content); };
    prepared = co_await pool_.Run(prepare);
  } else {
    Result<ExtractedDocument> extracted =
        co_await ExtractBlocks(*format, *content, OcrLanguagesFor(profile->language, options_.budget.limits));
    if (!extracted) co_return extracted.error();
    note = extracted->note;
    auto prepare = [&] { return PrepareChunks(*extracted, profile->chunking, profile->language); };
    prepared = co_await pool_.Run(prepare);
  }
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
    lease.progress = progress;
    int64_t lease_until = clock_.NowMs() + options_.lease_ms;
    auto report = [&] { return store_.SetDocumentProgress(job, progress, lease_until); };
    Result<void> reported = co_await pool_.Run(report);
    if (!reported) co_return reported.error();
  }

  std::string embedder_id = embedder->id();
  int dimensions = embedder->dimensions();
  auto complete = [&]() -> Result<void> {
    auto stored = store_.CompleteDocumentJob(job, embedder_id, prepared->chunks, prepared->faqs, fetched, note);
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

boost::asio::awaitable<Result<ExtractedDocument>> Ingestor::ExtractBlocks(Format format, const std::string& content,
                                                                          std::string ocr_languages) {
  ExtractBudget budget = options_.budget;
  budget.limits.ocr_languages = std::move(ocr_languages);
  if (!options_.extract_command.empty() && ReadsInChild(format)) {
    co_return co_await ExtractInChild(options_.extract_command, format, content, budget, pool_);
  }
  auto extract = [&] { return Extract(format, content, budget.limits); };
  co_return co_await pool_.Run(extract);
}

boost::asio::awaitable<int> Ingestor::RunDue() {
  co_return co_await boost::asio::co_spawn(strand_, Drain(), boost::asio::use_awaitable);
}

boost::asio::awaitable<int> Ingestor::Drain() {
  int finished_before = finished_;
  while (true) {
    bool held_back = co_await FillSlots();
    if (in_flight_ == 0 && !held_back) break;
    // A finished document frees a slot and a new one may be due (Notify); a held-back one is retried shortly.
    co_await Sleep(held_back ? std::chrono::milliseconds(100) : std::chrono::minutes(1));
  }
  int finished = finished_ - finished_before;
  // The index files are a cache (a stale one is caught up from the store), so they are saved once the queue is
  // drained, and every few minutes during a long one (Work), not after each document.
  if (finished > 0) co_await FlushIndexes();
  co_return finished;
}

boost::asio::awaitable<bool> Ingestor::FillSlots() {
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
  while (!stopped_ && in_flight_ < std::max(1, options_.documents_in_flight)) {
    std::vector<int64_t> waiting = co_await pool_.Run(behind);
    int64_t lease_ms = options_.lease_ms;
    int per_tenant = options_.documents_per_tenant;
    auto claim = [&] { return store_.ClaimDocumentJob(clock_.NowMs(), lease_ms, waiting, per_tenant); };
    Result<std::optional<store::DocumentJob>> claimed = co_await pool_.Run(claim);
    if (!claimed) {
      log::Warn("document_claim_failed", {{"detail", claimed.error().detail}});
      co_return false;
    }
    if (!*claimed) {
      if (waiting.empty()) co_return false;
      auto next = [this] { return store_.NextDocumentJobAt(); };
      Result<std::optional<int64_t>> next_at = co_await pool_.Run(next);
      // Due documents were left out; with none in flight, only those of knowledge bases whose linking is behind.
      co_return in_flight_ == 0 && next_at && next_at->has_value() && next_at->value() <= clock_.NowMs();
    }
    ++in_flight_;
    boost::asio::co_spawn(strand_, Work(std::move(**claimed)),
                          boost::asio::bind_executor(strand_, [this](std::exception_ptr e) {
                            if (e) log::Error("document_worker_failed", {});
                            --in_flight_;
                            Notify();
                          }));
  }
  co_return false;
}

boost::asio::awaitable<void> Ingestor::Work(store::DocumentJob job) {
  constexpr auto kFlushInterval = std::chrono::minutes(5);
  // The keeper renews the lease for as long as the document is processed, whatever step it is in.
  auto lease = std::make_shared<Lease>(store::DocumentJob{job.document, {}, job.lease_token}, strand_);
  boost::asio::co_spawn(strand_, KeepLease(lease), [](std::exception_ptr e) {
    if (e) log::Error("document_lease_keeper_failed", {});
  });
  auto started = std::chrono::steady_clock::now();
  Result<void> processed = co_await Process(job, *lease);
  lease->done = true;
  lease->timer.cancel();
  auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (processed) {
    ++finished_;
    if (std::chrono::steady_clock::now() - last_flush_ >= kFlushInterval) co_await FlushIndexes();
    log::Info("document_ready",
              {{"document_id", job.document.id}, {"tenant_id", job.document.tenant_id}, {"duration_ms", elapsed_ms}});
    co_return;
  }
  const Error& error = processed.error();
  if (error.code == ErrorCode::kConflict) co_return;  // Lease lost: the document is someone else's now.
  bool permanent = error.code == ErrorCode::kInvalidArgument || job.document.attempts >= options_.max_attempts;
  std::optional<int64_t> retry_at;
  if (!permanent) {
    int64_t delay = options_.retry_base_ms << std::min(job.document.attempts - 1, 20);
    retry_at = clock_.NowMs() + std::min(delay, kMaxRetryDelayMs);
  }
  std::string reason = error.message;
  auto fail = [&] { return store_.FailDocumentJob(job, reason, retry_at); };
  Result<void> recorded = co_await pool_.Run(fail);
  if (!recorded) log::Warn("document_fail_record_failed", {{"detail", recorded.error().detail}});
  if (permanent) ++finished_;
  log::Warn("document_failed", {{"document_id", job.document.id},
                                {"tenant_id", job.document.tenant_id},
                                {"attempt", job.document.attempts},
                                {"retrying", !permanent},
                                {"reason", error.message},
                                {"detail", error.detail},
                                {"duration_ms", elapsed_ms}});
}

boost::asio::awaitable<void> Ingestor::KeepLease(std::shared_ptr<Lease> lease) {
  const int64_t every = std::max<int64_t>(1, options_.lease_ms / 3);
  // The next renewal is due by the clock: a test clock moved forward wakes the keeper to look again.
  struct Watching {
    Clock& clock;
    int id;
    ~Watching() { clock.Unwatch(id); }  // Also when shutdown destroys the coroutine.
  } watching{clock_, clock_.Watch([this, lease] { boost::asio::post(strand_, [lease] { lease->timer.cancel(); }); })};
  int64_t renew_at = clock_.NowMs() + every;
  while (!lease->done) {
    if (int64_t wait = renew_at - clock_.NowMs(); wait > 0) {
      lease->timer.expires_after(std::chrono::milliseconds(wait));
      boost::system::error_code cancelled;
      co_await lease->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, cancelled));
      continue;
    }
    double progress = lease->progress;
    int64_t lease_until = clock_.NowMs() + options_.lease_ms;
    auto renew = [&] { return store_.SetDocumentProgress(lease->job, progress, lease_until); };
    Result<void> renewed = co_await pool_.Run(renew);
    if (!renewed) log::Warn("document_lease_not_renewed", {{"detail", renewed.error().detail}});
    renew_at = clock_.NowMs() + every;
  }
}

boost::asio::awaitable<void> Ingestor::Sleep(std::chrono::milliseconds longest) {
  if (!wake_pending_) {
    wake_.expires_after(longest);
    boost::system::error_code ignored;
    co_await wake_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
  wake_pending_ = false;
}

void Ingestor::Notify() {
  wake_pending_ = true;
  wake_.cancel();
}

void Ingestor::Start() {
  boost::asio::co_spawn(strand_, Run(), [](std::exception_ptr e) {
    if (e) log::Error("ingestor_stopped", {});
  });
}

boost::asio::awaitable<void> Ingestor::Run() {
  while (!stopped_) {
    co_await Drain();
    if (stopped_) break;
    auto next = [this] { return store_.NextDocumentJobAt(); };
    Result<std::optional<int64_t>> next_at = co_await pool_.Run(next);
    int64_t wait_ms = 60000;  // Also a safety net: documents added by another process are picked up.
    if (next_at && *next_at) {
      int64_t until_due = **next_at - clock_.NowMs();
      // Due already but not taken: another process holds its tenant's share of the slots. Look again soon.
      wait_ms = until_due > 0 ? std::min(until_due, wait_ms) : 1000;
    }
    co_await Sleep(std::chrono::milliseconds(wait_ms));
  }
}

void Ingestor::Wake() {
  boost::asio::post(strand_, [this] { Notify(); });
}

void Ingestor::Stop() {
  stopped_ = true;
  Wake();
}

}  // namespace parley::knowledge
