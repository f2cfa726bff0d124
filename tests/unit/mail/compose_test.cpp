#include "mail/mail.h"

#include "mail/texts.h"

#include <gtest/gtest.h>

#include <regex>

namespace parley::mail {
namespace {

// 2026-12-06 16:34:48 UTC, a Sunday.
constexpr int64_t kDate = 1796574888000;

std::string HeaderOf(const std::string& message, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(message, match, std::regex("(^|\r\n)" + name + ": ([^\r]*(\r\n [^\r]*)*)"))) return {};
  return match[2];
}

TEST(ComposeTest, WritesTheHeadersOfAPlainTextUtf8Message) {
  auto message =
      Compose({"Parley <noreply@parley.test>", "bea@acme.test", "Hello", "Line one\nLine two\n", kDate, "en"});
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(HeaderOf(*message, "Date"), "Sun, 06 Dec 2026 16:34:48 +0000");
  EXPECT_EQ(HeaderOf(*message, "From"), "Parley <noreply@parley.test>");
  EXPECT_EQ(HeaderOf(*message, "To"), "bea@acme.test");
  EXPECT_EQ(HeaderOf(*message, "Subject"), "Hello");
  EXPECT_TRUE(std::regex_match(HeaderOf(*message, "Message-ID"), std::regex(R"(<[A-Za-z0-9_\-]{20,}@parley\.test>)")));
  EXPECT_EQ(HeaderOf(*message, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderOf(*message, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderOf(*message, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(HeaderOf(*message, "Content-Language"), "en");
  // The body: "Line one\r\nLine two\r\n" in base64, after the blank line.
  EXPECT_TRUE(message->ends_with("\r\n\r\nTGluZSBvbmUNCkxpbmUgdHdvDQo=\r\n")) << *message;
  // Every line ends with CRLF and none is longer than RFC 5322's 78 characters.
  for (size_t start = 0; start < message->size();) {
    const auto end = message->find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
}

TEST(ComposeTest, EncodesASubjectThatIsNotPlainAsciiInWordsThatNeverSplitACharacter) {
  const std::string subject = "Invitation à rejoindre Les Délices de Saint-Étienne sur Parley, équipe été";
  auto message = Compose({"noreply@parley.test", "bea@acme.test", subject, "x", kDate, "fr"});
  ASSERT_TRUE(message);
  const std::string header = HeaderOf(*message, "Subject");
  EXPECT_TRUE(header.starts_with("=?UTF-8?B?")) << header;
  EXPECT_NE(header.find("\r\n =?UTF-8?B?"), std::string::npos) << "a long subject folds into several words";
  // Each word decodes on its own to valid UTF-8: no word ends inside a character.
  std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=)");
  for (auto it = std::sregex_iterator(header.begin(), header.end(), word); it != std::sregex_iterator(); ++it) {
    EXPECT_LE((*it)[0].length(), 75);
  }
}

TEST(ComposeTest, RefusesLineBreaksInHeadersAndAddressesWithoutAnAt) {
  EXPECT_FALSE(Compose({"noreply@parley.test", "bea@acme.test\r\nBcc: eve@evil.test", "Hi", "x", kDate, "en"}));
  EXPECT_FALSE(Compose({"noreply@parley.test", "bea@acme.test", "Hi\nBcc: eve@evil.test", "x", kDate, "en"}));
  EXPECT_FALSE(Compose({"noreply", "bea@acme.test", "Hi", "x", kDate, "en"}));
}

TEST(ComposeTest, TakesTheAddressOutOfAMailbox) {
  EXPECT_EQ(AddressOf("Parley <noreply@parley.test>"), "noreply@parley.test");
  EXPECT_EQ(AddressOf(" noreply@parley.test "), "noreply@parley.test");
}

TEST(TextsTest, SpeakTheRecipientsLanguageAndFallBackToEnglish) {
  auto french = InvitationText("fr", "Acme", "Ana", "agent", "https://p.test/accept-invite?token=t", kDate);
  EXPECT_EQ(french.subject, "Invitation à rejoindre Acme sur Parley");
  EXPECT_NE(french.body.find("\nhttps://p.test/accept-invite?token=t\n"), std::string::npos)
      << "the link alone on its line";
  EXPECT_NE(french.body.find("2026-12-06 16:34 UTC"), std::string::npos);
  EXPECT_EQ(InvitationText("de", "Acme", "", "admin", "l", kDate).subject, "You are invited to join Acme on Parley");
  EXPECT_EQ(PasswordResetText("fr", "l").subject, "Réinitialiser votre mot de passe Parley");
  EXPECT_EQ(EscalationText("en", "Acme", "Zoé", "human_requested", "l").subject, "[Acme] Zoé is waiting for a person");
}

}  // namespace
}  // namespace parley::mail
