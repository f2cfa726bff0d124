// The retrieval pieces that the knowledge benchmark (bench/knowledge_bench.cpp) tunes: the BM25 query's budget in
// the SQLite store, and the parallel insertion into the HNSW index.

#include "core/crypto.h"
#include "knowledge/retriever.h"
#include "knowledge/vector_index.h"
#include "store/knowledge_store.h"
#include "store/store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

class LexicalSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const auto box = crypto::SecretBox::Create(std::string(32, 'k')).value();
    auto opened = store::OpenStore({"sqlite://" + (dir_.path() / "test.db").string(), "off", {}}, box);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
    ASSERT_TRUE(db_->Migrate());
    tenant_ = db_->CreateTenant("T", "hash").value().id;
    base_ = db_->knowledge().EnsureKnowledgeBase(tenant_, "kb").value().id;
  }
  void TearDown() override { db_->Close(); }

  // One document whose chunks have these lexical texts; returns their ids, in order.
  std::vector<int64_t> AddDocument(const std::vector<std::string>& texts) {
    auto& knowledge = db_->knowledge();
    store::NewDocument document{tenant_, base_, "doc" + std::to_string(++documents_) + ".txt", "text/plain", "", "x"};
    EXPECT_TRUE(knowledge.CreateDocument(document));
    auto job = knowledge.ClaimDocumentJob(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count(),
        60000);
    EXPECT_TRUE(job && *job);
    std::vector<store::NewChunk> chunks;
    for (size_t i = 0; i < texts.size(); ++i) {
      chunks.push_back({static_cast<int>(i), "", 0, texts[i], texts[i], {1.0f, 0.0f}});
    }
    EXPECT_TRUE(knowledge.CompleteDocumentJob(**job, "test", chunks, {}, ""));
    auto vectors = knowledge.ChunkVectorsAfter(base_, "test", last_id_, 100000).value();
    std::vector<int64_t> ids;
    for (const auto& vector : vectors) ids.push_back(vector.chunk_id);
    if (!ids.empty()) last_id_ = ids.back();
    return ids;
  }

  std::vector<int64_t> Search(const std::vector<std::string>& terms, int limit = 40) {
    auto hits = db_->knowledge().SearchLexical(tenant_, {base_}, terms, limit);
    EXPECT_TRUE(hits) << hits.error().message;
    std::vector<int64_t> ids;
    for (const auto& hit : *hits) ids.push_back(hit.chunk_id);
    return ids;
  }

  testing::TempDir dir_{"parley-retrieval"};
  std::unique_ptr<store::Store> db_;
  int64_t tenant_ = 0;
  int64_t base_ = 0;
  int documents_ = 0;
  int64_t last_id_ = 0;
};

TEST_F(LexicalSearchTest, RanksEveryTermOnASmallIndex) {
  auto ids = AddDocument({"refund policy for damaged parcels", "refund refund refund", "opening hours on sunday",
                          "damaged parcel claims and refund of damaged items"});
  auto found = Search({"damaged", "refund"});
  EXPECT_EQ(std::set<int64_t>(found.begin(), found.end()), (std::set<int64_t>{ids[0], ids[1], ids[3]}));
  // A term that matches nothing (a typo) changes nothing; quotes in a term are not FTS5 syntax.
  EXPECT_EQ(Search({"damaged", "refnud", "refund"}), found);
  EXPECT_TRUE(Search({"\"sunday\" OR opening"}).empty());
  EXPECT_EQ(Search({"sunday"}), (std::vector<int64_t>{ids[2]}));
  EXPECT_TRUE(Search({}).empty());
  // Scoped to the tenant's knowledge bases.
  EXPECT_TRUE(db_->knowledge().SearchLexical(tenant_ + 1, {base_}, {"refund"}, 40).value().empty());
}

