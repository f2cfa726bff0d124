#pragma once
// Links to stored media that work without a session (the dashboard's <img>, and later Meta fetching what Parley
// sends by link) and open nothing else: an HMAC-SHA256 over the tenant, the media's random public id, the variant
// (the file or its thumbnail) and the expiry, under a key of the server's own (derived from the master key).
// Changing any of them, or using the link after it expires, fails the check.

#include "core/crypto.h"
#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::media {

enum class Variant { kOriginal, kThumbnail };

// The parts of a signed link, as its route reads them back.
struct SignedRef {
  int64_t tenant_id = 0;
  std::string public_id;
  Variant variant = Variant::kOriginal;
  int64_t expires_s = 0;  //!< Unix seconds.
  std::string signature;  //!< Lower-case hex.
};

class UrlSigner {
 public:
  // `key` is secret (never logged); links last `ttl`.
  UrlSigner(std::string key, std::chrono::seconds ttl) : key_(std::move(key)), ttl_(ttl) {}
  // The server's signer: its key derived from the master key, so every process of one installation signs alike.
  static UrlSigner FromMasterKey(const crypto::SecretBox& box, std::chrono::seconds ttl) {
    return UrlSigner(box.DeriveKey("media-links"), ttl);
  }

  // The link's path and query, "/api/media/{public_id}[/thumbnail]?tenant=…&expires=…&sig=…", valid until now + ttl.
  // `public_id` is a media's random id (letters, digits, '-' and '_'), used as it is in the path.
  std::string Sign(int64_t tenant_id, std::string_view public_id, Variant variant, int64_t now_s) const;

  // Ok when `ref` was signed by this key and `now_s` is before its expiry; kPermissionDenied otherwise (tampered,
  // expired or signed by another key), with a message that says which, safe to show.
  Result<void> Verify(const SignedRef& ref, int64_t now_s) const;

 private:
  std::string Signature(int64_t tenant_id, std::string_view public_id, Variant variant, int64_t expires_s) const;

  std::string key_;
  std::chrono::seconds ttl_;
};

}  // namespace parley::media
