#include "knowledge/retriever.h"

#include "knowledge/embedder.h"
#include "knowledge/text.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using fixture::EmbeddedChunk;
using fixture::Ids;
using fixture::KnowledgeStoreFixture;

std::vector<int64_t> FusedIds(const std::vector<FusedHit>& hits) {
  std::vector<int64_t> ids;
  for (const auto& hit : hits) ids.push_back(hit.id);
  return ids;
}

TEST(ReciprocalRankFusionTest, SumsReciprocalRanks) {
  auto fused = ReciprocalRankFusion({{1, 2, 3}, {3, 1, 4}}, 60, 10);
  ASSERT_EQ(FusedIds(fused), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61 + 1.0 / 62);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 63 + 1.0 / 61);
  EXPECT_DOUBLE_EQ(fused[2].score, 1.0 / 62);
  EXPECT_DOUBLE_EQ(fused[3].score, 1.0 / 63);
  EXPECT_EQ(fused[0].ranks, (std::vector<int>{1, 2}));
  EXPECT_EQ(fused[1].ranks, (std::vector<int>{3, 1}));
  EXPECT_EQ(fused[2].ranks, (std::vector<int>{2, 0}));
  EXPECT_EQ(fused[3].ranks, (std::vector<int>{0, 3}));
}

TEST(ReciprocalRankFusionTest, UsesTheDampingConstant) {
  auto fused = ReciprocalRankFusion({{7, 8}}, 1, 10);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, 0.5);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 3);
}

TEST(ReciprocalRankFusionTest, BreaksTiesByTheSmallerId) {
  EXPECT_EQ(FusedIds(ReciprocalRankFusion({{9}, {5}}, 60, 10)), (std::vector<int64_t>{5, 9}));
  EXPECT_EQ(FusedIds(ReciprocalRankFusion({{5}, {9}}, 60, 10)), (std::vector<int64_t>{5, 9}));
  // Equal sums from different ranks: 2 and 6 both have ranks 1 and 2.
  EXPECT_EQ(FusedIds(ReciprocalRankFusion({{6, 2}, {2, 6}}, 60, 10)), (std::vector<int64_t>{2, 6}));
}

TEST(ReciprocalRankFusionTest, LimitsAndCountsARepeatedIdOnce) {
  auto fused = ReciprocalRankFusion({{4, 4, 8}}, 60, 10);
  ASSERT_EQ(FusedIds(fused), (std::vector<int64_t>{4, 8}));
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61);
  EXPECT_EQ(fused[1].ranks, std::vector<int>{3});
  EXPECT_EQ(FusedIds(ReciprocalRankFusion({{1, 2, 3}, {4, 5}}, 60, 2)), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(ReciprocalRankFusion({}, 60, 10).empty());
  EXPECT_TRUE(ReciprocalRankFusion({{}, {}}, 60, 10).empty());
  EXPECT_TRUE(ReciprocalRankFusion({{1}}, 60, 0).empty());
}

TEST(LexicalTermsTest, FoldedContentWordsOnceEachFollowedByItsStem) {
  using Terms = std::vector<std::string>;
  EXPECT_EQ(LexicalTerms("What are your opening hours?", "english"), (Terms{"opening", "open", "hours", "hour"}));
  EXPECT_EQ(LexicalTerms("Refund, refund... REFUND policy", "english"), (Terms{"refund", "policy", "polici"}));
  EXPECT_EQ(LexicalTerms("livraisons", "french"), (Terms{"livraisons", "livraison"}));
  EXPECT_EQ(LexicalTerms("Où est l'Hôtel ?", "english"), (Terms{"hotel"}));
  EXPECT_TRUE(LexicalTerms("the and of", "english").empty());
  EXPECT_TRUE(LexicalTerms("", "english").empty());
  EXPECT_TRUE(LexicalTerms("👍 !!!", "english").empty());
  // Operators, column filters, prefixes and quotes in a question are only words (or nothing).
  EXPECT_EQ(LexicalTerms("body: \"x\" NEAR(a b) pre* -y ^z", "english"),
            (Terms{"body", "bodi", "x", "near", "b", "pre", "z"}));  // "a", "y": stop words.
}

