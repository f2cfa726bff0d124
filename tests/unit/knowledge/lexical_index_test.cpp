#include "knowledge/lexical_index.h"

#include "knowledge/text.h"
#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using fixture::Ids;
using fixture::KnowledgeStoreFixture;
using fixture::PlainChunk;
using fixture::RecordingStore;
using testing::TempDir;

// BM25 written out term by term, the way the literature states it, over every document: what the index's
// pruned search must agree with.
class ReferenceBm25 {
 public:
  void Add(int64_t id, const std::string& text) {
    std::vector<std::string> tokens;
    std::string token;
    for (char c : text + " ") {
      if (c != ' ') {
        token += c;
      } else if (!token.empty()) {
        tokens.push_back(token);
        token.clear();
      }
    }
    documents_.push_back({id, tokens});
  }
  void Remove(int64_t id) {
    std::erase_if(documents_, [id](const Doc& d) { return d.id == id; });
  }

  std::vector<LexicalHit> Search(std::vector<std::string> terms, size_t k) const {
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    double n = static_cast<double>(documents_.size());
    double total = 0;
    for (const auto& d : documents_) total += static_cast<double>(d.tokens.size());
    double average = total / n;
    std::map<std::string, double> df;
    for (const auto& term : terms) {
      for (const auto& d : documents_) df[term] += std::count(d.tokens.begin(), d.tokens.end(), term) > 0;
    }
    std::vector<LexicalHit> hits;
    for (const auto& d : documents_) {
      double score = 0;
      bool matched = false;
      for (const auto& term : terms) {
        if (IsStopWord(term)) continue;
        double tf = static_cast<double>(std::count(d.tokens.begin(), d.tokens.end(), term));
        if (tf == 0) continue;
        double idf = std::log(1 + (n - df[term] + 0.5) / (df[term] + 0.5));
        double length = static_cast<double>(d.tokens.size());
        score += idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / average));
        matched = true;
      }
      if (matched) hits.push_back({d.id, score});
    }
    std::sort(hits.begin(), hits.end(), [](const LexicalHit& a, const LexicalHit& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    });
    if (hits.size() > k) hits.resize(k);
    return hits;
  }

 private:
  struct Doc {
    int64_t id;
    std::vector<std::string> tokens;
  };
  std::vector<Doc> documents_;
};

// The index's top k against `all`, the reference's full ranking: scores agree at each rank to rounding (the index
// sums a document's terms in another order), and each id returned has the score the reference gives it, so the
// top k is exact up to ties.
void ExpectSameRanking(const std::vector<LexicalHit>& actual, const std::vector<LexicalHit>& all, size_t k) {
  ASSERT_EQ(actual.size(), std::min(k, all.size()));
  std::map<int64_t, double> score_of;
  for (const auto& hit : all) score_of[hit.chunk_id] = hit.score;
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i].score, all[i].score, 1e-9) << "rank " << i;
    ASSERT_TRUE(score_of.count(actual[i].chunk_id)) << actual[i].chunk_id;
    EXPECT_NEAR(score_of[actual[i].chunk_id], actual[i].score, 1e-9) << actual[i].chunk_id;
  }
}

TEST(LexicalIndexTest, ScoresByBm25) {
  LexicalIndex index;
  index.Add(1, "refund policy");
  index.Add(2, "refund refund for shoes");
  index.Add(3, "shoes bags hats");
  // N = 3, average length 3; "refund" is in 2 documents: idf = ln(1 + 1.5 / 2.5).
  double idf = std::log(1.6);
  auto hits = index.Search({"refund"}, 10);
  ASSERT_EQ(Ids(hits), (std::vector<int64_t>{2, 1}));
  EXPECT_NEAR(hits[0].score, idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 4 / 3.0)), 1e-12);
  EXPECT_NEAR(hits[1].score, idf * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3.0)), 1e-12);
  // A second query word lifts the chunk that has it; a word nobody has changes nothing.
  EXPECT_EQ(Ids(index.Search({"refund", "hats"}, 10)), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(Ids(index.Search({"refund", "refnud"}, 10)), Ids(hits));
  EXPECT_EQ(Ids(index.Search({"refund"}, 1)), std::vector<int64_t>{2});
  EXPECT_TRUE(index.Search({"nothing"}, 10).empty());
  EXPECT_TRUE(index.Search({}, 10).empty());
  EXPECT_TRUE(index.Search({"refund"}, 0).empty());
  EXPECT_EQ(index.size(), 3u);
}

