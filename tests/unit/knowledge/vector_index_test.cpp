#include "knowledge/vector_index.h"

#include "knowledge/dot.h"

#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace parley::knowledge {
namespace {

using fixture::Ids;
using fixture::KnowledgeStoreFixture;
using fixture::PlainChunk;
using fixture::RandomChunks;
using fixture::RandomUnit;
using fixture::RecordingStore;
using fixture::SparseUnit;
using testing::TempDir;

constexpr char kEmbedder[] = "test-3d";

// Unit vectors whose similarities to kX are 1, 0.8, 0 and -1.
const std::vector<float> kX = {1, 0, 0};
const std::vector<float> kNearX = {0.8f, 0.6f, 0};
const std::vector<float> kOrthogonal = {0, 0.6f, 0.8f};
const std::vector<float> kOpposite = {-1, 0, 0};

class VectorIndexTest : public ::testing::Test {
 protected:
  void AddFour(VectorIndex& index) {
    index.Add(1, kX.data());
    index.Add(2, kNearX.data());
    index.Add(3, kOrthogonal.data());
    index.Add(4, kOpposite.data());
  }
  TempDir dir_{"parley-vectors"};
};

TEST_F(VectorIndexTest, SearchReturnsTheNearestMostSimilarFirst) {
  VectorIndex index(3, HnswOptions{});
  EXPECT_TRUE(index.Search(kX.data(), 5).empty());
  AddFour(index);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.dimensions(), 3);

  auto hits = index.Search(kX.data(), 4);
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-6f);
  EXPECT_NEAR(hits[1].similarity, 0.8f, 1e-6f);
  EXPECT_NEAR(hits[2].similarity, 0.0f, 1e-6f);
  EXPECT_NEAR(hits[3].similarity, -1.0f, 1e-6f);

  EXPECT_EQ(Ids(index.Search(kX.data(), 2)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Ids(index.Search(kOpposite.data(), 1)), std::vector<int64_t>{4});
  EXPECT_TRUE(index.Search(kX.data(), 0).empty());
  EXPECT_EQ(index.Search(kX.data(), 100).size(), 4u);
}

TEST_F(VectorIndexTest, SimilaritiesScoresTheGivenIdsExactly) {
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  index.Remove(3);
  auto hits = index.Similarities(kX.data(), {4, 3, 99, 2, 4});
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{4, 2, 4}));  // In the order given; removed and unknown ids left out.
  EXPECT_NEAR(hits[0].similarity, -1.0f, 1e-6f);
  EXPECT_NEAR(hits[1].similarity, 0.8f, 1e-6f);
  EXPECT_TRUE(index.Similarities(kX.data(), {}).empty());
}

TEST_F(VectorIndexTest, AddReplacesTheVectorOfAKnownId) {
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  const std::vector<float> away = {-0.6f, -0.8f, 0};
  index.Add(2, away.data());
  EXPECT_EQ(index.size(), 4u);
  auto hits = index.Search(kX.data(), 4);
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_NEAR(hits[2].similarity, -0.6f, 1e-6f);
}

TEST_F(VectorIndexTest, RemoveHidesAnIdAndAddRevivesIt) {
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  index.Remove(1);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(Ids(index.Search(kX.data(), 4)), (std::vector<int64_t>{2, 3, 4}));
  index.Remove(1);   // Already removed.
  index.Remove(99);  // Never added.
  EXPECT_EQ(index.size(), 3u);

  index.Add(1, kOrthogonal.data());
  EXPECT_EQ(index.size(), 4u);
  auto hits = index.Search(kX.data(), 4);
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].chunk_id, 2);
  EXPECT_NEAR(hits[1].similarity, 0.0f, 1e-6f);  // 1 came back with its new vector.

  for (int64_t id : {1, 2, 3, 4}) index.Remove(id);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.Search(kX.data(), 4).empty());
}

