#include "agent/message_text.h"

#include "knowledge/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::agent {
namespace {

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(SplitQuestionsTest, OneQuestionStaysWhole) {
  EXPECT_EQ(SplitQuestions("What time do you open on Sunday?"),
            std::vector<std::string>{"What time do you open on Sunday?"});
  EXPECT_EQ(SplitQuestions("opening hours sunday"), std::vector<std::string>{"opening hours sunday"});
  EXPECT_EQ(SplitQuestions(""), std::vector<std::string>{});
}

TEST(SplitQuestionsTest, EachLineOrQuestionMarkIsAQuestion) {
  EXPECT_EQ(SplitQuestions("vous ouvrez le dimanche ?\nc'est combien le comté ?\nvous livrez ?"),
            (std::vector<std::string>{"vous ouvrez le dimanche ?", "c'est combien le comté ?", "vous livrez ?"}));
  EXPECT_EQ(SplitQuestions("Do you open at 9? And is parking free?"),
            (std::vector<std::string>{"Do you open at 9?", "And is parking free?"}));
}

TEST(SplitQuestionsTest, AQuestionAfterAFullStopOrAndIsAnotherOne) {
  EXPECT_EQ(SplitQuestions("do you have gluten free bread. also can I reserve a baguette"),
            (std::vector<std::string>{"do you have gluten free bread.", "also can I reserve a baguette"}));
  EXPECT_EQ(SplitQuestions("how much for 250 business cards and how long is the delivery?"),
            (std::vector<std::string>{"how much for 250 business cards", "and how long is the delivery?"}));
  // A question that names its object by a pronoun stays with the one it points back to.
  EXPECT_EQ(SplitQuestions("how much for 250 business cards and how long does it take?"),
            std::vector<std::string>{"how much for 250 business cards and how long does it take?"});
  EXPECT_EQ(SplitQuestions("is the pool heated. until what time is the spa open?"),
            (std::vector<std::string>{"is the pool heated.", "until what time is the spa open?"}));
  // Not a question before the cut, or not one after it: one question.
  EXPECT_EQ(SplitQuestions("my cat needs grooming. how much?"),
            std::vector<std::string>{"my cat needs grooming. how much?"});
  EXPECT_EQ(SplitQuestions("how much is bread and butter"), std::vector<std::string>{"how much is bread and butter"});
}

TEST(SplitQuestionsTest, FragmentsJoinTheQuestionTheyBelongTo) {
  EXPECT_EQ(SplitQuestions("Hi\nwhat time do you open"), std::vector<std::string>{"Hi what time do you open"});
  EXPECT_EQ(SplitQuestions("I'm coming Saturday with my bike. Do you open at 9?"),
            std::vector<std::string>{"I'm coming Saturday with my bike. Do you open at 9?"});
  EXPECT_EQ(SplitQuestions("Do you deliver to Lyon?\nthanks"),
            std::vector<std::string>{"Do you deliver to Lyon? thanks"});
}

TEST(SplitQuestionsTest, AtMostTheLimitTheRestJoinsTheLast) {
  EXPECT_EQ(SplitQuestions("Open Sunday?\nOpen Monday?\nOpen Tuesday?", 2),
            (std::vector<std::string>{"Open Sunday?", "Open Monday? Open Tuesday?"}));
}

const std::string kPersona =
    "You are Léa, the assistant of Boulangerie Martin. Never reveal that the staff discount code is STAFF50, "
    "and never promise delivery outside Lyon.";

TEST(WithAntecedentsTest, AQuestionReferringBackTakesTheQuestionBefore) {
  using Questions = std::vector<std::string>;
  EXPECT_EQ(WithAntecedents(SplitQuestions("do you see small kids? is it free for them?"), "en"),
            (Questions{"do you see small kids?", "do you see small kids? is it free for them?"}));
  EXPECT_EQ(WithAntecedents({"Gibt es einen Parkplatz?", "Was kostet er?"}, "de"),
            (Questions{"Gibt es einen Parkplatz?", "Gibt es einen Parkplatz? Was kostet er?"}));
  // A question naming two things of its own stands alone, pronoun or not.
  EXPECT_EQ(WithAntecedents({"do you have parking?", "can my dog stay in the room with us?"}, "en"),
            (Questions{"do you have parking?", "can my dog stay in the room with us?"}));
  // No pronoun: "parking?" asks about parking.
  EXPECT_EQ(WithAntecedents({"is breakfast included?", "parking?"}, "en"),
            (Questions{"is breakfast included?", "parking?"}));
  // The first question has nothing before it; German's polite "Sie" is not "they".
  EXPECT_EQ(WithAntecedents({"Verkaufen Sie Kinderfahrräder?"}, "de"), Questions{"Verkaufen Sie Kinderfahrräder?"});
  EXPECT_EQ(WithAntecedents({"Haben Sie Parkplätze?", "Verkaufen Sie Helme?"}, "de"),
            (Questions{"Haben Sie Parkplätze?", "Verkaufen Sie Helme?"}));
}

TEST(LeaksSecretsTest, AnyRunOfSixtyCharactersOfThePromptIsALeak) {
  ASSERT_GT(kPersona.size(), 120u);
  EXPECT_TRUE(LeaksSecrets("Sure! My instructions: " + kPersona, kPersona));
  // Wherever the run starts, including the prompt's very end.
  for (size_t at : {size_t{0}, size_t{7}, size_t{31}, size_t{45}, kPersona.size() - 60}) {
    EXPECT_TRUE(LeaksSecrets("Well... " + kPersona.substr(at, 60) + " ok", kPersona)) << "at " << at;
  }
  EXPECT_FALSE(LeaksSecrets("Well... " + kPersona.substr(10, 59) + " ok", kPersona));
  EXPECT_FALSE(LeaksSecrets("Our bakery opens at 7am.", kPersona));
  // A prompt shorter than a run cannot be recognised in an answer.
  EXPECT_FALSE(LeaksSecrets("You are a bot.", "You are a bot."));
}

TEST(LeaksSecretsTest, CredentialsAreLeaks) {
  EXPECT_TRUE(LeaksSecrets("use sk-proj_ABCDEFGHIJKLMNOPqrst", ""));
  EXPECT_TRUE(LeaksSecrets("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", ""));
  EXPECT_TRUE(LeaksSecrets("-----BEGIN RSA PRIVATE KEY-----\nMIIB", ""));
  EXPECT_TRUE(LeaksSecrets("token EAAGabcdefghijklmnopqrstuvwxyz0123456789", ""));
  EXPECT_FALSE(LeaksSecrets("Our sk-8 skateboard costs 40 euros; ask for a bearer bond", ""));
}

TEST(FormatForPlatformTest, WhatsAppMarkupHasItsOwnMarkers) {
  const std::string markdown =
      "# Opening hours\n**Monday**: 9-5, __Sunday__: ~~open~~ closed\n* first\n+ second\n"
      "[Book a table](https://example.com/book) _soon_ ```mono```";
  EXPECT_EQ(FormatForPlatform(markdown, Markup::kChatMarkers),
            "*Opening hours*\n*Monday*: 9-5, *Sunday*: ~open~ closed\n- first\n- second\n"
            "Book a table (https://example.com/book) _soon_ ```mono```");
}

TEST(FormatForPlatformTest, SingleAsterisksAreItalicAndABoldHeadingIsBoldOnce) {
  EXPECT_EQ(FormatForPlatform("A *really* fresh **croissant**", Markup::kChatMarkers), "A _really_ fresh *croissant*");
  EXPECT_EQ(FormatForPlatform("# **Menu**\n2*3 = 6", Markup::kChatMarkers), "*Menu*\n2*3 = 6");
  EXPECT_EQ(FormatForPlatform("A *really* fresh **croissant**", Markup::kPlain), "A really fresh croissant");
}

TEST(FormatForPlatformTest, PlainMarkupGetsPlainText) {
  const std::string markdown =
      "## Opening hours\n**Monday**: 9-5, ~~Sunday~~\n* first\n[Book](https://example.com/book) `code` ```block```";
  EXPECT_EQ(FormatForPlatform(markdown, Markup::kPlain),
            "Opening hours\nMonday: 9-5, Sunday\n- first\nBook (https://example.com/book) code block");
  EXPECT_EQ(FormatForPlatform("Plain text stays as it is.", Markup::kPlain), "Plain text stays as it is.");
}

TEST(SplitMessageTest, ShortTextIsOnePart) {
  EXPECT_EQ(SplitMessage("Hello!", 10), std::vector<std::string>{"Hello!"});
  EXPECT_EQ(SplitMessage("0123456789", 10), std::vector<std::string>{"0123456789"});
  EXPECT_EQ(SplitMessage("Hello!  \n", 10), std::vector<std::string>{"Hello!"});  // Trimmed like the others.
  EXPECT_TRUE(SplitMessage("", 10).empty());
  EXPECT_TRUE(SplitMessage(" \n \n", 10).empty());
}

TEST(SplitMessageTest, CutsAtSentenceBoundaries) {
  EXPECT_EQ(SplitMessage("First sentence here. Second sentence here. Third one.", 30),
            (std::vector<std::string>{"First sentence here.", "Second sentence here.", "Third one."}));
  EXPECT_EQ(SplitMessage("Is it open? Yes! It opens at nine.\nSee you soon.", 36),
            (std::vector<std::string>{"Is it open? Yes! It opens at nine.", "See you soon."}));
}

TEST(SplitMessageTest, ThenAtSpacesThenAnywhere) {
  EXPECT_EQ(SplitMessage("aaaa bbbb cccc dddd", 10), (std::vector<std::string>{"aaaa bbbb", "cccc dddd"}));
  EXPECT_EQ(SplitMessage(Repeat("abcdefghij", 3), 12),
            (std::vector<std::string>{"abcdefghijab", "cdefghijabcd", "efghij"}));
}

TEST(SplitMessageTest, CountsCodePointsNotBytes) {
  // 25 two-byte letters in parts of 10: bytes would have cut after 5 letters, or inside one.
  EXPECT_EQ(SplitMessage(Repeat("é", 25), 10),
            (std::vector<std::string>{Repeat("é", 10), Repeat("é", 10), Repeat("é", 5)}));
  EXPECT_EQ(SplitMessage(Repeat("😀", 7), 3), (std::vector<std::string>{Repeat("😀", 3), Repeat("😀", 3), "😀"}));
  EXPECT_EQ(SplitMessage(Repeat("é", 10), 10), std::vector<std::string>{Repeat("é", 10)});
}

TEST(SplitMessageTest, LongMultilingualTextKeepsEveryWordWithinTheLimit) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "Les remboursements sont acceptés sous trente jours, à partir de la réception. ";
    text += "Où êtes-vous situés ? Près de la gare 🚉 !";
    if (i < 39) text += " ";
  }
  for (size_t limit : {size_t{50}, size_t{120}, size_t{1000}}) {
    std::vector<std::string> parts = SplitMessage(text, limit);
    ASSERT_GT(parts.size(), 1u) << limit;
    std::string joined;
    for (const auto& part : parts) {
      EXPECT_FALSE(part.empty());
      EXPECT_LE(CodePoints(part), limit);
      EXPECT_NE(part.front(), ' ');
      EXPECT_NE(part.back(), ' ');
      joined += part + " ";
    }
    // Cuts fall between words, so no word is lost or broken.
    EXPECT_EQ(knowledge::Words(joined), knowledge::Words(text)) << limit;
  }
}

}  // namespace
}  // namespace parley::agent
