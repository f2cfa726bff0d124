#pragma once
// A web chat visitor's session token: who the visitor is, for one channel, until when. Opaque to the widget, which
// keeps it in localStorage and sends it back (Authorization: Bearer, or ?token= on the event stream):
//
//   v1.<visitor id>.<expiry, Unix seconds>.<hex HMAC-SHA256 over the channel's public id, the visitor id and expiry>
//
// under a key of the server's own, derived from the master key (as media links are, media/signed_url.h), so every
// process of one installation issues and accepts the same tokens and nothing is stored per session. A token names
// one channel: another channel's, an altered or an expired one fails.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/error.h"

namespace parley::channels::webchat {

struct VisitorSession {
  std::string token;
  std::string visitor_id;  //!< The visitor's contact id on the channel: 16 URL-safe random characters.
  int64_t expires_s = 0;   //!< Unix seconds.
};

class VisitorTokens {
 public:
  static constexpr std::chrono::seconds kLifetime = std::chrono::hours(24 * 30);

  // `key` is secret, never logged.
  explicit VisitorTokens(std::string key) : key_(std::move(key)) {}
  // The server's tokens: the key derived from the master key.
  static VisitorTokens FromMasterKey(const crypto::SecretBox& box) {
    return VisitorTokens(box.DeriveKey("webchat-visitor-tokens"));
  }

  // A new visitor of the channel `public_id`, whose token lasts kLifetime from `now_s`.
  VisitorSession Open(std::string_view public_id, int64_t now_s) const;
  // The token for `visitor_id` on the channel, valid until `expires_s`.
  std::string Sign(std::string_view public_id, std::string_view visitor_id, int64_t expires_s) const;
  // The visitor id the token carries, when it was signed with this key for the channel `public_id` and has not
  // expired at `now_s`; kUnauthenticated otherwise (malformed, forged, another channel's, expired), with a message
  // safe to show.
  Result<std::string> Verify(std::string_view token, std::string_view public_id, int64_t now_s) const;

 private:
  std::string Signature(std::string_view public_id, std::string_view visitor_id, int64_t expires_s) const;

  std::string key_;
};

}  // namespace parley::channels::webchat