TEST_F(VectorIndexTest, StagedVectorsAreSearchedExactlyUntilLinked) {
  VectorIndex index(3, HnswOptions{});
  index.Add(1, kOrthogonal.data());
  index.Stage(2, kNearX.data());
  index.Stage(3, kX.data());
  index.Stage(4, kOpposite.data());
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.staged(), 3u);
  EXPECT_EQ(index.first_staged(), 2);
  // Graph and tail answer together, most similar first, k held.
  auto hits = index.Search(kX.data(), 3);
  EXPECT_EQ(Ids(hits), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_NEAR(hits[1].similarity, 0.8f, 1e-6f);
  EXPECT_EQ(Ids(index.Similarities(kX.data(), {4, 1, 3})), (std::vector<int64_t>{4, 1, 3}));

  // A removed staged vector is never linked; the oldest are linked first.
  index.Remove(2);
  EXPECT_EQ(index.first_staged(), 3);
  EXPECT_EQ(index.IndexStaged(1, 2), 1u);
  EXPECT_EQ(index.staged(), 1u);
  EXPECT_EQ(index.first_staged(), 4);
  EXPECT_EQ(index.IndexStaged(10, 2), 1u);
  EXPECT_EQ(index.staged(), 0u);
  EXPECT_EQ(index.first_staged(), std::nullopt);
  EXPECT_EQ(index.IndexStaged(10, 2), 0u);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(Ids(index.Search(kX.data(), 4)), (std::vector<int64_t>{3, 1, 4}));
}

TEST_F(VectorIndexTest, StagingAnIdReplacesTheGraphsVector) {
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  const std::vector<float> kLessNearX = {0.6f, 0.8f, 0};
  index.Stage(4, kLessNearX.data());  // 4 was kOpposite.
  EXPECT_EQ(index.size(), 4u);
  auto hits = index.Search(kX.data(), 4);
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{1, 2, 4, 3}));
  EXPECT_NEAR(hits[2].similarity, 0.6f, 1e-6f);
  index.IndexStaged(10, 1);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(Ids(index.Search(kX.data(), 4)), Ids(hits));
  // Add, for its part, takes an id out of the tail.
  index.Stage(5, kX.data());
  index.Add(5, kOpposite.data());
  EXPECT_EQ(index.staged(), 0u);
  EXPECT_EQ(index.Search(kX.data(), 5).back().chunk_id, 5);
}

TEST_F(VectorIndexTest, ALongTailIsLinkedInSlicesAndFoundAllAlong) {
  std::mt19937 rng(11);
  std::vector<std::vector<float>> vectors;
  VectorIndex index(16, HnswOptions{}, /*capacity=*/16);
  for (int i = 0; i < 6000; ++i) {
    vectors.push_back(RandomUnit(rng, 16));
    index.Stage(i + 1, vectors.back().data());
  }
  for (int i = 0; i < 6000; i += 2) index.Remove(i + 1);
  // Staged again before it is linked: the new vector replaces the old in its slot.
  std::vector<float> moved = RandomUnit(rng, 16);
  index.Stage(5000, moved.data());
  // Slices of 1,000 free the tail's pages as they pass them: every vector is still found exactly once, whichever
  // side of a slice's or a page's boundary it is on.
  while (index.staged() > 0) {
    index.IndexStaged(1000, 2);
    for (int i : {1, 1023, 1025, 2999, 3001, 5999}) {
      auto hits = index.Search(vectors[static_cast<size_t>(i)].data(), 1);
      ASSERT_EQ(hits.size(), 1u);
      EXPECT_EQ(hits[0].chunk_id, i + 1);
    }
    EXPECT_EQ(index.Search(moved.data(), 1).at(0).chunk_id, 5000);
  }
  EXPECT_EQ(index.size(), 3000u);
  EXPECT_TRUE(index.Search(vectors[0].data(), 1).at(0).chunk_id != 1);
}

TEST_F(VectorIndexTest, KIsCappedAtEfSearch) {
  HnswOptions options;
  options.ef_search = 2;
  VectorIndex index(3, options);
  AddFour(index);
  EXPECT_EQ(Ids(index.Search(kX.data(), 10)), (std::vector<int64_t>{1, 2}));
}

