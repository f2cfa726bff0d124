// Any byte string given to the web chat's request parsers (a visitor's message post, a session request) must come
// back as a request or an InvalidArgument, never a crash, a sanitizer report or a message Parley could not store.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "channels/webchat/parse.h"
#include "core/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace webchat = parley::channels::webchat;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::WebhookEvents> events = webchat::ParseMessagePost(body);
  if (!events) {
    if (events.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
  } else {
    // One text message, keyed by the client id; the account and the visitor are the route's.
    if (events->messages.size() != 1) std::abort();
    const parley::UnifiedMessage& m = events->messages.front();
    if (m.platform_message_id.empty() || m.platform_message_id.size() > webchat::kMaxClientIdBytes) std::abort();
    if (!m.account_id.empty() || !m.contact_id.empty() || !m.text || m.text->empty()) std::abort();
    if (!parley::IsValidUtf8(*m.text)) std::abort();
    (void)parley::ToJsonDetails(m);
  }
  parley::Result<webchat::SessionRequest> session = webchat::ParseSessionRequest(body);
  if (!session && session.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
  if (session && (session->name.size() > webchat::kMaxNameBytes || session->email.size() > webchat::kMaxEmailBytes ||
                  session->language.size() > 3)) {
    std::abort();
  }
  return 0;
}
