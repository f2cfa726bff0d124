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
// dashboard's test button) or "comments"/"live_comments" (a kComment message with its Comment: the media, its ad,
// whether live; the parent comment in reply_to). Messages (text, attachments, quick replies, story
// replies and mentions, ad referrals), reactions, postbacks and ig.me referrals become UnifiedMessages; a message
// with several attachments becomes one message per attachment, the first keeping `mid` and the text, the others
// `mid#2`, `mid#3`, …; unsends become Deletions; reads become watermark StatusUpdates. Echoes of the business's
// own messages and comments, and events Parley does not handle, are counted in `ignored`. Events that carry no id
// of their own (reactions, postbacks before v11, referrals) get a stable one built from what identifies them, so
// Meta's retries de-duplicate. kInvalidArgument naming the field on malformed JSON, nesting deeper than 64, a
// wrong `object`, a field of the wrong type, a message without its id or sender, or a comment without its id, sender
// or media id. The same comment notified twice (Meta does so for comments on ads) is returned twice: the store keeps
// one. Never throws.
Result<WebhookEvents> ParseInstagramWebhook(std::string_view body);

// {"recipient":{"id":…},"message":{"text":…}} plus "reply_to":{"mid":…} in the message when `reply_to` is set.
boost::json::object TextMessageBody(std::string_view recipient_id, std::string_view text, std::string_view reply_to,
                                    MessageTag tag = MessageTag::kNone);

// A private reply to a comment, POSTed to /{account_id}/messages: {"recipient":{"comment_id":…},"message":{"text":…}}.
// Its answer reads as a message's (ParseSendResponse).
boost::json::object PrivateReplyBody(std::string_view comment_id, std::string_view text);

// A public reply, POSTed to /{comment_id}/replies: {"message":…}.
boost::json::object CommentReplyBody(std::string_view text);

// Hiding or showing a comment again, POSTed to /{comment_id}: {"hide": true|false}. Its answer is {"success": true}.
boost::json::object HideCommentBody(bool hide);

// Decodes the answer to a public reply: the new comment's id ({"id":…}) on 2xx, Meta's error object otherwise.
SendResult ParseCommentReplyResponse(int http_status, std::string_view body);

// Instagram's Send API is Messenger's: its sender actions and answers read alike.
using meta::ParseSendResponse;
using meta::SenderActionBody;

}  // namespace parley::channels::instagram