TEST_F(VectorIndexTest, GrowsPastItsInitialCapacity) {
  std::mt19937 rng(7);
  std::vector<std::vector<float>> vectors;
  VectorIndex index(8, HnswOptions{}, /*capacity=*/4);
  for (int i = 0; i < 300; ++i) {
    vectors.push_back(RandomUnit(rng, 8));
    index.Add(1000 + i, vectors.back().data());
  }
  EXPECT_EQ(index.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    auto hits = index.Search(vectors[static_cast<size_t>(i)].data(), 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].chunk_id, 1000 + i);
    EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-5f);
  }
}

TEST_F(VectorIndexTest, FloatsSpanningSeveralPagesSurviveGrowthAndASaveAndLoad) {
  std::mt19937 rng(5);
  std::vector<std::vector<float>> vectors;
  VectorIndex index(8, HnswOptions{}, /*capacity=*/16);
  for (int i = 0; i < 2500; ++i) {  // Past two pages of 1,024 vectors, grown by doubling from 16.
    vectors.push_back(RandomUnit(rng, 8));
    index.Add(i + 1, vectors.back().data());
  }
  std::string path = (dir_.path() / "big.hnsw").string();
  ASSERT_TRUE(index.Save(path));
  auto loaded = VectorIndex::Load(path, 8, {});
  ASSERT_TRUE(loaded) << loaded.error().detail;
  for (int i : {0, 1023, 1024, 2047, 2048, 2499}) {
    const float* vector = vectors[static_cast<size_t>(i)].data();
    for (const VectorIndex* searched : {&index, loaded->get()}) {
      auto hits = searched->Similarities(vector, {i + 1});
      ASSERT_EQ(hits.size(), 1u);
      EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-5f) << i;
    }
  }
}

TEST_F(VectorIndexTest, SaveAndLoadRoundTrip) {
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  index.Remove(3);
  std::string path = (dir_.path() / "kb.hnsw").string();
  ASSERT_TRUE(index.Save(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto loaded = VectorIndex::Load(path, 3, {});
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ((*loaded)->size(), 3u);
  EXPECT_EQ((*loaded)->dimensions(), 3);
  auto before = index.Search(kX.data(), 4);
  auto after = (*loaded)->Search(kX.data(), 4);
  ASSERT_EQ(Ids(after), Ids(before));
  ASSERT_EQ(Ids(after), (std::vector<int64_t>{1, 2, 4}));
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].similarity, before[i].similarity);

  // The loaded graph keeps working: new ids (past the saved capacity too), removals and revivals.
  std::mt19937 rng(3);
  for (int i = 0; i < 40; ++i) (*loaded)->Add(100 + i, RandomUnit(rng, 3).data());
  (*loaded)->Add(3, kOrthogonal.data());
  (*loaded)->Remove(1);
  EXPECT_EQ((*loaded)->size(), 43u);
  std::vector<int64_t> ids = Ids((*loaded)->Search(kX.data(), 50));
  EXPECT_EQ(ids.size(), 43u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 3), 1);
}

TEST_F(VectorIndexTest, LoadRefusesMissingCorruptOrMismatchedFiles) {
  std::string path = (dir_.path() / "kb.hnsw").string();
  EXPECT_EQ(VectorIndex::Load(path, 3, {}).error().code, ErrorCode::kUnavailable);

  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  ASSERT_TRUE(index.Save(path));
  EXPECT_EQ(VectorIndex::Load(path, 4, {}).error().code, ErrorCode::kUnavailable);

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(VectorIndex::Load(path, 3, {}).error().code, ErrorCode::kUnavailable);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "this is not an index";
  EXPECT_EQ(VectorIndex::Load(path, 3, {}).error().code, ErrorCode::kUnavailable);
}