TEST(LexicalTermsTest, AQuestionInAnotherLanguageIsStemmedInBoth) {
  using Terms = std::vector<std::string>;
  // French stemming of a French question to English documents, and the English stem for the cognates.
  EXPECT_EQ(LexicalTerms(Terms{"reservations", "vendredis"}, "english", "fr"),
            (Terms{"reservations", "reserv", "vendredis", "vendredi", "vendred"}));
  EXPECT_EQ(LexicalTerms(Terms{"reservations"}, "english", "english"), (Terms{"reservations", "reserv"}));
  EXPECT_EQ(LexicalTerms(Terms{"reservations"}, "en", "english"), (Terms{"reservations", "reserv"}));
}

TEST(ReciprocalRankFusionTest, WeighsEachRanking) {
  auto fused = ReciprocalRankFusion({{1, 2}, {2, 1}}, 60, 10, {1.0, 0.5});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].id, 1);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61 + 0.5 / 62);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 62 + 0.5 / 61);
}

TEST(LexicalTextTest, FoldedWordsThenTheStemsThatDiffer) {
  EXPECT_EQ(LexicalText("Free deliveries, café", "english"), "free deliveries cafe deliveri");
}

TEST(StemCoverageTest, WeightedByRarityTheCommonWordsCountLess) {
  // "yoga" is in every passage (small weight), "aerial" in none (large weight).
  const std::vector<std::string> stems{"aerial", "yoga"};
  const std::vector<double> weights{3.0, 0.5};
  EXPECT_NEAR(WeightedStemCoverage(stems, weights, "Yoga classes every day.", "english"), 0.5 / 3.5, 1e-12);
  EXPECT_DOUBLE_EQ(WeightedStemCoverage(stems, weights, "Aerial yoga on Sundays.", "english"), 1.0);
  EXPECT_DOUBLE_EQ(WeightedStemCoverage({}, {}, "Aerial yoga.", "english"), 0.0);
}

