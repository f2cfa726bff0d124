#include "knowledge/term_translator.h"

#include "knowledge/text.h"
#include "knowledge/translation/dictd.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace parley::knowledge {
namespace {

// Entries as FreeDict writes them: a headword line, then the senses; notes, examples, synonyms and cross-references
// indented deeper.
const std::vector<std::pair<std::string, std::string>> kEntries = {
    {"chambre", "chambre /ʃɑ̃bʀ/ <n, fem>\nchamber, room\n"},
    {"combien", "combien /kɔ̃bi/ <adj>\n1. how many\n2. how much\n"},
    {"coûter", "coûter /kute/ <v>\ncost\n"},
    {"coûtent", "coûtent /kut/\nare worth\n see: {coûter}\n"},
    {"petit déjeuner", "petit déjeuner /pəti deʒœne/ <n, masc>\nbreakfast\n"},
    {"prix",
     "prix /pʁi/ <n>\n [fin.] price <n>, charge (of sth.)\n         Note: for sth.\n      \"à tout prix\"  - at any "
     "price\n   Synonym: {coût}\n\n see: {prix fixe}\n\n"},
    {"Prix", "Prix /pʁi/\nprize\n"},
};

std::string DictdNumber(uint64_t value) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string digits;
  do {
    digits.insert(digits.begin(), kAlphabet[value % 64]);
    value /= 64;
  } while (value > 0);
  return digits;
}

void PutLe16(std::string& out, size_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}