TEST_F(VectorIndexTest, LoadRefusesAGraphWithoutItsFloats) {
  std::string path = (dir_.path() / "kb.hnsw").string();
  VectorIndex index(3, HnswOptions{});
  AddFour(index);
  ASSERT_TRUE(index.Save(path));
  ASSERT_TRUE(VectorIndex::Load(path, 3, {}));
  std::string floats_path = path + ".f32";
  std::string floats;
  {
    std::ifstream in(floats_path, std::ios::binary);
    floats.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Floats for other elements than the graph's (files cut short between two renames), or none.
  std::ofstream(floats_path, std::ios::binary | std::ios::trunc) << floats << floats.substr(0, 12);
  EXPECT_EQ(VectorIndex::Load(path, 3, {}).error().code, ErrorCode::kUnavailable);
  std::filesystem::remove(floats_path);
  EXPECT_EQ(VectorIndex::Load(path, 3, {}).error().code, ErrorCode::kUnavailable);
}

TEST_F(VectorIndexTest, TheQuantizedGraphAnswersWithExactSimilarities) {
  // The graph compares int8 copies; what it returns is ranked and scored on the floats, so vectors a quantization
  // step apart come back in their true order with their true similarities.
  std::mt19937 rng(3);
  constexpr int kDims = 64;
  std::vector<float> query = RandomUnit(rng, kDims);
  std::vector<std::vector<float>> vectors;
  for (int i = 0; i < 50; ++i) {
    std::vector<float> v = RandomUnit(rng, kDims);
    float mix = 0.9f - 0.0004f * static_cast<float>(i);  // Similarities 0.0004 apart, below the int8 step.
    float norm = 0;
    for (int d = 0; d < kDims; ++d) {
      v[static_cast<size_t>(d)] = mix * query[static_cast<size_t>(d)] + (1 - mix) * v[static_cast<size_t>(d)];
      norm += v[static_cast<size_t>(d)] * v[static_cast<size_t>(d)];
    }
    for (float& x : v) x /= std::sqrt(norm);
    vectors.push_back(v);
  }
  VectorIndex index(kDims, HnswOptions{});
  for (size_t i = 0; i < vectors.size(); ++i) index.Add(static_cast<int64_t>(i), vectors[i].data());
  auto hits = index.Search(query.data(), 10);
  ASSERT_EQ(hits.size(), 10u);
  std::vector<std::pair<float, int64_t>> exact;
  for (size_t i = 0; i < vectors.size(); ++i) {
    exact.emplace_back(Dot(query.data(), vectors[i].data(), kDims), static_cast<int64_t>(i));
  }
  std::sort(exact.rbegin(), exact.rend());
  for (size_t i = 0; i < hits.size(); ++i) {
    EXPECT_EQ(hits[i].chunk_id, exact[i].second);
    EXPECT_EQ(hits[i].similarity, exact[i].first);
  }
  auto scored = index.Similarities(query.data(), {7});
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0].similarity, Dot(query.data(), vectors[7].data(), kDims));
}

// The ids of the `k` most similar of `vectors` (id = position), exactly.
std::vector<int64_t> ExactIds(const std::vector<std::vector<float>>& vectors, const std::vector<float>& query,
                              size_t k) {
  std::vector<std::pair<float, int64_t>> scored;
  for (size_t i = 0; i < vectors.size(); ++i) {
    scored.emplace_back(DotPortable(query.data(), vectors[i].data(), query.size()), static_cast<int64_t>(i));
  }
  std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(k), scored.end(), std::greater<>());
  std::vector<int64_t> ids;
  for (size_t i = 0; i < k; ++i) ids.push_back(scored[i].second);
  return ids;
}

class SparseQuestionTest : public VectorIndexTest {
 protected:
  static constexpr int kDims = 64;
  static constexpr size_t kVectors = 4000;

  // Vectors 0..kVectors-1, linked through the tail in slices on two threads, as the indexer does.
  void Fill(VectorIndex& index) {
    std::mt19937 rng(3);
    vectors_.clear();
    for (size_t i = 0; i < kVectors; ++i) {
      vectors_.push_back(RandomUnit(rng, kDims));
      index.Stage(static_cast<int64_t>(i), vectors_.back().data());
    }
    while (index.staged() > 0) index.IndexStaged(700, 2);
  }

  // The share of the exact top 10 that `index` finds for 40 sparse questions.
  double Recall(const VectorIndex& index) {
    std::mt19937 rng(9);
    double found = 0;
    for (int q = 0; q < 40; ++q) {
      std::vector<float> query = SparseUnit(rng, kDims, 10);
      std::vector<int64_t> truth = ExactIds(vectors_, query, 10);
      std::vector<VectorHit> hits = index.Search(query.data(), 10);
      for (const auto& hit : hits) found += std::count(truth.begin(), truth.end(), hit.chunk_id);
      for (size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].similarity, hits[i].similarity);
    }
    return found / 400;
  }

  std::vector<std::vector<float>> vectors_;
};

