#pragma once
// The OAuth `state` parameter of Meta's login flow. The callback is a public route (the browser arrives from
// Facebook without Parley's credentials, and a cross-site navigation carries no strict cookie), so the state
// says, sealed by the server, who started the flow: the tenant, the caller's role and identity, the platform,
// until when it may be used, and the flow's id. Sealed with crypto::SecretBox (authenticated encryption under the
// master key): it cannot be forged, altered or read. The server also remembers each flow it started
// (OAuthFlows), so that a state serves one callback only.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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
  std::string flow;  //!< The id OAuthFlows::Begin gave the flow; empty in a state that names none.
};

// The state to put in the authorization URL: URL-safe text.
std::string SealOAuthState(const OAuthState& state, const crypto::SecretBox& box);

// The state back. kInvalidArgument, saying which, when it was not sealed by this server (or was altered), is not
// a state, or expired before `now_ms`.
Result<OAuthState> OpenOAuthState(std::string_view sealed, const crypto::SecretBox& box, int64_t now_ms);

// The flows this server started and whose callback has not come yet: what binds a callback to the person who
// started the flow, and makes each state good for one callback. Kept in memory: a restart ends the flows under
// way (their callbacks fail and the person connects again). Thread-safe.
class OAuthFlows {
 public:
  //! Flows remembered at most; beyond it the expired ones are dropped, then the one that expires first.
  static constexpr size_t kMaxPending = 10'000;

  // Remembers `state` under a new random id, which it also stores in `state.flow` for sealing.
  void Begin(OAuthState& state, int64_t now_ms);
  // The flow `id` as it was begun, forgotten at once: a second callback with the same state fails.
  // kInvalidArgument when the id is unknown, was already used, or its flow expired before `now_ms`.
  Result<OAuthState> Take(std::string_view id, int64_t now_ms);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, OAuthState> pending_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::channels::meta
