// The ingestor's jobs on a real store: several documents in flight, the pause that lets the HNSW graph's linking
// catch up with ingestion (for the knowledge base that is behind only), and each document's budget, its lease, and
// the slots shared fairly between tenants.

#include "knowledge/ingestor.h"

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "knowledge/embedder.h"
#include "knowledge/retriever.h"
#include "support/pdf_builder.h"
#include "support/temp_dir.h"
#include "support/test_images.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace parley::knowledge {
namespace {

using fixture::KnowledgeStoreFixture;

class IngestorTest : public KnowledgeStoreFixture {
 protected:
  void SetUp() override { kb_ = KnowledgeBase(acme_, "main"); }

  // Stores `count` pending Markdown documents, each about its own made-up product.
  std::vector<int64_t> AddPending(int count) {
    std::vector<int64_t> ids;
    for (int i = 0; i < count; ++i) {
      std::string product = "zorblax" + std::to_string(i);
      std::string text = "# " + product + "\n\n";
      for (int paragraph = 0; paragraph < 12; ++paragraph) {
        text += "The " + product + " ships in " + std::to_string(paragraph + 2) + " days. Returns of the " + product +
                " are free within a month of delivery.\n\n";
      }
      store::NewDocument document{acme_, kb_, product + ".md", "text/markdown", "", text};
      ids.push_back(ks().CreateDocument(document).value().id);
    }
    return ids;
  }

  // Stores a pending document of `tenant` with these bytes.
  int64_t Queue(int64_t tenant, int64_t kb, const std::string& name, const std::string& bytes) {
    store::NewDocument document{tenant, kb, name, "", "", bytes};
    return ks().CreateDocument(document).value().id;
  }

  // Runs the ingestor until no document is due; returns how many it finished.
  int RunDue(KnowledgeIndexes& indexes, const IngestorOptions& options) { return RunDue(ks(), indexes, options); }
  int RunDue(store::KnowledgeStore& store, KnowledgeIndexes& indexes, const IngestorOptions& options) {
    boost::asio::io_context io;
    BlockingPool pool(2);
    ProfileForTenant profile_for = [this](int64_t) -> Result<IndexingProfile> {
      return IndexingProfile{embedder_, "english",
                             ChunkOptions{.target_chars = 150, .max_chars = 200, .overlap_chars = 0}};
    };
    Ingestor ingestor(io.get_executor(), store, indexes, profile_for, pool, nullptr, options);
    int finished = -1;
    boost::asio::co_spawn(io, ingestor.RunDue(), [&finished](std::exception_ptr e, int done) {
      if (e) std::rethrow_exception(e);
      finished = done;
    });
    io.run();
    pool.Stop();
    return finished;
  }