TEST(StemCoverageTest, ShareOfTheQuestionsStemsInThePassage) {
  EXPECT_DOUBLE_EQ(StemCoverage("refunds for shoes", "We refund every shoe.", "english"), 1.0);
  EXPECT_DOUBLE_EQ(StemCoverage("refunds for shoes", "Our refund policy.", "english"), 0.5);
  EXPECT_DOUBLE_EQ(StemCoverage("How long do refunds take?", "Refunds are paid within 5 days.", "english"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(StemCoverage("refund refund refund", "refunds", "english"), 1.0);
  EXPECT_DOUBLE_EQ(StemCoverage("the and of", "the and of", "english"), 0.0);
  EXPECT_DOUBLE_EQ(StemCoverage("refunds", "", "english"), 0.0);
  EXPECT_DOUBLE_EQ(StemCoverage("remboursements des chaussures", "Le remboursement d'une chaussure.", "french"), 1.0);
  EXPECT_DOUBLE_EQ(StemCoverage("remboursements des chaussures", "Le remboursement d'une chaussure.", "fr"), 1.0);
}

class RetrieverTest : public KnowledgeStoreFixture {
 protected:
  void SetUp() override {
    kb_ = KnowledgeBase(acme_, "main");
    gift_kb_ = KnowledgeBase(acme_, "gift cards");
    globex_kb_ = KnowledgeBase(globex_, "main");
    AddDocument(acme_, kb_, "hours.md",
                {Chunk(0, "Opening hours", "We are open Monday to Friday from 9am to 6pm, Saturday from 10am.")},
                embedder_.id());
    refunds_document_ = AddDocument(
        acme_, kb_, "refunds.md",
        {Chunk(0, "Refunds", "Any item can be returned within 30 days. Refunds are paid to the original card.")},
        embedder_.id());
    refunds_chunk_ = ChunkIds(kb_, embedder_.id()).back();
    AddDocument(acme_, kb_, "shop.md",
                {Chunk(0, "Shipping", "We ship to the whole of Europe; delivery takes two to four days."),
                 Chunk(1, "Location", "Our shop is in Lyon, next to the station."),
                 Chunk(2, "Gift wrapping", "Gift wrapping is free for every order.")},
                embedder_.id());
    AddDocument(acme_, gift_kb_, "gift-cards.md",
                {Chunk(0, "Gift cards", "Gift cards are never refunded; refunds go to a new gift card.")},
                embedder_.id());
    AddDocument(globex_, globex_kb_, "globex.md",
                {Chunk(0, "Refunds", "Refunds refunds refunds: refunds are paid in cash within a day.")},
                embedder_.id());
  }

  store::NewChunk Chunk(int position, const std::string& heading, const std::string& text) {
    return EmbeddedChunk(embedder_, position, heading, text);
  }

  Result<std::vector<Passage>> Retrieve(const std::vector<int64_t>& bases, const std::string& question,
                                        bool with_vector = true, RetrievalOptions options = {}) {
    std::vector<float> vector = with_vector ? embedder_.EmbedOne(question) : std::vector<float>{};
    return retriever_.Retrieve(acme_, bases, question, vector, embedder_.id(), options);
  }

  BuiltinEmbedder embedder_;
  KnowledgeIndexes indexes_{ks(), ""};
  Retriever retriever_{ks(), indexes_};
  int64_t kb_ = 0;
  int64_t gift_kb_ = 0;
  int64_t globex_kb_ = 0;
  int64_t refunds_document_ = 0;
  int64_t refunds_chunk_ = 0;
};

TEST_F(RetrieverTest, FindsTheAnsweringPassageWithEveryFieldFilled) {
  const std::string question = "How long do refunds take?";
  auto passages = Retrieve({kb_}, question).value();
  ASSERT_FALSE(passages.empty());
  const Passage& best = passages[0];
  EXPECT_EQ(best.chunk.id, refunds_chunk_);
  EXPECT_EQ(best.chunk.tenant_id, acme_);
  EXPECT_EQ(best.chunk.knowledge_base_id, kb_);
  EXPECT_EQ(best.chunk.document_id, refunds_document_);
  EXPECT_EQ(best.chunk.document_name, "refunds.md");
  EXPECT_EQ(best.chunk.heading_path, "Refunds");
  EXPECT_EQ(best.chunk.text, "Any item can be returned within 30 days. Refunds are paid to the original card.");
  EXPECT_EQ(best.vector_rank, 1);
  EXPECT_EQ(best.lexical_rank, 1);
  const double lexical_weight = RetrievalOptions{}.lexical_weight;
  EXPECT_DOUBLE_EQ(best.score, (1.0 + lexical_weight) / 61);
  EXPECT_GT(best.similarity, 0);
  EXPECT_LE(best.similarity, 1);
  EXPECT_GT(best.bm25, 0);
  EXPECT_DOUBLE_EQ(best.coverage, 1.0 / 3);  // "refund" of {long, refund, take}.
  EXPECT_DOUBLE_EQ(best.relevance, std::max(best.similarity, best.coverage));

  for (size_t i = 0; i < passages.size(); ++i) {
    const Passage& p = passages[i];
    EXPECT_EQ(p.chunk.knowledge_base_id, kb_);
    if (i > 0) {
      EXPECT_LE(p.score, passages[i - 1].score);
    }
    double expected = (p.vector_rank ? 1.0 / (60 + p.vector_rank) : 0) +
                      (p.lexical_rank ? lexical_weight / (60 + p.lexical_rank) : 0);
    EXPECT_DOUBLE_EQ(p.score, expected);
    if (p.vector_rank == 0) {
      EXPECT_EQ(p.similarity, 0);
    }
    EXPECT_EQ(p.lexical_rank == 0, p.bm25 == 0);
  }
}

TEST_F(RetrieverTest, StaysInsideTheTenantsGivenKnowledgeBases) {
  auto chunk_ids = [](const std::vector<Passage>& passages) {
    std::vector<int64_t> ids;
    for (const auto& p : passages) ids.push_back(p.chunk.id);
    return ids;
  };
  const std::string question = "Are refunds paid in cash?";
  auto mine = Retrieve({kb_}, question).value();
  // Another tenant's knowledge base is ignored, even though its chunk matches best.
  EXPECT_EQ(chunk_ids(Retrieve({kb_, globex_kb_}, question).value()), chunk_ids(mine));
  EXPECT_TRUE(Retrieve({globex_kb_}, question).value().empty());
  EXPECT_TRUE(Retrieve({}, question).value().empty());
  EXPECT_TRUE(Retrieve({12345}, question).value().empty());

  for (const auto& p : Retrieve({kb_, gift_kb_}, "Are gift cards refunded?").value()) {
    EXPECT_NE(p.chunk.knowledge_base_id, globex_kb_);
  }
  auto gift = Retrieve({gift_kb_}, "Are gift cards refunded?").value();
  ASSERT_EQ(gift.size(), 1u);
  EXPECT_EQ(gift[0].chunk.document_name, "gift-cards.md");
  auto both = Retrieve({kb_, gift_kb_}, "Are gift cards refunded?").value();
  EXPECT_EQ(both.at(0).chunk.document_name, "gift-cards.md");
}

TEST_F(RetrieverTest, WithoutAQueryVectorRanksByBm25Alone) {
  auto passages = Retrieve({kb_}, "refunds", /*with_vector=*/false).value();
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].chunk.id, refunds_chunk_);
  EXPECT_EQ(passages[0].vector_rank, 0);
  EXPECT_EQ(passages[0].similarity, 0);
  EXPECT_EQ(passages[0].lexical_rank, 1);
  EXPECT_DOUBLE_EQ(passages[0].score, RetrievalOptions{}.lexical_weight / 61);
  EXPECT_DOUBLE_EQ(passages[0].relevance, 1.0);  // All of the question's stems are there.

  // Nothing to match on either side: no passages.
  EXPECT_TRUE(Retrieve({kb_}, "the and of", /*with_vector=*/false).value().empty());
}