TEST(LexicalIndexTest, ARepeatedTermCountsOnce) {
  LexicalIndex index;
  index.Add(1, "refund policy");
  index.Add(2, "shoes");
  auto once = index.Search({"refund"}, 10);
  auto twice = index.Search({"refund", "refund"}, 10);
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_EQ(twice[0].score, once[0].score);
}

TEST(LexicalIndexTest, StopWordsCountInTheLengthButAreNotSearched) {
  LexicalIndex index;
  index.Add(1, "refund the the the the");
  index.Add(2, "refund");
  index.Add(3, "hats");
  EXPECT_TRUE(index.Search({"the"}, 10).empty());
  // Same frequency, shorter document: higher score.
  EXPECT_EQ(Ids(index.Search({"refund"}, 10)), (std::vector<int64_t>{2, 1}));
}

TEST(LexicalIndexTest, TiesGoToTheSmallerIdAndIdsOnlyGrow) {
  LexicalIndex index;
  index.Add(10, "hats");
  index.Add(20, "hats");
  index.Add(15, "hats hats");  // Not above the last id: ignored.
  index.Add(30, "shoes");
  EXPECT_EQ(Ids(index.Search({"hats"}, 10)), (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(Ids(index.Search({"hats"}, 1)), std::vector<int64_t>{10});
  EXPECT_EQ(index.size(), 3u);
}

// A corpus with Zipf-distributed words, so that queries mix common terms (which MaxScore only probes) and rare
// ones; every query's top k must equal exhaustive BM25.
TEST(LexicalIndexTest, PrunedSearchMatchesExhaustiveScoring) {
  std::mt19937 rng(20261122);
  constexpr int kVocabulary = 400;
  std::vector<double> weights;
  for (int rank = 1; rank <= kVocabulary; ++rank) weights.push_back(1.0 / rank);
  std::discrete_distribution<int> word(weights.begin(), weights.end());
  std::uniform_int_distribution<int> length(3, 60);
  // Appended, not `"w" + ...`: the latter trips g++ 12's -Wrestrict false positive at -O3.
  auto term = [](int w) { return std::string("w").append(std::to_string(w)); };

  LexicalIndex index;
  ReferenceBm25 reference;
  for (int64_t id = 1; id <= 1500; ++id) {
    std::string text;
    for (int i = length(rng); i > 0; --i) text += term(word(rng)) + " ";
    index.Add(id, text);
    reference.Add(id, text);
  }
  std::uniform_int_distribution<int> query_size(1, 8);
  std::uniform_int_distribution<int> any_word(0, kVocabulary + 20);  // A few words nobody has.
  for (int q = 0; q < 200; ++q) {
    std::vector<std::string> terms;
    for (int i = query_size(rng); i > 0; --i) terms.push_back(term(q % 2 ? word(rng) : any_word(rng)));
    auto all = reference.Search(terms, SIZE_MAX);
    for (size_t k : {1u, 5u, 40u}) {
      SCOPED_TRACE("query " + std::to_string(q) + ", k " + std::to_string(k));
      ExpectSameRanking(index.Search(terms, k), all, k);
    }
  }
}

TEST(LexicalIndexTest, RemovedChunksLeaveTheResultsAndAreReclaimed) {
  LexicalIndex index;
  ReferenceBm25 reference;
  for (int64_t id = 1; id <= 40; ++id) {
    std::string text = "refund " + std::string(id % 3 == 0 ? "shoes " : "hats ") + "number" + std::to_string(id);
    index.Add(id, text);
    reference.Add(id, text);
  }
  // Under a quarter removed: hidden from results, still in the statistics.
  for (int64_t id : {3, 4, 5}) index.Remove(id);
  index.Remove(4);     // Twice: no effect.
  index.Remove(1000);  // Unknown: ignored.
  EXPECT_EQ(index.size(), 37u);
  auto before = Ids(index.Search({"refund"}, 100));
  EXPECT_EQ(before.size(), 37u);
  for (int64_t id : {3, 4, 5}) EXPECT_EQ(std::count(before.begin(), before.end(), id), 0);

  // Past a quarter the postings are rebuilt without them, and the scores are those of the remaining chunks.
  for (int64_t id = 6; id <= 13; ++id) index.Remove(id);
  for (int64_t id = 3; id <= 13; ++id) reference.Remove(id);
  EXPECT_EQ(index.size(), 29u);
  for (const std::vector<std::string>& terms :
       {std::vector<std::string>{"refund"}, {"shoes", "number7"}, {"hats", "number20"}}) {
    ExpectSameRanking(index.Search(terms, 100), reference.Search(terms, SIZE_MAX), 100);
  }
  EXPECT_TRUE(index.Search({"number7"}, 10).empty());
  // Adding after a compaction still works, by id.
  index.Add(41, "refund refund refund");
  EXPECT_EQ(index.Search({"refund"}, 1).at(0).chunk_id, 41);
}

TEST(LexicalIndexTest, SavesAndLoadsTheSameIndex) {
  TempDir dir("parley-lexical");
  std::string path = (dir.path() / "kb1.bm25").string();
  LexicalIndex index;
  for (int64_t id = 1; id <= 30; ++id) {
    index.Add(id, "refund number" + std::to_string(id) + (id % 2 ? " shoes shoes" : " hats"));
  }
  index.Remove(7);
  ASSERT_TRUE(index.Save(path, {30, 4}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);  // No temporary file left.

  StorePosition position;
  auto loaded = LexicalIndex::Load(path, &position);
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ(position.after_chunk_id, 30);
  EXPECT_EQ(position.after_deletion_seq, 4);
  EXPECT_EQ((*loaded)->size(), 29u);
  for (const std::vector<std::string>& terms :
       {std::vector<std::string>{"refund"}, {"shoes", "number7"}, {"hats", "number3"}}) {
    auto expected = index.Search(terms, 50);
    auto actual = (*loaded)->Search(terms, 50);
    ASSERT_EQ(Ids(actual), Ids(expected));
    for (size_t i = 0; i < actual.size(); ++i) EXPECT_EQ(actual[i].score, expected[i].score);
  }
  (*loaded)->Add(31, "refund refund refund");
  EXPECT_EQ((*loaded)->Search({"refund"}, 1).at(0).chunk_id, 31);
}

TEST(LexicalIndexTest, RefusesMissingTruncatedOrForeignFiles) {
  TempDir dir("parley-lexical");
  std::string path = (dir.path() / "kb1.bm25").string();
  StorePosition position{5, 6};
  EXPECT_EQ(LexicalIndex::Load(path, &position).error().code, ErrorCode::kUnavailable);

  LexicalIndex index;
  for (int64_t id = 1; id <= 20; ++id) index.Add(id, "refund policy number" + std::to_string(id));
  ASSERT_TRUE(index.Save(path, {20, 0}));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{12}, size_t{0}}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, cut);
    EXPECT_EQ(LexicalIndex::Load(path, &position).error().code, ErrorCode::kUnavailable) << cut;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes << "trailing";
  EXPECT_EQ(LexicalIndex::Load(path, &position).error().code, ErrorCode::kUnavailable);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "this is not an index, but long enough to be read";
  EXPECT_EQ(LexicalIndex::Load(path, &position).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(position.after_chunk_id, 5);  // Untouched by a failed load.
}

class LexicalCatalogTest : public KnowledgeStoreFixture {
 protected:
  void SetUp() override {
    kb_ = KnowledgeBase(acme_, "main");
    second_kb_ = KnowledgeBase(acme_, "second");
  }

  std::string IndexDir() const { return (dir_.path() / "indexes").string(); }

  int64_t kb_ = 0;
  int64_t second_kb_ = 0;
};

TEST_F(LexicalCatalogTest, CatchesUpWithChunksAddedAndDeletedInTheStore) {
  LexicalCatalog catalog(ks(), "");
  EXPECT_TRUE(catalog.Search({kb_}, {"refund"}, 5).value().empty());

  int64_t first = AddDocument(acme_, kb_, "first", {PlainChunk("refund policy")}, "e");
  std::vector<int64_t> first_ids = ChunkIds(kb_, "e");
  EXPECT_EQ(Ids(catalog.Search({kb_}, {"refund"}, 5).value()), first_ids);

  // Written after the first search (by this process or another), whatever the embedder: found on the next one.
  AddDocument(acme_, kb_, "second", {PlainChunk("refund refund refund"), PlainChunk("opening hours", {1, 0, 0}, 1)},
              "other");
  std::vector<int64_t> second_ids = ChunkIds(kb_, "other");
  EXPECT_EQ(Ids(catalog.Search({kb_}, {"refund"}, 5).value()), (std::vector<int64_t>{second_ids[0], first_ids[0]}));

  ASSERT_TRUE(ks().DeleteDocument(acme_, first));
  EXPECT_EQ(Ids(catalog.Search({kb_}, {"refund"}, 5).value()), std::vector<int64_t>{second_ids[0]});
  EXPECT_TRUE(catalog.Search({kb_}, {}, 5).value().empty());
}

TEST_F(LexicalCatalogTest, IsRestrictedToTheGivenKnowledgeBasesBeforeRanking) {
  AddDocument(acme_, kb_, "mine", {PlainChunk("refund policy for shoes"), PlainChunk("opening hours", {1, 0, 0}, 1)},
              "e");
  AddDocument(acme_, second_kb_, "better",
              {PlainChunk("refund refund refund refund"), PlainChunk("opening hours", {1, 0, 0}, 1)}, "e");
  int64_t mine = ChunkIds(kb_, "e").at(0);
  int64_t better = ChunkIds(second_kb_, "e").at(0);
  LexicalCatalog catalog(ks(), "");
  // The other knowledge base's chunk matches better; with k = 1 a filter applied after ranking would return
  // nothing.
  EXPECT_EQ(Ids(catalog.Search({kb_}, {"refund"}, 1).value()), std::vector<int64_t>{mine});
  EXPECT_EQ(Ids(catalog.Search({second_kb_}, {"refund"}, 10).value()), std::vector<int64_t>{better});
  EXPECT_EQ(Ids(catalog.Search({kb_, second_kb_}, {"refund"}, 10).value()), (std::vector<int64_t>{better, mine}));
  EXPECT_TRUE(catalog.Search({}, {"refund"}, 10).value().empty());
}

TEST_F(LexicalCatalogTest, PersistsAndReloadsWithoutRebuilding) {
  int64_t doomed = AddDocument(acme_, kb_, "doomed", {PlainChunk("refund voucher")}, "e");
  AddDocument(acme_, kb_, "kept", {PlainChunk("refund policy"), PlainChunk("refund of shoes and hats", {1, 0, 0}, 1)},
              "e");
  ASSERT_TRUE(ks().DeleteDocument(acme_, doomed));
  std::vector<int64_t> live = ChunkIds(kb_, "e");
  int64_t seq = 0;
  ASSERT_EQ(ks().DeletedChunksAfter(kb_, 0, &seq).value().size(), 1u);

  std::vector<LexicalHit> expected;
  {
    LexicalCatalog catalog(ks(), IndexDir());
    expected = catalog.Search({kb_}, {"refund", "shoes"}, 5).value();
    ASSERT_TRUE(catalog.Flush());
  }
  ASSERT_EQ(Ids(expected), (std::vector<int64_t>{live[1], live[0]}));

  RecordingStore recording(ks());
  LexicalCatalog reloaded(recording, IndexDir());
  auto hits = reloaded.Search({kb_}, {"refund", "shoes"}, 5).value();
  ASSERT_EQ(Ids(hits), Ids(expected));
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].score, expected[i].score);
  // It read only what came after the saved state: nothing was rebuilt.
  ASSERT_FALSE(recording.texts_after.empty());
  EXPECT_EQ(recording.texts_after.front(), live.back());
  EXPECT_EQ(recording.deletions_after.front(), seq);

  AddDocument(acme_, kb_, "later", {PlainChunk("shoes shoes shoes")}, "e");
  EXPECT_EQ(reloaded.Search({kb_}, {"refund", "shoes"}, 5).value().size(), 3u);
}