  std::shared_ptr<BuiltinEmbedder> embedder_ = std::make_shared<BuiltinEmbedder>();
  int64_t kb_ = 0;
};

TEST_F(IngestorTest, DocumentsInFlightAreAllReadyAndSearchable) {
  std::vector<int64_t> ids = AddPending(7);
  KnowledgeIndexes indexes(ks(), "");
  IngestorOptions options;
  options.documents_in_flight = 3;
  EXPECT_EQ(RunDue(indexes, options), 7);
  for (int64_t id : ids) {
    store::Document document = ks().GetDocument(acme_, id).value();
    EXPECT_EQ(document.status, store::DocumentStatus::kReady) << document.error;
    EXPECT_GT(document.chunks, 1);
  }
  // Searchable at once, whether or not the graph has linked the vectors yet.
  std::vector<float> question = embedder_->EmbedOne("When does the zorblax3 ship?");
  auto hits = indexes.vectors.Search(kb_, embedder_->id(), question, 5).value();
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_NE(ks().GetChunks(acme_, {hits[0].chunk_id}).value().at(0).text.find("zorblax3"), std::string::npos);
}

TEST_F(IngestorTest, WaitsForTheGraphPastTheUnlinkedLimit) {
  // The knowledge base has just received thousands of vectors that the indexer takes seconds to link.
  AddDocument(acme_, kb_, "import.md", fixture::RandomChunks(12'000, embedder_->dimensions()), embedder_->id());
  KnowledgeIndexes indexes(ks(), "");
  ASSERT_TRUE(indexes.vectors.Refresh(kb_, embedder_->id(), embedder_->dimensions()));

  int64_t document = AddPending(1).at(0);
  IngestorOptions options;
  options.max_unlinked_vectors = 1000;
  EXPECT_EQ(RunDue(indexes, options), 1);
  store::Document ready = ks().GetDocument(acme_, document).value();
  EXPECT_EQ(ready.status, store::DocumentStatus::kReady);
  // It was taken only once the tail was back under the limit.
  EXPECT_LE(indexes.vectors.UnlinkedByKnowledgeBase()[kb_], options.max_unlinked_vectors + ready.chunks);
  auto hits = indexes.vectors.Search(kb_, embedder_->id(), embedder_->EmbedOne("When does the zorblax0 ship?"), 1);
  ASSERT_EQ(hits.value().size(), 1u);
  EXPECT_NE(ks().GetChunks(acme_, {hits->at(0).chunk_id}).value().at(0).text.find("zorblax0"), std::string::npos);
}

TEST_F(IngestorTest, AnotherKnowledgeBasesUnlinkedBacklogDoesNotHoldADocumentBack) {
  // Another knowledge base has just received thousands of vectors (a big import, or a rebuild): its tail takes the
  // indexer seconds to link.
  int64_t archive = KnowledgeBase(acme_, "archive");
  AddDocument(acme_, archive, "archive.md", fixture::RandomChunks(12'000, embedder_->dimensions()), embedder_->id());
  KnowledgeIndexes indexes(ks(), "");
  ASSERT_TRUE(indexes.vectors.Refresh(archive, embedder_->id(), embedder_->dimensions()));

  int64_t document = AddPending(1).at(0);
  IngestorOptions options;
  options.max_unlinked_vectors = 1000;
  EXPECT_EQ(RunDue(indexes, options), 1);
  EXPECT_EQ(ks().GetDocument(acme_, document).value().status, store::DocumentStatus::kReady);
  // It did not wait for the archive's linking, which is still going on.
  std::map<int64_t, size_t> unlinked = indexes.vectors.UnlinkedByKnowledgeBase();
  EXPECT_GT(unlinked[archive], options.max_unlinked_vectors);
}

// --- New versions and Q&A pairs -------------------------------------------------------------------------------------

TEST_F(IngestorTest, AFileAddedAgainReplacesItsAnswersWithoutAMomentWithoutOne) {
  int64_t id = Queue(acme_, kb_, "prices.md", "# Day pass\n\nThe day pass costs €39 per person.\n");
  KnowledgeIndexes indexes(ks(), "");
  ASSERT_EQ(RunDue(indexes, {}), 1);
  Retriever retriever(ks(), indexes);
  const std::string question = "How much is the day pass?";
  std::vector<float> query = embedder_->EmbedOne(question);
  // The texts of the top passages, joined.
  auto answers = [&] {
    auto passages = retriever.Retrieve(acme_, {kb_}, question, query, embedder_->id(), RetrievalOptions{});
    std::string texts;
    for (const auto& passage : passages.value()) texts += passage.chunk.text + "\n";
    return texts;
  };
  ASSERT_NE(answers().find("€39"), std::string::npos);

  // The edited file, under the same name: the same document, version 2.
  EXPECT_EQ(Queue(acme_, kb_, "prices.md", "# Day pass\n\nThe day pass costs €45 per person.\n"), id);
  // A customer keeps asking while the new version is read, embedded and swapped in.
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  int neither = 0;
  std::thread reader([&] {
    while (!done) {
      std::string texts = answers();
      ++reads;
      if (texts.find("€39") == std::string::npos && texts.find("€45") == std::string::npos) ++neither;
    }
  });
  // The reader is at work before the replacement starts, however busy the machine.
  while (reads == 0) std::this_thread::yield();
  EXPECT_EQ(RunDue(indexes, {}), 1);
  done = true;
  reader.join();
  EXPECT_GT(reads, 0);
  EXPECT_EQ(neither, 0);

  store::Document document = ks().GetDocument(acme_, id).value();
  EXPECT_EQ(document.status, store::DocumentStatus::kReady);
  EXPECT_EQ(document.version, 2);
  std::string after = answers();
  EXPECT_NE(after.find("€45"), std::string::npos);
  EXPECT_EQ(after.find("€39"), std::string::npos);
  // A fresh process rebuilding its indexes from the store finds only the new version too.
  KnowledgeIndexes fresh(ks(), "");
  Retriever rebuilt(ks(), fresh);
  auto passages = rebuilt.Retrieve(acme_, {kb_}, question, query, embedder_->id(), RetrievalOptions{}).value();
  ASSERT_FALSE(passages.empty());
  for (const auto& passage : passages) EXPECT_EQ(passage.chunk.text.find("€39"), std::string::npos);
}

TEST_F(IngestorTest, ACsvOfQaPairsBecomesFaqEntriesNotPassages) {
  int64_t id = Queue(acme_, kb_, "faq.csv",
                     "questions,answer\nHow much is shoe rental?,€3 per person.\n"
                     "Do you have a student discount?|Student prices?,10% off with a student card.\n");
  KnowledgeIndexes indexes(ks(), "");
  ASSERT_EQ(RunDue(indexes, {}), 1);
  store::Document document = ks().GetDocument(acme_, id).value();
  EXPECT_EQ(document.status, store::DocumentStatus::kReady) << document.error;
  EXPECT_EQ(document.chunks, 0);
  EXPECT_EQ(document.qa_pairs, 2);
  EXPECT_TRUE(ks().ChunkTextsAfter(kb_, 0, 10).value().empty());
  store::FaqSnapshot faqs = ks().LoadFaqs(acme_).value();
  ASSERT_EQ(faqs.entries.size(), 2u);
  EXPECT_EQ(faqs.entries[1].questions,
            (std::vector<std::string>{"Do you have a student discount?", "Student prices?"}));
  EXPECT_EQ(faqs.entries[1].document_id, id);

  // Added again with one pair changed: the pairs are replaced together.
  Queue(acme_, kb_, "faq.csv", "question,answer\nHow much is shoe rental?,€4 per person.\n");
  ASSERT_EQ(RunDue(indexes, {}), 1);
  faqs = ks().LoadFaqs(acme_).value();
  ASSERT_EQ(faqs.entries.size(), 1u);
  EXPECT_EQ(faqs.entries[0].answer, "€4 per person.");
}

// --- Budgets and fairness ------------------------------------------------------------------------------------------

// The ingestor as the server runs it: PDF, DOCX and HTML read in a child process within a budget.
IngestorOptions Budgeted() {
  IngestorOptions options;
  options.extract_command = {PARLEY_EXTRACT_CHILD};
  options.budget.cpu_seconds = 1;
  return options;
}

TEST_F(IngestorTest, ADocumentOverItsBudgetFailsAtOnceWithTheReason) {
  int64_t long_pdf = Queue(acme_, kb_, "manual.pdf", testing::TextPdf(3));
  int64_t runaway = Queue(acme_, kb_, "runaway.pdf", testing::SlowPdf(20000));
  KnowledgeIndexes indexes(ks(), "");
  IngestorOptions options = Budgeted();
  options.budget.limits.max_pages = 2;
  EXPECT_EQ(RunDue(indexes, options), 2);
  store::Document refused = ks().GetDocument(acme_, long_pdf).value();
  EXPECT_EQ(refused.status, store::DocumentStatus::kFailed);
  EXPECT_EQ(refused.error, "the PDF has more than 2 pages");
  EXPECT_EQ(refused.attempts, 1);
  store::Document stopped = ks().GetDocument(acme_, runaway).value();
  EXPECT_EQ(stopped.status, store::DocumentStatus::kFailed);
  EXPECT_EQ(stopped.error, "the document took more than 1 s of processor time to read");
  EXPECT_EQ(stopped.attempts, 1);
}

TEST_F(IngestorTest, AScannedPdfIsReadyWithTheNoteOfThePagesItSkipped) {
  auto scan = [](const std::string& text) {
    testing::ScannedPage page{.jpeg = media::testing::TextJpeg(text, 200), .dpi = 200};
    std::tie(page.width, page.height) = media::testing::SizeOf(page.jpeg);
    return page;
  };
  int64_t id = Queue(acme_, kb_, "leaflet.pdf",
                     testing::ScannedPdf({scan("The bakery opens at seven."), scan("Cakes are delivered.")}));
  KnowledgeIndexes indexes(ks(), "");
  IngestorOptions options;
  options.extract_command = {PARLEY_EXTRACT_CHILD};
  options.budget.limits.max_ocr_pages = 1;
  EXPECT_EQ(RunDue(indexes, options), 1);
  store::Document document = ks().GetDocument(acme_, id).value();
  EXPECT_EQ(document.status, store::DocumentStatus::kReady);
  EXPECT_EQ(document.error, "scanned page 2 was not read: OCR reads at most 1 per document");
  EXPECT_EQ(document.chunks, 1);
}

TEST_F(IngestorTest, AnotherTenantsDocumentIsReadyWhileSlowOnesAreRead) {
  // Acme queued three PDFs that each take its whole processor-time budget, then Globex a small page.
  int64_t globex_kb = KnowledgeBase(globex_, "main");
  std::string slow = testing::SlowPdf(20000);
  std::vector<int64_t> slow_ids;
  for (int i = 0; i < 3; ++i) slow_ids.push_back(Queue(acme_, kb_, "slow" + std::to_string(i) + ".pdf", slow));
  int64_t small = Queue(globex_, globex_kb, "hours.md", "# Hours\n\nOpen daily from 8:00 to 18:00.\n");

  KnowledgeIndexes indexes(ks(), "");
  IngestorOptions options = Budgeted();
  options.documents_in_flight = 3;
  options.documents_per_tenant = 2;
  EXPECT_EQ(RunDue(indexes, options), 4);
  store::Document ready = ks().GetDocument(globex_, small).value();
  EXPECT_EQ(ready.status, store::DocumentStatus::kReady) << ready.error;
  for (int64_t id : slow_ids) {
    store::Document failed = ks().GetDocument(acme_, id).value();
    EXPECT_EQ(failed.status, store::DocumentStatus::kFailed);
    // Globex's page did not wait for any of them.
    EXPECT_LT(ready.updated_at_ms, failed.updated_at_ms);
  }
}

TEST_F(IngestorTest, TheLeaseIsRenewedDuringALongExtraction) {
  // The reader waits on a pipe the test holds open: the extraction lasts until the test ends it, while the test
  // moves the ingestor's clock through more than a lease.
  testing::TempDir dir("parley-lease");
  std::string hold = (dir.path() / "hold").string();
  ASSERT_EQ(::mkfifo(hold.c_str(), 0600), 0);
  int64_t id = Queue(acme_, kb_, "manual.pdf", testing::TextPdf(1));
  ManualClock clock(1'000'000);
  IngestorOptions options = Budgeted();
  options.clock = &clock;
  options.lease_ms = 60'000;
  options.extract_command = {"/bin/sh", "-c", "cat \"$0\" > /dev/null", hold};

  fixture::RecordingStore recording(ks());
  KnowledgeIndexes indexes(ks(), "");
  boost::asio::io_context io;
  BlockingPool pool(2);
  ProfileForTenant profile_for = [this](int64_t) -> Result<IndexingProfile> {
    return IndexingProfile{embedder_, "english", ChunkOptions{}};
  };
  Ingestor ingestor(io.get_executor(), recording, indexes, profile_for, pool, nullptr, options);
  int finished = -1;
  boost::asio::co_spawn(io, ingestor.RunDue(), [&finished](std::exception_ptr e, int done) {
    if (e) std::rethrow_exception(e);
    finished = done;
  });
  std::thread runner([&io] { io.run(); });
  // Lets the reader go (it answers nothing) and waits for the ingestor, whatever happens below.
  struct Release {
    const std::string& hold;
    std::thread& runner;
    ~Release() {
      ::close(::open(hold.c_str(), O_WRONLY));
      runner.join();
    }
  };
  std::optional<Release> release(std::in_place, hold, runner);

  ASSERT_TRUE(recording.WaitFor([&] { return recording.claimed == 1; }));
  int64_t first_lease_end = clock.NowMs() + options.lease_ms;
  // A third of a lease at a time, past the first lease's end. The keeper starts just after the claim, maybe after
  // the first move (which it then does not see): a move that brings no renewal is followed by another.
  size_t renewals = 0;
  for (int moves = 0; moves < 30 && (renewals < 3 || clock.NowMs() <= first_lease_end); ++moves) {
    clock.Advance(options.lease_ms / 3 + 1);
    recording.WaitFor([&] { return recording.renewals.size() > renewals; }, std::chrono::milliseconds(500));
    std::lock_guard lock(recording.mutex);
    renewals = recording.renewals.size();
  }
  ASSERT_GE(renewals, 3u);
  {
    std::lock_guard lock(recording.mutex);
    EXPECT_EQ(recording.renewals.back(), clock.NowMs() + options.lease_ms);
  }
  // Past the first lease's end, another worker would take the document if its lease had not been renewed.
  ASSERT_GT(clock.NowMs(), first_lease_end);
  EXPECT_FALSE(ks().ClaimDocumentJob(clock.NowMs(), options.lease_ms, {}, 0).value().has_value());

  // The reader answers nothing: the document fails with the reason, on its first attempt.
  release.reset();
  EXPECT_EQ(finished, 1);
  store::Document document = ks().GetDocument(acme_, id).value();
  EXPECT_EQ(document.status, store::DocumentStatus::kFailed);
  EXPECT_EQ(document.error, "the document could not be read");
  EXPECT_EQ(document.attempts, 1);
}

}  // namespace
}  // namespace parley::knowledge