TEST_F(LexicalSearchTest, LeavesOutTermsThatMatchTooManyChunksToScore) {
  // More chunks hold "order" and "account" than the store scores in one query (1,000); ten hold both, nine a rare
  // word.
  std::vector<std::string> texts;
  for (int i = 0; i < 4100; ++i) {
    std::string text = "number " + std::to_string(i);
    if (i < 2050) text += " order";
    if (i >= 2040) text += " account";
    if (i % 500 == 7) text += " voucher";
    texts.push_back(text);
  }
  auto ids = AddDocument(texts);
  ASSERT_EQ(ids.size(), texts.size());
  auto range = [&](std::initializer_list<int> rows) {
    std::set<int64_t> set;
    for (int row : rows) set.insert(ids[static_cast<size_t>(row)]);
    return set;
  };

  // The rare word ranks alone: "order" would have 2,050 chunks scored.
  auto rare = Search({"order", "voucher"});
  EXPECT_EQ(std::set<int64_t>(rare.begin(), rare.end()), range({7, 507, 1007, 1507, 2007, 2507, 3007, 3507, 4007}));
  // Only common words: the chunks holding all of them, when they are few enough.
  auto both = Search({"order", "account"});
  EXPECT_EQ(std::set<int64_t>(both.begin(), both.end()),
            range({2040, 2041, 2042, 2043, 2044, 2045, 2046, 2047, 2048, 2049}));
  // Chunks holding more of the terms come first: here no chunk holds all three, five hold the two rarest
  // ("voucher" and "order").
  auto tiers = Search({"account", "order", "voucher"});
  ASSERT_EQ(tiers.size(), 9u);
  EXPECT_EQ(std::set<int64_t>(tiers.begin(), tiers.begin() + 5), range({7, 507, 1007, 1507, 2007}));
  EXPECT_EQ(std::set<int64_t>(tiers.begin() + 5, tiers.end()), range({2507, 3007, 3507, 4007}));
  // Too many chunks hold every term: no lexical ranking (the vector ranking still answers).
  EXPECT_TRUE(Search({"order"}).empty());
  // The limit still applies.
  EXPECT_EQ(Search({"order", "voucher"}, 2).size(), 2u);
}

TEST(LexicalTermsTest, ContentWordsOnly) {
  EXPECT_EQ(LexicalTerms("How do I return a DAMAGED item? Return it!", "english"),
            (std::vector<std::string>{"return", "damaged", "damag", "item"}));
  EXPECT_TRUE(LexicalTerms("what is it?", "english").empty());
}

TEST(VectorIndexBatchTest, InsertionOnSeveralThreadsFindsEveryVector) {
  constexpr int kDims = 16;
  constexpr int kCount = 3000;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> vectors(kCount, std::vector<float>(kDims));
  for (auto& vector : vectors) {
    float norm = 0;
    for (float& x : vector) {
      x = normal(rng);
      norm += x * x;
    }
    for (float& x : vector) x /= std::sqrt(norm);
  }
  VectorIndex index(kDims, HnswOptions{}, 16);
  std::vector<std::pair<int64_t, const float*>> batch;
  for (int i = 0; i < kCount; ++i) batch.emplace_back(1000 + i, vectors[static_cast<size_t>(i)].data());
  index.AddBatch(batch, 4);
  EXPECT_EQ(index.size(), static_cast<size_t>(kCount));
  int found = 0;
  for (int i = 0; i < kCount; ++i) {
    auto hits = index.Search(vectors[static_cast<size_t>(i)].data(), 1);
    found += !hits.empty() && hits[0].chunk_id == 1000 + i ? 1 : 0;
  }
  EXPECT_GE(found, kCount * 99 / 100);

  // Replacing known ids and reviving removed ones keep the count right.
  index.Remove(1000);
  index.Remove(1001);
  EXPECT_EQ(index.size(), static_cast<size_t>(kCount - 2));
  index.AddBatch({{1000, vectors[0].data()}, {1002, vectors[2].data()}, {99999, vectors[5].data()}}, 4);
  EXPECT_EQ(index.size(), static_cast<size_t>(kCount));
}

}  // namespace
}  // namespace parley::knowledge