TEST_F(RetrieverTest, MisspeltWordsAreSearchedAsTheClosestIndexedTerm) {
  // "wrappping" and "shiping" are no term of the knowledge base; corrected, BM25 alone finds their passages and
  // their coverage counts them.
  auto wrapping = Retrieve({kb_}, "is gift wrappping free", /*with_vector=*/false).value();
  ASSERT_FALSE(wrapping.empty());
  EXPECT_EQ(wrapping[0].chunk.heading_path, "Gift wrapping");
  EXPECT_DOUBLE_EQ(wrapping[0].coverage, 1.0);
  auto shipping = Retrieve({kb_}, "shiping europe", /*with_vector=*/false).value();
  ASSERT_FALSE(shipping.empty());
  EXPECT_EQ(shipping[0].chunk.heading_path, "Shipping");

  // Without correction the misspelt word finds nothing and counts as missing.
  RetrievalOptions plain;
  plain.correct_spelling = false;
  EXPECT_TRUE(Retrieve({kb_}, "wrappping", /*with_vector=*/false, plain).value().empty());
  EXPECT_EQ(retriever_.CorrectedWords({kb_}, "Is gift wrappping free?", plain).value(),
            (std::vector<std::string>{"gift", "wrappping", "free"}));
  EXPECT_EQ(retriever_.CorrectedWords({kb_}, "Is gift wrappping free?", {}).value(),
            (std::vector<std::string>{"gift", "wrapping", "free"}));
}

