#include "knowledge/spelling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

// The terms within reach of `word`, with their distances, sorted.
std::vector<std::string> Found(const SpellingDictionary& dictionary, const std::string& word) {
  std::vector<std::string> found;
  for (const auto& candidate : dictionary.Lookup(word, SpellingDictionary::MaxDistance(word))) {
    found.push_back(dictionary.term(candidate.id) + ":" + std::to_string(candidate.distance));
  }
  std::sort(found.begin(), found.end());
  return found;
}

TEST(SpellingDictionaryTest, HowFarAWordMayBeCorrected) {
  EXPECT_EQ(SpellingDictionary::MaxDistance("wat"), 0);
  EXPECT_EQ(SpellingDictionary::MaxDistance("bred"), 0);
  EXPECT_EQ(SpellingDictionary::MaxDistance("peple"), 1);
  EXPECT_EQ(SpellingDictionary::MaxDistance("glutten"), 1);
  EXPECT_EQ(SpellingDictionary::MaxDistance("membershp"), 2);
  EXPECT_EQ(SpellingDictionary::MaxDistance("size42"), 0);
  EXPECT_EQ(SpellingDictionary::MaxDistance("reçu"), 0);  // Four characters, five bytes.
}

TEST(SpellingDictionaryTest, FindsTermsWithinTheEditDistance) {
  SpellingDictionary dictionary;
  for (const char* term : {"gluten", "glutton", "people", "membership", "members", "recieve", "tandem", "39"}) {
    dictionary.Add(term);
  }
  EXPECT_EQ(Found(dictionary, "glutten"), (std::vector<std::string>{"gluten:1", "glutton:1"}));
  EXPECT_EQ(Found(dictionary, "peple"), (std::vector<std::string>{"people:1"}));
  EXPECT_EQ(Found(dictionary, "membershp"), (std::vector<std::string>{"members:2", "membership:1"}));
  EXPECT_EQ(Found(dictionary, "receive"), (std::vector<std::string>{"recieve:1"}));  // A swap is one edit.
  EXPECT_EQ(Found(dictionary, "tnadme"), (std::vector<std::string>{}));              // Three edits.
  EXPECT_TRUE(Found(dictionary, "gluten").empty());                                  // Itself is no correction.
  EXPECT_TRUE(dictionary.Lookup("38", 2).empty());                                   // Numbers are not indexed.
}

TEST(SpellingDictionaryTest, PendingAndSettledTermsAreFoundAlikeAndClearEmpties) {
  SpellingDictionary dictionary;
  dictionary.Add("delivery");
  dictionary.Settle();
  dictionary.Add("delicious");  // Not settled yet.
  EXPECT_EQ(Found(dictionary, "delivry"), (std::vector<std::string>{"delivery:1"}));
  EXPECT_EQ(Found(dictionary, "delicous"), (std::vector<std::string>{"delicious:1"}));
  dictionary.Settle();
  EXPECT_EQ(Found(dictionary, "delicous"), (std::vector<std::string>{"delicious:1"}));
  EXPECT_EQ(dictionary.size(), 2u);
  dictionary.Clear();
  EXPECT_EQ(dictionary.size(), 0u);
  EXPECT_TRUE(Found(dictionary, "delivry").empty());
}

TEST(SpellingDictionaryTest, ManyTermsSettleOnTheirOwn) {
  SpellingDictionary dictionary;
  std::vector<std::string> terms;
  for (char a = 'a'; a <= 'z'; ++a) {
    for (char b = 'a'; b <= 'z'; ++b) terms.push_back(std::string("wd") + a + b + "ing");
  }
  for (const auto& term : terms) dictionary.Add(term);
  EXPECT_EQ(Found(dictionary, "wdqzng"), (std::vector<std::string>{"wdqzing:1"}));
  EXPECT_EQ(dictionary.term(0), "wdaaing");
}

}  // namespace
}  // namespace parley::knowledge