TEST_F(SparseQuestionTest, QuestionsWithFewComponentsFindTheExactNearestThroughTheColumns) {
  HnswOptions options;
  options.scan_rerank = 200;
  VectorIndex index(kDims, options);
  Fill(index);
  EXPECT_GE(Recall(index), 0.99);
  // The similarities returned are the floats' own.
  std::mt19937 rng(4);
  std::vector<float> query = SparseUnit(rng, kDims, 10);
  for (const auto& hit : index.Search(query.data(), 5)) {
    EXPECT_EQ(hit.similarity, Dot(query.data(), vectors_[static_cast<size_t>(hit.chunk_id)].data(), kDims));
  }
}

TEST_F(SparseQuestionTest, TheColumnsFollowRemovalsReplacementsAndASaveAndLoad) {
  HnswOptions options;
  options.scan_rerank = 200;
  VectorIndex index(kDims, options);
  Fill(index);
  // A sparse question aimed at vector 17, which is then removed, brought back elsewhere, and saved.
  std::vector<float> aimed(kDims, 0.0f);
  for (size_t d = 0; d < 12; ++d) aimed[d] = vectors_[17][d];
  ASSERT_EQ(index.Search(aimed.data(), 1).at(0).chunk_id, 17);
  index.Remove(17);
  EXPECT_NE(index.Search(aimed.data(), 1).at(0).chunk_id, 17);
  // Vector 17 comes back under id 5000, then 23's is replaced by it in place.
  index.Add(5000, vectors_[17].data());
  EXPECT_EQ(index.Search(aimed.data(), 1).at(0).chunk_id, 5000);
  index.Remove(5000);
  index.Add(23, vectors_[17].data());
  EXPECT_EQ(index.Search(aimed.data(), 1).at(0).chunk_id, 23);

  std::string path = (dir_.path() / "sparse.hnsw").string();
  ASSERT_TRUE(index.Save(path));
  auto loaded = VectorIndex::Load(path, kDims, options);
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ((*loaded)->Search(aimed.data(), 1).at(0).chunk_id, 23);
  vectors_[23] = vectors_[17];
  vectors_[17].assign(kDims, 0.0f);  // Removed: nothing may match it.
  EXPECT_GE(Recall(**loaded), 0.99);
}

TEST_F(SparseQuestionTest, DenseQuestionsAndAnIndexWithoutColumnsUseTheGraph) {
  // ef_search 10 on a graph of 4,000: the graph's search, unlike the columns', misses some of the exact 10.
  HnswOptions graph_only;
  graph_only.ef_search = 10;
  graph_only.ef_construction = 10;
  graph_only.m = 4;
  graph_only.scan_components = 0;
  VectorIndex graph(kDims, graph_only);
  Fill(graph);
  double graph_recall = Recall(graph);
  EXPECT_LT(graph_recall, 0.99);

  HnswOptions scanning = graph_only;
  scanning.scan_components = 32;
  VectorIndex both(kDims, scanning);
  Fill(both);
  EXPECT_GE(Recall(both), 0.99);
  // A dense question (every component set) goes to the graph all the same.
  std::mt19937 rng(12);
  double dense_found = 0;
  for (int q = 0; q < 40; ++q) {
    std::vector<float> query = RandomUnit(rng, kDims);
    std::vector<int64_t> truth = ExactIds(vectors_, query, 10);
    for (const auto& hit : both.Search(query.data(), 10)) {
      dense_found += std::count(truth.begin(), truth.end(), hit.chunk_id);
    }
  }
  EXPECT_LT(dense_found / 400, 0.99);
}

class VectorCatalogTest : public KnowledgeStoreFixture {
 protected:
  void SetUp() override { kb_ = KnowledgeBase(acme_, "main"); }

  std::string IndexDir() const { return (dir_.path() / "indexes").string(); }

