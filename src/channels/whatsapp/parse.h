#pragma once
// WhatsApp Cloud API formats, as pure functions: the webhook payload into unified events, the bodies Parley
// POSTs to /{phone_number_id}/messages, and the Graph API's answers. No I/O.

#include <boost/json/object.hpp>
#include <string_view>

#include "channels/channel.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::whatsapp {

// The platform's name: stored, in its webhook's path, in metrics labels.
inline constexpr std::string_view kName = "whatsapp";

// Parses a `whatsapp_business_account` webhook (entry[].changes[].value). Every message becomes a
// UnifiedMessage (types Parley cannot show become kUnsupported with an error saying why); statuses sent,
// delivered, read and failed become StatusUpdates; other statuses and fields other than "messages" are counted
// in `ignored`. kInvalidArgument naming the field on malformed JSON, nesting deeper than 64, a wrong `object`,
// a field of the wrong type, or a message without id or from. Never throws.
Result<WebhookEvents> ParseWhatsAppWebhook(std::string_view body);

// {"messaging_product":"whatsapp","recipient_type":"individual","to":…,"type":"text",
//  "text":{"preview_url":false,"body":…}} plus "context":{"message_id":…} when `reply_to` is not empty.
boost::json::object TextMessageBody(std::string_view to, std::string_view text, std::string_view reply_to);

// A media message by an uploaded media's id: {"messaging_product":"whatsapp","recipient_type":"individual","to":…,
// "type":T,T:{"id":…}} for T image, audio, video or document, with "caption" when not empty (never for audio, which
// WhatsApp sends without one) and a document's "filename".
boost::json::object MediaMessageBody(std::string_view to, std::string_view media_id, MessageType type,
                                     std::string_view caption, std::string_view filename);

// Decodes the answer to POST /{phone-number-id}/media ({"id": …}): the media id in platform_message_id; Meta's
// error otherwise, or an error when a 2xx carries no id.
SendResult ParseUploadResponse(int http_status, std::string_view body);

// {"messaging_product":"whatsapp","status":"read","message_id":…,"typing_indicator":{"type":"text"}}: marks the
// message read and shows "typing…" until Parley replies or 25 seconds pass.
boost::json::object MarkReadBody(std::string_view message_id);

// Decodes the answer to a POST /messages: on 2xx the id in messages[0].id (empty for mark-as-read, whose answer
// is {"success":true}); otherwise Meta's error object (see meta::ParseGraphError).
SendResult ParseSendResponse(int http_status, std::string_view body);

}  // namespace parley::channels::whatsapp
