// The ingestor's jobs on a real store: several documents in flight, and the pause that lets the HNSW graph's
// linking catch up with ingestion.

#include "knowledge/ingestor.h"

#include "core/blocking_pool.h"
#include "knowledge/embedder.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
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

  // Runs the ingestor until no document is due; returns how many it finished.
  int RunDue(KnowledgeIndexes& indexes, const IngestorOptions& options) {
    boost::asio::io_context io;
    BlockingPool pool(2);
    ProfileForTenant profile_for = [this](int64_t) -> Result<IndexingProfile> {
      return IndexingProfile{embedder_, "english",
                             ChunkOptions{.target_chars = 150, .max_chars = 200, .overlap_chars = 0}};
    };
    Ingestor ingestor(io.get_executor(), ks(), indexes, profile_for, pool, nullptr, options);
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
  AddPending(4);
  KnowledgeIndexes indexes(ks(), "");
  IngestorOptions options;
  options.max_unlinked_vectors = 0;  // Every document waits for the previous ones to be linked.
  EXPECT_EQ(RunDue(indexes, options), 4);
  // The last look for a due document waited too: nothing is left for searches to scan.
  EXPECT_EQ(indexes.vectors.Unlinked(), 0u);
  EXPECT_EQ(ChunkIds(kb_, embedder_->id()).size(),
            indexes.vectors.Search(kb_, embedder_->id(), embedder_->EmbedOne("zorblax"), 500).value().size());
}

}  // namespace
}  // namespace parley::knowledge