TEST_F(LexicalCatalogTest, RebuildsFromTheStoreWhenTheFileIsCorrupt) {
  AddDocument(acme_, kb_, "doc", {PlainChunk("refund policy"), PlainChunk("refund", {1, 0, 0}, 1)}, "e");
  {
    LexicalCatalog catalog(ks(), IndexDir());
    ASSERT_TRUE(catalog.Refresh(kb_));  // Catches up without a search.
    ASSERT_TRUE(catalog.Flush());
  }
  std::string path = IndexDir() + "/kb" + std::to_string(kb_) + ".bm25";
  ASSERT_TRUE(std::filesystem::exists(path));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "this is not an index";
  RecordingStore recording(ks());
  LexicalCatalog rebuilt(recording, IndexDir());
  EXPECT_EQ(rebuilt.Search({kb_}, {"refund"}, 5).value().size(), 2u);
  EXPECT_EQ(recording.texts_after.front(), 0);
}

TEST_F(LexicalCatalogTest, WithoutADirectoryNothingIsWritten) {
  AddDocument(acme_, kb_, "doc", {PlainChunk("refund")}, "e");
  LexicalCatalog catalog(ks(), "");
  ASSERT_TRUE(catalog.Search({kb_}, {"refund"}, 5));
  EXPECT_TRUE(catalog.Flush());
  EXPECT_FALSE(std::filesystem::exists(IndexDir()));
}

}  // namespace
}  // namespace parley::knowledge

