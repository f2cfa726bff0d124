// Any byte string given to the Telegram update parser must come back as events or an InvalidArgument, never a crash,
// a sanitizer report or an event Parley could not store; and as the text of a reply, converted to MarkdownV2, it must
// be read by Telegram (as the fake Bot API reads it) with every character shown but the markers.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "channels/telegram/parse.h"
#include "fakes/markdown_v2.h"

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
  const auto without_markers = [](std::string text) {
    std::erase_if(text, [](char c) { return c == '*' || c == '_' || c == '~' || c == '`'; });
    return text;
  };
  const parley::testing::MarkdownV2Reading reading =
      parley::testing::ReadMarkdownV2(parley::channels::telegram::ToMarkdownV2(body));
  if (!reading.ok || without_markers(reading.shown) != without_markers(std::string(body))) std::abort();
  return 0;
}
