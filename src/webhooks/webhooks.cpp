#include "webhooks/webhooks.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/time.h"
#include "store/events.h"

#include <boost/json/object.hpp>

#include <algorithm>

namespace parley::webhooks {

const std::vector<std::string>& EventTypes() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> names;
    for (auto type :
         {store::EventType::kMessageCreated, store::EventType::kMessageUpdated, store::EventType::kConversationCreated,
          store::EventType::kConversationUpdated, store::EventType::kConversationDeleted,
          store::EventType::kSupportOpened, store::EventType::kSupportResolved, store::EventType::kDocumentProgress}) {
      names.emplace_back(store::ToString(type));
    }
    return names;
  }();
  return types;
}

bool IsEventType(std::string_view type) { return store::ParseEventType(type).has_value(); }

std::string NewSecret() { return "whsec_" + crypto::RandomToken(32); }

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + 1 + body.size());
  signed_text.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + crypto::HmacSha256Hex(secret, signed_text);
}

std::string PingPayload(int64_t endpoint_id, int64_t now_ms) {
  return SerializeJson(boost::json::object{{"id", 0},
                                           {"type", "ping"},
                                           {"created_at", FormatTimestamp(now_ms)},
                                           {"data", boost::json::object{{"endpoint_id", endpoint_id}}}});
}

std::optional<int64_t> NextAttemptAt(int attempts, int64_t now_ms, int64_t expires_at_ms, const RetryOptions& options,
                                     double jitter) {
  int64_t delay = std::max<int64_t>(options.base_ms, 1);
  for (int i = 1; i < attempts && delay < options.max_ms; ++i) delay *= 2;
  delay = std::min(delay, options.max_ms);
  const int64_t half = delay / 2;
  delay = half + static_cast<int64_t>(static_cast<double>(delay - half) * std::clamp(jitter, 0.0, 1.0));
  const int64_t at = now_ms + delay;
  if (at > expires_at_ms) return std::nullopt;
  return at;
}

}  // namespace parley::webhooks
