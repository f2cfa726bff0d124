#pragma once
// The OAuth `state` parameter of Meta's login flow. The callback is a public route (the browser arrives from
// Facebook without Parley's credentials, and a cross-site navigation carries no strict cookie), so the state
// says, sealed by the server, who started the flow: the tenant, the caller's role and identity, the platform,
// until when it may be used, and the flow's id. Sealed with crypto::SecretBox (authenticated encryption under the
// master key): it cannot be forged, altered or read. The store also keeps each flow started (store::OAuthFlowStore,
// shared by every process on the database), so that a state serves one callback only, whichever process it reaches.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::meta {

//! How long a state stays valid: enough to go through Meta's dialogs.
inline constexpr int64_t kOAuthStateLifetimeMs = 15 * 60 * 1000;

struct OAuthState {
  int64_t tenant_id = 0;
  Platform platform;
  std::string role;  //!< The caller's role ("owner", "admin").
  std::optional<int64_t> user_id;
  std::optional<int64_t> api_key_id;
  int64_t expires_at_ms = 0;
  std::string flow;  //!< The id of the flow in the store (store::OAuthFlow::id); empty in a state that names none.
};

// The state to put in the authorization URL: URL-safe text.
std::string SealOAuthState(const OAuthState& state, const crypto::SecretBox& box);

// The state back. kInvalidArgument, saying which, when it was not sealed by this server (or was altered), is not
// a state, or expired before `now_ms`.
Result<OAuthState> OpenOAuthState(std::string_view sealed, const crypto::SecretBox& box, int64_t now_ms);

}  // namespace parley::channels::meta
