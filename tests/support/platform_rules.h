#pragma once
// The rules WhatsApp and Instagram declare (channels/<platform>/plugin.cpp), for the store's and the agent's tests,
// which apply a platform's rules without linking the registry; tests/unit/channels/registry_test.cpp checks they
// agree.

#include <cstdint>

#include "core/message.h"

namespace parley::testing {

inline constexpr int64_t kWindowDayMs = int64_t{24} * 3600 * 1000;
inline constexpr MessagingWindow kWhatsAppWindow{.free_form_ms = kWindowDayMs, .human_agent_ms = 0, .templates = true};
inline constexpr MessagingWindow kInstagramWindow{
    .free_form_ms = kWindowDayMs, .human_agent_ms = 7 * kWindowDayMs, .templates = false};

inline constexpr TextRules kWhatsAppText{4096, Markup::kChatMarkers};
inline constexpr TextRules kInstagramText{1000, Markup::kPlain};

// The window of `platform`, one of the two above.
inline MessagingWindow WindowOf(const Platform& platform) {
  return platform == Platform("whatsapp") ? kWhatsAppWindow : kInstagramWindow;
}

}  // namespace parley::testing
