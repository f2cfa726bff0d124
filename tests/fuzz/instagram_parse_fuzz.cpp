// Any byte string given to the Instagram webhook parser must come back as events or an InvalidArgument, never a
// crash, a sanitizer report or an event Parley could not store.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/instagram/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::WebhookEvents> events = parley::channels::instagram::ParseInstagramWebhook(body);
  if (!events) {
    if (events.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (const parley::UnifiedMessage& m : events->messages) {
    // Messages and deletions are keyed by platform id and contact; reads name the message read.
    if (m.platform_message_id.empty() || m.contact_id.empty()) std::abort();
    // A comment opens the thread of the media it was written on: the store keys that thread by the media id.
    if (m.type == parley::MessageType::kComment && (!m.comment || m.comment->media_id.empty())) std::abort();
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
