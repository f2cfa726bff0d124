#pragma once
// Instagram Messaging (Graph API) formats, as pure functions: the webhook payload into unified events, the
// bodies Parley POSTs to /{account_id}/messages, and the Graph API's answers. No I/O.

#include <boost/json/object.hpp>
#include <string_view>

#include "channels/channel.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::instagram {

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

// {"recipient":{"id":…},"sender_action":…} for "mark_seen", "typing_on" or "typing_off".
boost::json::object SenderActionBody(std::string_view recipient_id, std::string_view action);

// Decodes the answer to a POST /messages: on 2xx the id in message_id (empty for sender actions, whose answer
// is {"recipient_id":…}); otherwise Meta's error object (see meta::ParseGraphError).
SendResult ParseSendResponse(int http_status, std::string_view body);

}  // namespace parley::channels::instagram
