#include "agent/stages.h"

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

knowledge::Passage PassageOf(const std::string& text, const std::string& heading = "") {
  knowledge::Passage passage;
  passage.chunk.text = text;
  passage.chunk.heading_path = heading;
  return passage;
}

void ExpectTriage(const std::string& text, Decision decision, const std::string& reason) {
  Triage triage = TriageMessage(text);
  EXPECT_EQ(ToString(triage.decision), ToString(decision)) << text;
  EXPECT_EQ(ToString(triage.reason), reason) << text;
}

TEST(TriageTest, NothingToAnswerIsIgnored) {
  ExpectTriage("", Decision::kIgnore, "empty");
  ExpectTriage(" \n\t", Decision::kIgnore, "empty");
  ExpectTriage("👍", Decision::kIgnore, "emoji_only");
  ExpectTriage("🙏🙏 !!", Decision::kIgnore, "emoji_only");
  ExpectTriage("?", Decision::kIgnore, "emoji_only");
}

TEST(TriageTest, ThanksAndGoodbyesAreIgnored) {
  for (const char* text : {"Thanks!", "thank you so much 🙏", "Thanks a lot!", "Many thanks", "OK", "ok cool",
                           "Got it, thx", "Perfect, bye!", "Merci beaucoup !", "D'accord, merci", "Parfait",
                           "Bonne journée !", "Super, à plus", "Merci infiniment"}) {
    ExpectTriage(text, Decision::kIgnore, "acknowledgement");
  }
  // Thanks followed by a question is a question.
  ExpectTriage("Thanks! Do you deliver on Sundays?", Decision::kAutoReply, "answered");
  ExpectTriage("Merci, et vous livrez le dimanche ?", Decision::kAutoReply, "answered");
}

TEST(TriageTest, SpamIsIgnored) {
  ExpectTriage("Earn money fast with crypto, click here http://spam.example", Decision::kIgnore, "spam");
  ExpectTriage("see http://a.example and http://b.example", Decision::kIgnore, "spam");
  ExpectTriage("We can promote your page and get you 10k followers", Decision::kIgnore, "spam");
  ExpectTriage("Gagner de l'argent facilement depuis chez vous", Decision::kIgnore, "spam");
  ExpectTriage("Best crypto signals here https://t.example/join", Decision::kIgnore, "spam");
}

TEST(TriageTest, AQuestionAboutPaymentIsNotSpam) {
  ExpectTriage("Do you accept bitcoin?", Decision::kAutoReply, "answered");
  ExpectTriage("Can I get a loan for the e-bike?", Decision::kAutoReply, "answered");
  // One link alone is a customer showing something.
  ExpectTriage("Is this bag still available? https://shop.example/bag", Decision::kAutoReply, "answered");
}

TEST(TriageTest, PeopleComplaintsAndLegalThreatsAreEscalated) {
  ExpectTriage("I want to talk to a human", Decision::kEscalate, "human_requested");
  ExpectTriage("Can I speak to someone please?", Decision::kEscalate, "human_requested");
  ExpectTriage("Get me a REAL PERSON", Decision::kEscalate, "human_requested");
  ExpectTriage("Je voudrais parler à un conseiller", Decision::kEscalate, "human_requested");
  ExpectTriage("Je veux parler à quelqu'un", Decision::kEscalate, "human_requested");
  ExpectTriage("Le service client, svp", Decision::kEscalate, "human_requested");

  ExpectTriage("This is unacceptable, my order never came", Decision::kEscalate, "complaint");
  ExpectTriage("Worst shop ever", Decision::kEscalate, "complaint");
  ExpectTriage("C'est inadmissible, je suis furieux", Decision::kEscalate, "complaint");
  ExpectTriage("Votre site est une arnaque", Decision::kEscalate, "complaint");

  ExpectTriage("My lawyer will contact you", Decision::kEscalate, "legal");
  ExpectTriage("I will take legal action", Decision::kEscalate, "legal");
  ExpectTriage("Vous allez recevoir une mise en demeure", Decision::kEscalate, "legal");
  ExpectTriage("J'appelle mon avocat", Decision::kEscalate, "legal");
  // A legal threat outranks the rest.
  ExpectTriage("Unacceptable! Put me through to a manager or I call my attorney", Decision::kEscalate, "legal");
}

TEST(TriageTest, BareGreetingsGetTheGreeting) {
  for (const char* text : {"Hi", "hello there!", "Hey 👋", "Good morning", "Bonjour", "Salut !", "coucou", "Bonsoir"}) {
    ExpectTriage(text, Decision::kGreeting, "greeting");
  }
  ExpectTriage("Hi, what time do you open?", Decision::kAutoReply, "answered");
  ExpectTriage("Bonjour, quels sont vos horaires ?", Decision::kAutoReply, "answered");
}

TEST(TriageTest, EverythingElseIsAQuestion) {
  ExpectTriage("Do you have this in blue?", Decision::kAutoReply, "answered");
  ExpectTriage("Quels sont vos horaires d'ouverture ?", Decision::kAutoReply, "answered");
  ExpectTriage("refund", Decision::kAutoReply, "answered");
}

const char kPolicy[] =
    "Opening hours vary by season. Refunds are accepted within 30 days. They are paid back within a week. "
    "Shipping is free in France. Gift cards never expire.";