// `text` as dictzip writes it: gzip whose extra field lists chunks of `chunk_length` bytes, each deflated after a
// full flush so that it inflates alone.
std::string Dictzip(const std::string& text, size_t chunk_length) {
  std::vector<std::string> chunks;
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  for (size_t at = 0; at < text.size(); at += chunk_length) {
    std::string input = text.substr(at, chunk_length);
    std::string output(chunk_length * 2 + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(input.data());
    stream.avail_in = static_cast<uInt>(input.size());
    stream.next_out = reinterpret_cast<Bytef*>(output.data());
    stream.avail_out = static_cast<uInt>(output.size());
    deflate(&stream, at + chunk_length >= text.size() ? Z_FINISH : Z_FULL_FLUSH);
    output.resize(output.size() - stream.avail_out);
    chunks.push_back(output);
  }
  deflateEnd(&stream);
  std::string extra = "RA";
  PutLe16(extra, 6 + 2 * chunks.size());
  PutLe16(extra, 1);
  PutLe16(extra, chunk_length);
  PutLe16(extra, chunks.size());
  for (const auto& chunk : chunks) PutLe16(extra, chunk.size());
  std::string file = {'\x1f', '\x8b', 8, 4 | 8, 0, 0, 0, 0, 2, 3};
  PutLe16(file, extra.size());
  file += extra;
  file += std::string("fixture.dict") + '\0';
  for (const auto& chunk : chunks) file += chunk;
  return file;  // The trailer's CRC and size are not read.
}

class TermTranslatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("parley_dictd_" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
    std::string text = "00-database-info\nA fixture.\n";
    std::string index = "00databaseinfo\tA\t" + DictdNumber(text.size()) + "\n";
    for (const auto& [headword, entry] : kEntries) {
      index += headword + "\t" + DictdNumber(text.size()) + "\t" + DictdNumber(entry.size()) + "\n";
      text += entry;
    }
    Write("freedict-fra-eng.index", index);
    Write("freedict-fra-eng.dict.dz", Dictzip(text, 64));  // Small chunks: most entries span two.
    Write("plain.index", index);
    Write("plain.dict", text);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(directory_ / name, std::ios::binary) << bytes;
  }
  std::string Base(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

TEST(DictdNumberTest, DecodesDictdsBase64) {
  EXPECT_EQ(DecodeDictdNumber("A"), 0u);
  EXPECT_EQ(DecodeDictdNumber("B"), 1u);
  EXPECT_EQ(DecodeDictdNumber("BA"), 64u);
  EXPECT_EQ(DecodeDictdNumber("Bjm"), 1u * 64 * 64 + 35 * 64 + 38);
  EXPECT_EQ(DecodeDictdNumber("/"), 63u);
  EXPECT_FALSE(DecodeDictdNumber(""));
  EXPECT_FALSE(DecodeDictdNumber("a-b"));
}

TEST(FreeDictSensesTest, KeepsTheEquivalentsOfEachSenseOnly) {
  EXPECT_EQ(FreeDictSenses(kEntries[0].second), (std::vector<std::string>{"chamber", "room"}));
  EXPECT_EQ(FreeDictSenses(kEntries[1].second), (std::vector<std::string>{"how many", "how much"}));
  // Grammar marks, domains, glosses, notes, examples, synonyms and cross-references are left out.
  EXPECT_EQ(FreeDictSenses(kEntries[5].second), (std::vector<std::string>{"price", "charge"}));
  EXPECT_TRUE(FreeDictSenses("mot\n").empty());
}

TEST(FreeDictSensesTest, FollowsOneWordCrossReferences) {
  const std::string entry =
      "kostet /kˈɔstət/\ntastes\n   Synonym: {schmeckt}\n\n see: {etw. kosten}, {es kostete}, {schmecken}\n";
  EXPECT_EQ(FreeDictReferences(entry, 3), (std::vector<std::string>{"kosten", "schmecken"}));
  EXPECT_EQ(FreeDictReferences(entry, 1), (std::vector<std::string>{"kosten"}));
  EXPECT_TRUE(FreeDictReferences(kEntries[0].second, 3).empty());
}

TEST_F(TermTranslatorTest, ReadsEntriesAcrossDictzipChunks) {
  auto dictionary = DictdDictionary::Open(Base("freedict-fra-eng"));
  ASSERT_TRUE(dictionary) << dictionary.error().message;
  EXPECT_EQ((*dictionary)->size(), kEntries.size());  // dictd's own entries are not headwords.
  EXPECT_GT((*dictionary)->memory_bytes(), 0u);
  for (const auto& [headword, entry] : kEntries) {
    if (headword == "Prix") continue;
    auto texts = (*dictionary)->Lookup(Fold(headword));
    ASSERT_FALSE(texts.empty()) << headword;
    EXPECT_EQ(texts.front(), entry);
  }
  // Headwords are folded: "Prix" and "prix" are one key, accents are dropped.
  EXPECT_EQ((*dictionary)->Lookup("prix"), (std::vector<std::string>{kEntries[5].second, kEntries[6].second}));
  EXPECT_EQ((*dictionary)->Lookup("couter"), (std::vector<std::string>{kEntries[2].second}));
  EXPECT_TRUE((*dictionary)->Lookup("maison").empty());
  EXPECT_EQ((*dictionary)->HeadwordsStartingWith("c", 10),
            (std::vector<std::string>{"chambre", "combien", "coutent", "couter"}));
  EXPECT_EQ((*dictionary)->HeadwordsStartingWith("c", 1), (std::vector<std::string>{"chambre"}));
}

TEST_F(TermTranslatorTest, ReadsAnUncompressedTextAndRefusesMissingOrDamagedFiles) {
  auto plain = DictdDictionary::Open(Base("plain"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ((*plain)->Lookup("chambre"), (std::vector<std::string>{kEntries[0].second}));

  auto missing = DictdDictionary::Open(Base("freedict-deu-eng"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  Write("bad.index", "chambre\tA\n");
  Write("bad.dict", "x");
  auto bad = DictdDictionary::Open(Base("bad"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  Write("gzip.index", "chambre\tA\tB\n");
  Write("gzip.dict.dz", std::string{'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 2, 3, 0, 0});
  auto gzip = DictdDictionary::Open(Base("gzip"));
  ASSERT_FALSE(gzip);
  EXPECT_EQ(gzip.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(TermTranslatorTest, TranslatesWordsPhrasesAndInflectedForms) {
  auto translator = MakeFreeDictTranslator(directory_.string());
  EXPECT_TRUE(translator->Supports("fr", "en"));
  EXPECT_FALSE(translator->Supports("de", "en"));  // No files.
  EXPECT_FALSE(translator->Supports("fr", "fr"));

  auto units = translator->Translate({"combien", "coute", "le", "petit", "dejeuner"}, "fr", "en");
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0].source, "combien");
  EXPECT_EQ(units[0].senses, (std::vector<std::string>{"how many", "how much"}));
  EXPECT_EQ(units[1].source, "coute");  // Found through its stem: "coûter".
  ASSERT_FALSE(units[1].senses.empty());
  EXPECT_EQ(units[1].senses.front(), "cost");
  EXPECT_EQ(units[2].source, "le");
  EXPECT_TRUE(units[2].senses.empty());
  EXPECT_EQ(units[3].source, "petit dejeuner");  // A phrase the dictionary lists is one unit.
  EXPECT_EQ(units[3].senses, (std::vector<std::string>{"breakfast"}));

  // An inflected form's own sense first, then its lemma's, through the entry's cross-reference.
  auto inflected = translator->Translate({"coutent"}, "fr", "en");
  ASSERT_EQ(inflected.size(), 1u);
  ASSERT_GE(inflected[0].senses.size(), 2u);
  EXPECT_EQ(inflected[0].senses[0], "are worth");
  EXPECT_EQ(inflected[0].senses[1], "cost");

  // Without a dictionary for the pair, every word is its own unit, untranslated.
  auto none = translator->Translate({"wie", "viel"}, "de", "en");
  ASSERT_EQ(none.size(), 2u);
  EXPECT_TRUE(none[0].senses.empty() && none[1].senses.empty());
}

TEST_F(TermTranslatorTest, TheKnowledgeChoosesTheSense) {
  auto translator = MakeFreeDictTranslator(directory_.string());
  // A hotel's knowledge: "room", "price" and "charge" (as the stem "charg") are in it, "chamber" is not.
  const std::map<std::string, size_t> chunks = {{"room", 3}, {"price", 2}, {"charg", 1}, {"hotel", 5}};
  std::vector<std::string> asked;
  HeldCounter held = [&](const std::vector<std::string>& terms) -> Result<std::vector<size_t>> {
    std::vector<size_t> counts;
    for (const auto& term : terms) {
      asked.push_back(term);
      counts.push_back(chunks.count(term) ? chunks.at(term) : 0);
    }
    return counts;
  };
  auto translated = TranslateQuestion(*translator, "Le prix d'une chambre à l'hotel Bellevue ?", "fr", "en", held);
  ASSERT_TRUE(translated) << translated.error().message;
  // "chambre" is "room" here, not its first sense; "hotel" is held as written; "Bellevue" has no translation and is
  // kept; the untranslated stop words go.
  EXPECT_EQ(translated->text, "price room hotel bellevue");
  EXPECT_EQ(translated->alternatives, (std::vector<std::string>{"charge"}));
  // "prix" has two held senses that disagree (price, charge): weak. "chambre" has one held sense, "hotel" is held as
  // written: firm. "Bellevue" is not held.
  EXPECT_EQ(translated->firm, (std::vector<std::string>{"room", "hotel"}));

  // A question the knowledge mostly holds as written is in its words already: nothing is translated.
  translated = TranslateQuestion(*translator, "hotel room prix", "fr", "en", held);
  ASSERT_TRUE(translated);
  EXPECT_TRUE(translated->text.empty());

  // Nothing held: the dictionary's first sense.
  HeldCounter empty = [](const std::vector<std::string>& terms) -> Result<std::vector<size_t>> {
    return std::vector<size_t>(terms.size(), 0);
  };
  translated = TranslateQuestion(*translator, "une chambre", "fr", "en", empty);
  ASSERT_TRUE(translated);
  EXPECT_EQ(translated->text, "chamber");
  EXPECT_TRUE(translated->alternatives.empty());

  // No word translated (no dictionary for the pair): nothing to search differently.
  translated = TranslateQuestion(*translator, "ein Zimmer", "de", "en", empty);
  ASSERT_TRUE(translated);
  EXPECT_TRUE(translated->text.empty());

  HeldCounter failing = [](const std::vector<std::string>&) -> Result<std::vector<size_t>> {
    return Error::Unavailable("store down");
  };
  EXPECT_FALSE(TranslateQuestion(*translator, "une chambre", "fr", "en", failing));
}

}  // namespace
}  // namespace parley::knowledge
