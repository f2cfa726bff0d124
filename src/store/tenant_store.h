#pragma once
// A tenant's own settings: its name, the IANA time zone its days are counted in (analytics, business hours) and how
// long its messages are kept (the retention sweeper). Reached through Store::tenants(); blocking and thread-safe like
// Store, and scoped by the tenant id: an unknown tenant is kNotFound.

#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

inline constexpr int kMinRetentionDays = 1;
inline constexpr int kMaxRetentionDays = 3650;  //!< Ten years.
inline constexpr size_t kMaxTenantNameBytes = 200;

struct TenantSettings {
  int64_t id = 0;
  std::string name;
  std::string time_zone = "UTC";              //!< An IANA name the system's tzdata knows (core/time_zone.h).
  std::optional<int> message_retention_days;  //!< nullopt: messages are kept for ever.
  int64_t created_at_ms = 0;
};

// The fields to change; empty optionals are left as they are. `message_retention_days` set to nullopt inside
// (an optional holding nullopt) turns retention off.
struct TenantSettingsUpdate {
  std::optional<std::string> name;
  std::optional<std::string> time_zone;
  std::optional<std::optional<int>> message_retention_days;
};

// kInvalidArgument naming the first field out of bounds (an empty or too long name, a zone tzdata does not know, a
// retention out of kMinRetentionDays..kMaxRetentionDays): what every backend checks before changing anything.
Result<void> ValidateTenantSettingsUpdate(const TenantSettingsUpdate& update);

class TenantStore {
 public:
  virtual ~TenantStore() = default;

  virtual Result<TenantSettings> GetTenant(int64_t tenant_id) = 0;
  // Validates every field (kInvalidArgument: an empty or too long name, a zone tzdata does not know, a retention
  // out of kMinRetentionDays..kMaxRetentionDays) before changing any, and returns the settings as they now are.
  virtual Result<TenantSettings> UpdateTenant(int64_t tenant_id, const TenantSettingsUpdate& update) = 0;
  // Every tenant with a retention period, for the retention sweeper.
  virtual Result<std::vector<TenantSettings>> ListTenantsWithRetention() = 0;
};

}  // namespace parley::store
