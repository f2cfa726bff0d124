// Any byte string given to the Messenger webhook parser must come back as events or an InvalidArgument, never a
// crash, a sanitizer report or an event Parley could not store.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/messenger/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::WebhookEvents> events = parley::channels::messenger::ParseMessengerWebhook(body);
  if (!events) {
    if (events.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (const parley::UnifiedMessage& m : events->messages) {
    // Messages and deletions are keyed by platform id and contact; deliveries name the message delivered.
    if (m.platform_message_id.empty() || m.contact_id.empty()) std::abort();
    (void)parley::ToJsonDetails(m);
  }
  for (const parley::Deletion& d : events->deletions) {
    if (d.platform_message_id.empty() || d.contact_id.empty()) std::abort();
  }
  for (const parley::StatusUpdate& s : events->statuses) {
    if (s.platform_message_id.empty()) std::abort();
  }
  return 0;
}
