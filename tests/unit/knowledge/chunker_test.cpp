#include "knowledge/chunker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using Kind = Block::Kind;
using Strings = std::vector<std::string>;

Block Heading(int level, std::string text) { return {Kind::kHeading, level, std::move(text), 0}; }
Block Paragraph(std::string text, int page = 0) { return {Kind::kParagraph, 0, std::move(text), page}; }
Block ListItem(std::string text) { return {Kind::kListItem, 0, std::move(text), 0}; }
// A table row from its cells, its text joined as extraction joins it.
Block Row(std::vector<std::string> cells, bool header = false) {
  std::string text;
  for (const auto& cell : cells) {
    if (!cell.empty()) text += (text.empty() ? "" : " | ") + cell;
  }
  return {.kind = header ? Kind::kTableHeader : Kind::kTableRow, .text = text, .cells = std::move(cells)};
}
Block Code(std::string text) { return {Kind::kCode, 0, std::move(text), 0}; }

ExtractedDocument Document(std::vector<Block> blocks) { return {"", std::move(blocks)}; }

// Sentences of 60 to 100 ASCII characters, all different, ending with a period.
std::string Sentence(int n) {
  std::string sentence = "Sentence " + std::to_string(n) + " explains point " + std::to_string(n) + " of the policy";
  for (int i = 0; i < n % 5; ++i) sentence += " in detail";
  return sentence + ".";
}

std::string Sentences(int from, int count) {
  std::string text;
  for (int n = from; n < from + count; ++n) {
    if (!text.empty()) text += ' ';
    text += Sentence(n);
  }
  return text;
}

