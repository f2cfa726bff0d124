#include "media/signed_url.h"

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>

#include <string>

namespace parley::media {
namespace {

constexpr int64_t kNow = 1'800'000'000;

// Reads a link back the way its route does.
SignedRef Parse(const std::string& link) {
  auto url = boost::urls::parse_origin_form(link).value();
  SignedRef ref;
  std::string path = url.path();
  ref.variant = path.ends_with("/thumbnail") ? Variant::kThumbnail : Variant::kOriginal;
  if (ref.variant == Variant::kThumbnail) path.resize(path.size() - std::string("/thumbnail").size());
  ref.public_id = path.substr(std::string("/api/media/").size());
  auto params = url.params();
  ref.tenant_id = std::stoll((*params.find("tenant")).value);
  ref.expires_s = std::stoll((*params.find("expires")).value);
  ref.signature = (*params.find("sig")).value;
  return ref;
}

class SignedUrlTest : public ::testing::Test {
 protected:
  UrlSigner signer_{"a key of the server's own, 32 bytes", std::chrono::hours(24)};
};

TEST_F(SignedUrlTest, ALinkWorksUntilItExpires) {
  std::string link = signer_.Sign(7, "AbC-123_x", Variant::kOriginal, kNow);
  EXPECT_TRUE(link.starts_with("/api/media/AbC-123_x?tenant=7&expires="));
  SignedRef ref = Parse(link);
  EXPECT_EQ(ref.expires_s, kNow + 24 * 3600);
  EXPECT_TRUE(signer_.Verify(ref, kNow));
  EXPECT_TRUE(signer_.Verify(ref, kNow + 24 * 3600 - 1));
  auto expired = signer_.Verify(ref, kNow + 24 * 3600);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(expired.error().message, "the media link has expired");
}

TEST_F(SignedUrlTest, EveryAlterationIsRefused) {
  const SignedRef good = Parse(signer_.Sign(7, "media-1", Variant::kThumbnail, kNow));
  ASSERT_TRUE(signer_.Verify(good, kNow));
  auto refused = [&](SignedRef ref) {
    auto verified = signer_.Verify(ref, kNow);
    return !verified && verified.error().code == ErrorCode::kPermissionDenied &&
           verified.error().message == "invalid media link";
  };
  SignedRef other_tenant = good;
  other_tenant.tenant_id = 8;
  EXPECT_TRUE(refused(other_tenant));
  SignedRef other_media = good;
  other_media.public_id = "media-2";
  EXPECT_TRUE(refused(other_media));
  SignedRef original = good;
  original.variant = Variant::kOriginal;  // A thumbnail's link opens nothing else.
  EXPECT_TRUE(refused(original));
  SignedRef longer = good;
  longer.expires_s += 3600;
  EXPECT_TRUE(refused(longer));
  SignedRef flipped = good;
  flipped.signature[0] = flipped.signature[0] == '0' ? '1' : '0';
  EXPECT_TRUE(refused(flipped));
  SignedRef empty = good;
  empty.signature.clear();
  EXPECT_TRUE(refused(empty));
  UrlSigner other_key("another server's key", std::chrono::hours(24));
  EXPECT_FALSE(other_key.Verify(good, kNow));
}

}  // namespace
}  // namespace parley::media