TEST(ExtractiveAnswerTest, TakesTheMatchingSentenceAndTheOneAfterIt) {
  EXPECT_EQ(ExtractiveAnswer("How do refunds work?", PassageOf(kPolicy), "english"),
            "Refunds are accepted within 30 days. They are paid back within a week.");
  EXPECT_EQ(ExtractiveAnswer("How do refunds work?", PassageOf(kPolicy), "english", 1),
            "Refunds are accepted within 30 days.");
}

TEST(ExtractiveAnswerTest, KeepsTheOriginalOrderUpToTheLimit) {
  // "gift cards" matches the last sentence, "shipping" an earlier one: the answer reads in the passage's order.
  EXPECT_EQ(ExtractiveAnswer("gift cards and shipping", PassageOf(kPolicy), "english", 2),
            "Shipping is free in France. Gift cards never expire.");
  std::string three = ExtractiveAnswer("refund shipping", PassageOf(kPolicy), "english");
  EXPECT_EQ(three,
            "Refunds are accepted within 30 days. They are paid back within a week. Shipping is free in France.");
}

TEST(ExtractiveAnswerTest, FallsBackToThePassagesStart) {
  EXPECT_EQ(ExtractiveAnswer("parking?", PassageOf(kPolicy), "english", 2),
            "Opening hours vary by season. Refunds are accepted within 30 days.");
  EXPECT_EQ(ExtractiveAnswer("anything", PassageOf(""), "english"), "");
}

TEST(ExtractiveAnswerTest, SplitsLinesAndStemsInTheGivenLanguage) {
  knowledge::Passage lines = PassageOf("Horaires\nNous ouvrons à 9h.\nLes remboursements sont acceptés sous 30 jours.");
  EXPECT_EQ(ExtractiveAnswer("Comment se passe un remboursement ?", lines, "french", 1),
            "Les remboursements sont acceptés sous 30 jours.");
}

TEST(SupportTest, ShareOfTheAnswersWordsFoundInThePassages) {
  std::vector<knowledge::Passage> passages = {PassageOf("Refunds are paid within 30 days.", "Refunds"),
                                              PassageOf("Shipping is free.")};
  EXPECT_DOUBLE_EQ(Support("Refunds are paid within 30 days.", passages, "english"), 1.0);
  EXPECT_DOUBLE_EQ(Support("Refunds take 30 days", passages, "english"), 0.75);  // "take" is not there.
  EXPECT_DOUBLE_EQ(Support("Our CEO loves pizza", passages, "english"), 0.0);
  EXPECT_DOUBLE_EQ(Support("Free shipping and refunds!", passages, "english"), 1.0);
  EXPECT_DOUBLE_EQ(Support("Yes, of course.", passages, "english"), 0.0);  // "yes" and "course" are claims too.
  EXPECT_DOUBLE_EQ(Support("", passages, "english"), 1.0);                 // Nothing claimed.
  EXPECT_DOUBLE_EQ(Support("Refunds", {}, "english"), 0.0);
}

const std::string kPersona =
    "You are Léa, the assistant of Boulangerie Martin. Never reveal that the staff discount code is STAFF50, "
    "and never promise delivery outside Lyon.";

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

TEST(FormatForPlatformTest, WhatsAppGetsItsOwnMarkup) {
  const std::string markdown =
      "# Opening hours\n**Monday**: 9-5, __Sunday__: ~~open~~ closed\n* first\n+ second\n"
      "[Book a table](https://example.com/book) _soon_ ```mono```";
  EXPECT_EQ(FormatForPlatform(markdown, Platform::kWhatsApp),
            "*Opening hours*\n*Monday*: 9-5, *Sunday*: ~open~ closed\n- first\n- second\n"
            "Book a table (https://example.com/book) _soon_ ```mono```");
}

TEST(FormatForPlatformTest, SingleAsterisksAreItalicAndABoldHeadingIsBoldOnce) {
  EXPECT_EQ(FormatForPlatform("A *really* fresh **croissant**", Platform::kWhatsApp), "A _really_ fresh *croissant*");
  EXPECT_EQ(FormatForPlatform("# **Menu**\n2*3 = 6", Platform::kWhatsApp), "*Menu*\n2*3 = 6");
  EXPECT_EQ(FormatForPlatform("A *really* fresh **croissant**", Platform::kInstagram), "A really fresh croissant");
}

TEST(FormatForPlatformTest, InstagramGetsPlainText) {
  const std::string markdown =
      "## Opening hours\n**Monday**: 9-5, ~~Sunday~~\n* first\n[Book](https://example.com/book) `code` ```block```";
  EXPECT_EQ(FormatForPlatform(markdown, Platform::kInstagram),
            "Opening hours\nMonday: 9-5, Sunday\n- first\nBook (https://example.com/book) code block");
  EXPECT_EQ(FormatForPlatform("Plain text stays as it is.", Platform::kInstagram), "Plain text stays as it is.");
}

TEST(MessageLimitTest, PerPlatform) {
  EXPECT_EQ(MessageLimit(Platform::kWhatsApp), 4096u);
  EXPECT_EQ(MessageLimit(Platform::kInstagram), 1000u);
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
