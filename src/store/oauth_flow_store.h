#pragma once
// The OAuth flows a person started (Meta's login, channels/meta/oauth_state.h) and whose callback has not come yet.
// Kept in the store, so that the callback may reach any process sharing the database (the browser comes back through
// the load balancer) and a flow survives a restart of the process that began it. Reached through
// Store::oauth_flows(); blocking and thread-safe like Store.
//
// A flow's id is what binds a callback to the person who started it: random, sealed inside the state the browser
// carries (crypto::SecretBox), and spent by its first callback.

#include "core/error.h"
#include "core/message.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::store {

struct OAuthFlow {
  std::string id;  //!< Random and unguessable (crypto::RandomToken), chosen by the caller; unique.
  int64_t tenant_id = 0;
  Platform platform;
  std::optional<int64_t> user_id;     //!< Who started it: a person…
  std::optional<int64_t> api_key_id;  //!< …or an API key.
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;  //!< No callback is taken at or after it.
};

//! Flows a tenant may have pending at once: a tenant cannot fill the table, whatever it starts.
inline constexpr int kMaxPendingOAuthFlowsPerTenant = 100;

class OAuthFlowStore {
 public:
  virtual ~OAuthFlowStore() = default;

  // Records `flow` as pending. Flows of any tenant that expired at or before `now_ms` are deleted first; then, if the
  // tenant still has kMaxPendingOAuthFlowsPerTenant pending, those that expire first are dropped (their callbacks
  // will fail) so that with `flow` it has that many. kNotFound when the tenant does not exist; kConflict when a
  // pending flow already has `flow.id` (nothing changes).
  virtual Result<void> BeginFlow(const OAuthFlow& flow, int64_t now_ms) = 0;

  // The flow `id` as it was begun, deleted in the same statement: of concurrent takes of one flow, by any processes,
  // exactly one gets it. kNotFound when no flow has this id (never begun, already taken, or dropped), and when it
  // expired at or before `now_ms` (deleted all the same).
  virtual Result<OAuthFlow> TakeFlow(std::string_view id, int64_t now_ms) = 0;

  // Deletes the flows of every tenant that expired at or before `now_ms` and returns how many: the periodic sweep
  // (app/retention.h), so that flows nobody calls back leave the table without waiting for another begin.
  virtual Result<int64_t> PruneExpiredFlows(int64_t now_ms) = 0;
};

}  // namespace parley::store
