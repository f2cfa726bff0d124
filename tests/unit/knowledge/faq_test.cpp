#include "knowledge/faq.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

TEST(FaqKeyTest, IsTheSortedSetOfFoldedContentWords) {
  EXPECT_EQ(FaqKey("What are your opening hours?"), "hours opening");
  EXPECT_EQ(FaqKey("opening hours"), "hours opening");
  EXPECT_EQ(FaqKey("  OPENING   hours!!! "), "hours opening");
  EXPECT_EQ(FaqKey("hours, hours and opening hours"), "hours opening");
  EXPECT_EQ(FaqKey("Horaires d'ouverture ?"), "horaires ouverture");
  EXPECT_EQ(FaqKey("HORAIRES D’OUVERTURE"), "horaires ouverture");
  // Accents and compatibility forms fold alike: "é" precomposed or decomposed, the "ﬁ" ligature.
  EXPECT_EQ(FaqKey("Café ﬁlter"), FaqKey("CAFE\xCC\x81 filter"));
  EXPECT_EQ(FaqKey("Café ﬁlter"), "cafe filter");
  EXPECT_EQ(FaqKey("What is it?"), "");
  EXPECT_EQ(FaqKey(""), "");
}

TEST(FaqKeyTest, KeepsWordsThatChangeTheMeaning) {
  EXPECT_NE(FaqKey("Can I check out?"), FaqKey("Can I check?"));
  EXPECT_NE(FaqKey("Is shipping free?"), FaqKey("Is shipping paid?"));
}

TEST(MakeFaqTest, TrimsNormalizesAndKeysEachQuestion) {
  store::NewFaq faq = MakeFaq({"  What are your hours?\n", "", " \t ", "Opening ﬁmes"}, "We open at 9.");
  EXPECT_EQ(faq.questions, (std::vector<std::string>{"What are your hours?", "Opening fimes"}));
  EXPECT_EQ(faq.question_keys, (std::vector<std::string>{"hours", "fimes opening"}));
  EXPECT_EQ(faq.answer, "We open at 9.");
}

TEST(MakeFaqTest, NormalizesTheAnswerAndDropsControlCharacters) {
  store::NewFaq faq = MakeFaq({"Q\x01uestion?"}, "Ｆｕｌｌ width\x07 answer");
  EXPECT_EQ(faq.questions, std::vector<std::string>{"Question?"});
  EXPECT_EQ(faq.question_keys, std::vector<std::string>{"question"});
  EXPECT_EQ(faq.answer, "Full width answer");
  EXPECT_TRUE(MakeFaq({"", "   "}, "answer").questions.empty());
}

}  // namespace
}  // namespace parley::knowledge
