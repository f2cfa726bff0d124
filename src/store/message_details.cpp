#include "store/message_details.h"

#include "core/json.h"

#include <string_view>

namespace parley::store {
namespace {

constexpr std::string_view kColumnKeys[] = {"platform",   "account_id",   "platform_message_id",
                                            "contact_id", "contact_name", "timestamp_ms",
                                            "type",       "text",         "error"};

}  // namespace

std::optional<std::string> MessageDetailsJson(const UnifiedMessage& m) {
  boost::json::object details = ToJsonDetails(m);
  for (std::string_view key : kColumnKeys) details.erase(key);
  if (details.empty()) return std::nullopt;
  return SerializeJson(details);
}

}  // namespace parley::store