namespace parley::knowledge {
namespace {

TEST(LexicalIndexTest, SuggestsTheClosestThenTheMostFrequentTerm) {
  LexicalIndex index;
  index.Add(1, "gluten free bread");
  index.Add(2, "gluten free cakes");
  index.Add(3, "glutton");
  EXPECT_TRUE(index.Contains("gluten"));
  EXPECT_FALSE(index.Contains("the"));  // Stop words are not indexed.
  // "gluten" and "glutton" are both one edit away: the one in more chunks wins.
  auto suggestion = index.Suggest("glutten");
  ASSERT_TRUE(suggestion);
  EXPECT_EQ(suggestion->term, "gluten");
  EXPECT_EQ(suggestion->distance, 1);
  EXPECT_EQ(suggestion->frequency, 2u);
  EXPECT_EQ(index.Suggest("brread")->term, "bread");
  EXPECT_FALSE(index.Suggest("plumber"));
  EXPECT_FALSE(index.Suggest("bred"));  // Too short to correct.
}

TEST(LexicalIndexTest, NeverSuggestsATermWithAnotherFirstLetter) {
  LexicalIndex index;
  index.Add(1, "meeting room rules: dogs are welcome");
  index.Add(2, "студенты");
  // "groom" is a word of its own, one letter from "room": not a misspelling of it.
  EXPECT_FALSE(index.Suggest("groom"));
  EXPECT_EQ(index.Suggest("roomm")->term, "room");
  // The first letter is a whole character, of one byte or more.
  ASSERT_TRUE(index.Suggest("студент"));
  EXPECT_EQ(index.Suggest("студент")->term, "студенты");
  EXPECT_FALSE(index.Suggest("ятуденты"));
}

TEST(LexicalIndexTest, TheVocabularyFollowsRemovalsAndReloads) {
  LexicalIndex index;
  index.Add(1, "tandem rental");
  index.Add(2, "opening hours");
  index.Add(3, "opening hours");
  index.Remove(1);  // A third of the index: compacted, "tandem" leaves the vocabulary.
  EXPECT_FALSE(index.Suggest("tandme"));
  EXPECT_EQ(index.Suggest("openning")->term, "opening");
  index.Add(5, "tandem rental");
  EXPECT_EQ(index.Suggest("tandme")->term, "tandem");

  testing::TempDir dir{"parley-lexical-spelling"};
  std::string path = (dir.path() / "kb.bm25").string();
  ASSERT_TRUE(index.Save(path, {5, 0}));
  StorePosition position;
  auto loaded = LexicalIndex::Load(path, &position);
  ASSERT_TRUE(loaded);
  EXPECT_EQ((*loaded)->Suggest("rentl")->term, "rental");
}

TEST_F(LexicalCatalogTest, CorrectsOnlyWordsNoKnowledgeBaseHolds) {
  LexicalCatalog catalog(ks(), "");
  AddDocument(acme_, kb_, "main", {PlainChunk("gluten free bread delivered daily")}, "e");
  AddDocument(acme_, second_kb_, "second", {PlainChunk("membership cancellation")}, "e");
  std::vector<QueryWord> words{{"glutten", "glutten"},
                               {"membershp", "membershp"},
                               {"breads", "bread"},  // Its stem is indexed: no correction, though one edit away.
                               {"plumber", "plumber"}};
  EXPECT_EQ(catalog.Correct({kb_, second_kb_}, words).value(),
            (std::vector<std::string>{"gluten", "membership", "", ""}));
  // Only the given knowledge bases count.
  EXPECT_EQ(catalog.Correct({kb_}, words).value(), (std::vector<std::string>{"gluten", "", "", ""}));
}

TEST_F(LexicalCatalogTest, CountsTheChunksHoldingEachTermInTheGivenKnowledgeBases) {
  LexicalCatalog catalog(ks(), "");
  AddDocument(acme_, kb_, "main", {PlainChunk("yoga classes daily"), PlainChunk("yoga mats for rent", {1, 0, 0}, 1)},
              "e");
  AddDocument(acme_, second_kb_, "second", {PlainChunk("yoga retreat")}, "e");
  auto statistics = catalog.Statistics({kb_}, {"yoga", "mats", "aerial"}).value();
  EXPECT_EQ(statistics.chunks, 2u);
  EXPECT_EQ(statistics.frequencies, (std::vector<size_t>{2, 1, 0}));
  statistics = catalog.Statistics({kb_, second_kb_}, {"yoga"}).value();
  EXPECT_EQ(statistics.chunks, 3u);
  EXPECT_EQ(statistics.frequencies, std::vector<size_t>{3});
}

}  // namespace
}  // namespace parley::knowledge
