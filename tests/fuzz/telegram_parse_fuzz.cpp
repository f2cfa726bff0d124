// Any byte string given to the Telegram update parser must come back as events or an InvalidArgument, never a crash,
// a sanitizer report or an event Parley could not store.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/telegram/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::WebhookEvents> events = parley::channels::telegram::ParseTelegramUpdate(body);
  if (!events) {
    if (events.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  // One update carries one message at most, keyed by platform id and chat; the account is the route's.
  if (events->messages.size() > 1 || !events->statuses.empty() || !events->deletions.empty()) std::abort();
  for (const parley::UnifiedMessage& m : events->messages) {
    if (m.platform_message_id.empty() || m.contact_id.empty() || !m.account_id.empty()) std::abort();
    (void)parley::ToJsonDetails(m);
  }
  for (const std::string& piece : parley::channels::telegram::SplitForTelegram(body, 64)) {
    if (piece.empty()) std::abort();
  }
  return 0;
}