TEST_F(RetrieverTest, CountsTheChunksHoldingEachTermInTheGivenKnowledgeBasesOnly) {
  // "refunds" is held by the refunds chunk of kb_ and by gift_kb_'s chunk; "cash" only by another tenant's.
  EXPECT_EQ(retriever_.ChunksHolding({kb_}, {"refunds", "gift", "cash", "crown"}).value(),
            (std::vector<size_t>{1, 1, 0, 0}));
  EXPECT_EQ(retriever_.ChunksHolding({kb_, gift_kb_}, {"refunds"}).value(), std::vector<size_t>{2});
  EXPECT_TRUE(retriever_.ChunksHolding({kb_}, {}).value().empty());
  // Of the knowledge bases asked only: five chunks in kb_, one in gift_kb_, the other tenant's never counted.
  EXPECT_EQ(retriever_.CountTerms({kb_}, {}).value().chunks, 5u);
  auto both = retriever_.CountTerms({kb_, gift_kb_}, {"refunds", "crown"}).value();
  EXPECT_EQ(both.chunks, 6u);
  EXPECT_EQ(both.frequencies, (std::vector<size_t>{2, 0}));
}

TEST(IdfTest, ATermFewChunksHoldWeighsMoreAndNoneIsZero) {
  EXPECT_GT(Idf(1, 20), Idf(10, 20));
  EXPECT_GT(Idf(19, 20), 0);
  EXPECT_GT(Idf(20, 20), 0);
  EXPECT_GT(Idf(0, 20), Idf(1, 20));
}

TEST_F(RetrieverTest, ReturnsAtMostTopK) {
  RetrievalOptions options;
  options.top_k = 2;
  EXPECT_EQ(Retrieve({kb_}, "When is the shop open?", true, options).value().size(), 2u);
  options.top_k = 20;
  EXPECT_EQ(Retrieve({kb_}, "When is the shop open?", true, options).value().size(), 5u);
}

TEST_F(RetrieverTest, DeletedChunksAreNotReturned) {
  ASSERT_TRUE(ks().DeleteDocument(acme_, refunds_document_));
  for (const auto& p : Retrieve({kb_}, "How long do refunds take?").value()) EXPECT_NE(p.chunk.id, refunds_chunk_);
}

TEST_F(RetrieverTest, TheVectorRankingScoresTheLexicalCandidatesHnswLeftOut) {
  // ef_search 1: HNSW returns a single neighbour, as if it had missed every other near one.
  KnowledgeIndexes narrow(ks(), "", HnswOptions{16, 200, 1});
  Retriever retriever(ks(), narrow);
  std::vector<int64_t> chunks = ChunkIds(kb_, embedder_.id());  // Hours, refunds, shipping, location, wrapping.
  ASSERT_EQ(chunks.size(), 5u);
  int64_t gift_card = ChunkIds(gift_kb_, embedder_.id()).at(0);
  int64_t globex = ChunkIds(globex_kb_, embedder_.id()).at(0);
  std::vector<float> query = embedder_.EmbedOne("How long do refunds take?");
  int64_t nearest = narrow.vectors.Search(kb_, embedder_.id(), query, 1).value().at(0).chunk_id;

  // Candidates from BM25: two of the knowledge base's chunks, one twice, and chunks outside the scope.
  auto ranking =
      retriever.VectorRanking({kb_}, query, embedder_.id(), {chunks[2], globex, chunks[4], gift_card, chunks[2]}, 10)
          .value();
  std::set<int64_t> expected{nearest, chunks[2], chunks[4]};
  ASSERT_EQ(ranking.size(), expected.size());
  std::vector<int64_t> ids = Ids(ranking);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), expected);
  auto all = narrow.vectors.Similarities(kb_, embedder_.id(), query, chunks).value();
  for (size_t i = 0; i < ranking.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(ranking[i - 1].similarity, ranking[i].similarity);
    }
    auto exact =
        std::find_if(all.begin(), all.end(), [&](const VectorHit& h) { return h.chunk_id == ranking[i].chunk_id; });
    ASSERT_NE(exact, all.end());
    EXPECT_EQ(ranking[i].similarity, exact->similarity);
  }
  EXPECT_EQ(retriever.VectorRanking({kb_}, query, embedder_.id(), {chunks[2], chunks[4]}, 1).value().size(), 1u);
}

}  // namespace
}  // namespace parley::knowledge
