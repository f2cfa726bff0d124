// Any byte string given to the WhatsApp webhook parser must come back as events or an InvalidArgument, never a
// crash, a sanitizer report or an event Parley could not store.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/whatsapp/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::WebhookEvents> events = parley::channels::whatsapp::ParseWhatsAppWebhook(body);
  if (!events) {
    if (events.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (const parley::UnifiedMessage& m : events->messages) {
    // The store keys messages by (account, platform id): an event without them would be unroutable.
    if (m.platform_message_id.empty() || m.contact_id.empty() || m.account_id.empty()) std::abort();
    (void)parley::ToJsonDetails(m);
  }
  for (const parley::StatusUpdate& s : events->statuses) {
    if (s.platform_message_id.empty() || s.account_id.empty()) std::abort();
  }
  return 0;
}
