#include "store/tenant_store.h"

#include "core/time_zone.h"

#include <string>

namespace parley::store {

Result<void> ValidateTenantSettingsUpdate(const TenantSettingsUpdate& update) {
  if (update.name && (update.name->empty() || update.name->size() > kMaxTenantNameBytes)) {
    return Error::InvalidArgument("name must be 1 to " + std::to_string(kMaxTenantNameBytes) + " bytes");
  }
  if (update.time_zone && !tz::IsValid(*update.time_zone)) {
    return Error::InvalidArgument("unknown time zone '" + *update.time_zone + "' (an IANA name such as Europe/Paris)");
  }
  if (update.message_retention_days && *update.message_retention_days) {
    const int days = **update.message_retention_days;
    if (days < kMinRetentionDays || days > kMaxRetentionDays) {
      return Error::InvalidArgument("message_retention_days must be " + std::to_string(kMinRetentionDays) + " to " +
                                    std::to_string(kMaxRetentionDays) + ", or null to keep messages for ever");
    }
  }
  return Ok();
}

}  // namespace parley::store