int Chars(const std::string& text) {
  int chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

// The longest proper suffix of `previous` that starts `next`.
std::string Overlap(const std::string& previous, const std::string& next) {
  for (size_t length = std::min(previous.size() - 1, next.size()); length > 0; --length) {
    if (previous.compare(previous.size() - length, length, next, 0, length) == 0) return next.substr(0, length);
  }
  return "";
}

TEST(ChunkerTest, EmptyDocumentGivesNoChunks) {
  EXPECT_TRUE(ChunkDocument(Document({}), {}).empty());
  EXPECT_TRUE(ChunkDocument(Document({Heading(1, "Only a title")}), {}).empty());
}

TEST(ChunkerTest, SmallDocumentIsOneChunk) {
  auto chunks = ChunkDocument(
      Document({Heading(1, "Opening hours"), Paragraph("We open at 9."), Paragraph("We close at 18.")}), {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].position, 0);
  EXPECT_EQ(chunks[0].heading_path, Strings{"Opening hours"});
  EXPECT_EQ(chunks[0].text, "We open at 9.\n\nWe close at 18.");
  EXPECT_EQ(chunks[0].page, 0);
}

TEST(ChunkerTest, HeadingPathFollowsLevels) {
  auto chunks = ChunkDocument(
      Document({Heading(1, "Guide"), Paragraph("a."), Heading(2, "Pricing"), Paragraph("b."), Heading(3, "Refunds"),
                Paragraph("c."), Heading(2, "Delivery"), Paragraph("d."), Heading(3, "Abroad"), Heading(2, "Contact"),
                Paragraph("e."), Heading(1, "Annex"), Paragraph("f.")}),
      {});
  ASSERT_EQ(chunks.size(), 6u);
  EXPECT_EQ(chunks[0].heading_path, (Strings{"Guide"}));
  EXPECT_EQ(chunks[1].heading_path, (Strings{"Guide", "Pricing"}));
  EXPECT_EQ(chunks[2].heading_path, (Strings{"Guide", "Pricing", "Refunds"}));
  EXPECT_EQ(chunks[3].heading_path, (Strings{"Guide", "Delivery"}));
  EXPECT_EQ(chunks[4].heading_path, (Strings{"Guide", "Contact"}));  // "Abroad" had no text and was closed.
  EXPECT_EQ(chunks[5].heading_path, (Strings{"Annex"}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(chunks[i].position, i);
}

TEST(ChunkerTest, TextBeforeTheFirstHeadingHasNoPath) {
  auto chunks = ChunkDocument(Document({Paragraph("Preface."), Heading(2, "Part"), Paragraph("Body.")}), {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(chunks[0].heading_path.empty());
  EXPECT_EQ(chunks[1].heading_path, Strings{"Part"});
}

TEST(ChunkerTest, NoChunkCrossesAHeading) {
  auto chunks = ChunkDocument(
      Document({Heading(2, "A"), Paragraph(Sentences(0, 3)), Heading(2, "B"), Paragraph(Sentences(3, 3))}), {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, Sentences(0, 3));
  EXPECT_EQ(chunks[1].text, Sentences(3, 3));  // No overlap carried across sections.
}

TEST(ChunkerTest, ListItemsAreOneLineEach) {
  auto chunks = ChunkDocument(Document({Heading(1, "Plans"), Paragraph("We offer:"), ListItem("Basic, 10 euros"),
                                        ListItem("Pro, 20 euros"), Paragraph("Prices include taxes.")}),
                              {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "We offer:\nBasic, 10 euros\nPro, 20 euros\n\nPrices include taxes.");
}

TEST(ChunkerTest, EachTableRowIsAChunkLabelledWithItsColumns) {
  auto chunks = ChunkDocument(
      Document({Heading(1, "Shop"), Heading(2, "T-shirts"), Paragraph("Our prices, VAT included."),
                Row({"Size", "Colour", "Price"}, true), Row({"M", "blue", "€39"}), Row({"L", "", "€41"}),
                Row({"Size", "Colour", "Price"}), Row({"XL", "red", "€45", "new"}), Paragraph("Sizes run small."),
                Row({"Delivery", "€2.50"}), Row({"Collection", "in store", "free"})}),
      {.target_chars = 800, .max_chars = 1200, .overlap_chars = 120});
  std::vector<std::string> texts;
  for (const auto& chunk : chunks) {
    texts.push_back(chunk.text);
    EXPECT_EQ(chunk.heading_path, (Strings{"Shop", "T-shirts"}));
  }
  // The repeated header row is no chunk; prose after the table does not start with a row as overlap.
  EXPECT_EQ(texts, (Strings{"Our prices, VAT included.", "Size: M; Colour: blue; Price: €39", "Size: L; Price: €41",
                            "Size: XL; Colour: red; Price: €45; new", "Sizes run small.", "Delivery: €2.50",
                            "Collection; in store; free"}));
  for (size_t i = 0; i < chunks.size(); ++i) EXPECT_EQ(chunks[i].position, static_cast<int>(i));
}

TEST(ChunkerTest, AHeaderWithoutRowsIsText) {
  auto chunks = ChunkDocument(Document({Paragraph("Table:"), Row({"Size", "Price"}, true), Paragraph("End.")}), {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Table:\nSize | Price\n\nEnd.");
}

TEST(ChunkerTest, TheHeadingIsInTheIndexedTextNotInTheChunkText) {
  auto chunks = ChunkDocument(Document({Heading(2, "Gift cards"), Paragraph("Gift cards are sold in store.")}), {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Gift cards are sold in store.");
  EXPECT_EQ(IndexedText(chunks[0]), "Gift cards\nGift cards are sold in store.");
}

TEST(ChunkerTest, CodeKeepsItsLines) {
  auto chunks = ChunkDocument(Document({Paragraph("Run:"), Code("\n  make build \\\n\n    --fast\n\n")}), {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Run:\n\n  make build \\\n\n    --fast");
}

TEST(ChunkerTest, TextIsNormalized) {
  auto chunks = ChunkDocument(Document({Heading(1, "\xEF\xAC\x81nance  \xEF\xBC\x91"),
                                        Paragraph("\xEF\xAC\x81ne   print\nhere \xEF\xBC\x92\xEF\xBC\x90%")}),
                              {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].heading_path, Strings{"finance 1"});
  EXPECT_EQ(chunks[0].text, "fine print here 20%");
}

TEST(ChunkerTest, LongSectionsStayWithinLimitsAndOverlapBySentences) {
  ChunkOptions options;  // 800 / 1200 / 120.
  std::vector<Block> blocks = {Heading(1, "Policy")};
  for (int p = 0; p < 6; ++p) blocks.push_back(Paragraph(Sentences(p * 20, 20)));
  auto chunks = ChunkDocument(Document(blocks), options);
  ASSERT_GT(chunks.size(), 6u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].position, static_cast<int>(i));
    EXPECT_LE(Chars(chunks[i].text), options.max_chars) << i;
    if (i + 1 < chunks.size()) {
      EXPECT_GE(Chars(chunks[i].text), 600) << i;
    }
    EXPECT_EQ(chunks[i].heading_path, Strings{"Policy"});
    if (i == 0) continue;
    auto overlap = Overlap(chunks[i - 1].text, chunks[i].text);
    ASSERT_FALSE(overlap.empty()) << i;
    EXPECT_LE(Chars(overlap), options.overlap_chars * 3 / 2) << i;
    EXPECT_EQ(overlap.back(), '.') << overlap;
    EXPECT_EQ(overlap.rfind("Sentence ", 0), 0u) << overlap;  // Starts at a sentence.
    char before = chunks[i - 1].text[chunks[i - 1].text.size() - overlap.size() - 1];
    EXPECT_TRUE(before == ' ' || before == '\n') << overlap;
    EXPECT_GT(chunks[i].text.size(), overlap.size() + 1);  // Never only overlap.
  }
  // Every sentence made it into a chunk, whole.
  for (int n = 0; n < 120; ++n) {
    bool found = false;
    for (const auto& chunk : chunks) found = found || chunk.text.find(Sentence(n)) != std::string::npos;
    EXPECT_TRUE(found) << n;
  }
}

TEST(ChunkerTest, ParagraphsThatFitAreKeptWhole) {
  std::string first = Sentences(0, 8);   // 473 characters.
  std::string second = Sentences(8, 8);  // 525: both do not fit in 800.
  auto chunks = ChunkDocument(Document({Paragraph(first), Paragraph(second)}), {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, first);
  // The second chunk opens with the overlap, then holds the second paragraph unsplit.
  EXPECT_EQ(chunks[1].text, Sentences(5, 3) + "\n\n" + second);
}

TEST(ChunkerTest, OverlapZeroDisablesIt) {
  auto chunks = ChunkDocument(Document({Paragraph(Sentences(0, 40))}), {800, 1200, 0});
  ASSERT_GT(chunks.size(), 2u);
  std::string joined;
  for (const auto& chunk : chunks) joined += (joined.empty() ? "" : " ") + chunk.text;
  EXPECT_EQ(joined, Sentences(0, 40));
}

TEST(ChunkerTest, SentencesDoNotBreakAtAbbreviationsOrDecimals) {
  // Each sentence is over half the target, so with no overlap every chunk is exactly one sentence.
  Strings sentences = {
      "Mr. Smith and Dr. Jones of the U.S. office will welcome you at 9 a.m. sharp every day.",
      "Bring documents, e.g. a passport, i.e. an official ID, etc. as usual, or call us first!",
      "The room measures 3.5 by 4.2 meters and costs 12.50 euros per night vs. 15 in summer?",
      "M. Dupont et Mme. Durand vous accueillent avec plaisir du lundi au vendredi matin...",
      "\xE2\x80\x9CThat was quick,\xE2\x80\x9D she said after the long wait at the reception.)",
      "Last one with a fullwidth mark at its end, followed by the next sentence\xEF\xBC\x81",
      "Une phrase en fran\xC3\xA7"
      "ais avec des accents: \xC3\xA9t\xC3\xA9, h\xC3\xB4tel, g\xC3\xA2teau, et fin.",
  };
  std::string paragraph;
  for (const auto& sentence : sentences) paragraph += (paragraph.empty() ? "" : " ") + sentence;
  auto chunks = ChunkDocument(Document({Paragraph(paragraph)}), {100, 100, 0});
  Strings texts;
  for (const auto& chunk : chunks) texts.push_back(chunk.text);
  sentences[5].replace(sentences[5].size() - 3, 3, "!");  // NFKC turns the fullwidth "！" into "!".
  EXPECT_EQ(texts, sentences);
}

TEST(ChunkerTest, IdeographicFullStopSplitsWithoutSpace) {
  std::string sentence = "\xE4\xBB\x8A\xE6\x97\xA5\xE3\x81\xAF\xE3\x80\x82";  // "今日は。"
  std::string paragraph;
  for (int i = 0; i < 60; ++i) paragraph += sentence;
  auto chunks = ChunkDocument(Document({Paragraph(paragraph)}), {100, 100, 0});
  ASSERT_EQ(chunks.size(), 3u);  // 240 characters in sentences of 4, with no space added between them.
  std::string expected;
  for (int i = 0; i < 25; ++i) expected += sentence;
  EXPECT_EQ(chunks[0].text, expected);
  EXPECT_EQ(chunks[1].text, expected);
}

TEST(ChunkerTest, OverlongSentenceIsSplitAtWords) {
  std::string sentence;
  for (int i = 0; Chars(sentence) < 5000; ++i) sentence += (i ? " word" : "word") + std::to_string(i);
  auto chunks = ChunkDocument(Document({Paragraph(sentence + ".")}), {});
  ASSERT_GE(chunks.size(), 6u);
  std::string joined;
  for (const auto& chunk : chunks) {
    EXPECT_LE(Chars(chunk.text), 1200);
    EXPECT_NE(chunk.text.front(), ' ');
    EXPECT_EQ(chunk.text.rfind("word", 0), 0u) << "cut inside a word: " << chunk.text.substr(0, 20);
    joined += (joined.empty() ? "" : " ") + chunk.text;
  }
  EXPECT_EQ(joined, sentence + ".");
}

TEST(ChunkerTest, OverlongWordIsCutAtCodePoints) {
  std::string word;
  for (int i = 0; i < 1500; ++i) word += "\xC3\xA9";  // 1,500 × "é", 3,000 bytes.
  auto chunks = ChunkDocument(Document({Paragraph(word)}), {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(Chars(chunks[0].text), 800);
  EXPECT_EQ(Chars(chunks[1].text), 700);
  EXPECT_EQ(chunks[0].text + chunks[1].text, word);
}

TEST(ChunkerTest, PageIsWhereTheChunkStarts) {
  auto chunks = ChunkDocument(
      Document({Paragraph(Sentences(0, 8), 1), Paragraph(Sentences(8, 8), 2), Paragraph(Sentences(16, 8), 3)}),
      {800, 1200, 0});
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].page, 1);
  EXPECT_EQ(chunks[1].page, 2);
  EXPECT_EQ(chunks[2].page, 3);
}

TEST(ChunkerTest, IsDeterministic) {
  std::vector<Block> blocks = {Heading(1, "T")};
  for (int p = 0; p < 5; ++p) blocks.push_back(Paragraph(Sentences(p * 13, 13 + p)));
  auto first = ChunkDocument(Document(blocks), {});
  auto second = ChunkDocument(Document(blocks), {});
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].text, second[i].text);
    EXPECT_EQ(first[i].heading_path, second[i].heading_path);
    EXPECT_EQ(first[i].position, second[i].position);
  }
}

TEST(ChunkerTest, ClampsOptions) {
  auto chunks = ChunkDocument(Document({Paragraph(Sentences(0, 20))}), {10, 5, 500});
  ASSERT_GT(chunks.size(), 10u);
  for (const auto& chunk : chunks) EXPECT_LE(Chars(chunk.text), 100);
  for (size_t i = 1; i < chunks.size(); ++i) EXPECT_LE(Chars(Overlap(chunks[i - 1].text, chunks[i].text)), 73);
}

TEST(ChunkerTest, IndexedTextPutsTheHeadingPathFirst) {
  Chunk chunk;
  chunk.heading_path = {"Pricing", "Refunds"};
  chunk.text = "Within 30 days.";
  EXPECT_EQ(IndexedText(chunk), "Pricing \xE2\x80\xBA Refunds\nWithin 30 days.");
  chunk.heading_path.clear();
  EXPECT_EQ(IndexedText(chunk), "Within 30 days.");
}

}  // namespace
}  // namespace parley::knowledge
