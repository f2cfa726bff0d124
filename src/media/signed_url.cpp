#include "media/signed_url.h"

#include "core/crypto.h"

namespace parley::media {

std::string UrlSigner::Signature(int64_t tenant_id, std::string_view public_id, Variant variant,
                                 int64_t expires_s) const {
  // Fields separated by a byte none of them can hold, so that no two different links sign the same text.
  std::string text = "media.v1\n" + std::to_string(tenant_id) + "\n" + std::string(public_id) + "\n" +
                     (variant == Variant::kThumbnail ? "thumbnail" : "original") + "\n" + std::to_string(expires_s);
  return crypto::HmacSha256Hex(key_, text);
}

std::string UrlSigner::Sign(int64_t tenant_id, std::string_view public_id, Variant variant, int64_t now_s) const {
  const int64_t expires_s = now_s + ttl_.count();
  std::string path = "/api/media/" + std::string(public_id);
  if (variant == Variant::kThumbnail) path += "/thumbnail";
  return path + "?tenant=" + std::to_string(tenant_id) + "&expires=" + std::to_string(expires_s) +
         "&sig=" + Signature(tenant_id, public_id, variant, expires_s);
}

Result<void> UrlSigner::Verify(const SignedRef& ref, int64_t now_s) const {
  const std::string expected = Signature(ref.tenant_id, ref.public_id, ref.variant, ref.expires_s);
  if (!crypto::ConstantTimeEquals(expected, ref.signature)) {
    return Error{ErrorCode::kPermissionDenied, "invalid media link", {}};
  }
  if (now_s >= ref.expires_s) return Error{ErrorCode::kPermissionDenied, "the media link has expired", {}};
  return Ok();
}

}  // namespace parley::media
