// Retrieval pieces that the knowledge benchmark (bench/knowledge_bench.cpp) exercises at scale: a question's BM25
// terms, and the parallel insertion into the HNSW index.

#include "knowledge/retriever.h"
#include "knowledge/vector_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

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