  // The one index file in the directory (and its .meta beside it).
  std::string IndexFile() {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(IndexDir())) {
      if (entry.path().extension() == ".hnsw") found.push_back(entry.path().string());
    }
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? "" : found[0];
  }

  boost::json::object Meta() {
    std::ifstream in(IndexFile() + ".meta");
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_object();
  }

  int64_t kb_ = 0;
};

TEST_F(VectorCatalogTest, CatchesUpWithChunksAddedAndDeletedInTheStore) {
  VectorCatalog catalog(ks(), "");
  EXPECT_TRUE(catalog.Search(kb_, kEmbedder, kX, 5).value().empty());

  int64_t first = AddDocument(acme_, kb_, "first", {PlainChunk("x", kX)}, kEmbedder);
  std::vector<int64_t> first_ids = ChunkIds(kb_, kEmbedder);
  EXPECT_EQ(Ids(catalog.Search(kb_, kEmbedder, kX, 5).value()), first_ids);

  // Written after the first search (by this process or another): found on the next one.
  AddDocument(acme_, kb_, "second", {PlainChunk("near", kNearX), PlainChunk("opposite", kOpposite)}, kEmbedder);
  std::vector<int64_t> all = ChunkIds(kb_, kEmbedder);
  ASSERT_EQ(all.size(), 3u);
  auto hits = catalog.Search(kb_, kEmbedder, kX, 5).value();
  EXPECT_EQ(Ids(hits), (std::vector<int64_t>{all[0], all[1], all[2]}));
  EXPECT_NEAR(hits[1].similarity, 0.8f, 1e-6f);

  ASSERT_TRUE(ks().DeleteDocument(acme_, first));
  EXPECT_EQ(Ids(catalog.Search(kb_, kEmbedder, kX, 5).value()), (std::vector<int64_t>{all[1], all[2]}));
}

