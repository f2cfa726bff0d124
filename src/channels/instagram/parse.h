#pragma once
// Instagram Messaging (Graph API) formats, as pure functions: the webhook payload into unified events, the
// bodies Parley POSTs to /{account_id}/messages, and the Graph API's answers. No I/O.

#include <boost/json/object.hpp>
#include <string_view>

#include "channels/channel.h"
#include "channels/meta/parse_messaging.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::instagram {

// The platform's name: stored, in its webhook's path, in metrics labels.
inline constexpr std::string_view kName = "instagram";

// Parses an `instagram` webhook: entry[].messaging[] events and entry[].changes[] with field "messages" (the
// dashboard's test button) or "comments"/"live_comments". Messages (text, attachments, quick replies, story
// replies and mentions, ad referrals), reactions, postbacks and ig.me referrals become UnifiedMessages; a message
// with several attachments becomes one message per attachment, the first keeping `mid` and the text, the others
// `mid#2`, `mid#3`, …; unsends become Deletions; reads become watermark StatusUpdates. Echoes of the business's
// own messages and comments, and events Parley does not handle, are counted in `ignored`. Events that carry no id
// of their own (reactions, postbacks before v11, referrals) get a stable one built from what identifies them, so
// Meta's retries de-duplicate. kInvalidArgument naming the field on malformed JSON, nesting deeper than 64, a
// wrong `object`, a field of the wrong type, or a message or comment without its id or sender. Never throws.
Result<WebhookEvents> ParseInstagramWebhook(std::string_view body);

// {"recipient":{"id":…},"message":{"text":…}} plus "reply_to":{"mid":…} in the message when `reply_to` is set.
boost::json::object TextMessageBody(std::string_view recipient_id, std::string_view text, std::string_view reply_to,
                                    MessageTag tag = MessageTag::kNone);

// Instagram's Send API is Messenger's: its sender actions and answers read alike.
using meta::ParseSendResponse;
using meta::SenderActionBody;

}  // namespace parley::channels::instagram
