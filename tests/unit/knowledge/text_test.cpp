#include "knowledge/text.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using Strings = std::vector<std::string>;

TEST(NormalizeTest, AppliesCompatibilityForms) {
  EXPECT_EQ(Normalize("\xEF\xAC\x81le"), "file");                       // U+FB01 "ﬁ" ligature.
  EXPECT_EQ(Normalize("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93"), "123");  // Fullwidth digits.
  EXPECT_EQ(Normalize("\xEF\xBC\xA8\xEF\xBD\x85llo"), "Hello");         // Fullwidth Latin letters.
  EXPECT_EQ(Normalize("x\xC2\xB2"), "x2");                              // Superscript two.
  EXPECT_EQ(Normalize("e\xCC\x81t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");      // Combining acute composes to "é".
  EXPECT_EQ(Normalize("a\xC2\xA0"
                      "b"),
            "a b");  // No-break space.
}

TEST(NormalizeTest, KeepsCaseAccentsAndLayout) {
  EXPECT_EQ(Normalize("Cr\xC3\xA8me Br\xC3\xBBl\xC3\xA9"
                      "e"),
            "Cr\xC3\xA8me Br\xC3\xBBl\xC3\xA9"
            "e");
  EXPECT_EQ(Normalize("line one\n\tline  two"), "line one\n\tline  two");
  EXPECT_EQ(Normalize(""), "");
}

TEST(NormalizeTest, RemovesControlCharactersButNewlinesAndTabs) {
  EXPECT_EQ(Normalize("a\x01"
                      "b\r\nc\td\x7F"),
            "ab\nc\td");
  EXPECT_EQ(Normalize(std::string("x\0y", 3)), "xy");
  EXPECT_EQ(Normalize("a\xC2\x85"
                      "b"),
            "ab");                                           // U+0085, a C1 control.
  EXPECT_EQ(Normalize("\xC3\xA9\x01\r\nx"), "\xC3\xA9\nx");  // Same when the text is not ASCII.
}

TEST(NormalizeTest, ReplacesEachInvalidByteWithReplacementCharacter) {
  const std::string kReplacement = "\xEF\xBF\xBD";
  EXPECT_EQ(Normalize("caf\xE9"), "caf" + kReplacement);  // Latin-1 "é".
  EXPECT_EQ(Normalize("a\xFF"
                      "b"),
            "a" + kReplacement + "b");
  EXPECT_EQ(Normalize("\xC3"), kReplacement);                                        // Truncated sequence.
  EXPECT_EQ(Normalize("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);  // Encoded surrogate.
  EXPECT_EQ(Normalize("\xC0\xAF"), kReplacement + kReplacement);                     // Overlong "/".
  EXPECT_EQ(Normalize("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");                        // Valid "€" untouched.
}

// utf8proc's mapping of the whole text at once, which Normalize and Fold map piece by piece.
std::string MappedWhole(const std::string& text, int options) {
  utf8proc_uint8_t* mapped = nullptr;
  auto length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &mapped, static_cast<utf8proc_option_t>(options));
  EXPECT_GE(length, 0) << text;
  std::string out(reinterpret_cast<const char*>(mapped), static_cast<size_t>(std::max<utf8proc_ssize_t>(length, 0)));
  std::free(mapped);
  return out;
}

// Text mixing ASCII with what composes, reorders or decomposes across the ASCII around it.
const Strings kMixedTexts = {
    "Pricing \xE2\x80\xBA Refunds\nCafe\xCC\x81 cre\xCC\x80me",  // "›", then e + combining acute and grave.
    "A\xCC\x8Angstro\xCC\x88m",                                  // A + ring above, o + diaeresis.
    "x\xCC\xA3\xCC\x87y o\xCC\x82\xCC\xA3",                      // Marks reordered: dot below before dot above.
    "a\xCC\x81\xCC\x81"
    "b",                                            // Two marks on one letter.
    "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8 Hangul",  // Conjoining jamo compose into one syllable.
    "\xEF\xAC\x81le \xE2\x91\xB4 x\xC2\xB2",        // Ligature, parenthesized one, superscript.
    "\xE2\x84\xAB K\xE2\x84\xAA Stra\xC3\x9F"
    "e",  // Angstrom and Kelvin signs, sharp s.
    "\xC3\x85"
    "A\xCC\x8A end",  // Precomposed and combining side by side.
};

TEST(NormalizeTest, MapsMixedTextAsUtf8procMapsItWhole) {
  for (const auto& text : kMixedTexts) {
    EXPECT_EQ(Normalize(text), MappedWhole(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT)) << text;
  }
}

TEST(FoldTest, MapsMixedTextAsUtf8procMapsItWhole) {
  for (const auto& text : kMixedTexts) {
    std::string expected = MappedWhole(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                 UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    std::replace(expected.begin(), expected.end(), '\n', ' ');  // Fold's whitespace: these texts have single spaces.
    EXPECT_EQ(Fold(text), expected) << text;
  }
}

TEST(FoldTest, RemovesCaseAndAccents) {
  EXPECT_EQ(Fold("Cr\xC3\xA8me Br\xC3\xBBl\xC3\xA9"
                 "e"),
            "creme brulee");
  EXPECT_EQ(Fold("\xC3\x89T\xC3\x89"), "ete");
  EXPECT_EQ(Fold("Caf\xC3\xA9"), Fold("cafe"));
  EXPECT_EQ(Fold("Ca\xC3\xA7"
                 "a"),
            "caca");
  EXPECT_EQ(Fold("\xEF\xAC\x81"
                 "CHE"),
            "fiche");
}

TEST(FoldTest, CaseFoldsSharpS) {
  EXPECT_EQ(Fold("STRASSE"), "strasse");
  EXPECT_EQ(Fold("stra\xC3\x9F"
                 "e"),
            "strasse");
}

TEST(FoldTest, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(Fold("  Hello \n\t  World  "), "hello world");
  EXPECT_EQ(Fold("a\xC2\xA0\xE2\x80\x83"
                 "b"),
            "a b");                                  // No-break space then em space.
  EXPECT_EQ(Fold("one\xE2\x80\xA8two"), "one two");  // Line separator.
  EXPECT_EQ(Fold(" \n "), "");
}

TEST(FoldTest, DropsInvisibleCharactersInsideWords) {
  EXPECT_EQ(Fold("co\xC2\xAD"
                 "op\xE2\x80\x8B"
                 "eration"),
            "cooperation");  // Soft hyphen, zero-width space.
}

TEST(FoldTest, SurvivesInvalidUtf8) {
  EXPECT_EQ(Fold("A\xFF"
                 "B"),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(WordsTest, SplitsOnPunctuationAndSpaces) {
  EXPECT_EQ(Words(Fold("Hello, world! How are you?")), (Strings{"hello", "world", "how", "are", "you"}));
  EXPECT_EQ(Words("e-mail: a@b.com"), (Strings{"e", "mail", "a", "b", "com"}));
  EXPECT_EQ(Words("3.5kg for 20\xE2\x82\xAC"), (Strings{"3", "5kg", "for", "20"}));
}

TEST(WordsTest, ApostrophesSplitWords) {
  EXPECT_EQ(Words(Fold("L'h\xC3\xB4tel d\xE2\x80\x99"
                       "Orsay")),
            (Strings{"l", "hotel", "d", "orsay"}));
  EXPECT_EQ(Words(Fold("don't")), (Strings{"don", "t"}));
}

TEST(WordsTest, DropsEmojiAndSymbols) {
  EXPECT_EQ(Words("great \xF0\x9F\x98\x80\xF0\x9F\x91\x8D food"), (Strings{"great", "food"}));
  EXPECT_EQ(Words("\xF0\x9F\x8D\x95 + \xE2\x9C\x93"), Strings{});
  EXPECT_EQ(Words(""), Strings{});
}

TEST(WordsTest, KeepsLettersOfAnyScript) {
  EXPECT_EQ(Words("\xE6\x9D\xB1\xE4\xBA\xAC 2024"), (Strings{"\xE6\x9D\xB1\xE4\xBA\xAC", "2024"}));  // "東京".
  EXPECT_EQ(Words(Fold("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0!")),
            (Strings{"\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"}));  // "Москва" lower-cased.
}

TEST(WordsTest, TreatsInvalidBytesAsSeparators) {
  EXPECT_EQ(Words("ab\xFF"
                  "cd"),
            (Strings{"ab", "cd"}));
}

TEST(StemmerTest, StemsEnglish) {
  Stemmer stemmer("english");
  EXPECT_EQ(stemmer.language(), "english");
  EXPECT_EQ(stemmer.Stem("refunds"), "refund");
  EXPECT_EQ(stemmer.Stem("refunded"), "refund");
  EXPECT_EQ(stemmer.Stem("running"), "run");
  EXPECT_EQ(stemmer.Stem("policies"), stemmer.Stem("policy"));
  EXPECT_EQ(stemmer.Stem("deliveries"), stemmer.Stem("delivery"));
  EXPECT_EQ(stemmer.Stem(""), "");
}

TEST(StemmerTest, StemsFrenchThroughItsIsoCode) {
  Stemmer stemmer("fr");
  EXPECT_EQ(stemmer.language(), "french");
  EXPECT_EQ(stemmer.Stem("livraisons"), "livraison");
  EXPECT_EQ(stemmer.Stem("livraison"), "livraison");
  EXPECT_EQ(stemmer.Stem("chambres"), stemmer.Stem("chambre"));
  EXPECT_EQ(stemmer.Stem("reservations"), stemmer.Stem("reservation"));
}

TEST(StemmerTest, UnknownLanguageFallsBackToEnglish) {
  Stemmer stemmer("klingon");
  EXPECT_EQ(stemmer.language(), "english");
  EXPECT_EQ(stemmer.Stem("hours"), "hour");
  EXPECT_EQ(Stemmer("EN").language(), "english");
}

TEST(StopWordTest, KnowsEnglishAndFrenchFunctionWords) {
  for (const char* word : {"the", "a", "is", "and", "of", "you", "de", "la", "le", "les", "et", "est", "des", "une"}) {
    EXPECT_TRUE(IsStopWord(word)) << word;
  }
  for (const char* word : {"refund", "hours", "livraison", "car", "price", "", "The", "thee"}) {
    EXPECT_FALSE(IsStopWord(word)) << word;
  }
}

}  // namespace
}  // namespace parley::knowledge