TEST_F(VectorCatalogTest, KeepsKnowledgeBasesAndEmbeddersApart) {
  VectorCatalog catalog(ks(), "");
  int64_t other_kb = KnowledgeBase(acme_, "other");
  AddDocument(acme_, kb_, "mine", {PlainChunk("near", kNearX)}, kEmbedder);
  AddDocument(acme_, kb_, "other embedder", {PlainChunk("x", kX)}, "another-3d");
  AddDocument(acme_, other_kb, "other kb", {PlainChunk("x", kX)}, kEmbedder);

  EXPECT_EQ(Ids(catalog.Search(kb_, kEmbedder, kX, 5).value()), ChunkIds(kb_, kEmbedder));
  EXPECT_EQ(Ids(catalog.Search(kb_, "another-3d", kX, 5).value()), ChunkIds(kb_, "another-3d"));
  EXPECT_EQ(Ids(catalog.Search(other_kb, kEmbedder, kX, 5).value()), ChunkIds(other_kb, kEmbedder));
  // An index has one size of vector.
  EXPECT_EQ(catalog.Search(kb_, kEmbedder, {1, 0, 0, 0}, 5).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(VectorCatalogTest, TheIndexerLinksEveryKnowledgeBaseInTurn) {
  VectorCatalog catalog(ks(), "");
  int64_t archive = KnowledgeBase(acme_, "archive");
  constexpr int kDimensions = 384;
  AddDocument(acme_, archive, "archive", RandomChunks(12'000, kDimensions), "big-embedder");
  ASSERT_TRUE(catalog.Refresh(archive, "big-embedder", kDimensions));
  // A small knowledge base's new chunks, staged after the archive's thousands.
  AddDocument(acme_, kb_, "small", {PlainChunk("x", kX), PlainChunk("near", kNearX)}, kEmbedder);
  ASSERT_TRUE(catalog.Refresh(kb_, kEmbedder, 3));

  // Its tail is linked within a round of slices, not after the archive's whole tail.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::map<int64_t, size_t> unlinked = catalog.UnlinkedByKnowledgeBase();
  while (unlinked.contains(kb_) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    unlinked = catalog.UnlinkedByKnowledgeBase();
  }
  EXPECT_FALSE(unlinked.contains(kb_));
  EXPECT_GT(unlinked[archive], 1000u);
}

TEST_F(VectorCatalogTest, PersistsAndReloadsWithoutRebuilding) {
  int64_t doomed = AddDocument(acme_, kb_, "doomed", {PlainChunk("opposite", kOpposite)}, kEmbedder);
  AddDocument(acme_, kb_, "kept",
              {PlainChunk("x", kX), PlainChunk("near", kNearX), PlainChunk("orthogonal", kOrthogonal)}, kEmbedder);
  ASSERT_TRUE(ks().DeleteDocument(acme_, doomed));
  std::vector<int64_t> live = ChunkIds(kb_, kEmbedder);
  int64_t seq = 0;
  ASSERT_EQ(ks().DeletedChunksAfter(kb_, 0, &seq).value().size(), 1u);

  std::vector<VectorHit> expected;
  {
    VectorCatalog catalog(ks(), IndexDir());
    expected = catalog.Search(kb_, kEmbedder, kX, 5).value();
    ASSERT_TRUE(catalog.WaitIndexed());
    ASSERT_TRUE(catalog.Flush());
  }
  ASSERT_EQ(Ids(expected), live);
  boost::json::object meta = Meta();
  EXPECT_EQ(meta.at("dimensions").as_int64(), 3);
  EXPECT_EQ(meta.at("after_chunk_id").as_int64(), live.back());
  EXPECT_EQ(meta.at("after_deletion_seq").as_int64(), seq);

  RecordingStore recording(ks());
  VectorCatalog reloaded(recording, IndexDir());
  auto hits = reloaded.Search(kb_, kEmbedder, kX, 5).value();
  ASSERT_EQ(Ids(hits), Ids(expected));
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].similarity, expected[i].similarity);
  // It read only what came after the saved state: nothing was rebuilt.
  ASSERT_FALSE(recording.vectors_after.empty());
  EXPECT_EQ(recording.vectors_after.front(), live.back());
  EXPECT_EQ(recording.deletions_after.front(), seq);

  // And it keeps catching up from there.
  AddDocument(acme_, kb_, "later", {PlainChunk("x again", kX)}, kEmbedder);
  EXPECT_EQ(reloaded.Search(kb_, kEmbedder, kX, 5).value().size(), 4u);
}

TEST_F(VectorCatalogTest, RebuildsFromTheStoreWhenTheFileIsCorrupt) {
  AddDocument(acme_, kb_, "doc", {PlainChunk("x", kX), PlainChunk("near", kNearX)}, kEmbedder);
  std::vector<VectorHit> expected;
  {
    VectorCatalog catalog(ks(), IndexDir());
    expected = catalog.Search(kb_, kEmbedder, kX, 5).value();
    ASSERT_TRUE(catalog.WaitIndexed());
    ASSERT_TRUE(catalog.Flush());
  }
  std::ofstream(IndexFile(), std::ios::binary | std::ios::trunc) << "this is not an index";

  {
    RecordingStore recording(ks());
    VectorCatalog rebuilt(recording, IndexDir());
    EXPECT_EQ(Ids(rebuilt.Search(kb_, kEmbedder, kX, 5).value()), Ids(expected));
    ASSERT_FALSE(recording.vectors_after.empty());
    EXPECT_EQ(recording.vectors_after.front(), 0);
    ASSERT_TRUE(rebuilt.WaitIndexed());
    ASSERT_TRUE(rebuilt.Flush());  // Repairs the file.
  }
  RecordingStore recording(ks());
  VectorCatalog reloaded(recording, IndexDir());
  EXPECT_EQ(Ids(reloaded.Search(kb_, kEmbedder, kX, 5).value()), Ids(expected));
  EXPECT_EQ(recording.vectors_after.front(), Ids(expected).back());
}

TEST_F(VectorCatalogTest, RebuildsWhenTheMetaFileIsGarbledOrForOtherDimensions) {
  AddDocument(acme_, kb_, "doc", {PlainChunk("x", kX)}, kEmbedder);
  {
    VectorCatalog catalog(ks(), IndexDir());
    ASSERT_TRUE(catalog.Refresh(kb_, kEmbedder, 3));  // Catches up without a search.
    ASSERT_TRUE(catalog.Flush());
  }
  std::string meta_path = IndexFile() + ".meta";
  for (const char* meta : {"{not json", R"({"dimensions":4,"after_chunk_id":1,"after_deletion_seq":0})"}) {
    std::ofstream(meta_path, std::ios::trunc) << meta;
    RecordingStore recording(ks());
    VectorCatalog catalog(recording, IndexDir());
    EXPECT_EQ(catalog.Search(kb_, kEmbedder, kX, 5).value().size(), 1u) << meta;
    EXPECT_EQ(recording.vectors_after.front(), 0) << meta;
  }
}

TEST_F(VectorCatalogTest, SimilaritiesReadOneKnowledgeBasesIndex) {
  VectorCatalog catalog(ks(), "");
  int64_t other_kb = KnowledgeBase(acme_, "other");
  AddDocument(acme_, kb_, "mine", {PlainChunk("near", kNearX), PlainChunk("opposite", kOpposite)}, kEmbedder);
  AddDocument(acme_, other_kb, "other kb", {PlainChunk("x", kX)}, kEmbedder);
  std::vector<int64_t> mine = ChunkIds(kb_, kEmbedder);
  int64_t theirs = ChunkIds(other_kb, kEmbedder).at(0);
  // Before any search the index is not loaded: nothing to score yet.
  EXPECT_TRUE(catalog.Similarities(kb_, kEmbedder, kX, mine).value().empty());
  ASSERT_TRUE(catalog.Search(kb_, kEmbedder, kX, 1));
  auto hits = catalog.Similarities(kb_, kEmbedder, kX, {mine[1], theirs, mine[0]}).value();
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{mine[1], mine[0]}));
  EXPECT_NEAR(hits[0].similarity, -1.0f, 1e-6f);
  EXPECT_NEAR(hits[1].similarity, 0.8f, 1e-6f);
  EXPECT_EQ(catalog.Similarities(kb_, kEmbedder, {1, 0, 0, 0}, mine).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(VectorCatalogTest, AFileSavedBeforeTheTailIsLinkedReadsTheTailAgain) {
  std::mt19937 rng(5);
  std::vector<std::vector<float>> vectors;
  std::vector<store::NewChunk> chunks;
  for (int i = 0; i < 3000; ++i) {
    vectors.push_back(RandomUnit(rng, 3));
    chunks.push_back(PlainChunk("chunk " + std::to_string(i), vectors.back()));
  }
  AddDocument(acme_, kb_, "many", chunks, kEmbedder);
  std::vector<int64_t> ids = ChunkIds(kb_, kEmbedder);
  int64_t saved_through = 0;
  {
    VectorCatalog catalog(ks(), IndexDir());
    ASSERT_TRUE(catalog.Refresh(kb_, kEmbedder, 3));
    // Saved at once, with most of the 3,000 vectors still in the tail: the file covers what the graph holds.
    ASSERT_TRUE(catalog.Flush());
    saved_through = Meta().at("after_chunk_id").as_int64();
    EXPECT_LE(saved_through, ids.back());
  }
  RecordingStore recording(ks());
  VectorCatalog reloaded(recording, IndexDir());
  for (size_t i : {0ul, 1500ul, 2999ul}) {
    auto hits = reloaded.Search(kb_, kEmbedder, vectors[i], 1).value();
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-5f);
  }
  ASSERT_FALSE(recording.vectors_after.empty());
  EXPECT_EQ(recording.vectors_after.front(), saved_through);
  ASSERT_TRUE(reloaded.WaitIndexed());
  ASSERT_TRUE(reloaded.Flush());
  EXPECT_EQ(Meta().at("after_chunk_id").as_int64(), ids.back());
}

TEST_F(VectorCatalogTest, WithoutADirectoryNothingIsWritten) {
  AddDocument(acme_, kb_, "doc", {PlainChunk("x", kX)}, kEmbedder);
  VectorCatalog catalog(ks(), "");
  ASSERT_TRUE(catalog.Search(kb_, kEmbedder, kX, 5));
  EXPECT_TRUE(catalog.Flush());
  EXPECT_FALSE(std::filesystem::exists(IndexDir()));
}

}  // namespace
}  // namespace parley::knowledge
