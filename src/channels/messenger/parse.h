#pragma once
// Facebook Messenger (Messenger Platform, Page webhooks and Send API) formats, as pure functions: the webhook payload
// into unified events, the bodies Parley POSTs to /{page_id}/messages, and the Send API's answers. No I/O.

#include <boost/json/object.hpp>
#include <string_view>

#include "channels/channel.h"
#include "channels/meta/parse_messaging.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::messenger {

// The platform's name: stored, in its webhook's path, in metrics labels.
inline constexpr std::string_view kName = "messenger";

// Parses a Page webhook (`"object": "page"`): entry[].messaging[] events. Messages (text, attachments, quick replies,
// replies, ad referrals), reactions, postbacks and m.me referrals become UnifiedMessages; a message with several
// attachments becomes one message per attachment, the first keeping `mid` and the text, the others `mid#2`, `mid#3`,
// …; deliveries (`delivery.mids`) become delivered StatusUpdates; echoes of the Page's own messages become
// BusinessEchoes. Reads (a watermark time naming no message), standby events (another app controls the thread) and
// events Parley does not handle are counted in `ignored`. Events without an id of their own (reactions, referrals,
// postbacks without `mid`) get a stable one from what identifies them, so Meta's retries de-duplicate.
// kInvalidArgument naming the field on malformed JSON, nesting deeper than 64, a wrong `object`, a field of the wrong
// type, or a message without its `mid` or sender. Never throws.
Result<WebhookEvents> ParseMessengerWebhook(std::string_view body);

// {"recipient":{"id":…},"messaging_type":"RESPONSE","message":{"text":…}}; with kHumanAgent, "messaging_type":
// "MESSAGE_TAG" and "tag":"HUMAN_AGENT" (a person's reply past the 24-hour window, within 7 days).
boost::json::object TextMessageBody(std::string_view recipient_id, std::string_view text, MessageTag tag);

// The Send API's sender actions and answers, as Instagram's (meta/parse_messaging.h).
using meta::ParseSendResponse;
using meta::SenderActionBody;

}  // namespace parley::channels::messenger
