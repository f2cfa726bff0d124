#include "core/crypto.h"

#include <gtest/gtest.h>

namespace parley::crypto {
namespace {

TEST(CryptoTest, HmacMatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, VerifyHubSignatureAcceptsOnlyTheExactSignature) {
  const std::string body = R"({"object":"whatsapp_business_account"})";
  const std::string good = "sha256=" + HmacSha256Hex("secret", body);
  EXPECT_TRUE(VerifyHubSignature("secret", body, good));
  std::string upper = good;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(VerifyHubSignature("secret", body, upper));
  EXPECT_FALSE(VerifyHubSignature("secret", body + " ", good));
  EXPECT_FALSE(VerifyHubSignature("other", body, good));
  EXPECT_FALSE(VerifyHubSignature("secret", body, ""));
  EXPECT_FALSE(VerifyHubSignature("secret", body, good.substr(7)));
  EXPECT_FALSE(VerifyHubSignature("secret", body, "sha1=" + good.substr(7)));
  EXPECT_FALSE(VerifyHubSignature("secret", body, good.substr(0, good.size() - 1)));
  EXPECT_FALSE(VerifyHubSignature("", body, "sha256=" + HmacSha256Hex("", body)));
}

TEST(CryptoTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(CryptoTest, HexAndBase64RoundTrip) {
  std::string bytes("\x00\x01\xfe\xff hello", 10);
  EXPECT_EQ(*HexDecode(HexEncode(bytes)), bytes);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
  EXPECT_FALSE(Base64UrlDecode("***"));
  // The standard alphabet with padding (RFC 4648's test vectors), as data: URLs carry it.
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(*Base64Decode(Base64Encode(bytes)), bytes);
  EXPECT_FALSE(Base64Decode("-_8"));
}

TEST(CryptoTest, RandomTokensAreDistinct) {
  auto a = RandomToken(32);
  auto b = RandomToken(32);
  EXPECT_NE(a, b);
  EXPECT_EQ(Base64UrlDecode(a)->size(), 32u);
}

TEST(CryptoTest, SecretBoxSealsAndOpensOnlyUnderItsKey) {
  auto box = SecretBox::Create(std::string(32, 'k'));
  ASSERT_TRUE(box);
  auto sealed = box->Seal("EAAG-token");
  EXPECT_EQ(sealed.find("EAAG"), std::string::npos);
  EXPECT_NE(box->Seal("EAAG-token"), sealed);  // fresh nonce each time
  EXPECT_EQ(*box->Open(sealed), "EAAG-token");
  auto other = SecretBox::Create(std::string(32, 'x'));
  EXPECT_FALSE(other->Open(sealed));
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box->Open(tampered));
  EXPECT_FALSE(SecretBox::Create("short"));
}

TEST(CryptoTest, DerivedKeysDependOnTheMasterKeyAndThePurposeOnly) {
  auto box = SecretBox::Create(std::string(32, 'k')).value();
  const std::string csrf = box.DeriveKey("csrf");
  EXPECT_EQ(csrf.size(), 32u);
  EXPECT_EQ(SecretBox::Create(std::string(32, 'k')).value().DeriveKey("csrf"), csrf);  // Every process agrees.
  EXPECT_NE(box.DeriveKey("links"), csrf);
  EXPECT_NE(SecretBox::Create(std::string(32, 'x')).value().DeriveKey("csrf"), csrf);
  EXPECT_NE(csrf, std::string(32, 'k'));
  // HMAC-SHA256 with the master key as the key: the one published construction, checkable by hand.
  EXPECT_EQ(HexEncode(csrf), HmacSha256Hex(std::string(32, 'k'), "csrf"));
}

TEST(CryptoTest, PasswordHashesAreArgon2idSaltedAndVerifyOnlyTheirPassword) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterz", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  // A fresh salt each time: the same password never gives the same string.
  EXPECT_NE(*hash, HashPassword("correct horse battery").value());
  EXPECT_FALSE(VerifyPassword("anything", "not a hash"));
}

TEST(CryptoTest, PasswordsMustBeLongEnoughAndBounded) {
  EXPECT_EQ(HashPassword("short").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(1025, 'x')).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HashPassword(std::string(8, 'x')));
}

}  // namespace
}  // namespace parley::crypto
